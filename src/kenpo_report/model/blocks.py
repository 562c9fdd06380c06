"""The blocks a page, a measure's parts or a column is made of, chosen by ``type:``.

The order of the classes is the order of the field reference's block table.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Annotated, Literal

from pydantic import Field, model_validator

from kenpo_report.model.cells import Cell
from kenpo_report.model.common import (
    Flag,
    ImagePath,
    Integer,
    Model,
    Number,
    Reference,
    Slug,
    Text,
)


class Heading(Model):
    type: Literal["heading"]
    text: Text = Field(description="見出しの文字")
    level: Literal["2", "3"] = Field("3", description="見出しの階層（2 または 3）")


class Paragraph(Model):
    type: Literal["paragraph"]
    text: Text = Field(description="本文（改行はそのまま反映されます）")
    style: Literal["normal", "note", "emph", "badge", "right"] = Field(
        "normal", description="文字の体裁"
    )


class Bullets(Model):
    type: Literal["bullets"]
    title: Text | None = Field(None, description="箇条書きの前の見出し")
    items: list[Text] = Field(description="箇条書きの各項目", min_length=1)
    bullet: str = Field("・", description="行頭の記号（・ • ● ➣ など。空にもできます）")


class Box(Model):
    """「事業計画」のような見出し付きの枠。"""

    type: Literal["box"]
    title: Text = Field(description="枠の見出し（例: 事業計画）")
    items: list[Text] = Field(default_factory=list, description="箇条書き")
    text: Text | None = Field(None, description="箇条書きのあとの本文")
    bullet: str = Field("・", description="行頭の記号")


class KpiBoxRow(Model):
    kpi: Slug = Field(description="KPIのID")
    label: Text = Field(description="行の見出し（例: 受診率）")


class KpiBox(Model):
    """KPIの文言と目標・実績の小さな表。"""

    type: Literal["kpi_box"]
    title: Text = Field("KPI", description="枠の見出し")
    statements: list[Text] | None = Field(None, description="KPIの文言（省略するとKPI一覧の文言）")
    rows: list[KpiBoxRow] = Field(description="目標・実績を表示するKPI", min_length=1)
    columns: tuple[Text, Text] | None = Field(
        None, description="目標・実績の列見出し（省略すると「令和6年度 目標」「令和6年度 実績」）"
    )
    note: Text | None = Field(None, description="表の下の注記")


class FormulaBlock(Model):
    type: Literal["formula"]
    title: Text = Field("〔計算式〕", description="見出し")
    kpi: Slug | None = Field(None, description="カタログの計算式を使うKPIのID")
    numerator: Text | None = Field(None, description="分子（カタログと違う書き方をするとき）")
    denominator: Text | None = Field(None, description="分母（カタログと違う書き方をするとき）")

    @model_validator(mode="after")
    def _has_source(self) -> FormulaBlock:
        if self.kpi is None and (self.numerator is None or self.denominator is None):
            raise ValueError("kpi か、numerator と denominator の両方を書いてください")
        return self


class ComparisonColumns(Model):
    denominator: Text = Field(description="分母の列見出し（例: 対象者数）")
    numerator: Text = Field(description="分子の列見出し（例: 受診者数）")
    rate: Text = Field(description="率の列見出し（例: 受診率）")
    diff: Text | None = Field(None, description="差の列見出し（例: 受診率の差（岩手ー全国））")


class Comparison(Model):
    """支部と全国の件数・率・差の表（率と差は計算）。"""

    type: Literal["comparison"]
    kpi: Slug = Field(description="KPIのID")
    basis: Literal["current", "prior"] = Field(
        "current", description="current（当年度）/ prior（前年度）"
    )
    title: Text = Field(description="表の左上の見出し（例: 令和6年度）")
    columns: ComparisonColumns = Field(description="列見出し")
    rank_label: Text = Field("全国順位", description="順位の行の見出し")
    caption: Text | None = Field(None, description="表の上の見出し")
    note: Text | None = Field(None, description="表の下の注記")


class SeriesRow(Model):
    label: Text = Field(description="行の見出し")
    values: list[Number | Literal["", "―", "－", "-"] | Reference] | None = Field(
        None, description="各列の数値"
    )
    kind: Literal["values", "cumulative", "ratio"] = Field(
        "values", description="values（数値）/ cumulative（of 行の累計）/ ratio（of の2行の比）"
    )
    of: list[Integer] | None = Field(None, description="計算に使う行の番号（0から）")
    decimals: Integer = Field(0, ge=0, le=4, description="比の小数点以下の桁数")
    unit: str = Field("", description="各値の単位（比なら ％）")
    total: Number | None = Field(
        None, description="資料に記載された合計（照合用）。合計は計算します"
    )
    total_unit: str = Field("", description="合計の単位（例: 人）")
    total_suffix: str = Field("", description="合計のあとの注記（例: ※）")
    extra: list[Text] = Field(default_factory=list, description="合計のあとの列の値")


class Series(Model):
    """月別などの数値の表。合計・累計・比は計算します。"""

    type: Literal["series"]
    caption: Text | None = Field(None, description="表の上の見出し")
    corner: str = Field("項目", description="左上の見出し")
    columns: list[Text] = Field(description="列見出し（例: 4月 … 3月）", min_length=1)
    total: Text | None = Field("計", description="合計列の見出し（合計を出さないときは空）")
    extra_columns: list[Text] = Field(default_factory=list, description="合計のあとの列見出し")
    rows: list[SeriesRow] = Field(
        description="表の行（上から順に。0から数えた番号を of で使います）", min_length=1
    )
    note: Text | None = Field(None, description="表の下の注記")
    label_width: Number = Field(Decimal(18), description="見出し列の幅（％）")


class CalendarRow(Model):
    label: Text = Field(description="行の見出し")
    marks: dict[str, str] = Field(
        default_factory=dict, description="列見出し → 表示する印（例: ●）"
    )
    header: Flag = Field(False, description="区切りの見出し行（true / false）")


class Calendar(Model):
    """会議・研修などの月別の実施表（●）。"""

    type: Literal["calendar"]
    caption: Text | None = Field(None, description="表の上の見出し")
    corner: str = Field("項目", description="左上の見出し")
    columns: list[Text] = Field(description="列見出し（例: R6.4 … R7.3）", min_length=1)
    rows: list[CalendarRow] = Field(description="表の行（会議・研修などの名前と印）", min_length=1)
    note: Text | None = Field(None, description="表の下の注記")
    label_width: Number = Field(Decimal(28), description="見出し列の幅（％）")

    @model_validator(mode="after")
    def _marks_in_columns(self) -> Calendar:
        for row in self.rows:
            for key in row.marks:
                if key not in self.columns:
                    raise ValueError(f"「{row.label}」の印の列「{key}」が columns にありません")
        return self


class Table(Model):
    """自由な表。セルに計算式（ratio, diff, kpi）も書けます。"""

    type: Literal["table"]
    caption: Text | None = Field(None, description="表の上の見出し")
    widths: list[Number] | None = Field(None, description="各列の幅（％）")
    header: list[list[Cell]] = Field(
        default_factory=list, description="見出し行（ページをまたぐと繰り返します）"
    )
    rows: list[list[Cell]] = Field(description="本文の行", min_length=1)
    note: Text | None = Field(None, description="表の下の注記")


class Insert(Model):
    """差し込み資料（案内文・チラシ・ポスターなど）の文面。"""

    type: Literal["insert"]
    caption: Text | None = Field(None, description="資料の説明（例: 〈 ロゴマークポスター 〉）")
    lines: list[str] = Field(description="資料の文面（1行ずつ）", min_length=1)


class Image(Model):
    """画像（PNG・JPEG）。ファイルは plans/<支部>/ の中に置きます。"""

    type: Literal["image"]
    src: ImagePath = Field(
        description="画像ファイル（plans/<支部>/ からの相対パス。例: images/poster.png）"
    )
    caption: Text | None = Field(None, description="画像の説明")
    width: Number = Field(Decimal(60), description="幅（本文の幅に対する％）", ge=5, le=100)


class ChartSeries(Model):
    name: Text = Field(description="系列名（凡例に表示。例: 岩手支部）")
    values: list[Number | Literal[""] | Reference] = Field(
        description="各項目の値（値がないときは空文字。{checkup_rate.actual} のような参照も書けます）"
    )
    kind: Literal["bar", "line"] = Field("bar", description="bar（棒）/ line（折れ線）")


class Chart(Model):
    """グラフ（同梱フォントで描画。PDFではベクター、DOCXでは画像）。"""

    type: Literal["chart"]
    title: Text | None = Field(None, description="グラフの題名")
    categories: list[Text] = Field(
        description="横軸の項目（例: 令和4年度、令和5年度、令和6年度）", min_length=1
    )
    series: list[ChartSeries] = Field(description="系列", min_length=1, max_length=8)
    y_label: Text | None = Field(None, description="縦軸の見出し（例: 受診率（％））")
    decimals: Integer = Field(1, ge=0, le=3, description="値ラベルの小数点以下の桁数")
    unit: str = Field("", description="値ラベルの単位（例: %、社）")
    y_min: Number | None = Field(None, description="縦軸の最小値（省略すると0から）")
    width: Number = Field(Decimal(60), description="幅（本文の幅に対する％）", ge=10, le=100)

    @model_validator(mode="after")
    def _values_match_categories(self) -> Chart:
        for series in self.series:
            if len(series.values) != len(self.categories):
                raise ValueError(
                    f"系列「{series.name}」の値は横軸の項目の数（{len(self.categories)}個）だけ書いてください"
                )
        return self


class Evaluation(Model):
    """自己評価（S〜D）とコメント。KPIの結果と食い違う評価は警告します。"""

    type: Literal["evaluation"]
    grade: Literal["S", "A", "B", "C", "D"] = Field(description="自己評価（S / A / B / C / D）")
    kpis: list[Slug] = Field(default_factory=list, description="評価の根拠となるKPIのID")
    label: Text = Field("【自己評価】", description="見出し")
    comments: list[Text] = Field(default_factory=list, description="評価の説明")


class Column(Model):
    title: Text | None = Field(None, description="列の見出し（例: ■令和6年度の主な取組み）")
    blocks: list[Block] = Field(default_factory=list, description="列の中身（上から順に）")


class Columns(Model):
    """横に並べた列（例: 左に今年度の取組み、右に次年度の計画）。"""

    type: Literal["columns"]
    widths: list[Number] | None = Field(None, description="各列の幅（％）。省略すると等分")
    columns: list[Column] = Field(description="列（左から順に）", min_length=2, max_length=4)


Block = Annotated[
    Image
    | Chart
    | Evaluation
    | Columns
    | Heading
    | Paragraph
    | Bullets
    | Box
    | KpiBox
    | FormulaBlock
    | Comparison
    | Series
    | Calendar
    | Table
    | Insert,
    Field(discriminator="type"),
]

# Column and Columns hold blocks, so they are complete only once Block exists.
Column.model_rebuild()
Columns.model_rebuild()
