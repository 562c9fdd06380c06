from decimal import Decimal as D

import pytest

from kenpo_report.compute import figures as C


@pytest.mark.parametrize(
    ("numerator", "denominator", "decimals", "expected"),
    [
        ("107020", "173770", 1, "61.6"),  # 岩手 ⑤ 生活習慣病予防健診受診率
        ("3415", "10489", 1, "32.6"),  # 岩手 ⑩
        ("35383", "40588", 2, "87.18"),  # 岩手 ④ 保険証回収率
        ("54576117", "71667995", 2, "76.15"),  # 岩手 ④ 債権回収率
        ("73", "1185", 1, "6.2"),
        ("1", "8", 0, "13"),  # 12.5 rounds half up, not to even
        ("5", "8", 1, "62.5"),
    ],
)
def test_rate_rounds_half_up(numerator, denominator, decimals, expected):
    assert C.rate(D(numerator), D(denominator), decimals) == D(expected)
    assert str(C.rate(D(numerator), D(denominator), decimals)) == expected


def test_rate_without_percent():
    assert C.rate(D("10026"), D("1"), 0, percent=False) == D("10026")


def test_rate_of_zero_denominator_raises():
    with pytest.raises(ZeroDivisionError):
        C.rate(D(1), D(0), 1)


@pytest.mark.parametrize(
    ("a", "b", "decimals", "expected"),
    [
        ("0.252", "0.131", 3, "0.121"),
        ("0.264", "0.320", 3, "-0.056"),
        ("6.2", "17.1", 1, "-10.9"),  # differences of the published figures
        ("10026", "9908", 0, "118"),
    ],
)
def test_difference(a, b, decimals, expected):
    assert C.difference(D(a), D(b), decimals) == D(expected)


@pytest.mark.parametrize(
    ("actual", "target", "direction", "expected"),
    [
        ("95.5", "95.5", "at_least", True),
        ("32.6", "32.7", "at_least", False),
        ("10", "15", "at_most", True),
        ("16", "15", "at_most", False),
    ],
)
def test_achieved(actual, target, direction, expected):
    assert C.achieved(D(actual), D(target), direction) is expected


def test_achieved_rejects_unknown_direction():
    with pytest.raises(ValueError, match="direction"):
        C.achieved(D(1), D(1), "sideways")


def test_cumulative_and_total():
    values = [D(2), D(2), D(0), None, D(1)]
    assert C.cumulative(values) == [D(2), D(4), D(4), None, D(5)]
    assert C.total(values) == D(5)


def test_written_decimals_keeps_precision():
    assert C.written_decimals(D("0.10")) == 2
    assert C.written_decimals(D("1830")) == 0


def test_check_typed_reports_only_disagreement():
    assert C.check_typed(D("95.5"), D("95.5"), 1, ("x",), "率", "a÷b") == []
    [finding] = C.check_typed(D("27755"), D("27855"), 0, ("rows", 0, "total"), "合計", "各列の和")
    assert finding.path == ("rows", 0, "total")
    assert "27,755" in finding.message
    assert "27,855" in finding.message
