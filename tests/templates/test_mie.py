"""The 三重 style: KPI一覧 as category tables with ○/× marks, then a page per measure
(group badge, the KPI line, 令和6年度の取組 / 課題 / 令和7年度の取組, charts), all drawn
from the branch-year's KPIs and measures."""

from __future__ import annotations

import re
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import laid_out
from conftest import norm_text as _norm
from kenpo_report.build.pipeline import build
from kenpo_report.layout import marks

# 実績 against the 令和6年度KPI of the source's KPI一覧 (its 達成状況 column is empty).
EXPECTED = {
    "service_standard": True,  # 100％ / 100％
    "mail_application_rate": True,  # 95.8％ / 95.7％以上
    "receipt_assessment_rate": False,  # 0.114％ / 0.156％以上
    "reexamination_amount": True,  # 10,295円 / 8,683円以上
    "card_collection_rate": True,  # 91.60％ / 91.32％以上
    "claim_collection_rate": False,  # 68.19％ / 78.19％以上
    "single_bid_rate": True,  # 13.4％ / 15％以下
    "checkup_rate": False,  # 66.2％ / 68.5％
    "employer_data_rate": False,  # 6.9％ / 11.0％
    "insured_guidance_rate": False,  # 17.9％ / 20.2％
    "generic_share": True,  # 88.3％ / 82.8％
}


def _laid_out(project, branch: str = "mie", year: int = 2024):
    return laid_out(project, branch, year)[1:]


@pytest.fixture(scope="module")
def mie(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("mie") / "project")
    report, html = _laid_out(project)
    return project, report, html


def test_achievement_is_computed(mie):
    _, report, _ = mie
    results = {k.entry.kpi: k.achieved for k in report.kpis}
    assert {k: results[k] for k in EXPECTED} == EXPECTED


def test_kpi_list_is_two_tables_with_a_mark_per_judged_kpi(mie):
    _, report, html = mie
    tree = lxml_html.fromstring(html)
    tables = tree.find_class("kpi-table")
    titles = [h.text_content() for h in tree.find_class("category-title")]
    assert len(tables) == 2
    assert [t[t.index("【") :] for t in titles] == [
        "【基盤的保険者機能関係】",
        "【戦略的保険者機能関係】",
    ]
    heads = [th.text_content() for th in tables[0].iter("th")]
    assert heads[3:6] == ["令和6年度実績", "達成状況", "令和5年度実績（参考）"]
    shown = [
        img.get("alt")
        for table in tables
        for row in table.iter("tr")
        for img in row.iter("img")
        if "mark" in img.classes
    ]
    judged = [k for k in report.kpis if k.achieved is not None]
    assert shown == [marks.MEANINGS["achieved" if k.achieved else "missed"] for k in judged]
    # No text in the column: the row reads 実績 then 前年度実績, as in the source.
    for table in tables:
        for row in table.iter("tr"):
            cells = row.findall("td")
            if len(cells) >= 4:
                assert cells[-2].text_content().strip() in ("", "－")


def _kpi_rows(html: str) -> dict[str, list[str]]:
    """KPI欄 -> the texts of the row's other cells, from the KPI一覧 (NFKC: ① reads 1)."""
    tree = lxml_html.fromstring(html)
    rows = {}
    for table in tree.find_class("kpi-table"):
        for tr in table.iter("tr"):
            cells = [_norm(td.text_content()) for td in tr.findall("td")]
            if len(cells) >= 5:
                rows[cells[-5]] = cells[-4:]
    return rows


def test_kpi_list_targets_are_drawn_from_the_targets(mie):
    _, _, html = mie
    rows = _kpi_rows(html)
    # A 対前年度 target: the prior-year figure with its rule; a fixed one: the figure alone.
    assert rows["2現金給付等の申請に係る郵送化率"][0] == "95.7%(対前年度以上)"
    assert rows["1協会けんぽ単独のレセプト点検の査定率"][0] == "0.156%(対前年度以上)"
    assert rows["1生活習慣病予防健診受診率"][0] == "68.5%"
    assert rows["2健康保険委員の委嘱事業所数を前年度以上とする"][0] == "3,199社"
    assert rows["・協会けんぽのジェネリック医薬品使用割合"][0] == "82.8%以上(対前年度以上)"
    assert rows["・一般競争入札に占める一者応札案件の割合"][0] == "15%以下"
    # The KPI欄 carries the entry's notes under its name.
    assert "1資格喪失後1か月以内の保険証回収率※令和6年11月までの取組" in rows


def _measure_pages(html: str):
    tree = lxml_html.fromstring(html)
    return [s for s in tree.iter("section") if "measure" in s.classes]


