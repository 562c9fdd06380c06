"""The 大分 style: KPI一覧 by category with computed 達成状況 and 掲載ページ, 次年度KPI."""

from __future__ import annotations

import re

import pytest

from conftest import pdf_text
from kenpo_report.formatting import figure
from kenpo_report.pipeline import build, lay_out
from kenpo_report.report import build_report
from kenpo_report.validate import load_plan


@pytest.fixture(scope="module")
def oita(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("oita") / "project")
    plan = load_plan(project, "oita", 2024)
    return project, plan, build_report(plan, plan.data.documents[0])


def test_achievement_matches_the_seed(oita):
    _, _, report = oita
    expected = {
        "service_standard": True,
        "receipt_assessment_rate": False,
        "card_collection_rate": False,
        "checkup_rate": False,
        "insured_guidance_rate": True,
        "single_bid_rate": True,
    }
    results = {k.entry.kpi: k.achieved for k in report.kpis}
    for kpi_id, achieved in expected.items():
        assert results[kpi_id] is achieved, kpi_id


def test_next_year_targets_come_from_the_2025_plan(oita):
    _, plan, report = oita
    assert plan.next is not None and plan.next.year == 2025
    mail = next(k for k in report.kpis if k.entry.kpi == "mail_application_rate")
    assert mail.entry.successor == "window_rate"
    assert mail.next is not None
    assert mail.next.target_text == "8.4％以下"
    checkup = next(k for k in report.kpis if k.entry.kpi == "checkup_rate")
    assert figure(checkup.next.target) == "71.4％"


def test_kpi_list_is_split_by_category_and_pages_are_computed(oita):
    project, plan, report = oita
    html = lay_out(project, plan, report)
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
