"""Compute stage, KPIs: each KPI entry's figures, achievement and wording.

Rates from counts, 対前年度 targets from the prior year, differences from the
national figure, 達成 decided on the published figures; the entry's own wording
(statement, labels) with its references resolved. No I/O, no formatting.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any, get_args

from kenpo_report.compute import figures as C
from kenpo_report.compute.figures import Finding, Quantity
from kenpo_report.compute.prose import (
    TextFindings,
    resolve_text,
)
from kenpo_report.layout.formatting import direction_word, figure
from kenpo_report.model import (
    PRIOR_YEAR,
    KpiDefinition,
    KpiEntry,
    KpiField,
    Ratio,
)
from kenpo_report.validate import Plan

Content = Quantity | str | None


@dataclass(frozen=True)
class KpiResult:
    entry: KpiEntry
    definition: KpiDefinition
    category: str
    name: str  # as the document names it: the entry's name, or the catalogue's
    statement: str
    target: Quantity | None  # None: a plan's 対前年度 target before last year is known
    target_text: str
    prior_text: str
    result_text: str | None  # the branch's own wording of the result, if it has one
    notes: list[str]
    actual: Quantity | None
    achieved: bool | None
    prior: Quantity | None
    national: Quantity | None
    national_prior: Quantity | None
    diff: Quantity | None
    prior_diff: Quantity | None
    counts: dict[str, Quantity]
    anchor: str | None
    next: KpiResult | None = None  # the same KPI in the following year's plan
    draft: KpiResult | None = None  # the same KPI in the document's draft (draft:)

    @property
    def list_name(self) -> str:
        """What the KPI一覧's KPI column prints: the name, or the statement where the
        document's list words its KPI as a sentence (list_statement)."""
        return self.statement if self.entry.list_statement else self.name

    @property
    def achieved_word(self) -> str | None:
        """達成 or 未達成; None while the KPI is not judged (no actual, no target)."""
        return None if self.achieved is None else ACHIEVED_WORDS[self.achieved]

    @property
    def achieved_mark(self) -> str | None:
        """〇 or × as a character."""
        return None if self.achieved is None else ("〇" if self.achieved else "×")

    @property
    def mark(self) -> str | None:
        """The name of the drawn mark (:mod:`kenpo_report.layout.marks`): achieved or missed."""
        return None if self.achieved is None else ("achieved" if self.achieved else "missed")

    @property
    def rank_text(self) -> str | None:
        return f"{self.entry.rank}位" if self.entry.rank else None

    @property
    def target_before(self) -> str | None:
        """The target before its change, as printed: the draft's, else the typed one."""
        if self.draft is not None:
            return self.draft.target_text
        return self.entry.target_before

    @property
    def changed(self) -> bool:
        """The target was changed during the year: target_before says what it was."""
        before = self.target_before
        return bool(before) and before != self.target_text

    @property
    def change_word(self) -> str:
        return "（変更有）" if self.changed else "（変更無）"


ACHIEVED_WORDS = {True: "達成", False: "未達成"}


# --- KPIs -------------------------------------------------------------------


def kpi_value(
    fig: Decimal | Ratio | None, definition: KpiDefinition, path: C.Path_, findings: list[Finding]
) -> Quantity | None:
    """A KPI figure: typed, or computed from numerator/denominator."""
    if fig is None:
        return None
    if isinstance(fig, Ratio):
        value = C.rate(fig.numerator, fig.denominator, definition.decimals, definition.unit == "％")
        how = f"{fig.numerator:,}÷{fig.denominator:,}"
        findings += C.check_typed(
            fig.typed, value, definition.decimals, (*path, "typed"), "率", how
        )
    else:  # a typed figure keeps its written precision (0.10 stays 0.10)
        return Quantity(fig, C.written_decimals(fig), definition.unit)
    return Quantity(value, definition.decimals, definition.unit)


