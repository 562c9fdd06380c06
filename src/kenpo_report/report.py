"""Compute stage: a validated plan -> report data for the templates.

Every derived figure is computed here from the plan (via :mod:`compute`):
KPI results and achievement, rates from counts, totals, cumulative rows,
differences from the national figure, 対前年度 targets. Tables of every kind
are reduced to one grid shape the templates draw. No I/O, no formatting.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field, replace
from decimal import Decimal
from typing import Any

from . import compute as C
from .compute import Finding, Quantity
from .formatting import direction_word, figure, fiscal_year
from .schema import (
    PRIOR_YEAR,
    Calendar,
    CellSpec,
    Chart,
    Columns,
    Comparison,
    DocumentSettings,
    Evaluation,
    Image,
    KpiBox,
    KpiDefinition,
    KpiEntry,
    Ratio,
    Series,
    Table,
)
from .validate import Plan

Content = Quantity | str | None


@dataclass(frozen=True)
class GridCell:
    content: Content
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    align: str | None = None
    css: str = ""


@dataclass(frozen=True)
class Grid:
    header: list[list[GridCell]]
    body: list[list[GridCell]]
    widths: list[Decimal] | None = None
    caption: str | None = None
    note: str | None = None
    css: str = ""
    type: str = "grid"


@dataclass(frozen=True)
class KpiResult:
    entry: KpiEntry
    definition: KpiDefinition
    category: str
    statement: str
    target: Quantity | None  # None: a plan's 対前年度 target before last year is known
    target_text: str
    actual: Quantity | None
    achieved: bool | None
    prior: Quantity | None
    national: Quantity | None
    national_prior: Quantity | None
    diff: Quantity | None
    prior_diff: Quantity | None
    counts: dict[str, Quantity]
    anchor: str | None
    next: KpiResult | None = None  # the same KPI in the following year's plan


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

    @property
    def achieved_count(self) -> tuple[int, int]:
        judged = [k for k in self.kpis if k.achieved is not None]
        return sum(1 for k in judged if k.achieved), len(judged)


def build_report(plan: Plan, document: DocumentSettings) -> Report:
    findings: list[Finding] = []
    anchors = {page.id: _anchor(page.id, i) for i, page in enumerate(plan.data.pages)}
    previous = _previous_actuals(plan)
    following = _following_year(plan)
    kpis = [
        _kpi_result(plan, entry, i, anchors, previous, findings, following)
        for i, entry in enumerate(plan.data.kpis)
    ]
    by_id = {k.entry.kpi: k for k in kpis}
    pages = [
        PageView(
            anchor=_anchor(page.id, p),
            layout=page.layout,
            section=page.section,
            title=page.title,
            group=page.group,
            blocks=[
                _block(block, ("pages", p, "blocks", b), by_id, plan, findings)
                for b, block in enumerate(page.blocks)
            ],
        )
        for p, page in enumerate(plan.data.pages)
    ]
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
    )


IMAGE_SCHEME = "kenpo-image"


def image_url(content: bytes) -> str:
    """The renderers' name for a checked image: a content hash, never a path from YAML."""
    return f"{IMAGE_SCHEME}:{hashlib.sha256(content).hexdigest()}"


def chart_url(chart: Chart) -> str:
    """A chart is named by a hash of its data; the renderers draw it under that name."""
    digest = hashlib.sha256(chart.model_dump_json().encode()).hexdigest()
    return f"{IMAGE_SCHEME}:chart-{digest}"


def charts(pages: list[PageView]) -> list[dict[str, Any]]:
    """Every chart view of the report, columns included."""
    found: list[dict[str, Any]] = []

    def walk(blocks: list[Any]) -> None:
        for block in blocks:
            if isinstance(block, dict) and block.get("type") == "chart":
                found.append(block)
            elif isinstance(block, dict) and block.get("type") == "columns":
                for column in block["columns"]:
                    walk(column["blocks"])

    for page in pages:
        walk(page.blocks)
    return found


