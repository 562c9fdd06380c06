"""Compute stage, text: references resolved in every text of a page, named figures.

The pages of a plan are walked as validated models; every string with a
``{…}`` reference is replaced by its figure (see :mod:`.references`). A text
that is a single reference keeps its figure as a :class:`Quantity`, so that a
table cell written ``"{expected}"`` is still a number. Figures typed into prose
that equal a figure of the data are reported with the reference to use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from pydantic import BaseModel

from kenpo_report.compute import references as R
from kenpo_report.compute.figures import Finding, Path_, Quantity
from kenpo_report.layout.formatting import figure, number
from kenpo_report.model import NamedFigure

Lookup = Callable[[str], R.Value | None]


@dataclass
class TextFindings:
    """What resolving the texts found: errors (bad references) and warnings."""

    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)

    def add(self, problems: Iterable[R.RefProblem], path: Path_) -> None:
        for p in problems:
            target = self.errors if p.error else self.warnings
            target.append(Finding(p.message, path, p.written))


def show(value: R.Value) -> str:
    return value if isinstance(value, str) else figure(value)


def resolve_text(text: str, path: Path_, lookup: Lookup, found: TextFindings) -> R.Value:
    value, problems = R.substitute(text, lookup, show, getattr(lookup, "names", ()))
    found.add(problems, path)
    return value


# Fields whose strings are not prose: identifiers and choices.
_NOT_PROSE = frozenset({"type", "kpi", "field", "id", "src", "style", "layout", "kind", "level"})


def resolve_model(obj: Any, path: Path_, lookup: Lookup, found: TextFindings) -> Any:
    """*obj* (a model, list, dict or str) with every reference in its texts resolved.

    Strings keep their type unless they are exactly one reference: a cell then
    holds the figure itself. Models are copied only where something changed.
    """
    if isinstance(obj, str):
        if not R.has_refs(obj):
            return obj
        value = resolve_text(obj, path, lookup, found)
        if is_number_slot(path):  # a chart's or a series' value: the number itself
            return value.value if isinstance(value, Quantity) else ""
        return value if is_cell(path) else show(value)
    if isinstance(obj, BaseModel):
        updates = {}
        for name, info in type(obj).model_fields.items():
            if name in _NOT_PROSE or name == "figures":
                continue
            value = getattr(obj, name)
            new = resolve_model(value, (*path, info.alias or name), lookup, found)
            if new is not value:
                updates[name] = new
        return obj.model_copy(update=updates) if updates else obj
    if isinstance(obj, list | tuple):
        items = [resolve_model(v, (*path, i), lookup, found) for i, v in enumerate(obj)]
        if all(a is b for a, b in zip(items, obj, strict=True)):
            return obj
        return type(obj)(items) if isinstance(obj, tuple) else items
    if isinstance(obj, dict):
        out = {k: resolve_model(v, (*path, k), lookup, found) for k, v in obj.items()}
        return obj if all(out[k] is obj[k] for k in obj) else out
    return obj


def is_number_slot(path: Path_) -> bool:
    return len(path) >= 2 and path[-2] == "values" and isinstance(path[-1], int)


def is_cell(path: Path_) -> bool:
    """A table cell (or its text): a reference alone there stays a figure."""
    if path and path[-1] == "text":
        path = path[:-1]
    return (
        len(path) >= 3
        and path[-3] in ("rows", "header")
        and isinstance(path[-2], int)
        and isinstance(path[-1], int)
    )


# --- named figures ---------------------------------------------------------------------


def figure_specs(
    declared: Iterable[tuple[Path_, dict[str, NamedFigure]]], found: TextFindings
) -> tuple[dict[str, R.FigureSpec], dict[str, Path_]]:
    """The named figures of a plan, by name, with the path where each is declared."""
    specs: dict[str, R.FigureSpec] = {}
    where: dict[str, Path_] = {}
    for base, figures in declared:
        for name, fig in figures.items():
            path = (*base, "figures", name)
            if name in specs:
                found.errors.append(
                    Finding(f"数値の名前「{name}」が2か所で定義されています", (*path,))
                )
                continue
            unit = (
                fig.unit
                if fig.unit is not None
                else ("％" if fig.kind in ("rate", "share", "change") else "")
            )
            specs[name] = R.FigureSpec(
                fig.kind, fig.operands, unit, fig.decimals, fig.signed, fig.typed
            )
            where[name] = path
    return specs, where


def evaluate_figures(
    specs: dict[str, R.FigureSpec],
    where: dict[str, Path_],
    external: Callable[[str], Quantity | None],
    found: TextFindings,
) -> dict[str, Quantity]:
    result = R.evaluate(specs, external)
    for name, problems in result.problems.items():
        for p in problems:
            at = (*where[name], "typed") if not p.error else where[name]
            (found.errors if p.error else found.warnings).append(Finding(p.message, at, None))
    return result.values


# --- figures typed into prose ------------------------------------------------------------

# As single_source counts figures: a decimal point, or four digits and more.
# A figure glued to a Latin letter is a label (R6.9 is a month: 令和6年9月), not a figure.
_TYPED = re.compile(
    r"(?<![\d.,A-Za-z])(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+\.\d+|\d{4,})(?![\d]|[.,]\d)"
)


def typed_figures(text: str) -> list[str]:
    """Figures typed in *text* outside references, as written (64.4, 1,889)."""
    plain = re.sub(r"\{[^{}]*\}", " ", text)
    return [m.group() for m in _TYPED.finditer(plain)]


def figure_index(figures: Iterable[tuple[str, Quantity | None]]) -> dict[str, str]:
    """Printed number (without unit) -> the reference that prints it, first one wins."""
    index: dict[str, str] = {}
    for ref, q in figures:
        if q is None:
            continue
        printed = number(abs(q.value), q.decimals)
        if "." in printed or sum(c.isdigit() for c in printed) >= 4:
            index.setdefault(printed, ref)
            index.setdefault(printed.replace(",", ""), ref)
    return index


def typed_warnings(text: str, path: Path_, index: dict[str, str]) -> list[Finding]:
    out = []
    for typed in typed_figures(text):
        ref = index.get(typed)
        if ref is not None:
            out.append(
                Finding(
                    f"「{typed}」はデータの数値と同じです。数値を書き写さずに {{{ref}}} と書いてください",
                    path,
                    typed,
                )
            )
    return out


def walk_texts(obj: Any, path: Path_) -> Iterable[tuple[Path_, str]]:
    """Every prose string of a model tree, with its path.

    An inserted document (a sample letter, a poster) is quoted as it was sent:
    its figures are its own, not copies of the branch's data.
    """
    if isinstance(obj, str):
        yield path, obj
    elif isinstance(obj, BaseModel):
        if getattr(obj, "type", None) == "insert":
            return
        for name, info in type(obj).model_fields.items():
            if name not in _NOT_PROSE and name != "figures":
                yield from walk_texts(getattr(obj, name), (*path, info.alias or name))
    elif isinstance(obj, list | tuple):
        for i, v in enumerate(obj):
            yield from walk_texts(v, (*path, i))
    elif isinstance(obj, dict):
        for k, v in obj.items():
            yield from walk_texts(v, (*path, k))


def cited(
    obj: Any, base: Path_, lookup: Lookup, index: dict[str, str], found: TextFindings
) -> tuple[Any, list[Finding]]:
    """*obj* with its references resolved, and the figures its texts retype from the data.

    The one pass every part of a report (page, measure, section, cover) goes through.
    """
    retyped = [
        w for path, value in walk_texts(obj, base) for w in typed_warnings(value, path, index)
    ]
    return resolve_model(obj, base, lookup, found), retyped
