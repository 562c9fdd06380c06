"""HTML -> DOCX with python-docx, from the same HTML the PDF is made of.

The writer understands a documented subset of HTML, the shapes the shared
block macros produce:

- ``section`` (a new page; ``id`` becomes a bookmark; the first section's
  ``data-orientation`` sets the paper; ``data-running-head`` is the text at the
  top of the section's continuation pages, e.g. a sheet title with （続き）),
- ``h1``–``h4``, ``p`` (``br`` for line breaks), ``ul``/``li``,
- ``div.box``, ``div.insert``, ``div.legend`` (framed or plain groups),
- ``table`` with ``colgroup/col`` widths (%), ``thead`` rows (repeated on
  each page), ``colspan`` / ``rowspan`` (merged cells), ``th`` (shaded),
- ``a.pageref`` (a PAGEREF field to the bookmark, with the page number the
  PDF layout found as its cached result).

Same signature as :mod:`kenpo_report.render.pdf`.
"""

from __future__ import annotations

import copy
import io
import re
import zipfile
from collections.abc import Mapping
from datetime import UTC, datetime

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor, Twips
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.render.results import Assets

FONT = "BIZ UDPGothic"
BASE_SIZE = Pt(9)
# A chart's figures repeat what the picture shows: small, so the page keeps its length.
CHART_FIGURES_SIZE = Pt(7)
HEADER_FILL = "DDE6F0"
_CELL_MARGIN = 60  # twips, left and right of every table cell
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
_BLOCK_TAGS = {"p", "ul", "table", "div", "h2", "h3", "h4"}
_WIDTH = re.compile(r"width:\s*([\d.]+)%")
_R, _HYPERLINK = qn("w:r"), qn("w:hyperlink")
# Wingdings bullets of the source documents (Private Use Area, as Office exports
# them) become their Unicode look-alikes: a DOCX cannot rely on the reader
# having Wingdings (LibreOffice on Linux draws a box), while the PDF keeps the
# original code points with glyphs from the bundled Kenpo Symbols font.
_WINGDINGS = str.maketrans({"\uf06c": "●", "\uf0d8": "➢"})


def render(html: str, assets: Assets, *, page_numbers: Mapping[str, int] | None = None) -> bytes:
    """Build the DOCX for *html*; *page_numbers* (anchor -> page) fill PAGEREF results."""
    tree = lxml_html.document_fromstring(html)
    writer = _Writer(page_numbers or {}, {**assets.images, **assets.raster})
    writer.write(tree)
    return writer.save(_metadata(tree))


def bookmark_name(anchor: str) -> str:
    """Word bookmark names: letters, digits and _ only, at most 40 characters."""
    return ("_" + re.sub(r"[^A-Za-z0-9_]", "_", anchor))[:40].lstrip("_").rjust(1, "x")


