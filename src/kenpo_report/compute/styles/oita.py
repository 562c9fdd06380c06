"""大分 (results): the KPI一覧 by category with its ※ notes, each measure's KPI table with
次年度KPI, and its two columns (■主な取組み | ■次年度の計画), sized to their text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from kenpo_report.compute.kpis import KpiResult
from kenpo_report.compute.measures import MeasureView, SectionView
from kenpo_report.compute.styles.common import Item, block_type, marked, runs, spans
from kenpo_report.model import PRIOR_YEAR
from kenpo_report.validate import Plan

if TYPE_CHECKING:
    from kenpo_report.compute.report import PageView, Report

OWN_MARKS = "・•●○◎◇◆□■▪➢➣▶▸※-"
# A 次年度KPI label longer than this reads left-aligned.
LONG_LABEL = 12
# The left column's share (%) of the page stays within these.
MIN_SHARE, MAX_SHARE = 28, 72
_WIDE_BLOCKS = ("chart", "image", "insert", "columns")
_WIDE_GRIDS = ("series", "calendar")
WIDE_TABLE = 4  # a table of more columns is too wide for half a page


@dataclass(frozen=True)
class ListRow:
    """A row of the KPI一覧: its number where the item has several KPIs, its ※ marks."""

    kpi: KpiResult
    item_span: int
    number: str
    statement: str  # with its note marks
    achieved: str
    group: str


@dataclass(frozen=True)
class Category:
    title: str
    rows: list[ListRow]
    notes: list[str]  # ※1 … of its KPIs
    document_notes: list[str]


@dataclass(frozen=True)
class KpiRow:
    """A row of a measure's KPI table."""

    kpi: KpiResult
    number: str
    sentence: str
    marks: str  # ※ of the next year's notes
    achieved: str
    next_target: str
    next_lines: bool  # the next year's label, printed line by line
    next_align: str


@dataclass(frozen=True)
class Split:
    """How a measure's two parts are drawn: side by side (with the left one's share) or not."""

    paired: bool
    share: int
    rest: int
    left: bool
    right: bool


@dataclass(frozen=True)
class MeasurePage:
    measure: MeasureView
    section_title: str | None  # on the section's first measure
    intro: list[Any]
    show_heading: bool
    name: str
    running_head: str
    plan_box: bool
    plan: list[Item]
    activities: list[Item]
    kpi_rows: list[KpiRow]
    next_notes: list[str]
    results_titled: bool
    both: bool  # 課題 and 次年度の計画, each titled
    left_title: str
    right_title: str
    wide: bool

    def split(self, left: str, right: str) -> Split:
        """The columns for the printed parts (the template's HTML): widths follow the text,
        so that the two columns end near the same line; wide blocks stack them."""
        # Measured as Jinja's striptags filter reads them: tags out, whitespace collapsed.
        left_text, right_text = Markup(left).striptags(), Markup(right).striptags()
        has_left, has_right = bool(left_text.strip()), bool(right_text.strip())
        if not (has_left and has_right) or self.wide:
            return Split(False, 0, 0, has_left, has_right)
        a, b = len(left_text), len(right_text)
        share = min(max(int(round(100 * a / (a + b), 0)), MIN_SHARE), MAX_SHARE)
        return Split(True, share, 100 - share, True, True)


@dataclass(frozen=True)
class Page:
    page: PageView
    running_head: str | None


@dataclass(frozen=True)
class OitaView:
    kpi_list_title: str
    categories: list[Category]
    measures: list[MeasurePage]
    pages: list[Page]


def view(plan: Plan, report: Report) -> OitaView:
    sections = {s.id: s for s in report.sections}
    measure_at: dict[str, MeasureView] = {}
    for m in report.measures:
        measure_at.setdefault(m.anchor, m)
    categories = []
    for n, (key, rows) in enumerate(runs(report.kpis, "category"), start=1):
        s = sections.get(key)
        title = f"{s.number}.{s.title}" if s else f"{n}.{plan.catalog.categories[key].name}"
        notes = report.document.kpi_list_notes.get(key, [])
        categories.append(_category(title, rows, measure_at, notes))
    has_next = any(k.next for k in report.kpis)
    measures, heading = [], None
    for s in report.sections:
        for i, m in enumerate(s.measures):
            measures.append(_measure(report, s if i == 0 else None, m, heading, has_next))
            heading = m.heading
    return OitaView(
        kpi_list_title=report.document.kpi_list_title
        or f"{report.fiscal_year}ＫＰＩ達成状況について（一覧）",
        categories=categories,
        measures=measures,
        pages=[Page(p, _page_head(p)) for p in report.pages],
    )


