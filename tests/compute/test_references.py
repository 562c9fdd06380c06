"""References in text and named figures (kenpo_report.compute.references), pure functions."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kenpo_report.compute import references as R
from kenpo_report.compute.figures import Quantity
from kenpo_report.layout.formatting import figure

VALUES = {
    "expected": Quantity(Decimal("109803"), 0, "人"),
    "checkup_rate.target": Quantity(Decimal("64.4"), 1, "％"),
    "checkup_rate.rank": "22位",
}


def show(value: R.Value) -> str:
    return value if isinstance(value, str) else figure(value)


def sub(text: str):
    return R.substitute(text, VALUES.get, show)


def test_references_print_their_figures_inside_japanese_text() -> None:
    text, problems = sub(
        "受診見込者数は{expected}、目標は{checkup_rate.target}以上（全国{checkup_rate.rank}）"
    )
    assert text == "受診見込者数は109,803人、目標は64.4％以上（全国22位）"
    assert problems == []


def test_a_text_that_is_one_reference_is_the_figure_itself() -> None:
    value, _ = sub("{expected}")
    assert value == VALUES["expected"]
    value, _ = sub("約{expected}")
    assert value == "約109,803人"


def test_doubled_braces_are_literal_braces() -> None:
    assert sub("{{expected}} と {expected}")[0] == "{expected} と 109,803人"
    assert sub("{{ 7*7 }}")[0] == "{ 7*7 }"
    assert sub("閉じない { のまま")[0] == "閉じない { のまま"


def test_an_unknown_name_is_a_problem_and_prints_as_written() -> None:
    text, problems = sub("見込は{expectd}です")
    assert text == "見込は{expectd}です"
    assert [(p.message, p.written, p.error) for p in problems] == [
        ("参照「{expectd}」の名前がありません", "{expectd}", True)
    ]


@pytest.mark.parametrize("written", ["{Expected}", "{見込}", "{a b}", "{}", "{x.y.z}"])
def test_a_malformed_reference_says_how_to_write_one(written: str) -> None:
    _, problems = sub(f"本文{written}")
    assert len(problems) == 1
    assert problems[0].message.startswith(f"参照「{written}」の書き方が違います")
    assert problems[0].written == written


def test_refs_in_lists_references_with_their_offsets() -> None:
    refs = list(R.refs_in("a{x}b{{c}}{y.z}"))
    assert [(r.start, r.end, r.name) for r in refs] == [(1, 4, "x"), (10, 15, "y.z")]


def spec(kind: str, *operands, unit="", decimals=None, signed=False, typed=None):
    ops = tuple(Decimal(o) if isinstance(o, str) and o[0].isdigit() else o for o in operands)
    return R.FigureSpec(kind, ops, unit, decimals, signed, typed)


def evaluate(specs: dict[str, R.FigureSpec], external=None):
    return R.evaluate(specs, external or (lambda name: None))


def test_derived_figures_are_computed_half_up() -> None:
    result = evaluate(
        {
            "a": spec("value", "107020", unit="人"),
            "b": spec("value", "173770", unit="人"),
            "total": spec("sum", "a", "b"),
            "rate": spec("rate", "a", "b", unit="％"),
            "share": spec("share", "a", "total", unit="％", decimals=2),
            "gap": spec("diff", "a", "b", signed=True),
            "growth": spec("change", "b", "a", unit="％"),
        }
    )
    assert result.problems == {}
    v = result.values
    assert figure(v["total"]) == "280,790人"
    assert figure(v["rate"]) == "61.6％"  # 61.587…
    assert figure(v["share"]) == "38.11％"
    assert figure(v["gap"]) == "▲66,750人"
    assert figure(v["growth"]) == "62.4％"


def test_operands_may_be_kpi_figures() -> None:
    kpi = {"checkup_rate.actual": Quantity(Decimal("61.6"), 1, "％")}
    result = evaluate(
        {"gap": spec("diff", "checkup_rate.actual", "60.0", unit="％", signed=True)}, kpi.get
    )
    assert figure(result.values["gap"]) == "+1.6％"


def test_a_typed_copy_that_disagrees_warns_and_the_computed_figure_stands() -> None:
    result = evaluate(
        {
            "a": spec("value", "27755"),
            "b": spec("value", "100"),
            "total": spec("sum", "a", "b", typed=Decimal("27755")),
        }
    )
    assert result.values["total"].value == Decimal("27855")
    [problem] = result.problems["total"]
    assert not problem.error
    assert "27,755" in problem.message and "27,855" in problem.message


def test_a_figure_defined_through_itself_names_the_cycle() -> None:
    result = evaluate({"a": spec("sum", "b", "1"), "b": spec("sum", "a", "1")})
    assert "a" not in result.values and "b" not in result.values
    messages = [p.message for ps in result.problems.values() for p in ps]
    assert messages == ["数値「a」が自分自身から計算されています（a → b → a）"]


def test_a_rate_over_zero_is_an_error() -> None:
    result = evaluate({"zero": spec("value", "0"), "r": spec("rate", "1", "zero", unit="％")})
    [problem] = result.problems["r"]
    assert problem.error
    assert problem.message == "数値「r」の分母（zero）が 0 です"


def test_an_unknown_operand_is_an_error() -> None:
    result = evaluate({"r": spec("sum", "nothing", "1")})
    [problem] = result.problems["r"]
    assert problem.message == "数値「r」の計算に使う「nothing」がありません"


def test_a_misspelt_operand_names_the_closest_other_figure() -> None:
    specs = {"rentals_bone": spec("value", "35"), "rentals": spec("sum", "rentals_bnoe", "1")}
    [problem] = evaluate(specs).problems["rentals"]
    assert problem.message == (
        "数値「rentals」の計算に使う「rentals_bnoe」がありません（「rentals_bone」の誤りではありませんか）"
    )
    # Never the figure itself: that would be a cycle.
    [problem] = evaluate({"rentals": spec("sum", "rentalz", "1")}).problems["rentals"]
    assert problem.message == "数値「rentals」の計算に使う「rentalz」がありません"


def test_a_reference_may_round_or_rename_the_unit() -> None:
    text, problems = sub("{checkup_rate.target:0}と{expected:名}、{checkup_rate.rank:0}")
    assert text == "64％と109,803名、22位"
    assert [p.message for p in problems] == [
        "参照「{checkup_rate.rank:0}」: 「:0」は数値にだけ付けられます"
    ]
    assert sub("{expected:a b}")[1][0].message.startswith(
        "参照「{expected:a b}」の書き方が違います"
    )
