"""Measures, references and named figures through the compute stage, on small plans."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CATALOG, write_project
from kenpo_report.build.pipeline import build, check
from kenpo_report.compute.report import build_report
from kenpo_report.errors import UserError
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

DOCUMENT = """\
documents:
  - id: results
    kind: {kind}
    style: {style}
    title: 令和6年度 テスト支部 事業実施状況
    date: 2025-07-31
"""

KPIS = """\
kpis:
  - kpi: checkup_rate
    number: ⑤
    item: 健診
    target: "64.4"
    actual: {numerator: "107020", denominator: "173770"}
    prior: "66.2"
    national: "58.4"
    rank: "22"
  - kpi: offices
    number: ⑥
    item: 健康経営
    statement: "{name}を対前年度（{prior}）以上とする"
    target: 対前年度
    prior: "1,245"
    actual: "1,889"
"""

MEASURES = """\
measures:
  - id: checkups
    section: strategic
    number: ⑸
    title: 特定健診受診率の向上
    group: 保健
    kpis: [checkup_rate]
    plan:
      - 集合バス健診の広報
    figures:
      bus: {value: "1,200", unit: 人}
      walk_in: {value: "800", unit: 人}
      visitors: {sum: [bus, walk_in]}
    results:
      - type: paragraph
        text: 集合健診の受診者は{visitors}（バス{bus}）、受診率は{checkup_rate.actual}でした。
    evaluation: {grade: B}
  - id: health-management
    section: strategic
    title: 健康経営の推進
    kpis: [offices]
    results:
      - type: paragraph
        text: 宣言事業所は{offices.actual}になりました。
    evaluation: {grade: A}
