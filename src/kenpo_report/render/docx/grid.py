"""A Word table built as XML in one parse: its grid, its rows and its (merged) cells.

python-docx builds a table the same way (``CT_Tbl.new_tbl`` parses a string), but then
each width, each header row and each merge goes through its property API, which
looks every element up (xpath) again: on 岩手 that was most of the time the DOCX took.
Here the spans are known before the table is made, so the XML is written as python-docx
would leave it after ``add_table``, fixed column widths and ``_Cell.merge``: a cell spanning
columns has ``gridSpan`` and the sum of its columns' widths, one spanning rows begins
with ``vMerge restart`` and continues in an empty cell (``vMerge``) in each row below.
Properties come in the schema's order (see :data:`.ooxml.ORDER`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Emu
from docx.table import Table, _Cell

from kenpo_report.render.docx import ooxml

EMPTY_P = "<w:p/>"
_LOOK = (
    '<w:tblLook w:firstColumn="1" w:firstRow="1" w:lastColumn="0" w:lastRow="0"'
    ' w:noHBand="0" w:noVBand="1" w:val="04A0"/>'
)
_HEADER = "<w:trPr><w:tblHeader/><w:cantSplit/></w:trPr>"


@dataclass(frozen=True)
class Slot:
    """One ``w:tc`` of a row: the grid *column* it begins in, how many it *spans*, its
    vertical *merge* (``restart``, ``continue`` or None), its properties after
    tcW/gridSpan/vMerge (XML, in the schema's order) and its first paragraph (XML)."""

    column: int
    span: int = 1
    merge: str | None = None
    props: str = ""
    paragraph: str = EMPTY_P


def add(
    parent: object,
    widths: Sequence[float],
    rows: Sequence[Sequence[Slot]],
    align: str,
    headers: Sequence[bool] = (),
) -> tuple[Table, list[list[_Cell]]]:
    """A fixed-width table of columns *widths* (EMU) with *rows* appended to *parent* (a
    document's body or a table cell, python-docx's BlockItemContainer), aligned *align*;
    a row of *headers* repeats on each page. Returns it and each row's cells."""
    twips = [Emu(int(w)).twips for w in widths]
    xml = [
        f"<w:tbl {nsdecls('w')}><w:tblPr>",
        f'<w:tblW w:type="auto" w:w="0"/><w:jc w:val="{align}"/>',
        f'<w:tblLayout w:type="fixed"/>{_LOOK}</w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in twips),
        "</w:tblGrid>",
    ]
    for r, slots in enumerate(rows):
        xml.append("<w:tr>" + (_HEADER if r < len(headers) and headers[r] else ""))
        xml += (_tc(slot, twips) for slot in slots)
        xml.append("</w:tr>")
    xml.append("</w:tbl>")
    tbl = parse_xml("".join(xml))
    ooxml.append_block(parent._element, tbl)
    if isinstance(parent, _Cell):  # as _Cell.add_table: a cell ends with a paragraph
        parent.add_paragraph()
    table = Table(tbl, parent)
    cells = [[_Cell(tc, table) for tc in tr.tc_lst] for tr in tbl.tr_lst]
    return table, cells


def _tc(slot: Slot, twips: list[int]) -> str:
    width = sum(twips[slot.column : slot.column + slot.span])
    span = f'<w:gridSpan w:val="{slot.span}"/>' if slot.span > 1 else ""
    merge = {"restart": '<w:vMerge w:val="restart"/>', "continue": "<w:vMerge/>"}.get(
        slot.merge or "", ""
    )
    return (
        f'<w:tc><w:tcPr><w:tcW w:type="dxa" w:w="{width}"/>{span}{merge}{slot.props}</w:tcPr>'
        f"{slot.paragraph}</w:tc>"
    )
