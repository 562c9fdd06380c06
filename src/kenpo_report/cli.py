"""Command line: parse arguments, call the library, map problems to exit codes.

Exit codes: 0 ok, 1 user error (or warnings under --strict), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Callable
from pathlib import Path

from tqdm import tqdm

from kenpo_report import __version__
from kenpo_report.build import pipeline
from kenpo_report.errors import Problem, Severity, UsageError, UserError
from kenpo_report.project import Project, check_branch, check_year


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own messages, exit 2
        self.print_usage(sys.stderr)
        print(f"kenpo-report: 使い方の誤り: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="kenpo-report", description="協会けんぽ支部の報告書をYAMLからPDF・DOCXで作ります"
    )
    parser.add_argument("--version", action="version", version=f"kenpo-report {__version__}")
    parser.add_argument(
        "--project",
        type=Path,
        default=Path.cwd(),
        help="プロジェクトのフォルダ（既定: 現在のフォルダ）",
    )
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    build = sub.add_parser("build", help="PDFとDOCXを作る")
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

    check = sub.add_parser("check", help="YAMLを検査する（出力はしない）")
    check.add_argument("branch", nargs="?", help="支部（省略するとすべて）")
    check.add_argument("year", nargs="?", help="年度（省略するとすべて）")
    check.add_argument("--strict", action="store_true", help="警告もエラーとして扱う")
    check.add_argument("--format", choices=["text", "json"], default="text", help="出力の形式")

    new = sub.add_parser("new", help="前年度のデータから新しい年度のフォルダを作る")
    new.add_argument("branch", help="支部（例: iwate）")
    new.add_argument("year", help="作る年度（西暦、例: 2025）")

    listing = sub.add_parser("list", help="支部・年度・文書と、出力が最新かを表示する")
    listing.add_argument("--format", choices=["text", "json"], default="text", help="出力の形式")

    preview = sub.add_parser("preview", help="報告書をブラウザで確認する（保存すると自動で更新）")
    preview.add_argument("branch", help="支部（例: iwate）")
    preview.add_argument("year", help="年度（西暦、例: 2024）")
    preview.add_argument("--port", type=int, default=8000, help="ポート番号（既定: 8000）")

    site = sub.add_parser("site", help="作った文書の目次（index.html）を作る")
    site.add_argument(
        "--output",
        type=Path,
        default=None,
        help="文書のあるフォルダ。目次をここに書き出す（既定: プロジェクトの output/）",
    )

    schema = sub.add_parser("schema", help="エディタ用のJSONスキーマを出力する")
    schema.add_argument(
        "kind", nargs="?", default="branch-year", choices=["branch-year", "catalog", "branch"]
    )
    schema.add_argument(
        "-o", "--output", type=Path, help="書き出すファイル（省略すると画面に表示）"
    )
    # --project may also follow the command: `kenpo-report check --project DIR`.
    for command in sub.choices.values():
        command.add_argument(
            "--project", type=Path, default=argparse.SUPPRESS, help="プロジェクトのフォルダ"
        )
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`check --format json | head`): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "schema":
        return _schema(args)
    try:
        project = Project.at(args.project)
        if args.command == "preview":
            from kenpo_report.commands.preview import (
                serve,  # only here: other commands need no file watcher
            )

            return serve(project, check_branch(args.branch), check_year(args.year), port=args.port)
        if args.command == "build":
            return _build(project, args)
        if args.command == "new":
            return _new(project, args)
        if args.command == "list":
            return _list(project, args)
        if args.command == "site":
            return _site(project, args)
        return _check(project, args)
    except UsageError as exc:
        print(f"kenpo-report: 使い方の誤り: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        _print(exc.problems)
        print(f"{_count(exc.problems)}。出力していません。", file=sys.stderr)
        return 1


def _jobs(text: str) -> int:
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"--jobs には1以上の整数を指定してください（{text}）")
    return int(text)


def _build(project: Project, args: argparse.Namespace) -> int:
    from kenpo_report.build.workers import default_jobs

    formats = tuple(f.strip() for f in args.format.split(",") if f.strip())
    unknown = [f for f in formats if f not in pipeline.ALL_FORMATS]
    if unknown or not formats:
        raise UsageError(
            f"--format には pdf, docx, html を指定してください（{', '.join(unknown) or '空'}）"
        )
    jobs = args.jobs or default_jobs()
    if args.all:
        if args.branch or args.year:
            raise UsageError("--all と支部・年度は同時に指定できません")
        for flag, given in (("--watch", args.watch), ("--kind", args.kind or args.style)):
            if given:
                raise UsageError(
                    f"{flag} は支部・年度を一つ指定して使ってください（--all とは使えません）"
                )
        return _build_all(project, formats, jobs, args)
    if not (args.branch and args.year):
        raise UsageError(
            "支部と年度を指定してください（例: kenpo-report build iwate 2024）。すべてなら --all"
        )
    branch, year = check_branch(args.branch), check_year(args.year)
    trial = _trial(project, args)

    shown: list[Problem] = []

    def build_once(force: bool) -> None:
        result = pipeline.build(
            project,
            branch,
            year,
            formats,
            strict=args.strict,
            pdf_variant=args.pdf_variant,
            jobs=jobs,
            force=force,
            trial=trial,
        )
        if args.watch and shown and result.warnings == shown:
            print(f"警告 {len(shown)}件（前回と同じ）", file=sys.stderr)
        else:
            _print(result.warnings)
        shown[:] = result.warnings
        for path in result.written:
            print(f"作成しました: {project.relative(path)}", flush=True)
        for path in result.up_to_date:
            print(f"変更はありません（最新）: {project.relative(path)}", flush=True)

    if args.watch:
        return _watch(project, build_once, args.force)
    build_once(args.force)
    return 0


def _trial(project: Project, args: argparse.Namespace) -> tuple[str, str] | None:
    """(kind, style) of --kind/--style, checked against the styles that draw the kind."""
    if args.kind is None and args.style is None:
        return None
    if args.kind is None or args.style is None:
        raise UsageError(
            "--kind と --style は組で指定してください（例: --kind plan --style fukushima）"
        )
    styles = project.styles(args.kind)
    if args.style not in styles:
        raise UsageError(
            f"様式「{args.style}」は {args.kind} の文書を作れません。"
            f"{args.kind} の様式: {', '.join(styles) or 'なし'}"
        )
    return args.kind, args.style


def _watch(project: Project, build_once: Callable[[bool], None], force: bool) -> int:
    """Build, then again on every save: imports done, a rebuild takes about a second."""
    import logging
    import time

    import watchfiles

    from kenpo_report.build.pipeline import import_renderers
    from kenpo_report.commands.preview import relevant_change

    logging.getLogger("watchfiles").setLevel(logging.ERROR)  # its own English notices
    import_renderers()  # once, here; each rebuild forks its workers from this process
    roots = [p for p in (project.plans, project.templates, project.fonts) if p.is_dir()]
    # One watcher for the whole session, started before the first build (the
    # generator starts it on the first next(), which returns after rust_timeout
    # with nothing): a save during a build is not missed.
    saves = watchfiles.watch(
        *roots,
        watch_filter=relevant_change,
        raise_interrupt=False,
        yield_on_timeout=True,
        rust_timeout=500,
    )
    next(saves, None)
    try:
        while True:
            start = time.perf_counter()
            try:
                build_once(force)
                force = False  # --force: the first build only
                print(f"（{time.perf_counter() - start:.1f}秒）", file=sys.stderr, flush=True)
            except UserError as exc:
                _print(exc.problems)
                print(f"{_count(exc.problems)}。直して保存すると作り直します。", file=sys.stderr)
            print("保存を待っています（終わるには Ctrl+C）…", file=sys.stderr, flush=True)
            changes: set | None = set()
            while changes == set():  # an empty set: rust_timeout passed without a save
                changes = next(saves, None)
            if changes is None:  # Ctrl+C while waiting
                break
            names = sorted({project.relative(Path(path)) for _, path in changes})
            print(f"変更: {', '.join(names)}", file=sys.stderr, flush=True)
    except KeyboardInterrupt:  # Ctrl+C during a build: the outputs are as the last one left them
        pass
    print("終了しました", file=sys.stderr)
    return 0


def _build_all(
    project: Project, formats: tuple[str, ...], jobs: int, args: argparse.Namespace
) -> int:
    """Every branch-year, each all-or-nothing; one failure does not stop the others."""
    from kenpo_report.build.batch import build_all

    outcomes = build_all(
        project,
        formats,
        strict=args.strict,
        pdf_variant=args.pdf_variant,
        jobs=jobs,
        force=args.force,
    )
    total = len(project.branch_years())
    failed: list[str] = []
    current = 0
    with tqdm(total=total, desc="作成中", unit="件", file=sys.stderr, disable=None) as bar:
        for outcome in outcomes:
            bar.update(1)
            if outcome.result is None:
                _print(outcome.problems)
                failed.append(f"{outcome.branch} {outcome.year}")
                continue
            _print(outcome.result.warnings)
            current += not outcome.result.written
            for path in outcome.result.written:
                tqdm.write(f"作成しました: {project.relative(path)}", file=sys.stdout)
    if current:
        print(f"変更のなかった支部・年度: {current}件（作り直していません）", file=sys.stderr)
    if failed:
        print(
            f"作成できなかった支部・年度（{len(failed)}件）: {', '.join(failed)}", file=sys.stderr
        )
        return 1
    return 0


def _check(project: Project, args: argparse.Namespace) -> int:
    targets = project.branch_years()
    if args.branch:
        branch = check_branch(args.branch)
        targets = [t for t in targets if t[0] == branch]
        if args.year:
            year = check_year(args.year)
            targets = [t for t in targets if t[1] == year] or [(branch, year)]
        elif not targets:
            raise UsageError(f"支部「{branch}」のデータが plans/ にありません")
    problems: list[Problem] = []
    for branch, year in targets:
        try:
            problems += pipeline.check(project, branch, year)
        except UserError as exc:
            problems += exc.problems
    if args.strict:
        problems = [Problem(p.message, p.position, p.field, Severity.ERROR) for p in problems]
    failed = any(p.severity is Severity.ERROR for p in problems)
    if args.format == "json":
        print(
            json.dumps(
                {
                    "ok": not failed,
                    "checked": [f"{b}/{y}" for b, y in targets],
                    "problems": [p.as_dict() for p in problems],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        _print(problems)
        summary = _count(problems) if problems else "問題はありません"
        print(f"{len(targets)}件の支部・年度を検査しました: {summary}", file=sys.stderr)
    return 1 if failed else 0


def _new(project: Project, args: argparse.Namespace) -> int:
    from kenpo_report.commands import rollover

    result = rollover.new_year(project, check_branch(args.branch), check_year(args.year))
    for path in result.written:
        print(f"作成しました: {project.relative(path)}")
    for todo in result.todos:
        print(todo)
    counts = "、".join(
        f"{kind} {sum(1 for t in result.todos if t.kind == kind)}件"
        for kind in (rollover.TODO, rollover.CONFIRM, rollover.NOTICE)
    )
    print(f"{counts}。記入待ちの箇所を書いてから build してください。")
    _print(result.problems)
    if any(p.severity is Severity.ERROR for p in result.problems):
        print(
            f"作成したデータの検査: {_count(result.problems)}。記入待ちの箇所を書くと解消します。",
            file=sys.stderr,
        )
        return 1
    summary = _count(result.problems) if result.problems else "問題はありません"
    print(f"作成したデータの検査: {summary}", file=sys.stderr)
    return 0


def _list(project: Project, args: argparse.Namespace) -> int:
    from kenpo_report.commands import status

    rows = status.project_status(project)
    if args.format == "json":
        print(json.dumps([r.as_dict() for r in rows], ensure_ascii=False, indent=2))
    else:
        sys.stdout.write(status.table(rows))
    return 0


def _site(project: Project, args: argparse.Namespace) -> int:
    from kenpo_report.commands import site  # here, like preview: only this command uses it

    target, rows = site.write_index(project, args.output)
    errors = [f"{r.branch} {r.year}" for r in rows if r.state == site.ERROR]
    missing = [f"{r.branch} {r.year} {r.document}" for r in rows if r.missing]
    print(f"作成しました: {project.relative(target)}")
    if missing:
        print(f"{site.MISSING}の文書（{len(missing)}件）: {', '.join(missing)}", file=sys.stderr)
    if errors:
        print(
            f"データに誤りのある支部・年度（{len(errors)}件、目次には{site.ERROR}と表示）: "
            f"{', '.join(errors)}",
            file=sys.stderr,
        )
    return 0


def _schema(args: argparse.Namespace) -> int:
    from kenpo_report.docs.schema_export import json_schema_text

    text = json_schema_text(args.kind)
    if args.output:
        args.output.write_text(text, encoding="utf-8")
        print(f"書き出しました: {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def _print(problems: list[Problem]) -> None:
    for problem in problems:
        print(problem, file=sys.stderr)


def _count(problems: list[Problem]) -> str:
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    warnings = len(problems) - errors
    return f"エラー {errors}件、警告 {warnings}件"


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
