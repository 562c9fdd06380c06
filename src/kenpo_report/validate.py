"""Load and validate one branch-year: YAML files -> typed models.

All problems of all files are collected and raised together, each with its
file:line:column and field path, in Japanese.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import Position, Problem, UserError, format_path
from .loader import Loaded, SourceMap, load_file
from .project import Project
from .schema import PRIOR_YEAR, Branch, BranchYear, Catalog, Series

M = TypeVar("M", bound=BaseModel)


@dataclass(frozen=True)
class Plan:
    """Everything one branch-year's documents are built from."""

    branch_id: str
    year: int
    catalog: Catalog
    branch: Branch
    data: BranchYear
    source: SourceMap
    previous: BranchYear | None = None
    images: dict[str, bytes] = field(default_factory=dict)  # src -> bytes, checked
    next: Plan | None = None  # the following year's KPIs (次年度KPI), when planned


def iter_blocks(data: BranchYear) -> Iterator[tuple[tuple[str | int, ...], Any]]:
    """Every block of every page, columns included, with its path in the data."""

    def walk(
        blocks: list[Any], base: tuple[str | int, ...]
    ) -> Iterator[tuple[tuple[str | int, ...], Any]]:
        for b, block in enumerate(blocks):
            path = (*base, "blocks", b)
            yield path, block
            if block.type == "columns":
                for c, column in enumerate(block.columns):
                    yield from walk(column.blocks, (*path, "columns", c))

    for p, page in enumerate(data.pages):
        yield from walk(page.blocks, ("pages", p))


def load_plan(project: Project, branch: str, year: int) -> Plan:
    """Load, merge and validate a branch-year, with its catalogue and previous year."""
    problems: list[Problem] = []
    catalog = _load_model(project, project.catalog_file(year), Catalog, problems, "KPIカタログ")
    branch_model = _load_model(
        project, project.branch_file(branch), Branch, problems, "支部ファイル"
    )
    data, source = _load_year(project, branch, year, problems)
    # Neighbouring years: the previous one resolves 対前年度 targets, the next one
    # gives 次年度KPI. Their own problems are reported when they are checked.
    previous = _quiet_year(project, branch, year - 1)
    images: dict[str, bytes] = {}
    if catalog is not None and data is not None:
        problems += check_references(data, catalog, source, previous)
        problems += read_images(data, project.plans / branch, source, images)
    if problems:
        raise UserError(problems)
    assert catalog is not None and branch_model is not None and data is not None
    following = None
    next_data = _quiet_year(project, branch, year + 1)
    next_catalog = _load_model(project, project.catalog_file(year + 1), Catalog, [], "KPIカタログ")
    if (
        next_data is not None
        and next_catalog is not None
        and not check_references(next_data, next_catalog, SourceMap(), data)
    ):
        following = Plan(branch, year + 1, next_catalog, branch_model, next_data, SourceMap(), data)
    return Plan(branch, year, catalog, branch_model, data, source, previous, images, following)


def _quiet_year(project: Project, branch: str, year: int) -> BranchYear | None:
    if not project.year_files(branch, year):
        return None
    data, _ = _load_year(project, branch, year, [])
    return data


MAX_IMAGE_BYTES = 5 * 1024 * 1024
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def read_images(
    data: BranchYear, folder: Path, source: SourceMap, images: dict[str, bytes]
) -> list[Problem]:
    """Read every image a plan names, refusing paths that leave the branch folder.

    The schema already refuses absolute paths and ``..``; here the real path
    (symlinks resolved) must still lie inside plans/<branch>/.
    """
    problems: list[Problem] = []
    root = folder.resolve()
    for block_path, block in iter_blocks(data):
        if block.type != "image":
            continue
        path = (*block_path, "src")
        candidate = folder / block.src
        resolved = candidate.resolve()
        if not resolved.is_relative_to(root):
            message = f"画像「{block.src}」は支部のフォルダ（{folder.name}/）の外を指しています"
        elif not resolved.is_file():
            message = f"画像「{block.src}」がありません"
        elif resolved.stat().st_size > MAX_IMAGE_BYTES:
            message = (
                f"画像「{block.src}」が大きすぎます（上限 {MAX_IMAGE_BYTES // 1024 // 1024}MB）"
            )
        else:
            content = resolved.read_bytes()
            if content.startswith(_IMAGE_MAGIC):
                images[block.src] = content
                continue
            message = f"画像「{block.src}」はPNGでもJPEGでもありません"
        problems.append(Problem(message, source.get(path), format_path(path)))
    return problems


