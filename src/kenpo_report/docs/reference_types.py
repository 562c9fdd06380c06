"""Field types as the field reference shows them to planners (数値, 日付, はい/いいえ …).

Read from the models' annotations rather than the exported JSON Schema: the schema
says ``number | string`` for both a figure and a count and drops the difference
between a date, a flag and free text, which is exactly what a planner needs to know.
"""

from __future__ import annotations

import types
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo

# The block union is documented as one section, linked from every field that holds blocks.
BLOCK = "ブロック"
BLOCK_ANCHOR = "block"


def model_anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


@dataclass
class FieldType:
    """A field's type as shown to planners."""

    label: str
    values: list[str] = field(default_factory=list)  # allowed literal values, formatted
    limits: list[str] = field(default_factory=list)  # ranges and lengths


def full_annotation(info: FieldInfo) -> Any:
    """The field's annotation with the constraints pydantic moved into ``metadata``."""
    if info.metadata:
        return Annotated[(info.annotation, *info.metadata)]  # type: ignore[valid-type]
    return info.annotation


def unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` layers, returning the bare type and all their metadata."""
    meta: list[Any] = []
    while get_origin(tp) is Annotated:
        for item in tp.__metadata__:
            meta.append(item)
            if isinstance(item, FieldInfo):
                meta.extend(item.metadata)
        tp = tp.__origin__
    return tp, meta


def is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def is_block(model: Any) -> bool:
    if not is_model(model) or "type" not in model.model_fields:
        return False
    tp, _ = unwrap(model.model_fields["type"].annotation)
    return get_origin(tp) is Literal and len(get_args(tp)) == 1


def block_tag(model: type[BaseModel]) -> str:
    tp, _ = unwrap(model.model_fields["type"].annotation)
    return str(get_args(tp)[0])


def describe(tp: Any, nested: bool = False) -> FieldType:
    """Japanese type label, allowed values and limits of one annotation."""
    tp, meta = unwrap(tp)
    limits = [] if nested else _limits(tp, meta)
    if is_union(tp):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) == 1:
            inner = describe(members[0], nested)
            return FieldType(inner.label, inner.values, limits + inner.limits)
        bare = [unwrap(m)[0] for m in members]
        if all(is_block(m) for m in bare):
            return FieldType(f"[{BLOCK}](#{BLOCK_ANCHOR})", [], limits)
        parts = [describe(m, nested=True) for m in members]
        labels = [p.label for p in parts]
        return FieldType(" または ".join(dict.fromkeys(labels)), _merge_values(parts), limits)
    if get_origin(tp) is Literal:
        values = [value_text(v) for v in get_args(tp)]
        if nested:
            return FieldType(" ・ ".join(values))
        return FieldType("選択肢", values, limits)
    if get_origin(tp) is list:
        (item,) = get_args(tp)
        inner = describe(item, nested=True)
        return FieldType(f"{_group(inner.label)}の一覧", inner.values, limits)
    if get_origin(tp) is tuple:
        parts = [describe(a, nested=True) for a in get_args(tp)]
        label = "[" + ", ".join(p.label for p in parts) + "]"
        return FieldType(f"{label}（{len(parts)}つの一覧）", _merge_values(parts), limits)
    if get_origin(tp) is dict:
        key, value = (describe(a, nested=True) for a in get_args(tp))
        return FieldType(f"対応表（キー: {key.label} → 値: {value.label}）", value.values, limits)
    if is_model(tp):
        return FieldType(f"[{tp.__name__}](#{model_anchor(tp)})", [], limits)
    return FieldType(_scalar(tp, meta), [], limits)


def _scalar(tp: Any, meta: list[Any]) -> str:
    if tp is bool:
        return "はい/いいえ"
    if tp is int:
        return "整数"
    if tp is Decimal:
        return "数値"
    if tp is date:
        return "日付"
    if tp is str:
        if any(getattr(m, "pattern", None) or _validator_name(m) == "_to_slug" for m in meta):
            return "ID"
        if any(_validator_name(m) == "_to_image_path" for m in meta):
            return "ファイルのパス"
        if not any(isinstance(m, MinLen) and m.min_length >= 1 for m in meta):
            return "文字列（空も可）"
        return "文字列"
    return getattr(tp, "__name__", str(tp))  # pragma: no cover - a new scalar type


def _validator_name(meta: Any) -> str:
    func = getattr(meta, "func", None)
    return getattr(func, "__name__", "")


def _limits(tp: Any, meta: list[Any]) -> list[str]:
    """Ranges (数値) and lengths (一覧・文字列) written on the field itself."""
    base, _ = unwrap(tp)
    if is_union(base):
        members = [a for a in get_args(base) if a is not type(None)]
        base = unwrap(members[0])[0] if len(members) == 1 else base
    lo = next((m.ge for m in meta if isinstance(m, Ge)), None)
    hi = next((m.le for m in meta if isinstance(m, Le)), None)
    gt = next((m.gt for m in meta if isinstance(m, Gt)), None)
    lt = next((m.lt for m in meta if isinstance(m, Lt)), None)
    out = _range(lo, hi, "", "以下")
    if gt is not None:
        out.append(f"{gt}より大きい")
    if lt is not None:
        out.append(f"{lt}未満")
    min_len = next((m.min_length for m in meta if isinstance(m, MinLen)), None)
    max_len = next((m.max_length for m in meta if isinstance(m, MaxLen)), None)
    if base is str:
        if max_len is not None:
            out.append(f"{max_len}文字まで")
    else:
        out += _range(min_len, max_len, "個", "まで")
    return out


def _range(lo: Any, hi: Any, unit: str, at_most: str) -> list[str]:
    """A closed range in words: 1〜47, 1以上, 47以下 (with *unit*: 1〜3個, 1個以上, 3個まで)."""
    if lo is not None and hi is not None:
        return [f"{lo}〜{hi}{unit}"]
    if lo is not None:
        return [f"{lo}{unit}以上"]
    if hi is not None:
        return [f"{hi}{unit}{at_most}"]
    return []


def _merge_values(parts: list[FieldType]) -> list[str]:
    return list(dict.fromkeys(v for p in parts for v in p.values))


def _group(label: str) -> str:
    """Parenthesise an alternative before "の一覧" (but not a list of lists)."""
    return f"（{label}）" if " または " in label and not label.endswith("の一覧") else label


def value_text(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if value == "":
        return '`""`（空）'
    return f"`{value}`"
