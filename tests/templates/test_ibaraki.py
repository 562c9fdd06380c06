"""The 茨城 style (自己評価シート): sheets by group and section drawn from the measures, with
the 【KPI】 lines (the KPIs' sentences) and the 【KPI達成状況】 lines (actual, 達成/未達成, rank,
national) generated, one grade per measure, the S–D legend and （続き） on continued pages."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import ROOT, copy_project, pdf_text
from conftest import norm_text as _norm
from kenpo_report.build.pipeline import build, check, lay_out
from kenpo_report.compute.report import build_report
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

LEGEND = (
    "S:目標を大きく上回る、A:目標を上回る、B:概ね目標達成、C:目標達成に至らず、D:目標を大きく下回る"
)


def _html(project: Project, branch: str, year: int) -> str:
    plan = load_plan(project, branch, year)
    return lay_out(project, plan, build_report(plan, plan.data.documents[0]))


def _cells(tree, measure_id: str) -> list[str]:
    [row] = tree.xpath(f"//tr[@id='measure-{measure_id}']")
    return [_norm(td.text_content()) for td in row.iterchildren("td")]


@pytest.fixture(scope="module")
def ibaraki(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("ibaraki") / "project")
    return project, lxml_html.fromstring(_html(project, "ibaraki", 2024))


def test_one_sheet_per_group_and_section_with_its_running_head(ibaraki):
    _, tree = ibaraki
    sheets = tree.find_class("sheet")
    titles = [_norm(s.find(".//h2").text_content()) for s in sheets]
    assert titles == [
        _norm(t)
        for t in (
            "１．事業実施結果－基盤的保険者機能関係（業務グループ）",
            "２．事業実施結果－基盤的保険者機能関係（レセプトグループ）",
            "３．事業実施結果－戦略的保険者機能関係（保健グループ）",
            "４．事業実施結果－戦略的保険者機能関係（企画総務グループ）",
            "４．事業実施結果－組織体制関係（企画総務グループ）",
        )
    ]
    for sheet, title in zip(sheets, titles, strict=True):
        assert _norm(sheet.get("data-running-head")) == title + "(続き)"
        header, heading = sheet.find(".//thead").iterchildren("tr")
        assert _norm(header.text_content()) == _norm(
            "項目令和６年度事業計画具体的な取り組み５年度実績令和６年度実施結果自己評価"
        )
        assert re.fullmatch(r"[123]\.\S+", _norm(heading.text_content()))
    assert _norm(sheets[0].find(".//thead").text_content()).endswith("1.基盤的保険者機能の盤石化")


def test_every_measure_has_one_row_with_its_grade(ibaraki):
    project, tree = ibaraki
    plan = load_plan(project, "ibaraki", 2024)
    assert len(plan.data.measures) == 20  # the seed's 20 graded rows
    for m in plan.data.measures:
        assert _cells(tree, m.id)[-1] == m.evaluation.grade
    # A measure repeating the one before it (③ in three rows, as the seed) says so.
    assert _cells(tree, "gyomu-judo")[0] == _norm("③現金給付等の適正化の推進（続き）")
    # A heading shared by consecutive measures stands at the first of them only.
    assert _cells(tree, "gyomu-structure")[0].startswith(_norm("(Ⅱ)業務改革の実践と業務品質の向上"))
    assert _cells(tree, "gyomu-service")[0].startswith(_norm("②サービス水準の向上"))


def test_kpi_lines_are_generated_from_the_kpis(ibaraki):
    _, tree = ibaraki
    item, _, _, prior, results, _ = _cells(tree, "gyomu-service")
    assert item == _norm(
        "②サービス水準の向上【KPI】①サービススタンダードの達成状況を100％とする"
        "②現金給付等の申請に係る郵送化率を対前年度以上とする"
    )
    assert results.startswith(
        _norm("【KPI達成状況】① 100％（達成）② 95.5％（達成） 全国18位 全国平均 95.6％")
    )
    assert prior.startswith(_norm("① SS 100％"))
    # A KPI with a short name shows it on its own line; a computed rate its figure.
    assert (
        _norm("①査定率0.142％（未達成） 全国19位 全国平均 0.131％")
        in _cells(tree, "receipt-review")[4]
    )
    item, *_, results, _grade = _cells(tree, "soshiki-cost")
    assert _norm("【KPI】一般競争入札に占める一者応札案件の割合について、") in item
    assert _norm("【KPI達成状況】12.5％（達成）") in results
    assert _norm("→ 一者応札割合 12.5％") in results
    # 【自己評価】 comments cite figures: the gap to the national figure is computed.
    comments = _norm(
        tree.xpath("//tr[@id='measure-hoken-guidance']/following-sibling::tr[1]")[0].text_content()
    )
    assert comments.startswith(_norm("【自己評価】"))
    assert _norm("全国平均より12.5％ポイント低く") in comments


def test_the_legend_is_the_templates_not_the_datas(ibaraki):
    _, tree = ibaraki
    for sheet in tree.find_class("sheet"):
        assert _norm(sheet.find(".//tfoot").text_content()) == "【自己評価について】" + LEGEND
    # Nothing of it is typed in the data: none of the five meanings, in no plan.
    meanings = re.findall(r"[SABCD]:([^、]+)", LEGEND)
    assert len(meanings) == 5
    assert not [
        (p.name, m)
        for p in (ROOT / "plans").rglob("*.yaml")
        for m in meanings
        if m in p.read_text(encoding="utf-8")
    ]


def test_pdf_sheets_continue_with_their_title_and_grades(project):
    result = build(project, "ibaraki", 2024, ("pdf",))
    assert not [w for w in result.warnings if "自己評価" in w.message], (
        "no grade contradicts its KPIs"
    )
    path = project.output_dir("ibaraki", 2024) / "self-evaluation.pdf"
    text = pdf_text(path, layout=False)
    assert "【自己評価】" in text
    # The legend stands once at the foot of every page (the sheets' table footer).
    legend = "【自己評価について】" + LEGEND
    pages = result.pages["self-evaluation"]
    found = [
        _norm(pdf_text(path, page, layout=False)).count(legend) for page in range(1, pages + 1)
    ]
    assert found == [1] * pages
    # A sheet running onto a second page repeats its title with （続き）.
    assert "（業務グループ）（続き）" in text


def test_a_grade_contradicting_its_kpis_is_a_warning_at_its_line(project):
    path = next((project.plans / "ibaraki" / "2024").glob("21-*.yaml"))
    text = path.read_text(encoding="utf-8")
    marker = "    evaluation:\n      grade: B\n"
    assert text.count(marker) == 1
    path.write_text(text.replace(marker, marker.replace("grade: B", "grade: S")), encoding="utf-8")
    [warning] = [w for w in check(project, "ibaraki", 2024) if "自己評価" in w.message]
    assert "自己評価が S ですが" in warning.message
    assert "未達成" in warning.message
    assert warning.position.file.endswith(path.name)
    assert text.splitlines()[warning.position.line - 1].strip() == "grade: B"


# --- a small plan: the sheets follow the data ------------------------------------------

TINY_DOCUMENT = """\
documents:
  - id: self-evaluation
    kind: self_evaluation
    style: ibaraki
    title: 令和6年度 小支部 事業実施結果（自己評価）
    date: 2025-07-31
