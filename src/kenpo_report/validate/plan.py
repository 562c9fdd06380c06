"""Load and validate one branch-year: YAML files -> typed models.

All problems of all files are collected and raised together, each with its
file:line:column and field path, in Japanese, sorted by file and line as a
compiler reports them. A problem in one file does not hide the others': every
file that reads as YAML is merged and validated, and the cross-references
(KPI ids, page ids, images, styles) are checked on every part that validated.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import re
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar, get_origin

from pydantic import BaseModel, ValidationError

from kenpo_report.errors import Position, Problem, UserError, format_path
from kenpo_report.load.yaml_source import Loaded, SourceMap, load_file_collecting
from kenpo_report.model import (
    KIND_NAMES,
    PRIOR_YEAR,
    Branch,
    BranchYear,
    Catalog,
    DocumentSettings,
    KpiEntry,
    Measure,
    Page,
    Section,
    Series,
)
from kenpo_report.project import Project

M = TypeVar("M", bound=BaseModel)
Path_ = tuple[str | int, ...]


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


def iter_blocks(data: BranchYear) -> Iterator[tuple[Path_, Any]]:
    """Every block of every page and measure, columns included, with its path in the data."""
    return _blocks(Parts.of(data).block_lists())


# The lists of free blocks a measure holds.
MEASURE_BLOCKS = ("prior_results", "results", "issues", "next_plan")


def _blocks(lists: Iterable[tuple[Path_, list[Any]]]) -> Iterator[tuple[Path_, Any]]:
    def walk(blocks: list[Any], base: Path_) -> Iterator[tuple[Path_, Any]]:
        for b, block in enumerate(blocks):
            path = (*base, b)
            yield path, block
            if block.type == "columns":
                for c, column in enumerate(block.columns):
                    yield from walk(column.blocks, (*path, "columns", c, "blocks"))

    for base, blocks in lists:
        yield from walk(blocks, base)


@dataclass
class Parts:
    """What validated of a branch-year: each item with its index in the merged lists.

    When the whole branch-year validates these are all its items; otherwise the
    items that validate on their own, so that cross-references can still be
    checked on them. Where an item did not validate, the ids of its kind are not
    known for sure (the error may be in the id itself): references to that kind
    are then not checked, rather than reported as a second, misleading error.
    """

    documents: list[tuple[int, DocumentSettings]] = field(default_factory=list)
    kpis: list[tuple[int, KpiEntry]] = field(default_factory=list)
    pages: list[tuple[int, Page]] = field(default_factory=list)
    kpi_ids: set[str] | None = field(default_factory=set)  # None: not known for sure
    page_ids: set[str] | None = field(default_factory=set)  # pages and measures
    reported: bool = False  # the year has documents (valid or not): it is reported on
    measures: list[tuple[int, Measure]] = field(default_factory=list)
    sections: dict[str, Section] = field(default_factory=dict)

    @classmethod
    def of(cls, data: BranchYear) -> Parts:
        return cls(
            list(enumerate(data.documents)),
            list(enumerate(data.kpis)),
            list(enumerate(data.pages)),
            {e.kpi for e in data.kpis},
            {p.id for p in data.pages if p.id is not None} | {m.id for m in data.measures},
            reported=bool(data.documents),
            measures=list(enumerate(data.measures)),
            sections=dict(data.sections),
        )

    def block_lists(self) -> list[tuple[Path_, list[Any]]]:
        """Every list of free blocks, with its path: pages, measures, sections, covers."""
        lists: list[tuple[Path_, list[Any]]] = [
            (("pages", p, "blocks"), page.blocks) for p, page in self.pages
        ]
        for m, measure in self.measures:
            lists += [(("measures", m, k), getattr(measure, k)) for k in MEASURE_BLOCKS]
        lists += [(("sections", k, "intro"), s.intro) for k, s in self.sections.items()]
        lists += [
            (("documents", d, "cover", "blocks"), doc.cover.blocks)
            for d, doc in self.documents
            if doc.cover is not None
        ]
        return lists

    @classmethod
    def salvage(cls, raw: Any) -> Parts:
        """The items of raw (merged) data that validate on their own."""
        parts = cls()
        if not isinstance(raw, dict):
            return parts
        parts.reported = bool(raw.get("documents"))
        for key, model in (
            ("documents", DocumentSettings),
            ("kpis", KpiEntry),
            ("pages", Page),
            ("measures", Measure),
        ):
            items = raw.get(key)
            if not isinstance(items, list):
                continue
            valid: list[tuple[int, Any]] = getattr(parts, key)
            for i, item in enumerate(items):
                with contextlib.suppress(ValidationError):
                    valid.append((i, model.model_validate(item)))
            whole = len(valid) == len(items)
            if key == "kpis":
                parts.kpi_ids = {e.kpi for _, e in parts.kpis} if whole else None
            elif key in ("pages", "measures") and parts.page_ids is not None:
                ids = {p.id for _, p in getattr(parts, key) if p.id}
                parts.page_ids = parts.page_ids | ids if whole else None
        return parts

    def unknown(self) -> None:
        """A file (or a list in one) could not be read: its KPIs and pages are not known."""
        self.kpi_ids = None
        self.page_ids = None


@dataclass(frozen=True)
class _Year:
    data: BranchYear | None
    source: SourceMap
    parts: Parts


@dataclass(frozen=True)
class Previous:
    """The branch-year before, as far as 対前年度 targets need it."""

    data: BranchYear | None  # None: no such folder, or it has errors
    folder: str  # plans/<branch>/<year>/, as shown to planners
    exists: bool


def load_plan(project: Project, branch: str, year: int) -> Plan:
    """Load, merge and validate a branch-year, with its catalogue and previous year."""
    problems: list[Problem] = []
    catalog = _load_model(project, project.catalog_file(year), Catalog, problems, "KPIカタログ")
    branch_model = _load_model(
        project, project.branch_file(branch), Branch, problems, "支部ファイル"
    )
    this = _load_year(project, branch, year, problems)
    # Neighbouring years: the previous one resolves 対前年度 targets, the next one
    # gives 次年度KPI. Their own problems are reported when they are checked.
    previous = _previous(project, branch, year)
    images: dict[str, bytes] = {}
    problems += _references(this.parts, catalog, this.source, previous)
    problems += check_styles(this.parts, project, this.source)
    problems += _read_images(this.parts.block_lists(), project.plans / branch, this.source, images)
    if problems:
        raise UserError(sort_problems(problems))
    assert catalog is not None and branch_model is not None and this.data is not None
    data = this.data
    following = None
    next_data = _quiet_year(project, branch, year + 1)
    next_catalog = _load_model(project, project.catalog_file(year + 1), Catalog, [], "KPIカタログ")
    if (
        next_data is not None
        and next_catalog is not None
        and not check_references(next_data, next_catalog, SourceMap(), data)
    ):
        following = Plan(branch, year + 1, next_catalog, branch_model, next_data, SourceMap(), data)
    return Plan(
        branch, year, catalog, branch_model, data, this.source, previous.data, images, following
    )


def sort_problems(problems: list[Problem]) -> list[Problem]:
    """By file, line and column (problems without a position first); stable."""

    def key(problem: Problem) -> tuple[str, int, int]:
        pos = problem.position
        return (pos.file, pos.line, pos.column) if pos else ("", 0, 0)

    return sorted(problems, key=key)


def _quiet_year(project: Project, branch: str, year: int) -> BranchYear | None:
    """A neighbouring year's data, or None if it is missing or has any problem."""
    if not project.year_files(branch, year):
        return None
    problems: list[Problem] = []
    data = _load_year(project, branch, year, problems).data
    return None if problems else data


