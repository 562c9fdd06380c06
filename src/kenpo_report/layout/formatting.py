"""Presentation of figures and dates for Japanese reports (Jinja filters).

babel groups digits; it does not know Japanese eras, so 和暦 is ours.
No invisible joiners are inserted (they would break text search in the
PDF); templates keep a figure with its unit by a nowrap span instead.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

from babel.numbers import format_decimal
from markupsafe import Markup, escape

from kenpo_report.compute.figures import Quantity, round_half_up, written_decimals

# (first day, era name); newest first.
_ERAS = (
    (date(2019, 5, 1), "令和"),
    (date(1989, 1, 8), "平成"),
    (date(1926, 12, 25), "昭和"),
)


def era_year(year: int, month: int = 4, day: int = 1) -> tuple[str, int]:
    """Western calendar date -> (era, year of era)."""
    when = date(year, month, day)
    for start, name in _ERAS:
        if when >= start:
            return name, year - start.year + 1
    raise ValueError(f"no era for {when}")


def fiscal_year(year: int, digits: str = "ascii") -> str:
    """FY2024 -> 令和6年度 (a fiscal year is named by its April); 令和元年度 for year 1."""
    era, n = era_year(year, 4, 1)
    if year == 2019:  # FY2019 began in 平成31 but is officially called 令和元年度
        era, n = "令和", 1
    number = "元" if n == 1 else _digits(n, digits)
    return f"{era}{number}年度"


def _digits(n: int, digits: str) -> str:
    return full_width(n) if digits == "full" else str(n)


_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")


def full_width(n: int | str) -> str:
    """12 -> '１２': numbering in full-width digits (the templates' ``wide`` filter)."""
    return str(n).translate(_FULL_WIDTH)


def number(value: Decimal, decimals: int | None = None) -> str:
    """1234.5 -> '1,234.5'; keeps the written decimals unless *decimals* is given."""
    places = written_decimals(value) if decimals is None else decimals
    value = round_half_up(value, places)
    pattern = "#,##0" + ("." + "0" * places if places else "")
    return format_decimal(abs(value), format=pattern, locale="ja_JP", decimal_quantization=True)


def figure(value: Quantity | Decimal | str | None, empty: str = "") -> str:
    """A published figure with its unit; differences get + or ▲."""
    if value is None:
        return empty
    if isinstance(value, str):
        return value
    if isinstance(value, Decimal):
        value = Quantity(value, written_decimals(value))
    text = number(value.value, value.decimals)
    if value.value < 0:
        text = "▲" + text
    elif value.signed and value.value > 0:
        text = "+" + text
    return f"{text}{value.unit}"


def direction_word(direction: str) -> str:
    return "以上" if direction == "at_least" else "以下"


# A figure with its unit, as prose prints it (95.6％, 30位, 10か月, 48,049,648円).
_FIGURE_WITH_UNIT = re.compile(
    r"[▲△+]?\d[\d,]*(?:\.\d+)?"
    r"(?:％|%|円|万円|億円|百万円|千円|事業所|社|件|人|名|位|回|日|か月|ヵ月|ヶ月|カ月|万点|点|枚|施設|ポイント|歳|倍)"
)


def keep_figures(text: str) -> Markup:
    """*text* as HTML, each figure kept with its unit on one line (a nowrap span).

    A narrow column would otherwise break 「30位」 or 「95.6％」 between the figure and
    its unit, or inside the figure."""
    escaped = str(escape(text))
    return Markup(_FIGURE_WITH_UNIT.sub(lambda m: f'<span class="nw">{m.group()}</span>', escaped))
