"""pydantic's errors in the planner's words, and the phrases the checks share.

``message`` turns one pydantic error into its Japanese message: ``_BY_TYPE`` maps the
error type to a template (filled with the value written, ``given``, and pydantic's
context) or to a function of the error, ``_BY_PREFIX`` the families of types.
"""

from __future__ import annotations

import ast
import difflib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class SchemaError:
    """One pydantic error, as far as its message needs it."""

    type: str
    given: Any  # the value written
    ctx: dict[str, Any]
    msg: str  # pydantic's English message
    path: list[str | int]  # where in the data, pydantic's union/validator tags dropped
    # The key concerned: for "missing" the field not written; for "extra_forbidden" the key
    # probably meant (a missing one it resembles, else the closest the mapping may have).
    missing_key: str | None
    missing_index: int | None  # for "missing": the index of the value not written


def message(error: SchemaError) -> str:
    """The Japanese message for *error*."""
    found = _BY_TYPE.get(error.type) or next(
        (text for prefixes, text in _BY_PREFIX if error.type.startswith(prefixes)), None
    )
    if found is None:  # pragma: no cover - a pydantic error our types do not produce
        found = "値が正しくありません（{msg}）"
    if isinstance(found, str):
        # Absent context shows as None, as pydantic's context is read with .get().
        fields = defaultdict(lambda: None, error.ctx, given=error.given, msg=error.msg)
        return found.format_map(fields)
    return found(error)


_FIGURE = re.compile(r"[0-9][0-9,.]*")


def _missing(error: SchemaError) -> str:
    if error.missing_key is None and error.missing_index is not None:
        return f"値が足りません（{error.missing_index + 1}つめの値を書いてください）"
    key = error.missing_key
    said = f"必須の項目「{key}」がありません"
    description = error.ctx.get("description")
    if not description:
        return said
    examples = error.ctx.get("examples") or []
    # As written in YAML: a figure in quotes (the guide's rule), words as they are.
    shown = " / ".join(
        f'{key}: "{e}"' if _FIGURE.fullmatch(str(e)) else f"{key}: {e}" for e in examples
    )
    return f"{said}（{description}を書きます{'。例: ' + shown if shown else ''}）"


def _extra(error: SchemaError) -> str:
    key = error.path[-1] if error.path else ""
    if error.missing_key:  # the closest key this mapping may have
        return f"不明な項目「{key}」です（「{error.missing_key}」の誤りではありませんか）"
    return f"不明な項目「{key}」です（綴りを確認してください）"


def closest(given: str, known: Iterable[str]) -> str | None:
    """The one of *known* that *given* was probably meant to be, if one is close to it."""
    close = difflib.get_close_matches(given, sorted(known), n=1, cutoff=0.75)
    return close[0] if close else None


def _literal(error: SchemaError) -> str:
    allowed = choices_of(str(error.ctx.get("expected", "")))
    return not_allowed(error.given, allowed, f"「{error.given}」は使えません")


def _union_tag(error: SchemaError) -> str:
    tags = choices_of(str(error.ctx.get("expected_tags", "")))
    tag = error.ctx.get("tag")
    return not_allowed(tag, tags, f"type「{tag}」はありません")


def _raised(error: SchemaError) -> str:
    """A validator's own message (already in Japanese)."""
    return str(error.ctx.get("error", error.msg))


_MAPPING = "「キー: 値」の形で書いてください"
_LIST = "一覧（- で始まる行）で書いてください"
_STRING = "文字列を書いてください"
_INTEGER = "「{given}」: 半角数字の整数を書いてください"
_BOOL = "true か false を書いてください"

_BY_TYPE: dict[str, str | Callable[[SchemaError], str]] = {
    "missing": _missing,
    "extra_forbidden": _extra,
    "literal_error": _literal,
    "enum": _literal,
    "union_tag_invalid": _union_tag,
    "union_tag_not_found": "type（ブロックの種類）を書いてください",
    "string_pattern_mismatch": (
        "「{given}」: 半角英小文字で始まり、半角英小文字・数字・_・- だけで書いてください"
    ),
    "dict_type": _MAPPING,
    "model_type": _MAPPING,
    "model_attributes_type": _MAPPING,
    "list_type": _LIST,
    "tuple_type": _LIST,
    "set_type": _LIST,
    "string_type": _STRING,
    "string_unicode": _STRING,
    "int_type": _INTEGER,
    "int_parsing": _INTEGER,
    "int_from_float": _INTEGER,
    "int_parsing_size": _INTEGER,
    "bool_type": _BOOL,
    "bool_parsing": _BOOL,
    "too_short": "少なくとも{min_length}個書いてください",
    "too_long": "{max_length}個までしか書けません",
    "string_too_short": "空にはできません。文字を書いてください",
    "string_too_long": "{max_length}文字以内で書いてください",
    "greater_than_equal": "{ge}以上の値を書いてください",
    "less_than_equal": "{le}以下の値を書いてください",
    "greater_than": "{gt}より大きい値を書いてください",
    "less_than": "{lt}より小さい値を書いてください",
    "value_error": _raised,
    "assertion_error": _raised,
}

_BY_PREFIX: tuple[tuple[tuple[str, ...], str], ...] = (
    (("decimal_", "float_"), "「{given}」は数値ではありません（例: 95.5、1,234、▲0.5）"),
    (("date_", "datetime_"), "「{given}」: 日付は 2025-07-31 の形で書いてください"),
)


# --- phrases ---------------------------------------------------------------------

_REPR = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def choices_of(expected: str) -> list[str]:
    """pydantic's "'S', 'A' or 'B'" -> ['S', 'A', 'B'] (values as the planner writes them)."""
    found = []
    for written in _REPR.findall(expected):
        try:
            value = ast.literal_eval(written)
        except (ValueError, SyntaxError):  # pragma: no cover - pydantic writes reprs
            value = written.strip("'\"")
        found.append(str(value))
    return found


def did_you_mean(given: str, known: Iterable[str]) -> str:
    """（「x」の誤りではありませんか） when *given* is close to one of *known*, else ""."""
    meant = closest(given, known)
    return f"（「{meant}」の誤りではありませんか）" if meant else ""


def choices(values: Iterable[str]) -> str:
    """S、A、B — the Japanese list of allowed values ("" shown as "")."""
    return "、".join(v if v else '""' for v in values)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def not_allowed(given: Any, allowed: list[str], what: str) -> str:
    """「E」は使えません。次のどれかを書いてください: S、A、B、C、D (with a hint when close).

    *what* is the subject and its verb (「E」は使えません, type「x」はありません).
    """
    text = str(given)
    same = [a for a in allowed if _fold(a) == _fold(text)]
    if same:  # 全角・半角 or upper/lower case: say exactly what to write
        width = ""
        if unicodedata.normalize("NFKC", same[0]) != same[0]:
            width = "（全角）"
        elif unicodedata.normalize("NFKC", text) != text:
            width = "（半角）"
        return f"{what}。「{same[0]}」{width}と書いてください"
    # A few choices are read at a glance (and S, A, B are all close to one another).
    hint = did_you_mean(text, allowed) if len(allowed) > 5 else ""
    return f"{what}{hint}。次のどれかを書いてください: {choices(allowed)}"
