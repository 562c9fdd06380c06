"""The planner's field reference (docs/reference.md), generated from the models.

``field_reference_markdown()`` walks the pydantic models behind the editor
schemas (``schema_export.MODELS``) and writes one Markdown section per model
and block type: every key with a human Japanese type (数値, 文字列, 日付,
はい/いいえ …), whether it is required (and what omitting it means), the
allowed values, and the field's Japanese description.

The walk reads the models' annotations rather than the exported JSON Schema:
the schema says ``number | string`` for both a figure and a count and drops
the difference between a date, a flag and free text, which is exactly what a
planner needs to know. Descriptions, defaults and constraints are the same
objects the JSON Schema is made from, so the two cannot disagree.

The output is deterministic (model and field declaration order); a test keeps
docs/reference.md equal to it. Regenerate with::

    python -m kenpo_report.docs.field_reference > docs/reference.md
"""

from __future__ import annotations

import inspect
import sys
import types
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, Union, get_args, get_origin

from annotated_types import Ge, Gt, Le, Lt, MaxLen, MinLen
from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from kenpo_report.docs.schema_export import MODELS

REGENERATE = "python -m kenpo_report.docs.field_reference > docs/reference.md"

# Files first as planners meet them: the branch-year, then the catalogue, then branch.yaml.
_ROOT_ORDER = ("branch-year", "catalog", "branch")

BLOCK = "ブロック"
BLOCK_ANCHOR = "block"

_LEGEND = """\
## 型の読み方

| 型 | 書き方 | 例 |
|---|---|---|
| 数値 | 単位を付けずに数字だけを書きます。桁区切りの `,` と、負の数の `▲`（または `-`）が使えます。書いた桁数のまま扱います（`0.10` は `0.10`） | `"95.5"`、`"1,830"`、`"▲0.5"` |
| 整数 | 半角数字だけ。引用符は付けても付けなくてもかまいません | `3`、`"3"` |
| 文字列 | 文字。改行は `"…\\n…"` と書くか、`\\|` のあとに行を続けます | `事業計画` |
| 文字列（空も可） | 文字列。`""` と書いて空にもできます | `""` |
| ID | 半角英小文字で始まり、半角英小文字・数字・`_`・`-` だけ（64文字まで） | `checkup_rate`、`mail-application` |
| 日付 | `年-月-日` の形 | `2025-07-31` |
| はい/いいえ | `true`（はい）か `false`（いいえ）だけ（`yes`・`no` は使えません） | `true` |
| 選択肢 | 「書ける値」の欄にあるもののどれか | `at_least`、`2` |
| ファイルのパス | `plans/<支部>/` から見た場所。半角英数字の `.png`・`.jpg` | `images/poster.png` |
| 〇〇の一覧 | `- ` で始まる行を並べるか、`[a, b, c]` と書きます | `[4月, 5月, 6月]` |
| 対応表 | `キー: 値` の行を並べるか、`{キー: 値}` と書きます | `{R6.4: ●}` |
| リンクの付いた名前 | その項目の組（下の節）を書きます | [Ratio](#ratio) |

- 値はすべて文字として読み込んでから型に合わせて変換します。ツールにとっては `"95.5"` のように
  引用符で囲んでも、囲まなくても同じです（`NO` や `010` が勝手に別の値になることはありません）。
  エディタ用のスキーマ（`schema/`）も、どちらの書き方も正しいと判定します。
- 数値・整数・日付・ID は半角で書きます（全角の `９５．５` はエラーになり、半角での書き方を表示します）。
  単位の `％` は全角です。
- 「必須」の項目は必ず書きます。「任意」の項目は省略できます（省略したときの値を書いてあります）。
- 表にない項目を書くとエラーになります（綴りの誤りを見つけるためです）。
"""


@dataclass
class _Section:
    """One model (or the block union) to document, with where it is used."""

    anchor: str
    model: type[BaseModel] | None  # None: the block union
    used_in: list[str] = field(default_factory=list)
    members: list[type[BaseModel]] = field(default_factory=list)  # block union only


@dataclass
class _Type:
    """A field's type as shown to planners."""

    label: str
    values: list[str] = field(default_factory=list)  # allowed literal values, formatted
    limits: list[str] = field(default_factory=list)  # ranges and lengths


# --- public -----------------------------------------------------------------


