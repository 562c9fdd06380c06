"""CLI exit codes: 0 ok, 1 user error, 2 usage."""

from __future__ import annotations

import pytest

from conftest import run_main as run
from kenpo_report.cli import main


def test_check_ok(project, capsys):
    assert run(project, "check", "iwate", "2024") == 0
    err = capsys.readouterr().err
    assert "警告" in err
    assert "plans/iwate/2024/20-basic.yaml:" in err


def test_check_strict_fails_on_warnings(project):
    assert run(project, "check", "iwate", "2024", "--strict") == 1


def test_build_strict_writes_nothing(project):
    assert run(project, "build", "iwate", "2024", "--strict") == 1
    assert not (project.output / "iwate").exists()


def test_user_error_exit_1(project, capsys):
    path = project.plans / "iwate" / "2024" / "10-kpis.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("rank: 22", "rnak: 22"), encoding="utf-8"
    )
    assert run(project, "check", "iwate", "2024") == 1
    err = capsys.readouterr().err
    assert "10-kpis.yaml:" in err
    assert "不明な項目「rnak」" in err


@pytest.mark.parametrize(
    "args",
    [
        ["build", "../../etc", "2024"],
        ["build", "/etc", "2024"],
        ["build", "iwate", "２０２４"],
        ["build", "iwate", "24"],
        ["build", "iwate", "2024", "--format", "odt"],
        ["frobnicate"],
    ],
)
def test_usage_errors_exit_2(project, args, capsys):
    with pytest.raises(SystemExit) as exc:
        code = run(project, *args)
        raise SystemExit(code)
    assert exc.value.code == 2
    assert not (project.output).exists()


def test_check_json(project, capsys):
    import json

    assert run(project, "check", "--format", "json") == 0
    out = json.loads(capsys.readouterr().out)
    assert out["ok"] is True
    assert "iwate/2024" in out["checked"]
    assert all({"file", "line", "column", "message"} <= set(p) for p in out["problems"])


def test_project_option_after_the_command(project, capsys):
    assert main(["check", "iwate", "2024", "--project", str(project.root)]) == 0
    assert "1件の支部・年度を検査しました" in capsys.readouterr().err


def test_closed_pipe_ends_quietly(project, monkeypatch):
    import io
    import os

    class ClosedPipe(io.StringIO):
        def write(self, text: str) -> int:
            raise BrokenPipeError

        def fileno(self) -> int:
            return os.open(os.devnull, os.O_WRONLY)

    monkeypatch.setattr("sys.stdout", ClosedPipe())
    assert run(project, "check", "--format", "json") == 1


def test_build_watch_rebuilds_on_save_and_reports_errors_until_fixed(project):
    """build --watch: a save rebuilds, a mistake is shown and waits, Ctrl+C ends with 0."""
    import queue
    import signal
    import subprocess
    import sys
    import threading

    command = [sys.executable, "-m", "kenpo_report", "--project", str(project.root)]
    command += ["build", "oita", "2024", "--format", "pdf", "--jobs", "1", "--watch"]
    # One pipe for both: the lines arrive in the order they were written.
    process = subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, encoding="utf-8"
    )
    lines: queue.Queue[str] = queue.Queue()
    readers = [
        threading.Thread(target=lambda s=stream: [lines.put(x) for x in s], daemon=True)
        for stream in (process.stdout,)
    ]
    for reader in readers:
        reader.start()
    seen: list[str] = []

    def until(text: str) -> None:
        while True:
            try:
                line = lines.get(timeout=120)
            except queue.Empty:
                process.kill()
                pytest.fail(f"no {text!r} in:\n{''.join(seen)}")
            seen.append(line)
            if text in line:
                return

    try:
        until("保存を待っています")
        pages = project.root / "plans/oita/2024/20-receipt.yaml"
        text = pages.read_text(encoding="utf-8")
        pages.write_text(text.replace("12,791件", "12,792件", 1), encoding="utf-8")
        until("変更: plans/oita/2024/20-receipt.yaml")
        until("保存を待っています")
        kpis = project.root / "plans/oita/2024/10-gyomu.yaml"
        good = kpis.read_text(encoding="utf-8")
        kpis.write_text(good.replace('actual: "', 'actual: "x', 1), encoding="utf-8")
        until("直して保存すると作り直します")
        until("保存を待っています")
        kpis.write_text(good, encoding="utf-8")
        until("変更: plans/oita/2024/10-gyomu.yaml")
        until("変更はありません（最新）: output/oita/2024/results.pdf")  # as before the mistake
        until("保存を待っています")
        process.send_signal(signal.SIGINT)
        assert process.wait(timeout=60) == 0
    finally:
        if process.poll() is None:
            process.kill()
        process.wait()
        for reader in readers:
            reader.join(timeout=30)
        process.stdout.close()
    while not lines.empty():
        seen.append(lines.get())
    output = "".join(seen)
    assert output.count("作成しました: output/oita/2024/results.pdf") == 2, output
    assert output.rstrip().endswith("終了しました")
    assert "10-gyomu.yaml:" in output and "数値ではありません" in output


