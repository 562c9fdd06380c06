"""The 福島 style: a plan document in A4 portrait with a cover, KPI一覧 and 事業計画 tables."""

from __future__ import annotations

import subprocess

import pikepdf

from kenpo_report.pipeline import build


def test_plan_builds_portrait_with_cover_and_tables(project):
    result = build(project, "fukushima", 2025)
    folder = project.output_dir("fukushima", 2025)
    assert sorted(p.name for p in result.written) == ["plan.docx", "plan.pdf"]
    with pikepdf.open(folder / "plan.pdf") as pdf:
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert box[3] > box[2], "A4 portrait"
    cover = subprocess.run(
        ["pdftotext", "-f", "1", "-l", "1", str(folder / "plan.pdf"), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "資料２－１" in cover
    assert "事業計画の最終報告について" in cover
    text = subprocess.run(
        ["pdftotext", str(folder / "plan.pdf"), "-"], check=True, capture_output=True, text=True
    ).stdout
    for phrase in ("変更有無", "具体的施策等", "【重要度：高】", "■"):
        assert phrase in text
