"""The 大分 style: KPI一覧 by category with computed 達成状況 and 掲載ページ, then per
measure a KPI table (実績 / 達成状況 / 次年度KPI) and the two columns ■主な取組み /
■次年度の計画, all drawn from the branch-year's KPIs and measures."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from conftest import laid_out, pdf_text
from conftest import norm_text as _norm
from kenpo_report.build.pipeline import build
from kenpo_report.layout.formatting import figure


def _laid_out(project, branch: str = "oita", year: int = 2024):
    return laid_out(project, branch, year)


@pytest.fixture(scope="module")
def oita(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("oita") / "project")
    plan, report, html = _laid_out(project)
    return project, plan, report, html


def _measure(html: str, anchor: str):
    return lxml_html.fromstring(html).get_element_by_id(f"measure-{anchor}")


def _rows(table) -> list[list[str]]:
    return [
        [_norm(c.text_content()) for c in tr if c.tag in ("td", "th")] for tr in table.iter("tr")
    ]


def test_achievement_matches_the_seed(oita):
    _, _, report, _ = oita
    expected = {
        "service_standard": True,
        "receipt_assessment_rate": False,  # 0.154％ against 協会 0.184％ (basis), not 0.425％
        "card_collection_rate": False,
        "checkup_rate": False,
        "insured_guidance_rate": True,
        "referral_visit_rate": True,  # 37.4％ against 36.9％ (basis), the prior shown is 8.5％
        "single_bid_rate": True,
    }
    results = {k.entry.kpi: k.achieved for k in report.kpis}
    for kpi_id, achieved in expected.items():
        assert results[kpi_id] is achieved, kpi_id
    assert report.achieved_count == (11, 17)


def test_next_year_targets_come_from_the_2025_plan(oita):
    _, plan, report, _ = oita
    assert plan.next is not None and plan.next.year == 2025
    mail = next(k for k in report.kpis if k.entry.kpi == "mail_application_rate")
    assert mail.entry.successor == "window_rate"
    assert mail.next is not None
    assert mail.next.target_text == "8.4％以下"
    checkup = next(k for k in report.kpis if k.entry.kpi == "checkup_rate")
    assert figure(checkup.next.target) == "71.4％"


def test_kpi_list_sentences_notes_and_groups_come_from_the_data(oita):
    _, _, _report, html = oita
    tree = lxml_html.fromstring(html)
    tables = tree.find_class("kpi-table")
    assert [_norm(h.text_content()) for h in tree.find_class("category-title")] == [
        "1.基盤的保険者機能関係",
        "2.戦略的保険者機能関係",
        "3.組織・運営体制関係",
    ]
    basic = _rows(tables[0])
    # The note of the 査定率 marks its 対前年度; the prior shown is the combined 0.425％.
    assert basic[3][1] == _norm(
        "①協会のレセプト点検の査定率について対前年度（※1）（0.184％）以上とする。"
    )
    assert basic[3][2] == _norm("0.425％※基金0.241％※協会0.184％")
    assert basic[3][5] == "レセプト"  # the measure's group
    notes = [_norm(p.text_content()) for p in tables[0].getparent().find_class("note")]
    assert notes == [
        _norm("※1 令和5年度KPIの社会保険診療報酬支払基金と合算したレセプト点検の査定率から変更")
    ]
    strategic = _rows(tables[1])
    # A 施策 with one KPI prints no number; the prior shown is the former KPI's.
    referral = next(r for r in strategic if "10か月以内" in r[-6])
    assert referral[-6] == _norm(
        "健診受診月から10か月以内に医療機関を受診した者の割合を対前年度（※1）（36.9％）以上とする"
    )
    assert referral[-5] == "8.5%"
    # The generated sentence where the branch words it as the catalogue does.
    assert _norm("②事業者健診データ取得率を11.4％以上とする") in [r[-6] for r in strategic]


def test_measure_page_has_kpi_table_and_two_columns(oita):
    _, _, _, html = oita
    page = _measure(html, "service")
    table = page.find_class("measure-kpis")[0]
    rows = _rows(table)
    assert rows[0] == [
        _norm(t)
        for t in ("令和6年度KPI（重要業績評価指標）", "令和6年度実績", "達成状況", "令和7年度KPI")
    ]
    # The KPI sentence of the list, without its list's note marks; 。 ends it on the page.
    assert rows[2] == [
        _norm("②現金給付等の申請に係る郵送化率を対前年度（91.2％）以上とする。※"),
        "91.6%",
        "達成",
        _norm("8.4％以下※"),
    ]
    note = _norm(page.find_class("note")[0].text_content())
    assert note == _norm(
        "※ 令和７年度より「現金給付等の申請に係る窓口での受付率を対前年度以下とする」へ変更"
    )
    titles = [_norm(p.text_content()) for p in page.find_class("column-title")]
    assert titles == ["■令和6年度の主な取組み", "■令和7年度の計画"]
    assert "（※1）" not in _measure(html, "receipt").find_class("measure-kpis")[0].text_content()


def test_next_year_column(oita):
    _, _, _, html = oita

    def next_column(anchor: str) -> list[str]:
        return [r[-1] for r in _rows(_measure(html, anchor).find_class("measure-kpis")[0])[1:]]

    assert next_column("receipt") == [
        _norm("協会のレセプト点検の査定率について対前年度以上とする。"),
        "対前年度以上",
    ]
    assert next_column("card-collection") == ["2025年度よりKPI設定なし"]
    assert next_column("collabo-health") == ["2,410事業所"]
    assert next_column("public-relations") == ["60.5%以上", "前年度以上"]
    assert next_column("procurement") == ["15%以下"]


def test_shared_heading_is_printed_once_and_figures_are_cited(oita):
    _, _, _, html = oita
    card, claim = _measure(html, "card-collection"), _measure(html, "claim-collection")
    assert "返納金債権の発生防止" in card.find_class("page-head")[0].text_content()
    assert "返納金債権の発生防止" not in claim.find_class("page-head")[0].text_content()
    procurement = _norm(_measure(html, "procurement").text_content())
    assert _norm("一般競争入札16件中、一者応札案件0件") in procurement  # the KPI's counts
    collabo = _norm(_measure(html, "collabo-health").text_content())
    assert _norm("計190件（血管：155件、骨：35件）") in collabo  # a sum of named figures
    assert _norm("2,134社〈標準化率 89.4％〉") in collabo  # computed; the seed typed 89.3


def test_kpi_list_is_split_by_category_and_pages_are_computed(oita):
    project, _plan, _report, html = oita
    assert html.count('class="grid kpi-table"') == 3
    assert "未達成" in html and "担当<br>グループ" in html
    build(project, "oita", 2024, ("pdf",))
    pdf = project.output_dir("oita", 2024) / "results.pdf"

    def page(n: int) -> str:
        return pdf_text(pdf, n)

    line = next(line for line in page(1).splitlines() if "サービススタンダード" in line)
    number = int(re.findall(r"P(\d+)", line)[-1])
    assert "サービス水準の向上" in page(number)
    assert "■令和6年度の主な取組み" in page(number)
    # The divider between the KPI一覧 and the measures is the document's title.
    assert "令和6年度 大分支部事業実施状況について" in page(number - 1)


# --- small plans under tmp_path --------------------------------------------------------

DOCUMENT = """\
documents:
  - id: results
    kind: results
    style: oita
    title: 令和6年度 試行支部事業実施状況について
    date: 2025-07-31
