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
