from decimal import Decimal as D

import pytest

from kenpo_report.compute.figures import Quantity
from kenpo_report.layout.formatting import era_year, figure, fiscal_year, keep_figures, number


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        (2024, "令和6年度"),
        (2025, "令和7年度"),
        (2019, "令和元年度"),
        (2018, "平成30年度"),
        (1989, "平成元年度"),
    ],
)
def test_fiscal_year(year, expected):
    assert fiscal_year(year) == expected


def test_fiscal_year_full_width_digits():
    assert fiscal_year(2024, digits="full") == "令和６年度"


def test_era_boundaries():
    assert era_year(2019, 4, 30) == ("平成", 31)
    assert era_year(2019, 5, 1) == ("令和", 1)
    assert era_year(1989, 1, 7) == ("昭和", 64)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Quantity(D("61.6"), 1, "％"), "61.6％"),
        (Quantity(D("0.121"), 3, "％", signed=True), "+0.121％"),
        (Quantity(D("-0.056"), 3, "％", signed=True), "▲0.056％"),
        (Quantity(D("2046"), 0, "事業所"), "2,046事業所"),
        (Quantity(D("0"), 1, "％", signed=True), "0.0％"),
        (D("0.10"), "0.10"),
        (D("9951444"), "9,951,444"),
        ("4.72（3位）", "4.72（3位）"),
    ],
)
def test_figure(value, expected):
    assert figure(value) == expected


def test_figure_of_none_uses_placeholder():
    assert figure(None, "－") == "－"


def test_number_rounds_half_up():
    assert number(D("12.5"), 0) == "13"
    assert number(D("1234.5")) == "1,234.5"


@pytest.mark.parametrize(
    ("text", "html"),
    [
        (
            "特定健診実施率 27.5％（全国30位 ）",
            '特定健診実施率 <span class="nw">27.5％</span>（全国<span class="nw">30位</span> ）',
        ),
        (
            "◇年金との調整：178件 48,049,648円",
            '◇年金との調整：<span class="nw">178件</span> <span class="nw">48,049,648円</span>',
        ),
        (
            "前年差 ▲0.3ポイント、10か月以内",
            '前年差 <span class="nw">▲0.3ポイント</span>、<span class="nw">10か月</span>以内',
        ),
        ("令和6年度", "令和6年度"),  # no unit: nothing to keep together
        ("<b>1件</b> & 2", '&lt;b&gt;<span class="nw">1件</span>&lt;/b&gt; &amp; 2'),
    ],
)
def test_keep_figures_keeps_each_figure_with_its_unit_and_escapes_the_rest(text, html):
    assert str(keep_figures(text)) == html
