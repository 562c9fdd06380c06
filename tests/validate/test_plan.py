"""Tests of loading a branch-year: schema validation, cross-references (kenpo_report.validate)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from conftest import CATALOG, write_project
from kenpo_report.errors import Position, Problem, UserError
from kenpo_report.load.yaml_source import load_text
from kenpo_report.model import BranchYear, Catalog, Ratio
from kenpo_report.project import Project
from kenpo_report.validate import Plan, check_references, load_plan, validate_model

# Lines 1-6.
DOCUMENTS = """\
documents:
  - id: results
    kind: results
    style: iwate
    title: テスト報告書
    date: 2025-07-31
"""

# Lines 7-11 after DOCUMENTS; a test's extra KPI line is line 12.
KPI = """\
kpis:
  - kpi: checkup_rate
    number: ①
    item: 健診
    target: "64.4"
"""

YEAR_DIR = "plans/x/2024"
MAIN = f"{YEAR_DIR}/00.yaml"


def small_project(root: Path, year_files: dict[str, str]) -> Project:
    """Branch x's FY2024 of *year_files*, with the tests' catalogue and the iwate style."""
    return write_project(root, year_files, catalog=CATALOG, templates=("iwate/results.html.j2",))


def plan(tmp_path: Path, year_files: dict[str, str]) -> Plan:
    return load_plan(small_project(tmp_path, year_files), "x", 2024)


def plan_problems(tmp_path: Path, year_files: dict[str, str]) -> list[Problem]:
    with pytest.raises(UserError) as info:
        plan(tmp_path, year_files)
    assert info.value.problems
    return info.value.problems


def main_problems(tmp_path: Path, text: str) -> list[Problem]:
    return plan_problems(tmp_path, {"00.yaml": text})


def at(line: int, column: int, file: str = MAIN) -> Position:
    return Position(file, line, column)


def only(found: list[Problem]) -> Problem:
    assert len(found) == 1, [str(p) for p in found]
    return found[0]


# --- a valid plan --------------------------------------------------------------


def test_minimal_plan_loads(tmp_path: Path) -> None:
    loaded = plan(tmp_path, {"00.yaml": DOCUMENTS + KPI})
    assert loaded.branch_id == "x"
    assert loaded.year == 2024
    assert loaded.branch.name == "テスト支部"
    assert set(loaded.catalog.kpis) == set(load_text(CATALOG, "catalog").data["kpis"])
    assert loaded.data.documents[0].id == "results"
    assert [k.kpi for k in loaded.data.kpis] == ["checkup_rate"]
    assert loaded.data.kpis[0].target == Decimal("64.4")
    assert loaded.source.get(("kpis", 0, "target")) == at(11, 13)
    assert loaded.previous is None


# --- schema problems ------------------------------------------------------------


def test_unknown_key_is_reported_with_field_path(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + '    taget: "70"\n'))
    assert problem.field == "kpis[0].taget"
    assert "不明な項目「taget」" in problem.message
    assert problem.position is not None
    assert (problem.position.file, problem.position.line) == (MAIN, 12)


def test_unknown_key_points_at_the_key(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + '    taget: "70"\n'))
    assert problem.position == at(12, 5)


def test_unknown_key_with_block_value_points_at_the_key(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + "    extra:\n      - a\n"))
    assert problem.field == "kpis[0].extra"
    assert problem.position == at(12, 5)
    assert "不明な項目「extra」" in problem.message


def test_missing_required_target(tmp_path: Path) -> None:
    text = DOCUMENTS + "kpis:\n  - kpi: checkup_rate\n    number: ①\n    item: 健診\n"
    problem = only(main_problems(tmp_path, text))
    # What may be written there, with examples (the field's description).
    assert problem.message == (
        "必須の項目「target」がありません（目標値、または「対前年度」（前年度実績以上/以下）を書きます。"
        '例: target: "64.4" / target: 対前年度）'
    )
    assert problem.field == "kpis[0].target"
    assert problem.position == at(8, 5)  # the KPI entry that lacks it


def test_unit_typed_in_a_figure_is_refused(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + '    actual: "95.5％"\n'))
    assert "単位" in problem.message
    assert "95.5％" in problem.message
    assert problem.field == "kpis[0].actual"
    assert problem.position == at(12, 13)


def test_non_number_figure_is_refused(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + "    actual: abc\n"))
    assert "「abc」は数値ではありません" in problem.message
    assert problem.field == "kpis[0].actual"
    assert problem.position == at(12, 13)


def test_non_number_in_a_ratio_names_the_inner_field(tmp_path: Path) -> None:
    text = DOCUMENTS + KPI + '    actual: {numerator: "12", denominator: x}\n'
    problem = only(main_problems(tmp_path, text))
    assert "「x」は数値ではありません" in problem.message
    assert problem.field == "kpis[0].actual.denominator"
    assert problem.position == at(12, 44)


def test_figures_keep_their_written_precision(tmp_path: Path) -> None:
    text = (
        DOCUMENTS
        + KPI
        + '    national: "0.10"\n    actual: {numerator: "1,200", denominator: "3000"}\n'
    )
    entry = plan(tmp_path, {"00.yaml": text}).data.kpis[0]
    assert entry.national == Decimal("0.10")
    assert isinstance(entry.national, Decimal)
    assert entry.national.as_tuple().exponent == -2
    assert str(entry.national) == "0.10"
    assert isinstance(entry.actual, Ratio)
    assert entry.actual.numerator == Decimal("1200")


def test_validate_model_keeps_precision_and_negative_marks() -> None:
    text = DOCUMENTS + KPI + '    actual: "▲0.50"\n    prior: "-1,234.0"\n'
    problems: list[Problem] = []
    data = validate_model(BranchYear, load_text(text, MAIN), problems)
    assert problems == []
    assert data is not None
    assert data.kpis[0].actual == Decimal("-0.50")
    assert str(data.kpis[0].actual) == "-0.50"
    assert str(data.kpis[0].prior) == "-1234.0"


def test_validate_model_collects_problems_and_returns_none() -> None:
    problems: list[Problem] = []
    text = DOCUMENTS + KPI + "    actual: abc\n    rank: x\n"
    assert validate_model(BranchYear, load_text(text, MAIN), problems) is None
    assert [p.field for p in problems] == ["kpis[0].actual", "kpis[0].rank"]
    assert [p.position for p in problems] == [at(12, 13), at(13, 11)]


def test_unknown_block_type_is_named(tmp_path: Path) -> None:
    text = (
        DOCUMENTS
        + KPI
        + "pages:\n  - title: T\n    blocks:\n      - type: pie_chart\n        x: 1\n"
    )
    problem = only(main_problems(tmp_path, text))
    assert "type「pie_chart」はありません" in problem.message
    assert "次のどれかを書いてください: image、chart、" in problem.message
    assert "'" not in problem.message  # no Python reprs
    assert problem.field == "pages[0].blocks[0]"
    assert problem.position == at(15, 9)


def test_full_width_digits_in_a_rank_are_refused(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + '    rank: "２２"\n'))
    assert problem.message == "「２２」: 全角の数字は使えません。半角で 22 と書いてください"
    assert problem.field == "kpis[0].rank"
    assert problem.position == at(12, 11)


def test_half_width_rank_is_accepted(tmp_path: Path) -> None:
    assert plan(tmp_path, {"00.yaml": DOCUMENTS + KPI + "    rank: 22\n"}).data.kpis[0].rank == 22


def test_full_width_digits_in_a_figure_are_refused(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + '    actual: "９５.５"\n'))
    assert problem.field == "kpis[0].actual"
    assert problem.position == at(12, 13)
    assert problem.message == "「９５.５」: 全角の数字は使えません。半角で 95.5 と書いてください"


@pytest.mark.parametrize(
    ("line", "message"),
    [
        # \d would take full-width digits for a date, then call it a day that does not exist.
        (
            "    date: ２０２５-０７-３１\n",
            "「２０２５-０７-３１」: 全角の数字は使えません。半角で 2025-07-31 と書いてください",
        ),
        ("    date: 2025/07/31\n", "「2025/07/31」: 日付は 2025-07-31 の形で書いてください"),
        ("    date: 2025-02-30\n", "「2025-02-30」は存在しない日付です"),
    ],
)
def test_dates(tmp_path: Path, line: str, message: str) -> None:
    text = DOCUMENTS.replace("    date: 2025-07-31\n", line) + KPI
    assert only(main_problems(tmp_path, text)).message == message


@pytest.mark.parametrize(
    ("line", "message"),
    [
        (
            '    actual: "９５．５"\n',
            "「９５．５」: 全角の数字は使えません。半角で 95.5 と書いてください",
        ),
        (
            '    actual: "95．5"\n',
            "「95．5」: 全角の文字は使えません。半角で 95.5 と書いてください",
        ),
        (
            '    actual: "１,２３４"\n',
            "「１,２３４」: 全角の数字は使えません。半角で 1,234 と書いてください",
        ),
        ('    actual: "九五"\n', "「九五」は数値ではありません（例: 95.5、1,234、▲0.5）"),
        (
            "    page: ｃｈｅｃｋｕｐ\n",
            "「ｃｈｅｃｋｕｐ」: 全角の英数字は使えません。半角で checkup と書いてください",
        ),
        ('    unit: "%"\n', "「%」は使えません。「％」（全角）と書いてください"),
        (
            "    unit: percent\n",
            "「percent」は使えません。次のどれかを書いてください: ％、円、事業所、社、人、件、回、枚",
        ),
    ],
)
def test_full_width_and_choice_messages(tmp_path: Path, line: str, message: str) -> None:
    assert only(main_problems(tmp_path, DOCUMENTS + KPI + line)).message == message


def test_choices_are_listed_the_japanese_way(tmp_path: Path) -> None:
    text = DOCUMENTS.replace("kind: results", "kind: result") + KPI
    problem = only(main_problems(tmp_path, text))
    assert (
        problem.message
        == "「result」は使えません。次のどれかを書いてください: results、self_evaluation、plan"
    )
    assert problem.field == "documents[0].kind"
    assert problem.position == at(3, 11)


def test_unknown_style_is_reported_with_the_closest_and_the_styles_there_are(
    tmp_path: Path,
) -> None:
    text = DOCUMENTS.replace("style: iwate", "style: iwata") + KPI
    problem = only(main_problems(tmp_path, text))
    assert problem.message == (
        "様式「iwata」がありません（「iwate」の誤りではありませんか）。"
        "次のどれかを書いてください: iwate"
    )
    assert problem.field == "documents[0].style"
    assert problem.position == at(4, 12)


def test_a_style_close_to_none_names_the_folder_it_looked_for(tmp_path: Path) -> None:
    text = DOCUMENTS.replace("style: iwate", "style: kochi") + KPI
    problem = only(main_problems(tmp_path, text))
    assert problem.message == (
        "様式「kochi」がありません（templates/kochi/）。次のどれかを書いてください: iwate"
    )


# --- cross-references -----------------------------------------------------------


def test_kpi_missing_from_the_catalogue(tmp_path: Path) -> None:
    problem = only(
        main_problems(tmp_path, DOCUMENTS + KPI.replace("kpi: checkup_rate", "kpi: nope"))
    )
    assert "KPI「nope」がKPIカタログにありません" in problem.message
    assert problem.field == "kpis[0].kpi"
    assert problem.position == at(8, 10)


def test_page_referenced_by_a_kpi_must_exist(tmp_path: Path) -> None:
    text = DOCUMENTS + KPI + "    page: missing\npages:\n  - id: other\n    title: T\n"
    problem = only(main_problems(tmp_path, text))
    assert "施策・ページ「missing」が measures にも pages にもありません" in problem.message
    assert problem.field == "kpis[0].page"
    assert problem.position == at(12, 11)


def test_page_reference_that_exists_is_fine(tmp_path: Path) -> None:
    text = DOCUMENTS + KPI + "    page: checkup\npages:\n  - id: checkup\n    title: T\n"
    assert plan(tmp_path, {"00.yaml": text}).data.kpis[0].page == "checkup"


KPI_BOX_PAGE = """\
pages:
  - id: p
    title: T
    blocks:
      - type: kpi_box
        rows:
          - {kpi: checkup_rate, label: 受診率}
          - {kpi: offices, label: 事業所数}
