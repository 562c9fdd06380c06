"""The 福島 style (事業計画): a cover, the KPI一覧 with 変更前 / 変更有無 drawn from the
KPI entries, and the 事業計画 table 分野 / 具体的施策等 drawn from the measures, with
【重要度：高】【困難度：高】 and ■KPI lines generated from the KPIs' sentences and targets."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pikepdf
import pytest
from lxml import html as lxml_html

from conftest import ROOT, TARGETS, copy_project, pdf_text
from conftest import norm_text as _norm
from kenpo_report.build.pipeline import build, lay_out, trial_document
from kenpo_report.compute.report import build_report
from kenpo_report.project import Project
from kenpo_report.validate import load_plan


def _html(project: Project, branch: str, year: int, document=None) -> str:
    plan = load_plan(project, branch, year)
    document = document or plan.data.documents[0]
    return lay_out(project, plan, build_report(plan, document))


def _rows(table) -> list[list[str]]:
    return [
        [_norm(c.text_content()) for c in tr if c.tag in ("td", "th")] for tr in table.iter("tr")
    ]


def _numbered(row: list[str]) -> list[str]:
    """A KPI一覧 row with its 項番 apart: ["12", name, 変更前, …]."""
    number = re.match(r"[0-9]+", row[0])
    assert number, row
    return [number.group(), row[0][number.end() :], *row[1:]]


@pytest.fixture(scope="module")
def fukushima(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("fukushima") / "project")
    return project, lxml_html.fromstring(_html(project, "fukushima", 2025))


def test_plan_builds_portrait_with_cover_and_computed_contents(project):
    result = build(project, "fukushima", 2025)
    folder = project.output_dir("fukushima", 2025)
    assert sorted(p.name for p in result.written) == ["plan.docx", "plan.pdf"]
    pdf = folder / "plan.pdf"
    with pikepdf.open(pdf) as doc:
        box = [float(v) for v in doc.pages[0].mediabox]
        assert box[3] > box[2], "A4 portrait"
    cover = _norm(pdf_text(pdf, 1, layout=False))
    for phrase in ("資料2-1", "【議題2】報告事項", "令和7年度福島支部事業計画の最終報告について"):
        assert phrase in cover
    # The contents' page numbers are where the KPI一覧 and the 事業計画 are. The cover is not
    # counted, as in the source (Ｐ１ is the KPI一覧, the page after the cover): it shows no
    # number, and every other page shows its number less one.
    kpi_page = next(
        p for p in range(1, 5) if "KPI(重要業績指標)一覧" in _norm(pdf_text(pdf, p, False))
    )
    plan_page = next(
        p for p in range(1, 6) if "福島支部事業計画分野" in _norm(pdf_text(pdf, p, False))
    )
    assert f"KPI(重要業績評価指標)一覧・・・P{kpi_page - 1}" in cover
    assert f"福島支部の事業計画・・・P{plan_page - 1}" in cover
    assert kpi_page == 2 and kpi_page < plan_page
    footers = [pdf_text(pdf, p, False).split() for p in range(1, 4)]
    assert [f[-1] for f in footers[1:]] == ["1", "2"]
    assert not footers[0][-1].isdigit()


def test_kpi_list_is_drawn_from_the_kpis(fukushima):
    _, tree = fukushima
    section = tree.get_element_by_id("kpi-list")
    captions = [_norm(p.text_content()) for p in section.find_class("caption")]
    # Catalogue categories; 基盤的 and 組織・運営 on the left, the long 戦略的 on the right.
    assert captions == ["1.基盤的保険者機能関係", "3.組織・運営体制関係", "2.戦略的保険者機能関係"]
    rows = [_numbered(r) for t in section.find_class("kpi-table") for r in _rows(t)[1:]]
    assert [r[0] for r in rows] == [
        str(n) for n in (1, 2, 3, 4, 5, 15, 6, 7, 8, 9, 10, 11, 12, 13, 14)
    ]
    by_number = {r[0]: r[1:] for r in rows}
    assert by_number["1"] == ["サービススタンダードの達成状況", "100%", "(変更無)"]
    assert by_number["2"] == [
        "現金給付等の申請書類の窓口受付率",
        "対前年度以下",
        "(変更無)",
    ]  # label
    assert by_number["7"] == ["事業者健診データ取得率", "8.0%", "(変更無)"]
    assert by_number["12"][1] == "2,270事業所"
    assert by_number["14"][1] == "対前年度末以上"  # target_label "対前年度末{direction}"
    # As written in the KPI entry (15.0); the real ■KPI sentence rounds it with {target:0}.
    assert by_number["15"] == ["一般競争入札に占める一者応札案件の割合", "15.0%以下", "(変更無)"]
    assert not section.find_class("after"), "no 変更後 column while nothing changed"


def _measure_text(tree, measure_id: str) -> list[str]:
    element = tree.get_element_by_id(f"measure-{measure_id}")
    return [_norm(p.text_content()) for p in element.iter("p")]


def test_plan_table_by_field_with_ranks_and_kpi_lines(fukushima):
    _, tree = fukushima
    table = tree.get_element_by_id("plan").find_class("plan-table")[0]
    fields = [_norm(td.text_content()) for td in table.find_class("field")]
    assert fields == [
        "1.基盤的保険者機能の盤石化",
        "2.戦略的保険者機能の一層の発揮",
        "3.保険者機能の強化を支える組織・運営体制等の整備",
    ]
    headings = [_norm(p.text_content()) for p in table.find_class("measure-heading")]
    assert headings == ["2.業務改革の実践と業務品質の向上", "2.保健事業の一層の推進"]
    service = _measure_text(tree, "service-level")
    assert service[0] == "(2)サービス水準の向上"
    assert service.count("【困難度:高】") == 1 and "【重要度:高】" not in service
    assert service[-3:] == [
        "■KPI:1)サービススタンダードの達成状況を100%とする",
        "2)サービススタンダードの平均所要日数7日以内を維持する。",
        "3)現金給付等の申請書類に係る窓口での受付率を対前年度以下とする。",
    ]
    # One KPI: no number; its ※ note under it.
    claims = _measure_text(tree, "claims")
    assert (
        claims[-1] == "■KPI:返納金債権(診療報酬返還金(不当請求)を除く。)の回収率を前年度以上とする"
    )
    receipt = _measure_text(tree, "receipt-check")
    assert receipt[-3:] == [
        "■KPI:1)協会のレセプト点検の査定率(※)について前年度以上とする",
        "(※)査定率=協会のレセプト点検により査定(減額)した額÷協会の医療費総額",
        "2)協会の再審査レセプト1件当たりの査定額を前年度以上とする",
    ]
    cost = _measure_text(tree, "cost")
    assert cost[-1] == "■KPI:一般競争入札に占める一者応札案件の割合について、15%以下とする"
    checkups = _measure_text(tree, "checkups")
    assert "・生活習慣病予防健診受診率65.6%(受診見込者数:179,797人)" in checkups
    assert "■KPI:1)生活習慣病予防健診実施率を65.6%以上とする" in checkups
    assert _measure_text(tree, "personnel") == [
        "1.人事制度の適正な運用",
        "新たな業務のあり方を踏まえた戦略的な人員配置を実施する。",
    ]


# --- a small plan, to see the style follow the data ------------------------------------

_BRANCH = "name: 試験支部\nshort_name: 試験\n"


def _small_project(root: Path, kpis: str, measures: str, cover: str = "") -> Project:
    for name in ("templates", "fonts"):
        shutil.copytree(ROOT / name, root / name)
    (root / "plans" / "catalog").mkdir(parents=True)
    shutil.copy(ROOT / "plans" / "catalog" / "2025.yaml", root / "plans" / "catalog" / "2025.yaml")
    year = root / "plans" / "test" / "2025"
    year.mkdir(parents=True)
    (root / "plans" / "test" / "branch.yaml").write_text(_BRANCH, encoding="utf-8")
    (year / "00-document.yaml").write_text(
        "documents:\n  - id: plan\n    kind: plan\n    style: fukushima\n"
        f"    title: 試験\n    date: 2025-03-31\n{cover}",
        encoding="utf-8",
    )
    (year / "10-kpis.yaml").write_text(f"kpis:\n{kpis}", encoding="utf-8")
    (year / "20-measures.yaml").write_text(f"measures:\n{measures}", encoding="utf-8")
    return Project.at(root)


_KPIS = """\
  - kpi: checkup_rate
    number: "1"
    item: 健診
    target: "{target}"
{before}
  - kpi: single_bid_rate
    number: "2"
    item: 調達
    target: "15.0"
