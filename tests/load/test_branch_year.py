"""Tests of merging a branch-year's files into one mapping (kenpo_report.load.branch_year)."""

from __future__ import annotations

from kenpo_report.errors import Position, Problem
from kenpo_report.load.branch_year import merge
from kenpo_report.load.yaml_source import load_text

FIRST_FILE = "plans/x/2024/00.yaml"
SECOND_FILE = "plans/x/2024/10.yaml"

FIRST = """\
documents:
  - id: results
kpis:
  - kpi: rate
    target: "64.4"
"""

SECOND = """\
kpis:
  - kpi: offices
    target: "10"
  - kpi: rate2
    actual: abc
"""


def test_merge_concatenates_lists_and_keeps_positions() -> None:
    problems: list[Problem] = []
    merged, whole = merge([load_text(FIRST, FIRST_FILE), load_text(SECOND, SECOND_FILE)], problems)
    assert problems == []
    assert whole
    assert [k["kpi"] for k in merged.data["kpis"]] == ["rate", "offices", "rate2"]
    assert merged.source.get(("kpis", 0, "kpi")) == Position(FIRST_FILE, 4, 10)
    assert merged.source.get(("kpis", 1, "kpi")) == Position(SECOND_FILE, 2, 10)
    assert merged.source.get(("kpis", 2, "actual")) == Position(SECOND_FILE, 5, 13)
    assert merged.source.get(("documents", 0, "id")) == Position(FIRST_FILE, 2, 9)


def test_merge_refuses_a_list_written_as_something_else() -> None:
    first = load_text(FIRST, FIRST_FILE)
    second = load_text("kpis: none\n", SECOND_FILE)
    problems: list[Problem] = []
    merged, whole = merge([first, second], problems)
    assert [(p.message, p.field, p.position) for p in problems] == [
        ("一覧（- で始まる行）で書いてください", "kpis", Position(SECOND_FILE, 1, 7))
    ]
    assert not whole
    # the rest is merged, so that its own problems are found too
    assert [k["kpi"] for k in merged.data["kpis"]] == ["rate"]


def test_merge_refuses_a_file_that_is_not_a_mapping() -> None:
    problems: list[Problem] = []
    merged, whole = merge(
        [load_text("- a\n", FIRST_FILE), load_text(SECOND, SECOND_FILE)], problems
    )
    assert [(p.message, p.position) for p in problems] == [
        ("ファイルの一番上は「キー: 値」の形にしてください", Position(FIRST_FILE, 1, 1))
    ]
    assert not whole
    assert [k["kpi"] for k in merged.data["kpis"]] == ["offices", "rate2"]
