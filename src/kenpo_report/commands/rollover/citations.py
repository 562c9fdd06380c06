"""Carried texts tied to the past year: cited figures and dates, marked for review (確認)."""

from __future__ import annotations

import re
from typing import Any

from kenpo_report.build import pipeline
from kenpo_report.commands.rollover.context import CONFIRM, Context, quoted
from kenpo_report.commands.rollover.yaml_writer import Note
from kenpo_report.compute.references import refs_in
from kenpo_report.layout.formatting import figure

# Dates that pin a text to a moment of the past year (令和7年3月末時点, 令和6年度末).
_POINT_IN_TIME = re.compile(r"令和[0-9０-９元]+年[0-9０-９]+月(末|時点)|年度末時点|時点")
# Years named relative to when the text was written (a plan written last year).
_RELATIVE_YEAR = re.compile(r"昨年度|今年度|本年度|来年度|次年度|翌年度")


def cited(ctx: Context, value: Any, where: str, *, written_before: bool = False) -> Any:
    """Texts under *value* with last year's named figures replaced and marked (see dated)."""
    if isinstance(value, str):
        return dated(ctx, value, where, written_before=written_before)
    if isinstance(value, list):
        return [cited(ctx, v, where, written_before=written_before) for v in value]
    if isinstance(value, dict):
        return {k: cited(ctx, v, where, written_before=written_before) for k, v in value.items()}
    return value


def dated(ctx: Context, text: str, where: str, *, written_before: bool = False) -> Any:
    """A text tied to the past year is marked for review (確認).

    A named figure of last year is gone with last year's results: its citation
    becomes the figure as printed, marked. In a text that was last year's own
    (*written_before*: a 次年度の計画, a section's text), not a draft to
    rewrite, a citation of a KPI now gives this year's figure, and 昨年度 /
    次年度 are a year off: both are marked.
    """
    notes = []
    if _POINT_IN_TIME.search(text):
        notes.append("前年度の時点の記載があります")
    relative = _RELATIVE_YEAR.search(text) if written_before else None
    if relative:
        notes.append(f"{ctx.last_fy}に書いた「{relative.group()}」の記載があります")
    figures = past_figures(ctx) if "{" in text else {}
    marks = []
    for ref in reversed(list(refs_in(text))):  # from the end: offsets stay valid
        if ref.name in figures:
            text = text[: ref.start] + figure(figures[ref.name], "－") + text[ref.end :]
            marks.append(f"前年度の数値（{ref.name}）を写しました")
        elif written_before and "." in ref.name:
            marks.append(f"{ref.written} は{ctx.fy}の値になります")
    notes += reversed(marks)
    if not notes:
        return text
    return Note(text, todo=(CONFIRM, f"{where}: {'。'.join(notes)}: {quoted(text)[:40]}"))


def past_figures(ctx: Context) -> dict[str, Any]:
    """Last year's named figures, as its documents print them."""
    if ctx.figures is None:
        from kenpo_report.compute.report import build_report

        document = pipeline.trial_document(ctx.previous, "results", "iwate")
        ctx.figures = build_report(ctx.previous, document).figures
    return ctx.figures