"""


def test_kpi_box_row_must_reference_a_kpi_of_the_year(tmp_path: Path) -> None:
    # "offices" is in the catalogue but not in this year's kpis.
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + KPI_BOX_PAGE))
    assert "KPI「offices」がこの年度の kpis にありません" in problem.message
    assert problem.field == "pages[0].blocks[0].rows[1].kpi"
    assert problem.position == at(19, 19)


def test_prior_year_target_needs_prior(tmp_path: Path) -> None:
    text = DOCUMENTS + KPI.replace('target: "64.4"', "target: 対前年度")
    problem = only(main_problems(tmp_path, text))
    assert "前年度実績（prior）" in problem.message
    assert problem.field == "kpis[0].target"
    assert problem.position == at(11, 13)


def test_prior_year_target_names_last_years_folder(tmp_path: Path) -> None:
    project = small_project(
        tmp_path, {"00.yaml": DOCUMENTS + KPI.replace('target: "64.4"', "target: 対前年度")}
    )
    (tmp_path / "plans" / "x" / "2023").mkdir()
    (tmp_path / "plans" / "x" / "2023" / "00.yaml").write_text(KPI, encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_plan(project, "x", 2024)
    assert only(info.value.problems).message == (
        "目標が「対前年度」ですが、前年度実績がありません。prior を書くか、"
        "前年度のファイル（plans/x/2023/）に実績（actual）を書いてください"
    )
    # with last year's actual, the target resolves
    (tmp_path / "plans" / "x" / "2023" / "00.yaml").write_text(
        KPI + '    actual: "60.0"\n', encoding="utf-8"
    )
    assert load_plan(project, "x", 2024).previous is not None


def test_prior_year_target_with_prior_is_fine(tmp_path: Path) -> None:
    text = DOCUMENTS + KPI.replace('target: "64.4"', "target: 対前年度") + '    prior: "60.1"\n'
    entry = plan(tmp_path, {"00.yaml": text}).data.kpis[0]
    assert entry.target == "対前年度"
    assert entry.prior == Decimal("60.1")


SERIES_PAGE = """\
pages:
  - title: T
    blocks:
      - type: series
        columns: [4月, 5月, 6月]
        rows:
          - label: 件数
            values: ["1", "2", "3"]
          - label: 人数
            values: ["1", "2"]
