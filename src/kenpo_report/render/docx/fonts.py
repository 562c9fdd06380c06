"""The bundled fonts, embedded in the DOCX as Word embeds them (ECMA-376 Part 1, §17.8).

Each character goes to a bundled font that has it (:mod:`.font_fallback`); then
each face the document draws with (:mod:`.font_usage`) that ``fonts/`` has —
BIZ UDPGothic Regular and Bold, BIZ UDPMincho, Kenpo Symbols — becomes a part
``word/fonts/fontN.odttf``: the font subset to the characters that face draws,
obfuscated with a key of its own (§17.8.1: the first 32 bytes XORed with the
key GUID's bytes, last first) and related from ``fontTable.xml``
(``w:embedRegular``/``w:embedBold``, §17.8.3.3). ``fontTable.xml`` describes
each family as Word does — its Japanese name, charset, family, pitch, PANOSE
and signature from the font's OS/2 table — so that a reader that does not take
embedded fonts substitutes a like one; ``settings.xml`` says the fonts are
embedded and subset. The SIL OFL (``fonts/OFL.txt``) allows embedding; the
subsets keep the fonts' names. The key is made from the subset's bytes, so the
same document gives the same file.
"""

from __future__ import annotations

import functools
import hashlib
import uuid
from pathlib import Path

import docx
import uharfbuzz as hb
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement
from docx.oxml.ns import nsdecls, qn
from fontTools.ttLib import TTFont
from lxml import etree

from kenpo_report.render.docx import ooxml
from kenpo_report.render.docx.font_fallback import face_of, fall_back
from kenpo_report.render.docx.font_usage import Face, Styles, characters_by_face

OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
FONT_PART = "/word/fonts/font%d.odttf"
# Kept in every subset: the digits a PAGE or PAGEREF field shows once Word updates it,
# and the space a list's number is followed by (LibreOffice draws it in the number's font).
_ALWAYS = "0123456789 "
_JAPANESE, _ENGLISH = 0x0411, 0x0409
# Any fixed namespace: a font key is a function of the subset's bytes alone.
_KEYS = uuid.UUID("6b656e70-6f2d-7265-706f-72742d666f6e")
_PANOSE = (
    "bFamilyType",
    "bSerifStyle",
    "bWeight",
    "bProportion",
    "bContrast",
    "bStrokeVariation",
    "bArmStyle",
    "bLetterForm",
    "bMidline",
    "bXHeight",
)
# ulCodePageRange1 bits and the Windows charset Word writes for them (symbol first).
_CHARSETS = ((31, "02"), (17, "80"), (18, "86"), (19, "81"), (20, "88"))


def embed(doc: docx.document.Document, fonts: Path) -> None:
    """Embed in *doc* a subset of each face of *fonts* it draws with, and describe them."""
    available = faces(fonts)
    styles = Styles(doc.styles.element)  # one resolution of each run serves both
    fall_back(doc, available, styles)
    wanted: dict[Face, set[str]] = {}
    for (family, bold), chars in characters_by_face(doc, styles).items():
        # A bold run in a family without a bold face: the reader emboldens the regular one.
        face = (family, bold) if (family, bold) in available else (family, False)
        if face in available:
            wanted.setdefault(face, set()).update(chars)
    if not wanted:
        return
    package = doc.part.package
    table_part = _font_table_part(doc)
    table = etree.fromstring(table_part.blob)
    described: dict[str, etree._Element] = {}
    for family, bold in sorted(wanted):
        data = subset_font(available[family, bold], "".join(sorted(wanted[family, bold])))
        key = font_key(data)
        part = Part(
            package.next_partname(FONT_PART), OBFUSCATED_FONT, obfuscate(data, key), package
        )
        if family not in described:
            regular = available.get((family, False), available[family, bold])
            described[family] = describe(_font_element(table, family), regular)
        relation = etree.SubElement(
            described[family], qn("w:embedBold" if bold else "w:embedRegular")
        )
        relation.set(qn("r:id"), table_part.relate_to(part, RT.FONT))
        relation.set(qn("w:fontKey"), key)
        relation.set(qn("w:subsetted"), "1")
    # A part python-docx reads as bytes only (it has no class for the font table).
    table_part._blob = etree.tostring(
        table, xml_declaration=True, encoding="UTF-8", standalone=True
    )
    _settings(doc.settings.element)


def obfuscate(data: bytes, key: str) -> bytes:
    """*data* with its first 32 bytes XORed with *key*'s 16 bytes, last byte first
    (ECMA-376 Part 1, §17.8.1); its own inverse."""
    mask = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1] * 2
    return bytes(a ^ b for a, b in zip(data[:32], mask, strict=False)) + data[32:]


def font_key(data: bytes) -> str:
    """A GUID for w:fontKey, upper case as Word writes it (LibreOffice reads no other)."""
    return "{" + str(uuid.uuid5(_KEYS, hashlib.sha256(data).hexdigest())).upper() + "}"


def faces(folder: Path) -> dict[Face, Path]:
    """The TrueType faces in *folder*: (family, bold) -> file; italic faces are left out."""
    files = sorted(folder.glob("*.ttf")) if folder.is_dir() else []
    return dict(_faces(tuple((str(p), p.stat().st_mtime_ns) for p in files)))


