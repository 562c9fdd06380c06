"""三重 (results): the KPI一覧 by category, and each measure page's arrangement.

A measure's texts go under titled columns in one of the source's two arrangements:
short results: 令和6年度の取組 | 課題, then 令和7年度の取組 | figures; long or wide
results: 令和6年度の取組 across the page, then 課題 | 令和7年度の取組 | figures. The
figures are the results' first chart or image and what follows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kenpo_report.compute.kpis import KpiResult
from kenpo_report.compute.measures import MeasureView, SectionView
from kenpo_report.compute.styles.common import Item, block_type, marked, runs, spans
from kenpo_report.model import PRIOR_YEAR
from kenpo_report.validate import Plan

if TYPE_CHECKING:
    from kenpo_report.compute.report import PageView, Report

OWN_MARKS = "・○〇◇◆●■□◎➢•※－-"
# Results longer than this (characters of prose) take the page's width.
LONG_RESULTS = 200
# A table of more columns than this is too wide for a column of the page.
WIDE_TABLE = 5
_NARROW_BLOCKS = ("heading", "formula", "kpi_box", "evaluation")


@dataclass(frozen=True)
class TargetCell:
    """令和6年度KPI欄: the KPI's wording (as_text), or the figure with 以下 or its rule below."""

    as_text: bool
    text: str
    figure: Any
    suffix: str
    rule: str | None


@dataclass(frozen=True)
class KpiRow:
    kpi: KpiResult
    item_span: int
    target: TargetCell


@dataclass(frozen=True)
class Category:
    title: str
    rows: list[KpiRow]
    notes: list[str]


@dataclass(frozen=True)
class MeasurePage:
    measure: MeasureView
    group: str | None
    title: str  # 令和6年度KPIに係る取組結果等 / 令和6年度の取組結果等
    heading: str | None  # the heading where it changes
    plan_box: bool
    plan: list[Item]
    activities: list[Item]
    prose: list[Any]  # the results up to their figures
    figures: list[Any]
    left: bool  # 令和6年度の取組 has something to show
    activities_titled: bool
    results_titled: bool
    across: bool
    top_widths: list[int]  # empty: no such table
    bottom_widths: list[int]


@dataclass(frozen=True)
class Section:
    section: SectionView
    measures: list[MeasurePage]


@dataclass(frozen=True)
class Page:
    page: PageView
    group: str | None


@dataclass(frozen=True)
class MieView:
    categories: list[Category]
    sections: list[Section]
    pages: list[Page]


def view(plan: Plan, report: Report) -> MieView:
    title = report.document.kpi_list_title or f"{report.branch}事業実施状況"
    categories = [
        Category(
            f"{title}【{plan.catalog.categories[key].name}】",
            [
                KpiRow(k, span, target_cell(k))
                for k, span in zip(rows, spans([k.entry.item for k in rows]), strict=True)
            ],
            report.document.kpi_list_notes.get(key, []),
        )
        for key, rows in runs(report.kpis, "category")
    ]
    sections, heading = [], None
    for section in report.sections:
        pages = []
        for m in section.measures:
            pages.append(_measure(report.fiscal_year, m, heading))
            heading = m.heading
        sections.append(Section(section, pages))
    return MieView(categories, sections, [Page(p, group_name(p.group)) for p in report.pages])


def target_cell(k: KpiResult) -> TargetCell:
    """The figure alone; a 対前年度 target with its rule below it; 以下 said."""
    at_most = k.definition.direction == "at_most"
    if k.entry.target_label or k.target is None:
        return TargetCell(True, k.target_text, None, "", None)
    if k.entry.target == PRIOR_YEAR:
        return TargetCell(False, "", k.target, "", f"（対前年度{'以下' if at_most else '以上'}）")
    return TargetCell(False, "", k.target, "以下" if at_most else "", None)


def group_name(group: str | None) -> str | None:
    if not group:
        return None
    name = group.replace("\n", "")
    return name if name.endswith("グループ") else f"{name}グループ"


def _measure(fy: str, m: MeasureView, previous_heading: str | None) -> MeasurePage:
    at = next(
        (i for i, b in enumerate(m.results) if block_type(b) in ("chart", "image")),
        len(m.results),
    )
    prose, figures = m.results[:at], m.results[at:]
    left = bool(prose or m.activities or m.prior_results)
    across = left and _long_or_wide(m, prose)
    if across:
        below = sum(1 for part in (m.issues, m.next_plan, figures) if part)
        top, bottom = _widths(1), _widths(below, 50) if below else []
    else:
        top = _widths(2 if left and m.issues else 1) if left or m.issues else []
        bottom = _widths(2 if m.next_plan and figures else 1) if m.next_plan or figures else []
    return MeasurePage(
        measure=m,
        group=group_name(m.group),
        title=f"{fy}KPIに係る取組結果等" if m.kpis else f"{fy}の取組結果等",
        heading=m.heading if m.heading and m.heading != previous_heading else None,
        plan_box=bool(m.plan or m.importance or m.difficulty),
        plan=marked(m.plan, OWN_MARKS),
        activities=marked(m.activities, OWN_MARKS),
        prose=prose,
        figures=figures,
        left=left,
        activities_titled=bool(prose or m.prior_results),
        results_titled=bool(prose and (m.activities or m.prior_results)),
        across=across,
        top_widths=top,
        bottom_widths=bottom,
    )


def _long_or_wide(m: MeasureView, prose: list[Any]) -> bool:
    """Long or wide results take the page's width, as the source's pages with long results do."""
    chars = sum(len(t) for t in m.activities)
    for b in prose + m.prior_results:
        kind = block_type(b)
        if kind == "bullets":
            chars += len("".join(map(str, b.items)))
        elif kind == "paragraph":
            chars += len(b.text)
        elif kind == "box":
            chars += len("".join(map(str, b.items))) + len(b.text or "")
        elif kind == "grid":
            if len(b.widths or []) > WIDE_TABLE:
                return True
        elif kind not in _NARROW_BLOCKS:
            return True
    return chars > LONG_RESULTS


def _widths(count: int, first: int = 55) -> list[int]:
    """A row of the measure's grid: its cells' widths (%) by their number."""
    if count == 1:
        return [100]
    if count == 2:
        return [first, 100 - first]
    return [30, 35, 35]