"""


def _small_project(tmp_path, data: str):
    from conftest import copy_project

    project = copy_project(tmp_path / "project")
    folder = project.root / "plans" / "sample"
    (folder / "2024").mkdir(parents=True)
    (folder / "branch.yaml").write_text("name: 試行支部\nshort_name: 試行\n", encoding="utf-8")
    (folder / "2024" / "00-document.yaml").write_text(DOCUMENT, encoding="utf-8")
    (folder / "2024" / "10-data.yaml").write_text(data, encoding="utf-8")
    return project, folder / "2024" / "10-data.yaml"


SMALL = """\
kpis:
  - kpi: checkup_rate
    number: ①
    item: （1）健診
    statement: "生活習慣病予防健診実施率を{target}{direction}とする"
    target: "68.9"
    prior: "72.5"
    actual: "67.2"
measures:
  - id: checkups
    section: strategic
    number: （1）
    title: 健診
    group: 保健
    kpis: [checkup_rate]
    results:
      - type: paragraph
        text: 目標 {checkup_rate.target} に対し実績 {checkup_rate.actual}。
"""


def test_a_changed_target_changes_the_printed_sentence(tmp_path):
    project, data = _small_project(tmp_path, SMALL)
    _, _, html = _laid_out(project, "sample")
    text = _norm(lxml_html.fromstring(html).text_content())
    assert _norm("生活習慣病予防健診実施率を68.9％以上とする") in text
    assert _norm("目標68.9％に対し実績67.2％。") in text
    data.write_text(SMALL.replace('target: "68.9"', 'target: "60.0"'), encoding="utf-8")
    _, report, html = _laid_out(project, "sample")
    text = _norm(lxml_html.fromstring(html).text_content())
    assert _norm("生活習慣病予防健診実施率を60.0％以上とする") in text
    assert _norm("目標60.0％に対し実績67.2％。") in text
    assert "68.9" not in text
    assert report.kpis[0].achieved is True


OTHER_SHAPES = """\
kpis:
  - kpi: checkup_rate
    number: ①
    item: （1）健診
    target: "68.9"
    notes: [注記の例]
