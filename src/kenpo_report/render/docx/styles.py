"""The document the writer starts from and its styles: paper, headers, footers and fonts.

The styles are Word's own (Normal, Heading 1–4, Header, Footer, and those the
writer's lists take), each with its font named for every script and no theme
font (a theme attribute wins over a named font: Word would show Calibri / ＭＳ
ゴシック), Japanese as the language. :func:`finish` gives them the fonts the PDF
uses (:mod:`.css`) once the document is written, and drops the template's styles
no paragraph uses. :class:`Outline` gives an HTML heading its Word level.
"""

from __future__ import annotations

import docx
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from kenpo_report.render.docx import ooxml
from kenpo_report.render.docx.css import Fonts

FONT = "BIZ UDPGothic"
BASE_SIZE = Pt(9)
# A chart's figures repeat what the picture shows: small, so the page keeps its length.
CHART_FIGURES_SIZE = Pt(7)
NOTE_SIZE = Pt(8)
HEADER_FILL = "DDE6F0"
ACCENT = RGBColor(0x1F, 0x4E, 0x79)
BLACK = RGBColor(0, 0, 0)
# The look of each HTML heading level (h1…h4), as the style of the same Word level has it.
_HEADINGS = {1: (Pt(13), BLACK), 2: (Pt(12), ACCENT), 3: (Pt(10.5), ACCENT), 4: (Pt(10), ACCENT)}
_THEME_FONTS = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
# Where a paragraph part names a style (w:val): kept, with what they are based on.
_STYLE_REFERENCES = (
    "pStyle",
    "rStyle",
    "tblStyle",
    "numStyleLink",
    "styleLink",
    "clickAndTypeStyle",
    "defaultTableStyle",
)
_STYLES_WITH_EFFECTS = "http://schemas.microsoft.com/office/2007/relationships/stylesWithEffects"


def new_document() -> tuple[docx.document.Document, dict[str, str]]:
    """A landscape document with the report's styles, and the heading styles' ids by tag."""
    doc = docx.Document()
    styles = {name: doc.styles[name] for name in ("Normal", *(f"Heading {n}" for n in _HEADINGS))}
    _set_look(styles)
    _current_word(doc.settings.element)
    page_setup(doc.sections[0], landscape=True)
    footer_page_field(doc.sections[0].footer)
    headings = {
        f"h{name[-1]}": style.style_id for name, style in styles.items() if name != "Normal"
    }
    return doc, headings


def _set_look(styles: dict[str, object]) -> None:
    for name, style in styles.items():
        font = style.font
        ooxml.east_asian(style.element.get_or_add_rPr(), FONT)  # until finish() knows the CSS's
        if name == "Normal":
            font.size = BASE_SIZE
            continue
        font.size, font.color.rgb = _HEADINGS[int(name[-1])]
        font.bold = True
        font.italic = False
        style.paragraph_format.space_before = Pt(4)
        style.paragraph_format.space_after = Pt(2)
    normal = styles["Normal"].paragraph_format
    normal.space_after = Pt(1)
    normal.space_before = Pt(0)
    normal.line_spacing = 1.1


def _current_word(settings: object) -> None:
    """Word 2013 and later's layout (compatibility mode 15), not 互換モード; and no
    preview picture saved, as the package has none (:mod:`.package`)."""
    for setting in settings.iter(qn("w:compatSetting")):
        if setting.get(qn("w:name")) == "compatibilityMode":
            setting.set(qn("w:val"), "15")
    for preview in settings.findall(qn("w:savePreviewPicture")):
        settings.remove(preview)


class Outline:
    """Word heading levels for the HTML's headings, met in document order.

    A heading is one level below the nearest heading before it of a higher HTML
    level, so the outline skips none: an h4 under an h2 (大分's blocks under a
    measure) is a Heading 3, and a document that starts at h2 starts at Heading 1.
    """

    def __init__(self) -> None:
        self._open: list[tuple[int, int]] = []  # (HTML level, Word level) of the enclosing ones

    def level(self, html_level: int) -> int:
        while self._open and self._open[-1][0] >= html_level:
            self._open.pop()
        word = self._open[-1][1] + 1 if self._open else 1
        self._open.append((html_level, word))
        return word


