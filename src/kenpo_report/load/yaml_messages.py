"""PyYAML's syntax errors, in the planner's words, where the planner can see them.

PyYAML's messages are matched by the text of their ``problem`` and ``context``:
``_RULES`` lists, in order, which error gets which Japanese message and whether it
is shown where PyYAML stopped or where the broken construct opened.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import yaml
from yaml.tokens import ScalarToken

from kenpo_report.errors import Position, Problem, format_path
from kenpo_report.load.yaml_parser import CParser, path_at

Where = tuple[int, int]  # 0-based line and column
Answer = tuple[str, Where]


def yaml_problem(exc: yaml.MarkedYAMLError, text: str, name: str) -> Problem:
    """One Japanese problem for a YAML syntax error, where the planner can see it.

    The position is PyYAML's, except where the cause lies earlier: an unclosed
    quote or bracket is reported where it opens. The field path is added when the
    broken value can be located (by parsing the file again with that value blanked).
    """
    mark = exc.problem_mark or exc.context_mark
    where = (mark.line, mark.column) if mark else (0, 0)
    message, where = yaml_message(exc, text, where)
    line, column = where
    path = path_at(text, line, column)
    if path and path[-1] == "unit" and message.startswith("「%」"):
        message += "。単位は全角の「％」で書きます"
    return Problem(message, Position(name, line + 1, column + 1), format_path(path or ()))


def yaml_message(exc: yaml.MarkedYAMLError, text: str, where: Where) -> Answer:
    """The message and its (0-based) line and column."""
    if "expected a single document" in str(exc):
        return "1つのファイルに書けるYAML文書は1つだけです（--- で区切らないでください）", where
    quote = _unclosed_quote(exc, text, where[0])
    if quote is not None:
        char, at = quote
        return f"引用符が閉じられていません（{char} で始めた値は {char} で終えてください）", at
    lines = text.split("\n")
    opened = exc.context_mark
    stop = _Stop(
        exc.problem or "",
        exc.context or "",
        where,
        (opened.line, opened.column) if opened else where,
        lines[where[0]] if where[0] < len(lines) else "",
        _line_above(lines, where[0]),
    )
    for applies, answer in _RULES:
        if applies(stop):
            return answer(stop)
    return f"YAMLの書き方に誤りがあります（{stop.problem or stop.context}）", where


def _line_above(lines: list[str], index: int) -> str:
    for line in reversed(lines[: min(index, len(lines))]):
        if line.strip() and not line.lstrip().startswith("#"):
            return line
    return ""


@dataclass(frozen=True)
class _Stop:
    """Where and why PyYAML stopped."""

    problem: str
    context: str
    where: Where
    opened_at: Where  # where the construct being read began (PyYAML's context mark)
    current: str  # the line PyYAML stopped on
    above: str  # the last line before it with content (not blank, not a comment)

    @property
    def before(self) -> str:
        """The stopped line up to where PyYAML stopped."""
        return self.current[: self.where[1]]

    @property
    def char(self) -> str:
        """The character PyYAML stopped at ("" at the end of the line)."""
        column = self.where[1]
        return self.current[column] if column < len(self.current) else ""


_INDENT = "字下げが揃っていません。同じ組の項目は、同じ桁（行の先頭の空白の数）から書いてください"
_TAB_INDENT = "字下げにタブは使えません。空白で字下げしてください"
_CANNOT_START = re.compile(r"found character '.*' that cannot start any token")
# A value that begins with a {reference} and is closed on the same line.
_REFERENCE_START = re.compile(r"(^|:\s|-\s)\{[^{}]*\}\S*$")


def _quote_value(stop: _Stop) -> Answer:
    return f"「{stop.char}」で始まる値は引用符で囲んでください", stop.where


def _cannot_start(stop: _Stop) -> Answer:
    if stop.char != "\t":
        return _quote_value(stop)
    if stop.before.strip():
        return "タブは使えません。空白にしてください", stop.where
    return _TAB_INDENT, stop.where


def _mapping_value(stop: _Stop) -> Answer:
    before = stop.before
    if ": " in before or not before.strip() or before.strip().startswith("#"):
        return (
            "「:」の位置が正しくありません。値に「:」を含むときは引用符で囲んでください",
            stop.where,
        )
    # The key of this line was read as the continuation of the line above.
    return _indent(stop)


def _block_end(stop: _Stop) -> Answer:
    reference = _REFERENCE_START.search(stop.before)
    if "'<scalar>'" in stop.problem and reference:
        # text: {expected}人: YAML read the reference as a mapping, then more text.
        return (
            '{ で始まる文は全体を引用符（"）で囲んでください（例: text: "{expected}人"）',
            (stop.where[0], reference.start() + len(reference.group(1))),
        )
    if "'<scalar>'" in stop.problem and stop.before.rstrip()[-1:] in ('"', "'"):
        return (
            "引用符で囲んだ値のあとに文字が続いています。値全体を引用符で囲んでください",
            stop.where,
        )
    if "'-'" in stop.problem or "'?'" in stop.problem:
        return "一覧（- で始まる行）と「キー: 値」の行が、同じ字下げで混ざっています", stop.where
    return _indent(stop)


def _indent(stop: _Stop) -> Answer:
    """Misaligned keys, with the column the key of the line above starts at: the planner
    sees which way to move the line (PyYAML's own marks point at enclosing constructs)."""
    above = stop.above.lstrip(" ")
    column = len(stop.above) - len(above) + (2 if above.startswith("- ") else 0)
    if not above:
        return _INDENT, stop.where
    return (
        f"{_INDENT}（上の行の項目は{column + 1}桁目、行の先頭の空白{column}個から始まります）",
        stop.where,
    )


def _at_stop(message: str) -> Callable[[_Stop], Answer]:
    return lambda stop: (message, stop.where)


def _at_opening(message: str) -> Callable[[_Stop], Answer]:
    return lambda stop: (message, stop.opened_at)


def _problem_has(text: str) -> Callable[[_Stop], bool]:
    return lambda stop: text in stop.problem


def _context_has(text: str) -> Callable[[_Stop], bool]:
    return lambda stop: text in stop.context


def _block_scalar_header(stop: _Stop) -> bool:
    return "expected chomping or indentation indicators" in stop.problem or (
        "block scalar" in stop.context and "expected a comment or a line break" in stop.problem
    )


# In order: the first rule that applies gives the message.
_RULES: tuple[tuple[Callable[[_Stop], bool], Callable[[_Stop], Answer]], ...] = (
    (lambda stop: bool(_CANNOT_START.match(stop.problem)), _cannot_start),
    (_problem_has("found a tab character"), _at_stop(_TAB_INDENT)),
    (_problem_has("mapping values are not allowed"), _mapping_value),
    (_problem_has("expected <block end>"), _block_end),
    (
        _problem_has("did not find expected '-' indicator"),
        _at_stop("一覧（- で始まる行）の字下げが揃っていません"),
    ),
    (_problem_has("did not find expected key"), _indent),
    # PyYAML points at the line after; the key without its colon is at the context mark.
    (
        _problem_has("could not find expected ':'"),
        _at_opening("「キー: 値」の形になっていません（「:」と空白がありません）"),
    ),
    (
        _problem_has("expected ',' or ']'"),
        _at_opening("「[」で始めた一覧が「]」で閉じられていません"),
    ),
    (
        _problem_has("expected ',' or '}'"),
        _at_opening("「{」で始めた組が「}」で閉じられていません"),
    ),
    (
        _problem_has("found unknown escape character"),
        _at_stop(
            "\" で囲んだ値の中の「\\」は「\\\\」と書いてください（または ' で囲んでください）"
        ),
    ),
    (
        _block_scalar_header,
        _at_opening("「|」や「>」のあとには何も書かず、次の行から文章を書いてください"),
    ),
    (
        _problem_has("mapping keys are not allowed"),
        _at_stop("「?」で始まる値は引用符で囲んでください"),
    ),
    (_problem_has("expected the node content"), _quote_value),
    (
        lambda stop: (
            "found undefined alias" in stop.problem or "while scanning an alias" in stop.context
        ),
        _at_stop("エイリアス（*名前）は使えません。「*」で始まる値は引用符で囲んでください"),
    ),
    (
        _context_has("while scanning an anchor"),
        _at_stop("アンカー（&名前）は使えません。「&」で始まる値は引用符で囲んでください"),
    ),
    (
        lambda stop: "tag" in stop.context or "tag" in stop.problem,
        _at_opening("タグ（!）は使えません。「!」で始まる値は引用符で囲んでください"),
    ),
)


def _unclosed_quote(exc: yaml.MarkedYAMLError, text: str, line: int) -> tuple[str, Where] | None:
    """An opening quote whose value ran on to where PyYAML gave up, if that is the cause."""
    opened = exc.context_mark
    if "quoted scalar" in (exc.context or "") and "end of stream" in (exc.problem or ""):
        assert opened is not None
        return text[opened.index], (opened.line, opened.column)
    # A value that starts with " and ends with ' takes the following lines up to the
    # next ", and PyYAML stops there: find a quoted value spanning lines that ends here.
    found = None
    scanner = yaml.CSafeLoader if CParser is not None else yaml.SafeLoader
    try:
        for token in yaml.scan(text, Loader=scanner):
            if token.start_mark.line > line:
                break
            if (
                isinstance(token, ScalarToken)
                and token.style in ('"', "'")
                and token.start_mark.line < token.end_mark.line == line
            ):
                found = token
    except yaml.YAMLError:
        pass
    if found is None:
        return None
    start = found.start_mark
    return str(found.style), (start.line, start.column)
