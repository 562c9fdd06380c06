"""The publishing workflow builds every format the site's index links (PDF, DOCX, HTML),
and keeps what a later run needs to skip the branch-years that did not change."""

from __future__ import annotations

import shlex

import yaml

from conftest import ROOT
from kenpo_report.build.pipeline import ALL_FORMATS

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def _build_formats(job: dict) -> list[set[str]]:
    """The --format of each `kenpo-report build` the job runs (the default: PDF, DOCX)."""
    found = []
    for step in job["steps"]:
        for line in step.get("run", "").splitlines():
            if "kenpo-report build" not in line:
                continue
            words = shlex.split(line)
            if words[:1] != [".venv/bin/kenpo-report"] or words[1:2] != ["build"]:
                continue
            given = next((words[i + 1] for i, w in enumerate(words) if w == "--format"), "pdf,docx")
            found.append(set(given.split(",")))
    return found


def test_the_published_build_writes_what_the_index_links():
    """Without the HTML versions the index shows 「－」 in its HTML column."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    builds = _build_formats(jobs["publish"])
    assert builds, "the publish job builds"
    assert all(formats == set(ALL_FORMATS) for formats in builds), builds


def test_a_later_run_finds_the_unchanged_branch_years_up_to_date():
    """The manifests under .kenpo-cache/ say which outputs are up to date; a pull request's
    build asks for main's formats, or its options differ and everything is rebuilt."""
    jobs = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))["jobs"]
    for name, job in jobs.items():
        builds = _build_formats(job)
        if not builds:
            continue
        restored = [
            step["with"]["path"].split()
            for step in job["steps"]
            if step.get("uses", "").startswith("actions/cache@")
        ]
        assert restored, f"{name}: no cache restored"
        assert all({"output", ".kenpo-cache"} <= set(paths) for paths in restored), (name, restored)
        assert all(formats == set(ALL_FORMATS) for formats in builds), (name, builds)
