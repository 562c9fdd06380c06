"""Build fonts/KenpoSymbols-Regular.ttf: the Wingdings bullets of the source documents.

The source reports were typed in Office with Wingdings bullets, so their text
layer carries Private Use Area code points (U+F06C ●, U+F0D8 ➢). To keep the
same characters in our PDF and DOCX *and* draw a real glyph (never □), we ship
a tiny font that maps those code points to glyphs taken from BIZ UDPGothic
(SIL OFL 1.1; this derivative has its own name as the licence asks).

Run from the repository root:  .venv/bin/python scripts/make_symbol_font.py
"""

from __future__ import annotations

import copy
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTFont

SOURCE = Path("fonts/BIZUDPGothic-Regular.ttf")
TARGET = Path("fonts/KenpoSymbols-Regular.ttf")
# Wingdings code points (as Office exports them), and symbols BIZ UDPGothic lacks
# (➣ U+27A3, ☚ U+261A) -> the character whose glyph we borrow.
MAPPING = {0xF06C: "●", 0xF0D8: "▶", 0x27A3: "▶", 0x261A: "◀"}
FAMILY = "Kenpo Symbols"


def main() -> None:
    font = TTFont(SOURCE)
    options = subset.Options()
    options.name_IDs = []
    options.notdef_outline = True
    options.layout_features = []
    options.drop_tables += ["GSUB", "meta"]
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=[ord(c) for c in MAPPING.values()])
    subsetter.subset(font)
    best = font.getBestCmap()
    # One glyph per code point: PDF text extraction maps glyphs back to characters
    # (ToUnicode), so two code points sharing a glyph would read back as one.
    glyf = font["glyf"]
    metrics = [font[tag].metrics for tag in ("hmtx", "vmtx") if tag in font]
    order = [".notdef"]
    cmap = {}
    for code, char in MAPPING.items():
        name = f"uni{code:04X}"
        glyf.glyphs[name] = copy.deepcopy(glyf[best[ord(char)]])
        for table in metrics:
            table[name] = table[best[ord(char)]]
        order.append(name)
        cmap[code] = name
    for name in list(glyf.glyphs):
        if name not in order:
            del glyf.glyphs[name]
            for table in metrics:
                del table[name]
    font.setGlyphOrder(order)
    glyf.glyphOrder = order
    font["maxp"].numGlyphs = len(order)
    for table in font["cmap"].tables:
        if table.isUnicode():
            table.cmap = cmap
    name = font["name"]
    name.names = []
    for name_id, text in (
        (0, "Copyright 2022 The BIZ UDGothic Project Authors; derivative for kenpo-report"),
        (1, FAMILY),
        (2, "Regular"),
        (3, f"{FAMILY} Regular"),
        (4, f"{FAMILY} Regular"),
        (5, "Version 1.000"),
        (6, "KenpoSymbols-Regular"),
        (13, "SIL Open Font License 1.1 (fonts/OFL.txt)"),
    ):
        name.setName(text, name_id, 3, 1, 0x409)
    font["head"].modified = font["head"].created  # reproducible bytes
    font.save(TARGET)
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")


if __name__ == "__main__":
    main()
