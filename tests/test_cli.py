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
