"""Cross-references the schema alone cannot see: KPI ids, page ids, sections, styles.

They are checked on what validated (``Parts``): where a kind of item is not known
for sure, references to it are not checked rather than reported twice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from kenpo_report.errors import Problem, format_path
from kenpo_report.load.yaml_source import SourceMap
from kenpo_report.model import KIND_NAMES, PRIOR_YEAR, BranchYear, Catalog, KpiEntry
from kenpo_report.project import Project
from kenpo_report.validate.messages import choices, closest, did_you_mean
from kenpo_report.validate.parts import Parts, Path_
from kenpo_report.validate.series import check_series

Found = list[tuple[str, Path_]]  # (message, path in the data)


@dataclass(frozen=True)
class Previous:
    """The branch-year before, as far as 対前年度 targets need it."""

    data: BranchYear | None  # None: no such folder, or it has errors
    folder: str  # plans/<branch>/<year>/, as shown to planners
    exists: bool


def check_references(
    data: BranchYear, catalog: Catalog, source: SourceMap, previous: BranchYear | None = None
) -> list[Problem]:
    """Cross-references the schema alone cannot see: KPI ids, page ids."""
    return reference_problems(
        Parts.of(data), catalog, source, Previous(previous, "", previous is not None)
    )


def reference_problems(
    parts: Parts, catalog: Catalog | None, source: SourceMap, previous: Previous
) -> list[Problem]:
    """Every cross-reference of what validated, and the rules of its series tables."""
    found = _duplicate_pages(parts, source)
    found += _kpi_entries(parts, catalog, source, previous)
    found += _measure_references(parts, catalog, source)
    found += check_series(parts.blocks())
    found += _block_kpis(parts, catalog)
    return [Problem(message, source.get(path), format_path(path)) for message, path in found]


def _duplicate_pages(parts: Parts, source: SourceMap) -> Found:
    found: Found = []
    first: dict[str, int] = {}
    for i, page in parts.pages:
        if page.id is None:
            continue
        if page.id in first:
            where = source.get(("pages", first[page.id], "id"))
            found.append(
                (f"ページID「{page.id}」が重複しています（{where} と同じ）", ("pages", i, "id"))
            )
        first.setdefault(page.id, i)
    return found


def _kpi_entries(
    parts: Parts, catalog: Catalog | None, source: SourceMap, previous: Previous
) -> Found:
    """Each KPI entry: in the catalogue, written once, its category and page known, its prior."""
    last_year = _LastYear.of(parts, previous)
    found: Found = []
    first: dict[str, int] = {}
    for i, entry in parts.kpis:
        if catalog is not None and entry.kpi not in catalog.kpis:
            message = f"KPI「{entry.kpi}」がKPIカタログにありません"
            found.append((message + did_you_mean(entry.kpi, catalog.kpis), ("kpis", i, "kpi")))
        if entry.kpi in first:
            where = source.get(("kpis", first[entry.kpi], "kpi"))
            message = f"KPI「{entry.kpi}」が2回書かれています（{where} と同じ）"
            found.append((message, ("kpis", i, "kpi")))
        first.setdefault(entry.kpi, i)
        if (
            catalog is not None
            and entry.category is not None
            and entry.category not in catalog.categories
        ):
            message = _unknown_category(entry.category, catalog.categories)
            found.append((message, ("kpis", i, "category")))
        if (
            entry.page is not None
            and parts.page_ids is not None
            and entry.page not in parts.page_ids
        ):
            message = f"施策・ページ「{entry.page}」が measures にも pages にもありません"
            found.append((message + did_you_mean(entry.page, parts.page_ids), ("kpis", i, "page")))
        if last_year.lacks_prior(entry):
            message = _no_prior(entry.kpi, previous, last_year.renamed)
            found.append((message, ("kpis", i, "target")))
    return found


@dataclass(frozen=True)
class _LastYear:
    """What last year tells of this year's 対前年度 targets."""

    actuals: set[str]  # the KPIs with an actual last year
    renamed: dict[str, str]  # this year's KPI id -> last year's, for a KPI whose id changed
    # A plan-only year after a plan-only year (e.g. made by `new` before last year's
    # results are in): its 対前年度 targets wait for last year's actuals, which its own
    # folder will get when last year is reported. Nothing shows them before that: a
    # year with documents needs them, and so does last year's 次年度KPI column.
    pending: bool
    # A plan (事業計画) is written before last year's results are final: its 対前年度
    # targets stand as words (対前年度以上) until a results document needs a figure.
    plan_only: bool

    @classmethod
    def of(cls, parts: Parts, previous: Previous) -> _LastYear:
        kpis = previous.data.kpis if previous.data else []
        return cls(
            {e.kpi for e in kpis if e.actual is not None},
            {e.successor: e.kpi for e in kpis if e.successor},
            not parts.reported and previous.data is not None and not previous.data.documents,
            bool(parts.documents) and all(d.kind == "plan" for _, d in parts.documents),
        )

    def lacks_prior(self, entry: KpiEntry) -> bool:
        """A 対前年度 target with no prior year's figure, where one is needed now."""
        return (
            entry.target == PRIOR_YEAR
            and entry.prior is None
            and entry.kpi not in self.actuals
            and not (self.pending and entry.kpi not in self.renamed)
            and not (self.plan_only and entry.actual is None)
        )


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


