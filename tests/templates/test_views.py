"""What the styles' views decide for their templates (compute/styles): the templates only print."""

from __future__ import annotations

from dataclasses import replace

import pytest

from kenpo_report.compute.blocks import HeadingView
from kenpo_report.compute.report import build_report
from kenpo_report.compute.styles import common, fukushima, ibaraki, iwate, oita
from kenpo_report.validate import load_plan


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("views") / "project")
    out = {}
    for branch, year in (("ibaraki", 2024), ("oita", 2024)):
        plan = load_plan(project, branch, year)
        out[branch] = build_report(plan, plan.data.documents[0])
    return out


def test_spans_and_runs():
    assert common.spans(["a", "a", "b"]) == [2, 0, 1]
    assert common.runs([1, 1, 2], "real") == [(1, [1, 1]), (2, [2])]


def test_items_keep_their_own_marks():
    items = common.marked(["◆own", "plain", ""], "◆")
    assert [(i.mark, i.text) for i in items] == [("", "◆own"), ("・", "plain"), ("", "")]


def test_a_sheet_narrows_the_columns_it_leaves_empty(reports):
    measures = reports["ibaraki"].measures
    full = [replace(m, plan=["p"], activities=["a"], prior_results=["r"]) for m in measures[:1]]
    assert ibaraki.column_widths(full) == list(ibaraki.BASE_WIDTHS)
    bare = [replace(m, plan=["p"], activities=[], prior_results=[]) for m in measures[:1]]
    widths = ibaraki.column_widths(bare)
    assert widths[2] == widths[3] == ibaraki.NARROW
    assert widths[0] == ibaraki.BASE_WIDTHS[0] and widths[5] == ibaraki.BASE_WIDTHS[5]
    assert sum(widths) == pytest.approx(100)
    assert widths[1] / widths[4] == pytest.approx(26 / 22)  # the room shared in proportion


def test_sheets_are_numbered_by_group_and_show_the_intro_once(reports):
    report = reports["ibaraki"]
    sheets = report.view.sheets
    assert [s.number for s in sheets] == [1, 2, 3, 4, 4]
    by_section: dict[str, int] = {}
    for sheet in sheets:
        by_section[sheet.section_title] = by_section.get(sheet.section_title, 0) + bool(sheet.intro)
    assert all(n <= 1 for n in by_section.values())
    assert report.view.this_year == "令和６年度" and report.view.last_year == "５年度"


def test_results_pages_start_at_level_2_headings():
    two, three = HeadingView("B", "2", "h3"), HeadingView("C", "3", "h4")
    assert iwate.results_pages(["a", two, "b", three]) == [["a"], [two, "b", three]]
    assert iwate.results_pages([two, "a"]) == [[two, "a"]]  # nothing before: no empty page


def test_kpi_lines_are_numbered_when_several():
    lines = fukushima.kpi_lines(["one", "two"])
    assert [(line.first, line.number) for line in lines] == [(True, 1), (False, 2)]
    [alone] = fukushima.kpi_lines(["one"])
    assert alone.first and alone.number is None


def test_oita_columns_share_the_page_by_their_text(reports):
    measure = replace(reports["oita"].view.measures[0], wide=False)
    split = measure.split("<p>" + "あ" * 30 + "</p>", "<p>" + "い" * 10 + "</p>")
    assert (split.paired, split.share, split.rest) == (True, 72, 28)  # 75 % bounded
    split = measure.split("<p>ab</p>", "<p>abc</p>")
    assert (split.share, split.rest) == (40, 60)
    alone = measure.split("<p>text</p>", "<div> </div>")
    assert not alone.paired and alone.left and not alone.right
    assert not replace(measure, wide=True).split("<p>a</p>", "<p>b</p>").paired


def test_a_style_without_a_view_draws_from_the_shared_views(reports):
    from kenpo_report.compute.styles import style_view

    report = reports["oita"]
    other = replace(report, document=report.document.model_copy(update={"style": "mine"}))
    assert style_view(None, other) is None
    assert isinstance(report.view, oita.OitaView)
