"""Compute stage, tables: the grid every kind of table is reduced to, and the free tables.

Free tables (cells computed from ratios, differences, KPI fields) with widths and
alignment derived from the content when the data gives none. Monthly series and
calendars are in :mod:`.series`, comparisons and KPI boxes in :mod:`.kpi_tables`.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal

from kenpo_report.compute import figures as C
from kenpo_report.compute.figures import Finding, Quantity
from kenpo_report.compute.kpis import Content, KpiResult, kpi_field
from kenpo_report.layout.formatting import figure
from kenpo_report.model import CellSpec, Table


@dataclass(frozen=True)
class GridCell:
    content: Content
    colspan: int = 1
    rowspan: int = 1
    header: bool = False
    align: str | None = None
    css: str = ""

    @property
    def shown_colspan(self) -> int | None:
        """The colspan the HTML states: none for a single column."""
        return self.colspan if self.colspan > 1 else None

    @property
    def shown_rowspan(self) -> int | None:
        return self.rowspan if self.rowspan > 1 else None

    @property
    def body_class(self) -> str | None:
        """A body cell's classes: its alignment, its own class, num for a figure."""
        figure_cell = isinstance(self.content, Quantity)
        if not (self.align or self.css or figure_cell):
            return None
        return f"{self.align or ''} {self.css}{' num' if figure_cell else ''}"


@dataclass(frozen=True)
class Grid:
    header: list[list[GridCell]]
    body: list[list[GridCell]]
    widths: list[Decimal] | None = None
    caption: str | None = None
    note: str | None = None
    css: str = ""
    type: str = "grid"


def cell_view(
    cell: str | CellSpec, path: C.Path_, kpis: dict[str, KpiResult], findings: list[Finding]
) -> GridCell:
    if isinstance(cell, str | Quantity):
        return _auto_align(GridCell(cell))
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
        content = cell.text or ""  # a Quantity where the text was one reference
    if cell.prefix or cell.suffix:
        content = f"{cell.prefix or ''}{figure(content)}{cell.suffix or ''}"
    if cell.below is not None:
        below = cell_view(cell.below, (*path, "below"), kpis, findings)
        content = f"{figure(content)}\n{figure(below.content)}"
    grid = GridCell(content, cell.colspan, cell.rowspan, cell.header, cell.align)
    plain_text = cell.text is not None and not (cell.prefix or cell.suffix or cell.below)
    return _auto_align(grid) if plain_text else grid


def table_grid(
    block: Table, path: C.Path_, kpis: dict[str, KpiResult], findings: list[Finding]
) -> Grid:
    header = [
        [
            # Column heads stay centred: no automatic alignment there.
            replace(
                cell_view(c, (*path, "header", r, i), kpis, findings),
                header=True,
                align=c.align if isinstance(c, CellSpec) else None,
            )
            for i, c in enumerate(row)
        ]
        for r, row in enumerate(block.header)
    ]
    body = [
        [cell_view(c, (*path, "rows", r, i), kpis, findings) for i, c in enumerate(row)]
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
    widths = widths or auto_widths(header + body, columns)
    return Grid(header, _prose_columns(body), widths, block.caption, block.note)


def _prose_columns(body: list[list[GridCell]]) -> list[list[GridCell]]:
    """A column with prose in it reads left-aligned throughout (its short texts too)."""
    prose: set[int] = set()
    for row in body:
        for col, cell in _placed(row):
            if cell.align == "left" and isinstance(cell.content, str):
                prose.add(col)
    return [
        [
            replace(cell, align="left")
            if col in prose
            and cell.align is None
            and isinstance(cell.content, str)
            and not cell.header
            else cell
            for col, cell in _placed(row)
        ]
        for row in body
    ]


def _placed(row: list[GridCell]) -> list[tuple[int, GridCell]]:
    """Each cell with the column it starts in (cells spanned down from above aside)."""
    out, col = [], 0
    for cell in row:
        out.append((col, cell))
        col += cell.colspan
    return out


# A text cell longer than this (in full-width characters) or on several lines is prose:
# it reads left-aligned, where labels and figures stay centred.
_PROSE_CELL = 12


def _auto_align(cell: GridCell) -> GridCell:
    if cell.align is not None or not isinstance(cell.content, str):
        return cell
    text = cell.content
    if "\n" in text.strip() or text_width(text) > 2 * _PROSE_CELL:
        return replace(cell, align="left")
    return cell


def text_width(text: str) -> int:
    """Display width of the longest line: full-width characters count 2."""
    return max(
        (sum(2 if ord(ch) > 0x2E7F else 1 for ch in line) for line in text.split("\n")), default=0
    )


def auto_widths(rows: list[list[GridCell]], columns: int) -> list[Decimal]:
    """Column widths (％) from the content: the longest line of each column, bounded.

    Prose columns are capped so that a long paragraph wraps instead of starving the
    others; no column is narrower than a few characters.
    """
    need = [4] * columns
    for row in rows:
        col = 0
        for cell in row:
            if cell.colspan == 1 and col < columns:
                content = (
                    figure(cell.content) if not isinstance(cell.content, str) else cell.content
                )
                need[col] = max(need[col], min(text_width(content), 48))
            col += cell.colspan
    total = sum(need)
    raw = [Decimal(n) * 100 / total for n in need]
    return [round(w, 2) for w in raw[:-1]] + [Decimal(100) - sum(round(w, 2) for w in raw[:-1])]


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