"""


def test_series_row_values_must_match_the_columns(tmp_path: Path) -> None:
    problem = only(main_problems(tmp_path, DOCUMENTS + KPI + SERIES_PAGE))
    assert "列の数（3個）" in problem.message
    assert problem.field == "pages[0].blocks[0].rows[1].values"
    assert problem.position == at(21, 13)


def test_check_references_directly() -> None:
    catalog_problems: list[Problem] = []
    catalog = validate_model(Catalog, load_text(CATALOG, "catalog.yaml"), catalog_problems)
    loaded = load_text(DOCUMENTS + KPI + "    page: nowhere\n" + KPI_BOX_PAGE, MAIN)
    data_problems: list[Problem] = []
    data = validate_model(BranchYear, loaded, data_problems)
    assert catalog is not None and data is not None
    assert catalog_problems == data_problems == []
    found = check_references(data, catalog, loaded.source)
    assert [(p.field, p.position) for p in found] == [
        ("kpis[0].page", at(12, 11)),
        ("pages[0].blocks[0].rows[1].kpi", at(20, 19)),
    ]


# --- a branch-year of several files --------------------------------------------

SECOND = """\
kpis:
  - kpi: offices
    number: ②
    item: 事業所
    target: "10"
  - kpi: rate2
    number: ③
    item: 別
    target: "1"
    actual: abc
