"""The year's KPI catalogue (plans/catalog/<年度>.yaml) and a branch's basic facts
(plans/<支部>/branch.yaml).
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from kenpo_report.model.common import Integer, Model, Slug, Text, Unit


class Formula(Model):
    """〔計算式〕の分子・分母の説明。"""

    numerator: Text = Field(description="分子の説明（例: 40歳以上の受診者数（被保険者））")
    denominator: Text = Field(description="分母の説明（例: 40歳以上の被保険者数）")


class Category(Model):
    name: Text = Field(description="区分名（例: 基盤的保険者機能関係）")
    short: Text | None = Field(None, description="KPI一覧の区分欄に表示する名前（改行は\\nで）")


class KpiDefinition(Model):
    """全支部共通のKPIの定義。"""

    name: Text = Field(description="KPIの名称（例: 生活習慣病予防健診受診率）")
    unit: Unit = Field(description="単位（％ 円 事業所 社 人 件 回 枚）")
    decimals: Integer = Field(description="表示する小数点以下の桁数（四捨五入）", ge=0, le=4)
    direction: Literal["at_least", "at_most"] = Field(
        description="達成の向き: at_least（以上で達成）/ at_most（以下で達成）"
    )
    category: Slug = Field(description="区分（categories のキー）")
    formula: Formula | None = Field(None, description="計算式（率を件数から計算するKPI）")
    count_unit: Text | None = Field(None, description="分子・分母の件数の単位（例: 人）")
    note: Text | None = Field(None, description="補足")
    complement_of: Slug | None = Field(
        None,
        description=(
            "前年度のKPIカタログのKPIのIDで、100％からその値を引くとこのKPIの値になるもの"
            "（例: 窓口での受付率 = 100％ − 郵送化率）。名称が変わったKPIの前年度実績を、"
            "kenpo-report new が前年度の実績から計算します"
        ),
    )

    @model_validator(mode="after")
    def _complement_is_a_rate(self) -> KpiDefinition:
        if self.complement_of is not None and self.unit != "％":
            raise ValueError("complement_of は単位が ％ のKPIにだけ書けます")
        return self


class Catalog(Model):
    """年度ごとのKPIカタログ（plans/catalog/<年度>.yaml）。"""

    categories: dict[Slug, Category] = Field(description="KPIの区分")
    kpis: dict[Slug, KpiDefinition] = Field(description="KPIの定義（キーはKPIのID）")

    @model_validator(mode="after")
    def _categories_exist(self) -> Catalog:
        for kpi_id, kpi in self.kpis.items():
            if kpi.category not in self.categories:
                raise ValueError(
                    f"KPI「{kpi_id}」の区分「{kpi.category}」が categories にありません"
                )
        return self


class Branch(Model):
    """支部の基本情報（plans/<支部>/branch.yaml）。"""

    # Length caps: these also become DOCX/PDF document properties (255 characters at most).
    name: Text = Field(description="支部名（例: 岩手支部）", max_length=60)
    short_name: Text = Field(
        description="支部の短い名前（例: 岩手）。表の見出しなどに使います", max_length=40
    )
    organization: Text = Field(
        "全国健康保険協会", description="組織名（PDFの作成者欄）", max_length=80
    )
