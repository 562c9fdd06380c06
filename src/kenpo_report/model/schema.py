"""Typed model of the plans: KPI catalogue, branch, branch-year.

Every model forbids unknown keys. Scalars arrive from the loader as strings;
the types below convert them, keeping the written precision of figures
(``0.10`` stays ``Decimal('0.10')``). Field descriptions are in Japanese
because they become the planner's JSON Schema and field reference.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Tag,
    model_validator,
)

# --- scalar types -----------------------------------------------------------

# [0-9], not \d: full-width and other Unicode digits are refused, as for years and ranks.
_NUMBER = re.compile(r"^[▲-]?([0-9]{1,3}(,[0-9]{3})+|[0-9]+)(\.[0-9]+)?$")
_INTEGER = re.compile(r"[0-9]{1,6}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_SLUG = re.compile(r"[a-z][a-z0-9_-]{0,63}")
_UNIT_SUFFIX = re.compile(r"[％%円人件位]|事業所$")
# Full-width ASCII forms (０-９, Ａ-Ｚ, ．, －, ，…) and the ideographic space.
_WIDE = re.compile("[\uff01-\uff5e\u3000]")
_WIDE_DIGIT = re.compile("[０-９]")


def narrow(text: str) -> str:
    """Full-width letters, digits and signs as their half-width forms (９５．５ -> 95.5)."""
    return _WIDE.sub(lambda m: unicodedata.normalize("NFKC", m.group()), text)


def _wide_message(value: str, valid: Any) -> str | None:
    """「９５.５」: what to type instead, when half-width forms would make *value* valid."""
    if not _WIDE.search(value):
        return None
    typed = narrow(value).strip()
    if not valid(typed):
        return None
    wide = _WIDE.findall(value)
    if _WIDE_DIGIT.search(value):
        what = "数字"
    elif all(ch.isalnum() for ch in wide):
        what = "英数字"
    else:
        what = "文字"
    return f"「{value}」: 全角の{what}は使えません。半角で {typed} と書いてください"


def _to_decimal(value: Any) -> Decimal:
    if isinstance(value, Decimal):
        return value
    if not isinstance(value, str):
        raise ValueError("数値を書いてください")
    text = value.strip()
    if _UNIT_SUFFIX.search(text):
        raise ValueError(
            f"「{value}」: 単位は書かずに数値だけを書いてください（単位はKPIカタログで決まります）"
        )
    if not _NUMBER.match(text):
        raise ValueError(
            _wide_message(value, _NUMBER.match)
            or f"「{value}」は数値ではありません（例: 95.5、1,234、▲0.5）"
        )
    negative = text[0] in "▲-"
    try:
        number = Decimal(text.lstrip("▲-").replace(",", ""))
    except InvalidOperation:  # pragma: no cover - the pattern already guarantees a number
        raise ValueError(f"「{value}」は数値ではありません") from None
    return -number if negative else number


def _to_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    if not isinstance(value, str) or not _INTEGER.fullmatch(value):
        raise ValueError(
            _wide_message(str(value), _INTEGER.fullmatch)
            or f"「{value}」: 半角数字の整数を書いてください"
        )
    return int(value)


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValueError(
            _wide_message(str(value), _DATE.fullmatch)
            or f"「{value}」: 日付は 2025-07-31 の形で書いてください"
        )
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"「{value}」は存在しない日付です") from None


def _to_flag(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if value not in ("true", "false"):
        raise ValueError(f"「{value}」: true か false を書いてください")
    return value == "true"


_IMAGE_PATH = re.compile(
    r"[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*\.(png|jpe?g)", re.I
)


def _to_image_path(value: Any) -> str:
    text = _to_text(value)
    if not _IMAGE_PATH.fullmatch(text) or ".." in text.split("/"):
        raise ValueError(
            f"「{value}」: 画像は plans/<支部>/ からの相対パスで、半角英数字の .png / .jpg ファイルを書いてください"
            "（/ や .. で始まる書き方はできません。例: images/poster.png）"
        )
    return text


def _to_text(value: Any) -> str:
    if isinstance(value, dict) and value and all(v is None for v in value.values()):
        # text: {expected}人 reads as a YAML mapping: the reference needs quotes.
        raise ValueError(
            '{ で始まる文は全体を引用符（"）で囲んでください（例: text: "{expected}人"）'
        )
    if not isinstance(value, str):
        raise ValueError("文字列を書いてください")
    return value


def _to_slug(value: Any) -> str:
    text = _to_text(value)
    if not _SLUG.fullmatch(text):
        raise ValueError(
            _wide_message(text, _SLUG.fullmatch)
            or f"「{value}」: 半角英小文字で始まり、半角英小文字・数字・_・- だけで書いてください"
        )
    return text


def _to_target(value: Any) -> Any:
    return value if value == PRIOR_YEAR else _to_decimal(value)


PRIOR_YEAR = "対前年度"
Number = Annotated[Decimal, BeforeValidator(_to_decimal)]
Target = Annotated[Decimal | Literal["対前年度"], BeforeValidator(_to_target)]
Integer = Annotated[int, BeforeValidator(_to_int)]
Date = Annotated[date, BeforeValidator(_to_date)]
Flag = Annotated[bool, BeforeValidator(_to_flag)]
Text = Annotated[str, BeforeValidator(_to_text), Field(min_length=1)]
Slug = Annotated[str, BeforeValidator(_to_slug)]
Unit = Literal["％", "円", "事業所", "社", "人", "件", "回", "枚"]

# What an editor reading a plan as YAML 1.2 (VS Code's YAML extension) may see for
# each scalar type, as JSON Schema: the loader keeps every scalar the planner's text, so
# ``rank: 12`` and ``rank: "12"`` are the same to us, but an integer and a string to
# the editor. schema_export uses these for the exported schemas.
_NUMBER_TEXT = {"type": "string", "pattern": _NUMBER.pattern}
EDITOR_FORMS: dict[Any, dict[str, Any]] = {
    _to_decimal: {"anyOf": [{"type": "number"}, _NUMBER_TEXT]},
    _to_target: {"anyOf": [{"type": "number"}, _NUMBER_TEXT, {"const": PRIOR_YEAR}]},
    _to_int: {
        "anyOf": [{"type": "integer"}, {"type": "string", "pattern": f"^{_INTEGER.pattern}$"}]
    },
    _to_date: {"type": "string", "pattern": f"^{_DATE.pattern}$", "format": "date"},
    _to_flag: {"anyOf": [{"type": "boolean"}, {"enum": ["true", "false"]}]},
    # Any text: a plain 2024 or true is still the text "2024" or "true" to the loader.
    # Its {references} must be well formed (see references.py): {name}, {kpi_id.field};
    # {{ is a literal brace, as is a { that no } closes.
    _to_text: {
        "type": ["string", "number", "boolean"],
        "pattern": r"^(?:[^{]|\{\{|\{[a-z][a-z0-9_-]*(?:\.[a-z][a-z0-9_]*)?(?::[^\s{}:]{1,6})?\}"
        r"|\{(?![^{}]*\}))*$",
    },
    _to_slug: {"type": "string", "pattern": f"^{_SLUG.pattern}$"},
    # _IMAGE_PATH without re.I (JSON Schema patterns have no flags).
    _to_image_path: {
        "type": "string",
        "pattern": r"^[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_][A-Za-z0-9_.-]*)*"
        r"\.([Pp][Nn][Gg]|[Jj][Pp][Ee]?[Gg])$",
    },
}


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


# --- catalogue --------------------------------------------------------------


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


# --- branch -----------------------------------------------------------------


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


# --- figures ----------------------------------------------------------------


class Ratio(Model):
    """件数から計算する率。typed に資料の数値を書くと計算結果と照合します。"""

    numerator: Number = Field(description="分子（件数）")
    denominator: Number = Field(description="分母（件数）")
    typed: Number | None = Field(None, description="資料に記載された率（照合用）")


def _figure_kind(value: Any) -> str:
    return "ratio" if isinstance(value, dict | Ratio) else "number"


Figure = Annotated[
    Annotated[Number, Tag("number")] | Annotated[Ratio, Tag("ratio")],
    Discriminator(_figure_kind),
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
    notes: list[Text] = Field(default_factory=list, description="※の注記")
    target: Target = Field(description="目標値、または「対前年度」（前年度実績以上/以下）")
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


# --- named figures ------------------------------------------------------------

_REFERENCE = re.compile(r"\{[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_]*)?(:[^\s{}:]{1,6})?\}")


def _to_reference(value: Any) -> str:
    text = _to_text(value).strip()
    if not _REFERENCE.fullmatch(text):
        raise ValueError(f"「{value}」: 数値か、{{名前}} / {{KPIのID.項目}} の参照を書いてください")
    return text


# A figure slot that cites the data instead of a number: "{checkup_rate.actual}".
Reference = Annotated[str, BeforeValidator(_to_reference)]
EDITOR_FORMS[_to_reference] = {"type": "string", "pattern": f"^{_REFERENCE.pattern}$"}

# An operand of a derived figure: the name of another figure, a KPI's figure
# (checkup_rate.actual) or a number.
_OPERAND = re.compile(r"[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_]*)?")


def _to_operand(value: Any) -> str | Decimal:
    text = _to_text(value).strip()
    if _OPERAND.fullmatch(text):
        return text
    try:
        return _to_decimal(text)
    except ValueError:
        raise ValueError(
            f"「{value}」: 数値の名前（例: expected）、KPIの値（例: checkup_rate.actual）、"
            "または数値を書いてください"
        ) from None


Operand = Annotated[str | Decimal, BeforeValidator(_to_operand)]
EDITOR_FORMS[_to_operand] = {
    "anyOf": [
        {"type": "number"},
        _NUMBER_TEXT,
        {"type": "string", "pattern": f"^{_OPERAND.pattern}$"},
    ]
}
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


def _named_kind(value: Any) -> str:
    return "spec" if isinstance(value, dict | NamedFigure) else "value"


def _figure_from_value(value: Any) -> Any:
    return value if isinstance(value, dict | NamedFigure) else {"value": value}


FigureName = Annotated[str, BeforeValidator(_to_slug)]
NamedFigureIn = Annotated[NamedFigure, BeforeValidator(_figure_from_value)]
# Validators that accept a shorthand besides their model: the editor sees both forms.
SHORTHAND_FORMS: dict[Any, dict[str, Any]] = {_figure_from_value: EDITOR_FORMS[_to_decimal]}


# --- blocks -----------------------------------------------------------------


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


def _cell_kind(value: Any) -> str:
    return "spec" if isinstance(value, dict | CellSpec) else "text"


Cell = Annotated[
    Annotated[str, Tag("text")] | Annotated[CellSpec, Tag("spec")],
    Discriminator(_cell_kind),
]


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
    src: Annotated[str, BeforeValidator(_to_image_path)] = Field(
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


# --- measures ---------------------------------------------------------------


class MeasureEvaluation(Model):
    """施策の自己評価（S〜D）とその説明。KPIの結果と食い違う評価は警告します。"""

    grade: Literal["S", "A", "B", "C", "D"] = Field(description="自己評価（S / A / B / C / D）")
    comments: list[Text] = Field(default_factory=list, description="評価の説明（【自己評価】）")


class KpiLine(Model):
    """施策の目標で、KPI一覧のKPIではないもの（事業計画の「■KPI」の行に、KPIと並べて表示）。"""

    text: Text = Field(
        description="目標の文（例: サービススタンダードの平均所要日数 7日以内を維持する。）"
    )


def _kpi_ref_kind(value: Any) -> str:
    return "line" if isinstance(value, dict | KpiLine) else "id"


MeasureKpi = Annotated[
    Annotated[Slug, Tag("id")] | Annotated[KpiLine, Tag("line")],
    Discriminator(_kpi_ref_kind),
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


Column.model_rebuild()
Columns.model_rebuild()
Page.model_rebuild()
Measure.model_rebuild()
Section.model_rebuild()
Cover.model_rebuild()