def _as_written(definition: KpiDefinition, entry: KpiEntry) -> KpiDefinition:
    """The catalogue's definition with the document's own unit, decimals and category."""
    overrides = {
        name: getattr(entry, name)
        for name in ("unit", "decimals", "category")
        if getattr(entry, name) is not None
    }
    return definition.model_copy(update=overrides) if overrides else definition


def previous_actuals(plan: Plan) -> dict[str, Decimal | Ratio]:
    if plan.previous is None:
        return {}
    return {e.kpi: e.actual for e in plan.previous.kpis if e.actual is not None}


def kpi_result(
    plan: Plan,
    entry: KpiEntry,
    index: int,
    anchors: dict[str | None, str],
    previous: dict[str, Decimal | Ratio],
    findings: list[Finding],
    following: dict[str, KpiResult] | None = None,
    text: TextFindings | None = None,
) -> KpiResult:
    definition = _as_written(plan.catalog.kpis[entry.kpi], entry)
    path: C.Path_ = ("kpis", index)
    figures = _figures(entry, definition, path, previous, findings)
    actual, prior = figures["actual"], figures["prior"]
    word = direction_word(definition.direction)
    target, phrase = _target(entry, definition, figures["basis"] or prior, word)
    achieved = (
        C.achieved(actual.value, target.value, definition.direction) if actual and target else None
    )
    diff = _diff(actual, figures["national"])
    name = entry.name or definition.name
    own = {
        "name": name,
        "target": target,
        "prior": prior,
        "basis": figures["basis"] or prior,
        "actual": actual,
        "national": figures["national"],
        "national_prior": figures["national_prior"],
        "direction": word,
        "achieved": None if achieved is None else ACHIEVED_WORDS[achieved],
        "rank": f"{entry.rank}位" if entry.rank else None,
        "prior_rank": f"{entry.prior_rank}位" if entry.prior_rank else None,
        "diff": diff,
    }
    written = _Wording(entry, path, own, text if text is not None else TextFindings())
    target_text = written("target_label", f"{figure(target)}{word}" if target else phrase)
    return KpiResult(
        entry=entry,
        definition=definition,
        category=definition.category,
        name=name,
        statement=written("statement", f"{name}を{phrase}とする"),
        target=target,
        target_text=target_text,
        prior_text=written("prior_label", figure(prior, "－")),
        result_text=written("result_label", "") or None,
        notes=written.notes(),
        actual=actual,
        achieved=achieved,
        prior=prior,
        national=figures["national"],
        national_prior=figures["national_prior"],
        diff=diff,
        prior_diff=_diff(prior, figures["national_prior"]),
        counts=_counts(entry, definition),
        anchor=anchors.get(entry.page) if entry.page else anchors.get(f"kpi:{entry.kpi}"),
        next=(following or {}).get(entry.successor or entry.kpi),
    )


def _figures(
    entry: KpiEntry,
    definition: KpiDefinition,
    path: C.Path_,
    previous: dict[str, Decimal | Ratio],
    findings: list[Finding],
) -> dict[str, Quantity | None]:
    """The entry's figures; the prior year's file's actual wins over a retyped prior."""
    figures = {
        name: kpi_value(getattr(entry, name), definition, (*path, name), findings)
        for name in ("actual", "prior", "basis", "national", "national_prior")
    }
    prior = figures["prior"]
    if entry.kpi in previous:
        last_year = kpi_value(previous[entry.kpi], definition, (*path, "prior"), [])
        if last_year is not None and prior is not None and last_year.value != prior.value:
            findings.append(
                Finding(
                    f"前年度実績 {figure(prior)} が前年度のファイルの実績 {figure(last_year)} と一致しません。"
                    "前年度のファイルの実績を使います",
                    (*path, "prior"),
                )
            )
        figures["prior"] = last_year or prior
    return figures