def field_reference_markdown() -> str:
    """The whole reference as Markdown (Japanese), deterministic."""
    out: list[str] = [
        "# 項目の一覧（フィールド・リファレンス）",
        "",
        f"<!-- 自動生成のファイルです。直接は編集しないでください。作り直し: {REGENERATE} -->",
        "",
        "YAML に書けるすべての項目の一覧です。ツールのモデル（`src/kenpo_report/model/`）から"
        "自動で作っているので、ツールと食い違うことはありません。",
        "書き方の手引きは [guide.md](guide.md) を見てください。",
        "",
        _LEGEND,
    ]
    roots = _roots()
    out += ["## 目次", ""]
    for kind, root, sections in roots:
        out.append(f"- [{_file_title(kind, root)}](#{_file_anchor(kind)})")
        for section in sections:
            out.append(f"  - [{_section_title(section)}](#{section.anchor})")
    out.append("")
    for kind, root, sections in roots:
        out += [f'<a id="{_file_anchor(kind)}"></a>', "", f"## {_file_title(kind, root)}", ""]
        for section in sections:
            out += _render_section(section)
    return "\n".join(out).rstrip("\n") + "\n"


def all_models() -> list[type[BaseModel]]:
    """Every model the reference documents (for tests)."""
    seen: list[type[BaseModel]] = []
    for _, _, sections in _roots():
        for section in sections:
            if section.model is not None and section.model not in seen:
                seen.append(section.model)
    return seen


def field_key(name: str, info: FieldInfo) -> str:
    """The key as written in YAML (the alias when there is one, e.g. ``$schema``)."""
    return info.alias or name


def model_anchor(model: type[BaseModel]) -> str:
    return model.__name__.lower()


# --- walking the models ------------------------------------------------------


def _roots() -> list[tuple[str, type[BaseModel], list[_Section]]]:
    kinds = [k for k in _ROOT_ORDER if k in MODELS] + sorted(set(MODELS) - set(_ROOT_ORDER))
    result = []
    claimed: set[str] = set()  # a model shared by two files is documented once
    for kind in kinds:
        sections = _walk(MODELS[kind], claimed)
        result.append((kind, MODELS[kind], sections))
    return result


def _walk(root: type[BaseModel], claimed: set[str]) -> list[_Section]:
    """Sections reachable from *root*, depth first in field declaration order."""
    sections: dict[str, _Section] = {}
    order: list[str] = []

    def visit(model: type[BaseModel], used_in: str | None) -> None:
        anchor = model_anchor(model)
        if anchor in claimed and anchor not in sections:
            return
        if anchor in sections:
            if used_in and used_in not in sections[anchor].used_in:
                sections[anchor].used_in.append(used_in)
            return
        sections[anchor] = _Section(anchor, model, [used_in] if used_in else [])
        claimed.add(anchor)
        order.append(anchor)
        for name, info in model.model_fields.items():
            where = f"[{model.__name__}](#{anchor}) の `{field_key(name, info)}`"
            for kind, found in _nested(_full_annotation(info)):
                if kind == "union":
                    visit_union(found, where)
                else:
                    visit(found[0], where)

    def visit_union(members: list[type[BaseModel]], used_in: str) -> None:
        if BLOCK_ANCHOR in sections:
            if used_in not in sections[BLOCK_ANCHOR].used_in:
                sections[BLOCK_ANCHOR].used_in.append(used_in)
            return
        ordered = sorted(members, key=_definition_index)
        sections[BLOCK_ANCHOR] = _Section(BLOCK_ANCHOR, None, [used_in], ordered)
        claimed.add(BLOCK_ANCHOR)
        order.append(BLOCK_ANCHOR)
        for member in ordered:
            visit(member, f"[{BLOCK}](#{BLOCK_ANCHOR})")

    visit(root, None)
    for section in sections.values():  # a model's use inside itself (CellSpec.below) last
        section.used_in.sort(key=lambda where: where.startswith(f"[{_name(section)}]("))
    return [sections[a] for a in order]


def _name(section: _Section) -> str:
    return section.model.__name__ if section.model is not None else BLOCK


def _nested(tp: Any) -> Iterator[tuple[str, list[type[BaseModel]]]]:
    """Models inside an annotation: ("model", [M]) or ("union", [block models])."""
    tp, _ = _unwrap(tp)
    if _is_model(tp):
        yield "model", [tp]
        return
    args = [a for a in get_args(tp) if a is not type(None)]
    if _is_union(tp):
        members = [_unwrap(a)[0] for a in args]
        if len(members) > 1 and all(_is_block(m) for m in members):
            yield "union", members
            return
    if get_origin(tp) is Literal:
        return
    for arg in args:
        yield from _nested(arg)


