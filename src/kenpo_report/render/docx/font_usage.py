"""Which characters a DOCX draws in which font face: what its embedded fonts must hold.

A run's font and weight come, per attribute, from the first of its direct
properties, its character style, its paragraph style, its table's style and
the document defaults that sets them (each style with the styles it is based
on; ECMA-376 Part 1, §17.7.2). A theme font (``w:asciiTheme``…) is none of the
bundled fonts, so it counts as no family. A run's characters count for every
family its ``w:ascii``/``w:hAnsi``/``w:eastAsia`` name: which one draws a
character depends on the character's script and on ``w:hint``, and a few
characters more cost less than a missing glyph. List numbers and bullets
(``numbering.xml``) count in the font of their level.
"""

from __future__ import annotations

import functools
from collections import defaultdict

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import etree

from kenpo_report.render.docx.ooxml import clark as qn

Face = tuple[str, bool]  # (family, bold)

_SCRIPTS = ("ascii", "hAnsi", "eastAsia")
_OFF = {"0", "false", "off"}
_DIGITS = "0123456789"
# The characters a list number can take, by w:numFmt (the common Japanese ones).
_NUMBER_CHARS = {
    "decimalFullWidth": "０１２３４５６７８９",
    "decimalFullWidth2": "０１２３４５６７８９",
    "decimalEnclosedCircle": "".join(chr(c) for c in range(0x2460, 0x2474)),
    "decimalEnclosedCircleChinese": "".join(chr(c) for c in range(0x2460, 0x2474)),
    "upperLetter": "ABCDEFGHIJKLMNOPQRSTUVWXYZ",
    "lowerLetter": "abcdefghijklmnopqrstuvwxyz",
    "upperRoman": "IVXLCDM",
    "lowerRoman": "ivxlcdm",
    "aiueoFullWidth": "アイウエオカキクケコサシスセソタチツテトナニヌネノハヒフヘホマミムメモヤユヨラリルレロワヲン",
    "irohaFullWidth": "イロハニホヘトチリヌルヲワカヨタレソツネナラムウヰノオクヤマケフコエテアサキユメミシヱヒモセスン",
    "ideographTraditional": "甲乙丙丁戊己庚辛壬癸",
    "japaneseCounting": "〇一二三四五六七八九十百千",
    "none": "",
    "bullet": "",
}


def characters_by_face(
    doc: docx.document.Document, styles: Styles | None = None
) -> dict[Face, set[str]]:
    """The characters each (family, bold) face draws in *doc*'s text, lists and fields
    (*styles*: its styles, with the runs already resolved, see Styles.resolve)."""
    styles = styles or Styles(doc.styles.element)
    used: dict[Face, set[str]] = defaultdict(set)
    parts = [p for p in doc.part.package.iter_parts() if hasattr(p, "element")]
    for part in parts:
        for run in part.element.iter(qn("w:r")):
            families, bold = styles.resolve(run)
            text = _run_text(run, used)
            for family in families:
                used[family, bold].update(text)
    numbering = _numbering(doc)
    if numbering is not None:
        _list_characters(numbering, _numbers_used(parts, styles), styles, used)
    return {face: chars for face, chars in used.items() if chars}


_T, _SYM, _SYM_FONT, _SYM_CHAR = qn("w:t"), qn("w:sym"), qn("w:font"), qn("w:char")
_R_PR, _P, _P_PR, _TBL, _TBL_PR = qn("w:rPr"), qn("w:p"), qn("w:pPr"), qn("w:tbl"), qn("w:tblPr")


def _run_text(run: etree._Element, used: dict[Face, set[str]]) -> str:
    """A run's text; a w:sym's character counts for the w:sym's own font."""
    text = []
    for child in run:
        if child.tag == _T:
            text.append(child.text or "")
        elif child.tag == _SYM and child.get(_SYM_FONT):
            used[child.get(_SYM_FONT), False].add(chr(int(child.get(_SYM_CHAR), 16)))
    return "".join(text)


