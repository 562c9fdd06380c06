"""The new year's files: one per file of last year, same names and order, written at once.

Each file is converted key by key, written with its leading comments moved on,
read back to check the writer, and its requests to the planner located
(file:line:col). The folder is staged and renamed into place by the one atomic
writer, so an existing year folder is never touched.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kenpo_report.build.writer import write_new_folder
from kenpo_report.commands.rollover.context import Context, Todo
from kenpo_report.commands.rollover.documents import document, section
from kenpo_report.commands.rollover.era import shift_era
from kenpo_report.commands.rollover.kpis import carried_kpi
from kenpo_report.commands.rollover.measures import measure
from kenpo_report.commands.rollover.pages import page
from kenpo_report.commands.rollover.yaml_writer import dump, iter_todos, plain
from kenpo_report.errors import UserError
from kenpo_report.load.yaml_source import load_file, load_text
from kenpo_report.model import KpiEntry
from kenpo_report.project import Project

MODELINE = "# yaml-language-server: $schema=../../../schema/branch-year.schema.json"
# The words of the comment `new` puts at the head of every file it writes (this module's and
# first_year's): the next year's files get their own, not the old one moved on.
MADE_BY_NEW = "kenpo-report new で作"


def new_files(
    project: Project, ctx: Context, branch: str, sources: list[Path]
) -> dict[str, tuple[str, dict[str, Any]]]:
    """File name -> (YAML text, data with notes) of the new year, in last year's order."""
    entries = iter(ctx.previous.data.kpis)  # validated, in the order of the files
    outputs: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in sources:
        loaded = load_file(path, project.relative(path))
        data = {key: _converted(ctx, key, value, entries) for key, value in loaded.data.items()}
        header = _header(path.read_text(encoding="utf-8"), ctx, branch)
        outputs[path.name] = (dump(data, header), data)
    return outputs


def todos(folder_name: str, outputs: dict[str, tuple[str, dict[str, Any]]]) -> list[Todo]:
    """What the planner is asked for, at its place in the written files."""
    found: list[Todo] = []
    for file_name, (text, data) in outputs.items():
        loaded = load_text(text, f"{folder_name}/{file_name}")
        if loaded.data != plain(data):  # pragma: no cover - a bug in the writer
            raise AssertionError(f"{file_name}: written YAML does not read back the same")
        for p, kind, message in iter_todos(data):
            where = loaded.source.key(p) if p and isinstance(p[-1], str) else loaded.source.get(p)
            found.append(Todo(kind, message, where))
    return found


def write(target: Path, files: dict[str, str]) -> list[Path]:
    """Stage next to the target, then rename the whole folder into place."""
    try:
        return write_new_folder(target, {n: t.encode("utf-8") for n, t in files.items()})
    except OSError as exc:
        raise UserError.single(
            f"{target} を書き込めませんでした（{exc.strerror or exc}）"
        ) from None


def _converted(ctx: Context, key: str, value: Any, entries: Iterator[KpiEntry]) -> Any:
    """A top-level value of a file, for the new year; other keys are carried as they are."""
    if key == "documents" and isinstance(value, list):
        return [document(ctx, d) for d in value]
    if key == "kpis" and isinstance(value, list):
        carried = (carried_kpi(ctx, raw, next(entries)) for raw in value)
        return [new for new in carried if new is not None]
    if key == "pages" and isinstance(value, list):
        return [page(ctx, p) for p in value]
    if key == "measures" and isinstance(value, list):
        return [measure(ctx, m) for m in value]
    if key == "sections" and isinstance(value, dict):
        return {k: section(ctx, k, v) for k, v in value.items()}
    return value


def _header(text: str, ctx: Context, branch: str) -> list[str]:
    """The source file's leading comments, modeline first, moved to the new year."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    modeline = next((ln for ln in lines if "yaml-language-server:" in ln), MODELINE)
    rest = [shift_era(ln, ctx.year - 1) for ln in lines if ln != modeline and MADE_BY_NEW not in ln]
    made = (
        f"# {ctx.last_fy}（plans/{branch}/{ctx.year - 1}/）から {MADE_BY_NEW}りました。"
        "「記入待ち」の箇所を書き、「確認」の箇所を見直してください。"
    )
    return [modeline, *rest, made]