@functools.lru_cache(maxsize=8)
def _faces(files: tuple[tuple[str, int], ...]) -> tuple[tuple[Face, Path], ...]:
    out: dict[Face, Path] = {}
    for path, _ in files:
        with TTFont(path, lazy=True) as font:
            style = font["head"].macStyle
            family = _name(font, 16, _ENGLISH) or _name(font, 1, _ENGLISH)
        if family and not style & 2:
            out.setdefault((family, bool(style & 1)), Path(path))
    return tuple(out.items())


def subset_font(path: Path, chars: str) -> bytes:
    """The font at *path* with the glyphs of *chars* (and :data:`_ALWAYS`) only, unhinted."""
    return _subset(str(path), path.stat().st_mtime_ns, "".join(sorted(set(chars + _ALWAYS))))


@functools.lru_cache(maxsize=16)
def _subset(path: str, stamp: int, chars: str) -> bytes:
    # HarfBuzz's subsetter (as WeasyPrint's PDF fonts): milliseconds where fontTools
    # decompiles a CJK font's cmap and glyph order for most of a second per face.
    plan = hb.SubsetInput()
    plan.unicode_set.update(ord(c) for c in chars)
    plan.flags = hb.SubsetFlags.NO_HINTING | hb.SubsetFlags.NOTDEF_OUTLINE  # unhinted: a
    # third of a CJK subset; print and today's screens do without
    for kept in (plan.name_id_set, plan.name_lang_id_set):  # every name in every
        kept.clear()  # language: the family's Japanese name too
        kept.add_range(0, 0xFFFF)
    for tag in (b"DSIG", b"meta"):
        plan.drop_table_tag_set.add(int.from_bytes(tag, "big"))
    subset = hb.subset(face_of(Path(path)), plan)
    if subset is None:
        raise RuntimeError(f"HarfBuzz could not subset {path}")
    return bytes(subset.blob.data)


def describe(element: etree._Element, path: Path) -> etree._Element:
    """*element* (a w:font) with what Word writes of the font at *path*, in the schema's order."""
    with TTFont(str(path), lazy=True) as font:
        os2, fixed = font["OS/2"], font["post"].isFixedPitch
        alternative = _name(font, 1, _JAPANESE)
    for child in list(element):
        element.remove(child)
    pages = os2.ulCodePageRange1
    values = {
        "altName": alternative if alternative != element.get(qn("w:name")) else None,
        "panose1": "".join(f"{getattr(os2.panose, field):02X}" for field in _PANOSE),
        "charset": next((c for bit, c in _CHARSETS if pages >> bit & 1), "00"),
        "family": _family(os2.panose),
        "pitch": "fixed" if fixed else "variable",
    }
    for tag, value in values.items():
        if value:
            etree.SubElement(element, qn(f"w:{tag}")).set(qn("w:val"), value)
    signature = etree.SubElement(element, qn("w:sig"))
    ranges = [getattr(os2, f"ulUnicodeRange{i}") for i in range(1, 5)]
    ranges += [os2.ulCodePageRange1, os2.ulCodePageRange2]
    for name, value in zip(("usb0", "usb1", "usb2", "usb3", "csb0", "csb1"), ranges, strict=True):
        signature.set(qn(f"w:{name}"), f"{value:08X}")
    return element


def _family(panose: object) -> str:
    """Word's font family (ST_FontFamily) from the PANOSE classification."""
    if panose.bFamilyType == 2:  # Latin text
        if panose.bProportion == 9:  # monospaced
            return "modern"
        if panose.bSerifStyle in (11, 12, 13):  # normal, obtuse, perpendicular sans
            return "swiss"
        return "roman" if panose.bSerifStyle > 1 else "auto"
    return {3: "script", 4: "decorative"}.get(panose.bFamilyType, "auto")


def _name(font: TTFont, name_id: int, language: int) -> str | None:
    record = font["name"].getName(name_id, 3, 1, language)
    return record.toUnicode() if record is not None else None


def _font_element(table: etree._Element, family: str) -> etree._Element:
    for font in table.iterfind(qn("w:font")):
        if font.get(qn("w:name")) == family:
            return font
    font = etree.SubElement(table, qn("w:font"))
    font.set(qn("w:name"), family)
    return font


def _font_table_part(doc: docx.document.Document) -> Part:
    try:
        return doc.part.part_related_by(RT.FONT_TABLE)
    except KeyError:  # a template without one
        blob = f"<w:fonts {nsdecls('w', 'r')}/>".encode()
        part = Part(PackURI("/word/fontTable.xml"), CT.WML_FONT_TABLE, blob, doc.part.package)
        doc.part.relate_to(part, RT.FONT_TABLE)
        return part


def _settings(settings: etree._Element) -> None:
    """w:embedTrueTypeFonts and w:saveSubsetFonts, where CT_Settings' order puts them."""
    for tag in ("embedTrueTypeFonts", "saveSubsetFonts"):
        if settings.find(qn(f"w:{tag}")) is None:
            ooxml.put(settings, OxmlElement(f"w:{tag}"))
