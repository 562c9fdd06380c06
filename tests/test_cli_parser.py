"""argparse in Japanese: each message argparse can say, triggered for real and read back."""

from __future__ import annotations

import pytest

from kenpo_report.cli_arguments import argument_parser
from kenpo_report.cli_parser import Parser


def _error(parser, capsys, *args: str) -> tuple[str, str]:
    """(usage line, message) of a usage error, which exits with 2."""
    with pytest.raises(SystemExit) as exc:
        parser.parse_args(list(args))
    assert exc.value.code == 2
    lines = capsys.readouterr().err.splitlines()
    return lines[0], lines[-1].removeprefix("kenpo-report: 使い方の誤り: ")


def _toy() -> Parser:
    """A parser with what kenpo-report's commands do not use: groups and counted values."""
    parser = Parser(prog="toy")
    exclusive = parser.add_mutually_exclusive_group(required=True)
    exclusive.add_argument("--pdf", action="store_true")
    exclusive.add_argument("--docx", action="store_true")
    parser.add_argument("--pair", nargs=2)
    parser.add_argument("--some", nargs="+")
    return parser


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (["frob"], "コマンド「frob」はありません。次のどれかを指定してください: build、check、"),
        (["chek"], "コマンド「chek」はありません（「check」の誤りではありませんか）。"),
        ([], "コマンド（command）を指定してください"),
        (["schema", "catalg"], "種類「catalg」はありません（「catalog」の誤りではありませんか）。"),
        (["list", "--format", "jsn"], "--format に「jsn」は指定できません（「json」の誤りでは"),
        (["build", "--kind"], "--kind: 値を一つ指定してください"),
        (["build", "--strict=yes"], "--strict: 値（yes）は付けられません"),
        (
            ["build", "--f", "pdf"],
            "--f は --format、--force のどれか分かりません。省略せずに書いて",
        ),
        (["build", "--jobs", "0"], "--jobs には1以上の整数を指定してください（0）"),
        (["check", "iwate", "2024", "extra"], "使えない引数です: extra"),
        (["preview", "iwate"], "年度（year）を指定してください"),
    ],
)
def test_kenpo_report_usage_errors_are_japanese(capsys, args, said):
    usage, message = _error(argument_parser(), capsys, *args)
    assert usage.startswith("使い方: kenpo-report")
    assert message.startswith(said)


@pytest.mark.parametrize(
    ("args", "said"),
    [
        ([], "--pdf --docx のどれかを指定してください"),
        (["--pdf", "--docx"], "--docx: --pdf と同時には指定できません"),
        (["--pdf", "--pair", "a"], "--pair: 値を2つ指定してください"),
        (["--pdf", "--some"], "--some: 値を指定してください"),
    ],
)
def test_the_other_messages_of_argparse_are_japanese(capsys, args, said):
    assert _error(_toy(), capsys, *args)[1] == said


def test_help_is_japanese(capsys):
    with pytest.raises(SystemExit):
        argument_parser().parse_args(["build", "-h"])
    out = capsys.readouterr().out
    assert out.startswith("使い方: kenpo-report build")
    assert "引数:" in out and "オプション:" in out and "この説明を表示して終わる" in out
    for english in ("usage:", "positional arguments", "options:", "show this help"):
        assert english not in out
