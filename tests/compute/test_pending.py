"""Places still to fill in (記入待ち): what a document shows and the data leaves empty."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import CATALOG, write_project
from kenpo_report.build.pipeline import check
from kenpo_report.errors import Position, Problem, Severity, UserError
from kenpo_report.project import Project

DOCUMENT = """\
documents:
  - id: report
    kind: {kind}
    style: {style}
    title: 令和6年度 テスト支部
    date: 2025-07-31
"""

# checkup_rate: actual and national written empty (as `new` writes them), rank written;
# offices: no actual, no national key at all.
KPIS = """\
kpis:
  - kpi: checkup_rate
    number: ⑤
    item: 健診
    target: "64.4"
    actual:
    national:
    rank: "22"
  - kpi: offices
    number: ⑥
    item: 健康経営
    target: "2000"
"""

MEASURES = """\
measures:
  - id: checkups
    section: strategic
    title: 特定健診受診率の向上
    kpis: [checkup_rate]
    plan: []
    results: []
  - id: health-management
    section: strategic
    title: "健康経営の\\n推進"
    kpis: [offices]
    plan: [健康宣言の勧奨]
    evaluation:
"""

STYLES = {"results": "iwate", "plan": "fukushima", "self_evaluation": "ibaraki"}


def write(root: Path, kind: str, files: dict[str, str] | None = None) -> Project:
    style = STYLES[kind]
    year = {
        "00.yaml": DOCUMENT.format(kind=kind, style=style),
        "10.yaml": KPIS,
        "20.yaml": MEASURES,
    }
    templates = (f"{style}/{kind}.html.j2",)
    return write_project(root, year | (files or {}), catalog=CATALOG, templates=templates)


def pending(problems: list[Problem]) -> list[tuple[str, str, str]]:
    """(file:line:column, field, message) of the 記入待ち; fails on anything else."""
    assert all(p.severity is Severity.PENDING for p in problems), [str(p) for p in problems]
    return [(str(p.position), p.field, p.message) for p in problems]


def test_a_results_document_waits_for_the_years_figures_and_results(tmp_path):
    places = pending(check(write(tmp_path, "results"), "x", 2024))
    assert places == [
        (
            "plans/x/2024/10.yaml:6:5",  # the key written empty
            "kpis[0].actual",
            "KPI「生活習慣病予防健診受診率」の実績（actual）がまだ書かれていません（「－」と表示します）",
        ),
        (
            "plans/x/2024/10.yaml:7:5",
            "kpis[0].national",
            "KPI「生活習慣病予防健診受診率」の全国の実績（national）がまだ書かれていません",
        ),
        (
            "plans/x/2024/10.yaml:9:10",  # no actual key: the entry
            "kpis[1].kpi",
            "KPI「健康宣言事業所数」の実績（actual）がまだ書かれていません（「－」と表示します）",
        ),
        (
            "plans/x/2024/20.yaml:6:5",
            "measures[0].plan",
            "施策「特定健診受診率の向上」の事業計画（plan）がまだ書かれていません",
        ),
        (
            "plans/x/2024/20.yaml:7:5",
            "measures[0].results",
            "施策「特定健診受診率の向上」の実施状況（results）がまだ書かれていません",
        ),
    ]  # not: a written rank, a national or results never written, a grade (no self-evaluation)


def test_a_plan_waits_only_for_what_it_shows(tmp_path):
    """A business plan shows no actual, national figure or result: only the empty plan."""
    places = pending(check(write(tmp_path, "plan"), "x", 2024))
    assert [field for _, field, _ in places] == ["measures[0].plan"]


def test_a_self_evaluation_waits_for_every_grade_before_the_year_is_reported(tmp_path):
    places = pending(check(write(tmp_path, "self_evaluation"), "x", 2024))
    grades = [(where, field, m) for where, field, m in places if "自己評価" in m]
    assert grades == [
        (
            "plans/x/2024/20.yaml:2:9",  # no evaluation key: the measure's id
            "measures[0].id",
            "自己評価の文書ですが、施策「特定健診受診率の向上」に自己評価（evaluation の grade: S〜D）がありません",
        ),
        (
            "plans/x/2024/20.yaml:13:5",  # `evaluation:` written empty; the title on one line
            "measures[1].evaluation",
            "自己評価の文書ですが、施策「健康経営の 推進」に自己評価（evaluation の grade: S〜D）がありません",
        ),
    ]
    assert len(places) == 7  # and the results document's five


def test_once_reported_a_missing_grade_is_an_error(tmp_path):
    kpis = KPIS.replace("    actual:\n", '    actual: "60.0"\n')
    with pytest.raises(UserError) as info:
        check(write(tmp_path, "self_evaluation", {"10.yaml": kpis}), "x", 2024)
    assert {p.severity for p in info.value.problems} == {Severity.ERROR}
    assert len(info.value.problems) == 2


PAGES = """\
pages:
  - id: empty
    title: 参考資料
    blocks: []
  - id: appendix
    title: 参考資料２
    blocks:
      - type: heading
        level: "2"
        text: 取組
      - type: heading
        text: 令和6年度の取組
      - type: paragraph
        text: 委嘱勧奨を実施した。
      - type: columns
        columns:
          - title: 左
            blocks: []
          - title: 右
            blocks:
              - type: paragraph
                text: 継続する。
      - type: heading
        text: 令和7年度の取組
"""


def test_a_page_waits_for_its_empty_blocks_headings_and_columns(tmp_path):
    project = write(tmp_path, "results", {"30.yaml": PAGES})
    places = [p for p in pending(check(project, "x", 2024)) if p[1].startswith("pages")]
    assert places == [
        (
            "plans/x/2024/30.yaml:4:5",
            "pages[0].blocks",
            "ページ「参考資料」の内容（blocks）がまだ書かれていません",
        ),
        (
            "plans/x/2024/30.yaml:17:13",
            "pages[1].blocks[3].columns[0]",
            "ページ「参考資料２」の列「左」の内容がまだ書かれていません",
        ),
        (
            "plans/x/2024/30.yaml:23:9",  # the last block: nothing under it
            "pages[1].blocks[4]",
            "ページ「参考資料２」の見出し「令和7年度の取組」の内容がまだ書かれていません",
        ),
    ]  # not the 取組 heading: a heading of a lower level follows it, with its text


def test_strict_makes_a_place_an_error_without_saying_what_the_build_shows():
    place = Problem(
        "KPI「健康宣言事業所数」の実績（actual）がまだ書かれていません（「－」と表示します）",
        Position("plans/x/2024/10.yaml", 9, 10),
        "kpis[1].kpi",
        Severity.PENDING,
    )
    assert str(place).startswith("plans/x/2024/10.yaml:9:10: 記入待ち: KPI「健康宣言事業所数」")
    assert place.as_dict()["severity"] == "pending"
    error = place.as_error()
    assert error.severity is Severity.ERROR
    assert error.message == (
        "KPI「健康宣言事業所数」の実績（actual）がまだ書かれていません"
        "（--strict のため、記入待ちもエラーとして扱います）"
    )
