"""A comparison (``kenpo-report diff``) as text, JSON or a Markdown table.

Each changed KPI or named figure with its old and new printed values, and for a KPI
whether 達成 changed. Text is for the terminal, the Markdown table for a pull
request's summary, JSON for other tools.
"""

from __future__ import annotations

import json

from kenpo_report.commands.diff import Comparison
from kenpo_report.commands.diff.changes import KPI, NOT_JUDGED, NOT_THERE, FieldChange, ItemChange

NO_CHANGE = "変更はありません"
KIND_WORDS = {KPI: "KPI", "figure": "数値"}


def heading(comparison: Comparison) -> str:
    """「iwate 2024: 作業中のファイルと版「v1」（1a2b3c4）の比較」"""
    c = comparison
    against = f"版「{c.revision}」" if c.revision else f"最後の変更 {c.last_change:.7} の前の版"
    if c.commit is not None and c.revision == c.commit:  # a full id: once, short
        against = f"版「{c.commit:.7}」"
    if c.commit is None:
        against += "（その前の版はありません。すべて新しい項目です）"
    elif not c.found:
        against += f"（{c.commit:.7}。この支部・年度はありません。すべて新しい項目です）"
    elif against != f"版「{c.commit:.7}」":
        against += f"（{c.commit:.7}）"
    return f"{c.branch} {c.year}: 作業中のファイルと{against}の比較"


def as_text(comparison: Comparison) -> str:
    lines = [heading(comparison)]
    if not comparison.items:
        return "\n".join([*lines, NO_CHANGE]) + "\n"
    for item in comparison.items:
        added, removed = (
            all(getattr(f, end) is None for f in item.fields) for end in ("old", "new")
        )
        mark = "（新しい項目）" if added else "（なくなった項目）" if removed else ""
        lines.append(f"■ {KIND_WORDS[item.kind]} {_one_line(item.title)}{mark}")
        for f in item.fields:
            shown = _value(f.new) if added else _value(f.old) if removed else _change(f)
            lines.append(_indented(f"  {f.label}: {shown}"))
        if item.kind == KPI and not (added or removed):
            lines.append(f"  達成: {achieved_text(item)}")
    lines.append(summary(comparison.items))
    return "\n".join(lines) + "\n"


def as_markdown(comparison: Comparison) -> str:
    lines = [f"#### {heading(comparison)}", ""]
    if not comparison.items:
        return "\n".join([*lines, NO_CHANGE]) + "\n"
    lines += ["| 項目 | 欄 | 変更前 | 変更後 | 達成 |", "|---|---|---|---|---|"]
    for item in comparison.items:
        title = f"{KIND_WORDS[item.kind]} {item.title}"
        achieved = achieved_text(item) if item.kind == KPI else ""
        rows = item.fields or [None]
        for n, f in enumerate(rows):
            cells = [
                title if n == 0 else "",
                f.label if f else "達成",
                _value(f.old) if f else "",
                _value(f.new) if f else "",
                achieved if n == 0 else "",
            ]
            lines.append("| " + " | ".join(_cell(c) for c in cells) + " |")
    lines += ["", summary(comparison.items)]
    return "\n".join(lines) + "\n"


def as_json(comparison: Comparison) -> str:
    c = comparison
    data = {
        "branch": c.branch,
        "year": c.year,
        "revision": c.revision,
        "commit": c.commit,
        "last_change": c.last_change,
        "found": c.found,
        "changed": bool(c.items),
        "items": [_item_dict(item) for item in c.items],
    }
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def achieved_text(item: ItemChange) -> str:
    """「未達成 → 達成（変わりました）」 or 「達成（変わりません）」; 「－」 while not judged."""
    old, new = item.achieved_old or NOT_JUDGED, item.achieved_new or NOT_JUDGED
    return f"{old} → {new}（変わりました）" if item.achieved_changed else f"{new}（変わりません）"


def summary(items: list[ItemChange]) -> str:
    counts = {kind: sum(1 for i in items if i.kind == kind) for kind in KIND_WORDS}
    return "変更: " + "、".join(f"{KIND_WORDS[k]} {n}件" for k, n in counts.items())


def _item_dict(item: ItemChange) -> dict[str, object]:
    achieved = None
    if item.kind == KPI:
        achieved = {
            "old": item.achieved_old,
            "new": item.achieved_new,
            "changed": item.achieved_changed,
        }
    return {
        "kind": item.kind,
        "id": item.key,
        "title": item.title,
        "fields": [_field_dict(f) for f in item.fields],
        "achieved": achieved,
    }


def _field_dict(f: FieldChange) -> dict[str, object]:
    return {"field": f.name, "label": f.label, "old": f.old, "new": f.new}


def _change(f: FieldChange) -> str:
    return f"{_value(f.old)} → {_value(f.new)}"


def _value(value: str | None) -> str:
    return NOT_THERE if value is None else value


def _one_line(text: str) -> str:
    return text.replace("\n", " ")


def _indented(text: str) -> str:
    """A value of several lines: its following lines under the first's start."""
    return text.replace("\n", "\n    ")


def _cell(text: str) -> str:
    """Text in a Markdown table cell: no HTML of the data's, pipes escaped, lines as <br>."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\\", "\\\\").replace("|", "\\|").replace("\n", "<br>")
