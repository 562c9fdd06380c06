"""WordprocessingML the python-docx API does not offer, built as elements.

Fields, bookmarks, runs, table and cell properties (borders, shading,
margins, repeated header rows), section properties and east-asian fonts. The
children are appended in the order the schema (ECMA-376 Part 1) gives them.
"""

from __future__ import annotations

import copy
import re

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph

CELL_MARGIN = 60  # twips, left and right of every table cell
P, R, HYPERLINK = qn("w:p"), qn("w:r"), qn("w:hyperlink")

# What a Word section does not pass on to the next: its header, footer, first-page
# switch and a restart of its page numbers.
_OWN_TO_SECTION = {
    qn(f"w:{t}") for t in ("headerReference", "footerReference", "titlePg", "pgNumType")
}
# CT_SectPr's children after pgNumType (ECMA-376 Part 1, 17.6.17), where it must precede them.
_AFTER_PG_NUM_TYPE = {
    qn(f"w:{t}")
    for t in (
        "cols",
        "formProt",
        "vAlign",
        "noEndnote",
        "titlePg",
        "textDirection",
        "bidi",
        "rtlGutter",
        "docGrid",
        "printerSettings",
        "sectPrChange",
    )
}


def bookmark_name(anchor: str) -> str:
    """Word bookmark names: letters, digits and _ only, at most 40 characters."""
    return ("_" + re.sub(r"[^A-Za-z0-9_]", "_", anchor))[:40].lstrip("_").rjust(1, "x")


def bookmark(paragraph: Paragraph, number: int, name: str) -> None:
    """Bookmark *name* (id *number*) around the whole of *paragraph*."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    ppr = paragraph._p.pPr
    index = 1 if ppr is not None else 0
    paragraph._p.insert(index, start)
    paragraph._p.append(end)


def field(paragraph: Paragraph, instruction: str, cached: str, prefix: str = "") -> None:
    """A simple field (w:fldSimple): Word and LibreOffice update it on open or print;
    *cached* is shown until then. The instruction lives in an attribute, so the
    document's text stays exactly what a reader sees."""
    if prefix:
        paragraph.add_run(prefix)
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), f" {instruction} ")
    simple.set(qn("w:dirty"), "true")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = cached
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def text_run(text: str, bold: bool, size: Pt | None) -> OxmlElement:
    """The XML python-docx writes for a run of plain text, built directly: its
    property setters cost a third of the DOCX's time."""
    r = OxmlElement("w:r")
    if bold or size is not None:
        rpr = OxmlElement("w:rPr")
        if bold:
            rpr.append(OxmlElement("w:b"))
        if size is not None:
            rpr.append(OxmlElement("w:sz", {qn("w:val"): str(round(size.pt * 2))}))
        r.append(rpr)
    t = OxmlElement("w:t")
    t.text = text
    if len(text.strip()) < len(text):
        t.set(qn("xml:space"), "preserve")
    r.append(t)
    return r


def east_asian(rpr: OxmlElement, font: str) -> None:
    """*font* for every script of the run properties, and Japanese as their east-asian language."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


# --- tables -------------------------------------------------------------------


def repeat_header(row: object) -> None:
    """A header row: repeated on each page, never split across two."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(_element("w:tblHeader", val="true"))
    trpr.append(_element("w:cantSplit", val="true"))


def shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    tcpr.append(_element("w:shd", val="clear", color="auto", fill=fill))


def borders(table: Table, style: str) -> None:
    """The same *style* of line around the table and between all its cells."""
    line = {"val": style, "sz": "4", "space": "0", "color": "555555"}
    edges = ("top", "left", "bottom", "right", "insideH", "insideV")
    table._tbl.tblPr.append(_edges("w:tblBorders", {edge: line for edge in edges}))


def cell_margins(table: Table) -> None:
    twips = {"top": 20, "bottom": 20, "left": CELL_MARGIN, "right": CELL_MARGIN}
    margins = {edge: {"w": str(t), "type": "dxa"} for edge, t in twips.items()}
    table._tbl.tblPr.append(_edges("w:tblCellMar", margins))


def cell_border(cell: _Cell, edge: str) -> None:
    line = {"val": "single", "sz": "6", "color": "000000"}
    cell._tc.get_or_add_tcPr().append(_edges("w:tcBorders", {edge: line}))


def _edges(tag: str, edges: dict[str, dict[str, str]]) -> OxmlElement:
    """A borders or margins element: a child per edge (w:top…), with its w: attributes."""
    out = OxmlElement(tag)
    for edge, attributes in edges.items():
        out.append(_element(f"w:{edge}", **attributes))
    return out


def _element(tag: str, **attributes: str) -> OxmlElement:
    """An element with w: attributes, set in the order given."""
    out = OxmlElement(tag)
    for name, value in attributes.items():
        out.set(qn(f"w:{name}"), value)
    return out


# --- sections -------------------------------------------------------------------


def end_word_section(body: object) -> None:
    """Close the section written so far: its properties move into its last paragraph."""
    final = body[-1]  # the body's sectPr: the properties of the section being closed
    last = body[-2]
    if last.tag != P:
        last = OxmlElement("w:p")
        body.insert(len(body) - 1, last)
    last.get_or_add_pPr().append(copy.deepcopy(final))
    # The new section starts from the same page setup; its headers and footers are linked
    # to the ones before it until it is given its own.
    for child in list(final):
        if child.tag in _OWN_TO_SECTION:
            final.remove(child)


def restart_numbering(sect_pr: OxmlElement, start: int) -> None:
    """Number the section's pages from *start*."""
    numbering = sect_pr.find(qn("w:pgNumType"))
    if numbering is None:
        numbering = OxmlElement("w:pgNumType")
        later = [c for c in sect_pr if c.tag in _AFTER_PG_NUM_TYPE]
        if later:
            later[0].addprevious(numbering)
        else:
            sect_pr.append(numbering)
    numbering.set(qn("w:start"), str(start))
