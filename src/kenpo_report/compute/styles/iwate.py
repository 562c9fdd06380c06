"""岩手 (事業実施状況): the KPI一覧's merged cells and pages, each measure's head, box and pages.

A level-2 heading in a measure's results starts a continuation page; a KPI whose name
heads one of those pages is listed in the KPI一覧 with that page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from kenpo_report.compute.kpis import KpiResult
from kenpo_report.compute.measures import MeasureView, SectionView
from kenpo_report.compute.styles.common import Item, block_type, marked, spans
from kenpo_report.validate import Plan

if TYPE_CHECKING:
    from kenpo_report.compute.report import Report

ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"
# A plan item that begins with a mark of its own (【…】, ◆, ①, ⑴, •…, and the Wingdings
# ● and ➢ of the source, U+F06C and U+F0D8) is printed as written; any other gets 「・」.
OWN_MARKS = "【◆◇●○〇◎■□▼•・※（(➣▶➢①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳⑴⑵⑶⑷⑸⑹⑺⑻⑼⑽\uf06c\uf0d8"
# A measure's own line that is a note (※…, （※）…, 【※…】) in its KPI box.
NOTE_MARKS = ("※", "（※）", "(※)", "【※")
# Numbers that stand for no 項番 in a measure's title.
NO_NUMBERS = ("－", "-", "―", "ー")


@dataclass(frozen=True)
class KpiRow:
    """A row of the KPI一覧; a span of 0 is a cell merged into the one above."""

    kpi: KpiResult
    category: str
    category_span: int
    item_span: int
    number_span: int
    page: str | None
    page_span: int
    mark: str
    rank: str


@dataclass(frozen=True)
class BoxLine:
    """A line of the KPI box: a statement (with its bullet) or a note; a KPI's notes under it."""

    text: str
    note: bool = False
    bullet: str = ""
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class KpiBox:
    own_words: bool  # the measure words its KPIs itself (its lines hold their notes)
    lines: list[BoxLine]
    definition_notes: list[str]  # the catalogue's notes no line already holds
    rows: list[tuple[str, KpiResult]]  # label, KPI


@dataclass(frozen=True)
class MorePage:
    """A continuation page: its anchor, its blocks, and whether the measure closes on it."""

    anchor: str
    blocks: list[Any]
    closes: bool


@dataclass(frozen=True)
class MeasurePages:
    measure: MeasureView
    title: str  # number, title and 【項番…】
    running_head: str
    plan_box: bool
    plan: list[Item]
    activities: list[Item]
    box: KpiBox
    first: list[Any]  # the results on the measure's first page
    closes_first: bool
    more: list[MorePage]


@dataclass(frozen=True)
class SectionPages:
    section: SectionView
    title: str  # Ⅰ．基盤的保険者機能関係
    measures: list[MeasurePages]


@dataclass(frozen=True)
class IwateView:
    kpi_list_title: str
    kpi_rows: list[KpiRow]
    sections: list[SectionPages]


def view(plan: Plan, report: Report) -> IwateView:
    parts = {m.id: results_pages(m.results) for m in report.measures}
    title = f"{report.fiscal_year} {report.branch}事業計画におけるKPI（重要業績評価指標）一覧"
    return IwateView(
        kpi_list_title=report.document.kpi_list_title or title,
        kpi_rows=_kpi_rows(plan, report, parts),
        sections=[_section(s, parts) for s in report.sections],
    )


def results_pages(results: list[Any]) -> list[list[Any]]:
    """A measure's results cut into pages at their level-2 headings."""
    pages: list[list[Any]] = [[]]
    for b in results:
        if block_type(b) == "heading" and b.level == "2" and pages[-1]:
            pages.append([b])
        else:
            pages[-1].append(b)
    return pages


