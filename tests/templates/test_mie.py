"""The 三重 style: KPI一覧 as two category tables, 達成状況 computed and drawn as ○/× marks."""

from __future__ import annotations

import re
import unicodedata
import zipfile

import pytest
from lxml import html as lxml_html

from kenpo_report import marks
from kenpo_report.pipeline import build, lay_out
from kenpo_report.report import build_report
from kenpo_report.validate import load_plan

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


@pytest.fixture(scope="module")
def mie(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("mie") / "project")
    plan = load_plan(project, "mie", 2024)
    report = build_report(plan, plan.data.documents[0])
    return project, plan, report, lay_out(project, plan, report)


def test_achievement_is_computed(mie):
    _, _, report, _ = mie
    results = {k.entry.kpi: k.achieved for k in report.kpis}
    assert {k: results[k] for k in EXPECTED} == EXPECTED


def test_kpi_list_is_two_tables_with_a_mark_per_judged_kpi(mie):
    _, _, report, html = mie
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


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


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
    for row in ("95.8%95.7%", "0.114%0.156%", "10,295円8,683円", "68.19%78.19%"):
        assert row in pdf and row in docx, row
    # The marks are pictures in the DOCX: one ○ and one × image, reused.
    assert xml.count("<pic:pic") >= sum(1 for v in EXPECTED.values())
    assert len(pictures) >= 2


def test_marks_are_vector_and_raster():
    svg = marks.vector("achieved")
    assert svg.startswith(b"<svg") and b"<circle" in svg
    png = marks.raster("missed")
    assert png.startswith(b"\x89PNG")
    assert marks.used(f'<img src="{marks.url("missed")}">') == ["missed"]
    with pytest.raises(ValueError):
        marks.url("maybe")
