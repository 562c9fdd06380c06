"""Word lists: the marks that begin list items, and the numbering part that draws them.

The HTML types its bullets as text: a ``li`` starts with its mark (``span.mark`` or
typed, 「• 中長期…」), and some paragraphs begin with one (「・…」 plan items,
「■…」 titles, 「◇…」 lines of a sheet). In the DOCX the mark comes from a list
level instead (``w:numPr`` → ``numbering.xml``), so that Word continues the list
on Enter and its list tools apply; the paragraph's text no longer holds it.

:func:`leading_mark` reads the mark an element begins with, :func:`without_mark`
gives the element without it, :func:`split_lines` cuts a paragraph at the line
breaks that start a new item; :class:`Lists` writes the definitions, one per mark
and indent, and sets a paragraph's ``numPr``.
"""

from __future__ import annotations

import copy
import re
from dataclasses import dataclass

from docx.document import Document
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.render.docx import ooxml

GOTHIC = "BIZ UDPGothic"
SYMBOLS = "Kenpo Symbols"  # fonts/KenpoSymbols-Regular.ttf: ☚ ➣ and the Wingdings U+F06C, U+F0D8
# A bullet as typed -> the level's text and its font. Wingdings code points (as Office
# exports them) become Unicode: ● is in BIZ UD; the arrow U+F0D8 has the same outline
# as ➣ in Kenpo Symbols, where the PDF takes it from. ➢ is in no bundled font.
BULLETS: dict[str, tuple[str, str | None]] = {
    **{g: (g, GOTHIC) for g in "•・●○〇◎◆◇■□▼▶"},
    "➢": ("➢", None),
    "➣": ("➣", SYMBOLS),
    "\uf06c": ("●", GOTHIC),
    "\uf0d8": ("➣", SYMBOLS),
}
_SPACES = " \t\u3000"
_NUM_PR = qn("w:numPr")
# Typed numbers Word can count: (pattern, numFmt, lvlText); group 1 is the number.
_NUMBERS = (
    (re.compile(r"([①-⑳])"), "decimalEnclosedCircle", "%1"),
    (re.compile(r"([⑴-⒇])"), "decimalEnclosedParen", "%1"),
    (re.compile(r"（([１-９][０-９]?)）"), "decimalFullWidth", "（%1）"),
    (re.compile(r"([１-９][０-９]?)．"), "decimalFullWidth", "%1．"),
    (re.compile(r"([1-9][0-9]?)\.(?![0-9])"), "decimal", "%1."),
)
_FIRST_NUMBER = {"decimalEnclosedCircle": 0x2460, "decimalEnclosedParen": 0x2474}
HANGING = 216  # twips: a list item's later lines, 1.2em of the 9 pt text (base.css ul.bullets li)


@dataclass(frozen=True)
class Mark:
    """What an item begins with: *typed* (removed from its text), shown as a level."""

    typed: str
    fmt: str = "bullet"  # a numFmt
    text: str = ""  # lvlText
    font: str | None = None
    value: int = 0  # a number's value
    spaced: bool = False  # a space after it (the level's suffix)


def _first_text(el: lxml_html.HtmlElement) -> tuple[lxml_html.HtmlElement, str] | None:
    """The element and attribute ("text" or "tail") holding *el*'s first visible text."""
    if (el.text or "").strip():
        return el, "text"
    for child in el:
        if not isinstance(child.tag, str):
            continue
        if child.tag == "br" or child.tag == "img":
            return None
        found = _first_text(child)
        if found is not None:
            return found
        if (child.tail or "").strip():
            return child, "tail"
    return None


def leading_mark(el: lxml_html.HtmlElement, numbers: bool = False) -> Mark | None:
    """The bullet (or, with *numbers*, the typed number) *el*'s text begins with: one of
    :data:`BULLETS`, or what a ``span.mark`` holds (a style's or the plan's own bullet).

    A mark alone is no item (a table's 〇, a calendar's ●): text must follow it.
    """
    found = _first_text(el)
    if found is None:
        return None
    holder, attr = found
    text = getattr(holder, attr).lstrip()
    own = text.strip(_SPACES) if attr == "text" and "mark" in holder.classes else ""
    if own and "%" not in own:  # % would be a level's number in lvlText
        shown, font = BULLETS.get(own, (own, GOTHIC))
        mark = Mark(text, text=shown, font=font)
    elif text[0] in BULLETS:
        shown, font = BULLETS[text[0]]
        # Kenpo Symbols has no space, and a level's suffix is drawn in the level's font:
        # the space stays in the item's text.
        spaced = text[1:2] in tuple(_SPACES) and font != SYMBOLS
        mark = Mark(text[0], text=shown, font=font, spaced=spaced)
    else:
        mark = _number(text) if numbers else None
        if mark is None:
            return None
    following = "".join(el.itertext()).strip()[len(mark.typed) :]
    return mark if following.strip() else None


