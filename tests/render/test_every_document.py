"""Every document, as a reader sees it: no □, no kinsoku breach, nothing off the page.

The declared documents of plans/ (``built_everything``) and every other kind and style
their data supports, as ``build --kind --style`` makes them (``tried``); both built once
per session in conftest. The 岩手 checks in test_pdf.py look deeper at one document.
"""

from __future__ import annotations

import re
import subprocess
from functools import cache
from pathlib import Path

import pytest

from conftest import DOCUMENTS, TARGETS
from kenpo_report.project import Project

MM = 72 / 25.4
# Every layout keeps at least this much paper around the printed area.
MIN_MARGIN = 4 * MM

# The undeclared documents: the declared ones of the same kind and style are checked above.
TRIALS = [
    (b, y, f"{k.replace('_', '-')}-{s}") for b, y, k, s, declared in DOCUMENTS if not declared
]
TRIAL_IDS = [f"{b}-{y}-{name}" for b, y, name in TRIALS]
DECLARED_IDS = [f"{b}-{y}" for b, y in TARGETS]


def _pdfs(project: Project, branch: str, year: int) -> list[Path]:
    pdfs = sorted(project.output_dir(branch, year).glob("*.pdf"))
    assert pdfs, f"{branch} {year} wrote no PDF"
    return pdfs


def _trial(project: Project, branch: str, year: int, name: str) -> list[Path]:
    pdf = project.output_dir(branch, year) / f"{name}.pdf"
    assert pdf.is_file(), f"{branch} {year} wrote no {pdf.name}"
    return [pdf]


def _text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@cache
def _covered(fonts: Path) -> frozenset[int]:
    from fontTools.ttLib import TTFont

    covered: set[int] = set()
    for font in fonts.glob("*.ttf"):
        covered |= set(TTFont(font).getBestCmap())
    return frozenset(covered)


def every_character_has_a_glyph(project: Project, pdfs: list[Path]) -> None:
    covered = _covered(project.fonts)
    for pdf in pdfs:
        missing = sorted({c for c in _text(pdf) if ord(c) not in covered and not c.isspace()})
        assert not missing, f"{pdf.name}: {missing}"


def no_line_starts_with_closing_punctuation(pdfs: list[Path]) -> None:
    for pdf in pdfs:
        bad = [line for line in _text(pdf).splitlines() if line and line[0] in "。、）」』"]
        assert not bad, f"{pdf.name}: {bad[:5]}"


_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>'
)


def nothing_runs_off_the_page(pdfs: list[Path]) -> None:
    """Overflow shows as text in the margin or past the paper's edge (clipped when printed)."""
    for pdf in pdfs:
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


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=DECLARED_IDS)
def test_every_character_has_a_glyph(built_everything, branch, year):
    every_character_has_a_glyph(built_everything, _pdfs(built_everything, branch, year))


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=DECLARED_IDS)
def test_no_line_starts_with_closing_punctuation(built_everything, branch, year):
    no_line_starts_with_closing_punctuation(_pdfs(built_everything, branch, year))


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=DECLARED_IDS)
def test_nothing_runs_off_the_page(built_everything, branch, year):
    nothing_runs_off_the_page(_pdfs(built_everything, branch, year))


@pytest.mark.parametrize(("branch", "year", "name"), TRIALS, ids=TRIAL_IDS)
def test_every_character_of_every_kind_and_style_has_a_glyph(tried, branch, year, name):
    every_character_has_a_glyph(tried, _trial(tried, branch, year, name))


@pytest.mark.parametrize(("branch", "year", "name"), TRIALS, ids=TRIAL_IDS)
def test_no_line_of_every_kind_and_style_starts_with_closing_punctuation(tried, branch, year, name):
    no_line_starts_with_closing_punctuation(_trial(tried, branch, year, name))


@pytest.mark.parametrize(("branch", "year", "name"), TRIALS, ids=TRIAL_IDS)
def test_nothing_of_every_kind_and_style_runs_off_the_page(tried, branch, year, name):
    nothing_runs_off_the_page(_trial(tried, branch, year, name))


def test_every_kind_and_style_is_tried():
    """Every branch-year gets every results style and the plan; 茨城 its self-evaluation."""
    kinds = {(b, y, k, s) for b, y, k, s, _ in DOCUMENTS}
    for branch, year in TARGETS:
        assert {("results", s) for s in ("iwate", "oita", "mie")} | {("plan", "fukushima")} <= {
            (k, s) for b, y, k, s in kinds if (b, y) == (branch, year)
        }
    assert ("ibaraki", 2024, "self_evaluation", "ibaraki") in kinds
    assert len(TRIALS) == len(DOCUMENTS) - len(TARGETS)
