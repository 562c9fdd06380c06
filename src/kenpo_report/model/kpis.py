"""A branch-year's KPI list: one entry per KPI, with its target and figures."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, Tag

from kenpo_report.model.common import (
    Flag,
    Integer,
    Model,
    Number,
    Slug,
    Target,
    Text,
    Unit,
    scalar_or,
)


class Ratio(Model):
    """件数から計算する率。typed に資料の数値を書くと計算結果と照合します。"""

    numerator: Number = Field(description="分子（件数）")
    denominator: Number = Field(description="分母（件数）")
    typed: Number | None = Field(None, description="資料に記載された率（照合用）")


Figure = Annotated[
    Annotated[Number, Tag("number")] | Annotated[Ratio, Tag("ratio")],
    scalar_or(Ratio, "ratio", "number"),
]


class KpiEntry(Model):
    """支部・年度のKPI一覧の1行。"""

    kpi: Slug = Field(description="KPIカタログのID")
    number: Text = Field(description="項番（例: ⑤）")
    result_number: Text | None = Field(
        None,
        description="実績の行（自己評価の【KPI達成状況】）の項番が number と違うとき（例: （１））",
    )
    group: Text | None = Field(None, description="担当グループ（例: 業務、企画\n総務）")
    successor: Slug | None = Field(
        None, description="次年度のKPIカタログでのID（名称や向きが変わったKPI。省略すると同じID）"
    )
    item: Text = Field(
        description="KPI一覧の「項目」欄（例: 特定健診受診率・事業者健診データ取得率の向上）"
    )
    page: Slug | None = Field(
        None,
        description="このKPIを報告するページのID（施策の kpis に書いたKPIは省略できます。ページ数は自動計算）",
    )
    name: Text | None = Field(
        None,
        description="この支部の資料でのKPIの名称（KPI一覧の名称や文言に使います。省略するとカタログの名称）",
    )
    label: Text | None = Field(
        None, description="KPIの短い呼び方（KPIの枠の行見出しなど。例: 受診率）"
    )
    statement: Text | None = Field(
        None,
        description="KPIの文言を支部の書き方にするとき。目標などは {target} {prior} {basis} {name} で参照します"
        "（例: {name}を対前年度（{prior}）以上とする。）。省略するとカタログの名称と目標から「…を64.4％以上とする」を作ります",
    )
    list_statement: Flag = Field(
        False,
        description="KPI一覧のKPI欄に名称ではなくKPIの文言（statement）を載せる資料のとき true"
        "（例: 「健康保険委員の委嘱事業所数を前年度以上とする」と書くKPI一覧）",
    )
    notes: list[Text] = Field(default_factory=list, description="※の注記")
    # Required but may be written empty (target:), as `new` writes a first year's KPIs:
    # the place is then still to fill in (記入待ち), and the documents show －.
    target: Target | None = Field(
        description="目標値、または「対前年度」（前年度実績以上/以下）",
        examples=["64.4", "対前年度"],
    )
    target_label: Text | None = Field(
        None,
        description="目標欄の表示を変えるとき。目標は {target} で参照します（例: {target}以上）",
    )
    target_before: Text | None = Field(
        None,
        description="年度の途中でKPIが変わったときの変更前の目標（表示のとおり。例: 15.0％以下）。"
        "省略すると変更なし（KPI一覧の「変更有無」は（変更無））",
    )
    prior_label: Text | None = Field(
        None,
        description="前年度実績欄の表示を変えるとき。{prior} {basis} で参照します（例: {prior}\n※協会{basis}）",
    )
    result_label: Text | None = Field(
        None,
        description="実績の書き方を支部の資料に合わせるとき（自己評価の【KPI達成状況】など）。"
        "{actual} {achieved} {rank} {national} などで参照します（例: {actual}（全国{rank}／全国平均{national}））",
    )
    basis: Figure | None = Field(
        None,
        description="「対前年度」の目標の基になる数値が、表示する前年度実績と違うとき（例: 査定率の協会分）",
    )
    actual: Figure | None = Field(None, description="実績（数値、または numerator/denominator）")
    prior: Figure | None = Field(None, description="前年度実績")
    national: Figure | None = Field(None, description="全国の実績")
    national_prior: Figure | None = Field(None, description="全国の前年度実績")
    rank: Integer | None = Field(None, description="全国順位", ge=1, le=47)
    prior_rank: Integer | None = Field(None, description="前年度の全国順位", ge=1, le=47)
    unit: Unit | None = Field(
        None, description="この資料での単位の呼び方を変えるとき（例: 事業所を「社」と書く支部）"
    )
    decimals: Integer | None = Field(
        None,
        description="この資料での小数点以下の桁数を変えるとき（カタログの桁数より優先）",
        ge=0,
        le=4,
    )
    category: Slug | None = Field(
        None,
        description="この資料のKPI一覧で載せる区分を変えるとき（カタログの categories のキー）",
    )
