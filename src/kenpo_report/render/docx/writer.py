"""The visitor that writes the HTML subset (see the package's docstring) into a document.

One method per element kind, looked up by tag (and, for a ``div``, by class)
in the tables at the end of the module.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt
from docx.table import Table, _Cell
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.layout import marks
from kenpo_report.render.docx import css, frames, images, numbering, ooxml, pages, styles, tables

_BLOCK_TAGS = {"p", "ul", "table", "div", "h2", "h3", "h4"}
_BOLD = {"emph", "statement", "box-title", "caption", "list-title", "insert-caption", "total"}
# Wingdings bullets of the source documents (Private Use Area, as Office exports
# them) become their Unicode look-alikes: a DOCX cannot rely on the reader
# having Wingdings (LibreOffice on Linux draws a box), while the PDF keeps the
# original code points with glyphs from the bundled Kenpo Symbols font. A bullet
# that begins an item is no text at all: its list level draws it (numbering.BULLETS).
_WINGDINGS = str.maketrans({k: v for k, (v, _) in numbering.BULLETS.items() if k != v})


def _tag(el: lxml_html.HtmlElement) -> str:
    return el.tag if isinstance(el.tag, str) else ""  # comments and processing instructions


def _classes(el: lxml_html.HtmlElement) -> set[str]:
    return set((el.get("class") or "").split())


class Writer:
    """Writes the HTML's body into :attr:`doc`.

    A visit method takes the element and its *container*: ``None`` at the top
    level (the document's body), else the table cell it is written into.
    """

    def __init__(
        self,
        page_numbers: Mapping[str, int],
        images: Mapping[str, bytes],
        page_starts: Sequence[str] = (),
        rules: css.Rules | None = None,
    ) -> None:
        self.doc, self.headings = styles.new_document()
        # The stylesheets' rules (font sizes, column counts), and the font size the
        # elements being written give their text (None: the style's).
        self.rules = rules or css.Rules()
        self.sizes: list[Pt | None] = []
        self.page_numbers = page_numbers
        self.page_starts = page_starts
        self.breaks = pages.Breaks(None, ())
        self.images = images
        self.bookmark_id = 0
        self.outline = styles.Outline()
        self.lists = numbering.Lists(self.doc)
        # Width available to the content being written: the page, or a layout column.
        self.widths: list[int] = []
        # One Word section per HTML section when any has a running head: a section's
        # own header is the only way Word and LibreOffice show text on its later pages.
        self.word_sections = False

    def write(self, tree: lxml_html.HtmlElement) -> None:
        body = tree.find("body")
        self.breaks = pages.Breaks(body, self.page_starts)
        elements = list(body) if body is not None else []
        sections = [el for el in elements if el.tag == "section"]
        if sections:
            portrait = sections[0].get("data-orientation") == "portrait"
            styles.page_setup(self.doc.sections[0], landscape=not portrait)
        self.word_sections = any(el.get("data-running-head") for el in sections)
        for element in elements:
            self.element(element)
        pages.settle_fields(self.doc, certain=not self.breaks.unplaced)

    def element(self, el: lxml_html.HtmlElement, container: object = None) -> None:
        """Visit *el*; an element outside the subset writes nothing."""
        tag = _tag(el)
        classes = _classes(el) if tag in _BY_CLASS else set()
        visit = next((v for c, v in _BY_CLASS.get(tag, ()) if c in classes), None)
        visit = visit or _BY_TAG.get(tag)
        if visit is None:
            return
        with self._sized(el):
            self._visit(el, container, visit)

    def _visit(self, el: lxml_html.HtmlElement, container: object, visit: _Visit) -> None:
        if not self.breaks.wanted(el):
            visit(self, el, container)
        elif container is not None:  # Word begins no page inside a table cell
            self.breaks.inside_cell(el)
            visit(self, el, container)
        else:
            body = self.doc.element.body
            before = len(body) - 1  # python-docx keeps the final sectPr last
            visit(self, el, container)
            self.breaks.before_new(body, before, el)

    @contextmanager
    def _sized(self, el: lxml_html.HtmlElement) -> Iterator[None]:
        """While *el* is written: the font size its stylesheet rule gives it, if any. A
        heading's text keeps its Word style's size (its HTML level's), not its block's."""
        heading = el.tag in ("h1", "h2", "h3", "h4")
        own = None if heading else self.rules.points(el, "font-size")
        if heading or own is not None:
            self.sizes.append(None if own is None else Pt(own))
        try:
            yield
        finally:
            if heading or own is not None:
                self.sizes.pop()

    def _target(self, container: object) -> object:
        return container or self.doc

    # --- blocks ----------------------------------------------------------------

    def section(self, el: lxml_html.HtmlElement, container: object = None) -> None:
        body = self.doc.element.body
        if self.word_sections:
            if len(body) > 1:
                ooxml.end_word_section(body)
            styles.running_head(self.doc.sections[-1], el.get("data-running-head"))
        if el.get("data-numbered") == "false":  # a cover: leading only (render.split)
            styles.uncounted_first_page(self.doc.sections[-1])
        before = len(body) - 1  # python-docx keeps the final sectPr last
        pages.section_children(self, el)  # a cover placed as its CSS places it
        new = list(body)[before : len(body) - 1]
        first_p = next((n for n in new if n.tag == ooxml.P), None)
        if first_p is None or (new and new[0] is not first_p):
            first_p = OxmlElement("w:p")
            body.insert(before, first_p)
        paragraph = Paragraph(first_p, self.doc._body)
        if before > 0 and not self.word_sections:
            paragraph.paragraph_format.page_break_before = True
        anchor = el.get("id")
        if anchor:
            self.bookmark_id += 1
            ooxml.bookmark(paragraph, self.bookmark_id, ooxml.bookmark_name(anchor))
        if "divider" in (el.get("class") or ""):
            paragraph.paragraph_format.space_before = Pt(150)
            for node in new:
                if node.tag == ooxml.P:
                    Paragraph(node, self.doc._body).alignment = WD_ALIGN_PARAGRAPH.CENTER

    def heading(self, el: lxml_html.HtmlElement, container: object) -> None:
        """An ``h1``–``h4``: a Heading style of the level the outline gives it (none
        skipped), looking as the HTML's level does."""
        html_level = int(el.tag[1])
        level = self.outline.level(html_level)
        paragraph = self._paragraph(self._target(container), self.headings[f"h{level}"])
        if container is not None:
            # Inside a table cell the heading styles' keep-with-next would keep a
            # whole row (a two-column measure page) from splitting across pages.
            paragraph.paragraph_format.keep_with_next = False
        self.inline(self._item(el, paragraph, styled=False), paragraph)
        if level != html_level:
            styles.keep_look(paragraph, html_level)

    def paragraph(
        self, el: lxml_html.HtmlElement, container: object, into: Paragraph | None = None
    ) -> None:
        """A ``p``: a paragraph, or (*into*: the first of them) one per item when its lines
        begin with bullets; one that begins with a bullet is a list item."""
        right = bool(_classes(el) & {"right", "group"})
        parts = numbering.split_lines(el)
        for index, part in enumerate(parts):
            paragraph = into if index == 0 and into is not None else None
            paragraph = paragraph or self._paragraph(self._target(container))
            if right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if index < len(parts) - 1:  # lines of one HTML paragraph: as close as they were
                paragraph.paragraph_format.space_after = Pt(0)
            self.inline(self._item(part, paragraph), paragraph)
            self._ground(el, paragraph)

    def _ground(self, el: lxml_html.HtmlElement, paragraph: Paragraph) -> None:
        # A label on a coloured ground (.box-title): the CSS's background and colour.
        fill = css.hex_colour(self.rules.value(el, "background", deep=True))
        if fill:
            colour = css.hex_colour(self.rules.value(el, "color", deep=True))
            ooxml.shade_runs(paragraph, fill, colour)

    def bullets(self, el: lxml_html.HtmlElement, container: object) -> None:
        """A ``ul``: every item a list paragraph, its mark drawn by its list level; typed
        numbers that follow on (①②…, １．２．…) counted by Word, in a list of their own."""
        items = [part for li in el.iterchildren("li") for part in numbering.split_lines(li)]
        for li, (mark, num) in zip(items, self.lists.of_items(items), strict=True):
            paragraph = self._paragraph(self._target(container))
            self.lists.item(paragraph, mark, hanging=True, num=num)
            self.inline(numbering.without_mark(li, mark) if mark else li, paragraph)

    def _item(
        self, el: lxml_html.HtmlElement, paragraph: Paragraph, styled: bool = True
    ) -> lxml_html.HtmlElement:
        """*el* to write into *paragraph*: without its leading bullet, which the paragraph's
        list level now draws, if it begins with one (*styled*: see Lists.item)."""
        mark = numbering.leading_mark(el)
        if mark is None:
            return el
        self.lists.item(paragraph, mark, hanging=False, styled=styled)
        return numbering.without_mark(el, mark)

    def group(self, el: lxml_html.HtmlElement, container: object) -> None:
        """A plain ``div`` (a legend, a layout wrapper): its children, in the same container."""
        for child in el:
            self.element(child, container)

    def _spacer(self, target: object) -> None:
        # Word merges tables that touch; a small empty paragraph keeps them apart.
        paragraph = self._paragraph(target)
        paragraph.paragraph_format.space_after = Pt(0)
        paragraph.paragraph_format.line_spacing = Pt(4)

    # --- running text ------------------------------------------------------------

    def inline(
        self,
        el: lxml_html.HtmlElement,
        paragraph: Paragraph,
        bold: bool = False,
        size: Pt | None = None,
    ) -> None:
        """The text of *el* and its descendants, as runs appended to *paragraph*."""
        classes = _classes(el)
        bold = bold or bool(classes & _BOLD)
        size = size or (self.sizes[-1] if self.sizes else None)
        if classes & {"note", "kpi-note"} or (el.tag == "p" and "insert-line" in classes):
            size = styles.NOTE_SIZE
        if el.text:
            self._run(paragraph, el.text, bold, size)
        for child in el:
            tag = _tag(child)
            if tag == "br":
                paragraph.add_run().add_break(WD_BREAK.LINE)
            elif tag == "img" and marks.named(child.get("src") or ""):
                self._mark(paragraph, marks.named(child.get("src")), size)
            elif tag == "img" and child.get("src") in self.images:
                # A picture in running text: as high as the text around it.
                run = paragraph.add_run()
                run.add_picture(io.BytesIO(self.images[child.get("src")]), height=size or Pt(9))
            elif tag == "a" and "pageref" in (child.get("class") or ""):
                self._pageref(child, paragraph)
            else:
                self.inline(child, paragraph, bold, size)
            if child.tail:
                self._run(paragraph, child.tail, bold, size)

    def _pageref(self, a: lxml_html.HtmlElement, paragraph: Paragraph) -> None:
        """``P<page>``: the page number the PDF lay-out found, as a PAGEREF field's result."""
        anchor = (a.get("href") or "").lstrip("#")
        page = self.page_numbers.get(anchor)
        ooxml.field(
            paragraph,
            f"PAGEREF {ooxml.bookmark_name(anchor)} \\h",
            str(page) if page else "?",
            prefix="P",
        )

    @staticmethod
    def _mark(paragraph: Paragraph, name: str, size: Pt | None) -> None:
        """An achievement mark (〇, ×) as text, in a font that has it, as large as its drawing
        (bold: the drawing's stroke is a tenth of its size)."""
        text, scale = marks.TEXT[name]
        run = ooxml.text_run(text, True, Pt(round((size or styles.BASE_SIZE).pt * scale * 2) / 2))
        fonts = {qn(f"w:{a}"): numbering.GOTHIC for a in ("ascii", "eastAsia", "hAnsi", "cs")}
        run[0].insert(0, OxmlElement("w:rFonts", {**fonts, qn("w:hint"): "eastAsia"}))
        paragraph._p.append(run)

    def _run(self, paragraph: Paragraph, text: str, bold: bool, size: Pt | None) -> None:
        text = re.sub(r"[ \t\r\n]+", " ", text) if "\n" in text else text
        p = paragraph._p
        if not text.strip() and p.find(ooxml.R) is None and p.find(ooxml.HYPERLINK) is None:
            return
        text = text.translate(_WINGDINGS)
        if "\t" in text or "\r" in text:  # python-docx turns these into w:tab and w:br
            run = paragraph.add_run(text)
            run.bold = True if bold else None
            run.font.size = size
            return
        p.append(ooxml.text_run(text, bold, size))

    # --- tables ----------------------------------------------------------------

    def visit_table(self, el: lxml_html.HtmlElement, container: object) -> None:
        self.table(el, self._target(container))

    def table(self, el: lxml_html.HtmlElement, target: object, size: Pt | None = None) -> None:
        widths = tables.column_widths(el)
        rows = tables.rows(el)
        ncols = tables.column_count(widths, rows)
        if not rows or ncols == 0:
            return
        if not widths or len(widths) != ncols:
            widths = [100 / ncols] * ncols
        for index, chunk in enumerate(self.breaks.table_chunks(rows, target is self.doc)):
            if index:  # a PDF page begins with this row: a new table on a new page
                self.doc.element.body[-1].addprevious(pages.break_paragraph())
            self._table_rows(el, target, chunk, widths, ncols, size)
        self._spacer(target)

    def _table_rows(
        self,
        el: lxml_html.HtmlElement,
        target: object,
        rows: list[tables.Row],
        widths: list[float],
        ncols: int,
        size: Pt | None,
    ) -> None:
        table = target.add_table(rows=len(rows), cols=ncols)
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        layout = {"formula", "columns"} & _classes(el)
        ooxml.borders(table, "none" if layout else "single")
        ooxml.cell_margins(table)
        total = self._usable_width()
        tables.set_width(table, [total * w / sum(widths) for w in widths])
        self._fill(table, rows, ncols, size)

    def _fill(
        self,
        table: Table,
        rows: list[tables.Row],
        ncols: int,
        size: Pt | None,
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
                self._cell(cell, td, size)
                c += colspan

    def _cell(self, cell: _Cell, td: lxml_html.HtmlElement, size: Pt | None = None) -> None:
        if any(_tag(child) in _BLOCK_TAGS for child in td):
            self._column(cell, td)
            return
        with self._sized(td):
            self._text_cell(cell, td, size)

    def _text_cell(self, cell: _Cell, td: lxml_html.HtmlElement, size: Pt | None) -> None:
        classes = _classes(td)
        paragraph = cell.paragraphs[0]
        align = "left" if "left" in classes or "formula-title" in classes else "center"
        # A new cell's paragraph has no properties yet: jc is its only one.
        paragraph._p.get_or_add_pPr().append(OxmlElement("w:jc", {qn("w:val"): align}))
        if "numerator" in classes:
            ooxml.cell_border(cell, "bottom")
        if td.tag == "th":
            ooxml.shade(cell, styles.HEADER_FILL)
        # A left-aligned cell holds prose, which may begin with a bullet (not a centred 〇, ●).
        text = self._item(td, paragraph) if "left" in classes else td
        self.inline(text, paragraph, bold="total" in classes, size=size)
        # Last of the cell's properties, as the schema orders them (after tcW, gridSpan,
        # vMerge, tcBorders, shd).
        cell._tc.get_or_add_tcPr().append(OxmlElement("w:vAlign", {qn("w:val"): "center"}))

    def _column(self, cell: _Cell, td: lxml_html.HtmlElement) -> None:
        """A layout column (columns block): its blocks go into the cell as they are,
        sized to the cell rather than the page."""
        self.widths.append(tables.text_width(cell))
        try:
            for child in td:
                self.element(child, cell)
        finally:
            self.widths.pop()
        first = cell.paragraphs[0]
        if not first.text and len(cell.paragraphs) > 1:
            first._p.getparent().remove(first._p)
        cell.vertical_alignment = 0  # top

    # --- helpers -----------------------------------------------------------------

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


_Visit = Callable[[Writer, lxml_html.HtmlElement, object], None]
# The subset, by tag; a div's classes choose first, in this order (an image inside
# a box is written as an image).
_BY_TAG: dict[str, _Visit] = {
    "section": Writer.section,
    **dict.fromkeys(("h1", "h2", "h3", "h4"), Writer.heading),
    "p": Writer.paragraph,
    "ul": Writer.bullets,
    "table": Writer.visit_table,
    "div": Writer.group,
}
_BY_CLASS: dict[str, tuple[tuple[str, _Visit], ...]] = {
    "div": (("image", images.image), ("box", frames.framed), ("insert", frames.framed)),
}
