"""YAML loading that keeps file:line:column for every value.

PyYAML's constructors are never used: we compose the node graph and build
plain dicts, lists and strings ourselves, so every scalar stays the text the
planner typed (``NO``, ``010``, ``1:30``, ``0.10`` and dates stay strings) until
the schema converts it. Aliases, anchors, explicit tags, duplicate keys,
multiple documents and control characters are errors with a position.
Composing is in ``yaml_parser``, the syntax errors in the planner's words in
``yaml_messages``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from kenpo_report.errors import Position, Problem, UserError, format_path
from kenpo_report.load.yaml_messages import yaml_problem
from kenpo_report.load.yaml_parser import FAILED, Fatal, StringLoader, fast_compose

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
    return _or_raise(lambda problems: _load(text, name, problems))


def _or_raise(load: Callable[[list[Problem]], Loaded | None]) -> Loaded:
    """What *load* reads, or a UserError with every problem it found."""
    problems: list[Problem] = []
    loaded = load(problems)
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
        node = fast_compose(text, name)
        if node is FAILED:
            node = _compose(text, name)
        if node is None or (isinstance(node, ScalarNode) and node.value == ""):
            raise UserError.single("ファイルが空です", Position(name, 1, 1))
    except UserError as exc:
        problems += exc.problems
        return None
    source = SourceMap()
    data = _build(node, (), source, problems, name)
    return Loaded(data, source)


def _compose(text: str, name: str) -> Node | None:
    loader = StringLoader(text)
    loader.filename = name
    try:
        return loader.get_single_node()
    except Fatal as exc:
        raise UserError([exc.problem]) from None
    except yaml.MarkedYAMLError as exc:
        raise UserError([yaml_problem(exc, text, name)]) from None
    except yaml.YAMLError as exc:  # pragma: no cover - reader errors carry no mark
        raise UserError.single(f"YAMLとして読めません: {exc}", Position(name, 1, 1)) from None
    finally:
        loader.dispose()


def load_file(path: Path, display_name: str) -> Loaded:
    return _or_raise(lambda problems: load_file_collecting(path, display_name, problems))


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
