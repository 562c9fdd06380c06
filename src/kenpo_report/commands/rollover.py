"""Roll a branch-year over: plans/<branch>/<year-1>/ -> plans/<branch>/<year>/.

``new_year`` reads last year's files as the planner wrote them (the loader
keeps every figure as its written text) and writes one file per source file,
in the same order, under the same names:

- documents: carried; 令和N年度 in titles moves one year on; the date moves
  one year on (to be confirmed); year-specific KPI list notes are dropped; a
  cover's text is carried, to be confirmed.
- kpis: carried (ids, numbers, items, groups, page refs, notes, targets).
  Last year's actual becomes ``prior``, ``national`` becomes
  ``national_prior``, ``rank`` becomes ``prior_rank``; ``actual``,
  ``national`` and ``rank`` are written empty (``actual:  # 記入待ち…``),
  which the schema allows. A ``successor`` is followed (the entry takes the
  new id); its figures are carried only when the measure is unchanged (same
  unit and direction), since a renamed KPI that now counts the opposite
  (郵送化率 -> 窓口での受付率) has no comparable prior. Where the new
  catalogue says how the two relate (``complement_of``: 窓口での受付率 =
  100％ − 郵送化率), the prior is computed from last year's figures and marked
  to be confirmed; otherwise it is left 記入待ち. A KPI the new catalogue no
  longer has is dropped, with a notice.
- ``target: 対前年度`` is kept as the rule, not replaced by a number: the
  planner's intent is "beat last year", and the pipeline resolves it from
  ``prior`` (and from last year's file), so the document shows the figure.
  The resolved figure is written beside it as a comment. Typed statements
  and labels of such a KPI that contain last year's figure are dropped (the
  generated statement takes over); the old text stays as a comment.
- measures: every measure is carried in place (id, section, number, heading,
  title, group, KPIs, 【重要度】【困難度】, its own KPI wording ``statements``,
  dropped with a notice when one of its KPIs is gone). Last year's 次年度の計画
  (``next_plan``) becomes this year's ``plan``, item by item (paragraphs,
  headings, bullets, table rows), to be confirmed (確認); it was written last
  year about this year, so its years are not moved. Without one (岩手 and
  茨城 write none; a plan-only year like 福島's has none) last year's plan is
  carried as the draft, 記入待ち.
  ``results`` is written empty (記入待ち) where the branch reports its year,
  and ``evaluation`` too (記入待ち: grade) where it writes a self-evaluation;
  ``check`` then warns only for what ``new`` listed (missing actuals, missing
  grades). Last year's figures, prior_results, results, issues, evaluations
  and activities are not carried.
- citations: a carried text citing a named figure of last year (gone with its
  results) gets the figure as last year printed it, marked 確認; a date of
  the past year (令和7年3月末時点) is marked too, and so are, in text that
  was last year's own (a 次年度の計画, a section's text), a KPI citation (it
  now gives this year's figure) and 昨年度 / 次年度 (written from last year).
- sections: titles and headings move one year on; the intro is carried, its
  citations as above. Body text keeps its years (令和6年度中に… is a fact).
- pages (appendices that are not measures): carried as a skeleton (id,
  section, title, group, headings, 事業計画 boxes, the KPI-driven blocks:
  kpi_box, formula, comparison, tables that show KPI fields). Last year's
  results (text, tables, charts, calendars, inserts, evaluations) are left
  out. Text under a heading or column naming the next year (令和7年度の計画 /
  取組) is last year's plan for this year: it moves to the section naming
  this year (it was 令和6年度の取組, now 令和7年度の取組), and the next-year
  section starts empty.

Everything still to write is returned as a list of ``Todo`` items with the
file:line:col of the new files. The files are written to a staging folder
and renamed into place; an existing year folder is never touched.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from kenpo_report.build import pipeline
from kenpo_report.build.writer import write_new_folder
from kenpo_report.compute.kpis import kpi_value
from kenpo_report.compute.references import refs_in
from kenpo_report.errors import Position, Problem, UserError
from kenpo_report.layout.formatting import direction_word, figure, fiscal_year
from kenpo_report.load.yaml_source import load_file, load_text
from kenpo_report.model import PRIOR_YEAR, Catalog, Figure, KpiDefinition, KpiEntry
from kenpo_report.project import Project, check_branch
from kenpo_report.validate import Plan, load_plan, validate_model

_FIGURE: TypeAdapter[Any] = TypeAdapter(Figure)

MODELINE = "# yaml-language-server: $schema=../../../schema/branch-year.schema.json"

# --- what the planner is told ----------------------------------------------

TODO = "記入待ち"
CONFIRM = "確認"
NOTICE = "注意"


@dataclass(frozen=True)
class Todo:
    """Something the planner still has to write or confirm in the new year."""

    kind: str  # 記入待ち / 確認 / 注意
    message: str
    position: Position | None = None

    def __str__(self) -> str:
        where = f"{self.position}: " if self.position else ""
        return f"{where}{self.kind}: {self.message}"


@dataclass
class RolloverResult:
    folder: Path
    written: list[Path] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # `check` on the new year


# --- 和暦 in carried text -----------------------------------------------------

_ERA_FY = re.compile(r"令和([0-9]+|[０-９]+|元)年度")
_FULL = str.maketrans("０１２３４５６７８９", "0123456789")
_TO_FULL = str.maketrans("0123456789", "０１２３４５６７８９")
_DIGIT = re.compile(r"[0-9０-９]")


def reiwa(year: int) -> int:
    """FY2024 -> 6 (令和6年度)."""
    return year - 2018


def shift_era(text: str, year: int, *, near_only: bool = True) -> str:
    """Move 令和N年度 one year on, for a text written in fiscal *year*.

    With *near_only* only this year and next year move (令和6年度の実施状況 ->
    令和7年度の実施状況, 令和7年度の計画 -> 令和8年度の計画): other years in a
    title are facts (※令和2年度より付与) and stay. Without it every year
    moves: for labels of KPI figures (令和5年度 = the prior column).
    Full-width digits stay full-width.
    """

    def move(m: re.Match[str]) -> str:
        written = m.group(1)
        n = 1 if written == "元" else int(written.translate(_FULL))
        if near_only and n not in (reiwa(year), reiwa(year) + 1):
            return m.group(0)
        new = str(n + 1)
        if written != "元" and written != written.translate(_FULL):
            new = new.translate(_TO_FULL)
        return f"令和{new}年度"

    return _ERA_FY.sub(move, text)


def _shift_all(value: Any, year: int, near_only: bool) -> Any:
    if isinstance(value, str):
        return shift_era(value, year, near_only=near_only)
    if isinstance(value, list):
        return [_shift_all(v, year, near_only) for v in value]
    if isinstance(value, dict):
        return {k: _shift_all(v, year, near_only) for k, v in value.items()}
    return value


def next_date(text: str) -> str:
    """2025-07-31 -> 2026-07-31 (29 Feb -> 28 Feb)."""
    d = date.fromisoformat(text)
    try:
        return d.replace(year=d.year + 1).isoformat()
    except ValueError:
        return d.replace(year=d.year + 1, day=28).isoformat()


# --- YAML writing ----------------------------------------------------------


@dataclass
class Note:
    """A value with comments, and optionally something for the planner to do.

    ``before`` are full comment lines above the key or list item, ``after`` a
    comment at the end of its line (only for values written on that line).
    """

    value: Any
    before: tuple[str, ...] = ()
    after: str | None = None
    todo: tuple[str, str] | None = None  # (kind, message)


def plain(value: Any) -> Any:
    """The data without notes: what the written YAML must load back as."""
    if isinstance(value, Note):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


_LOOKS_TYPED = re.compile(r"^([-+.]?[0-9]|~$|(null|true|false|yes|no|on|off|y|n)$)", re.IGNORECASE)
_PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
WIDTH = 100


def scalar(text: str, flow: bool = False) -> str:
    """A string as YAML: plain when that reads back as the same string, else "quoted".

    Strings that YAML 1.1/1.2 (and so the editor's schema check) would read
    as numbers, booleans or null are quoted, as planners write them
    (``target: "95.5"``). Private-use characters (Wingdings bullets) are
    written as escapes (``"\\uF0D8"``), as in the hand-written files.
    """
    safe = (
        text != ""
        and text == text.strip()
        and all(ch.isprintable() and ch != "\u3000" for ch in text)
        and text[0] not in "-?:,[]{}#&*!|>'\"%@`"
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and not _LOOKS_TYPED.match(text)
        and not _PRIVATE_USE.search(text)
        and not (flow and any(ch in text for ch in ",[]{}"))
    )
    if safe:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return _PRIVATE_USE.sub(lambda m: f"\\u{ord(m.group()):04X}", quoted)


def _flow(value: Any) -> str | None:
    """One-line form of a value, or None when it must be written as a block."""
    if isinstance(value, Note):
        return None
    if isinstance(value, str):
        return scalar(value, flow=True)
    if isinstance(value, list):
        parts = [_flow(v) for v in value]
        if any(p is None or v is None for p, v in zip(parts, value, strict=True)):
            return None
        return "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            p = _flow(v)
            if p is None or v is None:
                return None
            items.append(f"{scalar(k, flow=True)}: {p}")
        return "{" + ", ".join(items) + "}"
    return None


def _inline(value: Any, indent: int) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str):
        return scalar(value)
    if isinstance(value, list | dict) and not value:
        return "[]" if isinstance(value, list) else "{}"
    if _has_block(value):
        return None  # page blocks are always written one key a line, as planners do
    text = _flow(value)
    if text is None or indent + len(text) > WIDTH or _depth(value) > 2:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and len(text) > 60:
        return None  # a list of sentences reads better one a line
    # Figures, cells, short rows stay on one line ({numerator: …, denominator: …}).
    return text


def _has_block(value: Any) -> bool:
    if isinstance(value, dict):
        return "type" in value or any(_has_block(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_block(v) for v in value)
    return False


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _unwrap(value: Any) -> tuple[Any, tuple[str, ...], str | None]:
    if isinstance(value, Note):
        return value.value, value.before, value.after
    return value, (), None


def _comments(lines: tuple[str, ...], indent: int) -> list[str]:
    return [" " * indent + "# " + part for line in lines for part in line.split("\n")]


def _trail(after: str | None) -> str:
    return f"  # {after}" if after else ""


def _block(value: Any, indent: int, spaced: bool = False) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, raw in value.items():
            node, before, after = _unwrap(raw)
            if spaced and out:
                out.append("")
            out += _comments(before, indent)
            head = f"{pad}{scalar(key)}:"
            text = _inline(node, indent + len(head) + 1)
            if text is not None:
                out.append(f"{head} {text}".rstrip() + _trail(after))
            else:
                out.append(head + _trail(after))
                # A top-level list of entries (kpis, pages) gets a blank line between items.
                out += _block(node, indent + 2, spaced=indent == 0 and isinstance(node, list))
        return out
    for raw in value:
        node, before, after = _unwrap(raw)
        if spaced and out:
            out.append("")
        out += _comments(before, indent)
        text = _inline(node, indent + 2)
        if text is not None:
            out.append(f"{pad}- {text}".rstrip() + _trail(after))
            continue
        sub = _block(node, indent + 2)
        while sub and sub[0].lstrip().startswith("#"):
            out.append(sub.pop(0))
        out.append(f"{pad}- {sub[0].lstrip()}")
        out += sub[1:]
    return out


def dump(data: dict[str, Any], header: list[str]) -> str:
    """The YAML text of *data* (a mapping with notes), below *header* comment lines."""
    return "\n".join([*header, *_block(data, 0, spaced=False)]) + "\n"


def iter_todos(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, str, str]]:
    """(path, kind, message) of every note that asks for something."""
    if isinstance(value, Note):
        if value.todo:
            yield path, *value.todo
        yield from iter_todos(value.value, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from iter_todos(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from iter_todos(v, (*path, i))


# --- the rollover ------------------------------------------------------------


@dataclass
class _Context:
    year: int  # the new year
    catalog: Catalog  # the new year's catalogue
    previous: Plan  # last year, validated
    last_folder: str = ""  # plans/<branch>/<last year>/, as shown to planners
    renamed: dict[str, str] = field(default_factory=dict)  # old id -> successor id
    dropped: set[str] = field(default_factory=set)  # ids the new catalogue has no more
    notices: list[Todo] = field(default_factory=list)
    figures: dict[str, Any] | None = None  # last year's named figures, when needed

    @property
    def fy(self) -> str:
        return fiscal_year(self.year)

    @property
    def last_fy(self) -> str:
        return fiscal_year(self.year - 1)

    @property
    def reports(self) -> bool:
        """The branch reports its year (a results or self-evaluation document)."""
        return any(d.kind in ("results", "self_evaluation") for d in self.previous.data.documents)

    @property
    def self_evaluation(self) -> bool:
        """The branch grades its measures (a self-evaluation document)."""
        return any(d.kind == "self_evaluation" for d in self.previous.data.documents)

    def kpi_id(self, old: str) -> str | None:
        """The id of a KPI in the new year, or None when it is dropped."""
        if old in self.dropped:
            return None
        return self.renamed.get(old, old)


def new_year(project: Project, branch: str, year: int) -> RolloverResult:
    """Create plans/<branch>/<year>/ from the previous year; never overwrites."""
    check_branch(branch)
    target = project.year_dir(branch, year)
    shown = project.relative(target) + "/"
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError.single(
            f"{shown} はすでにあります。上書きはしません"
            "（作り直すときは、そのフォルダを別の場所へ移してから実行してください）"
        )
    if not project.branch_file(branch).is_file():
        raise UserError.single(
            f"支部「{branch}」がありません（{project.relative(project.branch_file(branch))} を先に作ってください）"
        )
    source_files = project.year_files(branch, year - 1)
    if not source_files:
        last = project.relative(project.year_dir(branch, year - 1)) + "/"
        raise UserError.single(
            f"前年度（{fiscal_year(year - 1)}）のデータ {last} がありません。"
            f"{fiscal_year(year)}は前年度のデータから作ります。先に {last} を作ってください"
        )
    catalog_path = project.catalog_file(year)
    if not catalog_path.is_file():
        raise UserError.single(
            f"{fiscal_year(year)}のKPIカタログ {project.relative(catalog_path)} がありません。"
            f"先に作ってください（{project.relative(project.catalog_file(year - 1))} を写して、"
            "変わったKPIを直します）"
        )
    problems: list[Problem] = []
    catalog = validate_model(
        Catalog, load_file(catalog_path, project.relative(catalog_path)), problems
    )
    if catalog is None:
        raise UserError(problems)
    previous = load_plan(project, branch, year - 1)  # last year must check cleanly

    last_folder = project.relative(project.year_dir(branch, year - 1)) + "/"
    ctx = _Context(year, catalog, previous, last_folder)
    _plan_kpi_ids(ctx)
    entries = iter(previous.data.kpis)
    outputs: dict[str, tuple[str, dict[str, Any]]] = {}
    for path in source_files:
        name = project.relative(path)
        loaded = load_file(path, name)
        data = {
            key: _top_level(ctx, key, value, entries, name, loaded.source)
            for key, value in loaded.data.items()
        }
        header = _header(path.read_text(encoding="utf-8"), ctx, branch)
        outputs[path.name] = (dump(data, header), data)

    folder_name = project.relative(target)
    todos: list[Todo] = []
    for file_name, (text, data) in outputs.items():
        shown_name = f"{folder_name}/{file_name}"
        loaded = load_text(text, shown_name)
        if loaded.data != plain(data):  # pragma: no cover - a bug in the writer
            raise AssertionError(f"{file_name}: written YAML does not read back the same")
        for p, kind, message in iter_todos(data):
            where = loaded.source.key(p) if p and isinstance(p[-1], str) else loaded.source.get(p)
            todos.append(Todo(kind, message, where))

    written = _write(target, {name: text for name, (text, _) in outputs.items()})
    result = RolloverResult(target, written, ctx.notices + todos)
    try:
        result.problems = pipeline.check(project, branch, year)
    except UserError as exc:
        result.problems = exc.problems
    return result


def _write(target: Path, files: dict[str, str]) -> list[Path]:
    """Stage next to the target, then rename the whole folder into place."""
    try:
        return write_new_folder(target, {n: t.encode("utf-8") for n, t in files.items()})
    except OSError as exc:
        raise UserError.single(
            f"{target} を書き込めませんでした（{exc.strerror or exc}）"
        ) from None


def _header(text: str, ctx: _Context, branch: str) -> list[str]:
    """The source file's leading comments, modeline first, moved to the new year."""
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    modeline = next((ln for ln in lines if "yaml-language-server:" in ln), MODELINE)
    rest = [shift_era(ln, ctx.year - 1) for ln in lines if ln != modeline]
    made = (
        f"# {ctx.last_fy}（plans/{branch}/{ctx.year - 1}/）から kenpo-report new で作りました。"
        "「記入待ち」の箇所を書き、「確認」の箇所を見直してください。"
    )
    return [modeline, *rest, made]


def _plan_kpi_ids(ctx: _Context) -> None:
    """Which of last year's KPIs continue, under which id."""
    seen = {e.successor or e.kpi for e in ctx.previous.data.kpis}
    for index, entry in enumerate(ctx.previous.data.kpis):
        new_id = entry.successor or entry.kpi
        if entry.successor:
            ctx.renamed[entry.kpi] = entry.successor
        if new_id not in ctx.catalog.kpis:
            ctx.dropped.add(entry.kpi)
            name = ctx.previous.catalog.kpis[entry.kpi].name
            hint = (
                f"（successor の「{entry.successor}」がカタログにありません）"
                if entry.successor
                else "（名称が変わったKPIなら、前年度のファイルのこのKPIに successor: 新しいID を書いてから作り直してください）"
            )
            ctx.notices.append(
                Todo(
                    NOTICE,
                    f"KPI「{name}」（{entry.kpi}）は{ctx.fy}のKPIカタログにないため、引き継ぎませんでした{hint}",
                    ctx.previous.source.get(("kpis", index, "kpi")),
                )
            )
    for kpi_id, definition in ctx.catalog.kpis.items():
        if kpi_id not in seen:
            ctx.notices.append(
                Todo(
                    NOTICE,
                    f"{ctx.fy}のKPIカタログの「{definition.name}」（{kpi_id}）は前年度のKPI一覧にありません。"
                    "この支部で使うなら kpis に加えてください",
                )
            )


def _top_level(
    ctx: _Context, key: str, value: Any, entries: Iterator[KpiEntry], name: str, source: Any
) -> Any:
    if key == "documents" and isinstance(value, list):
        return [_document(ctx, d) for d in value]
    if key == "kpis" and isinstance(value, list):
        carried = (_kpi(ctx, raw, next(entries)) for raw in value)
        return [new for new in carried if new is not None]
    if key == "pages" and isinstance(value, list):
        return [_page(ctx, p) for p in value]
    if key == "measures" and isinstance(value, list):
        return [_measure(ctx, m) for m in value]
    if key == "sections" and isinstance(value, dict):
        return {k: _section(ctx, k, v) for k, v in value.items()}
    return value


def _section(ctx: _Context, key: str, raw: Any) -> Any:
    """A section: titles move one year on; its intro is carried, citations of last year's
    named figures replaced by the printed figure and marked (see _dated)."""
    if not isinstance(raw, dict):
        return raw
    out: dict[str, Any] = {}
    for k, v in raw.items():
        if k == "intro":
            # Written last year: a KPI citation now gives this year's figure (確認).
            intro = _shift_titles(v, ctx.year - 1)
            out[k] = _cited(ctx, intro, f"区分「{key}」の文", written_before=True)
        elif isinstance(v, str):
            out[k] = shift_era(v, ctx.year - 1)
        else:
            out[k] = v
    return out


def _shift_titles(value: Any, year: int) -> Any:
    """Blocks with 令和N年度 moved on in their titles only (headings, titles, captions).

    Body text keeps its years: 「令和6年度中の完了を目指し」 states a fact of the
    year it was written in, and stays true.
    """
    if isinstance(value, list):
        return [_shift_titles(v, year) for v in value]
    if not isinstance(value, dict):
        return value
    out = {}
    for k, v in value.items():
        titled = k in ("title", "caption") or (k == "text" and value.get("type") == "heading")
        out[k] = shift_era(v, year) if titled and isinstance(v, str) else _shift_titles(v, year)
    return out


def _cited(ctx: _Context, value: Any, where: str, *, written_before: bool = False) -> Any:
    """Texts under *value* with last year's named figures replaced and marked (see _dated)."""
    if isinstance(value, str):
        return _dated(ctx, value, where, written_before=written_before)
    if isinstance(value, list):
        return [_cited(ctx, v, where, written_before=written_before) for v in value]
    if isinstance(value, dict):
        return {k: _cited(ctx, v, where, written_before=written_before) for k, v in value.items()}
    return value


# --- measures ------------------------------------------------------------------

# What a measure keeps from one year to the next: where it stands and what it reports.
_MEASURE_KEPT = ("id", "section", "number", "heading", "title", "group")
# Texts kept too, with citations of last year's named figures replaced (see _dated).
_MEASURE_TEXTS = ("importance", "difficulty")
# What belongs to the year that ended: its results, figures, grades and activities.
_MEASURE_PAST = ("figures", "prior_results", "results", "issues", "evaluation", "activities")
# Dates that pin a text to a moment of the past year (令和7年3月末時点, 令和6年度末).
_POINT_IN_TIME = re.compile(r"令和[0-9０-９元]+年[0-9０-９]+月(末|時点)|年度末時点|時点")
# Years named relative to when the text was written (a plan written last year).
_RELATIVE_YEAR = re.compile(r"昨年度|今年度|本年度|来年度|次年度|翌年度")


def _measure(ctx: _Context, raw: dict[str, Any]) -> Any:
    """A measure of the new year.

    Last year's 次年度の計画 (next_plan) becomes its plan, to be confirmed; without
    one, last year's plan is carried as the draft, 記入待ち. Results, and for a
    self-evaluation the grade, are left empty (記入待ち); the past (figures,
    prior_results, results, issues, evaluation, activities) is not carried.
    """
    last = ctx.year - 1
    title = _shown(raw.get("title"))
    where = f"施策「{title}」"
    out: dict[str, Any] = {}
    for key in _MEASURE_KEPT:
        if key in raw:
            value = raw[key]
            out[key] = shift_era(value, last) if isinstance(value, str) else value
    kpis: list[Any] = []
    lost: list[str] = []  # ids of KPIs the new catalogue has no more
    for k in raw.get("kpis") or []:
        if isinstance(k, dict):  # a goal that is not a KPI: {text: …}
            kpis.append(_cited(ctx, _shift_all(k, last, near_only=True), f"{where}の目標"))
        elif (new := ctx.kpi_id(k)) is not None:
            kpis.append(new)
        else:
            lost.append(k)
    if kpis:
        out["kpis"] = kpis
    if raw.get("statements"):
        out.update(_statements(ctx, raw["statements"], lost, where))
    out["plan"] = _plan(ctx, raw, where)
    for key in _MEASURE_TEXTS:
        if isinstance(raw.get(key), str):
            out[key] = _dated(ctx, shift_era(raw[key], last), where)
    if raw.get("results") or ctx.reports:
        out["results"] = Note([], todo=(TODO, f"{where}の{ctx.fy}の実施状況"))
    if raw.get("evaluation") or ctx.self_evaluation:
        out["evaluation"] = Note(
            None,
            after=f"{TODO}: 自己評価（{{grade: B}} のように S〜D で）",
            todo=(TODO, f"{where}の{ctx.fy}の自己評価（evaluation の grade: S〜D）"),
        )
    dropped = [k for k in _MEASURE_PAST if raw.get(k)]
    if dropped:
        return Note(out, before=(f"{ctx.last_fy}の {', '.join(dropped)} は引き継いでいません",))
    return out


def _plan(ctx: _Context, raw: dict[str, Any], where: str) -> Note:
    """This year's 事業計画: last year's 次年度の計画, or else last year's plan as a draft."""
    items, notes = _plan_items(raw.get("next_plan") or [], ctx.last_folder)
    if items or notes:
        # Written last year about this year: its years are already this year's (no shift).
        marked = [_dated(ctx, item, f"{where}の計画", written_before=True) for item in items]
        return Note(
            marked,
            before=(f"{ctx.last_fy}の「次年度の計画」から写しました", *notes),
            todo=(CONFIRM, f"{where}の事業計画は、{ctx.last_fy}に書いた計画のままです"),
        )
    last = ctx.year - 1
    carried = [_dated(ctx, shift_era(p, last), f"{where}の計画") for p in raw.get("plan") or []]
    return Note(
        carried,
        before=(f"{ctx.last_fy}の事業計画を写しました（{ctx.last_fy}に次年度の計画がありません）",)
        if carried
        else (),
        todo=(TODO, f"{where}の{ctx.fy}の事業計画"),
    )


def _statements(ctx: _Context, statements: list[str], lost: list[str], where: str) -> dict:
    """The measure's own wording of its KPIs, carried unless one of its KPIs is gone."""
    if not lost:
        last = ctx.year - 1
        return {
            "statements": [
                _dated(ctx, shift_era(s, last), f"{where}のKPIの文言") for s in statements
            ]
        }
    shown = "、".join(lost)
    return {
        "statements": Note(
            [],
            before=(
                f"{ctx.last_fy}のKPIの文言は、KPI（{shown}）が{ctx.fy}のKPIカタログにないため省きました"
                "（KPI一覧の文言になります）:",
                *statements,
            ),
            todo=(CONFIRM, f"{where}のKPIの文言は省きました（KPI一覧の文言を表示します）"),
        )
    }


def _plan_items(blocks: list[Any], folder: str) -> tuple[list[str], list[str]]:
    """Next year's plan as plan items (paragraphs, headings, bullets, box items, table
    rows), and comments on what changed form or could not be carried (chart, image…)."""
    items: list[str] = []
    notes: list[str] = []
    for block in blocks:
        if not isinstance(block, dict):  # pragma: no cover - validated last year
            continue
        kind = block.get("type")
        if kind in ("paragraph", "heading") and isinstance(block.get("text"), str):
            items.append(block["text"])
        elif kind in ("bullets", "box"):
            if isinstance(block.get("title"), str) and kind == "bullets":
                items.append(block["title"])
            items += [i for i in block.get("items") or [] if isinstance(i, str)]
        elif kind == "table":
            # A planned schedule (令和7年10月 | HPでの周知): one item a row.
            caption = block.get("caption")
            notes.append(f"表{f'「{caption}」' if caption else ''}は1行を1項目にしました")
            if isinstance(caption, str):
                items.append(caption)
            for row in [*(block.get("header") or []), *(block.get("rows") or [])]:
                cells = [_cell_text(cell) for cell in row]
                items.append("　".join(c for c in cells if c))
            if isinstance(block.get("note"), str):
                items.append(block["note"])
        elif kind == "columns":
            for column in block.get("columns") or []:
                sub, more = _plan_items(column.get("blocks") or [], folder)
                items += sub
                notes += more
        else:
            notes.append(
                f"事業計画の項目にできない {kind} は写していません（{folder} を見てください）"
            )
    return [i for i in items if i.strip()], notes


def _cell_text(cell: Any) -> str:
    if isinstance(cell, dict):
        text = cell.get("text", cell.get("number", ""))
        return f"{text}{cell.get('unit', '')}" if text is not None else ""
    return "" if cell is None else str(cell)


def _dated(ctx: _Context, text: str, where: str, *, written_before: bool = False) -> Any:
    """A text tied to the past year is marked for review (確認).

    A named figure of last year is gone with last year's results: its citation
    becomes the figure as printed, marked. In a text that was last year's own
    (*written_before*: a 次年度の計画, a section's text), not a draft to
    rewrite, a citation of a KPI now gives this year's figure, and 昨年度 /
    次年度 are a year off: both are marked.
    """
    notes = []
    if _POINT_IN_TIME.search(text):
        notes.append("前年度の時点の記載があります")
    relative = _RELATIVE_YEAR.search(text) if written_before else None
    if relative:
        notes.append(f"{ctx.last_fy}に書いた「{relative.group()}」の記載があります")
    figures = _past_figures(ctx) if "{" in text else {}
    cited = []
    for ref in reversed(list(refs_in(text))):  # from the end: offsets stay valid
        if ref.name in figures:
            text = text[: ref.start] + figure(figures[ref.name], "－") + text[ref.end :]
            cited.append(f"前年度の数値（{ref.name}）を写しました")
        elif written_before and "." in ref.name:
            cited.append(f"{ref.written} は{ctx.fy}の値になります")
    notes += reversed(cited)
    if not notes:
        return text
    return Note(text, todo=(CONFIRM, f"{where}: {'。'.join(notes)}: {_shown(text)[:40]}"))


def _past_figures(ctx: _Context) -> dict[str, Any]:
    """Last year's named figures, as its documents print them."""
    if ctx.figures is None:
        from kenpo_report.compute.report import build_report

        document = pipeline.trial_document(ctx.previous, "results", "iwate")
        ctx.figures = build_report(ctx.previous, document).figures
    return ctx.figures


# --- documents -------------------------------------------------------------


def _document(ctx: _Context, raw: dict[str, Any]) -> Any:
    last = ctx.year - 1
    out: dict[str, Any] = {}
    before: tuple[str, ...] = ()
    for key, value in raw.items():
        if key == "date" and isinstance(value, str):
            new = next_date(value)
            out[key] = Note(
                new,
                after="仮の作成日（前年度の作成日の1年後）",
                todo=(CONFIRM, f"作成日を仮に {new} にしました。報告書の日付に直してください"),
            )
        elif key == "kpi_list_notes":
            # Notes about how this year's KPIs changed from the year before: year-specific.
            lines = [f"{cat}: {n}" for cat, notes in (value or {}).items() for n in notes]
            before = (f"{ctx.last_fy}のKPI一覧の注記は引き継いでいません:", *lines)
        elif key == "cover" and isinstance(value, dict) and value.get("blocks"):
            cover = _shift_all(value, last, near_only=True)
            cover["blocks"] = Note(
                cover["blocks"],
                todo=(
                    CONFIRM,
                    f"表紙の本文は{ctx.last_fy}の文です。{ctx.fy}の内容に直してください",
                ),
            )
            out[key] = cover
        else:
            out[key] = _shift_all(value, last, near_only=True)
    return Note(out, before=before) if before else out


# --- KPIs --------------------------------------------------------------------


def _definition(catalog: Catalog, kpi_id: str, entry: KpiEntry) -> KpiDefinition:
    definition = catalog.kpis[kpi_id]
    overrides = {
        name: getattr(entry, name, None)
        for name in ("unit", "decimals")
        if getattr(entry, name, None) is not None
    }
    return definition.model_copy(update=overrides) if overrides else definition


def _figure_text(fig: Any, definition: KpiDefinition) -> str:
    value = kpi_value(fig, definition, (), [])
    return figure(value) if value is not None else ""


def _carried(fig: Any) -> Any:
    """A figure as written, without the source document's typed rate (checked last year)."""
    if isinstance(fig, dict):
        return {k: v for k, v in fig.items() if k != "typed"}
    return fig


def _complement(fig: Any) -> Any:
    """100％ minus a rate as written: "95.5" -> "4.5"; a ratio keeps its denominator."""
    if isinstance(fig, dict):
        numerator = _figure({"numerator": fig["numerator"], "denominator": fig["denominator"]})
        rest = numerator.denominator - numerator.numerator
        return {"numerator": str(rest), "denominator": fig["denominator"]}
    return str(Decimal(100) - _figure(fig))


def _figure(raw: Any) -> Any:
    """A figure as written (text, or numerator/denominator) as the schema reads it."""
    return _FIGURE.validate_python(raw)


def _kpi(ctx: _Context, raw: dict[str, Any], entry: KpiEntry) -> Any:
    new_id = ctx.kpi_id(entry.kpi)
    if new_id is None:
        return None
    old_def = ctx.previous.catalog.kpis[entry.kpi]
    new_def = _definition(ctx.catalog, new_id, entry)
    # A renamed KPI keeps its figures only if it still measures the same way.
    same = new_id == entry.kpi or (
        old_def.unit == new_def.unit and old_def.direction == new_def.direction
    )
    label = f"{new_def.name}（項番{entry.number}）"
    by_prior = entry.target == PRIOR_YEAR
    word = direction_word(new_def.direction)
    # A KPI defined as 100％ minus last year's (窓口での受付率 = 100 − 郵送化率)
    # gets its prior computed from last year's figures, to be confirmed.
    complement = not same and new_def.complement_of == entry.kpi and old_def.unit == "％"
    if same:
        prior = _carried(raw.get("actual"))
    elif complement and raw.get("actual") is not None:
        prior = _complement(raw["actual"])
    else:
        prior = None
    out: dict[str, Any] = {}
    dropped: list[str] = []

    def put_actual() -> None:
        hint = "{numerator: …, denominator: …}" if isinstance(raw.get("actual"), dict) else "数値"
        out["actual"] = Note(
            None,
            after=f"{TODO}: {ctx.fy}の実績（{hint}）",
            todo=(TODO, f"{label}の{ctx.fy}の実績"),
        )

    def put_prior() -> None:
        if prior is not None and complement:
            was = _figure_text(entry.actual, old_def)
            now = _figure_text(_figure(prior), new_def)
            out["prior"] = Note(
                prior,
                after=f"{CONFIRM}: {ctx.last_fy}の{old_def.name} {was} から 100％ − {was} で計算",
                todo=(
                    CONFIRM,
                    f"{label}の前年度実績 {now} は、{ctx.last_fy}の{old_def.name} {was} から"
                    f" 100％ − {was} で計算しました。{ctx.last_fy}の{new_def.name}の実績と合うか確認してください",
                ),
            )
        elif prior is not None:
            out["prior"] = Note(prior, after=f"{ctx.last_fy}の実績")
        elif by_prior:
            where = (
                f"。{ctx.last_folder} に{ctx.last_fy}の実績（actual）を書けば、そこから決まります"
                if same and ctx.last_folder
                else ""
            )
            out["prior"] = Note(
                None,
                after=f"{TODO}: {ctx.last_fy}の実績（目標が対前年度のため必要です）",
                todo=(
                    TODO,
                    f"{label}の前年度実績（{ctx.last_fy}の実績。目標が対前年度のため必要です{where}）",
                ),
            )

    def put_national() -> None:
        out["national"] = Note(
            None, after=f"{TODO}: 全国の実績", todo=(TODO, f"{label}の全国の実績")
        )
        if raw.get("national") is not None and same:
            out["national_prior"] = _carried(raw["national"])
        elif raw.get("national") is not None and complement:
            out["national_prior"] = Note(
                _complement(raw["national"]), after=f"{ctx.last_fy}の全国の{old_def.name}から計算"
            )

    def put_rank() -> None:
        out["rank"] = Note(None, after=f"{TODO}: 全国順位", todo=(TODO, f"{label}の全国順位"))
        if raw.get("rank") is not None and same:
            out["prior_rank"] = raw["rank"]

    keys = list(raw)
    if "actual" not in keys:
        keys.insert(keys.index("target") + 1 if "target" in keys else len(keys), "actual")
    for key in keys:
        value = raw.get(key)
        if key == "kpi":
            out[key] = (
                Note(new_id, after=f"{ctx.last_fy}の {entry.kpi} から変更")
                if new_id != entry.kpi
                else new_id
            )
        elif key == "successor" or key == "prior_label":
            continue  # next year's rename is done; the label described last year's prior
        elif key in ("name", "label", "result_label") and not same and value:
            # A KPI that now measures something else (郵送化率 -> 窓口での受付率): its names
            # and the wording of its result described the old one.
            dropped.append(f"{ctx.last_fy}の {key}「{value}」はKPIが変わったため省きました")
        elif key in ("statement", "target_label") and (by_prior or not same) and value:
            if _DIGIT.search(value) or not same:
                # It spells out last year's figure: let the tool write it from the prior.
                shown = value.replace("\n", "\\n")
                what = (
                    "KPIの文言（statement）"
                    if key == "statement"
                    else "目標欄の表示（target_label）"
                )
                why = "前年度の数値を含む" if same else "KPIが変わった"
                dropped.append(
                    f"{ctx.last_fy}の{what}「{shown}」は{why}ため省きました（自動の文言になります）"
                )
            else:
                out[key] = value
        elif key == "target":
            if by_prior:
                resolved = (
                    _figure_text(_figure(prior), new_def)
                    if prior is not None and (same or complement)
                    else ""
                )
                source = "prior から" if complement else f"{ctx.last_fy}の実績から自動で"
                out[key] = Note(
                    value,
                    after=f"前年度実績 {resolved} {word}（{source}決まります）"
                    if resolved
                    else f"前年度実績{word}",
                )
            else:
                shown = _figure_text(entry.target, new_def)
                out[key] = Note(
                    value,
                    after=f"{CONFIRM}: {ctx.last_fy}の目標",
                    todo=(
                        CONFIRM,
                        f"{label}の目標 {shown}{word} は{ctx.last_fy}の目標です。{ctx.fy}の目標に直してください",
                    ),
                )
        elif key == "actual":
            put_actual()
            if "prior" not in raw:
                put_prior()
        elif key == "prior":
            put_prior()
        elif key == "national":
            put_national()
        elif key == "national_prior":
            continue  # two years old now; put_national carries last year's national
        elif key == "rank":
            put_rank()
        elif key == "prior_rank":
            continue  # replaced by last year's rank (put_rank)
        else:
            out[key] = value
    if complement:
        dropped.append(
            f"{new_def.name}は 100％ − {ctx.last_fy}の {entry.kpi}（{old_def.name}）です。"
            "前年度実績は、その実績から計算しました（全国順位は写していません）"
        )
    elif not same:
        dropped.append(
            f"{ctx.last_fy}の {entry.kpi}（{old_def.name}）とは測り方が違うため、実績は前年度実績に写していません"
        )
    return Note(out, before=tuple(dropped)) if dropped else out


# --- pages -------------------------------------------------------------------

# Blocks that are computed from the KPIs of the year they are in: carried.
_KPI_BLOCKS = ("kpi_box", "formula", "comparison")


def _page(ctx: _Context, raw: dict[str, Any]) -> Any:
    last = ctx.year - 1
    if raw.get("layout") in ("divider", "cover"):
        return _shift_all(raw, last, near_only=True)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "blocks":
            out[key] = _PageBlocks(ctx, raw).run()
        elif isinstance(value, str):
            out[key] = shift_era(value, last)
        else:
            out[key] = value
    if not out.get("blocks") and raw.get("blocks"):
        return Note(out, todo=(TODO, f"ページ「{_shown(raw.get('title'))}」の{ctx.fy}の内容"))
    return out


def _shown(text: Any) -> str:
    """A title as quoted in a message: one line, without private-use (Wingdings) marks."""
    return _PRIVATE_USE.sub("", str(text or "")).replace("\n", " ").strip()


class _PageBlocks:
    """One measure page's blocks, moved to the new year."""

    def __init__(self, ctx: _Context, page: dict[str, Any]) -> None:
        self.ctx = ctx
        self.last = ctx.year - 1
        self.page_title = _shown(page.get("title"))
        self.blocks: list[Any] = page.get("blocks") or []
        self.plan = self._next_year_text()
        if self.plan:
            self.plan[0] = Note(
                self.plan[0],
                before=(
                    f"ここから: {ctx.last_fy}に書いた{ctx.fy}の計画です。実施した内容に直してください",
                ),
                todo=(
                    CONFIRM,
                    f"ページ「{self.page_title}」の{ctx.fy}の取組みは、{ctx.last_fy}に書いた計画のままです",
                ),
            )
        self.received = not self.plan  # nothing to place, or placed already

    # Section titles: 令和N年度… is this (last) year's, 令和N+1年度… the plan for the next.
    def _names(self, title: str | None, year: int) -> bool:
        if not title:
            return False
        n = reiwa(year)
        return any(
            f"令和{d}年度" in title.translate(_FULL)
            for d in ([str(n)] + (["元"] if n == 1 else []))
        )

    def _is_next(self, title: str | None) -> bool:
        return self._names(title, self.last + 1) and not self._names(title, self.last)

    def _is_current(self, title: str | None) -> bool:
        return self._names(title, self.last)

    def _next_year_text(self) -> list[Any]:
        """Last year's plan for this year: the blocks of its next-year sections."""
        found: list[Any] = []
        for section_title, content in self._sections(self.blocks):
            if self._is_next(section_title):
                found += content
        return found

    def _sections(self, blocks: list[Any]) -> Iterator[tuple[str | None, list[Any]]]:
        title: str | None = None
        content: list[Any] = []
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "heading":
                if title is not None:
                    yield title, content
                title, content = block.get("text"), []
            elif kind == "columns":
                for column in block.get("columns") or []:
                    yield column.get("title"), column.get("blocks") or []
            elif title is not None:
                content.append(block)
        if title is not None:
            yield title, content

    def run(self) -> list[Any]:
        return self._flat(self.blocks)

    def _flat(self, blocks: list[Any]) -> list[Any]:
        out: list[Any] = []
        heading: dict[str, Any] | None = None
        section: list[Any] = []
        section_had: list[Any] = []

        def close() -> None:
            nonlocal heading, section, section_had
            if heading is None:
                out.extend(section)
            else:
                out.append(self._heading(heading, section, section_had))
                out.extend(section)
            heading, section, section_had = None, [], []

        mode = "keep"
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "heading":
                close()
                heading = block
                text = block.get("text")
                if self._is_next(text):
                    mode = "next"
                elif self._is_current(text) and not self.received:
                    mode = "receive"
                else:
                    mode = "keep"
                if mode == "receive":
                    self.received = True
                    section.extend(self.plan)
                continue
            if heading is not None:
                section_had.append(block)
            if mode == "next":
                continue  # moved to this year's section
            new = self._block(block)
            if new is not None:
                section.append(new)
        close()
        if not self.received:
            # A plan with nowhere to go: keep it under a heading of its own.
            self.received = True
            out += [
                {"type": "heading", "text": f"{self.ctx.fy}の計画"},
                *self.plan,
            ]
        return out

    def _heading(self, block: dict[str, Any], section: list[Any], had: list[Any]) -> Any:
        new = _shift_all(block, self.last, near_only=True)
        if had and not section:
            shown = _shown(new.get("text"))
            return Note(new, todo=(TODO, f"ページ「{self.page_title}」の「{shown}」の内容"))
        return new

    def _block(self, block: Any) -> Any:
        if not isinstance(block, dict):  # pragma: no cover - validated last year
            return None
        kind = block.get("type")
        if kind == "columns":
            return self._columns(block)
        if kind == "heading":  # pragma: no cover - handled by _flat
            return _shift_all(block, self.last, near_only=True)
        if kind == "box" and "計画" in str(block.get("title", "")):
            new = _shift_all(block, self.last, near_only=True)
            return Note(
                new,
                before=(
                    f"{self.ctx.last_fy}の事業計画を写しました。{self.ctx.fy}の事業計画に直してください",
                ),
                todo=(
                    CONFIRM,
                    f"ページ「{self.page_title}」の「{new.get('title')}」は{self.ctx.last_fy}の事業計画です",
                ),
            )
        if kind == "paragraph" and block.get("style") == "badge":
            return block
        if kind in _KPI_BLOCKS:
            return self._kpi_block(block)
        if kind == "table" and _is_kpi_block(block):
            return self._kpi_table(block)
        return None  # last year's results

    def _columns(self, block: dict[str, Any]) -> Any:
        columns = []
        for column in block.get("columns") or []:
            title = column.get("title")
            blocks = column.get("blocks") or []
            new_blocks: list[Any] = []
            if self._is_current(title) and not self.received:
                # Last year's plan replaces last year's results (their headings included).
                self.received = True
                kept = [self._block(x) for x in blocks if _is_kpi_block(x)]
                new_blocks = [b for b in kept if b is not None] + self.plan
            elif not self._is_next(title):
                new_blocks = [b for b in (self._block(x) for x in blocks) if b is not None]
            new = dict(column)
            if title is not None:
                new["title"] = shift_era(title, self.last)
            new["blocks"] = new_blocks
            if blocks and not new_blocks:
                shown = _shown(new.get("title")) or "見出しのない列"
                columns.append(
                    Note(new, todo=(TODO, f"ページ「{self.page_title}」の「{shown}」の内容"))
                )
            else:
                columns.append(new)
        return {**block, "columns": columns}

    def _kpi_block(self, block: dict[str, Any]) -> Any:
        ctx = self.ctx
        new = dict(block)
        if block.get("kpi") is not None:
            kpi_id = ctx.kpi_id(block["kpi"])
            if kpi_id is None:
                return None
            new["kpi"] = kpi_id
        if block["type"] == "kpi_box":
            rows = []
            for row in block.get("rows") or []:
                kpi_id = ctx.kpi_id(row.get("kpi"))
                if kpi_id is not None:
                    rows.append({**row, "kpi": kpi_id})
            if not rows:
                return None
            new["rows"] = rows
            statements = block.get("statements")
            if statements and any(_DIGIT.search(s) for s in statements):
                del new["statements"]
                new = _shift_all(new, self.last, near_only=False)
                return Note(
                    new,
                    before=(
                        f"{ctx.last_fy}の文言は前年度の数値を含むため省きました（KPI一覧の文言になります）:",
                        *statements,
                    ),
                    todo=(
                        CONFIRM,
                        f"ページ「{self.page_title}」のKPIの文言は省きました（KPI一覧の文言を表示します）",
                    ),
                )
        # Labels of KPI figures name years relative to the report: all move on.
        return _shift_all(new, self.last, near_only=False)

    def _kpi_table(self, block: dict[str, Any]) -> Any:
        ctx = self.ctx
        new = dict(block)
        for part in ("header", "rows"):
            rows = []
            for row in block.get(part) or []:
                cells = []
                # A row of figures typed last year (no KPI in it) is last year's result.
                keep = part == "header" or not _typed_figures(row) or _row_kpis(row)
                for cell in row:
                    if isinstance(cell, dict) and cell.get("kpi") is not None:
                        kpi_id = ctx.kpi_id(cell["kpi"])
                        if kpi_id is None:
                            keep = False
                            break
                        cell = {**cell, "kpi": kpi_id}
                    cells.append(cell)
                if keep:
                    rows.append(cells)
            if part in block:
                new[part] = rows
        if not new.get("rows"):
            return None
        return Note(
            _shift_all(new, self.last, near_only=False),
            before=(
                f"{ctx.last_fy}の表を写しました。文言の中の数値（目標など）を確認してください",
            ),
            todo=(
                CONFIRM,
                f"ページ「{self.page_title}」のKPIの表は{ctx.last_fy}の文言のままです。文言の中の数値を確認してください",
            ),
        )


_FIGURE_CELLS = ("number", "ratio", "diff", "change")


def _row_kpis(row: list[Any]) -> bool:
    return any(isinstance(cell, dict) and cell.get("kpi") is not None for cell in row)


def _typed_figures(row: list[Any]) -> bool:
    return any(
        isinstance(cell, dict) and any(cell.get(k) is not None for k in _FIGURE_CELLS)
        for cell in row
    )


def _is_kpi_block(block: Any) -> bool:
    """A block computed from the year's KPIs (kpi_box, formula, comparison, KPI tables)."""
    if not isinstance(block, dict):  # pragma: no cover - validated last year
        return False
    if block.get("type") in _KPI_BLOCKS:
        return True
    return block.get("type") == "table" and any(
        isinstance(cell, dict) and cell.get("kpi") is not None
        for part in ("header", "rows")
        for row in block.get(part) or []
        for cell in row
    )
