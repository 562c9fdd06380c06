"""The 岩手 style: KPI一覧 with 全国順位 and ページ数, a divider per section, then a page or
more per measure (page head with 【項番】 and group, 事業計画 box, KPI box or 「KPI設定なし」,
the year's 実施状況), all drawn from the branch-year's KPIs, measures and sections."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import ROOT, copy_project, laid_out, pdf_text
from conftest import norm_text as _norm


def _laid_out(project, branch: str = "iwate", year: int = 2024):
    return laid_out(project, branch, year)[1:]


def _texts(blocks) -> list[str]:
    """The prose of free blocks: paragraphs, headings, list and box items."""
    out: list[str] = []
    for b in blocks:
        kind = b.get("type") if isinstance(b, dict) else getattr(b, "type", None)
        if kind in ("paragraph", "heading"):
            out.append(b.text)
        elif kind in ("bullets", "box"):
            out += list(b.items)
    return out


@pytest.fixture(scope="module")
def iwate(tmp_path_factory):
    project = copy_project(tmp_path_factory.mktemp("iwate") / "project")
    report, html = _laid_out(project)
    return project, report, html


@pytest.fixture(scope="module")
def pdf(built):
    """The built PDF and the text of each of its pages."""
    project, _ = built
    path = project.output_dir("iwate", 2024) / "results.pdf"
    return path, pdf_text(path, layout=False).split("\f")[:-1]


def test_every_measure_prints_its_plan_and_results(iwate, pdf):
    _, report, _ = iwate
    _, pages = pdf
    text = _norm("".join(pages))
    assert report.measures, "岩手 2024 has measures"
    for m in report.measures:
        for item in m.plan:
            assert _norm(item) in text, (m.id, item)
        for prose in _texts(m.results):
            assert _norm(prose) in text, (m.id, prose)


def test_sections_draw_their_dividers_from_the_model(iwate):
    _, report, html = iwate
    tree = lxml_html.document_fromstring(html)
    dividers = tree.xpath('//section[contains(@class, "divider")]')
    titles = [_norm(d.xpath("string(.//h2)")) for d in dividers]
    assert titles == [
        _norm("Ⅰ．基盤的保険者機能関係"),
        _norm("Ⅱ．戦略的保険者機能関係"),
        _norm("Ⅲ．組織・運営体制関係"),
    ]
    assert "⑶～⑷レセプトグループ" in dividers[0].text_content()
    assert [s.id for s in report.sections] == ["basic", "strategic", "organization"]


def test_page_heads_number_titles_and_kpi_items(iwate):
    _, _, html = iwate
    tree = lxml_html.document_fromstring(html)
    heads = [
        _norm(h.text_content()) for h in tree.xpath('//section[contains(@class, "measure")]//h2')
    ]
    for expected in (
        "⑴サービス水準の向上【項番①】",
        "（3）レセプト点検の精度向上【項番③】",
        "（4）債権管理・回収と返納金債権発生防止の強化【項番④】",
        "（7）医療費適正化",
    ):
        assert _norm(expected) in heads
    titles = [_norm(h.text_content()) for h in tree.xpath('//h3[@class="measure-title"]')]
    assert _norm("ⅰ）ジェネリック医薬品の使用促進【項番⑫】") in titles
    assert _norm("ii）健康保険委員関係【項番⑬】") in titles


def test_template_draws_box_titles_badges_and_headings(iwate):
    _, report, html = iwate
    tree = lxml_html.document_fromstring(html)
    without_kpis = [m for m in report.measures if not m.kpis]
    assert len(tree.xpath('//p[contains(@class, "badge")]')) == len(without_kpis)
    boxes = tree.xpath('//div[contains(@class, "box") and contains(@class, "kpi")]')
    assert len(boxes) == len([m for m in report.measures if m.kpis])
    for box in boxes:
        assert box.xpath('string(.//p[@class="box-title"])') == "KPI"
        heads = [th.text_content() for th in box.xpath(".//thead//th")]
        assert heads == ["項目", "令和6年度 目標", "令和6年度 実績"]
    assert len(tree.xpath('//h3[contains(@class, "results-heading")]')) == len(report.measures)
    # None of it is typed in the data.
    for path in (ROOT / "plans" / "iwate" / "2024").glob("*.yaml"):
        lines = path.read_text(encoding="utf-8").splitlines()
        data = "\n".join(line for line in lines if not line.lstrip().startswith("#"))
        for typed in ("KPI設定なし", "title: 事業計画", "type: kpi_box", "style: badge"):
            assert typed not in data, (path.name, typed)
        assert not re.search(r"令和.年度(下期)?の実施状況", data), path.name


def test_no_layout_in_the_plans():
    for path in sorted((ROOT / "plans" / "iwate").rglob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"^\s*(widths|align|label_width):", text, re.M), path.name


def test_kpi_list_pages_point_at_the_measures(pdf):
    _, pages = pdf
    first = pages[0]
    numbers = sorted(int(n) for n in re.findall(r"P(\d+)", first))
    # As the source: ① P5 ② P6 ③ P8 ④ P9 and P10 … ⑭ P36
    assert numbers == [5, 6, 8, 9, 10, 13, 14, 15, 17, 18, 20, 22, 26, 31, 36]
    assert "サービス水準の向上【項番①】" in pages[4]
    # 債権回収率 continues its measure on the next page, under the KPI's name.
    assert "回収率・返納金割合の差" in pages[9]
    assert "【項番④】" in pages[9]
    assert "費用対効果を踏まえたコスト削減等【項番⑭】" in pages[35]


def test_continuation_pages_repeat_the_measure_head(pdf):
    _, pages = pdf
    page = next(p for p in pages if "●被扶養者に対する健診結果票取得勧奨" in p)
    assert "【項番⑦】" in page and "令和6年度の実施状況" not in page
    page = next(p for p in pages if "●新規事業：被扶養者向け来所型特定保健指導" in p)
    assert "【項番⑨】" in page


def test_figures_in_prose_are_computed(pdf):
    _, pages = pdf
    text = _norm("".join(pages))
    # 383名に対し勧奨を行い34名（応答率8.9％）: the rate is computed from the counts.
    assert _norm("383名に対し勧奨を行い34名（応答率8.9％）から申し込みあり") in text
    # 合計 of the 決定件数 is a sum; 収支差 a difference; the seed's 2.6％ is 343÷15,236＝2.3％.
    assert "19,130" in text and "+1,924" in text
    assert _norm("取得率：2.3％") in text and _norm("取得率：2.6％") not in text


# --- a small branch-year of its own, in the 岩手 style ----------------------------------

SAMPLE = """\
documents:
  - id: results
    kind: results
    style: iwate
    title: 令和6年度 見本支部 事業実施状況
    date: 2025-07-31
