"""Measures of the new year: carried in place, last year's 次年度の計画 as the plan."""

from __future__ import annotations

from typing import Any

from kenpo_report.commands.rollover.citations import cited, dated
from kenpo_report.commands.rollover.context import CONFIRM, TODO, Context, quoted
from kenpo_report.commands.rollover.era import shift_all, shift_era
from kenpo_report.commands.rollover.yaml_writer import Note

# What a measure keeps from one year to the next: where it stands and what it reports.
_MEASURE_KEPT = ("id", "section", "number", "heading", "title", "group")
# Texts kept too, with citations of last year's named figures replaced (see dated).
_MEASURE_TEXTS = ("importance", "difficulty")
# What belongs to the year that ended: its results, figures, grades and activities.
_MEASURE_PAST = ("figures", "prior_results", "results", "issues", "evaluation", "activities")


def measure(ctx: Context, raw: dict[str, Any]) -> Any:
    """A measure of the new year.

    Last year's 次年度の計画 (next_plan) becomes its plan, to be confirmed; without
    one, last year's plan is carried as the draft, to be confirmed too (確認: a value
    is there; only an empty plan is 記入待ち). Where a document reports the year,
    results, and for a self-evaluation the grade, are left empty (記入待ち); the past (figures,
    prior_results, results, issues, evaluation, activities) is not carried.
    """
    last = ctx.year - 1
    title = quoted(raw.get("title"))
    where = f"施策「{title}」"
    out: dict[str, Any] = {}
    for key in _MEASURE_KEPT:
        if key in raw:
            value = raw[key]
            out[key] = shift_era(value, last) if isinstance(value, str) else value
    kpis: list[Any] = []
    lost: list[str] = []  # ids of KPIs the new catalogue has no more
    for k in raw.get("kpis") or []:
        if isinstance(k, dict):  # a goal that is not a KPI: {text: …}
            kpis.append(cited(ctx, shift_all(k, last, near_only=True), f"{where}の目標"))
        elif (new := ctx.kpi_id(k)) is not None:
            kpis.append(new)
        else:
            lost.append(k)
    if kpis:
        out["kpis"] = kpis
    if raw.get("statements"):
        out.update(_statements(ctx, raw["statements"], lost, where))
    out["plan"] = _plan(ctx, raw, where)
    for key in _MEASURE_TEXTS:
        if isinstance(raw.get(key), str):
            out[key] = dated(ctx, shift_era(raw[key], last), where)
    # Written empty only where a document reports the year: check lists them until filled.
    if ctx.reports:
        out["results"] = Note([], todo=(TODO, f"{where}の{ctx.fy}の実施状況"))
    if ctx.self_evaluation:
        out["evaluation"] = Note(
            None,
            after=f"{TODO}: 自己評価（{{grade: B}} のように S〜D で）",
            todo=(TODO, f"{where}の{ctx.fy}の自己評価（evaluation の grade: S〜D）"),
        )
    dropped = [k for k in _MEASURE_PAST if raw.get(k)]
    if dropped:
        return Note(out, before=(f"{ctx.last_fy}の {', '.join(dropped)} は引き継いでいません",))
    return out


def _plan(ctx: Context, raw: dict[str, Any], where: str) -> Note:
    """This year's 事業計画: last year's 次年度の計画, or else last year's plan as a draft."""
    items, notes = _plan_items(raw.get("next_plan") or [], ctx.last_folder)
    if items or notes:
        # Written last year about this year: its years are already this year's (no shift).
        marked = [dated(ctx, item, f"{where}の計画", written_before=True) for item in items]
        return Note(
            marked,
            before=(f"{ctx.last_fy}の「次年度の計画」から写しました", *notes),
            todo=(CONFIRM, f"{where}の事業計画は、{ctx.last_fy}に書いた計画のままです"),
        )
    last = ctx.year - 1
    carried = [dated(ctx, shift_era(p, last), f"{where}の計画") for p in raw.get("plan") or []]
    if not carried:  # `plan: []`: check lists it until it is written
        return Note(carried, todo=(TODO, f"{where}の{ctx.fy}の事業計画"))
    return Note(
        carried,
        before=(f"{ctx.last_fy}の事業計画を写しました（{ctx.last_fy}に次年度の計画がありません）",),
        todo=(
            CONFIRM,
            f"{where}の事業計画は、{ctx.last_fy}の事業計画のままです。{ctx.fy}の計画に直してください",
        ),
    )


def _statements(ctx: Context, statements: list[str], lost: list[str], where: str) -> dict:
    """The measure's own wording of its KPIs, carried unless one of its KPIs is gone."""
    if not lost:
        last = ctx.year - 1
        return {
            "statements": [
                dated(ctx, shift_era(s, last), f"{where}のKPIの文言") for s in statements
            ]
        }
    ids = "、".join(lost)
    return {
        "statements": Note(
            [],
            before=(
                f"{ctx.last_fy}のKPIの文言は、KPI（{ids}）が{ctx.fy}のKPIカタログにないため省きました"
                "（KPI一覧の文言になります）:",
                *statements,
            ),
            todo=(CONFIRM, f"{where}のKPIの文言は省きました（KPI一覧の文言を表示します）"),
        )
    }


def _plan_items(blocks: list[Any], folder: str) -> tuple[list[str], list[str]]:
    """Next year's plan as plan items (paragraphs, headings, bullets, box items, table
    rows), and comments on what changed form or could not be carried (chart, image…)."""
    items: list[str] = []
    notes: list[str] = []
    for block in blocks:
        if not isinstance(block, dict):  # pragma: no cover - validated last year
            continue
        kind = block.get("type")
        if kind in ("paragraph", "heading") and isinstance(block.get("text"), str):
            items.append(block["text"])
        elif kind in ("bullets", "box"):
            if isinstance(block.get("title"), str) and kind == "bullets":
                items.append(block["title"])
            items += [i for i in block.get("items") or [] if isinstance(i, str)]
        elif kind == "table":
            # A planned schedule (令和7年10月 | HPでの周知): one item a row.
            caption = block.get("caption")
            notes.append(f"表{f'「{caption}」' if caption else ''}は1行を1項目にしました")
            if isinstance(caption, str):
                items.append(caption)
            for row in [*(block.get("header") or []), *(block.get("rows") or [])]:
                cells = [_cell_text(cell) for cell in row]
                items.append("　".join(c for c in cells if c))
            if isinstance(block.get("note"), str):
                items.append(block["note"])
        elif kind == "columns":
            for column in block.get("columns") or []:
                sub, more = _plan_items(column.get("blocks") or [], folder)
                items += sub
                notes += more
        else:
            notes.append(
                f"事業計画の項目にできない {kind} は写していません（{folder} を見てください）"
            )
    return [i for i in items if i.strip()], notes


def _cell_text(cell: Any) -> str:
    if isinstance(cell, dict):
        text = cell.get("text", cell.get("number", ""))
        return f"{text}{cell.get('unit', '')}" if text is not None else ""
    return "" if cell is None else str(cell)