def _previous(project: Project, branch: str, year: int) -> Previous:
    folder = project.relative(project.year_dir(branch, year - 1)) + "/"
    exists = bool(project.year_files(branch, year - 1))
    return Previous(_quiet_year(project, branch, year - 1), folder, exists)


def check_styles(parts: Parts, project: Project, source: SourceMap) -> list[Problem]:
    """Every document's style must be a folder of templates/ with a template of its kind.

    A project without templates/ (plans checked on their own) has no styles to check.
    """
    if not project.templates.is_dir():
        return []
    problems = []
    for i, document in parts.documents:
        styles = project.styles(document.kind)
        if document.style in styles:
            continue
        folder = project.templates / document.style
        missing = project.relative(folder) + "/"
        if folder.is_dir():
            missing += f" に{KIND_NAMES[document.kind]}（{document.kind}.html.j2）がありません"
        path = ("documents", i, "style")
        problems.append(
            Problem(
                f"様式「{document.style}」がありません（{missing}）。次のどれかを書いてください: "
                + _choices(styles),
                source.get(path),
                format_path(path),
            )
        )
    return problems


MAX_IMAGE_BYTES = 5 * 1024 * 1024
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def read_images(
    data: BranchYear, folder: Path, source: SourceMap, images: dict[str, bytes]
) -> list[Problem]:
    """Every image a plan names, refusing paths that leave the branch folder."""
    return _read_images(Parts.of(data).block_lists(), folder, source, images)