def _load_model(
    project: Project, path: Path, model: type[M], problems: list[Problem], what: str
) -> M | None:
    name = project.relative(path)
    if not path.is_file():
        problems.append(Problem(f"{what}がありません", Position(name, 1, 1)))
        return None
    try:
        loaded = load_file(path, name)
    except UserError as exc:
        problems += exc.problems
        return None
    return validate_model(model, loaded, problems)


def _load_year(
    project: Project, branch: str, year: int, problems: list[Problem]
) -> tuple[BranchYear | None, SourceMap]:
    files = project.year_files(branch, year)
    if not files:
        folder = project.relative(project.year_dir(branch, year))
        problems.append(
            Problem(f"{folder}/ に年度のデータ（*.yaml）がありません", Position(folder, 1, 1))
        )
        return None, SourceMap()
    parts: list[Loaded] = []
    for path in files:
        try:
            parts.append(load_file(path, project.relative(path)))
        except UserError as exc:
            problems += exc.problems
    if len(parts) != len(files):
        return None, SourceMap()
    merged = merge(parts, problems)
    if merged is None:
        return None, SourceMap()
    return validate_model(BranchYear, merged, problems), merged.source


def merge(parts: list[Loaded], problems: list[Problem]) -> Loaded | None:
    """Merge the files of one branch-year: lists concatenate, other keys must be unique."""
    data: dict[str, Any] = {}
    source = SourceMap()
    ok = True
    for part in parts:
        if not isinstance(part.data, dict):
            problems.append(
                Problem("ファイルの一番上は「キー: 値」の形にしてください", part.source.get(()))
            )
            ok = False
            continue
        source.positions.setdefault((), part.source.get(()))  # type: ignore[arg-type]
        for key, value in part.data.items():
            if key not in data:
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
                ok = False
    return Loaded(data, source) if ok else None


def _subtree(source: SourceMap, prefix: tuple[str | int, ...]) -> SourceMap:
    out = SourceMap()
    for mine, theirs in ((out.positions, source.positions), (out.keys, source.keys)):
        for path, pos in theirs.items():
            if path[: len(prefix)] == prefix:
                mine[path] = pos
    return out


def validate_model(model: type[M], loaded: Loaded, problems: list[Problem]) -> M | None:
    try:
        return model.model_validate(loaded.data)
    except ValidationError as exc:
        problems += [_problem(err, loaded) for err in exc.errors(include_url=False)]
        return None


def _real_path(data: Any, loc: tuple[Any, ...]) -> tuple[list[str | int], list[Any]]:
    """Follow *loc* through *data*, dropping pydantic's union/validator tags."""
    path: list[str | int] = []
    rest: list[Any] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            path.append(part)
            current = current[part]
        else:
            rest.append(part)
    return path, rest


def _problem(err: Any, loaded: Loaded) -> Problem:
    path, rest = _real_path(loaded.data, tuple(err["loc"]))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    missing_key = next((r for r in reversed(rest) if isinstance(r, str) and not _is_tag(r)), None)
    if kind == "missing":
        message = f"必須の項目「{missing_key}」がありません"
    elif kind == "extra_forbidden":
        message = f"不明な項目「{path[-1] if path else ''}」です（綴りを確認してください）"
    elif kind == "literal_error":
        message = (
            f"「{err['input']}」は使えません。次のどれかを書いてください: {ctx.get('expected', '')}"
        )
    elif kind == "string_pattern_mismatch":
        message = f"「{err['input']}」: 半角英小文字で始まり、半角英小文字・数字・_・- だけで書いてください"
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = "「キー: 値」の形で書いてください"
    elif kind in ("list_type", "tuple_type"):
        message = "一覧（- で始まる行）で書いてください"
    elif kind == "string_type":
        message = "文字列を書いてください"
    elif kind == "too_short":
        message = f"少なくとも{ctx.get('min_length')}個書いてください"
    elif kind == "string_too_long":
        message = f"{ctx.get('max_length')}文字以内で書いてください"
    elif kind == "string_too_short":
        message = "空にはできません。文字を書いてください"
    elif kind == "too_long":
        message = f"{ctx.get('max_length')}個までしか書けません"
    elif kind == "greater_than_equal":
        message = f"{ctx.get('ge')}以上の値を書いてください"
    elif kind == "less_than_equal":
        message = f"{ctx.get('le')}以下の値を書いてください"
    elif kind == "union_tag_invalid":
        message = f"type「{ctx.get('tag')}」はありません。次のどれかを書いてください: {ctx.get('expected_tags')}"
    elif kind == "union_tag_not_found":
        message = "type（ブロックの種類）を書いてください"
    elif kind == "bool_type" or kind == "bool_parsing":
        message = "true か false を書いてください"
    elif kind == "value_error":
        message = str(ctx.get("error", err["msg"]))
    else:
        message = err["msg"]
    field_path = [*path, missing_key] if kind == "missing" and missing_key else path
    at = loaded.source.key if kind == "extra_forbidden" else loaded.source.get
    return Problem(message, at(tuple(path)), format_path(tuple(field_path)))