def _number(text: str) -> Mark | None:
    for pattern, fmt, shown in _NUMBERS:
        match = pattern.match(text)
        if match:
            digits = match.group(1)
            base = _FIRST_NUMBER.get(fmt)
            value = ord(digits) - base + 1 if base else int(digits)  # int() reads full-width
            spaced = text[match.end() : match.end() + 1] in tuple(_SPACES)
            return Mark(match.group(0), fmt, shown, GOTHIC, value, spaced)
    return None


def without_mark(el: lxml_html.HtmlElement, mark: Mark) -> lxml_html.HtmlElement:
    """A copy of *el* whose text no longer begins with *mark* (nor the space after it,
    when the level's suffix draws it)."""
    out = copy.deepcopy(el)
    out.tail = None
    holder, attr = _first_text(out)
    text = getattr(holder, attr).lstrip()[len(mark.typed) :]
    setattr(holder, attr, text.lstrip(_SPACES) if mark.spaced else text)
    return out


def split_lines(el: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    """*el* cut at each ``br`` whose next line begins with a bullet: one element an item.

    「■医療機関照会…<br>■負傷原因照会…」 is two items; a line without a mark stays in
    the item above it.
    """
    parts = [el.makeelement(el.tag, el.attrib)]
    parts[0].text = el.text
    for child in el:
        line = (child.tail or "").lstrip()
        if child.tag == "br" and line[:1] in BULLETS and line[1:].strip(_SPACES):
            parts.append(el.makeelement(el.tag, el.attrib))
            parts[-1].text = child.tail
            continue
        parts[-1].append(copy.deepcopy(child))
    return parts if len(parts) > 1 else [el]


def numbered_run(marks: list[Mark | None]) -> set[int]:
    """Indices of *marks* that Word may number: per format, values that follow on."""
    keep: set[int] = set()
    by_format: dict[str, list[int]] = {}
    for index, mark in enumerate(marks):
        if mark is not None and mark.fmt != "bullet":
            by_format.setdefault(mark.fmt + mark.text, []).append(index)
    for indices in by_format.values():
        values = [marks[i].value for i in indices]
        if values == list(range(values[0], values[0] + len(values))):
            keep.update(indices)
    return keep


class Lists:
    """The document's list definitions, made as items need them, after the template's own."""

    LIST_STYLE = "ListBullet"  # 箇条書き: a ul's items, with their hanging indent
    FLUSH_STYLE = "ListParagraph"  # a paragraph that begins with a mark: no indent

    def __init__(self, doc: Document) -> None:
        self.numbering = doc.part.numbering_part.element
        ids = [int(n.get(qn("w:abstractNumId"))) for n in self._all("abstractNum")]
        self.next_abstract = max(ids, default=-1) + 1
        nums = [int(n.get(qn("w:numId"))) for n in self._all("num")]
        self.next_num = max(nums, default=0) + 1
        self.bullets: dict[tuple, int] = {}  # level key -> numId
        self.abstracts: dict[tuple, int] = {}  # level key -> abstractNumId
        self._styles(doc)

    def _all(self, tag: str) -> list:
        return self.numbering.findall(qn(f"w:{tag}"))

    def _styles(self, doc: Document) -> None:
        """The list styles with the seeds' indents; 箇条書き's own list is the 「・」 one,
        so that the style applied in Word gives a bullet."""
        styles = doc.styles.element
        for style_id, left, hanging in (
            (self.LIST_STYLE, HANGING, HANGING),
            (self.FLUSH_STYLE, 0, 0),
        ):
            style = styles.get_by_id(style_id)
            ppr = style.get_or_add_pPr()
            for child in list(ppr):
                ppr.remove(child)
            if style_id == self.LIST_STYLE:
                num = self._bullet_num(Mark("・", text="・", font=GOTHIC), HANGING)
                ppr.append(_num_pr(num))
            ppr.append(_ind(left, hanging))

    def item(
        self,
        paragraph: Paragraph,
        mark: Mark | None,
        hanging: bool,
        num: int = 0,
        styled: bool = True,
    ) -> None:
        """*paragraph* as a list item shown with *mark* (none: an item without one);
        *num*: the list a numbered item counts in (:meth:`numbered`); *styled*: given
        the list style (a heading keeps its own)."""
        indent = HANGING if hanging else 0
        mark = mark or Mark("", fmt="none")
        num = num or self._bullet_num(mark, indent)
        ppr = paragraph._p.get_or_add_pPr()
        if styled:
            ooxml.paragraph_style(ppr, self.LIST_STYLE if hanging else self.FLUSH_STYLE)
        num_pr = ppr.find(_NUM_PR)
        if num_pr is None:
            ooxml.put(ppr, _num_pr(num))  # in the schema's place among pPr's children
        else:
            num_pr.get_or_add_ilvl().val = 0
            num_pr.get_or_add_numId().val = num

    def of_items(self, items: list[lxml_html.HtmlElement]) -> list[tuple[Mark | None, int]]:
        """A ``ul``'s items: each one's mark, and for a counted number its list's numId
        (0 for a bullet). Numbers that do not follow on stay as typed (no mark)."""
        found = [leading_mark(li, numbers=True) for li in items]
        counted = numbered_run(found)
        lists: dict[str, int] = {}
        out: list[tuple[Mark | None, int]] = []
        for index, mark in enumerate(found):
            if mark is None or mark.fmt == "bullet":
                out.append((mark, 0))
            elif index not in counted:
                out.append((None, 0))
            else:
                key = mark.fmt + mark.text
                lists[key] = lists.get(key) or self.numbered(mark, hanging=True)
                out.append((mark, lists[key]))
        return out

    def numbered(self, mark: Mark, hanging: bool) -> int:
        """A new list counting from *mark*'s value (a ``ul``'s ①②…)."""
        abstract = self._abstract(mark, HANGING if hanging else 0)
        num = self._num(abstract)
        override = OxmlElement("w:lvlOverride", {qn("w:ilvl"): "0"})
        override.append(OxmlElement("w:startOverride", {qn("w:val"): str(mark.value)}))
        num.append(override)
        return int(num.get(qn("w:numId")))

    def _bullet_num(self, mark: Mark, indent: int) -> int:
        key = (mark.fmt, mark.text, mark.font, mark.spaced, indent)
        if key not in self.bullets:
            num = self._num(self._abstract(mark, indent))
            self.bullets[key] = int(num.get(qn("w:numId")))
        return self.bullets[key]

    def _abstract(self, mark: Mark, indent: int) -> int:
        key = (mark.fmt, mark.text, mark.font, mark.spaced, indent)
        if key in self.abstracts:
            return self.abstracts[key]
        number = self.next_abstract
        self.next_abstract += 1
        element = abstract_num(number, mark, indent)
        existing = self._all("abstractNum")
        if existing:
            existing[-1].addnext(element)
        else:
            self.numbering.insert(0, element)
        self.abstracts[key] = number
        return number

    def _num(self, abstract: int) -> OxmlElement:
        num = OxmlElement("w:num", {qn("w:numId"): str(self.next_num)})
        self.next_num += 1
        num.append(OxmlElement("w:abstractNumId", {qn("w:val"): str(abstract)}))
        nums = self._all("num")
        if nums:
            nums[-1].addnext(num)
        else:
            self._all("abstractNum")[-1].addnext(num)
        return num


def abstract_num(number: int, mark: Mark, indent: int) -> OxmlElement:
    """A one-level list definition: *mark*'s text in its font, then the item's text."""
    out = OxmlElement("w:abstractNum", {qn("w:abstractNumId"): str(number)})
    # nsid: the list's identity when Word pastes between documents; fixed, so the
    # output stays deterministic.
    out.append(OxmlElement("w:nsid", {qn("w:val"): f"4B50{number:04X}"}))
    out.append(OxmlElement("w:multiLevelType", {qn("w:val"): "singleLevel"}))
    level = OxmlElement("w:lvl", {qn("w:ilvl"): "0"})
    out.append(level)
    level.append(OxmlElement("w:start", {qn("w:val"): "1"}))
    level.append(OxmlElement("w:numFmt", {qn("w:val"): mark.fmt}))
    level.append(OxmlElement("w:suff", {qn("w:val"): "space" if mark.spaced else "nothing"}))
    level.append(OxmlElement("w:lvlText", {qn("w:val"): mark.text}))
    level.append(OxmlElement("w:lvlJc", {qn("w:val"): "left"}))
    ppr = OxmlElement("w:pPr")
    ppr.append(_ind(indent, indent))
    level.append(ppr)
    rpr = OxmlElement("w:rPr")
    if mark.font:
        fonts = {qn(f"w:{a}"): mark.font for a in ("ascii", "eastAsia", "hAnsi", "cs")}
        rpr.append(OxmlElement("w:rFonts", {**fonts, qn("w:hint"): "eastAsia"}))
    # Never bold, even in a heading: the regular face's embedded subset holds the glyph
    # (font_usage counts a level's characters in the level's own font and weight).
    rpr.append(OxmlElement("w:b", {qn("w:val"): "0"}))
    level.append(rpr)
    return out


def _num_pr(num: int) -> OxmlElement:
    out = OxmlElement("w:numPr")
    out.append(OxmlElement("w:ilvl", {qn("w:val"): "0"}))
    out.append(OxmlElement("w:numId", {qn("w:val"): str(num)}))
    return out


def _ind(left: int, hanging: int) -> OxmlElement:
    return OxmlElement("w:ind", {qn("w:left"): str(left), qn("w:hanging"): str(hanging)})
