"""The site index's fonts: the bundled BIZ UDPGothic, cut to the page's characters.

The index must not depend on the reader's fonts (a missing glyph would be drawn from a
system font, or not at all), so ``kenpo-report site`` writes its fonts beside it, in
``_fonts/`` (no branch id starts with ``_``): each bundled face reduced to the characters
the page uses (HarfBuzz, as the HTML output does: a few dozen kB instead of 4.6 MB), named
by its content hash so that a browser never pairs a new page with an old cut, and the
licence (OFL.txt) with them. Cuts no page names any more are removed.
"""

from __future__ import annotations

import contextlib
import hashlib
import re
import string
from dataclasses import dataclass
from pathlib import Path

from kenpo_report.build.writer import write_file
from kenpo_report.project import Project
from kenpo_report.render.html import subset

FOLDER = "_fonts"
FAMILY = "BIZ UDPGothic"
LICENCE = "OFL.txt"
# The bundled files of the faces the page uses, by CSS font-weight.
FACES = (("normal", "BIZUDPGothic-Regular.ttf"), ("bold", "BIZUDPGothic-Bold.ttf"))
_CUT = re.compile(r"BIZUDPGothic-[A-Za-z]+-[0-9a-f]{16}\.ttf")


@dataclass(frozen=True)
class SiteFont:
    weight: str  # CSS font-weight
    name: str  # file name in FOLDER: <bundled stem>-<hash>.ttf
    data: bytes

    @property
    def href(self) -> str:
        """Relative to the index page."""
        return f"{FOLDER}/{self.name}"


def cut_fonts(project: Project, page: str) -> list[SiteFont]:
    """The faces reduced to the characters of *page* (and printable ASCII, for the names)."""
    characters = "".join(sorted(set(page) | set(string.printable)))
    fonts = []
    for weight, file_name in FACES:
        data = subset(project.fonts / file_name, characters)
        stem = Path(file_name).stem
        name = f"{stem}-{hashlib.sha256(data).hexdigest()[:16]}.ttf"
        fonts.append(SiteFont(weight, name, data))
    return fonts


def write_fonts(project: Project, folder: Path, fonts: list[SiteFont]) -> None:
    """Write *fonts* and the licence into <folder>/_fonts (atomically, readable by all)."""
    target = folder / FOLDER
    for font in fonts:
        path = target / font.name
        if not path.is_file() or path.read_bytes() != font.data:
            write_file(path, font.data, durable=True, mode=0o644)
    licence = (project.fonts / LICENCE).read_bytes()
    write_file(target / LICENCE, licence, durable=True, mode=0o644)


def remove_old_fonts(folder: Path, fonts: list[SiteFont]) -> None:
    """Remove the cuts of earlier pages (after the new page is in place)."""
    keep = {font.name for font in fonts}
    target = folder / FOLDER
    if not target.is_dir():
        return
    for path in target.iterdir():
        if _CUT.fullmatch(path.name) and path.name not in keep:
            with contextlib.suppress(OSError):  # left over: harmless, removed next time
                path.unlink()
