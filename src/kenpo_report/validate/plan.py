"""Load and validate one branch-year: YAML files -> typed models.

All problems of all files are collected and raised together, each with its
file:line:column and field path, in Japanese, sorted by file and line as a
compiler reports them. A problem in one file does not hide the others': every
file that reads as YAML is merged and validated, and the cross-references
(KPI ids, page ids, images, styles) are checked on every part that validated.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from pydantic import BaseModel

from kenpo_report.errors import Position, Problem, UserError
from kenpo_report.load.branch_year import load_year_files
from kenpo_report.load.images import read_images
from kenpo_report.load.yaml_source import SourceMap, load_file_collecting
from kenpo_report.model import Branch, BranchYear, Catalog
from kenpo_report.project import Project
from kenpo_report.validate.parts import Parts
from kenpo_report.validate.references import (
    Previous,
    check_references,
    check_styles,
    reference_problems,
)
from kenpo_report.validate.schema import validate_model

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
    # The documents' drafts (draft:), by revision: the branch-year as git holds it there.
    drafts: dict[str, Plan] = field(default_factory=dict)


@dataclass(frozen=True)
class _Year:
    data: BranchYear | None  # None: missing, incomplete or not valid
    source: SourceMap
    parts: Parts  # what validated, for the cross-references


def load_plan(project: Project, branch: str, year: int, *, drafts: bool = True) -> Plan:
    """Load, merge and validate a branch-year, with its catalogue and previous year.

    *drafts*: also read the revisions its documents name as their drafts (from git)."""
    problems: list[Problem] = []
    catalog = _load_model(project, project.catalog_file(year), Catalog, problems, "KPIカタログ")
    branch_model = _load_model(
        project, project.branch_file(branch), Branch, problems, "支部ファイル"
    )
    this = _load_year(project, branch, year, problems)
    # Neighbouring years: the previous one resolves 対前年度 targets, the next one
    # gives 次年度KPI. Their own problems are reported when they are checked.
    previous = _previous(project, branch, year)
    problems += reference_problems(this.parts, catalog, this.source, previous)
    problems += check_styles(this.parts, project, this.source)
    images, unreadable = read_images(this.parts.blocks(), project.plans / branch, this.source)
    problems += unreadable
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
    plan = Plan(
        branch, year, catalog, branch_model, data, this.source, previous.data, images, following
    )
    if not drafts or not any(document.draft for document in data.documents):
        return plan
    # git, and the module that runs it, only for a document that names its draft.
    from kenpo_report.validate.revisions import with_drafts

    return with_drafts(project, plan)


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
    """The year's merged files validated; what validated of them when not all did."""
    files = load_year_files(project, branch, year, problems)
    if files.merged is None:
        return _Year(None, SourceMap(), Parts())
    data = validate_model(BranchYear, files.merged, problems)
    valid = Parts.of(data) if data is not None else Parts.salvage(files.merged.data)
    if not files.complete:
        data = None  # the branch-year is incomplete
        valid.unknown()
    return _Year(data, files.merged.source, valid)