kpis:
  - kpi: checkup_rate
    number: ①
    item: 特定健診受診率の向上
    label: 受診率
    target: "{target}"
  - kpi: single_bid_rate
    number: ②
    item: コスト削減
    target: "15"
    actual: {{numerator: "1", denominator: "10"}}
measures:
  - id: checkups
    section: strategic
    number: ⑴
    title: 特定健診受診率の向上
    group: 保健
    kpis: [checkup_rate]
    plan: [集合健診の実施, 【重点】未受診者への勧奨]
    importance: 健診は保健事業の基盤である
    results:
      - type: paragraph
        text: 目標は{{checkup_rate.target}}です
  - id: costs
    section: organization
    title: コスト削減
    activities: [見積書の徴取]
    issues:
      - type: paragraph
        text: 一者応札が残る
    next_plan:
      - type: paragraph
        text: 公告期間を延ばす
    evaluation: {{grade: B, comments: [おおむね計画どおり]}}
  - id: outreach
    section: organization
    title: 広報
"""


def _sample(tmp_path: Path, target: str):
    project = copy_project(tmp_path / "project")
    folder = project.plans / "sample" / "2024"
    folder.mkdir(parents=True)
    (project.plans / "sample" / "branch.yaml").write_text(
        "name: 見本支部\nshort_name: 見本\n", encoding="utf-8"
    )
    (folder / "00-document.yaml").write_text(SAMPLE.format(target=target), encoding="utf-8")
    _, html = _laid_out(project, "sample")
    return lxml_html.document_fromstring(html)


def test_kpi_box_follows_the_target(tmp_path):
    tree = _sample(tmp_path, "60.0")
    box = tree.xpath('//div[contains(@class, "kpi")]')[0]
    assert _norm(box.xpath('string(.//p[@class="statement"])')) == _norm(
        "生活習慣病予防健診受診率を60.0％以上とする"
    )
    row = [_norm(c.text_content()) for c in box.xpath(".//tbody/tr[1]/*")]
    assert row == ["受診率", _norm("60.0％以上"), _norm("－")]  # no actual yet
    assert "64.4" not in tree.text_content()
    assert _norm("目標は60.0％です") in _norm(tree.text_content())


def test_other_measures_draw_sensibly(tmp_path):
    tree = _sample(tmp_path, "64.4")
    text = _norm(tree.text_content())
    plan = tree.xpath('//div[contains(@class, "plan")]')[0]
    items = [_norm(li.text_content()) for li in plan.xpath(".//li")]
    assert items == [
        "・集合健診の実施",
        "【重点】未受診者への勧奨",
    ]  # a marked item keeps its own mark
    assert _norm("【重要度】健診は保健事業の基盤である") in _norm(plan.text_content())
    costs = tree.xpath('//section[@id="measure-costs"]')[0]
    headings = [_norm(h.text_content()) for h in costs.xpath(".//h3")]
    assert headings == ["具体的な取り組み", "課題", _norm("令和7年度の計画")]
    assert not costs.xpath('.//div[contains(@class, "plan")]')  # no plan, no box
    assert costs.xpath('string(.//p[contains(@class, "badge")])') == "KPI設定なし"
    assert _norm("【自己評価】B") in _norm(costs.text_content())
    outreach = tree.xpath('//section[@id="measure-outreach"]')[0]
    assert not outreach.xpath(".//h3")  # nothing to report: only its head and badge
    # A KPI that no measure reports keeps its row in the KPI一覧, without a page.
    row = tree.xpath('//table[contains(@class, "kpi-table")]/tbody/tr')[-1]
    assert row.xpath("string(./td[last()])") == "－"
    assert "一者応札案件の割合について" not in text  # no KPI box prints it
    assert [
        _norm(h.text_content()) for h in tree.xpath('//section[contains(@class, "divider")]//h2')
    ] == [
        _norm("Ⅰ．戦略的保険者機能関係"),
        _norm("Ⅱ．組織・運営体制関係"),
    ]


def test_kpi_box_statements_follow_the_target(tmp_path):
    """A measure that words its KPI box its own way (statements) cites the target and
    named figures; a changed target changes the box, and the KPI一覧 keeps its own sentence."""
    project = copy_project(tmp_path / "project")
    folder = project.plans / "sample" / "2024"
    folder.mkdir(parents=True)
    (project.plans / "sample" / "branch.yaml").write_text(
        "name: 見本支部\nshort_name: 見本\n", encoding="utf-8"
    )
    own = SAMPLE.format(target="61.5").replace(
        "    kpis: [checkup_rate]\n",
        "    kpis: [checkup_rate]\n"
        "    statements:\n"
        '      - "受診率を{checkup_rate.target}以上にする（見込者数：{expected}）"\n'
        "      - ※見込者数は40歳以上\n"
        "    figures:\n"
        '      expected: {value: "1234", unit: 人}\n',
    )
    (folder / "00-document.yaml").write_text(own, encoding="utf-8")
    _, html = _laid_out(project, "sample")
    tree = lxml_html.document_fromstring(html)
    box = tree.xpath('//section[@id="measure-checkups"]//div[contains(@class, "kpi")]')[0]
    assert [_norm(p.text_content()) for p in box.xpath('.//p[@class="statement"]')] == [
        _norm("受診率を61.5％以上にする（見込者数：1,234人）")
    ]
    assert [_norm(p.text_content()) for p in box.xpath('.//p[@class="kpi-note"]')] == [
        _norm("※見込者数は40歳以上")
    ]
    listed = tree.xpath('//table[contains(@class, "kpi-table")]/tbody/tr[1]')[0]
    assert _norm("生活習慣病予防健診受診率を61.5％以上とする") in _norm(listed.text_content())
    assert "64.4" not in tree.text_content()
