"""Compute stage, free blocks: a plan's block -> the view its template draws.

Tables become grids (:mod:`.grids`); charts and images are named by content
hashes for the renderers; self-evaluation grades are checked against the KPIs.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kenpo_report.compute import figures as C
from kenpo_report.compute.figures import Finding, Quantity
from kenpo_report.compute.grids import table_grid
from kenpo_report.compute.kpi_tables import comparison_grid, kpi_box_view
from kenpo_report.compute.kpis import KpiResult
from kenpo_report.compute.series import calendar_grid, series_grid
from kenpo_report.model import (
    Calendar,
    Chart,
    Columns,
    Comparison,
    Evaluation,
    Heading,
    Image,
    Insert,
    KpiBox,
    Series,
    Table,
)
from kenpo_report.render.urls import chart_url, image_url
from kenpo_report.validate import Plan


@dataclass(frozen=True)
class HeadingView:
    """A heading block: its level in the data ("2", "3") and the HTML element it is."""

    text: str
    level: str
    tag: str  # a level-2 heading of the data is an h3: the page's own head is the h2
    type: str = "heading"


@dataclass(frozen=True)
class InsertView:
    """An inserted document's lines; *size* is the class that sets a long one smaller."""

    caption: str | None
    lines: list[str]
    size: str | None
    type: str = "insert"


# An inserted document of more lines than these is set smaller, then smaller still.
_LONG_INSERT, _XLONG_INSERT = 14, 30


def chart_data(chart: Chart) -> list[list[Any]]:
    """The chart's figures, one row per category, for readers of an image."""
    return [
        [
            category,
            *(
                Quantity(C.round_half_up(v, chart.decimals), chart.decimals, chart.unit)
                if (v := series.values[i]) != ""
                else ""
                for series in chart.series
            ),
        ]
        for i, category in enumerate(chart.categories)
    ]


def grade_findings(
    grade: str, kpi_ids: list[str], path: C.Path_, kpis: dict[str, KpiResult]
) -> list[Finding]:
    """A self-evaluation grade that contradicts the KPI results it rests on."""
    results = [kpis[k] for k in kpi_ids if kpis[k].achieved is not None]
    if not results:
        return []
    missed = [k.definition.name for k in results if not k.achieved]
    if grade in ("S", "A") and missed:
        return [
            Finding(
                f"自己評価が {grade} ですが、KPI「{'」「'.join(missed)}」は未達成です",
                (*path, "grade"),
            )
        ]
    if grade in ("C", "D") and not missed:
        return [Finding(f"自己評価が {grade} ですが、KPIはすべて達成しています", (*path, "grade"))]
    return []


# --- blocks -----------------------------------------------------------------


def block_view(
    block: Any, path: C.Path_, kpis: dict[str, KpiResult], plan: Plan, findings: list[Finding]
) -> Any:
    if isinstance(block, Table):
        return table_grid(block, path, kpis, findings)
    if isinstance(block, Series):
        return series_grid(block, path, findings)
    if isinstance(block, Calendar):
        return calendar_grid(block)
    if isinstance(block, Comparison):
        return comparison_grid(block, kpis[block.kpi], plan)
    if isinstance(block, KpiBox):
        return kpi_box_view(block, kpis, plan)
    if isinstance(block, Chart):
        return chart_view(block)
    if isinstance(block, Evaluation):
        findings += grade_findings(block.grade, block.kpis, path, kpis)
        return block
    if isinstance(block, Columns):
        return _columns_view(block, path, kpis, plan, findings)
    if isinstance(block, Image):
        return {
            "type": "image",
            "url": image_url(plan.images[block.src]),
            "caption": block.caption,
            "width": block.width,
        }
    if isinstance(block, Heading):
        return HeadingView(block.text, block.level, f"h{int(block.level) + 1}")
    if isinstance(block, Insert):
        return InsertView(block.caption, block.lines, _insert_size(len(block.lines)))
    if block.type == "formula" and block.kpi is not None:
        formula = kpis[block.kpi].definition.formula
        numerator = block.numerator or (formula.numerator if formula else "")
        denominator = block.denominator or (formula.denominator if formula else "")
        return block.model_copy(update={"numerator": numerator, "denominator": denominator})
    return block


def chart_view(chart: Chart) -> dict[str, Any]:
    """A chart, and its figures as tables: a row per category, or a row per series."""
    data = chart_data(chart)
    return {
        "type": "chart",
        "url": chart_url(chart.model_dump_json()),
        "chart": chart,
        "width": chart.width,
        "data": data,
        "title_span": len(chart.series) + 1,
        "by_series": [
            {"name": s.name, "cells": [row[i] for row in data]}
            for i, s in enumerate(chart.series, start=1)
        ],
        "by_series_span": len(chart.categories) + 1,
    }


def _columns_view(
    block: Columns, path: C.Path_, kpis: dict[str, KpiResult], plan: Plan, findings: list[Finding]
) -> dict[str, Any]:
    widths = block.widths or [Decimal(100) / len(block.columns)] * len(block.columns)
    columns = [
        {
            "title": column.title,
            "blocks": [
                block_view(inner, (*path, "columns", c, "blocks", b), kpis, plan, findings)
                for b, inner in enumerate(column.blocks)
            ],
        }
        for c, column in enumerate(block.columns)
    ]
    return {"type": "columns", "widths": widths, "columns": columns}


def _insert_size(lines: int) -> str | None:
    if lines > _XLONG_INSERT:
        return "xlong"
    return "long" if lines > _LONG_INSERT else None
