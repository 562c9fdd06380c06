"""Issue 14: the places still to fill in (記入待ち) stay visible until they are filled.

`new iwate 2025` lists them; `check` lists the same places (file:line:column, a kind of
their own, counted apart from the warnings) for as long as they are empty; filling one
lowers the count by one; `build` says how many in one line, `--strict` refuses them.
"""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout

import pytest

from conftest import copy_project
from conftest import run_main as run

ACTUAL = re.compile(r"^(\s*)actual:  # 記入待ち.*$", re.M)
PLACE = re.compile(r"^(plans/iwate/2025/\S+:\d+:\d+): 記入待ち: (.+?)(?: \([^()]+\))?$", re.M)


def _new_count(out: str) -> int:
    [count] = re.findall(r"^記入待ち (\d+)件、確認 \d+件、注意 \d+件。", out, re.M)
    return int(count)


def _check_count(err: str) -> int:
    [count] = re.findall(
        r"^1件の支部・年度を検査しました: エラー 0件、警告 0件、記入待ち (\d+)件$", err, re.M
    )
    return int(count)


@pytest.fixture(scope="module")
def iwate_2025(tmp_path_factory):
    """岩手 FY2025 made by `new`, as it left it (the tests below only read it)."""
    project = copy_project(tmp_path_factory.mktemp("pending") / "project")
    with redirect_stdout(io.StringIO()):
        assert run(project, "new", "iwate", "2025") == 0
    return project


def test_check_lists_what_new_listed_until_it_is_filled(project, capsys):
    """The acceptance test of issue 14."""
    assert run(project, "new", "iwate", "2025") == 0
    new_out = capsys.readouterr().out
    listed = PLACE.findall(new_out)
    assert len(listed) == _new_count(new_out) > 16

    assert run(project, "check", "iwate", "2025") == 0  # 記入待ち are not errors
    err = capsys.readouterr().err
    assert _check_count(err) == _new_count(new_out)
    assert sorted(PLACE.findall(err)) == sorted(listed)  # the same places, the same words
    assert ": 警告: " not in err

    # Write one actual, as in an editor: one place fewer, and no longer that one.
    path = project.year_dir("iwate", 2025) / "10-kpis.yaml"
    text = path.read_text(encoding="utf-8")
    line = text[: ACTUAL.search(text).start()].count("\n") + 1
    path.write_text(ACTUAL.sub(r'\1actual: "100"', text, count=1), encoding="utf-8")
    assert run(project, "check", "iwate", "2025") == 0
    err = capsys.readouterr().err
    assert _check_count(err) == _new_count(new_out) - 1
    assert f"plans/iwate/2025/10-kpis.yaml:{line}:" not in err


def test_check_json_marks_them_pending(iwate_2025, capsys):
    project = iwate_2025
    assert run(project, "check", "iwate", "2025", "--format", "json") == 0
    report = json.loads(capsys.readouterr().out)
    assert report["ok"] is True
    severities = {p["severity"] for p in report["problems"]}
    assert severities == {"pending"}
    first = report["problems"][0]
    assert first["file"].startswith("plans/iwate/2025/") and first["line"] > 0


def test_strict_refuses_a_place_still_to_fill_in(iwate_2025, capsys):
    project = iwate_2025
    assert run(project, "check", "iwate", "2025", "--strict") == 1
    err = capsys.readouterr().err
    assert ": 記入待ち: " not in err
    assert re.search(
        r"^plans/iwate/2025/20-basic\.yaml:\d+:\d+: エラー: 施策「健全な財政運営」の実施状況（results）"
        r"がまだ書かれていません（--strict のため、記入待ちもエラーとして扱います） \(measures\[0\]\.results\)$",
        err,
        re.M,
    )
    # What the build would have done (「－」と表示します) is not said of what stops it.
    assert "（「－」と表示します）（--strict" not in err


def test_build_says_how_many_in_one_line(iwate_2025, capsys):
    project = iwate_2025
    assert run(project, "check", "iwate", "2025") == 0
    count = _check_count(capsys.readouterr().err)
    assert run(project, "build", "iwate", "2025", "--format", "html") == 0
    err = capsys.readouterr().err
    assert err.splitlines() == [f"記入待ち {count}件（kenpo-report check iwate 2025 で一覧）"]
    # An unchanged build says the same (from the build's record).
    assert run(project, "build", "iwate", "2025", "--format", "html") == 0
    assert capsys.readouterr().err.splitlines() == [
        f"記入待ち {count}件（kenpo-report check iwate 2025 で一覧）"
    ]
