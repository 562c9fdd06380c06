"""Measures (施策): the plan, KPIs, results, issues, next plan and self-evaluation of
one piece of work, from which every document is made; and the sections' texts.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, Tag

from kenpo_report.model.blocks import Block
from kenpo_report.model.common import FigureName, Model, Slug, Text, scalar_or
from kenpo_report.model.named_figures import NamedFigureIn


class MeasureEvaluation(Model):
    """施策の自己評価（S〜D）とその説明。KPIの結果と食い違う評価は警告します。"""

    grade: Literal["S", "A", "B", "C", "D"] = Field(description="自己評価（S / A / B / C / D）")
    comments: list[Text] = Field(default_factory=list, description="評価の説明（【自己評価】）")


class KpiLine(Model):
    """施策の目標で、KPI一覧のKPIではないもの（事業計画の「■KPI」の行に、KPIと並べて表示）。"""

    text: Text = Field(
        description="目標の文（例: サービススタンダードの平均所要日数 7日以内を維持する。）"
    )


MeasureKpi = Annotated[
    Annotated[Slug, Tag("id")] | Annotated[KpiLine, Tag("line")],
    scalar_or(KpiLine, "line", "id"),
]


class Measure(Model):
    """施策: 事業計画、KPI、実施状況、課題、次年度の計画、自己評価をまとめたもの。

    文書（実施状況・自己評価・事業計画）は、どれも施策から様式に合わせて作ります。"""

    id: Slug = Field(description="施策のID（KPI一覧のページ数の参照先。例: checkups）")
    section: Slug = Field(
        description="区分（KPIカタログの categories のキー。例: basic / strategic / organization）"
    )
    number: Text | None = Field(None, description="見出しの番号（例: ⑴、（1）、①）")
    heading: Text | None = Field(
        None,
        description="施策をまとめる上位の見出し（例: (Ⅱ)業務改革の実践と業務品質の向上）。"
        "続く施策が同じ見出しなら1回だけ表示します",
    )
    title: Text = Field(
        description="施策の見出し（例: 特定健診受診率・事業者健診データ取得率の向上）"
    )
    group: Text | None = Field(None, description="担当グループ（例: 保健）")
    kpis: list[MeasureKpi] = Field(
        default_factory=list,
        description="この施策で報告するKPIのID（表示順）。KPI一覧にない目標は {text: …} で書きます",
    )
    plan: list[Text] = Field(default_factory=list, description="事業計画（この年度の計画の項目）")
    statements: list[Text] = Field(
        default_factory=list,
        description="施策のページでのKPIの文言を、KPI一覧の文言と違う書き方にするとき（上から順に）。"
        "目標などは {checkup_rate.target} や数値の名前で参照します。省略するとKPI一覧の文言",
    )
    importance: Text | None = Field(None, description="【重要度】の説明")
    difficulty: Text | None = Field(None, description="【困難度】の説明")
    activities: list[Text] = Field(default_factory=list, description="具体的な取り組み")
    figures: dict[FigureName, NamedFigureIn] = Field(
        default_factory=dict,
        description="本文から {名前} で参照する数値（名前は支部・年度の中で1つだけ）",
    )
    prior_results: list[Block] = Field(
        default_factory=list,
        description="前年度実績（KPI以外に書くこと。KPIの値は {kpi.prior} で参照）",
    )
    results: list[Block] = Field(
        default_factory=list, description="実施状況・主な取組み・実施結果（本文、表、グラフなど）"
    )
    issues: list[Block] = Field(default_factory=list, description="課題")
    next_plan: list[Block] = Field(default_factory=list, description="次年度の計画")
    evaluation: MeasureEvaluation | None = Field(None, description="自己評価")

    @property
    def kpi_ids(self) -> list[str]:
        """The ids of the KPIs it reports (the other goals aside)."""
        return [k for k in self.kpis if isinstance(k, str)]


class Section(Model):
    """区分ごとの文（区切りのページに載せる説明など）。"""

    title: Text | None = Field(
        None, description="区分の見出しをカタログの名前と変えるとき（例: 基盤的保険者機能関係）"
    )
    intro: list[Block] = Field(default_factory=list, description="区分の最初に載せる内容")
