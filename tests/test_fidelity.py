"""Seed fidelity: the seed's figures and phrases appear in our PDF and in our DOCX."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import SHARED, seed

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# A list number as Word prints it, by w:numFmt (those render/docx/numbering.py writes).
NUMBERS = {
    "decimal": str,
    "decimalFullWidth": lambda n: str(n).translate({c: c + 0xFEE0 for c in range(48, 58)}),
    "decimalEnclosedCircle": lambda n: chr(0x2460 + n - 1),
    "decimalEnclosedParen": lambda n: chr(0x2474 + n - 1),
}


def as_shown(docx: Path, folder: Path) -> Path:
    """A copy of *docx* whose list paragraphs begin with their bullet or number as text.

    seed_coverage reads the runs' text, and a list's label is none of it (numbering.xml
    draws it); the seed's lines begin with theirs (・…, ①…).
    """
    with zipfile.ZipFile(docx) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    numbering = etree.fromstring(parts["word/numbering.xml"])
    abstract = {a.get(f"{W}abstractNumId"): a for a in numbering.iter(f"{W}abstractNum")}
    levels, counts = {}, {}
    for num in numbering.iter(f"{W}num"):
        level = abstract[num.find(f"{W}abstractNumId").get(f"{W}val")].find(f"{W}lvl")
        start = num.find(f"{W}lvlOverride/{W}startOverride")
        start = start if start is not None else level.find(f"{W}start")
        levels[num.get(f"{W}numId")] = level
        counts[num.get(f"{W}numId")] = int(start.get(f"{W}val")) - 1 if start is not None else 0
    document = etree.fromstring(parts["word/document.xml"])
    for num_id in document.iter(f"{W}numId"):
        key, paragraph = num_id.get(f"{W}val"), num_id.getparent().getparent().getparent()
        level = levels[key]
        counts[key] += 1
        fmt = level.find(f"{W}numFmt").get(f"{W}val")
        label = level.find(f"{W}lvlText").get(f"{W}val")
        label = (
            label.replace("%1", NUMBERS.get(fmt, str)(counts[key])) if fmt != "bullet" else label
        )
        run = etree.SubElement(paragraph, f"{W}r")
        etree.SubElement(run, f"{W}t").text = label
        paragraph.find(f"{W}pPr").addnext(run)
    parts["word/document.xml"] = etree.tostring(document, encoding="UTF-8", xml_declaration=True)
    out = folder / docx.name
    with zipfile.ZipFile(out, "w") as z:
        for name, data in parts.items():
            z.writestr(name, data)
    return out


def coverage(seed_path, output) -> tuple[float, float]:
    tool = SHARED / "tools" / "seed_coverage.py"
    if output.suffix == ".docx":
        output = as_shown(output, Path(tempfile.mkdtemp(prefix="kenpo-fidelity-")))
    out = subprocess.run(
        [sys.executable, str(tool), str(seed_path), str(output), "--misses", "0"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    m = re.search(r"figures \d+/\d+ \(([\d.]+)%\) phrases \d+/\d+ \(([\d.]+)%\)", out)
    assert m, out
    return float(m.group(1)), float(m.group(2))


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_iwate_2024_coverage(built, suffix):
    path = seed("004_6d29ccb0f5315274.txt")
    project, _ = built
    figures, phrases = coverage(path, project.output_dir("iwate", 2024) / f"results.{suffix}")
    assert figures >= 97.0
    assert phrases >= 90.0


# Floors at what each document reaches now, so that a change that loses seed
# content fails. 三重's phrases stay below 90%: its KPI一覧 prints the computed
# 達成状況 between 実績 and 前年度実績, a column the seed leaves empty, which
# splits 15 of the seed's row phrases; in the DOCX, where the marks are text
# (〇, ×) rather than pictures, it splits about a dozen more.
DOCX_PHRASES = {"mie": 88.0}
OTHER_SEEDS = [
    ("oita", 2024, "results", "000_97bf1bbbe253449a.txt", 97.0, 98.0),
    ("fukushima", 2025, "plan", "001_1f8d5ceff6d3bc31.txt", 97.0, 97.5),
    ("ibaraki", 2024, "self-evaluation", "002_53475ae18bbe66a1.txt", 97.0, 99.0),
    ("mie", 2024, "results", "003_5e3220d1019ac234.txt", 97.0, 94.0),
]


@pytest.fixture(params=OTHER_SEEDS, ids=lambda s: f"{s[0]}-{s[1]}")
def other_build(request, built_everything):
    branch, year, document, seed_name, min_figures, min_phrases = request.param
    path = seed(seed_name)
    return built_everything.output_dir(branch, year) / document, path, min_figures, min_phrases


@pytest.mark.parametrize("suffix", ["pdf", "docx"])
def test_other_seed_coverage(other_build, suffix):
    stem, seed_path, min_figures, min_phrases = other_build
    figures, phrases = coverage(seed_path, stem.with_suffix(f".{suffix}"))
    assert figures >= min_figures
    branch = stem.parent.parent.name
    assert phrases >= (DOCX_PHRASES.get(branch, min_phrases) if suffix == "docx" else min_phrases)
