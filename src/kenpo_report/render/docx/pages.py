"""The PDF's pages in the DOCX: a page break wherever a PDF page begins.

The PDF's lay-out tells where each of its pages begins (``pdf.page_starts``): the
first block or table row that starts on it, named by :func:`..split.element_keys`.
The writer breaks the page before that element: a paragraph gets
``pageBreakBefore``; a table (a box, a sheet) gets a paragraph of one point before
it that does; a table row starts a new table after such a paragraph, its header
rows repeated as Word repeats them on a table's later pages. An element inside a
table cell (a layout column, a box) cannot begin a page in Word: it is counted in
:attr:`Breaks.unplaced` and left where it falls.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable

from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import html as lxml_html

from kenpo_report.render import split
from kenpo_report.render.docx import ooxml, tables


class Breaks:
    """The elements of the document before which a PDF page begins."""

    def __init__(self, body: lxml_html.HtmlElement | None, starts: Iterable[str]) -> None:
        wanted = {key for key in starts if key}
        top = [c for c in body if isinstance(c.tag, str)] if body is not None else []
        self.keys = {el: key for el, key in split.element_keys(top).items() if key in wanted}
        self.placed = 0
        self.unplaced: list[str] = []  # keys of the breaks that fell inside a table cell

    def wanted(self, el: lxml_html.HtmlElement) -> bool:
        return el in self.keys

    def before_new(self, body: object, index: int, el: lxml_html.HtmlElement) -> None:
        """Break the page before the first body element from *index* on (what *el* wrote)."""
        new = list(body)[index : len(body) - 1]  # the final sectPr stays last
        if not new:
            self.unplaced.append(self.keys[el])
        elif new[0].tag == ooxml.P:
            page_break_before(new[0])
            self.placed += 1
        else:
            new[0].addprevious(break_paragraph())
            self.placed += 1

    def inside_cell(self, el: lxml_html.HtmlElement) -> None:
        self.unplaced.append(self.keys[el])

    def table_chunks(self, rows: list[tables.Row], top_level: bool) -> list[list[tables.Row]]:
        """*rows* cut where a PDF page begins with one of them, each later chunk led by the
        header rows; a row that a cell above spans into is not a place to cut."""
        cuts = [r for r, (tr, header) in enumerate(rows) if r and not header and tr in self.keys]
        if not top_level:
            self.unplaced += [self.keys[rows[r][0]] for r in cuts]
            return [rows]
        spanned = _spanned_rows(rows)
        for r in [r for r in cuts if r in spanned]:
            self.unplaced.append(self.keys[rows[r][0]])
        cuts = [r for r in cuts if r not in spanned]
        self.placed += len(cuts)
        header = [row for row in rows if row[1]]
        bounds = [0, *cuts, len(rows)]
        return [
            (header if i else []) + rows[a:b] for i, (a, b) in enumerate(itertools.pairwise(bounds))
        ]


def _spanned_rows(rows: list[tables.Row]) -> set[int]:
    """The rows that a cell of an earlier row spans into (``rowspan``)."""
    out: set[int] = set()
    for r, (tr, _) in enumerate(rows):
        for td in tr:
            if isinstance(td.tag, str) and td.tag in ("td", "th"):
                span = int(td.get("rowspan", "1") or 1)
                out.update(range(r + 1, r + span))
    return out


def page_break_before(p: object) -> None:
    """``pageBreakBefore`` in the paragraph's properties, where the schema puts it."""
    from docx.text.paragraph import Paragraph

    Paragraph(p, None).paragraph_format.page_break_before = True


def break_paragraph() -> object:
    """A paragraph one point high that begins a page: what a table that begins one follows."""
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    ppr.append(OxmlElement("w:pageBreakBefore"))
    ppr.append(
        OxmlElement(
            "w:spacing",
            {
                qn("w:before"): "0",
                qn("w:after"): "0",
                qn("w:line"): "20",
                qn("w:lineRule"): "exact",
            },
        )
    )
    rpr = OxmlElement("w:rPr")
    rpr.append(OxmlElement("w:sz", {qn("w:val"): "2"}))
    ppr.append(rpr)
    p.append(ppr)
    return p


# What may follow w:updateFields in w:settings (the schema's order).
_AFTER_UPDATE_FIELDS = ("hdrShapeDefaults", "footnotePr", "endnotePr", "compat", "docVars", "rsids")


def settle_fields(doc: object, certain: bool) -> None:
    """The PAGEREF fields as the pages are: their results stand (not dirty) when every PDF
    page begins where it does in the DOCX (*certain*); else Word updates them on opening
    the document (``w:updateFields``: it asks first), each marked dirty."""
    body = doc.element.body
    refs = [f for f in body.iter(qn("w:fldSimple")) if "PAGEREF" in (f.get(qn("w:instr")) or "")]
    for field in refs:
        if certain:
            field.attrib.pop(qn("w:dirty"), None)
        else:
            field.set(qn("w:dirty"), "true")
    if certain or not refs:
        return
    settings = doc.settings.element
    update = OxmlElement("w:updateFields", {qn("w:val"): "true"})
    later = next(
        (c for c in settings if c.tag in {qn(f"w:{n}") for n in _AFTER_UPDATE_FIELDS}), None
    )
    if later is not None:
        later.addprevious(update)
    else:
        settings.append(update)
