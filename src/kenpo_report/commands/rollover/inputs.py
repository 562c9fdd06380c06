"""What `new` starts from: last year's files and plan, and the new year's catalogue.

Everything is checked before anything is written: the new year must not exist
yet, and the branch, last year's data and the new catalogue must. A branch
with no year yet starts from the catalogue alone (its first year): it is new
when it has no branch.yaml yet either, and then needs its name (``--name``).
"""

from __future__ import annotations

from pathlib import Path

from kenpo_report.commands.rollover.context import Context
from kenpo_report.commands.rollover.kpis import plan_kpi_ids
from kenpo_report.errors import Problem, UserError
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.load.yaml_source import load_file
from kenpo_report.model import Branch, Catalog
from kenpo_report.project import Project
from kenpo_report.validate import load_plan, validate_model
from kenpo_report.validate.messages import did_you_mean


def not_made_yet(project: Project, branch: str, year: int) -> None:
    """*year* must not exist yet: `new` never overwrites."""
    target = project.year_dir(branch, year)
    shown = project.relative(target) + "/"
    if target.exists() and (not target.is_dir() or any(target.iterdir())):
        raise UserError.single(
            f"{shown} はすでにあります。上書きはしません"
            "（作り直すときは、そのフォルダを別の場所へ移してから実行してください）"
        )


def first_year(project: Project, branch: str, year: int, name: str | None) -> bool:
    """Whether *year* is the branch's first (no year has files yet); checks ``--name``.

    A branch with only later years is not new: *year* is then made from the year
    before it, as any other (source_files says that it is missing)."""
    branch_file = project.branch_file(branch)
    shown = project.relative(branch_file)
    years = _years(project, branch)
    if branch_file.is_file():
        if name is not None and name != (known := branch_name(project, branch)):
            raise UserError.single(
                f"{shown} の支部名は「{known}」です。--name の「{name}」とは違います"
                f"（支部名を変えるときは {shown} の name を直し、--name は付けないでください）"
            )
        return not years
    if years:
        raise UserError.single(
            f"支部「{branch}」の {shown} がありません"
            f"（{fiscal_year(years[-1])}のデータはあります）。先に {shown} を作ってください"
        )
    if name is None:
        raise UserError.single(
            f"支部「{branch}」がありません{did_you_mean(branch, project.branches())}。"
            "新しい支部なら、--name で支部名を付けてください"
            f"（例: kenpo-report new {branch} {year} --name ○○支部）。{shown} と"
            f"{fiscal_year(year)}のひな形を作ります"
        )
    return True


def branch_name(project: Project, branch: str) -> str:
    """The name in an existing branch.yaml (checked as `check` does)."""
    path = project.branch_file(branch)
    problems: list[Problem] = []
    found = validate_model(Branch, load_file(path, project.relative(path)), problems)
    if found is None:
        raise UserError(problems)
    return found.name


def _years(project: Project, branch: str) -> list[int]:
    """The branch's years with files (branch_years needs a branch.yaml: this does not)."""
    folders = (project.plans / branch).glob("[0-9][0-9][0-9][0-9]")
    return sorted(int(d.name) for d in folders if project.year_files(branch, int(d.name)))


def source_files(project: Project, branch: str, year: int) -> list[Path]:
    """Last year's files, once it is sure that *year* can be made from them."""
    files = project.year_files(branch, year - 1)
    if not files:
        last = project.relative(project.year_dir(branch, year - 1)) + "/"
        raise UserError.single(
            f"前年度（{fiscal_year(year - 1)}）のデータ {last} がありません。"
            f"{fiscal_year(year)}は前年度のデータから作ります。先に {last} を作ってください"
        )
    return files


def context(project: Project, branch: str, year: int) -> Context:
    """The rollover's context: the new catalogue, last year (which must check cleanly),
    and which of last year's KPIs continue."""
    catalog = year_catalog(project, year)
    previous = load_plan(project, branch, year - 1)
    last_folder = project.relative(project.year_dir(branch, year - 1)) + "/"
    ctx = Context(year, catalog, previous, last_folder)
    plan_kpi_ids(ctx)
    return ctx


def year_catalog(project: Project, year: int) -> Catalog:
    """The year's KPI catalogue, which must exist and check cleanly."""
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
    return catalog
