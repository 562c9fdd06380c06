"""Rules of series tables the schema cannot express: each row against the others."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from kenpo_report.model import Series
from kenpo_report.validate.parts import Path_

# How many earlier rows a computed row is computed from.
_SOURCES = {"cumulative": 1, "ratio": 2}


def check_series(blocks: Iterable[tuple[Path_, Any]]) -> list[tuple[str, Path_]]:
    """The (message, path) of every row of a series block that breaks a rule."""
    problems: list[tuple[str, Path_]] = []
    for block_path, block in blocks:
        if isinstance(block, Series):
            for r in range(len(block.rows)):
                problems += _row_problems(block, r, (*block_path, "rows", r))
    return problems


def _row_problems(block: Series, r: int, path: Path_) -> list[tuple[str, Path_]]:
    """A computed row names earlier rows to compute from; every row has a value per column."""
    row = block.rows[r]
    problems: list[tuple[str, Path_]] = []
    if row.kind != "values":
        need = _SOURCES[row.kind]
        of = row.of or []
        if len(of) != need or any(i >= r for i in of):
            problems.append(
                (
                    f"of には、この行より上の行の番号を{need}個書いてください（0から数えます）",
                    (*path, "of"),
                )
            )
        elif row.kind == "ratio" and any(block.rows[i].kind == "ratio" for i in of):
            problems.append(("比の行から比は計算できません", (*path, "of")))
    # A values row must have its values; a computed row may, and then one per column.
    if (row.values is None and row.kind == "values") or (
        row.values is not None and len(row.values) != len(block.columns)
    ):
        problems.append(
            (
                f"values には列の数（{len(block.columns)}個）の値を書いてください",
                (*path, "values"),
            )
        )
    return problems
