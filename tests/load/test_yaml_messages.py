"""Tests of YAML syntax errors in the planner's words (kenpo_report.load.yaml_messages)."""

from __future__ import annotations

import pytest

from kenpo_report.errors import Position, Problem, UserError
from kenpo_report.load.yaml_source import load_text

NAME = "plans/x/2024/00.yaml"


def text_problems(text: str) -> list[Problem]:
    with pytest.raises(UserError) as info:
        load_text(text, NAME)
    return info.value.problems


def at(line: int, column: int) -> Position:
    return Position(NAME, line, column)


@pytest.mark.parametrize(
    ("text", "where", "message", "field"),
    [
        # " … ' runs on to the next ": reported at the opening quote, not where PyYAML stops.
        (
            'kpis:\n  - kpi: a\n    prior: "4,445\'\n    actual: "4,499"\n    rank: "3"\n',
            (3, 12),
            '引用符が閉じられていません（" で始めた値は " で終えてください）',
            "kpis[0].prior",
        ),
        (
            "a: 'x\n",
            (1, 4),
            "引用符が閉じられていません（' で始めた値は ' で終えてください）",
            "a",
        ),
        (
            "unit: %\n",
            (1, 7),
            "「%」で始まる値は引用符で囲んでください。単位は全角の「％」で書きます",
            "unit",
        ),
        ("note: @x\n", (1, 7), "「@」で始まる値は引用符で囲んでください", "note"),
        ("kpis: [a, b\nx: 1\n", (1, 7), "「[」で始めた一覧が「]」で閉じられていません", "kpis"),
        ("a: {x: 1\nb: 3\n", (1, 4), "「{」で始めた組が「}」で閉じられていません", "a"),
        (
            "a: 目標: 100\n",
            (1, 6),
            "「:」の位置が正しくありません。値に「:」を含むときは引用符で囲んでください",
            "a",
        ),
        (
            'a: "x" y\n',
            (1, 8),
            "引用符で囲んだ値のあとに文字が続いています。値全体を引用符で囲んでください",
            "",
        ),
        (
            "a:\n  b: 1\n   c: 2\n",
            (3, 5),
            "字下げが揃っていません。同じ組の項目は、同じ桁（行の先頭の空白の数）から書いてください"
            "（上の行の項目は3桁目、行の先頭の空白2個から始まります）",
            "",
        ),
        (
            'a:\n  b: "1"\n   c: 2\n',
            (3, 4),
            "字下げが揃っていません。同じ組の項目は、同じ桁（行の先頭の空白の数）から書いてください"
            "（上の行の項目は3桁目、行の先頭の空白2個から始まります）",
            "",
        ),
        (
            "a:\n  - x\n  b: 1\n",
            (3, 3),
            "一覧（- で始まる行）と「キー: 値」の行が、同じ字下げで混ざっています",
            "",
        ),
        (
            "a: 1\nb\nc: 2\n",
            (2, 1),
            "「キー: 値」の形になっていません（「:」と空白がありません）",
            "",
        ),
        (
            "a: |x\n  y\n",
            (1, 4),
            "「|」や「>」のあとには何も書かず、次の行から文章を書いてください",
            "",
        ),
    ],
)
def test_yaml_errors_are_japanese_and_placed_where_the_cause_is(
    text: str, where: tuple[int, int], message: str, field: str
) -> None:
    found = text_problems(text)
    assert len(found) == 1
    assert (found[0].position, found[0].message, found[0].field) == (at(*where), message, field)
    assert not any(word in found[0].message for word in ("expected", "found", "while"))
