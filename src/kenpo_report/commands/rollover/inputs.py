"""What a rollover starts from: last year's files and plan, and the new year's catalogue.

Everything is checked before anything is written: the new year must not exist
yet, and the branch, last year's data and the new catalogue must.
"""

from __future__ import annotations

from pathlib import Path

from kenpo_report.commands.rollover.context import Context
from kenpo_report.commands.rollover.kpis import plan_kpi_ids
from kenpo_report.errors import Problem, UserError
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.load.yaml_source import load_file
from kenpo_report.model import Catalog
from kenpo_report.project import Project
from kenpo_report.validate import load_plan, validate_model


def source_files(project: Project, branch: str, year: int) -> list[Path]:
    """Last year's files, once it is sure that *year* can be made from them."""
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
    previous = load_plan(project, branch, year - 1)
    last_folder = project.relative(project.year_dir(branch, year - 1)) + "/"
    ctx = Context(year, catalog, previous, last_folder)
    plan_kpi_ids(ctx)
    return ctx
