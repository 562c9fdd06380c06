"""YAML loading that keeps file:line:column for every value.

PyYAML's constructors are never used: we compose the node graph and build
plain dicts, lists and strings ourselves, so every scalar stays the text the
planner typed (``NO``, ``010``, ``1:30``, ``0.10`` and dates stay strings) until
the schema converts it. Aliases, anchors, explicit tags, duplicate keys,
multiple documents and control characters are errors with a position.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner
from yaml.tokens import ScalarToken

from kenpo_report.errors import Position, Problem, UserError, format_path

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_SCALAR_CHARS = 20_000
# A run of characters with no break opportunity; Latin-ish text only, since
# Japanese can break between almost any two characters.
MAX_WORD_CHARS = 200
_WORD = re.compile(r"[\x21-\x7e]{" + str(MAX_WORD_CHARS + 1) + ",}")
# C0 controls except tab and newline (CRLF files are normalised first), DEL, C1
# controls, non-characters, surrogates, and U+2028/2029, which YAML counts as
# line breaks but editors do not (line numbers would drift).
_BAD_CHAR = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufffe\uffff\ud800-\udfff]")

Path_ = tuple[str | int, ...]


@dataclass
class SourceMap:
    """Where each value came from, keyed by its path in the loaded data."""

    positions: dict[Path_, Position] = field(default_factory=dict)
    keys: dict[Path_, Position] = field(default_factory=dict)  # where a mapping key is written

    def get(self, path: Path_) -> Position | None:
        """Position of the deepest known prefix of *path*."""
        for end in range(len(path), -1, -1):
            pos = self.positions.get(tuple(path[:end]))
            if pos is not None:
                return pos
        return None

    def key(self, path: Path_) -> Position | None:
        """Position of the key of *path* (for errors about the key itself)."""
        return self.keys.get(tuple(path)) or self.get(path)

    def update(self, other: SourceMap, prefix: Path_ = ()) -> None:
        for path, pos in other.positions.items():
            self.positions[prefix + path] = pos
        for path, pos in other.keys.items():
            self.keys[prefix + path] = pos

    def shifted(self, key: str, offset: int) -> SourceMap:
        """The entries under list *key*, with indices moved by *offset* (merging files)."""
        out = SourceMap()
        for mine, theirs in ((out.positions, self.positions), (out.keys, self.keys)):
            for path, pos in theirs.items():
                if path[:1] == (key,) and len(path) > 1 and isinstance(path[1], int):
                    mine[(key, path[1] + offset, *path[2:])] = pos
        return out


@dataclass
class Loaded:
    data: Any
    source: SourceMap


class _Checks:
    """Refuses aliases, anchors and tags while composing, with their position."""

    filename = ""

    def _pos(self, mark: Any) -> Position:
        return Position(self.filename, mark.line + 1, mark.column + 1)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            raise _Fatal(
                "エイリアス（*名前）は使えません。値をそのまま書いてください",
                self._pos(event.start_mark),
            )
        if isinstance(event, ScalarEvent | SequenceStartEvent | MappingStartEvent):
            if event.anchor is not None:
                raise _Fatal(
                    "アンカー（&名前）は使えません。値をそのまま書いてください",
                    self._pos(event.start_mark),
                )
            if event.tag is not None and event.tag != "!":
                raise _Fatal(f"タグ {event.tag} は使えません", self._pos(event.start_mark))
        return super().compose_node(parent, index)  # type: ignore[misc]


class _StringLoader(_Checks, Reader, Scanner, Parser, Composer, BaseResolver):
    """Composes nodes only; BaseResolver tags every plain scalar as a string.

    Pure Python: slow, but its error messages and marks are the ones we translate.
    """

    def __init__(self, stream: str) -> None:
        Reader.__init__(self, stream)
        Scanner.__init__(self)
        Parser.__init__(self)
        Composer.__init__(self)
        BaseResolver.__init__(self)


class _FastLoader(_Checks, CParser, Composer, BaseResolver):
    """libyaml's events under the same composer: about ten times faster.

    Used first; a file it refuses is parsed again by :class:`_StringLoader` so
    the planner gets the same message and position either way.
    """

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        BaseResolver.__init__(self)

    def get_single_node(self) -> Node | None:
        return Composer.get_single_node(self)


class _Fatal(Exception):
    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.problem = Problem(message, position)


def _decode(raw: bytes, name: str) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        raise UserError.single(
            "BOM（バイト順マーク）付きのファイルです。BOMなしのUTF-8で保存してください",
            Position(name, 1, 1),
        )
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = len(before[before.rfind(b"\n") + 1 :].decode("utf-8", "replace")) + 1
        raise UserError.single(
            "UTF-8として読めない文字があります。UTF-8で保存してください", Position(name, line, col)
        ) from None


def _check_text(text: str, name: str) -> None:
    m = _BAD_CHAR.search(text)
    if m:
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        raise UserError.single(
            f"使えない制御文字 U+{ord(m.group()):04X} があります", Position(name, line, col)
        )


def load_text(text: str, name: str) -> Loaded:
    """Parse one YAML document from *text*; *name* is used in positions."""
    problems: list[Problem] = []
    loaded = _load(text, name, problems)
    if problems:
        raise UserError(problems)
    assert loaded is not None
    return loaded


def _load(text: str, name: str, problems: list[Problem]) -> Loaded | None:
    """The document and its problems; None if it cannot be read at all.

    Problems found while building (a duplicate key, whose first value is kept; a
    control character; an overlong value) leave the data whole, so it is returned
    with them: the other files of a branch-year can still be merged after it.
    """
    text = text.replace("\r\n", "\n")
    try:
        _check_text(text, name)
        node = _fast_compose(text, name)
        if node is _FAILED:
            node = _compose(text, name)
        if node is None or (isinstance(node, ScalarNode) and node.value == ""):
            raise UserError.single("ファイルが空です", Position(name, 1, 1))
    except UserError as exc:
        problems += exc.problems
        return None
    source = SourceMap()
    data = _build(node, (), source, problems, name)
    return Loaded(data, source)


_FAILED = object()


def _fast_compose(text: str, name: str) -> Any:
    if CParser is None:
        return _FAILED
    loader = _FastLoader(text)
    loader.filename = name
    try:
        return loader.get_single_node()
    except (_Fatal, yaml.YAMLError):
        return _FAILED


def _compose(text: str, name: str) -> Node | None:
    loader = _StringLoader(text)
    loader.filename = name
    try:
        return loader.get_single_node()
    except _Fatal as exc:
        raise UserError([exc.problem]) from None
    except yaml.MarkedYAMLError as exc:
        raise UserError([_yaml_problem(exc, text, name)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors carry no mark
        raise UserError.single(f"YAMLとして読めません: {exc}", Position(name, 1, 1)) from None
    finally:
        loader.dispose()


def load_file(path: Path, display_name: str) -> Loaded:
    problems: list[Problem] = []
    loaded = load_file_collecting(path, display_name, problems)
    if problems:
        raise UserError(problems)
    assert loaded is not None
    return loaded


def load_file_collecting(path: Path, display_name: str, problems: list[Problem]) -> Loaded | None:
    """As :func:`load_file`, adding its problems to *problems* instead of raising.

    Returns the data even when it has problems that leave it whole (see ``_load``),
    None when the file cannot be read as YAML.
    """
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        problems.append(
            Problem(
                f"ファイルが大きすぎます（{size:,}バイト、上限 {MAX_FILE_BYTES:,}バイト）",
                Position(display_name, 1, 1),
            )
        )
        return None
    try:
        text = _decode(path.read_bytes(), display_name)
    except UserError as exc:
        problems += exc.problems
        return None
    return _load(text, display_name, problems)


# --- PyYAML's errors, in the planner's words -----------------------------------

_INDENT = "字下げが揃っていません。同じ組の項目は、同じ桁（行の先頭の空白の数）から書いてください"
_CANNOT_START = re.compile(r"found character '.*' that cannot start any token")


def _yaml_problem(exc: yaml.MarkedYAMLError, text: str, name: str) -> Problem:
    """One Japanese problem for a YAML syntax error, where the planner can see it.

    The position is PyYAML's, except where the cause lies earlier: an unclosed
    quote or bracket is reported where it opens. The field path is added when the
    broken value can be located (by parsing the file again with that value blanked).
    """
    mark = exc.problem_mark or exc.context_mark
    where = (mark.line, mark.column) if mark else (0, 0)
    message, where = _yaml_message(exc, text, where)
    line, column = where
    path = _path_at(text, line, column)
    if path and path[-1] == "unit" and message.startswith("「%」"):
        message += "。単位は全角の「％」で書きます"
    return Problem(message, Position(name, line + 1, column + 1), format_path(path or ()))


# A value that begins with a {reference} and is closed on the same line.
_REFERENCE_START = re.compile(r"(^|:\s|-\s)\{[^{}]*\}\S*$")


def _yaml_message(
    exc: yaml.MarkedYAMLError, text: str, where: tuple[int, int]
) -> tuple[str, tuple[int, int]]:
    """The message and its (0-based) line and column."""
    problem = exc.problem or ""
    context = exc.context or ""
    opened = exc.context_mark
    opened_at = (opened.line, opened.column) if opened else where
    lines = text.split("\n")
    line, column = where
    current = lines[line] if line < len(lines) else ""
    before = current[:column]

    if "expected a single document" in str(exc):
        return "1つのファイルに書けるYAML文書は1つだけです（--- で区切らないでください）", where
    quote = _unclosed_quote(exc, text, line)
    if quote is not None:
        char, at = quote
        return f"引用符が閉じられていません（{char} で始めた値は {char} で終えてください）", at
    if _CANNOT_START.match(problem):
        char = current[column] if column < len(current) else ""
        if char == "\t":
            if before.strip():
                return "タブは使えません。空白にしてください", where
            return "字下げにタブは使えません。空白で字下げしてください", where
        return f"「{char}」で始まる値は引用符で囲んでください", where
    if "found a tab character" in problem:
        return "字下げにタブは使えません。空白で字下げしてください", where
    if "mapping values are not allowed" in problem:
        if ": " in before or not before.strip() or before.strip().startswith("#"):
            return (
                "「:」の位置が正しくありません。値に「:」を含むときは引用符で囲んでください",
                where,
            )
        # The key of this line was read as the continuation of the line above.
        return _INDENT, where
    if "expected <block end>" in problem:
        reference = _REFERENCE_START.search(before)
        if "'<scalar>'" in problem and reference:
            # text: {expected}人: YAML read the reference as a mapping, then more text.
            return (
                '{ で始まる文は全体を引用符（"）で囲んでください（例: text: "{expected}人"）',
                (line, reference.start() + len(reference.group(1))),
            )
        if "'<scalar>'" in problem and before.rstrip()[-1:] in ('"', "'"):
            return (
                "引用符で囲んだ値のあとに文字が続いています。値全体を引用符で囲んでください",
                where,
            )
        if "'-'" in problem or "'?'" in problem:
            return (
                "一覧（- で始まる行）と「キー: 値」の行が、同じ字下げで混ざっています",
                where,
            )
        return _INDENT, where
    if "did not find expected '-' indicator" in problem:
        return "一覧（- で始まる行）の字下げが揃っていません", where
    if "did not find expected key" in problem:
        return _INDENT, where
    if "could not find expected ':'" in problem:
        # PyYAML points at the line after; the key without its colon is at the context mark.
        return "「キー: 値」の形になっていません（「:」と空白がありません）", opened_at
    if "expected ',' or ']'" in problem:
        return "「[」で始めた一覧が「]」で閉じられていません", opened_at
    if "expected ',' or '}'" in problem:
        return "「{」で始めた組が「}」で閉じられていません", opened_at
    if "found unknown escape character" in problem:
        return (
            "\" で囲んだ値の中の「\\」は「\\\\」と書いてください（または ' で囲んでください）",
            where,
        )
    if "expected chomping or indentation indicators" in problem or (
        "block scalar" in context and "expected a comment or a line break" in problem
    ):
        return "「|」や「>」のあとには何も書かず、次の行から文章を書いてください", opened_at
    if "mapping keys are not allowed" in problem:
        return "「?」で始まる値は引用符で囲んでください", where
    if "expected the node content" in problem or "expected <block end>" in problem:
        char = current[column] if column < len(current) else ""
        return f"「{char}」で始まる値は引用符で囲んでください", where
    if "found undefined alias" in problem or "while scanning an alias" in context:
        return "エイリアス（*名前）は使えません。「*」で始まる値は引用符で囲んでください", where
    if "while scanning an anchor" in context:
        return "アンカー（&名前）は使えません。「&」で始まる値は引用符で囲んでください", where
    if "tag" in context or "tag" in problem:
        return "タグ（!）は使えません。「!」で始まる値は引用符で囲んでください", opened_at
    return f"YAMLの書き方に誤りがあります（{problem or context}）", where


def _unclosed_quote(
    exc: yaml.MarkedYAMLError, text: str, line: int
) -> tuple[str, tuple[int, int]] | None:
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


_PATH_HINT_CHARS = 300_000


def _path_at(text: str, line: int, column: int) -> Path_ | None:
    """The path of the scalar at (0-based) *line*, *column*, found by blanking it.

    Only a hint: skipped for very large files, where parsing again costs seconds.
    """
    lines = text.split("\n")
    if len(text) > _PATH_HINT_CHARS or line >= len(lines) or not lines[line][:column].strip():
        return None
    lines[line] = lines[line][:column] + '""'
    repaired = "\n".join(lines)
    try:
        node = _fast_compose(repaired, "")
        if node is _FAILED:
            node = _StringLoader(repaired).get_single_node()
    except (_Fatal, yaml.YAMLError):
        return None
    # Down the collections whose lines include *line*, to the last scalar starting
    # on it at or before *column*.
    path: list[str | int] = []
    while isinstance(node, MappingNode | SequenceNode):
        children = (
            [(k.value, v) for k, v in node.value if isinstance(k, ScalarNode)]
            if isinstance(node, MappingNode)
            else list(enumerate(node.value))
        )
        inside = [
            (part, child)
            for part, child in children
            if (child.start_mark.line, child.start_mark.column) <= (line, column)
            and child.end_mark.line >= line
        ]
        if not inside:
            return None
        part, node = inside[-1]
        path.append(part)
    if not isinstance(node, ScalarNode) or node.start_mark.line != line:
        return None
    return tuple(path)


def _build(node: Node, path: Path_, source: SourceMap, problems: list[Problem], name: str) -> Any:
    pos = Position(name, node.start_mark.line + 1, node.start_mark.column + 1)
    source.positions[path] = pos
    if isinstance(node, ScalarNode):
        value = node.value
        if (
            isinstance(value, str)
            and not node.style  # plain: None in PyYAML, "" in libyaml
            and value in ("", "~", "null", "Null", "NULL")
        ):
            return None
        _check_scalar(value, pos, problems)
        return value
    if isinstance(node, SequenceNode):
        return [
            _build(child, (*path, i), source, problems, name) for i, child in enumerate(node.value)
        ]
    if isinstance(node, MappingNode):
        result: dict[str, Any] = {}
        first_seen: dict[str, Position] = {}
        for key_node, value_node in node.value:
            key_pos = Position(name, key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if not isinstance(key_node, ScalarNode):
                problems.append(Problem("キーには文字列を書いてください", key_pos))
                continue
            key = key_node.value
            if key in first_seen:
                problems.append(
                    Problem(
                        f"キー「{key}」が重複しています（{first_seen[key].line}行目と{key_pos.line}行目）",
                        key_pos,
                        format_path((*path, key)),
                    )
                )
                continue
            first_seen[key] = key_pos
            source.keys[(*path, key)] = key_pos
            result[key] = _build(value_node, (*path, key), source, problems, name)
            if not isinstance(value_node, ScalarNode):
                # A block collection starts on the next line; the key is where the planner looks.
                source.positions[(*path, key)] = key_pos
        return result
    raise AssertionError(f"unexpected node {node!r}")  # pragma: no cover


def _check_scalar(value: str, pos: Position, problems: list[Problem]) -> None:
    bad = _BAD_CHAR.search(value)
    if bad:
        problems.append(Problem(f"使えない制御文字 U+{ord(bad.group()):04X} が含まれています", pos))
    if len(value) > MAX_SCALAR_CHARS:
        problems.append(
            Problem(f"文字数が多すぎます（{len(value):,}文字、上限 {MAX_SCALAR_CHARS:,}文字）", pos)
        )
    elif _WORD.search(value):
        problems.append(
            Problem(f"区切りのない英数字の並びが長すぎます（上限 {MAX_WORD_CHARS}文字）", pos)
        )
