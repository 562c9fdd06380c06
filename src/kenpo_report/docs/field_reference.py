"""The planner's field reference (docs/reference.md), generated from the models.

``field_reference_markdown()`` walks the pydantic models behind the editor
schemas (``schema_export.MODELS``) and writes one Markdown section per model
and block type: every key with a human Japanese type (数値, 文字列, 日付,
はい/いいえ …), whether it is required (and what omitting it means), the
allowed values, and the field's Japanese description.

Which models, in what order: reference_walk. Their fields' types as planners
read them: reference_types. This module writes the Markdown. Descriptions,
defaults and constraints are the same objects the JSON Schema is made from, so
the two cannot disagree.

The output is deterministic (model and field declaration order); a test keeps
docs/reference.md equal to it. Regenerate with::

    python -m kenpo_report.docs.field_reference > docs/reference.md
"""

from __future__ import annotations

import inspect
import sys

from pydantic import BaseModel
from pydantic.fields import FieldInfo
from pydantic_core import PydanticUndefined

from kenpo_report.docs.reference_types import (
    BLOCK,
    block_tag,
    describe,
    full_annotation,
    is_block,
    model_anchor,
    value_text,
)
from kenpo_report.docs.reference_walk import DocSection, field_key, roots

REGENERATE = "python -m kenpo_report.docs.field_reference > docs/reference.md"

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
    files = roots()
    out += ["## 目次", ""]
    for kind, root, sections in files:
        out.append(f"- [{_file_title(kind, root)}](#{_file_anchor(kind)})")
        for section in sections:
            out.append(f"  - [{_section_title(section)}](#{section.anchor})")
    out.append("")
    for kind, root, sections in files:
        out += [f'<a id="{_file_anchor(kind)}"></a>', "", f"## {_file_title(kind, root)}", ""]
        for section in sections:
            out += _render_section(section)
    return "\n".join(out).rstrip("\n") + "\n"


def _render_section(section: DocSection) -> list[str]:
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
        typ = describe(full_annotation(info))
        description = info.description or ""
        if not description and name == "type" and is_block(model):
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


def _render_blocks(section: DocSection) -> list[str]:
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
        tag = block_tag(member)
        out.append(
            f"| `{tag}` | [{member.__name__}](#{model_anchor(member)}) | {_cell(_doc(member) or '')} |"
        )
    return [*out, ""]


def _section_title(section: DocSection) -> str:
    if section.model is None:
        return f"{BLOCK}（`type:` で種類を選ぶもの）"
    if is_block(section.model):
        return f"`type: {block_tag(section.model)}`（{section.model.__name__}）"
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
        return "任意（省略すると空）" if not made else f"任意（省略すると {value_text(made)}）"
    if info.default is None or info.default is PydanticUndefined:
        return "任意"
    return f"任意（省略すると {value_text(info.default)}）"


def _text(text: str) -> str:
    """Plain text from the models, safe in Markdown (``*.yaml`` is not emphasis)."""
    return text.replace("\\", "\\\\").replace("*", "\\*")


def _cell(text: str) -> str:
    return _text(text).replace("|", "\\|").replace("\n", "\\n")


def main() -> int:
    sys.stdout.buffer.write(field_reference_markdown().encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main())
