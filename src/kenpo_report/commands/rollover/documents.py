"""Documents and sections of the new year: carried, their titles and dates moved on."""

from __future__ import annotations

from typing import Any

from kenpo_report.commands.rollover.citations import cited
from kenpo_report.commands.rollover.context import CONFIRM, Context
from kenpo_report.commands.rollover.era import next_date, shift_all, shift_era
from kenpo_report.commands.rollover.yaml_writer import Note


def document(ctx: Context, raw: dict[str, Any]) -> Any:
    """A document setting of the new year: its date moved on (確認), its cover to confirm."""
    last = ctx.year - 1
    out: dict[str, Any] = {}
    before: tuple[str, ...] = ()
    for key, value in raw.items():
        if key == "date" and isinstance(value, str):
            new = next_date(value)
            out[key] = Note(
                new,
                after="仮の作成日（前年度の作成日の1年後）",
                todo=(CONFIRM, f"作成日を仮に {new} にしました。報告書の日付に直してください"),
            )
        elif key == "kpi_list_notes":
            # Notes about how this year's KPIs changed from the year before: year-specific.
            lines = [f"{cat}: {n}" for cat, notes in (value or {}).items() for n in notes]
            before = (f"{ctx.last_fy}のKPI一覧の注記は引き継いでいません:", *lines)
        elif key == "cover" and isinstance(value, dict) and value.get("blocks"):
            cover = shift_all(value, last, near_only=True)
            cover["blocks"] = Note(
                cover["blocks"],
                todo=(
                    CONFIRM,
                    f"表紙の本文は{ctx.last_fy}の文です。{ctx.fy}の内容に直してください",
                ),
            )
            out[key] = cover
        else:
            out[key] = shift_all(value, last, near_only=True)
    return Note(out, before=before) if before else out


def section(ctx: Context, key: str, raw: Any) -> Any:
    """A section: titles move one year on; its intro is carried, citations of last year's
    named figures replaced by the printed figure and marked (see citations.dated)."""
    if not isinstance(raw, dict):
        return raw
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k == "intro":
            # Written last year: a KPI citation now gives this year's figure (確認).
            intro = _shift_titles(v, ctx.year - 1)
            out[k] = cited(ctx, intro, f"区分「{key}」の文", written_before=True)
        elif isinstance(v, str):
            out[k] = shift_era(v, ctx.year - 1)
        else:
            out[k] = v
    return out


def _shift_titles(value: Any, year: int) -> Any:
    """Blocks with 令和N年度 moved on in their titles only (headings, titles, captions).

    Body text keeps its years: 「令和6年度中の完了を目指し」 states a fact of the
    year it was written in, and stays true.
    """
    if isinstance(value, list):
        return [_shift_titles(v, year) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        titled = k in ("title", "caption") or (k == "text" and value.get("type") == "heading")
        out[k] = shift_era(v, year) if titled and isinstance(v, str) else _shift_titles(v, year)
    return out
