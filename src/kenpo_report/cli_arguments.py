"""The command line's arguments: the commands, their options and their help texts."""

from __future__ import annotations

import argparse
from pathlib import Path

from kenpo_report import __version__
from kenpo_report.cli_parser import Parser as _Parser


def argument_parser() -> argparse.ArgumentParser:
    """The arguments of every command; usage errors exit with 2 after argparse's message."""
    parser = _Parser(
        prog="kenpo-report", description="協会けんぽ支部の報告書をYAMLからPDF・DOCXで作ります"
    )
    parser.add_argument(
        "--version",
        action="version",
        version=f"kenpo-report {__version__}",
        help="版を表示して終わる",
    )
    parser.add_argument(
        "--project",
        type=Path,
        default=Path.cwd(),
        help="プロジェクトのフォルダ（既定: 現在のフォルダ）",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    _build_arguments(sub.add_parser("build", help="PDFとDOCXを作る"))
    _check_arguments(sub.add_parser("check", help="YAMLを検査する（出力はしない）"))
    _new_arguments(
        sub.add_parser(
            "new",
            help="新しい年度のフォルダを作る（前年度のデータから。新しい支部はKPIカタログからひな形を）",
        )
    )
    listing = sub.add_parser("list", help="支部・年度・文書と、出力が最新かを表示する")
    listing.add_argument("--format", choices=["text", "json"], default="text", help="出力の形式")
    _preview_arguments(
        sub.add_parser("preview", help="報告書をブラウザで確認する（保存すると自動で更新）")
    )
    _site_arguments(sub.add_parser("site", help="作った文書の目次（index.html）を作る"))
    _diff_arguments(
        sub.add_parser(
            "diff",
            help="git の版と比べて、変わったKPI・数値を表示する",
            description=DIFF_DESCRIPTION,
        )
    )
    _schema_arguments(sub.add_parser("schema", help="エディタ用のJSONスキーマを出力する"))
    # --project may also follow the command: `kenpo-report check --project DIR`.
    for command in sub.choices.values():
        command.add_argument(
            "--project", type=Path, default=argparse.SUPPRESS, help="プロジェクトのフォルダ"
        )
    return parser


def _build_arguments(build: argparse.ArgumentParser) -> None:
    build.add_argument("branch", nargs="?", help="支部（例: iwate）")
    build.add_argument("year", nargs="?", help="年度（西暦、例: 2024）")
    build.add_argument("--all", action="store_true", help="plans/ のすべての支部・年度を作る")
    build.add_argument(
        "--format", default="pdf,docx", help="出力形式（pdf,docx,html をカンマ区切りで）"
    )
    build.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    build.add_argument(
        "--pdf-variant", choices=["pdf/a-3b", "pdf/ua-1"], default=None, help="保存用のPDF形式"
    )
    build.add_argument(
        "--jobs",
        type=_jobs,
        default=None,
        metavar="N",
        help="同時に使うプロセスの数（既定: CPUのコア数）",
    )
    build.add_argument(
        "--watch",
        action="store_true",
        help="作った後も待ち、YAML・様式・フォントを保存するたびに作り直す（Ctrl+C で終了）",
    )
    build.add_argument(
        "--kind",
        choices=["results", "self_evaluation", "plan"],
        help="宣言していない種類の文書を試しに作る（--style と組で。例: --kind plan --style fukushima）",
    )
    build.add_argument("--style", help="--kind の文書の様式（templates/ のフォルダ名）")
    build.add_argument(
        "--force",
        action="store_true",
        help="出力が最新でも作り直す（前回の結果を使わない）",
    )


def _jobs(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--jobs には1以上の整数を指定してください（{text}）")
    return int(text)


def _check_arguments(check: argparse.ArgumentParser) -> None:
    check.add_argument("branch", nargs="?", help="支部（省略するとすべて）")
    check.add_argument("year", nargs="?", help="年度（省略するとすべて）")
    check.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    check.add_argument("--format", choices=["text", "json"], default="text", help="出力の形式")


def _new_arguments(new: argparse.ArgumentParser) -> None:
    new.add_argument("branch", help="支部（例: iwate）")
    new.add_argument("year", help="作る年度（西暦、例: 2025）")
    new.add_argument(
        "--name",
        help="新しい支部の支部名（例: 秋田支部）。plans/<支部>/branch.yaml がまだないときに付けると、"
        "branch.yaml とKPIカタログからの最初の年度のひな形を作ります",
    )


def _preview_arguments(preview: argparse.ArgumentParser) -> None:
    preview.add_argument("branch", help="支部（例: iwate）")
    preview.add_argument("year", help="年度（西暦、例: 2024）")
    preview.add_argument("--port", type=int, default=8000, help="ポート番号（既定: 8000）")


def _site_arguments(site: argparse.ArgumentParser) -> None:
    site.add_argument(
        "--output",
        type=Path,
        default=None,
        help="文書のあるフォルダ。目次をここに書き出す（既定: プロジェクトの output/）",
    )


DIFF_DESCRIPTION = (
    "いまのファイル（コミットしていない変更も含む）の支部・年度を、git の版（REV）の同じ支部・年度と比べ、"
    "目標・実績・文言・名前を付けた数値（figures）が変わったKPIと数値を、変更前・変更後と達成の変化とともに"
    "表示します。どちらも build と同じに計算して比べます。REV を省略すると、plans/<支部>/<年度>/ を"
    "最後に変えたコミットの一つ前の版と比べます（コミットした直後なら、そのコミットの変更が表示されます）"
)


def _diff_arguments(diff: argparse.ArgumentParser) -> None:
    diff.add_argument("branch", help="支部（例: fukushima）")
    diff.add_argument("year", help="年度（西暦、例: 2025）")
    diff.add_argument(
        "rev",
        nargs="?",
        default=None,
        metavar="REV",
        help="比べる版（git のタグ・コミット・ブランチ。既定: plans/<支部>/<年度>/ を最後に変えたコミットの前の版）",
    )
    diff.add_argument(
        "--format",
        choices=["text", "json", "markdown"],
        default="text",
        help="出力の形式（markdown は表。プルリクエストの確認用）",
    )


def _schema_arguments(schema: argparse.ArgumentParser) -> None:
    schema.add_argument(
        "kind", nargs="?", default="branch-year", choices=["branch-year", "catalog", "branch"]
    )
    schema.add_argument(
        "-o", "--output", type=Path, help="書き出すファイル（省略すると画面に表示）"
    )