"""

TINY_KPIS = """\
kpis:
  - kpi: checkup_rate
    number: ①
    item: 健診
    target: "64.4"
    actual: "{actual}"
    prior: "61.0"
    national: "58.4"
    rank: "12"
"""

# No plan, activities or results: the row still draws, with the generated lines.
TINY_MEASURES = """\
measures:
  - id: checkups
    section: strategic
    group: 保健
    number: ①
    title: 健診の受診率の向上
    kpis: [checkup_rate]
    evaluation:
      grade: B
"""


def _tiny(root: Path, actual: str) -> Project:
    (root / "plans" / "catalog").mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "plans" / "catalog" / "2024.yaml", root / "plans" / "catalog")
    if not (root / "templates").exists():
        shutil.copytree(ROOT / "templates", root / "templates")
    (root / "plans" / "tiny").mkdir(exist_ok=True)
    (root / "plans" / "tiny" / "branch.yaml").write_text(
        "name: 小支部\nshort_name: 小\norganization: 全国健康保険協会\n", encoding="utf-8"
    )
    year = root / "plans" / "tiny" / "2024"
    year.mkdir(exist_ok=True)
    (year / "00-document.yaml").write_text(TINY_DOCUMENT, encoding="utf-8")
    (year / "10-kpis.yaml").write_text(TINY_KPIS.format(actual=actual), encoding="utf-8")
    (year / "20-hoken.yaml").write_text(TINY_MEASURES, encoding="utf-8")
    return Project.at(root)


def test_a_changed_actual_changes_the_kpi_status_line(tmp_path):
    def status(actual: str) -> tuple[str, str]:
        tree = lxml_html.fromstring(_html(_tiny(tmp_path, actual), "tiny", 2024))
        item, plan, activities, prior, results, grade = _cells(tree, "checkups")
        assert (plan, activities, prior, grade) == ("", "", "", "B")
        assert item == _norm(
            "①健診の受診率の向上【KPI】① 生活習慣病予防健診受診率を64.4％以上とする"
        )
        assert _norm(tree.find_class("sheet")[0].find(".//h2").text_content()) == _norm(
            "１．事業実施結果－戦略的保険者機能関係（保健グループ）"
        )
        assert _norm(tree.find(".//tfoot").text_content()) == "【自己評価について】" + LEGEND
        return results, _norm(tree.text_content())

    results, _ = status("70.0")
    assert results == _norm("【KPI達成状況】① 70.0％（達成） 全国12位 全国平均 58.4％")
    results, whole = status("60.0")
    assert results == _norm("【KPI達成状況】① 60.0％（未達成） 全国12位 全国平均 58.4％")
    assert "70.0" not in whole