class _Writer:
    def __init__(self, page_numbers: Mapping[str, int], images: Mapping[str, bytes]) -> None:
        self.doc = docx.Document()
        self.page_numbers = page_numbers
        self.images = images
        self.bookmark_id = 0
        # Width available to the content being written: the page, or a layout column.
        self.widths: list[int] = []
        self.styles = {
            name: self.doc.styles[name]
            for name in ("Normal", "Heading 1", "Heading 2", "Heading 3", "Heading 4")
        }
        # One Word section per HTML section when any has a running head: a section's
        # own header is the only way Word and LibreOffice show text on its later pages.
        self.word_sections = False
        self._set_fonts()
        self._page_setup(self.doc.sections[0], landscape=True)
        self._footer_page_field(self.doc.sections[0].footer)

    # --- document setup ------------------------------------------------------

    def _set_fonts(self) -> None:
        for name, style in self.styles.items():
            font = style.font
            font.name = FONT
            font.size = (
                BASE_SIZE
                if name == "Normal"
                else Pt(
                    {"Heading 1": 13, "Heading 2": 12, "Heading 3": 10.5, "Heading 4": 10}[name]
                )
            )
            if name != "Normal":
                font.color.rgb = ACCENT if name != "Heading 1" else RGBColor(0, 0, 0)
                font.bold = True
                font.italic = False
                style.paragraph_format.space_before = Pt(4)
                style.paragraph_format.space_after = Pt(2)
            _east_asian(style.element.get_or_add_rPr())
        normal = self.styles["Normal"].paragraph_format
        normal.space_after = Pt(1)
        normal.space_before = Pt(0)
        normal.line_spacing = 1.1

    def _page_setup(self, section: docx.section.Section, landscape: bool) -> None:
        section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = (
            (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
        )
        section.left_margin = section.right_margin = Mm(14)
        section.top_margin = Mm(12)
        section.bottom_margin = Mm(14)

    def _footer_page_field(self, footer: object) -> None:
        paragraph = footer.paragraphs[0]
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(paragraph, "PAGE", "1")

    def save(self, meta: dict[str, str]) -> bytes:
        props = self.doc.core_properties
        created = datetime.fromisoformat(meta.get("created") or "2000-01-01").replace(tzinfo=UTC)
        props.title = meta.get("title", "")
        props.author = meta.get("author", "")
        props.last_modified_by = meta.get("author", "")
        props.created = created
        props.modified = created
        props.last_printed = created
        props.revision = 1
        props.comments = ""
        props.keywords = ""
        props.subject = ""
        props.category = ""
        props.identifier = ""
        props.language = "ja-JP"
        props.version = ""
        props.content_status = ""
        buffer = io.BytesIO()
        self.doc.save(buffer)
        return _normalise_zip(buffer.getvalue(), created)

    # --- walking the HTML ----------------------------------------------------

    def write(self, tree: lxml_html.HtmlElement) -> None:
        body = tree.find("body")
        elements = list(body) if body is not None else []
        sections = [el for el in elements if el.tag == "section"]
        if sections:
            portrait = sections[0].get("data-orientation") == "portrait"
            self._page_setup(self.doc.sections[0], landscape=not portrait)
        self.word_sections = any(el.get("data-running-head") for el in sections)
        for element in elements:
            self.element(element)

    def element(self, el: lxml_html.HtmlElement, container: object = None) -> None:
        tag = el.tag if isinstance(el.tag, str) else ""
        classes = set((el.get("class") or "").split())
        target = container or self.doc
        if tag == "section":
            self.section(el)
        elif tag in ("h1", "h2", "h3", "h4"):
            paragraph = self._paragraph(target, self.styles[f"Heading {tag[1]}"].style_id)
            if container is not None:
                # Inside a table cell the heading styles' keep-with-next would keep a
                # whole row (a two-column measure page) from splitting across pages.
                paragraph.paragraph_format.keep_with_next = False
            self.inline(el, paragraph)
        elif tag == "p":
            paragraph = self._paragraph(target)
            self._paragraph_format(paragraph, classes)
            self.inline(el, paragraph)
        elif tag == "ul":
            for li in el.iterchildren("li"):
                paragraph = self._paragraph(target)
                paragraph.paragraph_format.left_indent = Pt(10)
                paragraph.paragraph_format.first_line_indent = Pt(-10)
                self.inline(li, paragraph)
        elif tag == "table":
            self.table(el, target)
        elif tag == "div" and "image" in classes:
            self.image(el, target)
        elif tag == "div" and classes & {"box", "insert"}:
            self.framed(el, target, classes)
        elif tag == "div":
            for child in el:
                self.element(child, container)

    def image(self, el: lxml_html.HtmlElement, target: object) -> None:
        for img in el.iter("img"):
            content = self.images.get(img.get("src") or "")
            if content is None:  # the PDF renderer has already refused it
                continue
            match = _WIDTH.search(img.get("style") or "")
            share = float(match.group(1)) / 100 if match else 0.6
            paragraph = self._paragraph(target)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            paragraph.add_run().add_picture(
                io.BytesIO(content), width=int(self._usable_width() * share)
            )
        for p in el.iter("p"):
            paragraph = self._paragraph(target)
            paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
            self.inline(p, paragraph)
        for table in el.iter("table"):  # a chart's figures: a picture has no text
            self.table(table, target, size=CHART_FIGURES_SIZE)

    def section(self, el: lxml_html.HtmlElement) -> None:
        body = self.doc.element.body
        if self.word_sections:
            if len(body) > 1:
                self._end_word_section(body)
            self._running_head(el.get("data-running-head"))
        if el.get("data-numbered") == "false":  # a cover: leading only (render.split)
            self._uncounted_first_page()
        before = len(body) - 1  # python-docx keeps the final sectPr last
        for child in el:
            self.element(child)
        new = list(body)[before : len(body) - 1]
        first_p = next((n for n in new if n.tag == qn("w:p")), None)
        if first_p is None or (new and new[0] is not first_p):
            first_p = OxmlElement("w:p")
            body.insert(before, first_p)
        paragraph = Paragraph(first_p, self.doc._body)
        if before > 0 and not self.word_sections:
            paragraph.paragraph_format.page_break_before = True
        anchor = el.get("id")
        if anchor:
            self._bookmark(paragraph, bookmark_name(anchor))
        if "divider" in (el.get("class") or ""):
            paragraph.paragraph_format.space_before = Pt(150)
            for node in new:
                if node.tag == qn("w:p"):
                    Paragraph(node, self.doc._body).alignment = WD_ALIGN_PARAGRAPH.CENTER

    def _bookmark(self, paragraph: Paragraph, name: str) -> None:
        self.bookmark_id += 1
        start = OxmlElement("w:bookmarkStart")
        start.set(qn("w:id"), str(self.bookmark_id))
        start.set(qn("w:name"), name)
        end = OxmlElement("w:bookmarkEnd")
        end.set(qn("w:id"), str(self.bookmark_id))
        ppr = paragraph._p.pPr
        index = 1 if ppr is not None else 0
        paragraph._p.insert(index, start)
        paragraph._p.append(end)

    def _end_word_section(self, body: object) -> None:
        """Close the section written so far: its properties move into its last paragraph."""
        final = body[-1]  # the body's sectPr: the properties of the section being closed
        last = body[-2]
        if last.tag != qn("w:p"):
            last = OxmlElement("w:p")
            body.insert(len(body) - 1, last)
        last.get_or_add_pPr().append(copy.deepcopy(final))
        # The new section starts from the same page setup with its own header and footer.
        for child in list(final):
            if child.tag in _OWN_TO_SECTION:
                final.remove(child)

    def _uncounted_first_page(self) -> None:
        """The cover: no number in its footer, and the page after it is page 1."""
        section = self.doc.sections[-1]
        section.different_first_page_header_footer = True
        section.first_page_footer.is_linked_to_previous = False  # an empty footer
        sect_pr = section._sectPr
        numbering = sect_pr.find(qn("w:pgNumType"))
        if numbering is None:
            numbering = OxmlElement("w:pgNumType")
            later = [c for c in sect_pr if c.tag in _AFTER_PG_NUM_TYPE]
            if later:
                later[0].addprevious(numbering)
            else:
                sect_pr.append(numbering)
        numbering.set(qn("w:start"), "0")

    def _running_head(self, text: str | None) -> None:
        """The section's header: nothing on its first page, *text* on the pages after."""
        section = self.doc.sections[-1]
        section.different_first_page_header_footer = bool(text)
        section.header.is_linked_to_previous = False
        section.footer.is_linked_to_previous = False
        if len(section.footer.paragraphs[0].runs) == 0 and not section.footer.paragraphs[
            0
        ]._p.xpath("w:fldSimple"):
            self._footer_page_field(section.footer)
        if not text:
            return
        section.first_page_header.is_linked_to_previous = False
        section.first_page_footer.is_linked_to_previous = False
        self._footer_page_field(section.first_page_footer)
        paragraph = section.header.paragraphs[0]
        run = paragraph.add_run(text)
        run.bold = True
        run.font.size = Pt(10)
        run.font.color.rgb = ACCENT

    def _paragraph_format(self, paragraph: Paragraph, classes: set[str]) -> None:
        if classes & {"right", "group"}:
            paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT

    def inline(
        self,
        el: lxml_html.HtmlElement,
        paragraph: Paragraph,
        bold: bool = False,
        size: Pt | None = None,
    ) -> None:
        classes = set((el.get("class") or "").split())
        bold = bold or bool(
            classes
            & {"emph", "statement", "box-title", "caption", "list-title", "insert-caption", "total"}
        )
        if classes & {"note", "kpi-note"} or (el.tag == "p" and "insert-line" in classes):
            size = Pt(8)
        if el.text:
            self._run(paragraph, el.text, bold, size)
        for child in el:
            tag = child.tag if isinstance(child.tag, str) else ""
            if tag == "br":
                paragraph.add_run().add_break(WD_BREAK.LINE)
            elif tag == "img" and child.get("src") in self.images:
                # A mark in running text: as high as the text around it.
                run = paragraph.add_run()
                run.add_picture(io.BytesIO(self.images[child.get("src")]), height=size or Pt(9))
            elif tag == "a" and "pageref" in (child.get("class") or ""):
                anchor = (child.get("href") or "").lstrip("#")
                page = self.page_numbers.get(anchor)
                _field(
                    paragraph,
                    f"PAGEREF {bookmark_name(anchor)} \\h",
                    str(page) if page else "?",
                    prefix="P",
                )
            else:
                self.inline(child, paragraph, bold, size)
            if child.tail:
                self._run(paragraph, child.tail, bold, size)

    def _run(self, paragraph: Paragraph, text: str, bold: bool, size: Pt | None) -> None:
        text = re.sub(r"[ \t\r\n]+", " ", text) if "\n" in text else text
        p = paragraph._p
        if not text.strip() and p.find(_R) is None and p.find(_HYPERLINK) is None:
            return
        text = text.translate(_WINGDINGS)
        if "\t" in text or "\r" in text:  # python-docx turns these into w:tab and w:br
            run = paragraph.add_run(text)
            run.bold = True if bold else None
            run.font.size = size
            return
        # The XML python-docx writes for a run, built directly: its property
        # setters cost a third of the DOCX's time.
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
        p.append(r)

    # --- tables and frames ---------------------------------------------------

    def framed(self, el: lxml_html.HtmlElement, target: object, classes: set[str]) -> None:
        table = target.add_table(rows=1, cols=1)
        table.alignment = WD_TABLE_ALIGNMENT.LEFT
        _borders(table, "single" if "box" in classes else "dashed")
        cell = table.cell(0, 0)
        self._set_width(table, [self._usable_width()])
        first = True
        for child in el:
            if first:
                # The cell comes with one empty paragraph: use it for the first child.
                paragraph = cell.paragraphs[0]
                tag = child.tag if isinstance(child.tag, str) else ""
                if tag == "p":
                    self.inline(child, paragraph)
                    first = False
                    continue
            self.element(child, cell)
            first = False
        self._spacer(target)

    def _spacer(self, target: object) -> None:
        # Word merges tables that touch; a small empty paragraph keeps them apart.
        paragraph = self._paragraph(target)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.line_spacing = Pt(4)

    def table(self, el: lxml_html.HtmlElement, target: object, size: Pt | None = None) -> None:
        # Own columns only: a layout column may hold tables with colgroups of their own.
        widths = [
            float(m.group(1))
            for group in el.iterchildren("colgroup")
            for col in group.iterchildren("col")
            if (m := _WIDTH.search(col.get("style") or ""))
        ]
        rows: list[tuple[lxml_html.HtmlElement, bool]] = []
        for part in el:
            tag = part.tag if isinstance(part.tag, str) else ""
            if tag in ("thead", "tbody", "tfoot"):
                rows += [(tr, tag == "thead") for tr in part.iterchildren("tr")]
            elif tag == "tr":
                rows.append((part, False))
        ncols = (
            max(
                len(widths),
                *(
                    sum(int(c.get("colspan", "1")) for c in tr if c.tag in ("td", "th"))
                    for tr, _ in rows
                ),
            )
            if rows
            else 0
        )
        if not rows or ncols == 0:
            return
        table = target.add_table(rows=len(rows), cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        layout = {"formula", "columns"} & set((el.get("class") or "").split())
        _borders(table, "none" if layout else "single")
        _cell_margins(table)
        total = self._usable_width()
        if not widths or len(widths) != ncols:
            widths = [100 / ncols] * ncols
        self._set_width(table, [total * w / sum(widths) for w in widths])
        occupied: set[tuple[int, int]] = set()
        # table.cell(r, c) rebuilds the whole grid on every call (quadratic on long
        # tables); take the grid once. Spans never overlap, so a cell taken here is
        # never one an earlier merge removed.
        cells = table._cells
        for r, (tr, is_header) in enumerate(rows):
            if is_header:
                _repeat_header(table.rows[r])
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
                self._cell(cell, td, size)
                c += colspan
        self._spacer(target)

    def _cell(self, cell: _Cell, td: lxml_html.HtmlElement, size: Pt | None = None) -> None:
        classes = set((td.get("class") or "").split())
        if any(isinstance(child.tag, str) and child.tag in _BLOCK_TAGS for child in td):
            # A layout column (columns block): its blocks go into the cell as they are,
            # sized to the cell rather than the page.
            self.widths.append(int(cell.width) - 2 * Twips(_CELL_MARGIN))
            try:
                for child in td:
                    self.element(child, cell)
            finally:
                self.widths.pop()
            first = cell.paragraphs[0]
            if not first.text and len(cell.paragraphs) > 1:
                first._p.getparent().remove(first._p)
            cell.vertical_alignment = 0  # top
            return
        paragraph = cell.paragraphs[0]
        align = "left" if "left" in classes or "formula-title" in classes else "center"
        # A new cell's paragraph has no properties yet: jc is its only one.
        paragraph._p.get_or_add_pPr().append(OxmlElement("w:jc", {qn("w:val"): align}))
        if "numerator" in classes:
            _cell_border(cell, "bottom")
        if td.tag == "th":
            _shade(cell, HEADER_FILL)
        self.inline(td, paragraph, bold="total" in classes, size=size)
        # Last of the cell's properties, as the schema orders them (after tcW, gridSpan,
        # vMerge, tcBorders, shd).
        cell._tc.get_or_add_tcPr().append(OxmlElement("w:vAlign", {qn("w:val"): "center"}))

    @staticmethod
    def _paragraph(target: object, style_id: str | None = None) -> Paragraph:
        """A new paragraph, its style set by id (none: Normal, the default).

        python-docx looks a style object up among all the document's styles on
        every assignment: half the time of writing the DOCX.
        """
        paragraph = target.add_paragraph()
        if style_id is not None:
            paragraph._p.style = style_id
        return paragraph

    def _usable_width(self) -> int:
        if self.widths:
            return self.widths[-1]
        section = self.doc.sections[-1]
        return int(section.page_width - section.left_margin - section.right_margin)

    @staticmethod
    def _set_width(table: Table, widths: list[float]) -> None:
        table.autofit = False
        # LibreOffice reads the grid (gridCol), Word the cells: set both.
        for column, width in zip(table.columns, widths, strict=False):
            column.width = int(width)
        # Called before any merge, so every row has a cell per column.
        for tr in table._tbl.tr_lst:
            for tc, width in zip(tr.tc_lst, widths, strict=False):
                tc.width = int(width)


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


def _east_asian(rpr: OxmlElement) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), FONT)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "ja-JP")