def keep_look(
    paragraph: Paragraph, html_level: int, size: float | None, colour: str | None
) -> None:
    """The heading's size and colour as its CSS gives them (else as *html_level*'s heading
    has them) on the runs of *paragraph*: the page looks as the PDF whatever the Word
    level the outline gave it and whatever the style's CSS says of that level."""
    default_size, default_colour = _HEADINGS[html_level]
    for r in paragraph._p.iter(ooxml.R):
        run = Run(r, paragraph)
        run.font.size = Pt(size) if size else default_size
        run.font.color.rgb = RGBColor.from_string(colour.upper()) if colour else default_colour


def finish(doc: docx.document.Document, fonts: Fonts) -> None:
    """The styles once the document is written: the PDF's fonts, named in every style
    kept (no theme font anywhere), Japanese defaults, and only the styles in use."""
    styles = doc.styles.element
    defaults = styles.find(qn("w:docDefaults"))
    rpr = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    ooxml.east_asian(rpr, fonts.body)
    rpr.find(qn("w:lang")).set(qn("w:val"), "ja-JP")
    _drop_unused(doc)
    own = {"Normal": fonts.body, "Header": FONT, "Footer": FONT}  # base.css: @page in Gothic
    own.update({f"Heading{n}": fonts.headings for n in _HEADINGS})
    by_id = {s.get(qn("w:styleId")): s for s in styles.iterfind(qn("w:style"))}
    for style in by_id.values():
        for rfonts in style.iter(qn("w:rFonts")):
            for attr in _THEME_FONTS:
                rfonts.attrib.pop(qn(f"w:{attr}"), None)
    for style_id, style in by_id.items():
        kind = style.get(qn("w:type"))
        if kind == "paragraph" or (kind == "character" and style.get(qn("w:default")) != "1"):
            font = _font_of(style_id, by_id, own, fonts.body)
            ooxml.east_asian(style.get_or_add_rPr(), font)
    for rel in [r for r in doc.part.rels.values() if r.reltype == _STYLES_WITH_EFFECTS]:
        # Word 2010's copy of the styles, which would contradict these.
        del doc.part.rels[rel.rId]


def _font_of(style_id: str, by_id: dict, own: dict[str, str], body: str) -> str:
    """The font a style is given: its own, its linked paragraph style's (a heading's
    character style), or what it is based on."""
    seen: set[str] = set()
    while style_id and style_id not in seen:
        seen.add(style_id)
        if style_id in own:
            return own[style_id]
        style = by_id.get(style_id)
        if style is None:
            break
        fonts = style.find(f"{qn('w:rPr')}/{qn('w:rFonts')}")
        if fonts is not None and fonts.get(qn("w:eastAsia")):
            return fonts.get(qn("w:eastAsia"))
        link, based = style.find(qn("w:link")), style.find(qn("w:basedOn"))
        following = link if style.get(qn("w:type")) == "character" and link is not None else based
        style_id = following.get(qn("w:val")) if following is not None else ""
    return body


def _drop_unused(doc: docx.document.Document) -> None:
    """Remove the template's styles that nothing uses (160 of them: list, table and
    quote styles with theme fonts); the ones in use keep what they are based on."""
    styles = doc.styles.element
    path = " | ".join(f".//w:{tag}/@w:val" for tag in _STYLE_REFERENCES)
    wanted = {
        value
        for part in doc.part.package.iter_parts()
        if getattr(part, "_element", styles) is not styles
        for value in part._element.xpath(path)
    }
    by_id = {s.get(qn("w:styleId")): s for s in styles.iterfind(qn("w:style"))}
    wanted |= {i for i, s in by_id.items() if s.get(qn("w:default")) == "1"}
    todo = list(wanted)
    while todo:
        style = by_id.get(todo.pop())
        if style is None:
            continue
        for tag in ("basedOn", "next", "link"):
            ref = style.find(qn(f"w:{tag}"))
            if ref is not None and ref.get(qn("w:val")) not in wanted:
                wanted.add(ref.get(qn("w:val")))
                todo.append(ref.get(qn("w:val")))
    for style_id, style in by_id.items():
        if style_id not in wanted:
            styles.remove(style)


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
    ooxml.field(paragraph, "PAGE", "1", dirty=False)  # Word lays every page's number out


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
