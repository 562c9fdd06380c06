"""Characters a run's font lacks, given a bundled font that has them, as the PDF's CSS does.

The stylesheets name a list of families (``"BIZ UDPGothic", "Kenpo Symbols"``):
WeasyPrint draws ☚ from Kenpo Symbols, which BIZ UDPGothic lacks. A DOCX run
has one font per script, so a reader without a fallback of its own draws such
a character in whatever font its system has (LibreOffice: DejaVu). Here each
such character goes into a run of its own, a copy of its run with the first
bundled family that has the character (by name: BIZ UDPGothic, BIZ UDPMincho,
Kenpo Symbols). Only runs of plain text in bundled fonts are looked at.
"""

from __future__ import annotations

import copy
import functools
from itertools import groupby
from pathlib import Path

import docx
import uharfbuzz as hb
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from lxml import etree

from kenpo_report.render.docx import ooxml
from kenpo_report.render.docx.font_usage import Face, Styles


def fall_back(
    doc: docx.document.Document, faces: dict[Face, Path], styles: Styles | None = None
) -> None:
    """Split *doc*'s runs so that every character is in a bundled font that has it
    (*styles*: its styles, which learn how each piece resolves)."""
    cmaps = {family: _cmap(path) for (family, bold), path in sorted(faces.items()) if not bold}
    if not cmaps:
        return
    styles = styles or Styles(doc.styles.element)
    for part in doc.part.package.iter_parts():
        if not hasattr(part, "element"):
            continue
        for run in list(part.element.iter(qn("w:r"))):
            text = _plain_text(run)
            if not text:
                continue
            families, bold = styles.resolve(run)
            if families and families <= cmaps.keys() and not _drawn(text, families, cmaps):
                pieces = _pieces(text, families, cmaps)
                if any(family for _, family in pieces):
                    for piece, family in _split(run, pieces):
                        # A piece is its run, or names its family for every script.
                        styles.resolved[piece] = ({family} if family else families, bold)


def _plain_text(run: etree._Element) -> str | None:
    """The text of a run of properties and one w:t, else None."""
    children = [c for c in run if c.tag != qn("w:rPr")]
    if len(children) == 1 and children[0].tag == qn("w:t"):
        return children[0].text
    return None


def _drawn(text: str, families: set[str], cmaps: dict[str, frozenset[int]]) -> bool:
    """Whether the run's own *families* have every character of *text* but spaces (most
    runs: no need to look at each character)."""
    missing = set(map(ord, text))
    for family in families:
        missing -= cmaps[family]
    return all(chr(code).isspace() for code in missing)


def _pieces(
    text: str, families: set[str], cmaps: dict[str, frozenset[int]]
) -> list[tuple[str, str | None]]:
    """*text* in pieces, each with the family to draw it in (None: the run's own)."""

    def family(char: str) -> str | None:
        code = ord(char)
        if char.isspace() or any(code in cmaps[f] for f in families):
            return None
        return next((f for f in cmaps if code in cmaps[f]), None)

    return [("".join(chars), f) for f, chars in groupby(text, key=family)]


def _split(
    run: etree._Element, pieces: list[tuple[str, str | None]]
) -> list[tuple[etree._Element, str | None]]:
    """*run* replaced by a copy per piece, each with its family (None: the run's own)."""
    out = []
    for text, family in pieces:
        piece = copy.deepcopy(run)
        t = piece.find(qn("w:t"))
        t.text = text
        if text.strip() != text:
            t.set(qn("xml:space"), "preserve")
        if family is not None:
            rpr = piece.find(qn("w:rPr"))
            if rpr is None:
                rpr = OxmlElement("w:rPr")
                piece.insert(0, rpr)
            fonts = ooxml.put(rpr, OxmlElement("w:rFonts"))  # no theme font left to win
            for script in ("ascii", "hAnsi", "eastAsia", "cs"):
                fonts.set(qn(f"w:{script}"), family)
        run.addprevious(piece)
        out.append((piece, family))
    run.getparent().remove(run)
    return out


def _cmap(path: Path) -> frozenset[int]:
    return frozenset(face_of(path).unicodes)


def face_of(path: Path) -> hb.Face:
    """The HarfBuzz face of the font at *path*, read once per process."""
    return _face(str(path), path.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _face(path: str, stamp: int) -> hb.Face:
    return hb.Face(hb.Blob(Path(path).read_bytes()))  # no file left open
