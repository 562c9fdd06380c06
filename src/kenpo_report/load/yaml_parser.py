"""Composing YAML into nodes, refusing aliases, anchors and tags with their position.

Two loaders build the same nodes: libyaml's (fast) first, PyYAML's pure Python one
when libyaml refuses a file, since its error messages and marks are the ones
translated for the planner (``yaml_messages``).
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.composer import Composer
from yaml.events import AliasEvent, MappingStartEvent, ScalarEvent, SequenceStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode
from yaml.parser import Parser
from yaml.reader import Reader
from yaml.resolver import BaseResolver
from yaml.scanner import Scanner

from kenpo_report.errors import Position, Problem

try:
    from yaml._yaml import CParser
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    CParser = None


class _Checks:
    """Refuses aliases, anchors and tags while composing, with their position."""

    filename = ""

    def _pos(self, mark: Any) -> Position:
        return Position(self.filename, mark.line + 1, mark.column + 1)

    def compose_node(self, parent: Node | None, index: Any) -> Node | None:
        event = self.peek_event()  # type: ignore[attr-defined]
        if isinstance(event, AliasEvent):
            raise Fatal(
                "エイリアス（*名前）は使えません。値をそのまま書いてください",
                self._pos(event.start_mark),
            )
        if isinstance(event, ScalarEvent | SequenceStartEvent | MappingStartEvent):
            if event.anchor is not None:
                raise Fatal(
                    "アンカー（&名前）は使えません。値をそのまま書いてください",
                    self._pos(event.start_mark),
                )
            if event.tag is not None and event.tag != "!":
                raise Fatal(f"タグ {event.tag} は使えません", self._pos(event.start_mark))
        return super().compose_node(parent, index)  # type: ignore[misc]


class StringLoader(_Checks, Reader, Scanner, Parser, Composer, BaseResolver):
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

    Used first; a file it refuses is parsed again by :class:`StringLoader` so
    the planner gets the same message and position either way.
    """

    def __init__(self, stream: str) -> None:
        CParser.__init__(self, stream)
        Composer.__init__(self)
        BaseResolver.__init__(self)

    def get_single_node(self) -> Node | None:
        return Composer.get_single_node(self)


class Fatal(Exception):
    """An alias, anchor or tag: the file cannot be read further."""

    def __init__(self, message: str, position: Position) -> None:
        super().__init__(message)
        self.problem = Problem(message, position)


FAILED = object()  # fast_compose's answer when libyaml refuses the file


def fast_compose(text: str, name: str) -> Any:
    """The document's node by libyaml, or FAILED (then :class:`StringLoader` tells why)."""
    if CParser is None:
        return FAILED
    loader = _FastLoader(text)
    loader.filename = name
    try:
        return loader.get_single_node()
    except (Fatal, yaml.YAMLError):
        return FAILED


_PATH_HINT_CHARS = 300_000


def path_at(text: str, line: int, column: int) -> tuple[str | int, ...] | None:
    """The path of the scalar at (0-based) *line*, *column*, found by blanking it.

    Only a hint: skipped for very large files, where parsing again costs seconds.
    """
    lines = text.split("\n")
    if len(text) > _PATH_HINT_CHARS or line >= len(lines) or not lines[line][:column].strip():
        return None
    lines[line] = lines[line][:column] + '""'
    repaired = "\n".join(lines)
    try:
        node = fast_compose(repaired, "")
        if node is FAILED:
            node = StringLoader(repaired).get_single_node()
    except (Fatal, yaml.YAMLError):
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
