"""Command line: parse arguments (:mod:`.cli_arguments`), call the library, map exit codes.

Exit codes: 0 ok, 1 user error (or warnings under --strict), 2 usage.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable

from kenpo_report.build import pipeline
from kenpo_report.cli_arguments import argument_parser
from kenpo_report.errors import Problem, Severity, UsageError, UserError
from kenpo_report.project import Project, check_branch, check_year


def main(argv: list[str] | None = None) -> int:
    try:
        return _main(argv)
    except BrokenPipeError:
        # The reader went away (`check --format json | head`): stop quietly, as cat does.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 1


def _main(argv: list[str] | None = None) -> int:
    args = argument_parser().parse_args(argv)
    if args.command == "schema":
        return _schema(args)
    try:
        project = Project.at(args.project)
        return _COMMANDS[args.command](project, args)
    except UsageError as exc:
        print(f"kenpo-report: 使い方の誤り: {exc}", file=sys.stderr)
        return 2
    except UserError as exc:
        _print(exc.problems)
        print(f"{_count(exc.problems)}。出力していません。", file=sys.stderr)
        return 1


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
    branch, year = project.branch_year(args.branch, args.year)
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
        same = bool(args.watch and shown and result.warnings == shown)
        _print_build_warnings(result.warnings, branch, year, same)
        shown[:] = result.warnings
        for path in result.written:
            print(f"作成しました: {project.relative(path)}", flush=True)
        for path in result.up_to_date:
            print(f"変更はありません（最新）: {project.relative(path)}", flush=True)

    if args.watch:
        return _watch(project, build_once, args.force)
    build_once(args.force)
    return 0


def _print_build_warnings(
    problems: list[Problem], branch: str, year: int, same: bool = False
) -> None:
    """A build's warnings, and its places still to fill in as one line (check lists them)."""
    warnings = [p for p in problems if p.severity is not Severity.PENDING]
    if same and warnings:
        print(f"警告 {len(warnings)}件（前回と同じ）", file=sys.stderr)
    elif not same:
        _print(warnings)
    pending = len(problems) - len(warnings)
    if pending:
        print(
            f"{Severity.PENDING.value} {pending}件（kenpo-report check {branch} {year} で一覧）",
            file=sys.stderr,
        )


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
        from kenpo_report.validate.messages import choices, did_you_mean

        said = f"様式「{args.style}」は {args.kind} の文書を作れません"
        if args.style not in project.styles():
            said = f"様式「{args.style}」はありません{did_you_mean(args.style, styles)}"
        raise UsageError(f"{said}。{args.kind} の様式: {choices(styles) or 'なし'}")
    return args.kind, args.style


def _watch(project: Project, build_once: Callable[[bool], None], force: bool) -> int:
    """Build, then again on every save: imports done, a rebuild takes about a second."""
    from kenpo_report.build.pipeline import import_renderers
    from kenpo_report.build.watch import InputWatcher

    import_renderers()  # once, here; each rebuild forks its workers from this process

    def rebuild(names: list[str]) -> None:
        nonlocal force
        if names:
            print(f"変更: {', '.join(names)}", file=sys.stderr, flush=True)
        start = time.perf_counter()
        try:
            build_once(force)
            force = False  # --force: the first build only
            print(f"（{time.perf_counter() - start:.1f}秒）", file=sys.stderr, flush=True)
        except UserError as exc:
            _print(exc.problems)
            print(f"{_count(exc.problems)}。直して保存すると作り直します。", file=sys.stderr)
        print("保存を待っています（終わるには Ctrl+C）…", file=sys.stderr, flush=True)

    try:
        saves = InputWatcher(project)  # before the first build: a save during it is not missed
        rebuild([])
        saves.follow(rebuild)
    except KeyboardInterrupt:  # Ctrl+C during a build: the outputs are as the last one left them
        pass
    print("終了しました", file=sys.stderr)
    return 0


def _build_all(
    project: Project, formats: tuple[str, ...], jobs: int, args: argparse.Namespace
) -> int:
    """Every branch-year, each all-or-nothing; one failure does not stop the others."""
    from tqdm import tqdm  # only build --all shows a progress bar; importing it takes 80 ms

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
            _print_build_warnings(outcome.result.warnings, outcome.branch, outcome.year)
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
        branch = project.known_branch(args.branch)
        targets = [t for t in targets if t[0] == branch]
        if args.year:
            targets = [project.branch_year(branch, args.year)]
        elif not targets:
            raise UsageError(f"支部「{branch}」のデータが plans/ にありません")
    problems: list[Problem] = []
    for branch, year in targets:
        try:
            problems += pipeline.check(project, branch, year)
        except UserError as exc:
            problems += exc.problems
    if args.strict:
        problems = [p.as_error() for p in problems]
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

    result = rollover.new_year(project, check_branch(args.branch), check_year(args.year), args.name)
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


def _preview(project: Project, args: argparse.Namespace) -> int:
    from kenpo_report.commands.preview import serve  # only here: others need no file watcher

    return serve(project, *project.branch_year(args.branch, args.year), port=args.port)


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


def _diff(project: Project, args: argparse.Namespace) -> int:
    from kenpo_report.commands import diff  # here: only this command runs git
    from kenpo_report.commands.diff import output

    comparison = diff.compare(project, check_branch(args.branch), check_year(args.year), args.rev)
    writers = {"text": output.as_text, "json": output.as_json, "markdown": output.as_markdown}
    sys.stdout.write(writers[args.format](comparison))
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
    """「エラー x件、警告 y件」, and 「、記入待ち z件」 when there are places to fill in."""
    errors = sum(1 for p in problems if p.severity is Severity.ERROR)
    pending = sum(1 for p in problems if p.severity is Severity.PENDING)
    text = f"エラー {errors}件、警告 {len(problems) - errors - pending}件"
    return f"{text}、記入待ち {pending}件" if pending else text


_COMMANDS: dict[str, Callable[[Project, argparse.Namespace], int]] = {
    "build": _build,
    "check": _check,
    "new": _new,
    "list": _list,
    "preview": _preview,
    "site": _site,
    "diff": _diff,
}

if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