def _definition_index(model: type[BaseModel]) -> int:
    names = list(vars(sys.modules[model.__module__]))
    return names.index(model.__name__) if model.__name__ in names else len(names)


# --- rendering ---------------------------------------------------------------


def _render_section(section: _Section) -> list[str]:
    out = [f'<a id="{section.anchor}"></a>', "", f"### {_section_title(section)}", ""]
    if section.model is None:
        return out + _render_blocks(section)
    model = section.model
    doc = _doc(model)
    if doc:
        out += [_text(doc), ""]
    if section.used_in:
        out += ["書く場所: " + "、".join(section.used_in), ""]
    out += ["| 項目 | 型 | 必須・任意 | 書ける値 | 説明 |", "|---|---|---|---|---|"]
    for name, info in model.model_fields.items():
        typ = _describe(_full_annotation(info))
        description = info.description or ""
        if not description and name == "type" and _is_block(model):
            description = "ブロックの種類（書ける値をそのまま書きます）"
        row = [
            f"`{field_key(name, info)}`",
            typ.label,
            _requirement(info),
            "、".join([*typ.values, *typ.limits]),
            _cell(description),
        ]
        out.append("| " + " | ".join(row) + " |")
    return [*out, ""]


def _render_blocks(section: _Section) -> list[str]:
    out = [
        "ページ（や列）の中身は、ブロックを上から順に並べて書きます。"
        "ブロックの種類は `type:` で選びます。",
        "",
        "書く場所: " + "、".join(section.used_in),
        "",
        "| `type:` | ブロック | 説明 |",
        "|---|---|---|",
    ]
    for member in section.members:
        tag = _block_tag(member)
        out.append(
            f"| `{tag}` | [{member.__name__}](#{model_anchor(member)}) | {_cell(_doc(member) or '')} |"
        )
    return [*out, ""]


def _section_title(section: _Section) -> str:
    if section.model is None:
        return f"{BLOCK}（`type:` で種類を選ぶもの）"
    if _is_block(section.model):
        return f"`type: {_block_tag(section.model)}`（{section.model.__name__}）"
    summary = _summary(section.model) if section.used_in else ""  # roots: see the file title
    return f"{section.model.__name__}（{summary}）" if summary else section.model.__name__


def _summary(model: type[BaseModel]) -> str:
    """The first sentence of the docstring, when short enough for a heading."""
    first = _doc(model).split("\n")[0]
    sentence = first.split("。")[0]
    return _text(sentence) if sentence and len(sentence) <= 40 else ""


def _file_title(kind: str, root: type[BaseModel]) -> str:
    doc = _doc(root).split("\n")[0].rstrip("。")
    return _text(doc) if doc else kind


def _file_anchor(kind: str) -> str:
    return f"file-{kind}"


def _doc(model: type[BaseModel]) -> str:
    raw = model.__dict__.get("__doc__")
    return inspect.cleandoc(raw) if raw else ""


def _requirement(info: FieldInfo) -> str:
    if info.is_required():
        return "必須"
    if info.default_factory is not None:
        made = info.default_factory()  # type: ignore[call-arg]
        return "任意（省略すると空）" if not made else f"任意（省略すると {_value(made)}）"
    if info.default is None or info.default is PydanticUndefined:
        return "任意"
    return f"任意（省略すると {_value(info.default)}）"


def _value(value: Any) -> str:
    if isinstance(value, bool):
        return "`true`" if value else "`false`"
    if value == "":
        return '`""`（空）'
    return f"`{value}`"


def _text(text: str) -> str:
    """Plain text from the models, safe in Markdown (``*.yaml`` is not emphasis)."""
    return text.replace("\\", "\\\\").replace("*", "\\*")


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|").replace("\n", "\\n")


# --- types -------------------------------------------------------------------


def _full_annotation(info: FieldInfo) -> Any:
    """The field's annotation with the constraints pydantic moved into ``metadata``."""
    if info.metadata:
        return Annotated[(info.annotation, *info.metadata)]  # type: ignore[valid-type]
    return info.annotation


def _unwrap(tp: Any) -> tuple[Any, list[Any]]:
    """Strip ``Annotated`` layers, returning the bare type and all their metadata."""
    meta: list[Any] = []
    while get_origin(tp) is Annotated:
        for item in tp.__metadata__:
            meta.append(item)
            if isinstance(item, FieldInfo):
                meta.extend(item.metadata)
        tp = tp.__origin__
    return tp, meta


