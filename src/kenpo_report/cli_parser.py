"""argparse in the planner's words: its usage line, help headings and errors in Japanese.

argparse words its messages in English (through gettext, with no Japanese catalogue).
The values it checks (choices, types) raise our own messages, with the closest choice;
the messages it words itself are translated in ``error`` from their English templates,
which tests/test_cli_parser.py runs one by one.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections.abc import Callable
from typing import Any, NoReturn

# Positional arguments, as the planner knows them.
_LABELS = {"command": "コマンド", "branch": "支部", "year": "年度", "kind": "種類"}


class _Formatter(argparse.HelpFormatter):
    def add_usage(self, usage, actions, groups, prefix=None) -> None:
        super().add_usage(usage, actions, groups, "使い方: " if prefix is None else prefix)


class _Said(argparse.ArgumentError):
    """An argument's error worded whole by us (argparse would prefix "argument X: ")."""

    def __str__(self) -> str:
        return self.message


class Parser(argparse.ArgumentParser):
    """An ArgumentParser whose every message a planner reads is Japanese; errors exit 2."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        kwargs["add_help"] = False  # our own -h, with its help in Japanese
        super().__init__(*args, **kwargs)
        self._positionals.title = "引数"
        self._optionals.title = "オプション"
        self.add_argument("-h", "--help", action="help", help="この説明を表示して終わる")

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        print(f"kenpo-report: 使い方の誤り: {self._japanese(message)}", file=sys.stderr)
        raise SystemExit(2)

    def _check_value(self, action: argparse.Action, value: Any) -> None:
        if action.choices is not None and value not in action.choices:
            raise _Said(action, not_a_choice(action, str(value)))

    def _get_value(self, action: argparse.Action, arg_string: str) -> Any:
        convert = self._registry_get("type", action.type, action.type)
        try:
            return convert(arg_string)
        except argparse.ArgumentTypeError as exc:  # our own type functions: Japanese
            raise _Said(action, str(exc)) from None
        except (TypeError, ValueError):
            what = "整数" if convert is int else "正しい値"
            raise _Said(
                action, f"{_name(action)}: 「{arg_string}」は{what}ではありません"
            ) from None

    def _japanese(self, message: str) -> str:
        """argparse's English *message* in Japanese (one it does not word: as it is)."""
        prefix = ""
        argument = re.fullmatch(r"argument (\S+): (.*)", message, re.DOTALL)
        if argument:
            prefix, message = f"{argument.group(1)}: ", argument.group(2)
        for pattern, say in _TRANSLATIONS:
            found = re.fullmatch(pattern, message, re.DOTALL)
            if found:
                groups = found.groups()
                return prefix + (
                    say.format(*groups) if isinstance(say, str) else say(self, *groups)
                )
        return prefix + message

    def option_strings(self) -> list[str]:
        """The options of this parser and of its commands."""
        found = []
        for action in self._actions:
            found += action.option_strings
            if isinstance(action, argparse._SubParsersAction):
                for parser in action.choices.values():
                    found += parser.option_strings() if isinstance(parser, Parser) else []
        return sorted(set(found))


def not_a_choice(action: argparse.Action, given: str) -> str:
    """「--kind に「reslts」は指定できません（「results」の誤りではありませんか）。…」."""
    # Only on this error: validate's phrases import the model (pydantic), slow to start.
    from kenpo_report.validate.messages import choices, did_you_mean

    allowed = [str(c) for c in action.choices or ()]
    if action.option_strings:
        what = f"{_name(action)} に「{given}」は指定できません"
    else:
        what = f"{_LABELS.get(action.dest, action.dest)}「{given}」はありません"
    return f"{what}{did_you_mean(given, allowed)}。次のどれかを指定してください: {choices(allowed)}"


def _name(action: argparse.Action) -> str:
    return "/".join(action.option_strings) or _labelled(str(action.metavar or action.dest))


def _labelled(name: str) -> str:
    """branch -> 支部（branch）: a positional argument as the usage line names it."""
    return f"{_LABELS[name]}（{name}）" if name in _LABELS else name


def _required(parser: Parser, names: str) -> str:
    return "と".join(_labelled(n) for n in names.split(", ")) + "を指定してください"


def _unrecognized(parser: Parser, given: str) -> str:
    from kenpo_report.validate.messages import did_you_mean

    first = given.split()[0]
    hint = did_you_mean(first, parser.option_strings()) if first.startswith("-") else ""
    return f"使えない引数です: {given}{hint}"


def _ambiguous(parser: Parser, option: str, matches: str) -> str:
    return f"{option} は {'、'.join(matches.split(', '))} のどれか分かりません。省略せずに書いてください"


# argparse's English templates (Python 3.11) -> a template of ours, or a function of the parser.
_TRANSLATIONS: tuple[tuple[str, str | Callable[..., str]], ...] = (
    (r"the following arguments are required: (.+)", _required),
    (r"unrecognized arguments: (.+)", _unrecognized),
    (r"ambiguous option: (\S+) could match (.+)", _ambiguous),
    (r"expected one argument", "値を一つ指定してください"),
    (r"expected at most one argument", "値は一つまでです"),
    (r"expected at least one argument", "値を指定してください"),
    (r"expected (\d+) arguments?", "値を{0}つ指定してください"),
    (r"ignored explicit argument '(.*)'", "値（{0}）は付けられません"),
    (r"not allowed with argument (\S+)", "{0} と同時には指定できません"),
    (r"one of the arguments (.+) is required", "{0} のどれかを指定してください"),
)
