"""The files of one branch-year, read and merged into one mapping with its source map.

The YAML files of plans/<branch>/<year>/ are one branch-year: their lists (kpis,
pages, ...) are concatenated in file order, and every other key is written in one
file only. A file that cannot be read or merged is reported and left out; the rest
is merged all the same, so that its own problems are reported too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, get_origin

from kenpo_report.errors import Position, Problem
from kenpo_report.load.yaml_source import Loaded, SourceMap, load_file_collecting
from kenpo_report.model import BranchYear
from kenpo_report.project import Project

# The keys of a branch-year whose files' lists are concatenated.
LIST_KEYS = frozenset(
    info.alias or name
    for name, info in BranchYear.model_fields.items()
    if get_origin(info.annotation) is list
)


@dataclass(frozen=True)
class YearFiles:
    """A branch-year's files as one mapping."""

    merged: Loaded | None  # None: there is no file, or none could be read
    complete: bool  # every file was read and went whole into the merge


def load_year_files(project: Project, branch: str, year: int, problems: list[Problem]) -> YearFiles:
    """Read and merge the year's files, adding the problems of all of them to *problems*."""
    files = project.year_files(branch, year)
    if not files:
        folder = project.relative(project.year_dir(branch, year))
        problems.append(
            Problem(f"{folder}/ に年度のデータ（*.yaml）がありません", Position(folder, 1, 1))
        )
        return YearFiles(None, False)
    parts: list[Loaded] = []
    lengths: dict[str, int] = {}  # list lengths so far: where each file's items start
    for path in files:
        found: list[Problem] = []
        loaded = load_file_collecting(path, project.relative(path), found)
        problems += [_shift(p, lengths) for p in found]
        if loaded is None:
            continue  # reported; the other files are still checked
        parts.append(loaded)
        if isinstance(loaded.data, dict):
            for key, value in loaded.data.items():
                if isinstance(value, list) and key in LIST_KEYS:
                    lengths[key] = lengths.get(key, 0) + len(value)
    if not parts:
        return YearFiles(None, False)
    merged, whole = merge(parts, problems)
    return YearFiles(merged, whole and len(parts) == len(files))


_LISTED = re.compile(r"^([^.\[]+)\[([0-9]+)\]")


def _shift(problem: Problem, lengths: dict[str, int]) -> Problem:
    """A problem of one file, with its list index moved to the merged lists' index."""
    m = _LISTED.match(problem.field)
    if not m or not lengths.get(m.group(1)):
        return problem
    index = int(m.group(2)) + lengths[m.group(1)]
    field_path = f"{m.group(1)}[{index}]{problem.field[m.end() :]}"
    return Problem(problem.message, problem.position, field_path, problem.severity)


def merge(parts: list[Loaded], problems: list[Problem]) -> tuple[Loaded, bool]:
    """Merge the files of one branch-year: lists concatenate, other keys must be unique.

    A part that cannot be merged (a file that is not a mapping, a list written as
    a mapping, a key written in two files) is reported and left out; the rest is
    merged, so that its own problems are reported too. Returns the merged data and
    whether every part went into it.
    """
    data: dict[str, Any] = {}
    source = SourceMap()
    whole = True
    for part in parts:
        if not isinstance(part.data, dict):
            problems.append(
                Problem("ファイルの一番上は「キー: 値」の形にしてください", part.source.get(()))
            )
            whole = False
            continue
        source.positions.setdefault((), part.source.get(()))  # type: ignore[arg-type]
        for key, value in part.data.items():
            if key in LIST_KEYS and not isinstance(value, list):
                problems.append(
                    Problem("一覧（- で始まる行）で書いてください", part.source.get((key,)), key)
                )
                whole = False
            elif key not in data:
                data[key] = value
                source.update(_subtree(part.source, (key,)), ())
            elif isinstance(data[key], list) and isinstance(value, list):
                offset = len(data[key])
                data[key] = data[key] + value
                source.update(part.source.shifted(key, offset))
            else:
                first = source.get((key,))
                problems.append(
                    Problem(
                        f"「{key}」は {first} にも書かれています（一覧でない項目は1つのファイルにだけ書いてください）",
                        part.source.get((key,)),
                        key,
                    )
                )
    return Loaded(data, source), whole


def _subtree(source: SourceMap, prefix: tuple[str | int, ...]) -> SourceMap:
    out = SourceMap()
    for mine, theirs in ((out.positions, source.positions), (out.keys, source.keys)):
        for path, pos in theirs.items():
            if path[: len(prefix)] == prefix:
                mine[path] = pos
    return out
