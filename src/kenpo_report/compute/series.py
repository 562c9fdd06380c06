"""Compute stage, monthly tables: series with their totals, cumulative and ratio rows; calendars.

A series row is typed values, the running total of a row above, or the ratio of two
rows above; totals are computed, and typed totals and ratios are checked against them.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from kenpo_report.compute import figures as C
from kenpo_report.compute.figures import Finding, Quantity
from kenpo_report.compute.grids import Grid, GridCell
from kenpo_report.compute.kpis import Content
from kenpo_report.layout.formatting import figure
from kenpo_report.model import Calendar, Series, SeriesRow

Values = list[Decimal | None]


def series_grid(block: Series, path: C.Path_, findings: list[Finding]) -> Grid:
    head = [GridCell(block.corner, header=True), *(GridCell(c, header=True) for c in block.columns)]
    if block.total:
        head.append(GridCell(block.total, header=True))
    head += [GridCell(c, header=True) for c in block.extra_columns]
    numeric: list[Values] = []
    totals: list[Decimal | None] = []
    body: list[list[GridCell]] = []
    for r, row in enumerate(block.rows):
        row_path = (*path, "rows", r)
        if row.kind == "values":
            cells, values, row_total = _values_row(row, row_path, findings)
        elif row.kind == "cumulative":
            cells, values, row_total = _cumulative_row(row, numeric)
        else:
            cells, values, row_total = _ratio_row(row, row_path, numeric, totals, findings)
        numeric.append(values)
        totals.append(row_total)
        body.append(_series_line(block, row, cells, row_total))
    label = block.label_width
    rest = (Decimal(100) - label) / Decimal(len(head) - 1)
    widths = [label, *[rest] * (len(head) - 1)]
    return Grid([head], body, widths, block.caption, block.note, css="series")


def _values_row(
    row: SeriesRow, path: C.Path_, findings: list[Finding]
) -> tuple[list[Content], Values, Decimal | None]:
    raw = row.values or []
    values = [v if isinstance(v, Decimal) else None for v in raw]
    cells: list[Content] = [
        Quantity(v, C.written_decimals(v), row.unit) if v is not None else str(t)
        for v, t in zip(values, raw, strict=True)
    ]
    row_total = C.total(values)
    findings += C.check_typed(
        row.total,
        row_total,
        C.written_decimals(row_total),
        (*path, "total"),
        "合計",
        "各列の和",
    )
    return cells, values, row_total


def _cumulative_row(
    row: SeriesRow, numeric: list[Values]
) -> tuple[list[Content], Values, Decimal | None]:
    values = C.cumulative(numeric[_of(row, 1)[0]])
    cells: list[Content] = [Quantity(v, 0, row.unit) if v is not None else "" for v in values]
    return cells, values, values[-1] if values else None


def _ratio_row(
    row: SeriesRow,
    path: C.Path_,
    numeric: list[Values],
    totals: list[Decimal | None],
    findings: list[Finding],
) -> tuple[list[Content], Values, Decimal | None]:
    num_row, den_row = _of(row, 2)
    percent = row.unit in ("％", "%")
    values: Values = [
        C.rate(n, d, row.decimals, percent) if n is not None and d else None
        for n, d in zip(numeric[num_row], numeric[den_row], strict=True)
    ]
    cells: list[Content] = [
        Quantity(v, row.decimals, row.unit) if v is not None else "" for v in values
    ]
    num_total, den_total = totals[num_row], totals[den_row]
    row_total = (
        C.rate(num_total, den_total, row.decimals, percent)
        if num_total is not None and den_total
        else None
    )
    for i, (typed, value) in enumerate(zip(row.values or [], values, strict=False)):
        if isinstance(typed, Decimal) and value is not None:
            findings += C.check_typed(
                typed, value, row.decimals, (*path, "values", i), "比", "上の行から計算"
            )
    if row.total is not None and row_total is not None:
        findings += C.check_typed(
            row.total, row_total, row.decimals, (*path, "total"), "比", "合計から計算"
        )
    return cells, values, row_total


def _series_line(
    block: Series, row: SeriesRow, cells: list[Content], row_total: Decimal | None
) -> list[GridCell]:
    line = [GridCell(row.label, header=True, align="left"), *(GridCell(c) for c in cells)]
    if block.total:
        total_q = (
            Quantity(
                row_total,
                row.decimals if row.kind == "ratio" else C.written_decimals(row_total),
                row.total_unit or row.unit,
            )
            if row_total is not None
            else None
        )
        shown: Content = f"{figure(total_q)}{row.total_suffix}" if row.total_suffix else total_q
        line.append(GridCell(shown, css="total"))
    return line + [GridCell(e) for e in row.extra]


def _of(row: Any, count: int) -> list[int]:
    of = row.of or []
    if len(of) != count:
        raise AssertionError("validated by check_series")  # pragma: no cover
    return of


def calendar_grid(block: Calendar) -> Grid:
    head = [GridCell(block.corner, header=True), *(GridCell(c, header=True) for c in block.columns)]
    body = []
    for row in block.rows:
        if row.header:
            body.append([GridCell(row.label, colspan=len(head), header=True, align="left")])
            continue
        body.append(
            [
                GridCell(row.label, header=True, align="left"),
                *(GridCell(row.marks.get(c, "")) for c in block.columns),
            ]
        )
    label = block.label_width
    rest = (Decimal(100) - label) / Decimal(len(block.columns))
    return Grid(
        [head],
        body,
        [label, *[rest] * len(block.columns)],
        block.caption,
        block.note,
        css="calendar",
    )
