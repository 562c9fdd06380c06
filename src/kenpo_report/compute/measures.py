"""Compute stage, measures: each measure, section and cover with its texts resolved.

Named figures are evaluated once for the branch-year; every text of a measure
cites them and the KPIs' figures by reference (see :mod:`.prose`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

from kenpo_report.compute import figures as C
from kenpo_report.compute.blocks import block_view, grade_findings
from kenpo_report.compute.figures import Finding, Quantity
from kenpo_report.compute.kpis import KPI_FIELDS, Content, KpiResult, kpi_field
from kenpo_report.compute.pending import ungraded_message
from kenpo_report.compute.prose import (
    TextFindings,
    cited,
    evaluate_figures,
    figure_index,
    figure_specs,
)
from kenpo_report.model import (
    PRIOR_YEAR,
    DocumentSettings,
    Measure,
    MeasureEvaluation,
)
from kenpo_report.validate import MEASURE_BLOCKS, Plan


@dataclass(frozen=True)
class MeasureView:
    """A measure with its texts resolved and its blocks computed."""

    id: str
    anchor: str
    section: str  # catalogue category id
    number: str | None
    heading: str | None
    title: str
    group: str | None
    kpis: list[KpiResult]
    # Its goals in order: KPIs, and the texts of goals that are not KPIs of the KPI一覧.
    kpi_lines: list[KpiResult | str]
    plan: list[str]
    statements: list[str]  # its KPIs' sentences as its page words them
    importance: str | None
    difficulty: str | None
    activities: list[str]
    prior_results: list[Any]
    results: list[Any]
    issues: list[Any]
    next_plan: list[Any]
    evaluation: MeasureEvaluation | None


@dataclass(frozen=True)
class CoverView:
    label: str | None
    agenda: str | None
    title: str
    blocks: list[Any]


LONG_INTRO_BLOCKS = frozenset({"box", "bullets", "table", "columns"})


@dataclass(frozen=True)
class SectionView:
    id: str  # catalogue category id
    title: str
    number: int  # 1-based, in the order of the document
    intro: list[Any]
    measures: list[MeasureView]

    @property
    def long_intro(self) -> bool:
        """An intro of more than paragraphs (茨城's box of the section's plan) needs its page's height."""
        return any(getattr(b, "type", None) in LONG_INTRO_BLOCKS for b in self.intro)


def cover_view(
    plan: Plan,
    document: DocumentSettings,
    kpis: dict[str, KpiResult],
    lookup: Any,
    index: dict[str, str],
    text: TextFindings,
    findings: list[Finding],
) -> CoverView | None:
    """The document's cover with its texts resolved and its blocks computed."""
    if document.cover is None:
        return None
    d = next((i for i, doc in enumerate(plan.data.documents) if doc is document), 0)
    base: C.Path_ = ("documents", d, "cover")
    cover, retyped = cited(document.cover, base, lookup, index, text)
    findings += retyped
    blocks = [
        block_view(b, (*base, "blocks", i), kpis, plan, findings)
        for i, b in enumerate(cover.blocks)
    ]
    return CoverView(cover.label, cover.agenda, cover.title, blocks)


def measure_view(
    plan: Plan,
    measure: Measure,
    m: int,
    kpis: dict[str, KpiResult],
    lookup: Any,
    index: dict[str, str],
    text: TextFindings,
    findings: list[Finding],
) -> MeasureView:
    base: C.Path_ = ("measures", m)
    measure, retyped = cited(measure, base, lookup, index, text)
    findings += retyped

    def blocks(name: str) -> list[Any]:
        return [
            block_view(block, (*base, name, b), kpis, plan, findings)
            for b, block in enumerate(getattr(measure, name))
        ]

    reported = kpis_of(measure, kpis)
    if measure.evaluation is not None:
        findings += grade_findings(
            measure.evaluation.grade, measure.kpi_ids, (*base, "evaluation"), kpis
        )
    return MeasureView(
        id=measure.id,
        anchor=f"measure-{measure.id}",
        section=measure.section,
        number=measure.number,
        heading=measure.heading,
        title=measure.title,
        group=measure.group,
        kpis=reported,
        kpi_lines=[kpis[k] if isinstance(k, str) else k.text for k in measure.kpis],
        plan=list(measure.plan),
        statements=list(measure.statements) or [k.statement for k in reported],
        importance=measure.importance,
        difficulty=measure.difficulty,
        activities=list(measure.activities),
        **{name: blocks(name) for name in MEASURE_BLOCKS},
        evaluation=measure.evaluation,
    )


