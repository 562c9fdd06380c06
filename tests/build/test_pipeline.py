"""Lay out stage: the rendered HTML is a golden file, regenerated only on purpose.

KENPO_REGENERATE=1 pytest tests/build/test_pipeline.py   # after a deliberate change
"""

from __future__ import annotations

import os
from pathlib import Path

from kenpo_report.build.pipeline import lay_out
from kenpo_report.compute.report import build_report
from kenpo_report.validate import load_plan

GOLDEN = Path(__file__).parent / "golden" / "iwate-2024-results.html"


def test_html_golden(project):
    plan = load_plan(project, "iwate", 2024)
    html = lay_out(project, plan, build_report(plan, plan.data.documents[0]))
    if os.environ.get("KENPO_REGENERATE"):
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(html, encoding="utf-8")
    assert html == GOLDEN.read_text(encoding="utf-8"), (
        "HTML changed; regenerate with KENPO_REGENERATE=1"
    )


def test_html_escapes_text(project):
    path = project.plans / "iwate" / "2024" / "20-basic.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "電話相談体制の強化と標準化推進", '"<img src=file:///etc/passwd>電話相談体制"', 1
        ),
        encoding="utf-8",
    )
    plan = load_plan(project, "iwate", 2024)
    html = lay_out(project, plan, build_report(plan, plan.data.documents[0]))
    assert "&lt;img src=file:///etc/passwd&gt;" in html
    assert "<img" not in html
