"""Malformed plans, end to end through ``kenpo-report check``: exact messages.

Each folder under tests/validate/malformed/ is one case (see tests/validate/malformed/README.md): line
edits of the real plans and/or extra files, applied to a temporary copy of the project
(the ``project`` fixture); the CLI's stderr is compared line by line, with
file:line:column, message and field path, to the case's expected file, and the exit
code to the case's.

A case with ``known_bad`` documents a message that is not yet good enough for a planner:
its expected file holds the wanted output; the case xfails while the output differs and
fails once it matches (then remove ``known_bad``; adjust the expected file if the chosen
wording differs from the proposal). Applying the case and running the CLI are not covered
by the xfail: a changed real plan or a traceback fails the test.
"""

from __future__ import annotations

import json
import shutil
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from kenpo_report.cli import main
from kenpo_report.project import Project

CASES = Path(__file__).parent / "malformed"


@dataclass(frozen=True)
class Run:
    args: tuple[str, ...]
    exit: int
    expected: Path  # the exact stderr, one problem a line, then the summary line

    def expected_lines(self) -> list[str]:
        return self.expected.read_text(encoding="utf-8").splitlines()


@dataclass(frozen=True)
class Case:
    name: str
    folder: Path
    about: str
    edits: tuple[dict[str, Any], ...]
    symlinks: tuple[dict[str, str], ...]
    runs: tuple[Run, ...]
    known_bad: str | None


def load_case(folder: Path) -> Case:
    spec = tomllib.loads((folder / "case.toml").read_text(encoding="utf-8"))
    unknown = set(spec) - {"about", "known_bad", "edit", "symlink", "run"}
    assert not unknown, f"{folder.name}/case.toml: unknown keys {sorted(unknown)}"
    runs = tuple(
        Run(
            tuple(run["args"]),
            run["exit"],
            folder / run.get("expected", "expected.txt"),
        )
        for run in spec["run"]
    )
    return Case(
        folder.name,
        folder,
        spec["about"].strip(),
        tuple(spec.get("edit", [])),
        tuple(spec.get("symlink", [])),
        runs,
        spec.get("known_bad"),
    )


def all_cases() -> list[Case]:
    return [load_case(d) for d in sorted(CASES.iterdir()) if (d / "case.toml").is_file()]


def apply_case(case: Case, root: Path) -> None:
    """Edit the copied project: replace checked lines, add files and symlinks."""
    by_file: dict[str, list[dict[str, Any]]] = {}
    for edit in case.edits:
        by_file.setdefault(edit["file"], []).append(edit)
    for name, edits in by_file.items():
        path = root / name
        lines = path.read_text(encoding="utf-8").split("\n")
        # Bottom-up, so that every edit's line number refers to the unedited file.
        for edit in sorted(edits, key=lambda e: e["line"], reverse=True):
            index = edit["line"] - 1
            assert lines[index] == edit["old"], (
                f"{case.name}: {name}:{edit['line']} is {lines[index]!r}, not {edit['old']!r}; "
                "the real plan changed, update the case"
            )
            lines[index : index + 1] = edit["new"]
        path.write_text("\n".join(lines), encoding="utf-8")
    files = case.folder / "files"
    if files.is_dir():
        shutil.copytree(files, root, dirs_exist_ok=True)
    for link in case.symlinks:
        path = root / link["path"]
        path.parent.mkdir(parents=True, exist_ok=True)
        path.symlink_to(link["target"])


def run_check(root: Path, args: tuple[str, ...], capsys: pytest.CaptureFixture[str]) -> int:
    capsys.readouterr()
    try:
        return main(["--project", str(root), *args])
    except SystemExit as exc:  # argparse
        return int(exc.code or 0)


def _params() -> list[Any]:
    return [
        pytest.param(case, run, id=case.name + ("" if len(case.runs) == 1 else f"-run{i + 1}"))
        for case in all_cases()
        for i, run in enumerate(case.runs)
    ]


def test_every_folder_is_a_case() -> None:
    """All 53 folders are cases (a misnamed case.toml would skip one silently), and each
    says what it is about."""
    cases = all_cases()
    assert [c.name for c in cases] == sorted(d.name for d in CASES.iterdir() if d.is_dir())
    assert len(cases) == 53
    assert all(case.about for case in cases)


@pytest.mark.parametrize(("case", "run"), _params())
def test_malformed_plan(
    case: Case, run: Run, project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    apply_case(case, project.root)
    code = run_check(project.root, run.args, capsys)
    out, err = capsys.readouterr()
    got = {"stderr": err.splitlines(), "stdout": out, "exit": code}
    want = {"stderr": run.expected_lines(), "stdout": "", "exit": run.exit}
    if case.known_bad:
        # Not a mark: a broken case (the real plan changed, a traceback) must still fail.
        if got == want:
            pytest.fail(f"{case.name} now gives the wanted output: remove known_bad")
        pytest.xfail(case.known_bad.strip())
    assert got == want


def test_json_output(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """The same problems as structured fields: two errors in two files."""
    apply_case(load_case(CASES / "18-errors-in-two-files"), project.root)
    code = run_check(project.root, ("check", "iwate", "2024", "--format", "json"), capsys)
    out, err = capsys.readouterr()
    assert code == 1
    assert err == ""
    assert json.loads(out) == {
        "ok": False,
        "checked": ["iwate/2024"],
        "problems": [
            {
                "severity": "error",
                "file": "plans/iwate/2024/00-document.yaml",
                "line": 9,
                "column": 11,
                "field": "documents[0].date",
                "message": "「2025-02-30」は存在しない日付です",
            },
            {
                "severity": "error",
                "file": "plans/iwate/2024/10-kpis.yaml",
                "line": 23,
                "column": 5,
                "field": "kpis[1].acutal",
                "message": "不明な項目「acutal」です（「actual」の誤りではありませんか）",
            },
        ],
    }


def test_json_output_of_a_warning(project: Project, capsys: pytest.CaptureFixture[str]) -> None:
    """A warning is ok (exit 0) unless --strict, in JSON as in text.

    The second warning is 茨城 2024's own (the seed's total of 349, kept as typed).
    """
    apply_case(load_case(CASES / "17-typed-rate"), project.root)
    args = ("check", "ibaraki", "2024", "--format", "json")
    warnings = [
        {
            "severity": "warning",
            "file": "plans/ibaraki/2024/10-kpis.yaml",
            "line": 233,
            "column": 56,
            "field": "kpis[16].actual.typed",
            "message": "記載の率 21.5 は計算結果 12.5（2÷16）と一致しません。計算結果を出力します",
        },
        {
            "severity": "warning",
            "file": "plans/ibaraki/2024/23-kikaku.yaml",
            "line": 21,
            "column": 16,
            "field": "measures[11].figures.certified_total.typed",
            "message": "記載の各項目の和 349 は計算結果 343（certified_large＋certified_bright＋"
            "certified_next_bright＋certified_small）と一致しません。計算結果を出力します",
        },
    ]
    assert run_check(project.root, args, capsys) == 0
    assert json.loads(capsys.readouterr().out)["problems"] == warnings
    assert run_check(project.root, (*args, "--strict"), capsys) == 1
    result = json.loads(capsys.readouterr().out)
    assert result["ok"] is False
    # As errors, they do not say that the build goes on (「計算結果を出力します」).
    strict = "（--strict のため、警告もエラーとして扱います）"
    assert result["problems"] == [
        {
            **w,
            "severity": "error",
            "message": w["message"].replace("。計算結果を出力します", strict),
        }
        for w in warnings
    ]
