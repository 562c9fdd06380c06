"""The one watch loop of ``build --watch`` and ``preview``: which saves count, and when."""

from __future__ import annotations

import threading
from pathlib import Path

import watchfiles

from kenpo_report.build.watch import InputWatcher, relevant_change
from kenpo_report.project import Project


def _project(root: Path) -> Project:
    for name in ("plans/iwate/2024", "templates/shared", "fonts"):
        (root / name).mkdir(parents=True)
    return Project.at(root)


def test_only_saves_of_build_inputs_are_relevant() -> None:
    saved = watchfiles.Change.modified
    for name in ("10-kpis.yaml", "results.html.j2", "print.css", "logo.png", "a.ttf"):
        assert relevant_change(saved, f"/p/plans/{name}"), name
    for name in ("notes.txt", ".10-kpis.yaml.swp", "10-kpis.yaml~", "output.pdf"):
        assert not relevant_change(saved, f"/p/plans/{name}"), name


def test_a_save_after_construction_is_reported_until_stopped(tmp_path: Path) -> None:
    project = _project(tmp_path)
    stop = threading.Event()
    saves = InputWatcher(project, debounce_ms=50, stop_event=stop)
    # Saved before anyone waits (during the first build): still reported.
    (project.plans / "iwate/2024/10-kpis.yaml").write_text("a: 1\n", encoding="utf-8")
    (project.plans / "notes.txt").write_text("not an input\n", encoding="utf-8")
    assert saves.wait() == ["plans/iwate/2024/10-kpis.yaml"]

    seen: list[list[str]] = []

    def on_save(names: list[str]) -> None:
        seen.append(names)
        stop.set()

    follower = threading.Thread(target=saves.follow, args=(on_save,))
    follower.start()
    (project.fonts / "a.ttf").write_bytes(b"font")
    follower.join(timeout=30)
    assert not follower.is_alive()
    assert seen == [["fonts/a.ttf"]]
    assert saves.wait() is None  # stopped
