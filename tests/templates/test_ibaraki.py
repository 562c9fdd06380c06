"""The 茨城 style: self-evaluation sheets with grades, the S–D legend and （続き） headers."""

from __future__ import annotations

from conftest import pdf_text
from kenpo_report.pipeline import build


def test_sheets_grades_legend_and_continuation_headers(project):
    result = build(project, "ibaraki", 2024, ("pdf",))
    assert not [w for w in result.warnings if "自己評価" in w.message], (
        "no grade contradicts its KPIs"
    )
    text = pdf_text(project.output_dir("ibaraki", 2024) / "self-evaluation.pdf", layout=False)
    assert "【自己評価】" in text
    assert "Ｓ：目標を大きく上回る" in text or "S：目標を大きく上回る" in text
    # A sheet running onto a second page repeats its title with （続き）.
    assert "（業務グループ）（続き）" in text


def test_a_grade_contradicting_its_kpis_is_a_warning_at_its_line(project):
    from kenpo_report.pipeline import check

    path = next((project.plans / "ibaraki" / "2024").glob("21-*.yaml"))
    text = path.read_text(encoding="utf-8")
    marker = "        grade: B\n        label: ④レセプト点検の精度向上【自己評価】"
    assert marker in text
    path.write_text(text.replace(marker, marker.replace("grade: B", "grade: S")), encoding="utf-8")
    [warning] = [w for w in check(project, "ibaraki", 2024) if "自己評価" in w.message]
    assert "自己評価が S ですが" in warning.message
    assert "未達成" in warning.message
    assert warning.position.file.endswith(path.name)
    assert text.splitlines()[warning.position.line - 1].strip() == "grade: B"