def _field(paragraph: Paragraph, instruction: str, cached: str, prefix: str = "") -> None:
    """A simple field (w:fldSimple): Word and LibreOffice update it on open or print;
    *cached* is shown until then. The instruction lives in an attribute, so the
    document's text stays exactly what a reader sees."""
    if prefix:
        paragraph.add_run(prefix)
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), f" {instruction} ")
    field.set(qn("w:dirty"), "true")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = cached
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _repeat_header(row: object) -> None:
    trpr = row._tr.get_or_add_trPr()
    header = OxmlElement("w:tblHeader")
    header.set(qn("w:val"), "true")
    trpr.append(header)
    cant = OxmlElement("w:cantSplit")
    cant.set(qn("w:val"), "true")
    trpr.append(cant)


def _shade(cell: _Cell, fill: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tcpr.append(shading)


def _borders(table: Table, style: str) -> None:
    tblpr = table._tbl.tblPr
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        border = OxmlElement(f"w:{edge}")
        border.set(qn("w:val"), style)
        border.set(qn("w:sz"), "4")
        border.set(qn("w:space"), "0")
        border.set(qn("w:color"), "555555")
        borders.append(border)
    tblpr.append(borders)


def _cell_margins(table: Table) -> None:
    margins = OxmlElement("w:tblCellMar")
    for edge, twips in (
        ("top", 20),
        ("bottom", 20),
        ("left", _CELL_MARGIN),
        ("right", _CELL_MARGIN),
    ):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(twips))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)


def _cell_border(cell: _Cell, edge: str) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    borders = OxmlElement("w:tcBorders")
    border = OxmlElement(f"w:{edge}")
    border.set(qn("w:val"), "single")
    border.set(qn("w:sz"), "6")
    border.set(qn("w:color"), "000000")
    borders.append(border)
    tcpr.append(borders)


def _metadata(tree: lxml_html.HtmlElement) -> dict[str, str]:
    meta = {"title": (tree.findtext(".//title") or "").strip()}
    for el in tree.iter("meta"):
        name, content = el.get("name"), el.get("content") or ""
        if name == "author":
            meta["author"] = content
        elif name == "dcterms.created":
            meta["created"] = content
    return meta


def _normalise_zip(data: bytes, when: datetime) -> bytes:
    """Fixed entry times and order, so the same input gives the same bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        # [Content_Types].xml first, as Office writes it.
        for name in sorted(names, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
