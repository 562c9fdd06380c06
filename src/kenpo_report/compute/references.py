"""References to figures inside text: ``{name}`` and ``{kpi_id.field}``.

A planner writes 「受診見込者数は{expected}」 or 「受診率を{checkup_rate.target}以上とする」
inside Japanese text without escaping: ASCII braces do not occur in the prose of
the documents. ``{{`` and ``}}`` stand for a literal brace.

This module is pure: it parses text, evaluates named figures (Decimal, half-up)
and substitutes formatted figures. Problems are returned as :class:`RefProblem`
values carrying the reference as written, so that the caller can point at its
line and column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal

from kenpo_report.compute import figures as C
from kenpo_report.compute.figures import Quantity
from kenpo_report.validate.messages import closest

# {name} or {kpi.field}; names as the slugs of the schema (a-z, digits, _ and -).
_TOKEN = re.compile(r"\{\{|\}\}|\{([^{}]*)\}")
NAME = re.compile(r"[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_]*)?")
# After a colon: decimals ({x:0}) or the unit word to print ({x:事業所}).
SPEC = re.compile(r"[0-4]|[^\s{}:0-9][^\s{}:]{0,5}")

# What a reference may print. Keys are resolved by the caller's lookup.
Value = Quantity | str


@dataclass(frozen=True)
class Ref:
    start: int  # offset of "{" in the text
    end: int
    name: str  # as written between the braces

    @property
    def written(self) -> str:
        return "{" + self.name + "}"


@dataclass(frozen=True)
class RefProblem:
    message: str
    written: str  # the reference as written, to locate it in the file
    error: bool = True


def refs_in(text: str) -> Iterator[Ref]:
    """Every ``{…}`` reference of *text* (escaped braces skipped)."""
    if "{" not in text:
        return
    for m in _TOKEN.finditer(text):
        if m.group(1) is not None:
            yield Ref(m.start(), m.end(), m.group(1).strip())


def has_refs(text: str) -> bool:
    return "{" in text or "}" in text


def substitute(
    text: str,
    lookup: Callable[[str], Value | None],
    show: Callable[[Value], str],
    names: Iterable[str] = (),
) -> tuple[str | Value, list[RefProblem]]:
    """*text* with its references replaced; a text that is one reference gives its value.

    *lookup* returns None for an unknown name. Unknown names are problems and
    print as written, so one mistake does not hide the rest of the document.
    """
    if not has_refs(text):
        return text, []
    problems: list[RefProblem] = []
    parts: list[str] = []
    values: list[Value] = []
    last = 0
    for m in _TOKEN.finditer(text):
        parts.append(text[last : m.start()])
        last = m.end()
        token = m.group(0)
        if token in ("{{", "}}"):
            parts.append(token[0])
            continue
        name, _, spec = m.group(1).strip().partition(":")
        if not NAME.fullmatch(name) or (_ and not SPEC.fullmatch(spec)):
            problems.append(RefProblem(_bad_syntax(m.group(1).strip()), token))
            parts.append(token)
            continue
        value = lookup(name)
        if value is None:
            meant = closest(name, names)
            hint = f"（「{{{meant}}}」の誤りではありませんか）" if meant else ""
            problems.append(RefProblem(f"参照「{token}」の名前がありません{hint}", token))
            parts.append(token)
            continue
        if spec:
            if not isinstance(value, Quantity):
                problems.append(
                    RefProblem(f"参照「{token}」: 「:{spec}」は数値にだけ付けられます", token)
                )
            else:
                value = formatted(value, spec)
        values.append(value)
        parts.append(show(value))
    parts.append(text[last:])
    if len(values) == 1 and not problems and "".join(parts) == show(values[0]):
        return values[0], problems
    return "".join(parts), problems


def formatted(value: Quantity, spec: str) -> Quantity:
    """{x:0} rounds to 0 decimals (half-up); {x:社} prints another unit word."""
    if spec.isdigit():
        places = int(spec)
        return Quantity(C.round_half_up(value.value, places), places, value.unit, value.signed)
    return value.with_unit(spec)


def _bad_syntax(name: str) -> str:
    return (
        f"参照「{{{name}}}」の書き方が違います。{{名前}} か {{KPIのID.項目}} の形で、"
        "半角英小文字・数字・_ で書いてください（例: {expected}、{checkup_rate.target}、"
        "桁数や単位を変えるときは {checkup_rate.target:0}、{offices.target:事業所}）。"
        "文字の { } を書くときは {{ }} と2つ重ねます"
    )


# --- named figures ---------------------------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """A named figure as the plan declares it (the schema's NamedFigure, reduced)."""

    kind: str  # value | sum | rate | share | diff | change
    operands: tuple[str | Decimal, ...]  # names, KPI refs or numbers
    unit: str
    decimals: int | None
    signed: bool
    typed: Decimal | None = None


@dataclass(frozen=True)
class FigureResult:
    values: dict[str, Quantity]
    problems: dict[str, list[RefProblem]]  # figure name -> its problems


_HOW = {"sum": "各項目の和", "rate": "率", "share": "割合", "diff": "差", "change": "増減率"}


def evaluate(
    specs: Mapping[str, FigureSpec], external: Callable[[str], Quantity | None]
) -> FigureResult:
    """Every named figure's value; derived ones computed from their operands.

    *external* resolves operands that are not named figures (``kpi.actual``).
    A figure defined through itself is a problem naming the cycle; so is a rate
    whose denominator is zero.
    """
    values: dict[str, Quantity] = {}
    problems: dict[str, list[RefProblem]] = {}
    state: dict[str, str] = {}  # name -> "busy" | "done"

    def visit(name: str, chain: tuple[str, ...]) -> Quantity | None:
        if state.get(name) == "done":
            return values.get(name)
        if state.get(name) == "busy":
            cycle = " → ".join(chain[chain.index(name) :])  # chain ends with name again
            problems.setdefault(chain[0], []).append(
                RefProblem(f"数値「{chain[0]}」が自分自身から計算されています（{cycle}）", chain[0])
            )
            return None
        state[name] = "busy"
        spec = specs[name]
        operands: list[Quantity] = []
        ok = True
        for op in spec.operands:
            if isinstance(op, Decimal):
                operands.append(Quantity(op, C.written_decimals(op)))
                continue
            q = visit(op, (*chain, op)) if op in specs else external(op)
            if q is None:
                ok = False
                if op not in specs:
                    meant = closest(op, [n for n in specs if n != name])
                    hint = f"（「{meant}」の誤りではありませんか）" if meant else ""
                    problems.setdefault(name, []).append(
                        RefProblem(f"数値「{name}」の計算に使う「{op}」がありません{hint}", name)
                    )
                continue
            operands.append(q)
        state[name] = "done"
        if ok:
            result = _compute(name, spec, operands, problems)
            if result is not None:
                values[name] = result
        return values.get(name)

    for name in specs:
        visit(name, (name,))
    return FigureResult(values, problems)


def _compute(
    name: str, spec: FigureSpec, ops: list[Quantity], problems: dict[str, list[RefProblem]]
) -> Quantity | None:
    nums = [q.value for q in ops]
    if spec.kind == "value":
        places = spec.decimals if spec.decimals is not None else C.written_decimals(nums[0])
        return Quantity(C.round_half_up(nums[0], places), places, spec.unit, spec.signed)
    if spec.kind in ("rate", "share", "change") and nums[1] == 0:
        problems.setdefault(name, []).append(
            RefProblem(f"数値「{name}」の分母（{spec.operands[1]}）が 0 です", name)
        )
        return None
    if spec.kind == "sum":
        places = spec.decimals if spec.decimals is not None else max(q.decimals for q in ops)
        value = C.round_half_up(C.total(nums), places)
    elif spec.kind == "diff":
        places = spec.decimals if spec.decimals is not None else max(q.decimals for q in ops)
        value = C.difference(nums[0], nums[1], places)
    elif spec.kind == "change":
        places = spec.decimals if spec.decimals is not None else 1
        value = C.change(nums[0], nums[1], places)
    else:  # rate, share: a percentage unless the unit says otherwise
        places = spec.decimals if spec.decimals is not None else 1
        value = C.rate(nums[0], nums[1], places, spec.unit in ("％", "%"))
    unit = ops[0].unit if spec.kind in ("sum", "diff") and not spec.unit else spec.unit
    for finding in C.check_typed(spec.typed, value, places, (), _HOW[spec.kind], _how(spec)):
        problems.setdefault(name, []).append(RefProblem(finding.message, name, error=False))
    return Quantity(value, places, unit, spec.signed)


def _how(spec: FigureSpec) -> str:
    names = [str(op) for op in spec.operands]
    if spec.kind == "change":
        return f"({names[0]}−{names[1]})÷{names[1]}"
    joiner = {"sum": "＋", "diff": "−", "rate": "÷", "share": "÷"}[spec.kind]
    return joiner.join(names)
