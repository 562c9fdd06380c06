"""The 福島 style's view (事業計画) on a small plan: the KPIs no measure reports, under
their KPI一覧 項目; a KPI whose KPI一覧 prints its sentence (list_statement)."""

from __future__ import annotations

import pytest
from lxml import html as lxml_html

from conftest import CATALOG, norm_text, write_project
from kenpo_report.build.pipeline import lay_out
from kenpo_report.compute.kpis import kpi_field
from kenpo_report.compute.report import build_report
from kenpo_report.validate import load_plan

DOCUMENT = """\
documents:
  - {id: plan, kind: plan, style: fukushima, title: 試験の事業計画, date: 2024-03-29}
"""

# mail_rate and checkup_rate are reported by a measure; the others are not. Item A
# (サービス水準の向上) comes first in the list, item B between its two KPIs.
KPIS = """\
kpis:
  - {kpi: mail_rate, number: ①, item: サービス水準の向上, target: 対前年度, prior: "95.7"}
  - {kpi: assessment_rate, number: ②, item: "効果的なレセプト\\n点検の推進", target: 対前年度, prior: "0.156"}
  - {kpi: window_rate, number: ③, item: サービス水準の向上, target: "5.0"}
  - {kpi: assessment_amount, number: ④, item: "効果的なレセプト\\n点検の推進", target: 対前年度, prior: "8683"}
  - {kpi: checkup_rate, number: ⑤, item: 健診, target: "68.5"}
  - kpi: offices
    number: ⑥
    item: 広報
    statement: "{name}を前年度{direction}とする"
    list_statement: {list_statement}
    target: 対前年度
    prior: "3199"
"""

MEASURES = """\
measures:
  - {id: mail, section: basic, title: 郵送化の推進, kpis: [mail_rate]}
  - id: checkups
    section: strategic
    title: 健診の推進
    kpis: [checkup_rate]
    plan: ["・{offices.name}を増やす"]
"""


def _project(root, list_statement: str = "true"):
    files = {
        "00-document.yaml": DOCUMENT,
        "10-kpis.yaml": KPIS.replace("{list_statement}", list_statement),
        "20-measures.yaml": MEASURES,
    }
    return write_project(root, files, catalog=CATALOG)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    project = _project(tmp_path_factory.mktemp("fukushima") / "project")
    plan = load_plan(project, "x", 2024)
    report = build_report(plan, plan.data.documents[0])
    return project, plan, report


def _rows(field) -> list[tuple[str | None, list[tuple[int | None, str]]]]:
    """Each row of a 分野 as (heading, [(number, text) of its ■KPI lines]); a row of
    measures gives its measures' ■KPI lines."""
    out = []
    for row in field.rows:
        lines = row.kpi_lines or [line for pm in row.measures for line in pm.kpi_lines]
        out.append((row.heading, [(line.number, line.text) for line in lines]))
    return out


def test_unreported_kpis_are_under_their_item_in_the_lists_order(built):
    _, _, report = built
    basic, strategic = report.view.fields
    assert _rows(basic) == [
        (None, [(None, "現金給付等の申請に係る郵送化率を対前年度以上とする")]),
        # Item A is the list's first item, though its unreported KPI comes after B's first.
        ("サービス水準の向上", [(None, "窓口受付率を5.0％以下とする")]),
        # The item's line breaks (for the KPI一覧's narrow column) are not the heading's.
        (
            "効果的なレセプト点検の推進",
            [
                (1, "レセプト点検の査定率を対前年度以上とする"),
                (2, "再審査レセプト１件当たりの査定額を対前年度以上とする"),
            ],
        ),
    ]
    assert _rows(strategic) == [
        (None, [(None, "生活習慣病予防健診受診率を68.5％以上とする")]),
        ("広報", [(None, "健康宣言事業所数を前年度以上とする")]),
    ]


def test_the_plan_prints_each_item_above_its_kpi_lines(built):
    project, plan, report = built
    tree = lxml_html.fromstring(lay_out(project, plan, report))
    cells = tree.get_element_by_id("plan").find_class("measures")
    texts = [norm_text(c.text_content()) for c in cells]
    assert texts[1] == "サービス水準の向上■KPI:窓口受付率を5.0%以下とする"
    assert texts[2] == (
        "効果的なレセプト点検の推進■KPI:1)レセプト点検の査定率を対前年度以上とする"
        "2)再審査レセプト1件当たりの査定額を対前年度以上とする"
    )
    assert texts[-1] == "広報■KPI:健康宣言事業所数を前年度以上とする"
    # The heading is the cell's first paragraph.
    first = cells[1].find(".//p")
    assert "measure-heading" in first.get("class") and norm_text(first.text_content()) == (
        "サービス水準の向上"
    )


def test_a_kpi_named_by_its_sentence_does_not_double_it(built):
    _, _, report = built
    offices = next(k for k in report.kpis if k.entry.kpi == "offices")
    # The sentence comes from the name and the target once; the KPI一覧 prints it.
    assert offices.statement == "健康宣言事業所数を前年度以上とする"
    assert offices.list_name == offices.statement
    # The KPI's name stays the catalogue's: {name} in its statement, {offices.name} elsewhere.
    assert offices.name == "健康宣言事業所数"
    assert kpi_field(offices, "name") == "健康宣言事業所数"
    checkups = next(m for m in report.measures if m.id == "checkups")
    assert checkups.plan == ["・健康宣言事業所数を増やす"]
    lines = [line.text for f in report.view.fields for r in f.rows for line in r.kpi_lines]
    assert "健康宣言事業所数を前年度以上とする" in lines
    assert not [t for t in lines if "とするを" in t or t.count("とする") > 1]


def test_the_kpi_list_prints_the_sentence_of_a_kpi_named_by_it(built):
    project, plan, report = built
    tree = lxml_html.fromstring(lay_out(project, plan, report))
    names = [norm_text(td.text_content()) for td in tree.find_class("name")]
    assert "6健康宣言事業所数を前年度以上とする" in names  # NFKC: ⑥ is 6
    assert "5生活習慣病予防健診受診率" in names
    assert "とするを" not in norm_text(tree.text_content())


def test_without_list_statement_the_list_prints_the_name(tmp_path):
    project = _project(tmp_path / "p", list_statement="false")
    plan = load_plan(project, "x", 2024)
    report = build_report(plan, plan.data.documents[0])
    offices = next(k for k in report.kpis if k.entry.kpi == "offices")
    assert offices.list_name == offices.name == "健康宣言事業所数"
    assert offices.statement == "健康宣言事業所数を前年度以上とする"


def test_unreported_kpis_of_a_measures_own_item_go_under_that_measure(tmp_path):
    """三重: a measure per 項目, titled by it: its item's unreported KPIs are its own lines,
    numbered in the KPI一覧's order, not a second heading of the same words."""
    project = _project(tmp_path / "p")
    path = project.year_dir("x", 2024) / "20-measures.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            "title: 郵送化の推進", "title: サービス水準の向上"
        ),
        encoding="utf-8",
    )
    plan = load_plan(project, "x", 2024)
    basic, _ = build_report(plan, plan.data.documents[0]).view.fields
    rows = _rows(basic)
    assert rows[0] == (
        None,
        [
            (1, "現金給付等の申請に係る郵送化率を対前年度以上とする"),
            (2, "窓口受付率を5.0％以下とする"),
        ],
    )
    assert [heading for heading, _ in rows] == [None, "効果的なレセプト点検の推進"]
