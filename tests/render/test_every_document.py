"""Every document in plans/, as a reader sees it: no □, no kinsoku breach, nothing off the page.

Built once per session (``built_everything`` in conftest); the 岩手 checks in test_pdf.py
look deeper at one document.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

from conftest import TARGETS
from kenpo_report.project import Project

MM = 72 / 25.4
# Every layout keeps at least this much paper around the printed area.
MIN_MARGIN = 4 * MM


def _pdfs(project: Project, branch: str, year: int) -> list[Path]:
    pdfs = sorted(project.output_dir(branch, year).glob("*.pdf"))
    assert pdfs, f"{branch} {year} wrote no PDF"
    return pdfs


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=[f"{b}-{y}" for b, y in TARGETS])
def test_every_character_has_a_glyph(built_everything, branch, year):
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for font in built_everything.fonts.glob("*.ttf"):
        covered |= set(TTFont(font).getBestCmap())
    for pdf in _pdfs(built_everything, branch, year):
        missing = sorted({c for c in _text(pdf) if ord(c) not in covered and not c.isspace()})
        assert not missing, f"{pdf.name}: {missing}"


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=[f"{b}-{y}" for b, y in TARGETS])
def test_no_line_starts_with_closing_punctuation(built_everything, branch, year):
    for pdf in _pdfs(built_everything, branch, year):
        bad = [line for line in _text(pdf).splitlines() if line and line[0] in "。、）」』"]
        assert not bad, f"{pdf.name}: {bad[:5]}"


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=[f"{b}-{y}" for b, y in TARGETS])
def test_nothing_runs_off_the_page(built_everything, branch, year):
    """Overflow shows as text in the margin or past the paper's edge (clipped when printed)."""
    for pdf in _pdfs(built_everything, branch, year):
        xml = subprocess.run(
            ["pdftotext", "-bbox", str(pdf), "-"], check=True, capture_output=True, text=True
        ).stdout
        outside = []
        for number, page in enumerate(xml.split("<page ")[1:], 1):
            width, height = map(float, _PAGE.match("<page " + page).groups())
            for x0, y0, x1, y1, word in _WORD.findall(page):
                box = tuple(map(float, (x0, y0, x1, y1)))
                if (
                    box[0] < MIN_MARGIN
                    or box[1] < MIN_MARGIN
                    or box[2] > width - MIN_MARGIN
                    or box[3] > height - MIN_MARGIN
                ):
                    outside.append((number, word, box))
        assert not outside, f"{pdf.name}: {outside[:5]}"
