"""What several styles decide alike: runs and row spans, marked list items, block kinds."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Item:
    """A list item and the mark drawn before it: empty when the item brings its own."""

    mark: str
    text: str


def marked(texts: list[str], own_marks: str, mark: str = "・") -> list[Item]:
    """Items that begin with one of *own_marks* keep theirs; the others get *mark*."""
    return [Item("" if text[:1] in own_marks else mark, text) for text in texts]


def spans(values: list[object]) -> list[int]:
    """Row spans for merging equal neighbours: [a, a, b] -> [2, 0, 1] (0 = merged away)."""
    out = [0] * len(values)
    start = 0
    for i in range(1, len(values) + 1):
        if i == len(values) or values[i] != values[start]:
            out[start] = i - start
            start = i
    return out


def runs(items: list[Any], attribute: str) -> list[tuple[object, list[Any]]]:
    """Consecutive items grouped by an attribute, in their order (Jinja's groupby sorts)."""
    out: list[tuple[object, list[Any]]] = []
    for item in items:
        key = getattr(item, attribute)
        if out and out[-1][0] == key:
            out[-1][1].append(item)
        else:
            out.append((key, [item]))
    return out


def block_type(block: Any) -> str | None:
    """The kind of a block view: views are models, dataclasses or dicts."""
    if isinstance(block, dict):
        return block.get("type")
    return getattr(block, "type", None)
