"""茨城 (自己評価シート): the measures cut into sheets, and what each sheet's rows show.

A sheet is a run of measures of the same section and group, in the order of the
data, numbered by group. Its columns keep the source's widths, except that a column
no measure of the sheet fills is narrowed and its room shared by the others.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kenpo_report.compute.kpis import KpiResult
from kenpo_report.compute.measures import MeasureView, SectionView
from kenpo_report.compute.styles.common import block_type
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.validate import Plan

if TYPE_CHECKING:
    from kenpo_report.compute.report import Report

# Column widths (%): 項目, 事業計画, 具体的な取り組み, 前年度実績, 実施結果, 自己評価.
BASE_WIDTHS = (14, 26, 20, 11, 22, 7)
NARROW = 7  # an empty column's width
# The columns whose width follows their text; 事業計画, 具体的な取り組み and 前年度実績 may be empty.
FLEXIBLE = (1, 2, 3, 4)
_OPTIONAL = {1: "plan", 2: "activities", 3: "prior_results"}
NO_NUMBER = "・"  # a KPI number that stands for none


@dataclass(frozen=True)
class KpiGoal:
    """A line of 【KPI】: the KPI's number (with its space) and sentence."""

    prefix: str
    statement: str


@dataclass(frozen=True)
class KpiStatus:
    """A KPI under 【KPI達成状況】: its label line, and the number its actual line starts with."""

    label: str | None
    prefix: str
    kpi: KpiResult


@dataclass(frozen=True)
class SheetRow:
    measure: MeasureView
    heading: str | None  # the measure's heading where it starts a new one
    continued: bool  # the same measure as the row above: 「（続き）」
    goals: list[KpiGoal]
    statuses: list[KpiStatus]
    comments: list[str]  # 【自己評価】 under the row


@dataclass(frozen=True)
class Sheet:
    number: int  # by group, in the order groups first appear
    section_title: str
    group: str | None
    section_number: int
    section_heading: str  # the section intro's first heading, else its title
    intro: list[Any]  # the rest of the section's intro, on its first sheet only
    widths: list[float]
    rows: list[SheetRow]


@dataclass(frozen=True)
class SheetsView:
    this_year: str
    last_year: str  # without its era: ５年度
    sheets: list[Sheet]


def sheets_view(plan: Plan, report: Report) -> SheetsView:
    sections = {s.id: s for s in report.sections}
    groups: list[str | None] = []
    for m in report.measures:
        if m.group not in groups:
            groups.append(m.group)
    started: set[str] = set()
    sheets = []
    for members in _runs(report.measures):
        section = sections[members[0].section]
        sheets.append(_sheet(section, members, groups, section.id not in started))
        started.add(section.id)
    return SheetsView(
        this_year=fiscal_year(report.year, "full"),
        last_year=fiscal_year(report.year - 1, "full").replace("令和", ""),
        sheets=sheets,
    )


def _runs(measures: list[MeasureView]) -> list[list[MeasureView]]:
    """Consecutive measures of the same section and group."""
    out: list[list[MeasureView]] = []
    for m in measures:
        if out and (out[-1][0].section, out[-1][0].group) == (m.section, m.group):
            out[-1].append(m)
        else:
            out.append([m])
    return out


def _sheet(
    section: SectionView, members: list[MeasureView], groups: list[str | None], first: bool
) -> Sheet:
    intro = section.intro
    lead = intro[0] if intro and block_type(intro[0]) == "heading" else None
    rest = intro[1:] if lead else intro
    return Sheet(
        number=groups.index(members[0].group) + 1,
        section_title=section.title,
        group=members[0].group,
        section_number=section.number,
        section_heading=lead.text if lead else section.title,
        intro=rest if first else [],
        widths=column_widths(members),
        rows=[_row(m, members[i - 1] if i else None) for i, m in enumerate(members)],
    )


def column_widths(measures: list[MeasureView]) -> list[float]:
    """The sheet's column widths: an empty column narrowed, its room shared in proportion."""
    widths = list(BASE_WIDTHS)
    for column, name in _OPTIONAL.items():
        if not any(getattr(m, name) for m in measures):
            widths[column] = NARROW
    freed = 100 - sum(widths)
    flexible = sum(widths[i] for i in FLEXIBLE if widths[i] > NARROW)
    return [
        w + (freed * w / flexible if i in FLEXIBLE and w > NARROW else 0)
        for i, w in enumerate(widths)
    ]


def _row(m: MeasureView, prev: MeasureView | None) -> SheetRow:
    repeated = prev is not None and prev.number == m.number and prev.title == m.title
    shown = m.heading and not repeated and (prev is None or prev.heading != m.heading)
    return SheetRow(
        measure=m,
        heading=m.heading if shown else None,
        continued=repeated,
        goals=[
            KpiGoal("" if k.entry.number == NO_NUMBER else f"{k.entry.number} ", k.statement)
            for k in m.kpis
        ],
        statuses=[_status(k) for k in m.kpis],
        comments=list(m.evaluation.comments) if m.evaluation else [],
    )


def _status(k: KpiResult) -> KpiStatus:
    number = k.entry.result_number or k.entry.number
    number = "" if number == NO_NUMBER else number
    if k.entry.label:
        return KpiStatus(f"{number}{k.entry.label}", "", k)
    return KpiStatus(None, f"{number} " if number else "", k)