def _chart_data(chart: Chart) -> list[list[Any]]:
    """The chart's figures, one row per category, for readers of an image."""
    return [
        [
            category,
            *(
                Quantity(C.round_half_up(v, chart.decimals), chart.decimals, chart.unit)
                if (v := series.values[i]) != ""
                else ""
                for series in chart.series
            ),
        ]
        for i, category in enumerate(chart.categories)
    ]


def _grade_findings(block: Evaluation, path: C.Path_, kpis: dict[str, KpiResult]) -> list[Finding]:
    """A self-evaluation grade that contradicts the KPI results it rests on."""
    results = [kpis[k] for k in block.kpis if kpis[k].achieved is not None]
    if not results:
        return []
    missed = [k.definition.name for k in results if not k.achieved]
    if block.grade in ("S", "A") and missed:
        return [
            Finding(
                f"自己評価が {block.grade} ですが、KPI「{'」「'.join(missed)}」は未達成です",
                (*path, "grade"),
            )
        ]
    if block.grade in ("C", "D") and not missed:
        return [
            Finding(f"自己評価が {block.grade} ですが、KPIはすべて達成しています", (*path, "grade"))
        ]
    return []


def _anchor(page_id: str | None, index: int) -> str:
    return f"page-{page_id}" if page_id else f"page-{index + 1}"


# --- KPIs -------------------------------------------------------------------


def kpi_value(
    fig: Decimal | Ratio | None, definition: KpiDefinition, path: C.Path_, findings: list[Finding]
) -> Quantity | None:
    """A KPI figure: typed, or computed from numerator/denominator."""
    if fig is None:
        return None
    if isinstance(fig, Ratio):
        value = C.rate(fig.numerator, fig.denominator, definition.decimals, definition.unit == "％")
        how = f"{fig.numerator:,}÷{fig.denominator:,}"
        findings += C.check_typed(
            fig.typed, value, definition.decimals, (*path, "typed"), "率", how
        )
    else:
        value = C.round_half_up(fig, definition.decimals)
    return Quantity(value, definition.decimals, definition.unit)


def _as_written(definition: KpiDefinition, entry: KpiEntry) -> KpiDefinition:
    """The catalogue's definition with the document's own unit, decimals and category."""
    overrides = {
        name: getattr(entry, name)
        for name in ("unit", "decimals", "category")
        if getattr(entry, name) is not None
    }
    return definition.model_copy(update=overrides) if overrides else definition


def _previous_actuals(plan: Plan) -> dict[str, Decimal | Ratio]:
    if plan.previous is None:
        return {}
    return {e.kpi: e.actual for e in plan.previous.kpis if e.actual is not None}


