"""Pure figure logic: Decimal arithmetic, ROUND_HALF_UP, no I/O, no formatting.

Every function returns a value; disagreements between a typed figure and its
computation are returned as :class:`Finding` objects, which the caller maps to
file:line positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class Quantity:
    """A published figure: already rounded to *decimals*, with its unit."""

    value: Decimal
    decimals: int
    unit: str = ""
    signed: bool = False  # print + / ▲ (differences)

    def with_unit(self, unit: str) -> Quantity:
        return Quantity(self.value, self.decimals, unit, self.signed)


@dataclass(frozen=True)
class Finding:
    """A typed figure that disagrees with its computation (a warning)."""

    message: str
    path: Path_
    token: str | None = None  # the text within the value it is about (a reference)


def round_half_up(value: Decimal, decimals: int) -> Decimal:
    return value.quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)


def written_decimals(value: Decimal) -> int:
    """Decimals as written: Decimal('0.10') -> 2, Decimal('1,234' parsed) -> 0."""
    exponent = value.as_tuple().exponent
    return max(0, -exponent) if isinstance(exponent, int) else 0


def rate(numerator: Decimal, denominator: Decimal, decimals: int, percent: bool = True) -> Decimal:
    """numerator / denominator (×100 for a percentage), rounded half up."""
    if denominator == 0:
        raise ZeroDivisionError("denominator is zero")
    value = numerator / denominator * (100 if percent else 1)
    return round_half_up(value, decimals)


def difference(a: Decimal, b: Decimal, decimals: int) -> Decimal:
    """a − b of two published figures, rounded to *decimals*."""
    return round_half_up(a - b, decimals)


def change(new: Decimal, old: Decimal, decimals: int) -> Decimal:
    """Percentage change (new − old) ÷ old × 100, rounded half up."""
    if old == 0:
        raise ZeroDivisionError("previous value is zero")
    return round_half_up((new - old) / old * 100, decimals)


def achieved(actual: Decimal, target: Decimal, direction: str) -> bool:
    """Compare the published (rounded) figures in the KPI's direction."""
    if direction == "at_least":
        return actual >= target
    if direction == "at_most":
        return actual <= target
    raise ValueError(f"unknown direction {direction!r}")


def cumulative(values: Sequence[Decimal | None]) -> list[Decimal | None]:
    out: list[Decimal | None] = []
    running = Decimal(0)
    for value in values:
        if value is None:
            out.append(None)
            continue
        running += value
        out.append(running)
    return out


def total(values: Sequence[Decimal | None]) -> Decimal:
    return sum((v for v in values if v is not None), Decimal(0))


def check_typed(
    typed: Decimal | None, computed: Decimal, decimals: int, path: Path_, what: str, how: str
) -> list[Finding]:
    """A finding when a typed figure disagrees with the computed one."""
    if typed is None or round_half_up(typed, decimals) == computed:
        return []
    return [
        Finding(
            f"記載の{what} {_plain(typed)} は計算結果 {_plain(computed)}（{how}）と一致しません。"
            f"計算結果を出力します",
            path,
        )
    ]


def _plain(value: Decimal) -> str:
    sign = "▲" if value < 0 else ""
    return f"{sign}{abs(value):,}"