def _kpi_rows(plan: Plan, report: Report, parts: dict[str, list[list[Any]]]) -> list[KpiRow]:
    pages = _kpi_pages(report.measures, parts)
    kpis = report.kpis
    anchors = [pages.get(k.entry.kpi, k.anchor) for k in kpis]
    categories = plan.catalog.categories
    columns = zip(
        spans([k.category for k in kpis]),
        spans([k.entry.item for k in kpis]),
        spans([k.entry.number for k in kpis]),
        spans(list(anchors)),
        strict=True,
    )
    return [
        KpiRow(
            kpi=k,
            category=categories[k.category].short or categories[k.category].name,
            category_span=category_span,
            item_span=item_span,
            number_span=number_span,
            page=anchor,
            page_span=page_span,
            mark=k.achieved_mark or "－",
            rank=k.rank_text or "－",
        )
        for k, anchor, (category_span, item_span, number_span, page_span) in zip(
            kpis, anchors, columns, strict=True
        )
    ]


def _kpi_pages(measures: list[MeasureView], parts: dict[str, list[list[Any]]]) -> dict[str, str]:
    """KPI id -> the continuation page its name heads, if one does."""
    pages: dict[str, str] = {}
    for m in measures:
        for i, part in enumerate(parts[m.id][1:], start=1):
            for k in m.kpis:
                if part[0].text == k.definition.name and k.entry.kpi not in pages:
                    pages[k.entry.kpi] = f"{m.anchor}-{i}"
    return pages


def _section(section: SectionView, parts: dict[str, list[list[Any]]]) -> SectionPages:
    n = section.number
    title = f"{ROMAN[n - 1] if n <= len(ROMAN) else n}．{section.title}"
    return SectionPages(section, title, [_measure(title, m, parts[m.id]) for m in section.measures])


def _measure(section_title: str, m: MeasureView, pages: list[list[Any]]) -> MeasurePages:
    title = _measure_title(m)
    heading = f"{m.heading.replace(chr(10), '')}　" if m.heading else ""
    return MeasurePages(
        measure=m,
        title=title,
        running_head=f"{section_title}　{heading}{title}",
        plan_box=bool(m.plan or m.importance or m.difficulty),
        plan=marked(m.plan, OWN_MARKS),
        activities=marked(m.activities, OWN_MARKS),
        box=_kpi_box(m),
        first=pages[0],
        closes_first=len(pages) == 1,
        more=[
            MorePage(f"{m.anchor}-{i}", page, i == len(pages) - 1)
            for i, page in enumerate(pages[1:], start=1)
        ],
    )


def _measure_title(m: MeasureView) -> str:
    numbers: list[str] = []
    for k in m.kpis:
        if k.entry.number not in numbers and k.entry.number not in NO_NUMBERS:
            numbers.append(k.entry.number)
    items = f"【項番{'・'.join(numbers)}】" if numbers else ""
    return f"{m.number or ''}{m.title}{items}"


def _kpi_box(m: MeasureView) -> KpiBox:
    """The KPI box words the KPIs as the measure's page does (m.statements): by default
    each KPI's sentence with its notes; a measure's own lines hold their notes."""
    own_words = m.statements != [k.statement for k in m.kpis]
    several = len(m.kpis) > 1
    if own_words:
        lines = [
            BoxLine(s, note=True)
            if s.startswith(NOTE_MARKS)
            else BoxLine(s, bullet="・ " if several and s[:1] not in OWN_MARKS else "")
            for s in m.statements
        ]
    else:
        lines = [
            BoxLine(s, bullet="・ " if several else "", notes=tuple(k.notes))
            for s, k in zip(m.statements, m.kpis, strict=True)
        ]
    written = "\n".join(m.statements)
    notes = [
        k.definition.note
        for k in m.kpis
        if k.definition.note
        and f"※{k.definition.note}" not in k.notes
        and not (own_words and k.definition.note in written)
    ]
    rows = [(k.entry.label or k.definition.name, k) for k in m.kpis]
    return KpiBox(own_words, lines, notes, rows)