"""


def write(root: Path, files: dict[str, str], real_templates: bool = False) -> Project:
    templates = None if real_templates else ("iwate/results.html.j2",)
    return write_project(root, files, catalog=CATALOG, templates=templates)


def year(kind: str = "results", style: str = "iwate", measures: str = MEASURES) -> dict[str, str]:
    return {
        "00.yaml": DOCUMENT.format(kind=kind, style=style),
        "10.yaml": KPIS,
        "20.yaml": measures,
    }


def report_of(project: Project):
    plan = load_plan(project, "x", 2024)
    return build_report(plan, plan.data.documents[0])


def test_measures_resolve_their_references_and_point_the_kpi_list_at_them(tmp_path) -> None:
    report = report_of(write(tmp_path, year()))
    first, second = report.measures
    assert (
        first.results[0].text == "集合健診の受診者は2,000人（バス1,200人）、受診率は61.6％でした。"
    )
    assert second.results[0].text == "宣言事業所は1,889事業所になりました。"
    assert [k.anchor for k in report.kpis] == ["measure-checkups", "measure-health-management"]
    assert [s.title for s in report.sections] == ["戦略的保険者機能関係"]
    assert report.kpis[1].statement == "健康宣言事業所数を対前年度（1,245事業所）以上とする"
    assert report.errors == []


def test_prose_that_retypes_a_figure_of_the_data_is_told_the_reference(tmp_path) -> None:
    measures = MEASURES.replace("受診率は{checkup_rate.actual}", "受診率は61.6％")
    problems = check(write(tmp_path, year(measures=measures)), "x", 2024)
    [typed] = [p for p in problems if "データの数値と同じ" in p.message]
    assert typed.message == (
        "「61.6」はデータの数値と同じです。数値を書き写さずに {checkup_rate.actual} と書いてください"
    )
    line = measures.splitlines().index(next(x for x in measures.splitlines() if "61.6％" in x))
    assert (typed.position.line, typed.position.column) == (
        line + 1,
        measures.splitlines()[line].index("61.6") + 1,
    )


def test_an_unknown_reference_is_an_error_at_its_line_and_column(tmp_path) -> None:
    measures = MEASURES.replace("（バス{bus}）", "（バス{buss}）")
    with pytest.raises(UserError) as info:
        check(write(tmp_path, year(measures=measures)), "x", 2024)
    [problem] = info.value.problems
    lines = measures.splitlines()
    n = next(i for i, x in enumerate(lines) if "{buss}" in x)
    assert str(problem.position) == f"plans/x/2024/20.yaml:{n + 1}:{lines[n].index('{buss}') + 1}"
    assert problem.message == "参照「{buss}」の名前がありません（「{bus}」の誤りではありませんか）"
    assert problem.field == "measures[0].results[0].text"


def test_a_cycle_is_reported_once_where_the_figure_is_defined(tmp_path) -> None:
    measures = MEASURES.replace(
        "visitors: {sum: [bus, walk_in]}", "visitors: {sum: [bus, visitors]}"
    )
    with pytest.raises(UserError) as info:
        check(write(tmp_path, year(measures=measures)), "x", 2024)
    [problem] = info.value.problems
    assert (
        problem.message == "数値「visitors」が自分自身から計算されています（visitors → visitors）"
    )
    assert problem.field == "measures[0].figures.visitors"


def test_a_self_evaluation_names_the_measures_without_a_grade(tmp_path) -> None:
    measures = MEASURES.replace("    evaluation: {grade: A}\n", "")
    project = write(tmp_path, year(measures=measures))
    (project.templates / "ibaraki").mkdir()
    (project.templates / "ibaraki" / "self_evaluation.html.j2").write_text("", encoding="utf-8")
    (project.plans / "x" / "2024" / "00.yaml").write_text(
        DOCUMENT.format(kind="self_evaluation", style="ibaraki"), encoding="utf-8"
    )
    with pytest.raises(UserError) as info:
        check(project, "x", 2024)
    assert [p.message for p in info.value.problems] == [
        "自己評価の文書ですが、施策「健康経営の推進」に自己評価（evaluation の grade: S〜D）がありません"
    ]


def test_a_results_document_lists_the_actuals_still_to_write(tmp_path) -> None:
    kpis = KPIS.replace('    actual: "1,889"\n', "")
    files = year() | {"10.yaml": kpis}
    files["20.yaml"] = MEASURES.replace("{offices.actual}", "{offices.target}")
    problems = check(write(tmp_path, files), "x", 2024)
    assert [p.message for p in problems] == [
        "KPI「健康宣言事業所数」の実績（actual）がまだ書かれていません（「－」と表示します）"
    ]


@pytest.mark.parametrize("style", ["iwate", "oita", "mie"])
def test_an_edited_target_and_named_figure_leave_no_old_figure_in_the_html(tmp_path, style) -> None:
    """The single-source promise on a small plan: after an edit, the old figure is gone."""
    project = write(tmp_path, year(style=style), real_templates=True)
    files = project.plans / "x" / "2024"
    build(project, "x", 2024, ("html",))
    html = (project.output_dir("x", 2024) / "results.html").read_text(encoding="utf-8")
    assert "64.4" in html and "1,200" in html and "2,000" in html
    (files / "10.yaml").write_text(KPIS.replace('"64.4"', '"60.5"'), encoding="utf-8")
    (files / "20.yaml").write_text(MEASURES.replace('"1,200"', '"1,300"'), encoding="utf-8")
    build(project, "x", 2024, ("html",))
    html = (project.output_dir("x", 2024) / "results.html").read_text(encoding="utf-8")
    assert "64.4" not in html and "1,200" not in html and "2,000" not in html
    assert "60.5" in html and "1,300" in html and "2,100" in html


def test_new_year_makes_next_years_plan_the_plan_and_clears_the_past(tmp_path) -> None:
    from kenpo_report.commands.rollover import CONFIRM, TODO, new_year
    from kenpo_report.load.yaml_source import load_file

    measures = MEASURES.replace(
        "    evaluation: {grade: B}\n",
        "    evaluation: {grade: B}\n"
        "    next_plan:\n"
        "      - type: bullets\n"
        "        items:\n"
        "          - バス健診を{visitors}以上に広げる\n"
        "          - 令和7年3月末時点の未受診者へ案内\n",
    )
    project = write(tmp_path, year(measures=measures))
    (project.plans / "catalog" / "2025.yaml").write_text(CATALOG, encoding="utf-8")
    result = new_year(project, "x", 2025)
    data = load_file(project.year_dir("x", 2025) / "20.yaml", "20.yaml").data
    first, second = data["measures"]
    assert first["plan"] == ["バス健診を2,000人以上に広げる", "令和7年3月末時点の未受診者へ案内"]
    assert first["kpis"] == ["checkup_rate"]
    for past in ("figures", "results", "evaluation", "next_plan"):
        assert first.get(past) in (None, [])
    todos = [(t.kind, t.message) for t in result.todos]
    assert (
        TODO,
        "施策「特定健診受診率の向上」の実施状況（results）がまだ書かれていません",
    ) in todos
    marked = [m for k, m in todos if k == CONFIRM and "特定健診受診率の向上」の計画" in m]
    assert len(marked) == 2  # the copied figure and the past point in time
    assert second["plan"] == []  # nothing to carry: 記入待ち until it is written
    assert (TODO, "施策「健康経営の推進」の事業計画（plan）がまだ書かれていません") in todos


def test_a_free_table_sizes_itself_and_a_wrong_width_hint_is_a_warning(tmp_path) -> None:
    table = (
        "      - type: table\n"
        "        header: [[項目, 件数]]\n"
        "        rows:\n"
        '          - [健康保険委員への研修会の開催と参加の呼びかけ, {number: "12"}]\n'
    )
    measures = MEASURES.replace(
        "    evaluation: {grade: B}\n", table + "    evaluation: {grade: B}\n"
    )
    grid = report_of(write(tmp_path / "a", year(measures=measures))).measures[0].results[1]
    assert sum(grid.widths) == 100 and grid.widths[0] > grid.widths[1]
    assert grid.body[0][0].align == "left"  # long text reads left-aligned; the figure centred
    hinted = measures.replace(
        "        header:", '        widths: ["50", "30", "20"]\n        header:'
    )
    problems = check(write(tmp_path / "b", year(measures=hinted)), "x", 2024)
    assert [p.message for p in problems] == [
        "widths は3列分ですが、表は2列です。等分の幅で出力します"
    ]