measures:
  - id: checkups
    section: strategic
    number: （1）
    title: 健診
    kpis: [checkup_rate]
    plan:
      - 集団健診を実施する
    importance: 国の目標に寄与するため
    activities:
      - 休日健診の案内
    results:
      - type: paragraph
        text: 休日健診を実施した。
      - type: series
        columns: [4月, 5月, 6月, 7月, 8月, 9月]
        rows:
          - label: 受診者数
            values: ["10", "20", "30", "40", "50", "60"]
    issues:
      - type: paragraph
        text: 若年層の受診が少ない。
    evaluation:
      grade: B
      comments: [概ね計画どおり]
  - id: outreach
    section: organization
    title: 広報
    results:
      - type: paragraph
        text: 広報誌を発行した。
"""


def test_other_shapes_of_measures_are_drawn(tmp_path):
    """事業計画 but no 次年度の計画, 課題, 具体的な取り組み, a wide table, no actuals, no KPIs."""
    project, _ = _small_project(tmp_path, OTHER_SHAPES)
    _, _, html = _laid_out(project, "sample")
    checkups = _measure(html, "checkups")
    text = _norm(checkups.text_content())
    for shown in (
        "令和6年度の事業計画",
        "集団健診を実施する",
        "【重要度】国の目標に寄与するため",
        "具体的な取り組み",
        "休日健診の案内",
        "■課題",
        "若年層の受診が少ない。",
        "210",
        "【自己評価】B",
        "概ね計画どおり",
    ):
        assert _norm(shown) in text, shown
    kpi_row = _rows(checkups.find_class("measure-kpis")[0])[1]
    assert kpi_row[1:] == [_norm("－")] * 3  # no actual; no following year's plan
    # A note of a sentence without 対前年度 is marked at its end, and listed under the table.
    kpi_list = lxml_html.fromstring(html).find_class("category")[0]
    assert _norm("生活習慣病予防健診受診率を68.9％以上とする（※1）") in _norm(
        kpi_list.text_content()
    )
    assert _norm("※1 注記の例") in _norm(kpi_list.text_content())
    # The wide series stacks the parts instead of pairing them in columns.
    assert not checkups.find_class("measure-columns")
    outreach = _measure(html, "outreach")
    assert not outreach.find_class("measure-kpis")
    assert "広報誌を発行した。" in outreach.text_content()
    assert _norm("2.組織・運営体制関係") in _norm(outreach.text_content())
