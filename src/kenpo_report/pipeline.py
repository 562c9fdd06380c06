"""The pipeline, one readable call per stage:

load → validate → compute → lay out → render (PDF, DOCX) → write

The renderers (WeasyPrint, python-docx, matplotlib) are imported only by the
stages that use them, so ``check`` starts fast enough for a pre-commit hook.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from . import templating
from .errors import Problem, Severity, UserError, format_path
from .project import Project
from .report import Report, build_report, charts, image_url
from .validate import Plan, load_plan

FORMATS = ("pdf", "docx")


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)


@dataclass
class LaidOut:
    """One document after the lay-out stage: its HTML and the charts it draws."""

    report: Report
    html: str
    charts: list[dict] = field(default_factory=list)

    @property
    def document(self):  # the schema's Document
        return self.report.document


def check(project: Project, branch: str, year: int) -> list[Problem]:
    """Validate and compute one branch-year; returns its warnings (errors raise)."""
    plan = load_plan(project, branch, year)
    warnings: list[Problem] = []
    for document in plan.data.documents:
        warnings += warnings_of(plan, build_report(plan, document))
    return unique(warnings)


def lay_out_plan(project: Project, plan: Plan) -> tuple[list[LaidOut], list[Problem]]:
    """Compute and lay out every document of *plan*; returns them and their warnings."""
    documents: list[LaidOut] = []
    warnings: list[Problem] = []
    for document in plan.data.documents:
        report = build_report(plan, document)  # compute
        warnings += warnings_of(plan, report)
        documents.append(LaidOut(report, lay_out(project, plan, report), charts(report.pages)))
    return documents, unique(warnings)


def build(
    project: Project,
    branch: str,
    year: int,
    formats: tuple[str, ...] = FORMATS,
    *,
    strict: bool = False,
    pdf_variant: str | None = None,
) -> BuildResult:
    from .output import write_all
    from .render import docx as docx_render
    from .render import pdf as pdf_render

    plan = load_plan(project, branch, year)  # load + validate
    laid_out, warnings = lay_out_plan(project, plan)  # compute + lay out
    if strict and warnings:
        raise UserError([_as_error(w) for w in warnings])
    result = BuildResult(warnings=warnings)
    files: dict[str, bytes] = {}
    images = {image_url(content): content for content in plan.images.values()}
    for item in laid_out:
        vector, raster = draw_charts(project, item.charts)
        assets = pdf_render.Assets(project.templates, project.fonts, {**images, **vector}, raster)
        try:  # render
            pdf = pdf_render.render(item.html, assets, pdf_variant=pdf_variant)
            if "docx" in formats:
                files[f"{item.document.id}.docx"] = docx_render.render(
                    item.html, assets, page_numbers=pdf.anchors
                )
        except OSError as exc:
            # WeasyPrint writes font files to a temporary folder: a full disk shows here.
            raise UserError.single(
                f"作業用ファイルを書き込めませんでした（{exc.strerror or exc}）"
            ) from None
        result.pages[item.document.id] = pdf.pages
        if "pdf" in formats:
            files[f"{item.document.id}.pdf"] = pdf.data
    result.written = write_all(project.output_dir(branch, year), files)  # write
    return result


def draw_charts(project: Project, drawn: list[dict]) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Charts as SVG for the PDF and as PNG for the DOCX, by their URL."""
    if not drawn:
        return {}, {}
    from .render import chart as chart_render  # matplotlib: only when there is a chart

    vector = {c["url"]: chart_render.draw(c["chart"], project.fonts, "svg") for c in drawn}
    raster = {c["url"]: chart_render.draw(c["chart"], project.fonts, "png") for c in drawn}
    return vector, raster


def lay_out(project: Project, plan: Plan, report: Report) -> str:
    context = {
        "report": report,
        "categories": plan.catalog.categories,
        "spans": templating.spans,
        "runs": templating.runs,
    }
    return templating.render(project.templates, report.document.style, context)


def warnings_of(plan: Plan, report: Report) -> list[Problem]:
    return [
        Problem(f.message, plan.source.get(f.path), format_path(f.path), Severity.WARNING)
        for f in report.findings
    ]


def _as_error(p: Problem) -> Problem:
    return Problem(p.message, p.position, p.field, Severity.ERROR)


def unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
