"""`kenpo-report new BRANCH YEAR --name …`: a branch's first year, from the catalogue alone."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from docx import Document

from conftest import pdf_text
from conftest import run_main as run
from kenpo_report.build import pipeline
from kenpo_report.commands.rollover import files, new_year
from kenpo_report.commands.rollover.first_year import skeleton
from kenpo_report.errors import Severity, UserError
from kenpo_report.model import Catalog
from kenpo_report.project import KINDS, Project
from kenpo_report.validate import load_plan

# The three KPIs docs/guide.md fills in (「新しい支部を加える」): key -> written value.
FILLED = {
    "checkup_rate": {
        "target": '"62.5"',
        "actual": '{numerator: "101250", denominator: "165300"}',
    },
    "generic_share": {"target": "対前年度", "prior": '"83.9"', "actual": '"84.6"'},
    "single_bid_rate": {"target": '"20"', "actual": '{numerator: "2", denominator: "15"}'},
}


def fill(path: Path, kpi: str, values: dict[str, str]) -> None:
    """Write *values* into one KPI entry of *path*, line by line, as in an editor
    (the comments of the other lines stay)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - kpi: {kpi}")
    end = text.find("\n\n", start)
    end = len(text) if end < 0 else end
    entry = text[start:end]
    for key, value in values.items():
        entry, n = re.subn(rf"^    {key}:.*$", f"    {key}: {value}", entry, flags=re.M)
        assert n == 1, f"{kpi}.{key} is not written once in the skeleton"
    path.write_text(text[:start] + entry + text[end:], encoding="utf-8")


def count(kind: str, output: str) -> int:
    return int(re.search(rf"{kind} (\d+)件", output).group(1))


def test_new_branch_checks_and_builds(project, capsys):
    """The acceptance test of issue 14: new, fill three KPIs, check, build."""
    assert run(project, "new", "akita", "2024", "--name", "秋田支部") == 0
    out = capsys.readouterr()
    folder = project.year_dir("akita", 2024)
    names = sorted(p.name for p in folder.iterdir())
    assert names == [
        "00-document.yaml",
        "10-kpis.yaml",
        "20-basic.yaml",
        "30-strategic.yaml",
        "40-organization.yaml",
    ]
    assert "作成しました: plans/akita/branch.yaml" in out.out
    assert "作成したデータの検査: 問題はありません" in out.err
    made = count("記入待ち", out.out)

    kpis = folder / "10-kpis.yaml"
    for kpi, values in FILLED.items():
        fill(kpis, kpi, values)
    assert run(project, "check", "akita", "2024") == 0
    checked = capsys.readouterr().err
    assert "エラー 0件、警告 0件" in checked
    assert count("記入待ち", checked) == made - 6  # three targets and three actuals written

    assert run(project, "build", "akita", "2024") == 0
    built = capsys.readouterr()
    assert "エラー" not in built.err
    pdf = project.output_dir("akita", 2024) / "results.pdf"
    docx = project.output_dir("akita", 2024) / "results.docx"
    assert pdf.is_file() and docx.is_file()
    text = pdf_text(pdf, layout=False)
    assert "令和6年度 秋田支部事業計画におけるKPI" in text
    assert "生活習慣病予防健診受診率を62.5％以上とする" in text
    assert "61.3％" in text  # 101,250 ÷ 165,300, computed
    words = "\n".join(p.text for p in Document(str(docx)).paragraphs)
    cells = "\n".join(c.text for t in Document(str(docx)).tables for r in t.rows for c in r.cells)
    assert "61.3％" in words + cells


def test_skeleton_files(project):
    new_year(project, "akita", 2024, "秋田支部")
    branch = project.branch_file("akita").read_text(encoding="utf-8")
    assert branch == (
        "# yaml-language-server: $schema=../../schema/branch.schema.json\n"
        "name: 秋田支部\nshort_name: 秋田\n"
    )
    plan = load_plan(project, "akita", 2024)
    catalog = plan.catalog
    for path in project.year_files("akita", 2024):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        assert first == "# yaml-language-server: $schema=../../../schema/branch-year.schema.json"
    entries = plan.data.kpis
    assert [e.kpi for e in entries] == list(catalog.kpis)  # every KPI, in the catalogue's order
    assert [e.number for e in entries[:3]] == ["①", "②", "③"]
    assert all(e.target is None and e.actual is None for e in entries)
    reported = [k for m in plan.data.measures for k in m.kpi_ids]
    assert sorted(reported) == sorted(catalog.kpis)  # each KPI in one example measure
    assert [m.section for m in plan.data.measures] == list(catalog.categories)
    [document] = plan.data.documents
    assert (document.kind, document.style) == ("results", "iwate")
    text = (project.year_dir("akita", 2024) / "10-kpis.yaml").read_text(encoding="utf-8")
    assert "    target:  # 記入待ち: 令和6年度の目標（数値、または 対前年度）\n" in text


def test_new_lists_what_check_lists(project):
    result = new_year(project, "akita", 2024, "秋田支部")
    pending = [p for p in pipeline.check(project, "akita", 2024) if p.severity is Severity.PENDING]
    todos = [t for t in result.todos if t.kind == "記入待ち"]
    assert len(todos) == len(pending) == 17 * 4 + 3 * 2
    assert {str(t.position) for t in todos} == {str(p.position) for p in pending}
    assert not result.problems  # check: no error, no warning
    targets = [p for p in pending if p.field.endswith(".target")]
    assert len(targets) == 17
    assert str(targets[0].position) == "plans/akita/2024/10-kpis.yaml:10:5"


