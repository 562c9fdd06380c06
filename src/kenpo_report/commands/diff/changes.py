"""What changed between two computed versions of a branch-year: KPIs and named figures.

Both versions are computed as a build computes them (targets with 対前年度 resolved,
rates from counts, generated sentences), and compared as they print: a KPI's target,
actual and sentence, and whether it is 達成; a named figure's value. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from kenpo_report.compute.kpis import KpiResult, following_year, kpi_result, previous_actuals
from kenpo_report.compute.measures import named_figures
from kenpo_report.compute.prose import TextFindings
from kenpo_report.layout.formatting import figure
from kenpo_report.validate import Plan

KPI = "kpi"
FIGURE = "figure"
# The compared fields of a KPI, as the output names them.
KPI_FIELDS = {"target": "目標", "actual": "実績", "statement": "文言"}
FIGURE_FIELDS = {"value": "値"}
NOT_THERE = "（なし）"
NOT_JUDGED = "－"


@dataclass(frozen=True)
class FieldChange:
    name: str  # target, actual, statement, value
    old: str | None  # None: the item is not in the old version
    new: str | None  # None: the item is not in the new version

    @property
    def label(self) -> str:
        return {**KPI_FIELDS, **FIGURE_FIELDS}[self.name]


@dataclass(frozen=True)
class ItemChange:
    """A KPI or a named figure of which something printed changed."""

    kind: str  # KPI or FIGURE
    key: str  # the KPI's id, the figure's name
    title: str  # as the output names it: 項番 and name, or the figure's name and label
    fields: list[FieldChange] = field(default_factory=list)
    achieved_old: str | None = None  # 達成 / 未達成; None: not judged (or no KPI)
    achieved_new: str | None = None

    @property
    def achieved_changed(self) -> bool:
        return self.achieved_old != self.achieved_new


@dataclass(frozen=True)
class _Printed:
    """One version of an item: its title, its fields as printed, its 達成."""

    title: str
    fields: dict[str, str]
    achieved: str | None = None


def changes(old: Plan | None, new: Plan) -> list[ItemChange]:
    """The KPIs, then the named figures, that differ; *old* None: all of *new* is new."""
    found: list[ItemChange] = []
    for kind, versions in ((KPI, _kpis), (FIGURE, _figures)):
        before = versions(old) if old is not None else {}
        after = versions(new)
        for key in [*after, *(k for k in before if k not in after)]:
            change = _compare(kind, key, before.get(key), after.get(key))
            if change is not None:
                found.append(change)
    return found


def _compare(kind: str, key: str, old: _Printed | None, new: _Printed | None) -> ItemChange | None:
    shown = new or old
    assert shown is not None
    names = KPI_FIELDS if kind == KPI else FIGURE_FIELDS
    fields = [
        FieldChange(name, old.fields[name] if old else None, new.fields[name] if new else None)
        for name in names
        if old is None or new is None or old.fields[name] != new.fields[name]
    ]
    achieved_old = old.achieved if old else None
    achieved_new = new.achieved if new else None
    if not fields and achieved_old == achieved_new:
        return None
    return ItemChange(kind, key, shown.title, fields, achieved_old, achieved_new)


def computed_kpis(plan: Plan) -> list[KpiResult]:
    """The branch-year's KPIs as a build computes them (no document: no draft applied)."""
    previous = previous_actuals(plan)
    following = following_year(plan)
    return [
        kpi_result(plan, entry, i, {}, previous, [], following)
        for i, entry in enumerate(plan.data.kpis)
    ]


def _kpis(plan: Plan) -> dict[str, _Printed]:
    return {
        k.entry.kpi: _Printed(
            f"{k.entry.number} {k.name}",
            {
                "target": k.target_text,
                "actual": figure(k.actual, NOT_JUDGED),
                "statement": k.statement,
            },
            k.achieved_word,
        )
        for k in computed_kpis(plan)
    }


def _figures(plan: Plan) -> dict[str, _Printed]:
    kpis = {k.entry.kpi: k for k in computed_kpis(plan)}
    values = named_figures(plan, kpis, TextFindings())
    labels = {
        name: spec.label
        for holder in (*plan.data.measures, *plan.data.pages)
        for name, spec in holder.figures.items()
    }
    return {
        name: _Printed(
            f"{name}（{labels[name]}）" if labels.get(name) else name,
            {"value": figure(value, NOT_JUDGED)},
        )
        for name, value in values.items()
    }