def _read_images(
    lists: Iterable[tuple[Path_, list[Any]]],
    folder: Path,
    source: SourceMap,
    images: dict[str, bytes],
) -> list[Problem]:
    """Read every image of *pages*, refusing paths that leave the branch folder.

    The schema already refuses absolute paths and ``..``; here the real path
    (symlinks resolved) must still lie inside plans/<branch>/.
    """
    problems: list[Problem] = []
    root = folder.resolve()
    for block_path, block in _blocks(lists):
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
    loaded = load_file_collecting(path, name, problems)
    if loaded is None:
        return None
    return validate_model(model, loaded, problems)


def _load_year(project: Project, branch: str, year: int, problems: list[Problem]) -> _Year:
    files = project.year_files(branch, year)
    if not files:
        folder = project.relative(project.year_dir(branch, year))
        problems.append(
            Problem(f"{folder}/ に年度のデータ（*.yaml）がありません", Position(folder, 1, 1))
        )
        return _Year(None, SourceMap(), Parts())
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
        return _Year(None, SourceMap(), Parts())
    merged, whole = _merge(parts, problems)
    data = validate_model(BranchYear, merged, problems)
    valid = Parts.of(data) if data is not None else Parts.salvage(merged.data)
    if len(parts) != len(files) or not whole:
        data = None  # the branch-year is incomplete
        valid.unknown()
    return _Year(data, merged.source, valid)


_LISTED = re.compile(r"^([^.\[]+)\[([0-9]+)\]")


def _shift(problem: Problem, lengths: dict[str, int]) -> Problem:
    """A problem of one file, with its list index moved to the merged lists' index."""
    m = _LISTED.match(problem.field)
    if not m or not lengths.get(m.group(1)):
        return problem
    index = int(m.group(2)) + lengths[m.group(1)]
    field_path = f"{m.group(1)}[{index}]{problem.field[m.end() :]}"
    return Problem(problem.message, problem.position, field_path, problem.severity)


# The keys of a branch-year whose files' lists are concatenated.
LIST_KEYS = frozenset(
    info.alias or name
    for name, info in BranchYear.model_fields.items()
    if get_origin(info.annotation) is list
)


def merge(parts: list[Loaded], problems: list[Problem]) -> Loaded:
    """Merge the files of one branch-year: lists concatenate, other keys must be unique.

    A part that cannot be merged (a file that is not a mapping, a list written as
    a mapping, a key written in two files) is reported and left out; the rest is
    merged, so that its own problems are reported too.
    """
    return _merge(parts, problems)[0]


def _merge(parts: list[Loaded], problems: list[Problem]) -> tuple[Loaded, bool]:
    """The merged data, and whether every part went into it."""
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


def _subtree(source: SourceMap, prefix: Path_) -> SourceMap:
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


# --- pydantic's errors, in the planner's words ------------------------------------


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