def _usage_error(project, capsys, *args: str) -> str:
    """The one message of a usage error (exit 2) of `kenpo-report *args`."""
    assert run(project, *args) == 2
    return capsys.readouterr().err.splitlines()[-1].removeprefix("kenpo-report: 使い方の誤り: ")


@pytest.mark.parametrize(
    "args",
    [
        ["build", "iwte", "2024"],
        ["check", "iwte"],
        ["check", "iwte", "2024"],
        ["preview", "iwte", "2024"],
    ],
)
def test_a_misspelt_branch_is_one_message_with_the_closest(project, capsys, args):
    message = _usage_error(project, capsys, *args)
    assert message == "支部「iwte」がありません（「iwate」の誤りではありませんか）"


def test_a_branch_close_to_none_lists_the_branches(project, capsys):
    message = _usage_error(project, capsys, "build", "kochi", "2024")
    assert message == "支部「kochi」がありません。支部: fukushima、ibaraki、iwate、mie、oita"


def test_an_unknown_year_lists_the_years_of_the_branch(project, capsys):
    assert _usage_error(project, capsys, "check", "oita", "2023") == (
        "支部「oita」に2023年度のデータがありません（plans/oita/2023/）。oita の年度: 2024、2025"
    )
    # A year after the last one is made with `new`.
    assert _usage_error(project, capsys, "build", "oita", "2026") == (
        "支部「oita」に2026年度のデータがありません（plans/oita/2026/）。oita の年度: 2024、2025。"
        "新しい年度は kenpo-report new oita 2026 で作れます"
    )


def test_a_misspelt_style_names_the_closest(project, capsys):
    args = ("build", "iwate", "2024", "--kind", "results")
    assert _usage_error(project, capsys, *args, "--style", "oitaa") == (
        "様式「oitaa」はありません（「oita」の誤りではありませんか）。results の様式: iwate、mie、oita"
    )
    # A style that draws other kinds: said as such, not as a misspelling.
    assert _usage_error(project, capsys, *args, "--style", "fukushima") == (
        "様式「fukushima」は results の文書を作れません。results の様式: iwate、mie、oita"
    )


def test_argparse_errors_are_japanese_with_the_closest_choice(project, capsys):
    message = _usage_error(project, capsys, "build", "iwate", "2024", "--kind", "reslts")
    assert message == (
        "--kind に「reslts」は指定できません（「results」の誤りではありませんか）。"
        "次のどれかを指定してください: results、self_evaluation、plan"
    )
    assert _usage_error(project, capsys, "new") == "支部（branch）と年度（year）を指定してください"
    assert _usage_error(project, capsys, "check", "iwate", "--forse") == (
        "使えない引数です: --forse（「--force」の誤りではありませんか）"
    )
    assert _usage_error(project, capsys, "preview", "iwate", "2024", "--port", "x") == (
        "--port: 「x」は整数ではありません"
    )


def test_new_of_a_misspelt_branch_names_the_closest(project, capsys):
    assert run(project, "new", "iwte", "2025") == 1
    assert "支部「iwte」がありません（「iwate」の誤りではありませんか）。新しい支部なら" in (
        capsys.readouterr().err
    )
    assert not (project.plans / "iwte").exists()