def _kpi_result(
    plan: Plan,
    entry: KpiEntry,
    index: int,
    anchors: dict[str | None, str],
    previous: dict[str, Decimal | Ratio],
    findings: list[Finding],
    following: dict[str, KpiResult] | None = None,
) -> KpiResult:
    definition = _as_written(plan.catalog.kpis[entry.kpi], entry)
    path: C.Path_ = ("kpis", index)
    actual = kpi_value(entry.actual, definition, (*path, "actual"), findings)
    prior = kpi_value(entry.prior, definition, (*path, "prior"), findings)
    national = kpi_value(entry.national, definition, (*path, "national"), findings)
    national_prior = kpi_value(
        entry.national_prior, definition, (*path, "national_prior"), findings
    )
    if entry.kpi in previous:
        last_year = kpi_value(previous[entry.kpi], definition, (*path, "prior"), [])
        if last_year is not None and prior is not None and last_year.value != prior.value:
            findings.append(
                Finding(
                    f"前年度実績 {figure(prior)} が前年度のファイルの実績 {figure(last_year)} と一致しません。"
                    "前年度のファイルの実績を使います",
                    (*path, "prior"),
                )
            )
        prior = last_year or prior
    word = direction_word(definition.direction)
    target: Quantity | None
    if entry.target == PRIOR_YEAR:
        # Without a prior only in a plan with no actual (validated): the words stand alone.
        target = prior
        phrase = f"対前年度{word}"
    else:
        target = Quantity(
            C.round_half_up(entry.target, definition.decimals), definition.decimals, definition.unit
        )
        phrase = f"{figure(target)}{word}"
    achieved = (
        C.achieved(actual.value, target.value, definition.direction) if actual and target else None
    )
    diff = _diff(actual, national)
    prior_diff = _diff(prior, national_prior)
    counts: dict[str, Quantity] = {}
    unit = definition.count_unit or ""
    for name, fig in (
        ("actual", entry.actual),
        ("prior", entry.prior),
        ("national", entry.national),
        ("national_prior", entry.national_prior),
    ):
        if isinstance(fig, Ratio):
            counts[f"{name}_numerator"] = Quantity(fig.numerator, 0, unit)
            counts[f"{name}_denominator"] = Quantity(fig.denominator, 0, unit)
    return KpiResult(
        entry=entry,
        definition=definition,
        category=definition.category,
        statement=entry.statement or f"{definition.name}を{phrase}とする",
        target=target,
        target_text=entry.target_label or (f"{figure(target)}{word}" if target else phrase),
        actual=actual,
        achieved=achieved,
        prior=prior,
        national=national,
        national_prior=national_prior,
        diff=diff,
        prior_diff=prior_diff,
        counts=counts,
        anchor=anchors.get(entry.page) if entry.page else None,
        next=(following or {}).get(entry.successor or entry.kpi),
    )


def _following_year(plan: Plan) -> dict[str, KpiResult]:
    """次年度KPI: the following year's KPIs, its 対前年度 targets resolved from this year."""
    nxt = plan.next
    if nxt is None:
        return {}
    previous = _previous_actuals(nxt)
    return {
        entry.kpi: _kpi_result(nxt, entry, i, {}, previous, [])
        for i, entry in enumerate(nxt.data.kpis)
    }


