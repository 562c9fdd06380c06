"""`kenpo-report list`: each branch-year's documents and whether their outputs are current."""

from __future__ import annotations

import json
import os
import time

from conftest import run_main as run
from kenpo_report.build import pipeline
from kenpo_report.commands.status import (
    BUILT,
    ERROR,
    MISSING,
    NO_DOCUMENTS,
    STALE,
    branch_year_status,
    project_status,
    table,
    width,
)
from kenpo_report.errors import Severity


def _fake_outputs(project, branch, year, document, when):
    """Output files as a build leaves them, dated *when* (status reads only their times)."""
    folder = project.output_dir(branch, year)
    folder.mkdir(parents=True, exist_ok=True)
    for suffix in ("pdf", "docx"):
        path = folder / f"{document}.{suffix}"
        path.write_bytes(b"x")
        os.utime(path, (when, when))


def _touch(path, when):
    os.utime(path, (when, when))


def _row(project, branch, year):
    [row] = branch_year_status(project, branch, year)
    return row


def test_every_branch_year_is_listed(project):
    rows = project_status(project)
    assert [(r.branch, r.year) for r in rows] == project.branch_years()
    by_key = {(r.branch, r.year): r for r in rows}
    assert by_key[("iwate", 2024)].document == "results"
    assert by_key[("iwate", 2024)].title == "令和6年度 岩手支部 事業実施状況"
    assert by_key[("iwate", 2024)].status == MISSING
    assert by_key[("oita", 2025)].status == NO_DOCUMENTS  # KPIs only: nothing to build


def test_built_then_stale(project):
    future = time.time() + 3600
    _fake_outputs(project, "iwate", 2024, "results", future)
    row = _row(project, "iwate", 2024)
    assert row.status == BUILT
    assert row.outputs == ["output/iwate/2024/results.pdf", "output/iwate/2024/results.docx"]

    # Every kind of input makes the output old when it is newer.
    for relative in (
        "plans/iwate/2024/20-basic.yaml",
        "plans/catalog/2024.yaml",
        "plans/iwate/branch.yaml",
        "templates/iwate/style.css",
        "templates/shared/base.css",
        "fonts/OFL.txt",
    ):
        _fake_outputs(project, "iwate", 2024, "results", future)
        _touch(project.root / relative, future + 10)
        row = _row(project, "iwate", 2024)
        assert row.status == STALE, relative
        assert row.newest_input == relative
        _touch(project.root / relative, future - 3600 * 2)


def test_another_style_does_not_make_it_old(project):
    future = time.time() + 3600
    _fake_outputs(project, "iwate", 2024, "results", future)
    _touch(project.templates / "oita" / "style.css", future + 10)
    assert _row(project, "iwate", 2024).status == BUILT


def test_one_missing_format_is_judged_on_the_other(project):
    future = time.time() + 3600
    _fake_outputs(project, "iwate", 2024, "results", future)
    (project.output_dir("iwate", 2024) / "results.docx").unlink()
    row = _row(project, "iwate", 2024)
    assert row.status == BUILT
    assert row.outputs == ["output/iwate/2024/results.pdf"]


def test_error_when_check_fails(project):
    future = time.time() + 3600
    _fake_outputs(project, "iwate", 2024, "results", future)
    path = project.year_dir("iwate", 2024) / "10-kpis.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("rank: 22", "rnak: 22"), encoding="utf-8"
    )
    row = _row(project, "iwate", 2024)
    assert row.status == ERROR
    assert row.errors == 1


def test_table_is_aligned_in_display_columns(project):
    rows = project_status(project)
    lines = table(rows).splitlines()
    assert lines[0].split() == ["支部", "年度", "文書", "状態", "記入待ち", "題名"]
    # The 状態 column starts at the same display column on every line.
    starts = set()
    for line in lines:
        cut = line.index(next(s for s in (MISSING, NO_DOCUMENTS, ERROR, "状態") if s in line))
        starts.add(width(line[:cut]))
    assert len(starts) == 1


def test_width_counts_full_width_as_two():
    assert width("iwate") == 5
    assert width("作成済み") == 8
    assert width("－") == 2


def test_cli_list_text(project, capsys):
    assert run(project, "list") == 0
    out = capsys.readouterr().out
    assert "iwate" in out and "未作成" in out and "文書なし" in out


def test_cli_list_json(project, capsys):
    future = time.time() + 3600
    _fake_outputs(project, "iwate", 2024, "results", future)
    assert run(project, "list", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    iwate = next(r for r in rows if (r["branch"], r["year"]) == ("iwate", 2024))
    assert iwate == {
        "branch": "iwate",
        "year": 2024,
        "document": "results",
        "title": "令和6年度 岩手支部 事業実施状況",
        "status": BUILT,
        "code": "built",
        "outputs": ["output/iwate/2024/results.pdf", "output/iwate/2024/results.docx"],
        "newest_input": iwate["newest_input"],
        "errors": 0,
        "pending": 0,
    }
    oita = next(r for r in rows if (r["branch"], r["year"]) == ("oita", 2025))
    assert oita["code"] == "none" and oita["document"] is None


def test_a_new_year_shows_its_places_still_to_fill_in(project, capsys):
    """`list` counts a document's 記入待ち as `check` lists them (text and json)."""
    assert run(project, "new", "iwate", "2025") == 0
    places = [p for p in pipeline.check(project, "iwate", 2025) if p.severity is Severity.PENDING]
    assert places
    capsys.readouterr()
    assert _row(project, "iwate", 2025).pending == len(places)
    assert _row(project, "iwate", 2024).pending == 0
    assert run(project, "list") == 0
    lines = capsys.readouterr().out.splitlines()
    [cells] = [ln.split() for ln in lines if ln.split()[:2] == ["iwate", "2025"]]
    assert cells[4] == f"{len(places)}件"  # 支部 年度 文書 状態 記入待ち 題名
    assert run(project, "list", "--format", "json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["pending"] for r in rows if (r["branch"], r["year"]) == ("iwate", 2025)] == [
        len(places)
    ]