class Styles:
    """The style hierarchy of styles.xml, as a run's font and weight come from it."""

    def __init__(self, styles: etree._Element) -> None:
        self.by_id = {s.get(qn("w:styleId")): s for s in styles.iterfind(qn("w:style"))}
        self.default_paragraph = next(
            (
                s.get(qn("w:styleId"))
                for s in self.by_id.values()
                if s.get(qn("w:type")) == "paragraph" and s.get(qn("w:default")) in {"1", "true"}
            ),
            None,
        )
        self.defaults = styles.find(f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}")
        self._inherited = functools.lru_cache(maxsize=None)(self._inherited_uncached)
        # Runs resolved already: the font fallback resolves each run of text, the
        # characters counted after it would resolve the same runs again.
        self.resolved: dict[etree._Element, tuple[set[str], bool]] = {}

    def resolve(self, run: etree._Element) -> tuple[set[str], bool]:
        """The families *run* names and whether it is bold."""
        found = self.resolved.get(run)
        if found is not None:
            return found
        rpr = run.find(_R_PR)
        paragraph = next(run.iterancestors(_P), None)
        table = next(run.iterancestors(_TBL), None)
        fonts, bold = self._inherited(
            _val(rpr, "w:rStyle"),
            _val(paragraph.find(_P_PR) if paragraph is not None else None, "w:pStyle"),
            _val(table.find(_TBL_PR) if table is not None else None, "w:tblStyle"),
        )
        direct = [rpr] if rpr is not None else []
        families = {_font(direct, script, family) for script, family in fonts}
        self.resolved[run] = found = families - {None}, _bold(direct, bold)
        return found

    def chain(self, style_id: str | None) -> list[etree._Element]:
        """The run properties of *style_id* and of the styles it is based on, nearest first."""
        out, seen = [], set()
        while style_id and style_id not in seen and style_id in self.by_id:
            seen.add(style_id)
            style = self.by_id[style_id]
            rpr = style.find(qn("w:rPr"))
            if rpr is not None:
                out.append(rpr)
            style_id = _val(style, "w:basedOn")
        return out

    def normal(self) -> list[etree._Element]:
        """The properties of the default paragraph style, then the document defaults."""
        defaults = [self.defaults] if self.defaults is not None else []
        return self.chain(self.default_paragraph) + defaults

    def _inherited_uncached(
        self, rstyle: str | None, pstyle: str | None, tstyle: str | None
    ) -> tuple[tuple[tuple[str, str | None], ...], bool]:
        """(script, family) for each script, and the weight, that the styles give."""
        chain = [
            *self.chain(rstyle),
            *self.chain(pstyle or self.default_paragraph),
            *self.chain(tstyle),
            *([self.defaults] if self.defaults is not None else []),
        ]
        return tuple((s, _font(chain, s, None)) for s in _SCRIPTS), _bold(chain, False)


def _font(chain: list[etree._Element], script: str, inherited: str | None) -> str | None:
    """The family the first properties in *chain* that set *script* give (None: a theme
    font), or *inherited* when none sets it."""
    for rpr in chain:
        fonts = rpr.find(qn("w:rFonts"))
        if fonts is None:
            continue
        if fonts.get(qn(f"w:{script}Theme")):
            return None
        if fonts.get(qn(f"w:{script}")):
            return fonts.get(qn(f"w:{script}"))
    return inherited


def _bold(chain: list[etree._Element], inherited: bool) -> bool:
    for rpr in chain:
        b = rpr.find(qn("w:b"))
        if b is not None:
            return b.get(qn("w:val"), "true") not in _OFF
    return inherited


def _val(parent: etree._Element | None, tag: str) -> str | None:
    if parent is None:
        return None
    child = parent.find(qn(tag))
    return child.get(qn("w:val")) if child is not None else None


# --- lists ----------------------------------------------------------------------


def _numbering(doc: docx.document.Document) -> etree._Element | None:
    # Not doc.part.numbering_part: it adds an empty part to a document without one.
    for rel in doc.part.rels.values():
        if rel.reltype == RT.NUMBERING and not rel.is_external:
            return rel.target_part.element
    return None


def _numbers_used(parts: list, styles: Styles) -> set[str]:
    """The w:numId values of the text's paragraphs, their own or their styles'
    (the template's list styles no paragraph uses do not count)."""
    ids, style_ids = set(), {styles.default_paragraph}
    for part in parts:
        if part.element.tag in {qn("w:styles"), qn("w:numbering")}:
            continue
        for ppr in part.element.iter(qn("w:pPr")):
            ids.add(_val(ppr.find(qn("w:numPr")), "w:numId"))
            style_ids.add(_val(ppr, "w:pStyle"))
    for style_id in style_ids:
        seen = set()
        while style_id in styles.by_id and style_id not in seen:
            seen.add(style_id)
            style = styles.by_id[style_id]
            ppr = style.find(qn("w:pPr"))
            ids.add(_val(ppr.find(qn("w:numPr")) if ppr is not None else None, "w:numId"))
            style_id = _val(style, "w:basedOn")
    return ids - {None}


def _list_characters(
    numbering: etree._Element, used_ids: set[str], styles: Styles, used: dict[Face, set[str]]
) -> None:
    abstract = {a.get(qn("w:abstractNumId")): a for a in numbering.iterfind(qn("w:abstractNum"))}
    normal = styles.normal()
    for num in numbering.iterfind(qn("w:num")):
        if num.get(qn("w:numId")) not in used_ids:
            continue
        target = abstract.get(_val(num, "w:abstractNumId"))
        own = list(num.iter(qn("w:lvl")))  # a w:lvlOverride's own level
        for level in [*(target.iterfind(qn("w:lvl")) if target is not None else ()), *own]:
            text = _val(level, "w:lvlText") or ""
            # "%1." : the level's number (in the characters of its format) and a full stop.
            chars = "".join(c for c in text if c != "%" and not ("%" in text and c.isdigit()))
            if "%" in text:
                chars += _NUMBER_CHARS.get(_val(level, "w:numFmt") or "decimal", _DIGITS)
            rpr = level.find(qn("w:rPr"))
            chain = [*([rpr] if rpr is not None else []), *normal]
            bold = _bold(chain, False)
            for family in {_font(chain, script, None) for script in _SCRIPTS} - {None}:
                used[family, bold].update(chars)
