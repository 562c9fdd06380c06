"""``build --all`` in worker processes: the same bytes as one process, one failure
does not stop the others, and a second run has nothing to do."""

from __future__ import annotations

import shutil

import pytest

from conftest import copy_project
from kenpo_report.build.batch import build_all
from kenpo_report.cli import main
from kenpo_report.project import Project

GOOD = ["fukushima", "fukushima2"]  # the shortest report (9 pages), twice


def small_project(root) -> Project:
    """Two good branch-years and a broken one, nothing else."""
    project = copy_project(root)
    plans = project.plans
    shutil.copytree(plans / "fukushima", plans / "fukushima2")
    shutil.copytree(plans / "fukushima", plans / "fukushima3")
    broken = next((plans / "fukushima3" / "2025").glob("10-*.yaml"))
    text = broken.read_text(encoding="utf-8")
    broken.write_text(text.replace("    statement:", "    statment:", 1), encoding="utf-8")
    for other in plans.iterdir():
        if other.is_dir() and other.name not in ("catalog", *GOOD, "fukushima3"):
            shutil.rmtree(other)
    assert [b for b, _ in project.branch_years()] == [*GOOD, "fukushima3"]
    return project


def outputs(project: Project) -> dict[str, bytes]:
    return {
        p.relative_to(project.output).as_posix(): p.read_bytes()
        for p in sorted(project.output.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def parallel(tmp_path_factory: pytest.TempPathFactory):
    project = small_project(tmp_path_factory.mktemp("parallel") / "project")
    return project, list(build_all(project, jobs=2))


def test_one_failure_does_not_stop_the_others(parallel):
    project, outcomes = parallel
    by_branch = {o.branch: o for o in outcomes}
    assert sorted(by_branch) == [*GOOD, "fukushima3"]
    assert by_branch["fukushima3"].result is None
    assert any("statment" in p.message for p in by_branch["fukushima3"].problems)
    for branch in GOOD:
        assert sorted(p.name for p in by_branch[branch].result.written) == ["plan.docx", "plan.pdf"]
    assert sorted(outputs(project)) == [
        "fukushima/2025/plan.docx",
        "fukushima/2025/plan.pdf",
        "fukushima2/2025/plan.docx",
        "fukushima2/2025/plan.pdf",
    ]


def test_workers_give_the_bytes_of_one_process(parallel, tmp_path):
    project, _ = parallel
    single = small_project(tmp_path / "project")
    list(build_all(single, jobs=1))
    assert outputs(single) == outputs(project)


def test_second_run_has_nothing_to_do(parallel, capsys):
    project, _ = parallel
    before = {p: p.stat().st_mtime_ns for p in project.output.rglob("*.pdf")}
    assert main(["--project", str(project.root), "build", "--all", "--jobs", "2"]) == 1
    captured = capsys.readouterr()
    assert "作成しました" not in captured.out
    assert "変更のなかった支部・年度: 2件" in captured.err
    assert "作成できなかった支部・年度（1件）: fukushima3 2025" in captured.err
    assert {p: p.stat().st_mtime_ns for p in before} == before
