"""The Jinja environment: compiled templates kept between builds change nothing."""

from __future__ import annotations

from pathlib import Path

from kenpo_report.build.pipeline import lay_out
from kenpo_report.compute.report import build_report
from kenpo_report.layout import templating
from kenpo_report.validate import load_plan


def test_compiled_templates_are_kept_and_give_the_same_html(project, tmp_path: Path):
    plan = load_plan(project, "oita", 2024)
    report = build_report(plan, plan.data.documents[0])
    first = lay_out(project, plan, report)
    kept = sorted((project.root / ".kenpo-cache" / "jinja").glob("*.cache"))
    assert kept, "no compiled template was kept"
    templating.environment.cache_clear()  # a new process: templates from the kept code
    assert lay_out(project, plan, report) == first


def test_a_read_only_place_builds_without_compiled_templates(tmp_path: Path):
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert templating._bytecode_cache(blocked / "jinja") is None