def _target(
    entry: KpiEntry, definition: KpiDefinition, basis: Quantity | None, word: str
) -> tuple[Quantity | None, str]:
    """The target figure and the phrase a generated sentence says it with."""
    if entry.target is None:  # written empty: still to fill in (記入待ち), shown as －
        return None, "－"
    if entry.target == PRIOR_YEAR:
        # Without a prior only in a plan with no actual (validated): the words stand alone.
        return basis, f"対前年度{word}"
    target = Quantity(entry.target, C.written_decimals(entry.target), definition.unit)
    return target, f"{figure(target)}{word}"


def _counts(entry: KpiEntry, definition: KpiDefinition) -> dict[str, Quantity]:
    """The numerators and denominators of the figures given as ratios."""
    counts: dict[str, Quantity] = {}
    unit = definition.count_unit or ""
    for name in ("actual", "prior", "national", "national_prior"):
        fig = getattr(entry, name)
        if isinstance(fig, Ratio):
            counts[f"{name}_numerator"] = Quantity(fig.numerator, 0, unit)
            counts[f"{name}_denominator"] = Quantity(fig.denominator, 0, unit)
    return counts


class _Wording:
    """The entry's own wording of a field, its references ({target}, {prior}…) resolved."""

    def __init__(
        self, entry: KpiEntry, path: C.Path_, own: dict[str, Any], found: TextFindings
    ) -> None:
        self.entry, self.path, self.found = entry, path, found
        self.lookup = _own_lookup(own)

    def __call__(self, name: str, default: str) -> str:
        template = getattr(self.entry, name)
        if template is None:
            return default
        return figure(resolve_text(template, (*self.path, name), self.lookup, self.found), "－")

    def notes(self) -> list[str]:
        return [
            figure(resolve_text(n, (*self.path, "notes", i), self.lookup, self.found), "－")
            for i, n in enumerate(self.entry.notes)
        ]


def _own_lookup(own: dict[str, Any]):
    """References inside a KPI's own wording: {target}, {prior}, {basis}, {name}…"""

    def lookup(name: str) -> Content:
        if name not in own:
            return None
        value = own[name]
        return "－" if value is None else value

    return lookup


def following_year(plan: Plan) -> dict[str, KpiResult]:
    """次年度KPI: the following year's KPIs, its 対前年度 targets resolved from this year."""
    nxt = plan.next
    if nxt is None:
        return {}
    previous = previous_actuals(nxt)
    return {
        entry.kpi: kpi_result(nxt, entry, i, {}, previous, [])
        for i, entry in enumerate(nxt.data.kpis)
    }


def _diff(a: Quantity | None, b: Quantity | None) -> Quantity | None:
    if a is None or b is None:
        return None
    return Quantity(C.difference(a.value, b.value, a.decimals), a.decimals, a.unit, signed=True)


# What {kpi_id.field} may cite: what a table cell shows, and the name and basis.
KPI_FIELDS = frozenset(get_args(KpiField)) | {"name", "basis"}


def kpi_field(result: KpiResult, name: str) -> Content:
    if name == "statement":
        return result.statement
    if name == "name":
        return result.name
    if name == "basis":
        return result.target if result.entry.target == PRIOR_YEAR else result.prior
    if name == "achieved":
        return result.achieved_word or "－"
    if name == "mark":
        return result.achieved_mark or "－"
    if name == "group":
        return result.entry.group or ""
    if name in ("next_target", "next_statement"):
        if result.next is None:
            return "－"
        return result.next.target_text if name == "next_target" else result.next.statement
    if name == "rank":
        return result.rank_text or "－"
    if name == "prior_rank":
        return f"{result.entry.prior_rank}位" if result.entry.prior_rank else "－"
    if name in result.counts:
        return result.counts[name]
    if name == "target":
        return result.target_text
    if name == "target_before":
        return result.target_before or result.target_text
    if name == "change":
        return result.change_word
    return getattr(result, name, None)