def _is_tag(part: str) -> bool:
    return "[" in part or part in ("number", "ratio", "text", "spec", "str", "decimal")


def check_references(
    data: BranchYear, catalog: Catalog, source: SourceMap, previous: BranchYear | None = None
) -> list[Problem]:
    """Cross-references the schema alone cannot see: KPI ids, page ids."""
    problems: list[Problem] = []

    def problem(message: str, path: tuple[str | int, ...]) -> None:
        problems.append(Problem(message, source.get(path), format_path(path)))

    last_year = {e.kpi for e in previous.kpis if e.actual is not None} if previous else set()
    page_ids: dict[str, int] = {}
    for i, page in enumerate(data.pages):
        if page.id is None:
            continue
        if page.id in page_ids:
            problem(
                f"ページID「{page.id}」が重複しています（pages[{page_ids[page.id]}] と同じ）",
                ("pages", i, "id"),
            )
        page_ids.setdefault(page.id, i)
    entry_ids: set[str] = set()
    for i, entry in enumerate(data.kpis):
        if entry.kpi not in catalog.kpis:
            problem(f"KPI「{entry.kpi}」がKPIカタログにありません", ("kpis", i, "kpi"))
        if entry.kpi in entry_ids:
            problem(f"KPI「{entry.kpi}」が2回書かれています", ("kpis", i, "kpi"))
        entry_ids.add(entry.kpi)
        if entry.category is not None and entry.category not in catalog.categories:
            problem(
                f"区分「{entry.category}」がKPIカタログの categories にありません",
                ("kpis", i, "category"),
            )
        if entry.page is not None and entry.page not in page_ids:
            problem(f"ページ「{entry.page}」が pages にありません", ("kpis", i, "page"))
        if entry.target == PRIOR_YEAR and entry.prior is None and entry.kpi not in last_year:
            problem(
                "目標が「対前年度」のときは前年度実績（prior）を書いてください",
                ("kpis", i, "target"),
            )
    for message, path in check_series(data):
        problem(message, path)
    for block_path, block in iter_blocks(data):
        for path, kpi_id in _kpi_refs(block, block_path):
            if kpi_id not in entry_ids:
                problem(f"KPI「{kpi_id}」がこの年度の kpis にありません", path)
    return problems


def _kpi_refs(block: Any, base: tuple[str | int, ...]) -> list[tuple[tuple[str | int, ...], str]]:
    refs: list[tuple[tuple[str | int, ...], str]] = []
    if getattr(block, "kpi", None):
        refs.append(((*base, "kpi"), block.kpi))
    if block.type == "evaluation":
        refs += [((*base, "kpis", i), kpi_id) for i, kpi_id in enumerate(block.kpis)]
    if block.type == "kpi_box":
        refs += [((*base, "rows", i, "kpi"), row.kpi) for i, row in enumerate(block.rows)]
    if block.type == "table":
        for part in ("header", "rows"):
            for r, row in enumerate(getattr(block, part)):
                for c, cell in enumerate(row):
                    if not isinstance(cell, str) and cell.kpi:
                        refs.append(((*base, part, r, c, "kpi"), cell.kpi))
    return refs


def check_series(data: BranchYear) -> list[tuple[str, tuple[str | int, ...]]]:
    """Structural rules of series tables the schema cannot express."""
    problems: list[tuple[str, tuple[str | int, ...]]] = []
    for block_path, block in iter_blocks(data):
        if not isinstance(block, Series):
            continue
        for r, row in enumerate(block.rows):
            path = (*block_path, "rows", r)
            need = {"values": 0, "cumulative": 1, "ratio": 2}[row.kind]
            if row.kind == "values":
                if row.values is None or len(row.values) != len(block.columns):
                    problems.append(
                        (
                            f"values には列の数（{len(block.columns)}個）の値を書いてください",
                            (*path, "values"),
                        )
                    )
                continue
            of = row.of or []
            if len(of) != need or any(i >= r for i in of):
                problems.append(
                    (
                        f"of には、この行より上の行の番号を{need}個書いてください（0から数えます）",
                        (*path, "of"),
                    )
                )
            elif row.kind == "ratio" and any(block.rows[i].kind == "ratio" for i in of):
                problems.append(("比の行から比は計算できません", (*path, "of")))
            if row.values is not None and len(row.values) != len(block.columns):
                problems.append(
                    (
                        f"values には列の数（{len(block.columns)}個）の値を書いてください",
                        (*path, "values"),
                    )
                )
    return problems