def test_without_name_says_to_give_it(project, capsys):
    assert run(project, "new", "akita", "2024") == 1
    err = capsys.readouterr().err
    assert "支部「akita」がありません。新しい支部なら、--name で支部名を付けてください" in err
    assert "kenpo-report new akita 2024 --name" in err
    assert not (project.plans / "akita").exists()


def test_existing_year_is_never_overwritten(project, capsys):
    new_year(project, "akita", 2024, "秋田支部")
    folder = project.year_dir("akita", 2024)
    kpis = folder / "10-kpis.yaml"
    fill(kpis, "checkup_rate", FILLED["checkup_rate"])
    before = {p: p.read_bytes() for p in [*folder.iterdir(), project.branch_file("akita")]}
    assert run(project, "new", "akita", "2024", "--name", "秋田支部") == 1
    assert "plans/akita/2024/ はすでにあります。上書きはしません" in capsys.readouterr().err
    assert {p: p.read_bytes() for p in before} == before
    assert sorted(folder.iterdir()) == sorted(p for p in before if p.parent == folder)


def test_branch_file_written_first_keeps_its_name(project):
    """A branch.yaml made by hand: `new` writes the year only, with its name."""
    (project.plans / "akita").mkdir()
    branch = project.branch_file("akita")
    branch.write_text("name: 秋田支部\nshort_name: 秋田\n", encoding="utf-8")
    result = new_year(project, "akita", 2024)
    assert branch not in result.written
    assert branch.read_text(encoding="utf-8") == "name: 秋田支部\nshort_name: 秋田\n"
    document = load_plan(project, "akita", 2024).data.documents[0]
    assert document.title == "令和6年度 秋田支部 事業実施状況"


def test_name_must_agree_with_branch_file(project):
    with pytest.raises(UserError) as exc:
        new_year(project, "iwate", 2025, "秋田支部")
    assert (
        "plans/iwate/branch.yaml の支部名は「岩手支部」です。--name の「秋田支部」とは違います"
        in str(exc.value)
    )
    assert not project.year_dir("iwate", 2025).exists()


def test_earlier_year_still_rolls_over(project):
    result = new_year(project, "iwate", 2025, "岩手支部")
    text = (result.folder / "10-kpis.yaml").read_text(encoding="utf-8")
    assert "令和6年度（plans/iwate/2024/）から kenpo-report new で作りました" in text
    assert not (result.folder / "20-basic.yaml").read_text(encoding="utf-8").count("の取組（例）")


def test_years_without_branch_file_are_not_a_new_branch(project):
    (project.plans / "akita" / "2023").mkdir(parents=True)
    (project.plans / "akita" / "2023" / "10-kpis.yaml").write_text("kpis: []\n", encoding="utf-8")
    with pytest.raises(UserError) as exc:
        new_year(project, "akita", 2024, "秋田支部")
    assert (
        "支部「akita」の plans/akita/branch.yaml がありません（令和5年度のデータはあります）"
        in str(exc.value)
    )
    assert not project.year_dir("akita", 2024).exists()


@pytest.mark.parametrize("name", ["", "  ", "秋" * 61])
def test_refuses_a_name_that_is_not_one(project, name):
    with pytest.raises(UserError) as exc:
        new_year(project, "akita", 2024, name)
    assert "は支部名に使えません" in str(exc.value)
    assert not (project.plans / "akita").exists()


def test_failed_year_takes_back_the_branch_file(project, monkeypatch):
    def refuse(target, texts):
        raise UserError.single(f"{target} を書き込めませんでした（ディスクがいっぱいです）")

    monkeypatch.setattr(files, "write", refuse)
    with pytest.raises(UserError):
        new_year(project, "akita", 2024, "秋田支部")
    assert not (project.plans / "akita").exists()


def test_catalogue_of_the_year_is_needed(project):
    with pytest.raises(UserError) as exc:
        new_year(project, "akita", 2030, "秋田支部")
    assert "令和12年度のKPIカタログ plans/catalog/2030.yaml がありません" in str(exc.value)
    assert not (project.plans / "akita").exists()


def test_skeleton_lays_out_in_every_style(project: Project):
    """Empty targets, actuals and ranks are drawn by every style, not only the default."""
    new_year(project, "akita", 2024, "秋田支部")
    plan = load_plan(project, "akita", 2024)
    for kind in KINDS:
        for style in project.styles(kind):
            documents, problems = pipeline.lay_out_plan(project, plan, (kind, style))
            assert "<html" in documents[0].html.lower(), (kind, style)
            assert not [p for p in problems if p.severity is Severity.ERROR], (kind, style)


def test_skeleton_numbers_past_twenty():
    catalog_data = {
        "categories": {"basic": {"name": "基盤"}},
        "kpis": {
            f"k{i}": {
                "name": f"指標{i}",
                "unit": "件",
                "decimals": 0,
                "direction": "at_least",
                "category": "basic",
            }
            for i in range(37)
        },
    }
    catalog = Catalog.model_validate(catalog_data)
    text, _ = skeleton(catalog, "秋田支部", 2024, "iwate")["10-kpis.yaml"]
    numbers = re.findall(r"^    number: (.+)$", text, flags=re.M)
    assert numbers[0] == "①" and numbers[19] == "⑳" and numbers[20] == "㉑"
    assert numbers[34] == "㉟" and numbers[35] == "(36)"


def test_catalogue_with_errors_is_reported(project):
    path = project.catalog_file(2024)
    path.write_text(path.read_text(encoding="utf-8").replace("unit: 円", "unit: 万円", 1))
    with pytest.raises(UserError) as exc:
        new_year(project, "akita", 2024, "秋田支部")
    assert any("plans/catalog/2024.yaml" in str(p.position) for p in exc.value.problems)
    assert not (project.plans / "akita").exists()
