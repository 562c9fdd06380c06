"""A framed block in the DOCX: ``div.box`` (solid line) or ``div.insert`` (dashed), a table
of one cell, or of one cell per column when its stylesheet rule gives it columns."""

from __future__ import annotations

from typing import TYPE_CHECKING

from docx.table import _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.render.docx import boxes, css, grid, ooxml, styles, tables

if TYPE_CHECKING:
    from kenpo_report.render.docx.writer import Writer

EMU_PER_PT = 12700


def framed(writer: Writer, el: lxml_html.HtmlElement, container: object) -> None:
    """The block's children in a framed table: in one cell, or (CSS ``column-count``, the
    PDF's 岩手 inserted sheets in three columns) in a cell per column, in order and
    balanced as the PDF balances its columns."""
    target = writer._target(container)
    children = [child for child in el if isinstance(child.tag, str)]
    count = _column_count(writer, el, len(children))
    width = writer._usable_width() / count
    table, cells = grid.add(writer._container(target), [width] * count, [_columns(count)], "left")
    # The box's lines as its CSS gives them (.box.kpi orange), else a box's or an insert's.
    style = "single" if "box" in css.classes(el) else "dashed"
    ooxml.borders(table, style, boxes.table_edges(writer.rules, el))
    if count > 1:
        tables.no_inner_lines(table)
    starts = _balanced(writer, children, cells[0][0], count)
    ends = [*starts[1:], len(children)]
    for cell, start, end in zip(cells[0], starts, ends, strict=True):
        writer.widths.append(tables.text_width(cell))
        try:
            _fill(writer, cell, children[start:end])
        finally:
            writer.widths.pop()
    writer._spacer(target)


def _columns(count: int) -> list[grid.Slot]:
    return [grid.Slot(column) for column in range(count)]


def _column_count(writer: Writer, el: lxml_html.HtmlElement, children: int) -> int:
    value = (writer.rules.value(el, "column-count") or "1").strip()
    return max(1, min(int(value) if value.isdigit() else 1, children))


def _balanced(writer: Writer, children: list, cell: _Cell, count: int) -> list[int]:
    """Where each of *count* columns begins among *children*, by their estimated lines."""
    if count == 1:
        return [0]
    size = next((s for s in reversed(writer.sizes) if s is not None), styles.BASE_SIZE)
    width = tables.text_width(cell) / EMU_PER_PT
    heights = [tables.estimated_lines(child, size.pt, width) for child in children]
    return tables.balanced(heights, count)


def _fill(writer: Writer, cell: _Cell, children: list) -> None:
    for index, child in enumerate(children):
        if index == 0 and child.tag == "p":
            # The cell comes with one empty paragraph: use it for the first child.
            with writer._sized(child):
                writer.paragraph(child, cell, into=Paragraph(cell._tc.find(ooxml.P), cell))
        else:
            writer.element(child, cell)
