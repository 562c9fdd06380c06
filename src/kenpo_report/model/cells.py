"""The cells of a free table (Table): text, or a figure computed or taken from a KPI."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Tag, model_validator

from kenpo_report.model.common import Flag, Integer, Model, Number, Slug, Text, scalar_or

# What a cell (and a {kpi_id.field} reference) can show of a KPI.
KpiField = Literal[
    "actual",
    "target",
    "statement",
    "achieved",
    "mark",
    "group",
    "next_target",
    "next_statement",
    "target_before",
    "change",
    "prior",
    "national",
    "national_prior",
    "diff",
    "prior_diff",
    "rank",
    "prior_rank",
    "actual_numerator",
    "actual_denominator",
    "prior_numerator",
    "prior_denominator",
    "national_numerator",
    "national_denominator",
    "national_prior_numerator",
    "national_prior_denominator",
]


class CellSpec(Model):
    """表のセル。text / number / kpi / ratio / diff / change のどれか1つを書きます。

    text の改行はセルの中の改行になります。prefix と suffix は計算した値の前後に付ける文字です。"""

    text: str | None = Field(None, description="文字")
    number: Number | None = Field(None, description="数値（桁区切りして表示）")
    kpi: Slug | None = Field(None, description="KPIのID（field と組で、そのKPIの値を表示）")
    field: KpiField | None = Field(None, description="kpi のどの値を表示するか")
    ratio: tuple[Number, Number] | None = Field(None, description="[分子, 分母] から率を計算")
    diff: tuple[Number, Number] | None = Field(
        None, description="[a, b] から差 a−b を計算（負は▲）"
    )
    change: tuple[Number, Number] | None = Field(
        None, description="[今年度, 前年度] から増減率（今年度−前年度）÷前年度×100 を計算（負は▲）"
    )
    signed: Flag = Field(True, description="diff / change の正の値に + を付ける（true / false）")
    decimals: Integer | None = Field(None, description="小数点以下の桁数", ge=0, le=4)
    unit: Text | None = Field(None, description="数値のあとに付ける単位")
    prefix: Text | None = Field(None, description="値の前に付ける文字（例: （）")
    suffix: Text | None = Field(None, description="単位のあとに続ける文字（例: （全国順位8位））")
    typed: Number | None = Field(None, description="資料に記載された計算結果（照合用）")
    below: CellSpec | None = Field(
        None, description="同じセルの次の行に続ける内容（例: 差の下の増減率）"
    )
    colspan: Integer = Field(1, ge=1, le=40, description="横に結合するセル数")
    rowspan: Integer = Field(1, ge=1, le=200, description="縦に結合するセル数")
    header: Flag = Field(False, description="見出しセルとして表示（true / false）")
    align: Literal["left", "center", "right"] | None = Field(None, description="文字の配置")

    @model_validator(mode="after")
    def _one_content(self) -> CellSpec:
        given = [
            name
            for name in ("text", "number", "kpi", "ratio", "diff", "change")
            if getattr(self, name) is not None
        ]
        if len(given) > 1:
            raise ValueError(
                f"セルに書ける内容は1つです（{', '.join(given)} が同時に書かれています）"
            )
        if self.kpi is not None and self.field is None:
            raise ValueError("kpi を書いたときは field も書いてください")
        return self


Cell = Annotated[
    Annotated[str, Tag("text")] | Annotated[CellSpec, Tag("spec")],
    scalar_or(CellSpec, "spec", "text"),
]
