"""What is known of a document's parts' pages, and the page numbers it gives.

A part's pages and where its anchors fall are known once it is laid out, or
from its cached *shape*; else guessed from the previous build (:class:`Hint`),
else one page per page section. From those, :class:`PageBook` numbers the
parts and the anchors (see :mod:`.parts`, the loop that lays them out).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from kenpo_report.render.results import PartResult
from kenpo_report.render.split import Part


@dataclass(frozen=True)
class Hint:
    """The previous build of the document: its anchors' pages, its page count and where
    its pages began (none from a manifest written before they were kept)."""

    anchors: Mapping[str, int]
    pages: int
    starts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Need:
    """The numbers a part is laid out with: its first page and its foreign anchors' pages."""

    first_page: int
    foreign: tuple[tuple[str, int], ...]


@dataclass
class Shape:
    """A part's page count and its anchors' pages within it (0-based)."""

    pages: int
    anchors: dict[str, int]
    deps: str  # digest of the asset files it read, current at lookup


@dataclass
class PageBook:
    parts: list[Part]
    hint: Hint | None
    shapes: list[Shape | None]  # by part: laid out before (the cache, or this build)
    done: dict[int, tuple[Need, PartResult]] = field(default_factory=dict)  # laid out now

    def known(self, i: int) -> bool:
        return i in self.done or self.shapes[i] is not None

    def all_known(self) -> bool:
        return all(self.known(j) for j in range(len(self.parts)))

    def pages(self, i: int) -> int:
        if i in self.done:
            return self.done[i][1].pages
        if self.shapes[i] is not None:
            return self.shapes[i].pages
        # Each page section starts a page: a part has at least as many pages as sections.
        first, following = self.hinted_span(i)
        if first is not None and following is not None and following - first >= 1:
            return max(following - first, self.parts[i].sections)
        return self.parts[i].sections

    def hinted_span(self, i: int) -> tuple[int | None, int | None]:
        """Where the previous build put this part's first anchor and the next part's."""
        if self.hint is None:
            return None, None

        def first_page(j: int) -> int | None:
            if j == len(self.parts):  # past the last page: the hint counts covers too
                return self.hint.pages + 1 - sum(1 for p in self.parts if not p.numbered)
            ids = self.parts[j].ids
            return self.hint.anchors.get(ids[0]) if ids else None

        return first_page(i), first_page(i + 1)

    def local(self, i: int) -> dict[str, int]:
        """Part *i*'s anchors -> their page within it (0-based)."""
        if i in self.done:
            return self.done[i][1].anchors
        if self.shapes[i] is not None:
            return self.shapes[i].anchors
        part = self.parts[i]
        first, _ = self.hinted_span(i)
        if first is not None:  # where the previous build put them
            last = self.pages(i) - 1
            return {
                a: min(max(self.hint.anchors.get(a, first + k) - first, 0), last)
                for a, k in zip(part.ids, part.id_sections, strict=True)
            }
        return dict(zip(part.ids, part.id_sections, strict=True))  # a page per section

    def starts(self) -> list[int]:
        """The page number each part starts with: an uncounted cover shows the number
        of the page before it (0), as its counter does not go up (templates/shared/base.css)."""
        starts, page = [], 1
        for i, part in enumerate(self.parts):
            if part.numbered:
                starts.append(page)
                page += self.pages(i)
            else:
                starts.append(page - 1)
        return starts

    def anchors(self) -> dict[str, int]:
        """Anchor -> 1-based page in the whole document, by the current knowledge."""
        starts = self.starts()
        out: dict[str, int] = {}
        for i in range(len(self.parts)):
            for name, local in self.local(i).items():
                out.setdefault(name, starts[i] + local)
        return out

    def need(self, i: int, starts: list[int], anchors: dict[str, int]) -> Need:
        foreign = tuple((a, anchors[a]) for a in self.parts[i].foreign if a in anchors)
        return Need(starts[i], foreign)

    def certain(self, i: int) -> bool:
        """Whether the numbers part *i* needs are final (no guess behind them)."""
        if self.parts[i].foreign:
            return self.all_known()
        return all(self.known(j) for j in range(i))

    def laid_out_with(self, i: int, need: Need) -> bool:
        """Whether part *i* is laid out (in this build) with exactly the numbers *need*."""
        return self.done.get(i, (None,))[0] == need
