"""Figures named in a measure or page and cited from its text as {name}."""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, model_validator

from kenpo_report.model.common import (
    EDITOR_FORMS,
    Flag,
    Integer,
    Model,
    Number,
    Operand,
    Text,
    _to_decimal,
)

FIGURE_KINDS = ("value", "sum", "rate", "share", "diff", "change")


class NamedFigure(Model):
    """本文から {名前} で参照する数値。value（値）か、sum / rate / share / diff / change（計算）の1つを書きます。"""

    value: Number | None = Field(None, description='値（例: "109803"）')
    sum: list[Operand] | None = Field(
        None, description="合計する数値の名前・値の並び（例: [income_a, income_b]）", min_length=1
    )
    rate: tuple[Operand, Operand] | None = Field(
        None, description="[分子, 分母] の率（単位が ％ なら×100）"
    )
    share: tuple[Operand, Operand] | None = Field(
        None, description="[部分, 全体] の割合（単位が ％ なら×100）"
    )
    diff: tuple[Operand, Operand] | None = Field(None, description="[a, b] の差 a−b（負は▲）")
    change: tuple[Operand, Operand] | None = Field(
        None, description="[今年度, 前年度] の増減率（今年度−前年度）÷前年度×100"
    )
    unit: str | None = Field(
        None, description="単位（例: 人、件、億円、％）。率・割合は省略すると ％"
    )
    decimals: Integer | None = Field(
        None, ge=0, le=4, description="小数点以下の桁数（省略すると値の桁数、率は1）"
    )
    signed: Flag = Field(False, description="正の値に + を付ける（true / false）")
    typed: Number | None = Field(None, description="資料に記載された計算結果（照合用）")
    label: Text | None = Field(None, description="この数値の説明（変更の確認などに表示）")

    @model_validator(mode="after")
    def _one_kind(self) -> NamedFigure:
        given = [k for k in FIGURE_KINDS if getattr(self, k) is not None]
        if len(given) != 1:
            raise ValueError(
                "value, sum, rate, share, diff, change のどれか1つを書いてください"
                + (f"（{', '.join(given)} が同時に書かれています）" if given else "")
            )
        if self.typed is not None and self.value is not None:
            raise ValueError("typed は計算する数値（sum, rate など）にだけ書けます")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in FIGURE_KINDS if getattr(self, k) is not None)

    @property
    def operands(self) -> tuple[str | Decimal, ...]:
        given = getattr(self, self.kind)
        return (given,) if self.kind == "value" else tuple(given)


def _figure_from_value(value: Any) -> Any:
    return value if isinstance(value, dict | NamedFigure) else {"value": value}


NamedFigureIn = Annotated[NamedFigure, BeforeValidator(_figure_from_value)]
# Validators that accept a shorthand besides their model: the editor sees both forms.
SHORTHAND_FORMS: dict[Any, dict[str, Any]] = {_figure_from_value: EDITOR_FORMS[_to_decimal]}
