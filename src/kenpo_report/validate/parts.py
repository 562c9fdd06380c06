"""What validated of a branch-year, and the free blocks it holds."""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from kenpo_report.model import BranchYear, DocumentSettings, KpiEntry, Measure, Page, Section

Path_ = tuple[str | int, ...]

# The lists of free blocks a measure holds.
MEASURE_BLOCKS = ("prior_results", "results", "issues", "next_plan")


def _walk_blocks(lists: Iterable[tuple[Path_, list[Any]]]) -> Iterator[tuple[Path_, Any]]:
    """Every block of *lists*, the blocks of columns included, with its path in the data."""

    def walk(blocks: list[Any], base: Path_) -> Iterator[tuple[Path_, Any]]:
        for b, block in enumerate(blocks):
            path = (*base, b)
            yield path, block
            if block.type == "columns":
                for c, column in enumerate(block.columns):
                    yield from walk(column.blocks, (*path, "columns", c, "blocks"))

    for base, blocks in lists:
        yield from walk(blocks, base)


@dataclass
class Parts:
    """What validated of a branch-year: each item with its index in the merged lists.

    When the whole branch-year validates these are all its items; otherwise the
    items that validate on their own, so that cross-references can still be
    checked on them. Where an item did not validate, the ids of its kind are not
    known for sure (the error may be in the id itself): references to that kind
    are then not checked, rather than reported as a second, misleading error.
    """

    documents: list[tuple[int, DocumentSettings]] = field(default_factory=list)
    kpis: list[tuple[int, KpiEntry]] = field(default_factory=list)
    pages: list[tuple[int, Page]] = field(default_factory=list)
    kpi_ids: set[str] | None = field(default_factory=set)  # None: not known for sure
    page_ids: set[str] | None = field(default_factory=set)  # pages and measures
    reported: bool = False  # the year has documents (valid or not): it is reported on
    measures: list[tuple[int, Measure]] = field(default_factory=list)
    sections: dict[str, Section] = field(default_factory=dict)

    @classmethod
    def of(cls, data: BranchYear) -> Parts:
        return cls(
            list(enumerate(data.documents)),
            list(enumerate(data.kpis)),
            list(enumerate(data.pages)),
            {e.kpi for e in data.kpis},
            {p.id for p in data.pages if p.id is not None} | {m.id for m in data.measures},
            reported=bool(data.documents),
            measures=list(enumerate(data.measures)),
            sections=dict(data.sections),
        )

    def block_lists(self) -> list[tuple[Path_, list[Any]]]:
        """Every list of free blocks, with its path: pages, measures, sections, covers."""
        lists: list[tuple[Path_, list[Any]]] = [
            (("pages", p, "blocks"), page.blocks) for p, page in self.pages
        ]
        for m, measure in self.measures:
            lists += [(("measures", m, k), getattr(measure, k)) for k in MEASURE_BLOCKS]
        lists += [(("sections", k, "intro"), s.intro) for k, s in self.sections.items()]
        lists += [
            (("documents", d, "cover", "blocks"), doc.cover.blocks)
            for d, doc in self.documents
            if doc.cover is not None
        ]
        return lists

    def blocks(self) -> Iterator[tuple[Path_, Any]]:
        """Every free block, columns' blocks included, with its path in the data."""
        return _walk_blocks(self.block_lists())

    @classmethod
    def salvage(cls, raw: Any) -> Parts:
        """The items of raw (merged) data that validate on their own."""
        parts = cls()
        if not isinstance(raw, dict):
            return parts
        parts.reported = bool(raw.get("documents"))
        for key, model in (
            ("documents", DocumentSettings),
            ("kpis", KpiEntry),
            ("pages", Page),
            ("measures", Measure),
        ):
            items = raw.get(key)
            if not isinstance(items, list):
                continue
            valid: list[tuple[int, Any]] = getattr(parts, key)
            for i, item in enumerate(items):
                with contextlib.suppress(ValidationError):
                    valid.append((i, model.model_validate(item)))
            whole = len(valid) == len(items)
            if key == "kpis":
                parts.kpi_ids = {e.kpi for _, e in parts.kpis} if whole else None
            elif key in ("pages", "measures") and parts.page_ids is not None:
                ids = {p.id for _, p in getattr(parts, key) if p.id}
                parts.page_ids = parts.page_ids | ids if whole else None
        return parts

    def unknown(self) -> None:
        """A file (or a list in one) could not be read: its KPIs and pages are not known."""
        self.kpi_ids = None
        self.page_ids = None
