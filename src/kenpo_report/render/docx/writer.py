"""The visitor that writes the HTML subset (see the package's docstring) into a document.

One method per element kind, looked up by tag (and, for a ``div``, by class)
in the tables at the end of the module.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager

from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.section import Section
from docx.shared import Pt
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.layout import marks
from kenpo_report.render.docx import (
    boxes,
    cells,
    css,
    frames,
    images,
    numbering,
    ooxml,
    pages,
    styles,
)

_BOLD = {"emph", "statement", "box-title", "caption", "list-title", "insert-caption", "total"}
# Wingdings bullets of the source documents (Private Use Area, as Office exports
# them) become their Unicode look-alikes: a DOCX cannot rely on the reader
# having Wingdings (LibreOffice on Linux draws a box), while the PDF keeps the
# original code points with glyphs from the bundled Kenpo Symbols font. A bullet
# that begins an item is no text at all: its list level draws it (numbering.BULLETS).
_WINGDINGS = str.maketrans({k: v for k, (v, _) in numbering.BULLETS.items() if k != v})


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
        tag = css.tag(el)
        classes = css.classes(el) if tag in _BY_CLASS else set()
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
            styles.running_head(self._last_section(), el.get("data-running-head"))
        if el.get("data-numbered") == "false":  # a cover: leading only (render.split)
            styles.uncounted_first_page(self._last_section())
        before = len(body) - 1  # python-docx keeps the final sectPr last
        pages.section_children(self, el)  # a cover placed as its CSS places it
        new = body[before : len(body) - 1]
        # The first paragraph not in a frame: a frame goes where the text after it goes.
        lead = next((i for i, node in enumerate(new) if not ooxml.framed(node)), len(new))
        first_p = new[lead] if lead < len(new) and new[lead].tag == ooxml.P else None
        if first_p is None:
            first_p = OxmlElement("w:p")
            body.insert(before + lead, first_p)
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
        # The colour is inherited in CSS (html { color }), the size is the heading's own.
        colour = css.hex_colour(self.rules.inherited(el, "color"))
        styles.keep_look(paragraph, html_level, self.rules.points(el, "font-size"), colour)

    def paragraph(
        self, el: lxml_html.HtmlElement, container: object, into: Paragraph | None = None
    ) -> None:
        """A ``p``: a paragraph, or (*into*: the first of them) one per item when its lines
        begin with bullets; one that begins with a bullet is a list item."""
        right = bool(css.classes(el) & {"right", "group"})
        parts = numbering.split_lines(el)
        for index, part in enumerate(parts):
            paragraph = into if index == 0 and into is not None else None
            paragraph = paragraph or self._paragraph(self._target(container))
            if right:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
            if index < len(parts) - 1:  # lines of one HTML paragraph: as close as they were
                paragraph.paragraph_format.space_after = Pt(0)
            self.inline(self._item(part, paragraph), paragraph)
            boxes.paragraph(self.rules, el, paragraph, top_level=container is None)

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
        """A plain ``div`` (a legend, a page head): its children, in the same container (a
        label its CSS places at the top first), in the border its CSS gives it."""
        parent = self.doc.element.body if container is None else container._tc
        before = len(parent) - (container is None)  # python-docx keeps the final sectPr last
        children = list(el)
        if container is None:
            children.sort(key=lambda child: not boxes.at_top(self.rules, child))
        for child in children:
            self.element(child, container)
        boxes.group(self.rules, el, parent[before : len(parent) - (container is None)])

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
        colour: str | None = None,
    ) -> None:
        """The text of *el* and its descendants, as runs appended to *paragraph*; in the
        colour and weight its own CSS rules give (a page head's blue section title), else
        its parent's."""
        classes = css.classes(el)
        bold = bold or bool(classes & _BOLD) or self.rules.bold(el)
        colour = css.hex_colour(self.rules.value(el, "color", deep=True)) or colour
        size = size or (self.sizes[-1] if self.sizes else None)
        if classes & {"note", "kpi-note"} or (el.tag == "p" and "insert-line" in classes):
            size = styles.NOTE_SIZE
        if el.text:
            self._run(paragraph, el.text, bold, size, colour)
        for child in el:
            tag = css.tag(child)
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
                self.inline(child, paragraph, bold, size, colour)
            if child.tail:
                self._run(paragraph, child.tail, bold, size, colour)

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

    def _run(
        self,
        paragraph: Paragraph,
        text: str,
        bold: bool,
        size: Pt | None,
        colour: str | None = None,
    ) -> None:
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
        p.append(ooxml.text_run(text, bold, size, colour))

    # --- helpers -----------------------------------------------------------------

    def _paragraph(self, target: object, style_id: str | None = None) -> Paragraph:
        """A new paragraph at the end of *target*, its style set by id (none: Normal, the
        default).

        python-docx looks a style object up among all the document's styles on
        every assignment (half the time of writing the DOCX), and searches the whole
        body for its final sectPr on every paragraph it adds.
        """
        container = self._container(target)
        p = ooxml.new("w:p")
        ooxml.append_block(container._element, p)
        if style_id is not None:
            ooxml.paragraph_style(p.get_or_add_pPr(), style_id)
        return Paragraph(p, container)

    def _container(self, target: object) -> object:
        """Where *target*'s blocks go: the document's body, or a table cell as it is."""
        return self.doc._body if target is self.doc else target

    def _last_section(self) -> Section:
        """The section being written: the body's own sectPr (doc.sections[-1] finds it by
        an xpath over every paragraph of the body)."""
        return Section(self.doc.element.body.sectPr, self.doc.part)

    def _usable_width(self) -> int:
        if self.widths:
            return self.widths[-1]
        section = self._last_section()
        return int(section.page_width - section.left_margin - section.right_margin)


_Visit = Callable[[Writer, lxml_html.HtmlElement, object], None]
# The subset, by tag; a div's classes choose first, in this order (an image inside
# a box is written as an image).
_BY_TAG: dict[str, _Visit] = {
    "section": Writer.section,
    **dict.fromkeys(("h1", "h2", "h3", "h4"), Writer.heading),
    "p": Writer.paragraph,
    "ul": Writer.bullets,
    "table": cells.visit,
    "div": Writer.group,
}
_BY_CLASS: dict[str, tuple[tuple[str, _Visit], ...]] = {
    "div": (("image", images.image), ("box", frames.framed), ("insert", frames.framed)),
}
