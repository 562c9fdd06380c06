"""Compute stage, places still to fill in (記入待ち): what a document shows and the data
leaves empty.

A place is defined by the data, never by a comment, so ``check`` lists it until it is
filled (``new`` lists the same places: it asks ``check`` of the year it wrote):

- a results or self-evaluation document (the year is reported): every KPI's ``actual``,
  left out or written empty; a KPI's ``national`` and ``rank`` and a measure's
  ``results`` written as an empty key (``national:``, ``results: []``: where ``new``
  leaves the year's figures; a KPI without the key has none to show);
- a self-evaluation document, before the year is reported (no actual and no grade yet):
  every measure's grade. Once it is reported a missing grade is an error (see
  :func:`grades_due`);
- any document: a KPI's ``target`` written empty (``target:``, as ``new`` writes a
  branch's first year); a measure's ``plan`` and a page's or column's ``blocks`` written empty,
  and a page's heading with nothing under it.

A place is where its key is written (``actual:`` empty), else where its entry is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from kenpo_report.compute.figures import Path_
from kenpo_report.model import DocumentSettings, Page
from kenpo_report.validate import Plan

# The kinds of document that report the year: they show its actuals and results.
REPORTING = ("results", "self_evaluation")


@dataclass(frozen=True)
class Place:
    """A place to fill in: what is missing, and the path of its key or entry."""

    message: str
    path: Path_
    at_key: bool = False  # the key is written (empty): the place is the key's position


def pending_places(plan: Plan, document: DocumentSettings) -> list[Place]:
    """The places *document* shows that the data of *plan* leaves empty."""
    found = _empty_targets(plan)
    if document.kind in REPORTING:
        found += _kpi_places(plan)
        found += _written_empty(plan, "results", "実施状況（results）")
    if document.kind == "self_evaluation" and not grades_due(plan):
        found += _grades(plan)
    found += _written_empty(plan, "plan", "事業計画（plan）")
    for p, page in enumerate(plan.data.pages):
        found += _page_places(plan, page, ("pages", p))
    return found


def grades_due(plan: Plan) -> bool:
    """The year is reported (an actual or a grade is written): every grade is due now.

    Before that (a year made by ``new``) the grades are still to fill in."""
    return any(e.actual is not None for e in plan.data.kpis) or any(
        m.evaluation is not None for m in plan.data.measures
    )


def one_line(text: str) -> str:
    """A title as a message quotes it: on one line."""
    return " ".join(text.split("\n"))


def _written(plan: Plan, path: Path_) -> bool:
    return path in plan.source.keys


def _kpi_places(plan: Plan) -> list[Place]:
    found: list[Place] = []
    for i, entry in enumerate(plan.data.kpis):
        name = plan.catalog.kpis[entry.kpi].name
        if entry.actual is None:
            key: Path_ = ("kpis", i, "actual")
            written = _written(plan, key)
            found.append(
                Place(
                    f"KPI「{name}」の実績（actual）がまだ書かれていません（「－」と表示します）",
                    key if written else ("kpis", i, "kpi"),
                    written,
                )
            )
        for field, what in (("national", "全国の実績"), ("rank", "全国順位")):
            key = ("kpis", i, field)
            if getattr(entry, field) is None and _written(plan, key):
                found.append(
                    Place(f"KPI「{name}」の{what}（{field}）がまだ書かれていません", key, True)
                )
    return found


def _empty_targets(plan: Plan) -> list[Place]:
    """KPIs whose target is written empty (the key is required: it is always written)."""
    return [
        Place(
            f"KPI「{plan.catalog.kpis[e.kpi].name}」の目標（target）がまだ書かれていません（「－」と表示します）",
            ("kpis", i, "target"),
            True,
        )
        for i, e in enumerate(plan.data.kpis)
        if e.target is None
    ]


def _written_empty(plan: Plan, field: str, what: str) -> list[Place]:
    """Measures whose *field* is written as an empty key (``results: []``)."""
    return [
        Place(f"施策「{one_line(m.title)}」の{what}がまだ書かれていません", key, True)
        for i, m in enumerate(plan.data.measures)
        if not getattr(m, field) and _written(plan, key := ("measures", i, field))
    ]


def _grades(plan: Plan) -> list[Place]:
    found: list[Place] = []
    for i, m in enumerate(plan.data.measures):
        if m.evaluation is None:
            key: Path_ = ("measures", i, "evaluation")
            written = _written(plan, key)
            found.append(
                Place(ungraded_message(m.title), key if written else ("measures", i, "id"), written)
            )
    return found


def ungraded_message(title: str) -> str:
    """A measure of a self-evaluation without its grade (記入待ち, or an error once due)."""
    return f"自己評価の文書ですが、施策「{one_line(title)}」に自己評価（evaluation の grade: S〜D）がありません"


def _page_places(plan: Plan, page: Page, base: Path_) -> Iterator[Place]:
    """A page's empty blocks, its headings with nothing under them, its empty columns."""
    title = one_line(page.title)
    blocks: Path_ = (*base, "blocks")
    if not page.blocks and _written(plan, blocks):
        yield Place(f"ページ「{title}」の内容（blocks）がまだ書かれていません", blocks, True)
    for b, block in enumerate(page.blocks):
        if getattr(block, "type", None) == "heading" and _nothing_under(page.blocks, b):
            yield Place(
                f"ページ「{title}」の見出し「{one_line(block.text)}」の内容がまだ書かれていません",
                (*blocks, b),
            )
    yield from _empty_columns(plan, title, page.blocks, blocks)


def _nothing_under(blocks: list[Any], b: int) -> bool:
    """Heading *b* is followed by nothing, or by a heading of its level or above."""
    following = blocks[b + 1] if b + 1 < len(blocks) else None
    if following is None:
        return True
    return getattr(following, "type", None) == "heading" and following.level <= blocks[b].level


def _empty_columns(plan: Plan, title: str, blocks: list[Any], base: Path_) -> Iterator[Place]:
    for b, block in enumerate(blocks):
        if getattr(block, "type", None) != "columns":
            continue
        for c, column in enumerate(block.columns):
            path: Path_ = (*base, b, "columns", c)
            if not column.blocks and _written(plan, (*path, "blocks")):
                shown = one_line(column.title or "見出しのない列")
                yield Place(f"ページ「{title}」の列「{shown}」の内容がまだ書かれていません", path)
            yield from _empty_columns(plan, title, column.blocks, (*path, "blocks"))
