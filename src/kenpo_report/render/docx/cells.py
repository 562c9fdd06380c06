"""A ``table`` written into the DOCX: cut where the PDF's pages begin, its spanned cells
merged, each cell's text (aligned, a header's shaded) or its blocks (a layout column)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table, _Cell
from lxml import html as lxml_html

from kenpo_report.render.docx import css, ooxml, pages, styles, tables

if TYPE_CHECKING:
    from kenpo_report.render.docx.writer import Writer

_BLOCK_TAGS = {"p", "ul", "table", "div", "h2", "h3", "h4"}


def visit(writer: Writer, el: lxml_html.HtmlElement, container: object) -> None:
    table(writer, el, writer._target(container))


def table(
    writer: Writer, el: lxml_html.HtmlElement, target: object, size: Pt | None = None
) -> None:
    """*el* as a table (or, where PDF pages begin with its rows, one per page) in *target*."""
    widths = tables.column_widths(el)
    rows = tables.rows(el)
    ncols = tables.column_count(widths, rows)
    if not rows or ncols == 0:
        return
    if not widths or len(widths) != ncols:
        widths = [100 / ncols] * ncols
    for index, chunk in enumerate(writer.breaks.table_chunks(rows, target is writer.doc)):
        if index:  # a PDF page begins with this row: a new table on a new page
            writer.doc.element.body[-1].addprevious(pages.break_paragraph())
        _table_rows(writer, el, target, chunk, widths, size)
    writer._spacer(target)


def _table_rows(
    writer: Writer,
    el: lxml_html.HtmlElement,
    target: object,
    rows: list[tables.Row],
    widths: list[float],
    size: Pt | None,
) -> None:
    table = target.add_table(rows=len(rows), cols=len(widths))
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    layout = {"formula", "columns"} & css.classes(el)
    ooxml.borders(table, "none" if layout else "single")
    ooxml.cell_margins(table)
    total = writer._usable_width()
    tables.set_width(table, [total * w / sum(widths) for w in widths])
    _fill(writer, table, rows, len(widths), size)


def _fill(
    writer: Writer, table: Table, rows: list[tables.Row], ncols: int, size: Pt | None
) -> None:
    """Write the rows' cells, merging the spanned ones."""
    occupied: set[tuple[int, int]] = set()
    # table.cell(r, c) rebuilds the whole grid on every call (quadratic on long
    # tables); take the grid once. Spans never overlap, so a cell taken here is
    # never one an earlier merge removed.
    cells = table._cells
    for r, (tr, is_header) in enumerate(rows):
        if is_header:
            ooxml.repeat_header(table.rows[r])
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            if c >= ncols:
                break
            colspan = min(int(td.get("colspan", "1")), ncols - c)
            rowspan = min(int(td.get("rowspan", "1")), len(rows) - r)
            for dr in range(rowspan):
                for dc in range(colspan):
                    occupied.add((r + dr, c + dc))
            cell = cells[r * ncols + c]
            if colspan > 1 or rowspan > 1:
                cell = cell.merge(cells[(r + rowspan - 1) * ncols + c + colspan - 1])
            _cell(writer, cell, td, size)
            c += colspan


def _cell(writer: Writer, cell: _Cell, td: lxml_html.HtmlElement, size: Pt | None) -> None:
    if any(css.tag(child) in _BLOCK_TAGS for child in td):
        _column(writer, cell, td)
        return
    with writer._sized(td):
        _text_cell(writer, cell, td, size)


def _text_cell(writer: Writer, cell: _Cell, td: lxml_html.HtmlElement, size: Pt | None) -> None:
    classes = css.classes(td)
    paragraph = cell.paragraphs[0]
    align = "left" if "left" in classes or "formula-title" in classes else "center"
    # A new cell's paragraph has no properties yet: jc is its only one.
    paragraph._p.get_or_add_pPr().append(OxmlElement("w:jc", {qn("w:val"): align}))
    if "numerator" in classes:
        ooxml.cell_border(cell, "bottom")
    if td.tag == "th":
        ooxml.shade(cell, styles.HEADER_FILL)
    # A left-aligned cell holds prose, which may begin with a bullet (not a centred 〇, ●).
    text = writer._item(td, paragraph) if "left" in classes else td
    writer.inline(text, paragraph, bold="total" in classes, size=size)
    # Last of the cell's properties, as the schema orders them (after tcW, gridSpan,
    # vMerge, tcBorders, shd).
    cell._tc.get_or_add_tcPr().append(OxmlElement("w:vAlign", {qn("w:val"): "center"}))


def _column(writer: Writer, cell: _Cell, td: lxml_html.HtmlElement) -> None:
    """A layout column (columns block): its blocks go into the cell as they are,
    sized to the cell rather than the page."""
    writer.widths.append(tables.text_width(cell))
    try:
        for child in td:
            writer.element(child, cell)
    finally:
        writer.widths.pop()
    first = cell.paragraphs[0]
    if not first.text and len(cell.paragraphs) > 1:
        first._p.getparent().remove(first._p)
    cell.vertical_alignment = 0  # top
