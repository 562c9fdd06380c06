"""A branch-year as a whole (BranchYear): its documents, KPIs, measures, sections and
other pages.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from kenpo_report.model.blocks import Block
from kenpo_report.model.common import Date, FigureName, Model, Slug, Text
from kenpo_report.model.kpis import KpiEntry
from kenpo_report.model.measures import Measure, Section
from kenpo_report.model.named_figures import NamedFigureIn


class Page(Model):
    """報告書の1ページ（長ければ次のページに続きます）。"""

    id: Slug | None = Field(None, description="ページのID（KPI一覧のページ数の参照先）")
    layout: Literal["measure", "divider", "cover"] = Field(
        "measure", description="measure（取組み）/ divider（区切り）/ cover（表紙）"
    )
    section: Text | None = Field(None, description="区分の見出し（例: Ⅰ．基盤的保険者機能関係）")
    title: Text = Field(description="ページの見出し（例: ⑴サービス水準の向上【項番①】）")
    group: Text | None = Field(None, description="担当グループ（例: 業務）")
    figures: dict[FigureName, NamedFigureIn] = Field(
        default_factory=dict,
        description="本文から {名前} で参照する数値（名前は支部・年度の中で1つだけ）",
    )
    blocks: list[Block] = Field(default_factory=list, description="ページの中身（上から順に）")


class Cover(Model):
    """表紙。"""

    label: Text | None = Field(None, description="右上の資料番号（例: 資料２－１）")
    agenda: Text | None = Field(None, description="議題（例: 【議 題 ２】 報告事項）")
    title: Text = Field(description="表紙の題名（改行は\\nで）")
    blocks: list[Block] = Field(default_factory=list, description="表紙の本文")


KIND_NAMES = {"results": "事業実施状況", "self_evaluation": "自己評価", "plan": "事業計画"}


class DocumentSettings(Model):
    id: Slug = Field(description="出力ファイル名（例: results → results.pdf）")
    kind: Literal["results", "self_evaluation", "plan"] = Field(
        description="文書の種類: results（事業実施状況）/ self_evaluation（自己評価）/ plan（事業計画）"
    )
    style: Slug = Field(description="様式（templates/ のフォルダ名）")
    title: Text = Field(description="文書の題名（PDFの文書情報）", max_length=200)
    kpi_list_title: Text | None = Field(None, description="KPI一覧の題名")
    kpi_list_legend: list[Text] = Field(default_factory=list, description="KPI一覧の下の凡例")
    kpi_list_notes: dict[Slug, list[Text]] = Field(
        default_factory=dict, description="KPI一覧の区分ごとの表の下の注記（キーは区分のID）"
    )
    header: Text | None = Field(
        None, description="各ページの上に付ける見出し（例: 令和6年度事業実施状況について）"
    )
    date: Date = Field(description="作成日（PDFの作成日時。出力を毎回同じにするため）")
    cover: Cover | None = Field(None, description="表紙（表紙のある文書だけ）")
    draft: Text | None = Field(
        None,
        description="KPI一覧の「変更前」「変更有無」の基にする下書きの版（git のタグかコミット）。"
        "書くと、各KPIの変更前はその版の目標（表示のとおり）になり、KPIの target_before より優先します。"
        "省略すると target_before のとおり",
        examples=["fukushima-2025-draft"],
    )


class BranchYear(Model):
    """支部・年度のデータ（plans/<支部>/<年度>/*.yaml を合わせたもの）。"""

    schema_: str | None = Field(None, alias="$schema", description="エディタ用のスキーマ（任意）")
    documents: list[DocumentSettings] = Field(
        default_factory=list, description="この年度に作る文書（計画だけの年度なら省略）"
    )
    kpis: list[KpiEntry] = Field(default_factory=list, description="KPI一覧の行（表示順）")
    measures: list[Measure] = Field(default_factory=list, description="施策（表示順）")
    sections: dict[Slug, Section] = Field(
        default_factory=dict, description="区分ごとの文（キーはKPIカタログの categories のキー）"
    )
    pages: list[Page] = Field(
        default_factory=list, description="施策のほかのページ（付録など。表示順）"
    )
