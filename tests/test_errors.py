"""Problems: a warning turned into an error under --strict says what an error does."""

from __future__ import annotations

from kenpo_report.errors import Position, Problem, Severity


def test_a_warning_as_an_error_does_not_say_the_build_goes_on() -> None:
    at = Position("plans/x/2024/10-kpis.yaml", 3, 5)
    warning = Problem(
        "記載の率 21.5 は計算結果 12.5（2÷16）と一致しません。計算結果を出力します",
        at,
        "kpis[0].actual.typed",
        Severity.WARNING,
    )
    error = warning.as_error()
    assert error == Problem(
        "記載の率 21.5 は計算結果 12.5（2÷16）と一致しません（--strict のため、警告もエラーとして扱います）",
        at,
        "kpis[0].actual.typed",
        Severity.ERROR,
    )
    assert "出力します" not in str(error)


def test_other_warnings_and_errors_keep_their_words() -> None:
    warning = Problem("KPIの結果と食い違う評価です", None, "", Severity.WARNING)
    assert warning.as_error() == Problem("KPIの結果と食い違う評価です", None, "", Severity.ERROR)
    error = Problem("不明な項目「x」です")
    assert error.as_error() is error
