"""和暦 in carried text: 令和N年度 and dates moved one year on."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

_ERA_FY = re.compile(r"令和([0-9]+|[０-９]+|元)年度")
FULL = str.maketrans("０１２３４５６７８９", "0123456789")
_TO_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
DIGIT = re.compile(r"[0-9０-９]")


def reiwa(year: int) -> int:
    """FY2024 -> 6 (令和6年度)."""
    return year - 2018


def shift_era(text: str, year: int, *, near_only: bool = True) -> str:
    """Move 令和N年度 one year on, for a text written in fiscal *year*.

    With *near_only* only this year and next year move (令和6年度の実施状況 ->
    令和7年度の実施状況, 令和7年度の計画 -> 令和8年度の計画): other years in a
    title are facts (※令和2年度より付与) and stay. Without it every year
    moves: for labels of KPI figures (令和5年度 = the prior column).
    Full-width digits stay full-width.
    """

    def move(m: re.Match[str]) -> str:
        written = m.group(1)
        n = 1 if written == "元" else int(written.translate(FULL))
        if near_only and n not in (reiwa(year), reiwa(year) + 1):
            return m.group(0)
        new = str(n + 1)
        if written != "元" and written != written.translate(FULL):
            new = new.translate(_TO_FULL)
        return f"令和{new}年度"

    return _ERA_FY.sub(move, text)


def shift_all(value: Any, year: int, near_only: bool) -> Any:
    """Every text under *value* moved with shift_era."""
    if isinstance(value, str):
        return shift_era(value, year, near_only=near_only)
    if isinstance(value, list):
        return [shift_all(v, year, near_only) for v in value]
    if isinstance(value, dict):
        return {k: shift_all(v, year, near_only) for k, v in value.items()}
    return value


def next_date(text: str) -> str:
    """2025-07-31 -> 2026-07-31 (29 Feb -> 28 Feb)."""
    d = date.fromisoformat(text)
    try:
        return d.replace(year=d.year + 1).isoformat()
    except ValueError:
        return d.replace(year=d.year + 1, day=28).isoformat()
