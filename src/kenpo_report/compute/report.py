"""Compute stage: a validated plan -> report data for the templates.

Every derived figure is computed here from the plan (via :mod:`compute`):
KPI results (:mod:`.kpi_results`), measures with their references and named
figures (:mod:`.measure_views`), free blocks and tables (:mod:`.block_views`,
:mod:`.grids`). No I/O, no formatting.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kenpo_report.compute import figures as C
from kenpo_report.compute.blocks import block_view
from kenpo_report.compute.figures import Finding, Quantity
from kenpo_report.compute.kpis import KpiResult, following_year, kpi_result, previous_actuals
from kenpo_report.compute.measures import (
    CoverView,
    MeasureView,
    SectionView,
    cover_view,
    data_figure_index,
    measure_view,
    named_figures,
    reference_lookup,
    section_views,
    ungraded,
    unreported,
)
from kenpo_report.compute.prose import (
    TextFindings,
    cited,
    typed_warnings,
    walk_texts,
)
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.model import (
    DocumentSettings,
)
from kenpo_report.validate import MEASURE_BLOCKS, Plan


@dataclass(frozen=True)
class PageView:
    anchor: str
    layout: str
    section: str | None
    title: str
    group: str | None
    blocks: list[Any]


@dataclass
class Report:
    branch: str
    branch_short: str
    organization: str
    year: int
    fiscal_year: str
    document: DocumentSettings
    kpis: list[KpiResult]
    pages: list[PageView]
    findings: list[Finding] = field(default_factory=list)
    measures: list[MeasureView] = field(default_factory=list)
    sections: list[SectionView] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)  # references that do not resolve
    figures: dict[str, Quantity | None] = field(default_factory=dict)
    # name -> what {name} prints: named figures and KPI fields (for views that cite).
    lookup: Any = field(default=None, repr=False, compare=False)
    cover: CoverView | None = None

    @property
    def achieved_count(self) -> tuple[int, int]:
        judged = [k for k in self.kpis if k.achieved is not None]
        return sum(1 for k in judged if k.achieved), len(judged)


def build_report(plan: Plan, document: DocumentSettings) -> Report:
    findings: list[Finding] = []
    text = TextFindings()
    anchors = {page.id: _anchor(page.id, i) for i, page in enumerate(plan.data.pages)}
    anchors |= {m.id: f"measure-{m.id}" for m in plan.data.measures}
    for m in plan.data.measures:  # a KPI's page is the first measure that reports it
        for kpi_id in m.kpi_ids:
            anchors.setdefault(f"kpi:{kpi_id}", f"measure-{m.id}")
    previous = previous_actuals(plan)
    following = following_year(plan)
    kpis = [
        kpi_result(plan, entry, i, anchors, previous, findings, following, text)
        for i, entry in enumerate(plan.data.kpis)
    ]
    by_id = {k.entry.kpi: k for k in kpis}
    figures = named_figures(plan, by_id, text)
    lookup = reference_lookup(by_id, figures)
    index = data_figure_index(kpis, figures)
    for i, entry in enumerate(plan.data.kpis):
        # A KPI's own wording cites its own figures without the id: {prior}.
        own = {typed: ref.removeprefix(f"{entry.kpi}.") for typed, ref in index.items()}
        for name in ("statement", "target_label", "prior_label", "notes"):
            for path, value in walk_texts(getattr(entry, name), ("kpis", i, name)):
                findings += typed_warnings(value, path, own)
    pages = []
    for p, page in enumerate(plan.data.pages):
        base: C.Path_ = ("pages", p)
        page, retyped = cited(page, base, lookup, index, text)
        findings += retyped
        pages.append(
            PageView(
                anchor=_anchor(page.id, p),
                layout=page.layout,
                section=page.section,
                title=page.title,
                group=page.group,
                blocks=[
                    block_view(block, (*base, "blocks", b), by_id, plan, findings)
                    for b, block in enumerate(page.blocks)
                ],
            )
        )
    measures = [
        measure_view(plan, m, i, by_id, lookup, index, text, findings)
        for i, m in enumerate(plan.data.measures)
    ]
    sections = section_views(plan, measures, lookup, index, text, findings, by_id)
    findings += text.warnings
    if document.kind in ("results", "self_evaluation"):
        findings += unreported(plan)
    if document.kind == "self_evaluation":
        # Before the year is reported (no actual, no grade yet: a year made by `new`)
        # the grades are still to be written; after, a missing one is an error.
        started = any(e.actual is not None for e in plan.data.kpis) or any(
            m.evaluation is not None for m in plan.data.measures
        )
        (text.errors if started else findings).extend(ungraded(plan))
    cover = cover_view(plan, document, by_id, lookup, index, text, findings)
    return Report(
        branch=plan.branch.name,
        branch_short=plan.branch.short_name,
        organization=plan.branch.organization,
        year=plan.year,
        fiscal_year=fiscal_year(plan.year),
        document=document,
        kpis=kpis,
        pages=pages,
        findings=findings,
        errors=text.errors,
        figures=figures,
        measures=measures,
        sections=sections,
        lookup=lookup,
        cover=cover,
    )


def charts(report: Report) -> list[dict[str, Any]]:
    """Every chart view of the report: pages, measures, section intros, columns included."""
    found: list[dict[str, Any]] = []

    def walk(blocks: list[Any]) -> None:
        for block in blocks:
            if isinstance(block, dict) and block.get("type") == "chart":
                found.append(block)
            elif isinstance(block, dict) and block.get("type") == "columns":
                for column in block["columns"]:
                    walk(column["blocks"])

    for page in report.pages:
        walk(page.blocks)
    for measure in report.measures:
        for name in MEASURE_BLOCKS:
            walk(getattr(measure, name))
    for section in report.sections:
        walk(section.intro)
    if report.cover is not None:
        walk(report.cover.blocks)
    return found


def _anchor(page_id: str | None, index: int) -> str:
    return f"page-{page_id}" if page_id else f"page-{index + 1}"
