"""The PDF's pages in the DOCX: a page break wherever a PDF page begins.

The PDF's lay-out tells where each of its pages begins (``pdf.page_starts``): the
first block or table row that starts on it, named by :func:`..split.element_keys`.
The writer breaks the page before that element: a paragraph gets
``pageBreakBefore``; a table (a box, a sheet) gets a paragraph of one point before
it that does; a table row starts a new table after such a paragraph, its header
rows repeated as Word repeats them on a table's later pages; a page that begins inside
a row of such a table splits the row there. An element inside a box, or a table inside
a cell, cannot begin a page in Word: it is counted in :attr:`Breaks.unplaced` and left
where it falls.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.render import split
from kenpo_report.render.docx import css, ooxml, tables

if TYPE_CHECKING:
    from kenpo_report.render.docx.writer import Writer


class Breaks:
    """The elements of the document before which a PDF page begins.

    A page that begins inside a row of a table at the top level (its start names a block
    in each cell that goes on there, see pdf.page_starts) splits that row in the HTML tree
    (:func:`.tables.split_row`): the second row begins the page, as a row the PDF begins a
    page with does. The tree is the writer's own parse."""

    def __init__(self, body: lxml_html.HtmlElement | None, starts: Iterable[str]) -> None:
        top = [c for c in body if isinstance(c.tag, str)] if body is not None else []
        by_key = {key: el for el, key in split.element_keys(top).items()}
        self.keys: dict[lxml_html.HtmlElement, str] = {}
        for start in (s for s in starts if s):
            first, *_ = names = start.split(" ")
            points = [by_key[name] for name in names if name in by_key]
            row = _outer_row(points[0]) if points else None
            if row is not None:
                self.keys[tables.split_row(row, points)] = first
            elif points:
                self.keys[points[0]] = first
        self.placed = 0
        self.unplaced: list[str] = []  # keys of the breaks that fell inside a table cell

    def wanted(self, el: lxml_html.HtmlElement) -> bool:
        return el in self.keys

    def before_new(self, body: object, index: int, el: lxml_html.HtmlElement) -> None:
        """Break the page before the first body element from *index* on (what *el* wrote)
        that is not a frame: a frame goes where the text after it goes."""
        new = body[index : len(body) - 1]  # the final sectPr stays last
        first = next((node for node in new if not ooxml.framed(node)), None)
        if first is None:
            self.unplaced.append(self.keys[el])
        elif first.tag == ooxml.P:
            page_break_before(first)
            self.placed += 1
        else:
            new[0].addprevious(break_paragraph())
            self.placed += 1

    def inside_cell(self, el: lxml_html.HtmlElement) -> None:
        self.unplaced.append(self.keys[el])

    def table_chunks(self, rows: list[tables.Row], top_level: bool) -> list[list[tables.Row]]:
        """*rows* cut where a PDF page begins with one of them, each later chunk led by the
        header rows; a cell spanning rows across a cut continues, empty, after it."""
        cuts = [r for r, (tr, header) in enumerate(rows) if r and not header and tr in self.keys]
        if not top_level:
            self.unplaced += [self.keys[rows[r][0]] for r in cuts]
            return [rows]
        self.placed += len(cuts)
        bounds = [0, *cuts, len(rows)]
        for start, cut in itertools.pairwise(bounds[:-1]):
            tables.continue_spans(rows, cut, start)
        header = [row for row in rows if row[1]]
        return [
            (header if i else []) + rows[a:b] for i, (a, b) in enumerate(itertools.pairwise(bounds))
        ]


def _outer_row(el: lxml_html.HtmlElement) -> lxml_html.HtmlElement | None:
    """The outermost row *el* is inside (not itself), if its table is at the top level: not
    in a box or an insert, whose cell Word cannot begin a page inside."""
    row = None
    for node in el.iterancestors():
        if node.tag == "tr":
            row = node
        elif row is not None and {"box", "insert"} & set((node.get("class") or "").split()):
            return None
    return row


def page_break_before(p: object) -> None:
    """``pageBreakBefore`` in the paragraph's properties, where the schema puts it."""
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


def section_children(writer: Writer, el: lxml_html.HtmlElement) -> None:
    """Write a page section's children at the top level; a cover (``data-numbered="false"``)
    is then placed as its stylesheet places it (:func:`place_cover`)."""
    body = writer.doc.element.body
    written = []
    for child in el:
        before = len(body) - 1  # python-docx keeps the final sectPr last
        writer.element(child)
        written.append((child, body[before : len(body) - 1]))
    if el.get("data-numbered") == "false":
        place_cover(writer.rules, el, written)


def place_cover(rules: css.Rules, section: lxml_html.HtmlElement, written: list) -> None:
    """A cover's blocks (*written*: each child and the body elements it wrote) where the
    PDF puts them: the space above each that the CSS gives (the section's top padding,
    then each block's top margin collapsed with the bottom margin of the block before),
    its left margin as an indent, its alignment (or the section's), a heading's size."""
    above = rules.side(section, "padding", "top") or 0.0
    previous = None  # the last paragraph of the block before, and its bottom margin
    align = rules.value(section, "text-align", deep=True)
    for child, nodes in written:
        paragraphs = [Paragraph(n, None) for n in nodes if n.tag == ooxml.P]
        if not isinstance(child.tag, str) or not paragraphs:
            continue
        top = rules.side(child, "margin", "top")
        if previous is None:
            paragraphs[0].paragraph_format.space_before = Pt(above + (top or 0.0))
        elif top is not None or previous[1] is not None:
            previous[0].paragraph_format.space_after = Pt(0)
            gap = max(top or 0.0, previous[1] or 0.0)
            paragraphs[0].paragraph_format.space_before = Pt(gap)
        previous = (paragraphs[-1], rules.side(child, "margin", "bottom"))
        _cover_block(rules, child, paragraphs, align)


_ALIGN = {
    "left": WD_ALIGN_PARAGRAPH.LEFT,
    "center": WD_ALIGN_PARAGRAPH.CENTER,
    "right": WD_ALIGN_PARAGRAPH.RIGHT,
}


def _cover_block(
    rules: css.Rules, child: lxml_html.HtmlElement, paragraphs: list, inherited: str | None
) -> None:
    """One block of a cover: its indent, alignment, line height (a number) and font size
    (instead of its style's, a heading's too, or a note's)."""
    indent = rules.side(child, "margin", "left")
    align = _ALIGN.get(rules.value(child, "text-align", deep=True) or inherited or "")
    size = rules.points(child, "font-size", deep=True)
    height = rules.value(child, "line-height", deep=True) or ""
    for paragraph in paragraphs:
        if indent and paragraph._p.find(f"{qn('w:pPr')}/{qn('w:numPr')}") is None:
            paragraph.paragraph_format.left_indent = Pt(indent)
        if align is not None:
            paragraph.alignment = align
        if height.replace(".", "", 1).isdigit():
            paragraph.paragraph_format.line_spacing = float(height)
        for run in paragraph.runs if size else ():
            run.font.size = Pt(size)


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
    ooxml.put(doc.settings.element, OxmlElement("w:updateFields", {qn("w:val"): "true"}))