_REPR = re.compile(r"'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"")


def choices_of(expected: str) -> list[str]:
    """pydantic's "'S', 'A' or 'B'" -> ['S', 'A', 'B'] (values as the planner writes them)."""
    found = []
    for written in _REPR.findall(expected):
        try:
            value = ast.literal_eval(written)
        except (ValueError, SyntaxError):  # pragma: no cover - pydantic writes reprs
            value = written.strip("'\"")
        found.append(str(value))
    return found


def _known_kpis(parts: Parts, catalog: Catalog | None) -> set[str]:
    """The year's KPI ids a reference may be a misspelling of (not ones misspelt themselves)."""
    ids = parts.kpi_ids or set()
    return {k for k in ids if catalog is None or k in catalog.kpis}


def _did_you_mean(given: str, known: Iterable[str]) -> str:
    close = difflib.get_close_matches(given, sorted(known), n=1, cutoff=0.75)
    return f"（「{close[0]}」の誤りではありませんか）" if close else ""


def _choices(values: Iterable[str]) -> str:
    """S、A、B — the Japanese list of allowed values ("" shown as "")."""
    return "、".join(v if v else '""' for v in values)


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def _not_allowed(given: Any, allowed: list[str], what: str) -> str:
    """「E」は使えません。次のどれかを書いてください: S、A、B、C、D (with a hint when close).

    *what* is the subject and its verb (「E」は使えません, type「x」はありません).
    """
    text = str(given)
    same = [a for a in allowed if _fold(a) == _fold(text)]
    if same:  # 全角・半角 or upper/lower case: say exactly what to write
        width = ""
        if unicodedata.normalize("NFKC", same[0]) != same[0]:
            width = "（全角）"
        elif unicodedata.normalize("NFKC", text) != text:
            width = "（半角）"
        return f"{what}。「{same[0]}」{width}と書いてください"
    close = difflib.get_close_matches(text, allowed, n=1, cutoff=0.75) if len(allowed) > 5 else []
    hint = f"（「{close[0]}」の誤りではありませんか）" if close else ""
    return f"{what}{hint}。次のどれかを書いてください: {_choices(allowed)}"


def _problem(err: Any, loaded: Loaded) -> Problem:
    path, rest = _real_path(loaded.data, tuple(err["loc"]))
    kind = err["type"]
    ctx = err.get("ctx") or {}
    given = err.get("input")
    missing_key = next((r for r in reversed(rest) if isinstance(r, str) and not _is_tag(r)), None)
    missing_index = next((r for r in reversed(rest) if isinstance(r, int)), None)
    if kind == "missing":
        if missing_key is None and missing_index is not None:
            message = f"値が足りません（{missing_index + 1}つめの値を書いてください）"
        else:
            message = f"必須の項目「{missing_key}」がありません"
    elif kind == "extra_forbidden":
        message = f"不明な項目「{path[-1] if path else ''}」です（綴りを確認してください）"
    elif kind in ("literal_error", "enum"):
        message = _not_allowed(
            given, choices_of(str(ctx.get("expected", ""))), f"「{given}」は使えません"
        )
    elif kind == "union_tag_invalid":
        tags = choices_of(str(ctx.get("expected_tags", "")))
        message = _not_allowed(ctx.get("tag"), tags, f"type「{ctx.get('tag')}」はありません")
    elif kind == "union_tag_not_found":
        message = "type（ブロックの種類）を書いてください"
    elif kind == "string_pattern_mismatch":
        message = (
            f"「{given}」: 半角英小文字で始まり、半角英小文字・数字・_・- だけで書いてください"
        )
    elif kind in ("dict_type", "model_type", "model_attributes_type"):
        message = "「キー: 値」の形で書いてください"
    elif kind in ("list_type", "tuple_type", "set_type"):
        message = "一覧（- で始まる行）で書いてください"
    elif kind in ("string_type", "string_unicode"):
        message = "文字列を書いてください"
    elif kind in ("int_type", "int_parsing", "int_from_float", "int_parsing_size"):
        message = f"「{given}」: 半角数字の整数を書いてください"
    elif kind.startswith(("decimal_", "float_")):
        message = f"「{given}」は数値ではありません（例: 95.5、1,234、▲0.5）"
    elif kind.startswith(("date_", "datetime_")):
        message = f"「{given}」: 日付は 2025-07-31 の形で書いてください"
    elif kind in ("bool_type", "bool_parsing"):
        message = "true か false を書いてください"
    elif kind == "too_short":
        message = f"少なくとも{ctx.get('min_length')}個書いてください"
    elif kind == "too_long":
        message = f"{ctx.get('max_length')}個までしか書けません"
    elif kind == "string_too_short":
        message = "空にはできません。文字を書いてください"
    elif kind == "string_too_long":
        message = f"{ctx.get('max_length')}文字以内で書いてください"
    elif kind == "greater_than_equal":
        message = f"{ctx.get('ge')}以上の値を書いてください"
    elif kind == "less_than_equal":
        message = f"{ctx.get('le')}以下の値を書いてください"
    elif kind == "greater_than":
        message = f"{ctx.get('gt')}より大きい値を書いてください"
    elif kind == "less_than":
        message = f"{ctx.get('lt')}より小さい値を書いてください"
    elif kind in ("value_error", "assertion_error"):
        message = str(ctx.get("error", err["msg"]))
    else:  # pragma: no cover - a pydantic error our types do not produce
        message = f"値が正しくありません（{err['msg']}）"
    field_path = [*path, missing_key] if kind == "missing" and missing_key else path
    at = loaded.source.key if kind == "extra_forbidden" else loaded.source.get
    return Problem(message, at(tuple(path)), format_path(tuple(field_path)))


def _is_tag(part: str) -> bool:
    return "[" in part or part in ("number", "ratio", "text", "spec", "str", "decimal")


# --- cross-references ----------------------------------------------------------------


def check_references(
    data: BranchYear, catalog: Catalog, source: SourceMap, previous: BranchYear | None = None
) -> list[Problem]:
    """Cross-references the schema alone cannot see: KPI ids, page ids."""
    return _references(
        Parts.of(data), catalog, source, Previous(previous, "", previous is not None)
    )


def _references(
    parts: Parts, catalog: Catalog | None, source: SourceMap, previous: Previous
) -> list[Problem]:
    problems: list[Problem] = []

    def problem(message: str, path: Path_) -> None:
        problems.append(Problem(message, source.get(path), format_path(path)))

    last_year = (
        {e.kpi for e in previous.data.kpis if e.actual is not None} if previous.data else set()
    )
    renamed = (
        {e.successor: e.kpi for e in previous.data.kpis if e.successor} if previous.data else {}
    )
    # A plan-only year after a plan-only year (e.g. made by `new` before last year's
    # results are in): its 対前年度 targets wait for last year's actuals, which its own
    # folder will get when last year is reported. Nothing shows them before that: a
    # year with documents needs them, and so does last year's 次年度KPI column.
    pending = not parts.reported and previous.data is not None and not previous.data.documents
    # A plan (事業計画) is written before last year's results are final: its 対前年度
    # targets stand as words (対前年度以上) until a results document needs a figure.
    plan_only = bool(parts.documents) and all(d.kind == "plan" for _, d in parts.documents)
    first_page: dict[str, int] = {}
    for i, page in parts.pages:
        if page.id is None:
            continue
        if page.id in first_page:
            where = source.get(("pages", first_page[page.id], "id"))
            problem(f"ページID「{page.id}」が重複しています（{where} と同じ）", ("pages", i, "id"))
        first_page.setdefault(page.id, i)
    first_kpi: dict[str, int] = {}
    for i, entry in parts.kpis:
        if catalog is not None and entry.kpi not in catalog.kpis:
            problem(
                f"KPI「{entry.kpi}」がKPIカタログにありません"
                + _did_you_mean(entry.kpi, catalog.kpis),
                ("kpis", i, "kpi"),
            )
        if entry.kpi in first_kpi:
            where = source.get(("kpis", first_kpi[entry.kpi], "kpi"))
            problem(f"KPI「{entry.kpi}」が2回書かれています（{where} と同じ）", ("kpis", i, "kpi"))
        first_kpi.setdefault(entry.kpi, i)
        if (
            catalog is not None
            and entry.category is not None
            and entry.category not in catalog.categories
        ):
            problem(
                f"区分「{entry.category}」がKPIカタログの categories にありません",
                ("kpis", i, "category"),
            )
        if (
            entry.page is not None
            and parts.page_ids is not None
            and entry.page not in parts.page_ids
        ):
            problem(
                f"施策・ページ「{entry.page}」が measures にも pages にもありません"
                + _did_you_mean(entry.page, parts.page_ids),
                ("kpis", i, "page"),
            )
        if (
            entry.target == PRIOR_YEAR
            and entry.prior is None
            and entry.kpi not in last_year
            and not (pending and entry.kpi not in renamed)
            and not (plan_only and entry.actual is None)
        ):
            problem(_no_prior(entry.kpi, previous, renamed), ("kpis", i, "target"))
    problems += _measure_references(parts, catalog, source)
    for message, path in _check_series(parts.block_lists()):
        problem(message, path)
    for block_path, block in _blocks(parts.block_lists()):
        for path, kpi_id in _kpi_refs(block, block_path):
            if parts.kpi_ids is not None and kpi_id not in parts.kpi_ids:
                problem(
                    f"KPI「{kpi_id}」がこの年度の kpis にありません"
                    + _did_you_mean(kpi_id, _known_kpis(parts, catalog)),
                    path,
                )
    return problems


def _measure_references(parts: Parts, catalog: Catalog | None, source: SourceMap) -> list[Problem]:
    """A measure's section, KPIs and id; sections named after catalogue categories."""
    problems: list[Problem] = []

    def problem(message: str, path: Path_) -> None:
        problems.append(Problem(message, source.get(path), format_path(path)))

    seen: dict[str, int] = {}
    categories = catalog.categories if catalog is not None else None
    for m, measure in parts.measures:
        if measure.id in seen:
            where = source.get(("measures", seen[measure.id], "id"))
            problem(
                f"施策ID「{measure.id}」が重複しています（{where} と同じ）", ("measures", m, "id")
            )
        seen.setdefault(measure.id, m)
        if categories is not None and measure.section not in categories:
            problem(
                f"区分「{measure.section}」がKPIカタログの categories にありません"
                f"（{_choices(categories)}）",
                ("measures", m, "section"),
            )
        for k, kpi_id in enumerate(measure.kpis):
            if not isinstance(kpi_id, str):
                continue
            if parts.kpi_ids is not None and kpi_id not in parts.kpi_ids:
                problem(
                    f"KPI「{kpi_id}」がこの年度の kpis にありません"
                    + _did_you_mean(kpi_id, _known_kpis(parts, catalog)),
                    ("measures", m, "kpis", k),
                )
    # Pages come after the measures in the documents: the page is the later one.
    for p, page in parts.pages:
        if page.id is not None and page.id in seen:
            where = source.get(("measures", seen[page.id], "id"))
            problem(
                f"ページID「{page.id}」が施策のIDと重複しています（{where} と同じ）",
                ("pages", p, "id"),
            )
    for key in parts.sections:
        if categories is not None and key not in categories:
            problem(
                f"区分「{key}」がKPIカタログの categories にありません（{_choices(categories)}）",
                ("sections", key),
            )
    return problems


def _no_prior(kpi_id: str, previous: Previous, renamed: dict[str, str]) -> str:
    """Why a 対前年度 target has no prior, and where to write one."""
    if kpi_id in renamed:
        return (
            f"目標が「対前年度」ですが、前年度実績（prior）がありません。前年度の {renamed[kpi_id]} から"
            "IDが変わったKPIなので、prior に前年度の実績を書いてください"
        )
    if previous.exists and previous.folder and previous.data is None:
        return (
            f"目標が「対前年度」ですが、前年度のファイル（{previous.folder}）に誤りがあるため前年度実績が"
            "分かりません。前年度の誤りを直すか、prior を書いてください"
        )
    if previous.exists and previous.folder:
        return (
            "目標が「対前年度」ですが、前年度実績がありません。prior を書くか、"
            f"前年度のファイル（{previous.folder}）に実績（actual）を書いてください"
        )
    return "目標が「対前年度」のときは前年度実績（prior）を書いてください"


def _kpi_refs(block: Any, base: Path_) -> list[tuple[Path_, str]]:
    refs: list[tuple[Path_, str]] = []
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


def check_series(data: BranchYear) -> list[tuple[str, Path_]]:
    """Structural rules of series tables the schema cannot express."""
    return _check_series(Parts.of(data).block_lists())


def _check_series(lists: Iterable[tuple[Path_, list[Any]]]) -> list[tuple[str, Path_]]:
    problems: list[tuple[str, Path_]] = []
    for block_path, block in _blocks(lists):
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