def test_measure_pages_draw_badge_kpi_line_and_column_titles(mie):
    _, report, html = mie
    pages = _measure_pages(html)
    assert [p.get("id") for p in pages] == [m.anchor for m in report.measures]
    assert len(pages) == 7
    first = pages[0]
    assert _norm(first.find_class("group")[0].text_content()) == "業務グループ"
    line = _norm(first.find_class("kpi-line")[0].text_content())
    assert line == "令和6年度KPI現金給付等の申請に係る郵送化率を対前年度(95.7%)以上とする結果95.8%"
    titles = [_norm(t.text_content()) for t in first.find_class("column-title")]
    assert titles == ["令和6年度の取組", "課題", "令和7年度の取組"]
    # No page repeats its group or a column title (the data holds neither).
    for page in pages:
        assert _norm(page.text_content()).count("グループ") == 1
        titles = [_norm(t.text_content()) for t in page.find_class("column-title")]
        assert len(titles) == len(set(titles))


def test_long_results_take_the_page_width(mie):
    _, _, html = mie
    pages = {p.get("id"): p for p in _measure_pages(html)}
    # レセプト点検: long results across the page, then 課題 | 令和7年度の取組 | the chart.
    grids = pages["measure-receipt"].find_class("measure-grid")
    assert [len(g.findall(".//td")) - len(g.findall(".//td//td")) for g in grids] == [1, 3]
    # 郵送化率: short results beside 課題, then 令和7年度の取組 beside the chart.
    grids = pages["measure-mail-application"].find_class("measure-grid")
    firsts = [_norm(g.find_class("column-title")[0].text_content()) for g in grids]
    assert firsts == ["令和6年度の取組", "令和7年度の取組"]


def test_charts_cite_the_kpi_figures(mie):
    _, report, _ = mie
    measure = next(m for m in report.measures if m.id == "mail-application")
    chart = next(b for b in measure.results if isinstance(b, dict) and b["type"] == "chart")
    values = {s.name: s.values for s in chart["chart"].series}
    k = next(k for k in report.kpis if k.entry.kpi == "mail_application_rate")
    assert values["三重実績(%)"][1:] == [k.prior.value, k.actual.value]
    assert values["三重KPI（％）"][2] == k.target.value
    assert values["全国実績"][1:] == [k.national_prior.value, k.national.value]
    # The first year's 三重実績 is also the next year's 三重KPI (a 対前年度 target).
    assert values["三重実績(%)"][0] == values["三重KPI（％）"][1] == Decimal("96.0")


SMALL_BRANCH = """\
name: 試験支部
short_name: 試験
organization: 全国健康保険協会
"""

SMALL_YEAR = """\
documents:
  - id: results
    kind: results
    style: mie
    title: 試験支部事業実施状況
    date: 2025-07-31
kpis:
  - kpi: mail_application_rate
    number: ①
    item: サービス水準の向上
    target: 対前年度
    actual: "ACTUAL"
    prior: "95.7"
  - kpi: checkup_rate
    number: ①
    item: 特定健診受診率の向上
    target: "68.5"
  - kpi: employer_data_rate
    number: ②
    item: 特定健診受診率の向上
    target: "11.0"
    actual: "6.9"
measures:
  - id: mail
    section: basic
    title: サービス水準の向上
    group: 業務
    kpis: [mail_application_rate]
    results:
      - type: bullets
        items: [窓口での提出率が高い申請書について電話で郵送化を促進]
      - type: chart
        title: 郵送化率
        categories: [令和5年度, 令和6年度]
        series:
          - name: 実績
            values: ["{mail_application_rate.prior}", "{mail_application_rate.actual}"]
    issues:
      - type: bullets
        items: [横ばい状態が続いている]
  - id: checkups
    section: strategic
    title: 特定健診受診率の向上
    group: 保健グループ
    kpis: [checkup_rate, employer_data_rate]
    plan: [健診機関過疎地域での集合健診の実施]
    importance: 健診は保健事業の基盤である。
    activities: [集合健診の日程を広報した]
    next_plan:
      - type: bullets
        items: [集合健診の会場を増やす]
  - id: notes
    section: organization
    title: 組織運営
    results:
      - type: paragraph
        text: 研修を実施した。
"""


def _small(tmp_path: Path, actual: str):
    from conftest import copy_project

    project = copy_project(tmp_path / "project")
    folder = project.root / "plans" / "test-mie"
    (folder / "2024").mkdir(parents=True)
    (folder / "branch.yaml").write_text(SMALL_BRANCH, encoding="utf-8")
    year = SMALL_YEAR.replace("ACTUAL", actual)
    (folder / "2024" / "00-year.yaml").write_text(year, encoding="utf-8")
    return project


