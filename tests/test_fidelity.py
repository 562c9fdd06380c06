"""Seed fidelity: the seed's figures and phrases appear in our PDF and in our DOCX."""

from __future__ import annotations

import re
import subprocess
import sys

import pytest

from conftest import SHARED, seed


def coverage(seed_path, output) -> tuple[float, float]:
    tool = SHARED / "tools" / "seed_coverage.py"
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
# splits 15 of the seed's row phrases.
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
    assert phrases >= min_phrases