def _category(
    title: str,
    rows: list[KpiResult],
    measure_at: dict[str, MeasureView],
    document_notes: list[str],
) -> Category:
    per_item: dict[str, int] = {}
    for k in rows:
        per_item[k.entry.item] = per_item.get(k.entry.item, 0) + 1
    notes: list[str] = []
    out = []
    for k, span in zip(rows, spans([k.entry.item for k in rows]), strict=True):
        marks = ""
        for note in k.notes:
            notes.append(f"※{len(notes) + 1} {note}")
            marks += f"（※{len(notes)}）"
        m = measure_at.get(k.anchor) if k.anchor else None
        out.append(
            ListRow(
                kpi=k,
                item_span=span,
                number=k.entry.number if per_item[k.entry.item] > 1 else "",
                statement=_marked(k.statement, marks),
                achieved=k.achieved_word or "－",
                group=k.entry.group or (m.group if m else "") or "",
            )
        )
    return Category(title, out, notes, document_notes)


def _marked(statement: str, marks: str) -> str:
    """The sentence with its note marks; in the 大分 documents a note (※1) annotates the
    対前年度 of the sentence (the prior year's KPI was another one)."""
    if marks and "対前年度" in statement:
        return statement.replace("対前年度", f"対前年度{marks}", 1)
    return f"{statement}{marks}"


def _measure(
    report: Report,
    section: SectionView | None,
    m: MeasureView,
    previous_heading: str | None,
    has_next: bool,
) -> MeasurePage:
    name = f"{m.number or ''}{m.title}"
    kpi_rows, next_notes = _kpi_rows(report.year, m, has_next)
    fy, next_fy = report.fiscal_year, report.next_fiscal_year
    if m.issues and m.next_plan:
        right = f"課題・{next_fy}の計画"
    else:
        right = "課題" if m.issues else f"{next_fy}の計画"
    return MeasurePage(
        measure=m,
        section_title=f"{section.number}.{section.title}" if section else None,
        intro=section.intro if section else [],
        show_heading=bool(m.heading and m.heading != previous_heading),
        name=name,
        running_head=f"{(m.heading or name).replace(chr(10), '')}（続き）",
        plan_box=bool(m.plan or m.importance or m.difficulty),
        plan=marked(m.plan, OWN_MARKS),
        activities=marked(m.activities, OWN_MARKS),
        kpi_rows=kpi_rows,
        next_notes=next_notes,
        results_titled=bool(m.results and (m.activities or m.prior_results)),
        both=bool(m.issues and m.next_plan),
        left_title=f"■{fy}の主な取組み",
        right_title=f"■{right}",
        wide=any(is_wide(p) for p in (m.results, m.prior_results, m.next_plan, m.issues)),
    )


def _kpi_rows(year: int, m: MeasureView, has_next: bool) -> tuple[list[KpiRow], list[str]]:
    """The measure's KPI rows; the next year's notes numbered ※1, ※2 (※ alone if one)."""
    notes = [note for k in m.kpis if k.next for note in k.next.notes]

    def mark(n: int) -> str:
        return "※" if len(notes) == 1 else f"※{n}"

    rows, counter = [], 0
    for i, k in enumerate(m.kpis):
        marks = ""
        for _ in k.next.notes if k.next else []:
            counter += 1
            marks += mark(counter)
        # The measure's own wording of its KPIs where it has one (in KPI order).
        own = m.statements[i] if i < len(m.statements) else k.statement
        text, lines = _next_target(year, k.next, has_next)
        n = k.next
        long_label = n is not None and n.entry.target_label and len(n.target_text) > LONG_LABEL
        rows.append(
            KpiRow(
                kpi=k,
                number=k.entry.number if len(m.kpis) > 1 else "",
                sentence=own if own.endswith("。") else f"{own}。",
                marks=marks,
                achieved=k.achieved_word or "－",
                next_target=text,
                next_lines=lines,
                next_align="left" if long_label else "center",
            )
        )
    return rows, [f"{mark(i)} {note}" for i, note in enumerate(notes, start=1)]


def _next_target(year: int, n: KpiResult | None, has_next: bool) -> tuple[str, bool]:
    """次年度KPI: the following year's target as its entry labels it; a 対前年度 target reads
    「対前年度以上」; a KPI not carried on: 「…年度よりKPI設定なし」; unknown without that plan."""
    if not has_next:
        return "－", False
    if n is None:
        return f"{year + 1}年度よりKPI設定なし", False
    if n.entry.target_label:
        return n.target_text, True
    if n.entry.target == PRIOR_YEAR:
        return f"対前年度{'以上' if n.definition.direction == 'at_least' else '以下'}", False
    return n.target_text, False


def is_wide(blocks: list[Any]) -> bool:
    """Blocks too wide for half a page: they stack the two parts instead of pairing them."""
    for b in blocks:
        kind = block_type(b)
        if kind in _WIDE_BLOCKS:
            return True
        if kind == "grid" and (b.css in _WIDE_GRIDS or (b.widths and len(b.widths) > WIDE_TABLE)):
            return True
    return False


def _page_head(page: PageView) -> str | None:
    """The running head of a page that is not a measure's: its title, （続き）."""
    if page.layout != "measure":
        return None
    return f"{page.title.replace(chr(10), '')}（続き）"
