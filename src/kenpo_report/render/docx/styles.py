"""The document the writer starts from: fonts, paragraph styles, paper, headers and footers."""

from __future__ import annotations

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm, Pt, RGBColor

from kenpo_report.render.docx import ooxml

FONT = "BIZ UDPGothic"
BASE_SIZE = Pt(9)
# A chart's figures repeat what the picture shows: small, so the page keeps its length.
CHART_FIGURES_SIZE = Pt(7)
NOTE_SIZE = Pt(8)
HEADER_FILL = "DDE6F0"
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
_HEADING_SIZES = {"Heading 1": 13, "Heading 2": 12, "Heading 3": 10.5, "Heading 4": 10}


def new_document() -> tuple[docx.document.Document, dict[str, str]]:
    """A landscape document with the report's styles, and the heading styles' ids by tag."""
    doc = docx.Document()
    styles = {name: doc.styles[name] for name in ("Normal", *_HEADING_SIZES)}
    _set_fonts(styles)
    page_setup(doc.sections[0], landscape=True)
    footer_page_field(doc.sections[0].footer)
    headings = {
        f"h{name[-1]}": style.style_id for name, style in styles.items() if name != "Normal"
    }
    return doc, headings


def _set_fonts(styles: dict[str, object]) -> None:
    for name, style in styles.items():
        font = style.font
        font.name = FONT
        font.size = BASE_SIZE if name == "Normal" else Pt(_HEADING_SIZES[name])
        if name != "Normal":
            font.color.rgb = ACCENT if name != "Heading 1" else RGBColor(0, 0, 0)
            font.bold = True
            font.italic = False
            style.paragraph_format.space_before = Pt(4)
            style.paragraph_format.space_after = Pt(2)
        ooxml.east_asian(style.element.get_or_add_rPr(), FONT)
    normal = styles["Normal"].paragraph_format
    normal.space_after = Pt(1)
    normal.space_before = Pt(0)
    normal.line_spacing = 1.1


def page_setup(section: docx.section.Section, landscape: bool) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = (
        (Mm(297), Mm(210)) if landscape else (Mm(210), Mm(297))
    )
    section.left_margin = section.right_margin = Mm(14)
    section.top_margin = Mm(12)
    section.bottom_margin = Mm(14)


def footer_page_field(footer: object) -> None:
    paragraph = footer.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    ooxml.field(paragraph, "PAGE", "1")


def running_head(section: docx.section.Section, text: str | None) -> None:
    """The section's header: nothing on its first page, *text* on the pages after.

    The first section's footer (the page number) serves every later section, and
    no section defines an empty first-page header (none is blank): a header or
    footer part per section cost more than the rest of the DOCX, as python-docx
    names each new part by walking all the others (132 parts for 岩手, now 71).
    A section's first-page footer stays its own: LibreOffice shows none on a
    section's first page when it is linked to an earlier section's.
    """
    section.different_first_page_header_footer = bool(text)
    section.header.is_linked_to_previous = False  # its own text, or none after one
    if not text:
        return
    section.first_page_footer.is_linked_to_previous = False
    footer_page_field(section.first_page_footer)
    paragraph = section.header.paragraphs[0]
    run = paragraph.add_run(text)
    run.bold = True
    run.font.size = Pt(10)
    run.font.color.rgb = ACCENT


def uncounted_first_page(section: docx.section.Section) -> None:
    """The cover: no number in its footer, and the page after it is page 1."""
    section.different_first_page_header_footer = True
    section.first_page_footer.is_linked_to_previous = False  # an empty footer
    ooxml.restart_numbering(section._sectPr, 0)
