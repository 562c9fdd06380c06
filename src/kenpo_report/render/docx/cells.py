"""A ``table`` written into the DOCX: cut where the PDF's pages begin, its spanned cells
merged, each cell's text (aligned, a header's shaded) or its blocks (a layout column)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.shared import Pt
from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.render.docx import css, grid, ooxml, pages, styles, tables

if TYPE_CHECKING:
    from kenpo_report.render.docx.writer import Writer

_BLOCK_TAGS = {"p", "ul", "table", "div", "h2", "h3", "h4"}
# A text cell's properties, as XML: a fraction's numerator is underlined, a header cell
# shaded; every text cell is centred vertically.
_NUMERATOR = '<w:tcBorders><w:bottom w:val="single" w:sz="6" w:color="000000"/></w:tcBorders>'
_HEADER_SHADE = f'<w:shd w:val="clear" w:color="auto" w:fill="{styles.HEADER_FILL}"/>'
_CENTRED = '<w:vAlign w:val="center"/>'


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
    total = writer._usable_width()
    placed = _placed(rows, len(widths))
    table, cells = grid.add(
        writer._container(target),
        [total * w / sum(widths) for w in widths],
        [[slot for slot, _ in row] for row in placed],
        "center",
        [header for _, header in rows],
    )
    layout = {"formula", "columns"} & css.classes(el)
    ooxml.borders(table, "none" if layout else "single")
    ooxml.cell_margins(table)
    for row, row_cells in zip(placed, cells, strict=True):
        for (_, td), cell in zip(row, row_cells, strict=True):
            if td is not None:
                _cell(writer, cell, td, size)


def _placed(
    rows: list[tables.Row], ncols: int
) -> list[list[tuple[grid.Slot, lxml_html.HtmlElement | None]]]:
    """Each row's Word cells, left to right, with the HTML cell written into each (None: a
    cell a span above continues, or one the row leaves empty). As a Word table places
    them: a cell begins in the first column no earlier cell spans."""
    starts: dict[tuple[int, int], tuple[lxml_html.HtmlElement, int, int]] = {}
    occupied: set[tuple[int, int]] = set()
    for r, (tr, _) in enumerate(rows):
        c = 0
        for td in tr:
            if td.tag not in ("td", "th"):
                continue
            while (r, c) in occupied:
                c += 1
            if c >= ncols:
                break
            colspan = max(1, min(int(td.get("colspan", "1")), ncols - c))
            rowspan = max(1, min(int(td.get("rowspan", "1")), len(rows) - r))
            occupied.update((r + dr, c + dc) for dr in range(rowspan) for dc in range(colspan))
            starts[r, c] = (td, colspan, rowspan)
            c += colspan
    placed = []
    continued: dict[tuple[int, int], int] = {}  # where a cell spanning rows goes on: its width
    for r in range(len(rows)):
        row, c = [], 0
        while c < ncols:
            if (r, c) in starts:
                td, span, rowspan = starts[r, c]
                row.append((_slot(td, c, span, "restart" if rowspan > 1 else None), td))
                continued.update({(r + dr, c): span for dr in range(1, rowspan)})
            else:
                span = continued.get((r, c), 1)
                row.append((grid.Slot(c, span, "continue" if (r, c) in continued else None), None))
            c += span
        placed.append(row)
    return placed


def _slot(td: lxml_html.HtmlElement, column: int, span: int, merge: str | None) -> grid.Slot:
    """The Word cell *td* begins: a layout column's as its blocks make it (see _column), a
    text cell's properties as the schema orders them (tcBorders, shd, vAlign) and its
    paragraph aligned (a new cell's paragraph has no other property yet)."""
    if any(css.tag(child) in _BLOCK_TAGS for child in td):
        return grid.Slot(column, span, merge)
    classes = css.classes(td)
    props = _NUMERATOR if "numerator" in classes else ""
    props += _HEADER_SHADE if td.tag == "th" else ""
    align = "left" if "left" in classes or "formula-title" in classes else "center"
    paragraph = f'<w:p><w:pPr><w:jc w:val="{align}"/></w:pPr></w:p>'
    return grid.Slot(column, span, merge, props + _CENTRED, paragraph)


def _cell(writer: Writer, cell: _Cell, td: lxml_html.HtmlElement, size: Pt | None) -> None:
    if any(css.tag(child) in _BLOCK_TAGS for child in td):
        _column(writer, cell, td)
        return
    with writer._sized(td):
        _text_cell(writer, cell, td, size)


def _text_cell(writer: Writer, cell: _Cell, td: lxml_html.HtmlElement, size: Pt | None) -> None:
    """The cell's text into its paragraph (its alignment, shading and border are set, see
    _slot)."""
    classes = css.classes(td)
    paragraph = Paragraph(cell._tc.find(ooxml.P), cell)
    # A left-aligned cell holds prose, which may begin with a bullet (not a centred 〇, ●).
    text = writer._item(td, paragraph) if "left" in classes else td
    writer.inline(text, paragraph, bold="total" in classes, size=size)


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
