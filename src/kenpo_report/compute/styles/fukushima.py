"""福島 (事業計画): the KPI一覧 by category, side by side while short, and the 事業計画 table.

The 事業計画 table has one 分野 per section (numbered in document order), one row per
measure or per run of measures under one heading, and at the end of a section the
KPIs no measure reports, so that every KPI sentence is printed: one row per KPI一覧 項目
(the entries' item), headed by it, in the KPI一覧's order, or, where a measure of the
section is titled by that item, among that measure's own ■KPI lines.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from kenpo_report.compute.kpis import KpiResult
from kenpo_report.compute.measures import MeasureView
from kenpo_report.model import PRIOR_YEAR
from kenpo_report.validate import Plan

if TYPE_CHECKING:
    from kenpo_report.compute.report import Report

# The KPI一覧 is two tables side by side up to this many KPIs.
SIDE_BY_SIDE = 20
# Column widths (%): ＫＰＩ指標, 変更前, (変更後,) 変更有無.
WIDTHS_WITH_AFTER = (44, 20, 20, 16)
WIDTHS = (55, 26, 19)


@dataclass(frozen=True)
class Target:
    """The target as the KPI一覧 prints it: as written (15.0％), 以下 for a KPI achieved at
    or below it; a 対前年度 target or a branch's own label as the KPI entry gives it."""

    as_text: bool
    text: str
    value: Decimal | None
    unit: str
    suffix: str


@dataclass(frozen=True)
class ListRow:
    kpi: KpiResult
    target: Target
    before: Target | None = None  # the draft's target (draft:), printed as the target is


@dataclass(frozen=True)
class KpiTable:
    number: int
    title: str
    rows: list[ListRow]


@dataclass(frozen=True)
class KpiLine:
    """A line of ■KPI: a sentence's line (numbered when there are several) or a ※ note."""

    text: str
    note: bool = False
    first: bool = False
    number: int | None = None


@dataclass(frozen=True)
class PlanMeasure:
    measure: MeasureView
    under_heading: bool
    kpi_lines: list[KpiLine]


@dataclass(frozen=True)
class FieldRow:
    """A row of a 分野: the section's intro, a run of measures (heading: theirs), or the
    unreported KPIs of one KPI一覧 項目 (heading: the item)."""

    intro: list[Any]
    heading: str | None
    measures: list[PlanMeasure]
    kpi_lines: list[KpiLine]


@dataclass(frozen=True)
class Field:
    number: int
    title: str
    rows: list[FieldRow]


@dataclass(frozen=True)
class FukushimaView:
    kpi_list_title: str
    with_after: bool  # some target changed: a 変更後 column
    widths: tuple[int, ...]
    side_by_side: bool
    left: list[KpiTable]  # side by side; the category with most KPIs on the right
    right: KpiTable | None
    tables: list[KpiTable]  # one below the other
    fields: list[Field]


def view(plan: Plan, report: Report) -> FukushimaView:
    categories = plan.catalog.categories
    by_category = {
        key: [k for k in report.kpis if k.category == key]
        for key in categories
        if any(k.category == key for k in report.kpis)
    }
    tables = [
        KpiTable(n, categories[key].name, [list_row(k) for k in rows])
        for n, (key, rows) in enumerate(by_category.items(), start=1)
    ]
    side_by_side = len(tables) > 1 and len(report.kpis) <= SIDE_BY_SIDE
    right = max(tables, key=lambda t: len(t.rows)) if side_by_side else None
    with_after = any(k.changed for k in report.kpis)
    title = f"{report.fiscal_year} KPI（重要業績評価指標）一覧"
    return FukushimaView(
        kpi_list_title=report.document.kpi_list_title or title,
        with_after=with_after,
        widths=WIDTHS_WITH_AFTER if with_after else WIDTHS,
        side_by_side=side_by_side,
        left=[t for t in tables if t is not right] if side_by_side else [],
        right=right,
        tables=[] if side_by_side else tables,
        fields=_fields(report, list(by_category), categories),
    )


def list_row(k: KpiResult) -> ListRow:
    """A row of the KPI一覧: the target, and the draft's as it prints (draft:)."""
    return ListRow(k, target(k), target(k.draft) if k.draft else None)