def _diff(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    if a is None or b is None:
        return None
    return Quantity(C.difference(a.value, b.value, a.decimals), a.decimals, a.unit, signed=True)


def kpi_field(result: KpiResult, name: str) -> Content:
    if name == "statement":
        return result.statement
    if name == "achieved":
        return "－" if result.achieved is None else ("達成" if result.achieved else "未達成")
    if name == "mark":
        return "－" if result.achieved is None else ("〇" if result.achieved else "×")
    if name == "group":
        return result.entry.group or ""
    if name in ("next_target", "next_statement"):
        if result.next is None:
            return "－"
        return result.next.target_text if name == "next_target" else result.next.statement
    if name == "rank":
        return f"{result.entry.rank}位" if result.entry.rank else "－"
    if name == "prior_rank":
        return f"{result.entry.prior_rank}位" if result.entry.prior_rank else "－"
    if name in result.counts:
        return result.counts[name]
    if name == "target":
        return result.target_text
    if name == "target_before":
        return result.entry.target_before or result.target_text
    if name == "change":
        before = result.entry.target_before
        return "（変更有）" if before and before != result.target_text else "（変更無）"
    return getattr(result, name, None)


# --- blocks -----------------------------------------------------------------


def _block(
    block: Any, path: C.Path_, kpis: dict[str, KpiResult], plan: Plan, findings: list[Finding]
) -> Any:
    if isinstance(block, Table):
        return _table(block, path, kpis, findings)
    if isinstance(block, Series):
        return _series(block, path, findings)
    if isinstance(block, Calendar):
        return _calendar(block)
    if isinstance(block, Comparison):
        return _comparison(block, kpis[block.kpi], plan)
    if isinstance(block, KpiBox):
        return _kpi_box(block, kpis, plan)
    if isinstance(block, Chart):
        return {
            "type": "chart",
            "url": chart_url(block),
            "chart": block,
            "width": block.width,
            "data": _chart_data(block),
        }
    if isinstance(block, Evaluation):
        findings += _grade_findings(block, path, kpis)
        return block
    if isinstance(block, Columns):
        widths = block.widths or [Decimal(100) / len(block.columns)] * len(block.columns)
        columns = [
            {
                "title": column.title,
                "blocks": [
                    _block(inner, (*path, "columns", c, "blocks", b), kpis, plan, findings)
                    for b, inner in enumerate(column.blocks)
                ],
            }
            for c, column in enumerate(block.columns)
        ]
        return {"type": "columns", "widths": widths, "columns": columns}
    if isinstance(block, Image):
        return {
            "type": "image",
            "url": image_url(plan.images[block.src]),
            "caption": block.caption,
            "width": block.width,
        }
    if block.type == "formula" and block.kpi is not None:
        formula = kpis[block.kpi].definition.formula
        numerator = block.numerator or (formula.numerator if formula else "")
        denominator = block.denominator or (formula.denominator if formula else "")
        return block.model_copy(update={"numerator": numerator, "denominator": denominator})
    return block


def _cell(
    cell: str | CellSpec, path: C.Path_, kpis: dict[str, KpiResult], findings: list[Finding]
) -> GridCell:
    if isinstance(cell, str):
        return GridCell(cell)
    content: Content
    if cell.kpi is not None and cell.field is not None:
        content = kpi_field(kpis[cell.kpi], cell.field)
    elif cell.ratio is not None:
        places = cell.decimals if cell.decimals is not None else 1
        unit = cell.unit if cell.unit is not None else "％"
        value = C.rate(cell.ratio[0], cell.ratio[1], places, unit in ("％", "%"))
        findings += C.check_typed(
            cell.typed,
            value,
            places,
            (*path, "typed"),
            "率",
            f"{cell.ratio[0]:,}÷{cell.ratio[1]:,}",
        )
        content = Quantity(value, places, unit)
    elif cell.diff is not None:
        a, b = cell.diff
        places = (
            cell.decimals
            if cell.decimals is not None
            else max(C.written_decimals(a), C.written_decimals(b))
        )
        value = C.difference(a, b, places)
        findings += C.check_typed(cell.typed, value, places, (*path, "typed"), "差", f"{a:,}−{b:,}")
        content = Quantity(value, places, cell.unit or "", signed=cell.signed)
    elif cell.change is not None:
        new, old = cell.change
        places = cell.decimals if cell.decimals is not None else 1
        value = C.change(new, old, places)
        findings += C.check_typed(
            cell.typed, value, places, (*path, "typed"), "増減率", f"({new:,}−{old:,})÷{old:,}"
        )
        content = Quantity(
            value, places, cell.unit if cell.unit is not None else "％", signed=cell.signed
        )
    elif cell.number is not None:
        places = cell.decimals if cell.decimals is not None else C.written_decimals(cell.number)
        content = Quantity(C.round_half_up(cell.number, places), places, cell.unit or "")
    else:
        content = cell.text or ""
    if cell.prefix or cell.suffix:
        content = f"{cell.prefix or ''}{figure(content)}{cell.suffix or ''}"
    if cell.below is not None:
        below = _cell(cell.below, (*path, "below"), kpis, findings)
        content = f"{figure(content)}\n{figure(below.content)}"
    return GridCell(content, cell.colspan, cell.rowspan, cell.header, cell.align)


def _table(
    block: Table, path: C.Path_, kpis: dict[str, KpiResult], findings: list[Finding]
) -> Grid:
    header = [
        [
            replace(_cell(c, (*path, "header", r, i), kpis, findings), header=True)
            for i, c in enumerate(row)
        ]
        for r, row in enumerate(block.header)
    ]
    body = [
        [_cell(c, (*path, "rows", r, i), kpis, findings) for i, c in enumerate(row)]
        for r, row in enumerate(block.rows)
    ]
    counts = column_counts(header + body)
    columns = max(counts, default=0)
    widths = block.widths
    if len(set(counts)) > 1:
        row = next(r for r, n in enumerate(counts) if n != counts[0])
        where = (*path, "rows", row - len(header)) if row >= len(header) else (*path, "header", row)
        findings.append(
            C.Finding(
                f"表の行によって列の数が違います（{counts[0]}列と{counts[row]}列）。"
                '「,」を含む文字は「"」で囲んでください（例: "約16,000"）',
                where,
            )
        )
    if widths is not None and len(widths) != columns:
        findings.append(
            C.Finding(
                f"widths は{len(widths)}列分ですが、表は{columns}列です。等分の幅で出力します",
                (*path, "widths"),
            )
        )
        widths = None
    # Every column's width declared: WeasyPrint's fixed table layout is the fast one.
    widths = widths or [Decimal(100) / columns] * columns
    return Grid(header, body, widths, block.caption, block.note)


def column_counts(rows: list[list[GridCell]]) -> list[int]:
    """The columns each row reaches, counting cells that rows above span down into."""
    carried: dict[int, int] = {}  # column -> further rows it stays covered
    counts = []
    for row in rows:
        used, spans, col = set(carried), {}, 0
        for cell in row:
            while col in used:
                col += 1
            for c in range(col, col + cell.colspan):
                used.add(c)
                if cell.rowspan > 1:
                    spans[c] = cell.rowspan - 1
            col += cell.colspan
        counts.append(max(used) + 1 if used else 0)
        carried = {c: n - 1 for c, n in carried.items() if n > 1} | spans
    return counts


def _series(block: Series, path: C.Path_, findings: list[Finding]) -> Grid:
    head = [GridCell(block.corner, header=True), *(GridCell(c, header=True) for c in block.columns)]
    if block.total:
        head.append(GridCell(block.total, header=True))
    head += [GridCell(c, header=True) for c in block.extra_columns]
    numeric: list[list[Decimal | None]] = []
    totals: list[Decimal | None] = []
    body: list[list[GridCell]] = []
    for r, row in enumerate(block.rows):
        row_path = (*path, "rows", r)
        cells: list[Content]
        if row.kind == "values":
            raw = row.values or []
            values = [v if isinstance(v, Decimal) else None for v in raw]
            cells = [
                Quantity(v, C.written_decimals(v), row.unit) if v is not None else str(t)
                for v, t in zip(values, raw, strict=True)
            ]
            row_total: Decimal | None = C.total(values)
            if row_total is not None:
                findings += C.check_typed(
                    row.total,
                    row_total,
                    C.written_decimals(row_total),
                    (*row_path, "total"),
                    "合計",
                    "各列の和",
                )
        elif row.kind == "cumulative":
            source = numeric[_of(row, 1)[0]]
            values = C.cumulative(source)
            cells = [Quantity(v, 0, row.unit) if v is not None else "" for v in values]
            row_total = values[-1] if values else None
        else:  # ratio
            num_row, den_row = _of(row, 2)
            values = [
                C.rate(n, d, row.decimals, row.unit in ("％", "%")) if n is not None and d else None
                for n, d in zip(numeric[num_row], numeric[den_row], strict=True)
            ]
            cells = [Quantity(v, row.decimals, row.unit) if v is not None else "" for v in values]
            num_total, den_total = totals[num_row], totals[den_row]
            row_total = (
                C.rate(num_total, den_total, row.decimals, row.unit in ("％", "%"))
                if num_total is not None and den_total
                else None
            )
            for i, (typed, value) in enumerate(zip(row.values or [], values, strict=False)):
                if isinstance(typed, Decimal) and value is not None:
                    findings += C.check_typed(
                        typed, value, row.decimals, (*row_path, "values", i), "比", "上の行から計算"
                    )
            if row.total is not None and row_total is not None:
                findings += C.check_typed(
                    row.total, row_total, row.decimals, (*row_path, "total"), "比", "合計から計算"
                )
        numeric.append(values)
        totals.append(row_total)
        line = [GridCell(row.label, header=True, align="left"), *(GridCell(c) for c in cells)]
        if block.total:
            total_q = (
                Quantity(
                    row_total,
                    row.decimals if row.kind == "ratio" else C.written_decimals(row_total),
                    row.total_unit or row.unit,
                )
                if row_total is not None
                else None
            )
            line.append(
                GridCell(
                    f"{figure(total_q)}{row.total_suffix}" if row.total_suffix else total_q,
                    css="total",
                )
            )
        line += [GridCell(e) for e in row.extra]
        body.append(line)
    label = block.label_width
    rest = (Decimal(100) - label) / Decimal(len(head) - 1)
    widths = [label, *[rest] * (len(head) - 1)]
    return Grid([head], body, widths, block.caption, block.note, css="series")


def _of(row: Any, count: int) -> list[int]:
    of = row.of or []
    if len(of) != count:
        raise AssertionError("validated by check_series")  # pragma: no cover
    return of


def _calendar(block: Calendar) -> Grid:
    head = [GridCell(block.corner, header=True), *(GridCell(c, header=True) for c in block.columns)]
    body = []
    for row in block.rows:
        if row.header:
            body.append([GridCell(row.label, colspan=len(head), header=True, align="left")])
            continue
        body.append(
            [
                GridCell(row.label, header=True, align="left"),
                *(GridCell(row.marks.get(c, "")) for c in block.columns),
            ]
        )
    label = block.label_width
    rest = (Decimal(100) - label) / Decimal(len(block.columns))
    return Grid(
        [head],
        body,
        [label, *[rest] * len(block.columns)],
        block.caption,
        block.note,
        css="calendar",
    )


def _comparison(block: Comparison, kpi: KpiResult, plan: Plan) -> Grid:
    current = block.basis == "current"
    own, nat = ("actual", "national") if current else ("prior", "national_prior")
    cols = block.columns
    with_diff = current and cols.diff is not None
    head = [
        GridCell(block.title, header=True),
        GridCell(cols.denominator, header=True),
        GridCell(cols.numerator, header=True),
        GridCell(cols.rate, header=True),
    ]
    if with_diff:
        head.append(GridCell(cols.diff, header=True))
    rows = []
    for label, name in ((plan.branch.name, own), ("全国", nat)):
        line = [
            GridCell(label, header=True),
            GridCell(kpi.counts.get(f"{name}_denominator")),
            GridCell(kpi.counts.get(f"{name}_numerator")),
            GridCell(getattr(kpi, name)),
        ]
        if with_diff and name == own:
            line.append(GridCell(kpi.diff if current else kpi.prior_diff, rowspan=2))
        rows.append(line)
    rank = kpi.entry.rank if current else kpi.entry.prior_rank
    if current and rank:
        rows.append(
            [GridCell(block.rank_label, header=True), GridCell(f"{rank}位", colspan=len(head) - 1)]
        )
    widths = [Decimal(22), *[Decimal(78) / (len(head) - 1)] * (len(head) - 1)]
    return Grid([head], rows, widths, block.caption, block.note, css="comparison")


def _kpi_box(block: KpiBox, kpis: dict[str, KpiResult], plan: Plan) -> Any:
    fy = fiscal_year(plan.year)
    columns = block.columns or (f"{fy} 目標", f"{fy} 実績")
    head = [
        GridCell("", header=True),
        GridCell(columns[0], header=True),
        GridCell(columns[1], header=True),
    ]
    body = [
        [
            GridCell(row.label, header=True),
            GridCell(kpis[row.kpi].target_text),
            GridCell(kpis[row.kpi].actual),
        ]
        for row in block.rows
    ]
    statements = block.statements or [kpis[row.kpi].statement for row in block.rows]
    grid = Grid(
        [head], body, [Decimal(34), Decimal(33), Decimal(33)], None, block.note, css="kpi-box"
    )
    return {"type": "kpi_box", "title": block.title, "statements": statements, "grid": grid}
