"""Scalar types of the plans and the base model every plan model derives from.

Scalars arrive from the loader as strings; the types below convert them, keeping
the written precision of figures (``0.10`` stays ``Decimal('0.10')``), and refuse
full-width digits with a message saying what to type instead. ``EDITOR_FORMS``
says what an editor may see for each of them (see schema_export).
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Discriminator, Field

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


def _written_as(value: Any, pattern: re.Pattern[str], form: str) -> str:
    """*value* as text when it is a string of *pattern*; otherwise an error saying to
    write it in half-width forms, or else as *form* describes."""
    if not isinstance(value, str) or not pattern.fullmatch(value):
        raise ValueError(_wide_message(str(value), pattern.fullmatch) or f"「{value}」: {form}")
    return value


def _to_int(value: Any) -> int:
    if isinstance(value, int):
        return value
    return int(_written_as(value, _INTEGER, "半角数字の整数を書いてください"))


def _to_date(value: Any) -> date:
    if isinstance(value, date):
        return value
    _written_as(value, _DATE, "日付は 2025-07-31 の形で書いてください")
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
    return _written_as(
        _to_text(value),
        _SLUG,
        "半角英小文字で始まり、半角英小文字・数字・_・- だけで書いてください",
    )


def _to_target(value: Any) -> Any:
    return value if value == PRIOR_YEAR else _to_decimal(value)


_REFERENCE = re.compile(r"\{[a-z][a-z0-9_-]*(\.[a-z][a-z0-9_]*)?(:[^\s{}:]{1,6})?\}")


def _to_reference(value: Any) -> str:
    text = _to_text(value).strip()
    if not _REFERENCE.fullmatch(text):
        raise ValueError(f"「{value}」: 数値か、{{名前}} / {{KPIのID.項目}} の参照を書いてください")
    return text


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


PRIOR_YEAR = "対前年度"
Number = Annotated[Decimal, BeforeValidator(_to_decimal)]
Target = Annotated[Decimal | Literal["対前年度"], BeforeValidator(_to_target)]
Integer = Annotated[int, BeforeValidator(_to_int)]
Date = Annotated[date, BeforeValidator(_to_date)]
Flag = Annotated[bool, BeforeValidator(_to_flag)]
Text = Annotated[str, BeforeValidator(_to_text), Field(min_length=1)]
Slug = Annotated[str, BeforeValidator(_to_slug)]
Unit = Literal["％", "円", "事業所", "社", "人", "件", "回", "枚"]
ImagePath = Annotated[str, BeforeValidator(_to_image_path)]
# The name of a figure cited from the text as {name}.
FigureName = Annotated[str, BeforeValidator(_to_slug)]
# A figure slot that cites the data instead of a number: "{checkup_rate.actual}".
Reference = Annotated[str, BeforeValidator(_to_reference)]
Operand = Annotated[str | Decimal, BeforeValidator(_to_operand)]

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
    _to_reference: {"type": "string", "pattern": f"^{_REFERENCE.pattern}$"},
    _to_operand: {
        "anyOf": [
            {"type": "number"},
            _NUMBER_TEXT,
            {"type": "string", "pattern": f"^{_OPERAND.pattern}$"},
        ]
    },
}


# The base of every plan model: an unknown key (usually a misspelt one) is an error.
class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


def scalar_or(model: type[Model], model_tag: str, scalar_tag: str) -> Discriminator:
    """The discriminator of a union of a scalar and *model*: a mapping (as the loader gives
    it) or a *model* is tagged *model_tag*, anything else *scalar_tag*."""
    return Discriminator(lambda value: model_tag if isinstance(value, dict | model) else scalar_tag)