def target(k: KpiResult) -> Target:
    if k.entry.target_label or k.entry.target in (PRIOR_YEAR, None):
        return Target(True, k.target_text, None, "", "")
    suffix = "以下" if k.definition.direction == "at_most" else ""
    return Target(False, "", k.entry.target, k.definition.unit, suffix)


def kpi_lines(goals: list[KpiResult | str]) -> list[KpiLine]:
    """■KPI: each KPI's sentence (a sentence of several lines gives several numbered lines),
    its ※ notes under its first line; a goal that is not a KPI is its text."""
    lines: list[tuple[str, bool]] = []
    for k in goals:
        if isinstance(k, str):
            lines.append((k, False))
            continue
        first, *rest = k.statement.split("\n")
        lines += [(first, False), *((n, True) for n in k.notes), *((p, False) for p in rest)]
    several = sum(1 for _, note in lines if not note) > 1
    out, n = [], 0
    for text, note in lines:
        if note:
            out.append(KpiLine(text, note=True))
            continue
        n += 1
        out.append(KpiLine(text, first=n == 1, number=n if several else None))
    return out


def _fields(report: Report, present: list[str], categories: dict[str, Any]) -> list[Field]:
    reported = {k.entry.kpi for m in report.measures for k in m.kpis}
    fields = [(s.number, s.title, s.id, s.intro, s.measures) for s in report.sections]
    ids = {s.id for s in report.sections}
    for key in present:
        if key not in ids:
            fields.append((len(fields) + 1, categories[key].name, key, [], []))
    out = []
    order = {k.entry.kpi: i for i, k in enumerate(report.kpis)}
    for number, title, key, intro, members in fields:
        rows = [FieldRow(intro, None, [], [])] if intro else []
        runs = _runs(members)
        for item, goals in _by_item([k for k in report.kpis if k.category == key], reported):
            if not _join_measure(runs, item, goals, order):
                runs.append(FieldRow([], item, [], kpi_lines(goals)))
        out.append(Field(number, title, rows + runs))
    return out


def _by_item(kpis: list[KpiResult], reported: set[str]) -> list[tuple[str, list[KpiResult]]]:
    """The section's KPIs that no measure reports, by KPI一覧 項目, the items in the order the
    list gives them.

    The item is one heading across the 具体的施策等 column: the line breaks it has for the
    KPI一覧's narrow 項目 column are not kept."""
    items: dict[str, list[KpiResult]] = {k.entry.item: [] for k in kpis}
    for k in kpis:
        if k.entry.kpi not in reported:
            items[k.entry.item].append(k)
    return [(item.replace("\n", ""), goals) for item, goals in items.items() if goals]


def _join_measure(
    runs: list[FieldRow], item: str, goals: list[KpiResult], order: dict[str, int]
) -> bool:
    """Put *goals* under the measure that *item* names (its title, or its run's heading),
    with its own KPIs in the KPI一覧's order, rather than under a second heading of the
    same words (三重: a measure per 項目); whether there was one."""
    for r, row in enumerate(runs):
        for m, pm in enumerate(row.measures):
            if item not in (pm.measure.title, row.heading):
                continue
            own = pm.measure.kpi_lines
            texts = [g for g in own if isinstance(g, str)]
            merged = sorted(
                [g for g in own if not isinstance(g, str)] + goals, key=lambda k: order[k.entry.kpi]
            )
            measures = list(row.measures)
            measures[m] = replace(pm, kpi_lines=kpi_lines([*merged, *texts]))
            runs[r] = replace(row, measures=measures)
            return True
    return False


def _runs(measures: list[MeasureView]) -> list[FieldRow]:
    """One row per measure, or per run of measures under one heading."""
    runs: list[list[MeasureView]] = []
    for m in measures:
        if m.heading and runs and runs[-1][0].heading == m.heading:
            runs[-1].append(m)
        else:
            runs.append([m])
    return [
        FieldRow(
            [],
            run[0].heading,
            [PlanMeasure(m, bool(run[0].heading), kpi_lines(m.kpi_lines)) for m in run],
            [],
        )
        for run in runs
    ]
