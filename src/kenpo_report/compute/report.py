"""Compute stage: a validated plan -> report data for the templates.

Every derived figure is computed here from the plan (via :mod:`compute`):
KPI results (:mod:`.kpis`), measures with their references and named
figures (:mod:`.measures`), free blocks and tables (:mod:`.blocks`,
:mod:`.grids`), and what the document's style decides (:mod:`.styles`). No I/O;
the display strings compute builds (fiscal years, generated sentences) go
through :mod:`kenpo_report.layout.formatting`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from kenpo_report.compute import figures as C
from kenpo_report.compute.blocks import block_view
from kenpo_report.compute.drafts import with_draft
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
)
from kenpo_report.compute.pending import grades_due
from kenpo_report.compute.prose import (
    TextFindings,
    cited,
    typed_warnings,
    walk_texts,
)
from kenpo_report.compute.styles import style_view
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.model import DocumentSettings, Page
from kenpo_report.validate import MEASURE_BLOCKS, Plan


@dataclass(frozen=True)
class PageView:
    anchor: str
    layout: str
    section: str | None
    title: str
    group: str | None
    blocks: list[Any]

    @property
    def divider(self) -> bool:
        """A section's divider page: its title alone, no page head."""
        return self.layout == "divider"


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
    prior_fiscal_year: str = ""
    next_fiscal_year: str = ""
    # What the document's style decides beyond the shared views (see .styles).
    view: Any = field(default=None, repr=False, compare=False)

    @property
    def achieved_count(self) -> tuple[int, int]:
        judged = [k for k in self.kpis if k.achieved is not None]
        return sum(1 for k in judged if k.achieved), len(judged)


def build_report(plan: Plan, document: DocumentSettings) -> Report:
    findings: list[Finding] = []
    text = TextFindings()
    anchors = _anchors(plan)
    previous = previous_actuals(plan)
    following = following_year(plan)
    kpis = [
        kpi_result(plan, entry, i, anchors, previous, findings, following, text)
        for i, entry in enumerate(plan.data.kpis)
    ]
    kpis = with_draft(plan, document, kpis, findings)  # 変更前 from the document's draft
    by_id = {k.entry.kpi: k for k in kpis}
    figures = named_figures(plan, by_id, text)
    lookup = reference_lookup(by_id, figures)
    index = data_figure_index(kpis, figures)
    findings += _retyped_in_kpi_wording(plan, index)
    pages = [
        _page_view(plan, p, page, (by_id, lookup, index, text), findings)
        for p, page in enumerate(plan.data.pages)
    ]
    measures = [
        measure_view(plan, m, i, by_id, lookup, index, text, findings)
        for i, m in enumerate(plan.data.measures)
    ]
    sections = section_views(plan, measures, lookup, index, text, findings, by_id)
    # Taken before the cover's texts are resolved: their reference warnings are not reported.
    findings += text.warnings
    findings += _document_findings(plan, document, text)
    cover = cover_view(plan, document, by_id, lookup, index, text, findings)
    report = Report(
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
        prior_fiscal_year=fiscal_year(plan.year - 1),
        next_fiscal_year=fiscal_year(plan.year + 1),
    )
    report.view = style_view(plan, report)
    return report


def _anchors(plan: Plan) -> dict[str | None, str]:
    """Page and measure ids -> their anchors; a KPI's page is the first measure reporting it."""
    anchors: dict[str | None, str] = {
        page.id: _anchor(page.id, i) for i, page in enumerate(plan.data.pages)
    }
    anchors |= {m.id: f"measure-{m.id}" for m in plan.data.measures}
    for m in plan.data.measures:
        for kpi_id in m.kpi_ids:
            anchors.setdefault(f"kpi:{kpi_id}", f"measure-{m.id}")
    return anchors


def _retyped_in_kpi_wording(plan: Plan, index: dict[str, str]) -> list[Finding]:
    """Figures a KPI's own wording retypes; it cites its own without the id: {prior}."""
    found: list[Finding] = []
    for i, entry in enumerate(plan.data.kpis):
        own = {typed: ref.removeprefix(f"{entry.kpi}.") for typed, ref in index.items()}
        for name in ("statement", "target_label", "prior_label", "notes"):
            for path, value in walk_texts(getattr(entry, name), ("kpis", i, name)):
                found += typed_warnings(value, path, own)
    return found


def _page_view(
    plan: Plan, p: int, page: Page, refs: tuple[Any, ...], findings: list[Finding]
) -> PageView:
    by_id, lookup, index, text = refs
    base: C.Path_ = ("pages", p)
    page, retyped = cited(page, base, lookup, index, text)
    findings += retyped
    return PageView(
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


def _document_findings(plan: Plan, document: DocumentSettings, text: TextFindings) -> list[Finding]:
    """What the document's kind asks of the data: a self-evaluation, every measure's grade.

    Before the year is reported (no actual, no grade yet: a year made by `new`) the grades
    are places still to fill in (記入待ち, see .pending); after, a missing one is an error."""
    if document.kind != "self_evaluation":
        return []
    if grades_due(plan):
        text.errors.extend(ungraded(plan))
        return []
    return [] if plan.data.measures else ungraded(plan)  # no measures at all


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
