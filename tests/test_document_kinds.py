"""Every branch-year builds every kind its data supports, in every style of that kind.

Read from the HTML (the text the PDF is made from) that the session's ``tried`` fixture
builds (conftest): a plan document holds every
measure's plan items and every KPI sentence; a results document holds every
measure's results prose; a self-evaluation holds every grade.
"""

from __future__ import annotations

import html as html_lib
import re
from pathlib import Path

import pytest

from conftest import KIND_STYLES, TARGETS
from kenpo_report.build.pipeline import trial_document
from kenpo_report.compute.report import build_report
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

KINDS = [k for k in KIND_STYLES if k[0] != "self_evaluation"]


def text_of(path: Path) -> str:
    page = path.read_text(encoding="utf-8")
    page = re.sub(r"<(style|script)\b.*?</\1>", " ", page, flags=re.S)
    page = html_lib.unescape(re.sub(r"<[^>]+>", "", page))
    return re.sub(r"\s+", "", page)


def squeeze(text: str) -> str:
    return re.sub(r"\s+", "", text)


def prose(blocks: list) -> list[str]:
    """The sentences of a measure's free blocks: paragraphs, bullet and box items."""
    out: list[str] = []
    for block in blocks:
        kind = getattr(block, "type", None) if not isinstance(block, dict) else block.get("type")
        if kind == "paragraph":
            out.append(block.text)
        elif kind in ("bullets", "box"):
            out += list(block.items)
        elif kind == "columns":
            for column in block["columns"]:
                out += prose(column["blocks"])
    return out


def report_of(project: Project, branch: str, year: int, kind: str, style: str):
    plan = load_plan(project, branch, year)
    return build_report(plan, trial_document(plan, kind, style))


@pytest.mark.parametrize(("branch", "year"), TARGETS)
@pytest.mark.parametrize(("kind", "style"), KINDS)
def test_every_measure_is_in_every_style(tried, branch, year, kind, style) -> None:
    report = report_of(tried, branch, year, kind, style)
    name = f"{kind.replace('_', '-')}-{style}.html"
    text = text_of(tried.output_dir(branch, year) / name)
    assert report.measures, f"{branch} {year} has no measures"
    missing = []
    for measure in report.measures:
        wanted = [measure.title]
        if kind == "plan":
            wanted += measure.plan + [k.statement for k in measure.kpis]
        else:
            wanted += prose(measure.results)
        # A sentence of several lines may print as several numbered lines.
        lines = [line for w in wanted for line in w.split("\n")]
        missing += [w for w in lines if squeeze(w) not in text]
    assert missing == []


def test_ibaraki_builds_its_self_evaluation(built_everything) -> None:
    text = text_of_pdf(built_everything.output_dir("ibaraki", 2024) / "self-evaluation.pdf")
    report = report_of(built_everything, "ibaraki", 2024, "self_evaluation", "ibaraki")
    assert report.measures
    assert all(m.evaluation is not None for m in report.measures)
    for measure in report.measures:
        for comment in measure.evaluation.comments:
            assert squeeze(comment) in text


def text_of_pdf(path: Path) -> str:
    from conftest import pdf_text

    return squeeze(pdf_text(path, layout=False))