def _chart_and_line(report, html: str) -> tuple[list, str]:
    measure = next(m for m in report.measures if m.id == "mail")
    chart = next(b for b in measure.results if isinstance(b, dict) and b["type"] == "chart")
    page = next(p for p in _measure_pages(html) if p.get("id") == "measure-mail")
    return chart["data"], _norm(page.find_class("kpi-line")[0].text_content())


def test_a_changed_actual_changes_the_chart_and_the_kpi_line(tmp_path):
    before_report, before_html = _laid_out(_small(tmp_path / "a", "95.8"), "test-mie")
    after_report, after_html = _laid_out(_small(tmp_path / "b", "93.1"), "test-mie")
    data, line = _chart_and_line(before_report, before_html)
    assert [row[1].value for row in data] == [Decimal("95.7"), Decimal("95.8")]
    assert line.endswith("結果95.8%")
    data, line = _chart_and_line(after_report, after_html)
    assert [row[1].value for row in data] == [Decimal("95.7"), Decimal("93.1")]
    assert line.endswith("結果93.1%")
    assert "95.8" not in _norm(lxml_html.fromstring(after_html).text_content())
    # The chart is drawn again: its name follows its data.
    assert before_html.count("kenpo-image:chart-") == after_html.count("kenpo-image:chart-") == 1
    before_url = re.search(r"kenpo-image:chart-\w+", before_html).group()
    assert before_url not in after_html


def test_other_shapes_of_measures(tmp_path):
    _report, html = _laid_out(_small(tmp_path, "95.8"), "test-mie")
    pages = {p.get("id"): p for p in _measure_pages(html)}
    # Several KPIs: one row each under one 令和6年度KPI header; no actual prints 「－」.
    lines = pages["measure-checkups"].find_class("kpi-line")[0]
    rows = [_norm(tr.text_content()) for tr in lines.iter("tr")]
    assert rows == [
        "令和6年度KPI生活習慣病予防健診受診率を68.5%以上とする結果-",  # －, after NFKC
        "事業者健診データ取得率を11.0%以上とする結果6.9%",
    ]
    checkups = _norm(pages["measure-checkups"].text_content())
    assert (
        "令和6年度の事業計画・健診機関過疎地域での集合健診の実施【重要度】健診は保健事業の基盤である。"
        in checkups
    )
    assert "令和6年度の取組・集合健診の日程を広報した" in checkups
    assert "令和7年度の取組・集合健診の会場を増やす" in checkups
    # 「保健グループ」 is not doubled; a measure without KPIs has no KPI line.
    assert _norm(pages["measure-checkups"].find_class("group")[0].text_content()) == "保健グループ"
    assert not pages["measure-notes"].find_class("kpi-line")
    assert "研修を実施した。" in _norm(pages["measure-notes"].text_content())
    # The KPI一覧 prints 「－」 where an actual is still to come.
    assert _kpi_rows(html)["1生活習慣病予防健診受診率"][1:3] == ["-", "-"]


def test_pdf_and_docx_read_as_the_source_rows(mie):
    from conftest import pdf_text

    project, *_ = mie
    build(project, "mie", 2024)
    folder = project.output_dir("mie", 2024)
    pdf = _norm(pdf_text(folder / "results.pdf", 1, layout=False))
    with zipfile.ZipFile(folder / "results.docx") as z:
        xml = z.read("word/document.xml").decode()
        pictures = [n for n in z.namelist() if n.startswith("word/media/")]
    docx = _norm(re.sub(r"<[^>]+>", "", xml))
    # The PDF draws the marks; the DOCX types them (〇, ×), between 実績 and 前年度実績.
    for actual, mark, prior in (
        ("95.8%", "〇", "95.7%"),
        ("0.114%", "×", "0.156%"),
        ("10,295円", "〇", "8,683円"),
        ("68.19%", "×", "78.19%"),
    ):
        assert actual + prior in pdf and actual + mark + prior in docx, actual
    # No mark is a picture: the pictures are the charts.
    assert xml.count("<pic:pic") == len(pictures) == 3
    # A chart's figures read in the DOCX as its legend does: a row per series.
    assert "三重実績(%)96.0%95.7%95.8%" in docx


def test_marks_are_vector_and_raster():
    svg = marks.vector("achieved")
    assert svg.startswith(b"<svg") and b"<circle" in svg
    png = marks.raster("missed")
    assert png.startswith(b"\x89PNG")
    assert marks.used(f'<img src="{marks.url("missed")}">') == ["missed"]
    with pytest.raises(ValueError):
        marks.url("maybe")