"""
_MEASURES = """\
  - id: checkups
    section: strategic
    number: （１）
    title: 健診の受診率の向上
    kpis: [checkup_rate]
    plan:
      - ・受診率 {checkup_rate.target} を目指す
  - id: bids
    section: organization
    title: 調達の見直し
"""


def _kpi_row(html: str, number: str) -> list[str]:
    tables = lxml_html.fromstring(html).find_class("kpi-table")
    return next(r for t in tables for r in map(_numbered, _rows(t)[1:]) if r[0] == number)


def _text(html: str) -> str:
    return _norm(lxml_html.fromstring(html).text_content())


def test_a_changed_target_changes_the_kpi_line_and_the_kpi_list(tmp_path):
    before = _small_project(tmp_path / "a", _KPIS.format(target="65.6", before=""), _MEASURES)
    after = _small_project(tmp_path / "b", _KPIS.format(target="60.0", before=""), _MEASURES)
    old, new = _html(before, "test", 2025), _html(after, "test", 2025)
    assert "■KPI:生活習慣病予防健診受診率を65.6%以上とする" in _text(old)
    assert "■KPI:生活習慣病予防健診受診率を60.0%以上とする" in _text(new)
    assert "・受診率60.0%を目指す" in _text(new)
    assert _kpi_row(new, "1") == ["1", "生活習慣病予防健診受診率", "60.0%", "(変更無)"]
    assert "65.6" not in _text(new)
    # No cover declared: no cover page. A measure without plan items prints its title.
    tree = lxml_html.fromstring(new)
    assert not tree.find_class("cover")
    assert _measure_text(tree, "bids") == ["調達の見直し"]
    # A KPI that no measure reports still has its sentence, in its section.
    assert "■KPI:一般競争入札に占める一者応札案件の割合を15.0%以下とする" in _text(new)


def test_a_target_changed_during_the_year_shows_before_and_after(tmp_path):
    kpis = _KPIS.format(target="60.0", before="    target_before: 65.6％\n")
    project = _small_project(tmp_path / "p", kpis, _MEASURES)
    html = _html(project, "test", 2025)
    for table in lxml_html.fromstring(html).find_class("kpi-table"):
        assert _rows(table)[0] == ["KPI指標", "変更前", "変更後", "変更有無"]
    assert _kpi_row(html, "1") == ["1", "生活習慣病予防健診受診率", "65.6%", "60.0%", "(変更有)"]
    assert _kpi_row(html, "2") == [
        "2",
        "一般競争入札に占める一者応札案件の割合",
        "15.0%以下",
        "15.0%以下",
        "(変更無)",
    ]


def test_a_cover_with_its_own_blocks(tmp_path):
    cover = (
        "    cover:\n      label: 資料１\n      title: 試験の計画\n"
        "      blocks:\n        - {type: paragraph, text: ご報告します。}\n"
    )
    project = _small_project(
        tmp_path / "p", _KPIS.format(target="65.6", before=""), _MEASURES, cover
    )
    result = build(project, "test", 2025, ("pdf",))
    pdf = result.written[0]
    first = _norm(pdf_text(pdf, 1, layout=False))
    assert "資料1" in first and "試験の計画" in first and "ご報告します。" in first
    assert "試験支部の事業計画・・・P2" in first  # the cover is not counted: KPI一覧 P1, plan P2


# --- every branch-year of plans/ as a plan ---------------------------------------------


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=[f"{b}-{y}" for b, y in TARGETS])
def test_every_branch_year_draws_as_a_plan(project, branch, year):
    """Every measure's title and plan items and every KPI sentence are in the plan."""
    plan = load_plan(project, branch, year)
    document = trial_document(plan, "plan", "fukushima")
    report = build_report(plan, document)
    text = _text(lay_out(project, plan, report))
    expected = [
        line for m in report.measures for item in (m.title, *m.plan) for line in item.split("\n")
    ]
    expected += [line for k in report.kpis for line in k.statement.split("\n")]
    missing = [line for line in expected if _norm(line) not in text]
    assert not missing