def _is_union(tp: Any) -> bool:
    return get_origin(tp) in (Union, types.UnionType)


def _is_model(tp: Any) -> bool:
    return isinstance(tp, type) and issubclass(tp, BaseModel)


def _is_block(model: Any) -> bool:
    if not _is_model(model) or "type" not in model.model_fields:
        return False
    tp, _ = _unwrap(model.model_fields["type"].annotation)
    return get_origin(tp) is Literal and len(get_args(tp)) == 1


def _block_tag(model: type[BaseModel]) -> str:
    tp, _ = _unwrap(model.model_fields["type"].annotation)
    return str(get_args(tp)[0])


def _describe(tp: Any, nested: bool = False) -> _Type:
    """Japanese type label, allowed values and limits of one annotation."""
    tp, meta = _unwrap(tp)
    limits = [] if nested else _limits(tp, meta)
    if _is_union(tp):
        members = [a for a in get_args(tp) if a is not type(None)]
        if len(members) == 1:
            inner = _describe(members[0], nested)
            return _Type(inner.label, inner.values, limits + inner.limits)
        bare = [_unwrap(m)[0] for m in members]
        if all(_is_block(m) for m in bare):
            return _Type(f"[{BLOCK}](#{BLOCK_ANCHOR})", [], limits)
        parts = [_describe(m, nested=True) for m in members]
        labels = [p.label for p in parts]
        return _Type(" または ".join(dict.fromkeys(labels)), _merge_values(parts), limits)
    if get_origin(tp) is Literal:
        values = [_value(v) for v in get_args(tp)]
        if nested:
            return _Type(" ・ ".join(values))
        return _Type("選択肢", values, limits)
    if get_origin(tp) is list:
        (item,) = get_args(tp)
        inner = _describe(item, nested=True)
        return _Type(f"{_group(inner.label)}の一覧", inner.values, limits)
    if get_origin(tp) is tuple:
        parts = [_describe(a, nested=True) for a in get_args(tp)]
        label = "[" + ", ".join(p.label for p in parts) + "]"
        return _Type(f"{label}（{len(parts)}つの一覧）", _merge_values(parts), limits)
    if get_origin(tp) is dict:
        key, value = (_describe(a, nested=True) for a in get_args(tp))
        return _Type(f"対応表（キー: {key.label} → 値: {value.label}）", value.values, limits)
    if _is_model(tp):
        return _Type(f"[{tp.__name__}](#{model_anchor(tp)})", [], limits)
    return _Type(_scalar(tp, meta), [], limits)


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
    base, _ = _unwrap(tp)
    if _is_union(base):
        members = [a for a in get_args(base) if a is not type(None)]
        base = _unwrap(members[0])[0] if len(members) == 1 else base
    lo = next((m.ge for m in meta if isinstance(m, Ge)), None)
    hi = next((m.le for m in meta if isinstance(m, Le)), None)
    gt = next((m.gt for m in meta if isinstance(m, Gt)), None)
    lt = next((m.lt for m in meta if isinstance(m, Lt)), None)
    out: list[str] = []
    if lo is not None and hi is not None:
        out.append(f"{lo}〜{hi}")
    elif lo is not None:
        out.append(f"{lo}以上")
    elif hi is not None:
        out.append(f"{hi}以下")
    if gt is not None:
        out.append(f"{gt}より大きい")
    if lt is not None:
        out.append(f"{lt}未満")
    min_len = next((m.min_length for m in meta if isinstance(m, MinLen)), None)
    max_len = next((m.max_length for m in meta if isinstance(m, MaxLen)), None)
    if base is str:
        if max_len is not None:
            out.append(f"{max_len}文字まで")
    elif min_len is not None and max_len is not None:
        out.append(f"{min_len}〜{max_len}個")
    elif min_len is not None:
        out.append(f"{min_len}個以上")
    elif max_len is not None:
        out.append(f"{max_len}個まで")
    return out


def _merge_values(parts: list[_Type]) -> list[str]:
    return list(dict.fromkeys(v for p in parts for v in p.values))


def _group(label: str) -> str:
    """Parenthesise an alternative before "の一覧" (but not a list of lists)."""
    return f"（{label}）" if " または " in label and not label.endswith("の一覧") else label


def main() -> int:
    sys.stdout.buffer.write(field_reference_markdown().encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