def kpis_of(measure: Measure, kpis: dict[str, KpiResult]) -> list[KpiResult]:
    return [kpis[k] for k in measure.kpi_ids]


def section_views(
    plan: Plan,
    measures: list[MeasureView],
    lookup: Any,
    index: dict[str, str],
    text: TextFindings,
    findings: list[Finding],
    kpis: dict[str, KpiResult],
) -> list[SectionView]:
    """The measures by section, in the order the sections first appear."""
    order: dict[str, list[MeasureView]] = {}
    for view in measures:
        order.setdefault(view.section, []).append(view)
    out = []
    for n, (key, members) in enumerate(order.items(), start=1):
        section = plan.data.sections.get(key)
        intro: list[Any] = []
        title = plan.catalog.categories[key].name
        if section is not None:
            base: C.Path_ = ("sections", key)
            section, retyped = cited(section, base, lookup, index, text)
            findings += retyped
            title = section.title or title
            intro = [
                block_view(b, (*base, "intro", i), kpis, plan, findings)
                for i, b in enumerate(section.intro)
            ]
        out.append(SectionView(key, title, n, intro, members))
    return out


def ungraded(plan: Plan) -> list[Finding]:
    """A self-evaluation needs every measure's grade (an error once the year is reported;
    before that they are 記入待ち, see :mod:`.pending`)."""
    return [
        Finding(ungraded_message(m.title), ("measures", i, "id"))
        for i, m in enumerate(plan.data.measures)
        if m.evaluation is None
    ] or (
        [Finding("自己評価の文書ですが、施策（measures）がありません", ("measures",))]
        if not plan.data.measures
        else []
    )


def named_figures(
    plan: Plan, kpis: dict[str, KpiResult], found: TextFindings
) -> dict[str, Quantity | None]:
    declared = [(("pages", p), page.figures) for p, page in enumerate(plan.data.pages)]
    declared += [(("measures", m), x.figures) for m, x in enumerate(plan.data.measures)]
    specs, where = figure_specs(declared, found)

    def external(name: str) -> Quantity | None:
        value = _kpi_ref(kpis, name)
        return value if isinstance(value, Quantity) else None

    values = evaluate_figures(specs, where, external, found)
    # A figure that could not be computed is reported once, where it is defined;
    # its citations print 「－」 rather than repeating the error.
    return {name: values.get(name) for name in specs}


def _kpi_ref(kpis: dict[str, KpiResult], name: str) -> Content:
    kpi_id, _, field_name = name.partition(".")
    if not field_name or kpi_id not in kpis or field_name not in KPI_FIELDS:
        return None
    result = kpis[kpi_id]
    if field_name == "target":  # in prose the figure itself; 以上/以下 is the sentence's
        value: Content = result.target or result.target_text
    else:
        value = kpi_field(result, field_name)
    return "－" if value is None else value


class References:
    """What {name} prints: named figures and KPI fields; knows the names, for hints."""

    def __init__(self, kpis: dict[str, KpiResult], figures: dict[str, Quantity | None]) -> None:
        self.kpis, self.figures = kpis, figures

    def __call__(self, name: str) -> Content:
        if name in self.figures:
            return self.figures[name] or "－"
        return _kpi_ref(self.kpis, name)

    @cached_property  # asked for by every text that cites a figure, needed only for a hint
    def names(self) -> list[str]:
        fields = sorted(KPI_FIELDS)
        return [*self.figures, *(f"{k}.{f}" for k in self.kpis for f in fields)]


def reference_lookup(kpis: dict[str, KpiResult], figures: dict[str, Quantity | None]):
    return References(kpis, figures)


def data_figure_index(kpis: list[KpiResult], figures: dict[str, Quantity | None]) -> dict[str, str]:
    """The data's figures that prose must cite rather than retype."""
    pairs: list[tuple[str, Quantity | None]] = [(n, q) for n, q in figures.items()]
    for k in kpis:
        kid = k.entry.kpi
        pairs += [
            (f"{kid}.actual", k.actual),
            (f"{kid}.target", k.target if k.entry.target != PRIOR_YEAR else None),
            (f"{kid}.prior", k.prior),
            (f"{kid}.national", k.national),
            (f"{kid}.diff", k.diff),
            (f"{kid}.national_prior", k.national_prior),
            *((f"{kid}.{name}", q) for name, q in k.counts.items()),
        ]
    return figure_index(pairs)