def _measure_references(parts: Parts, catalog: Catalog | None, source: SourceMap) -> Found:
    """A measure's section, KPIs and id; sections named after catalogue categories."""
    found: Found = []
    seen: dict[str, int] = {}
    categories = catalog.categories if catalog is not None else None
    cited = _citable_kpis(parts, catalog)
    for m, measure in parts.measures:
        if measure.id in seen:
            where = source.get(("measures", seen[measure.id], "id"))
            message = f"施策ID「{measure.id}」が重複しています（{where} と同じ）"
            found.append((message, ("measures", m, "id")))
        seen.setdefault(measure.id, m)
        if categories is not None and measure.section not in categories:
            message = _unknown_category(measure.section, categories)
            found.append((message, ("measures", m, "section")))
        for k, kpi_id in enumerate(measure.kpis):
            if isinstance(kpi_id, str) and cited is not None and kpi_id not in cited:
                found.append((_unknown_kpi(kpi_id, parts, catalog), ("measures", m, "kpis", k)))
    # Pages come after the measures in the documents: the page is the later one.
    for p, page in parts.pages:
        if page.id is not None and page.id in seen:
            where = source.get(("measures", seen[page.id], "id"))
            message = f"ページID「{page.id}」が施策のIDと重複しています（{where} と同じ）"
            found.append((message, ("pages", p, "id")))
    for key in parts.sections:
        if categories is not None and key not in categories:
            found.append((_unknown_category(key, categories), ("sections", key)))
    return found


def _unknown_category(key: str, categories: Iterable[str]) -> str:
    return (
        f"区分「{key}」がKPIカタログの categories にありません{did_you_mean(key, categories)}。"
        f"次のどれかを書いてください: {choices(categories)}"
    )


def _block_kpis(parts: Parts, catalog: Catalog | None) -> Found:
    """The KPIs blocks name must be KPIs of the year."""
    known = _citable_kpis(parts, catalog)
    if known is None:
        return []
    return [
        (_unknown_kpi(kpi_id, parts, catalog), path)
        for block_path, block in parts.blocks()
        for path, kpi_id in _kpi_refs(block, block_path)
        if kpi_id not in known
    ]


def _unknown_kpi(kpi_id: str, parts: Parts, catalog: Catalog | None) -> str:
    return f"KPI「{kpi_id}」がこの年度の kpis にありません" + did_you_mean(
        kpi_id, _known_kpis(parts, catalog)
    )


def _citable_kpis(parts: Parts, catalog: Catalog | None) -> set[str] | None:
    """The KPI ids a measure or block may cite (None: not known for sure).

    The year's KPIs, and the catalogue ids its misspelt ones were meant to be: a KPI
    entry misspelt is one error, on the entry, not one more on each citation of the KPI.
    """
    if parts.kpi_ids is None or catalog is None:
        return parts.kpi_ids
    meant = {closest(k, catalog.kpis) for k in parts.kpi_ids if k not in catalog.kpis}
    return parts.kpi_ids | {k for k in meant if k is not None}


def _known_kpis(parts: Parts, catalog: Catalog | None) -> set[str]:
    """The year's KPI ids a reference may be a misspelling of (not ones misspelt themselves)."""
    ids = parts.kpi_ids or set()
    return {k for k in ids if catalog is None or k in catalog.kpis}


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
        shown = project.relative(folder) + "/"
        if folder.is_dir():  # a style of other kinds
            said = (
                f"様式「{document.style}」では{KIND_NAMES[document.kind]}を作れません"
                f"（{shown} に {document.kind}.html.j2 がありません）"
            )
        else:  # most often a misspelling
            hint = did_you_mean(document.style, styles) or f"（{shown}）"
            said = f"様式「{document.style}」がありません{hint}"
        path = ("documents", i, "style")
        problems.append(
            Problem(
                f"{said}。次のどれかを書いてください: {choices(styles)}",
                source.get(path),
                format_path(path),
            )
        )
    return problems
