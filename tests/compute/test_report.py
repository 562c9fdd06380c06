"""The compute stage on the real 岩手 FY2024 plan, against the seed's own figures."""

from __future__ import annotations

import pytest

from kenpo_report.compute.grids import Grid
from kenpo_report.compute.report import build_report
from kenpo_report.layout.formatting import figure
from kenpo_report.validate import load_plan


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    from conftest import copy_project

    project = copy_project(tmp_path_factory.mktemp("report") / "project")
    plan = load_plan(project, "iwate", 2024)
    return plan, build_report(plan, plan.data.documents[0])


def kpi(report, kpi_id):
    return next(k for k in report[1].kpis if k.entry.kpi == kpi_id)


@pytest.mark.parametrize(
    ("kpi_id", "target", "actual", "achieved", "diff"),
    [
        ("checkup_rate", "64.4％以上", "61.6％", False, "+3.2％"),
        ("employer_data_rate", "13.6％以上", "11.3％", False, "+4.1％"),
        ("dependant_checkup_rate", "29.8％以上", "31.6％", True, "+2.2％"),
        ("insured_guidance_rate", "25.0％以上", "21.4％", False, "+1.1％"),
        ("dependant_guidance_rate", "4.4％以上", "6.2％", True, "▲10.9％"),
        ("referral_visit_rate", "32.7％以上", "32.6％", False, "▲1.3％"),
        ("receipt_assessment_rate", "0.282％以上", "0.252％", False, "+0.121％"),
        ("reexamination_amount", "9,971円以上", "10,026円", True, "+118円"),
        ("card_collection_rate", "90.03％以上", "87.18％", False, "+5.82％"),
        ("claim_collection_rate", "88.72％以上", "76.15％", False, "+9.95％"),
        ("single_bid_rate", "15％以下", "10％", True, None),
        ("health_management_offices", "1,830事業所以上", "2,046事業所", True, None),
        ("committee_offices", "2,810事業所以上", "3,743事業所", True, None),
    ],
)
def test_kpi_results(report, kpi_id, target, actual, achieved, diff):
    result = kpi(report, kpi_id)
    assert result.target_text == target
    assert figure(result.actual) == actual
    assert result.achieved is achieved
    assert (figure(result.diff) if result.diff else None) == diff


def test_prior_year_target_and_statement(report):
    result = kpi(report, "mail_application_rate")
    assert result.statement == "現金給付等の申請に係る郵送化率を対前年度以上とする"
    assert result.target_text == "95.5％以上"
    assert result.achieved is True


def test_generated_statement(report):
    assert kpi(report, "checkup_rate").statement == "生活習慣病予防健診受診率を64.4％以上とする"


def test_prior_rates_from_counts(report):
    assert figure(kpi(report, "checkup_rate").prior) == "66.2％"
    assert figure(kpi(report, "checkup_rate").national_prior) == "57.7％"


def test_typed_rate_disagreement_is_a_finding(report):
    plan, rep = report
    [finding] = [f for f in rep.findings if f.path[:2] == ("kpis", 14)]
    assert "60.9" in finding.message
    assert "61.0" in finding.message
    assert plan.source.get(finding.path).file == "plans/iwate/2024/10-kpis.yaml"


def _mail_series(rep) -> Grid:
    measure = next(m for m in rep.measures if m.id == "mail-application")
    return next(b for b in measure.results if isinstance(b, Grid) and b.css == "series")


def test_monthly_totals_are_computed(report):
    plan, rep = report
    grid = _mail_series(rep)
    totals = [figure(row[-1].content) for row in grid.body]
    assert totals == ["27,855", "29,157", "95.5％"]
    messages = [f.message for f in rep.findings]
    assert any("27,755" in m and "27,855" in m for m in messages)
    assert any("28,977" in m and "29,157" in m for m in messages)
    position = plan.source.get(next(f.path for f in rep.findings if "27,755" in f.message))
    assert position.file == "plans/iwate/2024/20-basic.yaml"
    assert position.line > 1


def test_achievement_count(report):
    achieved, judged = report[1].achieved_count
    assert (achieved, judged) == (10, 17)


def _fukushima(project):
    plan = load_plan(project, "fukushima", 2025)
    rep = build_report(plan, plan.data.documents[0])
    return {k.entry.kpi: k for k in rep.kpis}


def test_plan_prior_year_target_stands_as_words(project):
    from kenpo_report.compute.kpis import kpi_field

    window = _fukushima(project)["window_rate"]
    assert window.target is None and window.achieved is None
    assert window.target_text == "対前年度以下"
    assert kpi_field(window, "target_before") == "対前年度以下"
    assert kpi_field(window, "change") == "（変更無）"


def test_changed_target_is_marked(project):
    from kenpo_report.compute.kpis import kpi_field

    path = project.root / "plans/fukushima/2025/10-kpis.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace('    target: "65.6"\n', '    target: "65.6"\n    target_before: 64.0％\n'),
        encoding="utf-8",
    )
    checkup = _fukushima(project)["checkup_rate"]
    assert kpi_field(checkup, "target_before") == "64.0％"
    assert kpi_field(checkup, "change") == "（変更有）"


def test_results_prior_year_target_still_needs_a_prior(project):
    from kenpo_report.errors import UserError

    path = project.root / "plans/fukushima/2025/00-document.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("kind: plan", "kind: results"))
    with pytest.raises(UserError) as info:
        load_plan(project, "fukushima", 2025)
    assert any("対前年度" in p.message for p in info.value.problems)


def test_column_counts_follow_colspan_and_rowspan():
    from kenpo_report.compute.grids import GridCell, column_counts

    a, wide, tall = GridCell("a"), GridCell("b", colspan=2), GridCell("c", rowspan=2)
    assert column_counts([[tall, wide], [a, a], [a, a, a]]) == [3, 3, 3]
    assert column_counts([[a, a, a], [a, a]]) == [3, 2]


def test_an_unquoted_comma_that_splits_a_cell_is_a_warning(project):
    """YAML reads [約800, 約16,000] as three items; the ragged row is named."""
    path = project.root / "plans/iwate/2024/31-strategic.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('"約16,000"', "約16,000"), encoding="utf-8")
    plan = load_plan(project, "iwate", 2024)
    findings = build_report(plan, plan.data.documents[0]).findings
    ragged = [f for f in findings if "列の数が違います" in f.message]
    assert len(ragged) == 1 and ragged[0].path[-2:] == ("rows", 2)
    assert "（6列と7列）" in ragged[0].message
