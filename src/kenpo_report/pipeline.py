"""The pipeline, one readable call per stage:

load → validate → compute → lay out → render (PDF, DOCX) → write
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import templating
from .errors import Problem, Severity, UserError, format_path
from .output import write_all
from .project import Project
from .render import chart as chart_render
from .render import docx as docx_render
from .render import pdf as pdf_render
from .report import Report, build_report, charts, image_url
from .validate import Plan, load_plan

FORMATS = ("pdf", "docx")


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)


def check(project: Project, branch: str, year: int) -> list[Problem]:
    """Validate and compute one branch-year; returns its warnings (errors raise)."""
    plan = load_plan(project, branch, year)
    warnings: list[Problem] = []
    for document in plan.data.documents:
        warnings += _warnings(plan, build_report(plan, document))
    return _unique(warnings)


def build(
    project: Project,
    branch: str,
    year: int,
    formats: tuple[str, ...] = FORMATS,
    *,
    strict: bool = False,
    pdf_variant: str | None = None,
) -> BuildResult:
    plan = load_plan(project, branch, year)  # load + validate
    result = BuildResult()
    files: dict[str, bytes] = {}
    images = {image_url(content): content for content in plan.images.values()}
    for document in plan.data.documents:
        report = build_report(plan, document)  # compute
        result.warnings += _warnings(plan, report)
        if strict and result.warnings:
            raise UserError([_as_error(w) for w in _unique(result.warnings)])
        drawn = charts(report.pages)  # charts: SVG for the PDF, PNG for the DOCX
        vector = {c["url"]: chart_render.draw(c["chart"], project.fonts, "svg") for c in drawn}
        raster = {c["url"]: chart_render.draw(c["chart"], project.fonts, "png") for c in drawn}
        assets = pdf_render.Assets(project.templates, project.fonts, {**images, **vector}, raster)
        html = lay_out(project, plan, report)  # lay out
        try:  # render
            pdf = pdf_render.render(html, assets, pdf_variant=pdf_variant)
            if "docx" in formats:
                files[f"{document.id}.docx"] = docx_render.render(
                    html, assets, page_numbers=pdf.anchors
                )
        except OSError as exc:
            # WeasyPrint writes font files to a temporary folder: a full disk shows here.
            raise UserError.single(
                f"作業用ファイルを書き込めませんでした（{exc.strerror or exc}）"
            ) from None
        result.pages[document.id] = pdf.pages
        if "pdf" in formats:
            files[f"{document.id}.pdf"] = pdf.data
    result.warnings = _unique(result.warnings)
    result.written = write_all(project.output_dir(branch, year), files)  # write
    return result


def lay_out(project: Project, plan: Plan, report: Report) -> str:
    context = {
        "report": report,
        "categories": plan.catalog.categories,
        "spans": templating.spans,
        "runs": templating.runs,
    }
    return templating.render(project.templates, report.document.style, context)


def _warnings(plan: Plan, report: Report) -> list[Problem]:
    return [
        Problem(f.message, plan.source.get(f.path), format_path(f.path), Severity.WARNING)
        for f in report.findings
    ]


def _as_error(p: Problem) -> Problem:
    return Problem(p.message, p.position, p.field, Severity.ERROR)


def _unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