"""


def test_error_in_the_second_file_names_that_file_and_line(tmp_path: Path) -> None:
    found = plan_problems(tmp_path, {"00.yaml": DOCUMENTS + KPI, "10.yaml": SECOND})
    # rate2's actual is not a number: the entry does not validate, so its reference to
    # the catalogue is not checked (one problem, not two).
    by_field = {p.field: p for p in found}
    assert set(by_field) == {"kpis[2].actual"}, [str(p) for p in found]
    assert by_field["kpis[2].actual"].position == at(10, 13, f"{YEAR_DIR}/10.yaml")


def test_references_are_checked_on_the_parts_that_validate(tmp_path: Path) -> None:
    files = {
        "00.yaml": DOCUMENTS.replace("2025-07-31", "2025-02-30") + KPI + "    page: nowhere\n",
        "10.yaml": "pages:\n  - id: p\n    title: T\n    blocks:\n      - {type: kpi_box, rows: [{kpi: gone, label: x}]}\n",
    }
    found = plan_problems(tmp_path, files)
    assert [(p.position, p.field) for p in found] == [
        (at(6, 11), "documents[0].date"),
        (at(12, 11), "kpis[0].page"),
        (at(5, 38, f"{YEAR_DIR}/10.yaml"), "pages[0].blocks[0].rows[0].kpi"),
    ]


def test_an_invalid_entry_still_counts_as_written(tmp_path: Path) -> None:
    """A page that uses a KPI whose entry has an error is not a second error."""
    text = (
        DOCUMENTS
        + KPI
        + "    actual: abc\n"
        + KPI_BOX_PAGE.replace("{kpi: offices, label: 事業所数}", "{kpi: checkup_rate, label: 再}")
    )
    problem = only(main_problems(tmp_path, text))
    assert problem.field == "kpis[0].actual"


def test_a_yaml_error_does_not_hide_the_other_files(tmp_path: Path) -> None:
    files = {
        "00.yaml": DOCUMENTS.replace("2025-07-31", "2025-02-30"),
        "10.yaml": KPI + '\tactual: "1"\n',
        "20.yaml": "pages:\n  - title: T\n    blocks:\n      - {type: kpi_box, rows: [{kpi: checkup_rate, label: x}]}\n",
    }
    found = plan_problems(tmp_path, files)
    # The page's KPI is defined in the unreadable file: no second error about it.
    assert [(p.position, p.field) for p in found] == [
        (at(6, 11), "documents[0].date"),
        (at(6, 1, f"{YEAR_DIR}/10.yaml"), ""),
    ]


def test_duplicate_key_in_a_later_file_names_the_merged_index(tmp_path: Path) -> None:
    files = {
        "00.yaml": DOCUMENTS + KPI,
        "10.yaml": SECOND.replace("    actual: abc\n", "    item: again\n"),
    }
    found = plan_problems(tmp_path, files)
    dup = next(p for p in found if "重複" in p.message)
    assert dup.field == "kpis[2].item"  # the second file's kpis[1], after 00.yaml's one entry
    assert dup.position == at(10, 5, f"{YEAR_DIR}/10.yaml")


def test_duplicate_page_id_names_the_other_file(tmp_path: Path) -> None:
    files = {
        "00.yaml": DOCUMENTS + KPI + "pages:\n  - id: p\n    title: T\n",
        "10.yaml": "pages:\n  - id: p\n    title: U\n",
    }
    problem = only(plan_problems(tmp_path, files))
    assert problem.message == f"ページID「p」が重複しています（{MAIN}:13:9 と同じ）"
    assert problem.position == at(2, 9, f"{YEAR_DIR}/10.yaml")
    assert problem.field == "pages[1].id"


def test_reference_error_in_the_second_file_names_that_file_and_line(tmp_path: Path) -> None:
    second = SECOND.replace("    actual: abc\n", "")
    problem = only(plan_problems(tmp_path, {"00.yaml": DOCUMENTS + KPI, "10.yaml": second}))
    assert "KPI「rate2」がKPIカタログにありません" in problem.message
    assert problem.field == "kpis[2].kpi"
    assert problem.position == at(6, 10, f"{YEAR_DIR}/10.yaml")


def test_non_list_key_in_two_files_is_an_error_naming_both(tmp_path: Path) -> None:
    files = {
        "00.yaml": "$schema: a.json\n" + DOCUMENTS,
        "10.yaml": "# 二つ目\n$schema: b.json\n" + KPI,
    }
    problem = only(plan_problems(tmp_path, files))
    assert problem.position is not None
    assert problem.position.file == f"{YEAR_DIR}/10.yaml"
    assert problem.position.line == 2
    assert f"{MAIN}:1" in problem.message
    assert "「$schema」" in problem.message


def test_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    files = {
        "00.yaml": DOCUMENTS + KPI + "    taget: x\n",
        "10.yaml": "pages:\n  - title: T\n    bogus:\n      a: b\n",
    }
    found = plan_problems(tmp_path, files)
    assert [(p.position.file if p.position else None, p.field) for p in found] == [
        (MAIN, "kpis[0].taget"),
        (f"{YEAR_DIR}/10.yaml", "pages[0].bogus"),
    ]
    assert found[1].position == at(3, 5, f"{YEAR_DIR}/10.yaml")


def test_yaml_problems_in_several_files_are_reported_together(tmp_path: Path) -> None:
    files = {
        "00.yaml": DOCUMENTS + KPI + "    item: again\n",
        "10.yaml": "pages: &p []\n",
    }
    found = plan_problems(tmp_path, files)
    assert [p.position for p in found] == [at(12, 5), at(1, 8, f"{YEAR_DIR}/10.yaml")]


def test_catalogue_and_year_problems_are_reported_together(tmp_path: Path) -> None:
    project = small_project(tmp_path, {"00.yaml": DOCUMENTS + KPI + "    actual: abc\n"})
    catalog = project.catalog_file(2024)
    catalog.write_text(CATALOG.replace("unit: ％", "unit: percent", 1), encoding="utf-8")
    with pytest.raises(UserError) as info:
        load_plan(project, "x", 2024)
    files = [p.position.file for p in info.value.problems if p.position]
    assert files == ["plans/catalog/2024.yaml", MAIN]
