"""Compute stage, KPI tables: a KPI's branch-vs-national comparison and the KPI box."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kenpo_report.compute.grids import Grid, GridCell
from kenpo_report.compute.kpis import KpiResult
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.model import Comparison, KpiBox
from kenpo_report.validate import Plan


def comparison_grid(block: Comparison, kpi: KpiResult, plan: Plan) -> Grid:
    current = block.basis == "current"
    own, nat = ("actual", "national") if current else ("prior", "national_prior")
    cols = block.columns
    with_diff = current and cols.diff is not None
    head = [
        GridCell(block.title, header=True),
        GridCell(cols.denominator, header=True),
        GridCell(cols.numerator, header=True),
        GridCell(cols.rate, header=True),
    ]
    if with_diff:
        head.append(GridCell(cols.diff, header=True))
    rows = []
    for label, name in ((plan.branch.name, own), ("全国", nat)):
        line = [
            GridCell(label, header=True),
            GridCell(kpi.counts.get(f"{name}_denominator")),
            GridCell(kpi.counts.get(f"{name}_numerator")),
            GridCell(getattr(kpi, name)),
        ]
        if with_diff and name == own:
            line.append(GridCell(kpi.diff if current else kpi.prior_diff, rowspan=2))
        rows.append(line)
    rank = kpi.entry.rank if current else kpi.entry.prior_rank
    if current and rank:
        rows.append(
            [GridCell(block.rank_label, header=True), GridCell(f"{rank}位", colspan=len(head) - 1)]
        )
    widths = [Decimal(22), *[Decimal(78) / (len(head) - 1)] * (len(head) - 1)]
    return Grid([head], rows, widths, block.caption, block.note, css="comparison")


def kpi_box_view(block: KpiBox, kpis: dict[str, KpiResult], plan: Plan) -> Any:
    fy = fiscal_year(plan.year)
    columns = block.columns or (f"{fy} 目標", f"{fy} 実績")
    head = [
        GridCell("", header=True),
        GridCell(columns[0], header=True),
        GridCell(columns[1], header=True),
    ]
    body = [
        [
            GridCell(row.label, header=True),
            GridCell(kpis[row.kpi].target_text),
            GridCell(kpis[row.kpi].actual),
        ]
        for row in block.rows
    ]
    statements = block.statements or [kpis[row.kpi].statement for row in block.rows]
    grid = Grid(
        [head], body, [Decimal(34), Decimal(33), Decimal(33)], None, block.note, css="kpi-box"
    )
    return {"type": "kpi_box", "title": block.title, "statements": statements, "grid": grid}
