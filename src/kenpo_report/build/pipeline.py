"""The pipeline, one readable call per stage:

load → validate → compute → lay out → render (PDF, DOCX) → write

The renderers (WeasyPrint, python-docx, matplotlib) are imported only by the
stages that use them, so ``check`` starts fast enough for a pre-commit hook.

A build whose inputs and outputs are as the last one left them does nothing
(see :mod:`.cache`); otherwise the PDF is laid out part by part, reusing the
parts whose HTML did not change (see :mod:`.render.parts`).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from kenpo_report.errors import Position, Problem, Severity, UserError, format_path
from kenpo_report.project import Project

if TYPE_CHECKING:
    from kenpo_report.build.cache import Manifest, Store
    from kenpo_report.build.workers import Runner
    from kenpo_report.compute.report import Report
    from kenpo_report.model import DocumentSettings
    from kenpo_report.render.parts import Hint
    from kenpo_report.render.results import Assets, PdfResult
    from kenpo_report.validate import Plan

FORMATS = ("pdf", "docx")
# Formats a build can write; html is asked for by name (see render.html).
ALL_FORMATS = ("pdf", "docx", "html")


@dataclass
class BuildResult:
    written: list[Path] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    pages: dict[str, int] = field(default_factory=dict)
    up_to_date: list[Path] = field(default_factory=list)  # outputs left as they were


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
    from kenpo_report.compute.report import build_report
    from kenpo_report.validate import load_plan

    plan = load_plan(project, branch, year)
    warnings: list[Problem] = []
    for document in plan.data.documents:
        warnings += warnings_of(plan, build_report(plan, document), project)
    return unique(warnings)


def lay_out_plan(
    project: Project, plan: Plan, trial: tuple[str, str] | None = None
) -> tuple[list[LaidOut], list[Problem]]:
    """Compute and lay out every document of *plan*; returns them and their warnings.

    *trial* (kind, style): instead, the one undeclared document of that kind and style.
    """
    from kenpo_report.compute.report import build_report, charts

    documents: list[LaidOut] = []
    warnings: list[Problem] = []
    for document in [trial_document(plan, *trial)] if trial else plan.data.documents:
        report = build_report(plan, document)  # compute
        warnings += warnings_of(plan, report, project)
        documents.append(LaidOut(report, lay_out(project, plan, report), charts(report)))
    return documents, unique(warnings)


def trial_document(plan: Plan, kind: str, style: str):
    """A document the branch-year does not declare, to try a style: <kind>-<style>."""
    from kenpo_report.layout.formatting import fiscal_year
    from kenpo_report.model import KIND_NAMES, DocumentSettings

    declared = plan.data.documents
    title = f"{fiscal_year(plan.year)} {plan.branch.name} {KIND_NAMES[kind]}"
    return DocumentSettings(
        id=f"{kind.replace('_', '-')}-{style}",
        kind=kind,
        style=style,
        title=title,
        # A fixed date keeps the output deterministic: the declared one's, or the year's end.
        date=declared[0].date if declared else f"{plan.year + 1}-03-31",
        header=next((d.header for d in declared if d.header), None),
    )


def build(
    project: Project,
    branch: str,
    year: int,
    formats: tuple[str, ...] = FORMATS,
    *,
    strict: bool = False,
    pdf_variant: str | None = None,
    jobs: int = 1,
    force: bool = False,
    trial: tuple[str, str] | None = None,
) -> BuildResult:
    """Build one branch-year's documents; *jobs* > 1 lays out parts in that many processes.

    *force* builds even when the outputs are up to date, without the cache.
    *trial* (kind, style) builds only that undeclared document (see trial_document).
    """
    from kenpo_report.build import cache

    options = cache.build_options(formats, pdf_variant, strict) | (
        {"trial": list(trial)} if trial else {}
    )
    key, fresh = cache.fresh_manifest(project, branch, year, options)  # nothing to do?
    if fresh is not None and not force:
        return unchanged(project, branch, year, fresh)
    # Only now: an unchanged build imports neither pikepdf nor python-docx (and the
    # workers, forked after this, need not import them again).
    from kenpo_report.build.output import write_all
    from kenpo_report.build.workers import Runner

    previous = None if force else cache.read_manifest(project, branch, year)
    store = None if force else cache.Store.of(project)
    with Runner(jobs, preload=import_renderers) as runner:
        if not pdf_variant:
            # The workers import the renderers (1 s) while this process loads the plan.
            runner.start(import_part_renderers)
        from kenpo_report.validate import load_plan

        plan = load_plan(project, branch, year)  # load + validate
        laid_out, warnings = lay_out_plan(project, plan, trial)  # compute + lay out
        if strict and warnings:
            raise UserError([w.as_error() for w in warnings])
        manifest = cache.Manifest(key, options, warnings=cache.Manifest.warning_rows(warnings))
        rendering = Rendering(formats, pdf_variant, store, runner, previous)
        for item in laid_out:
            render(project, plan, item, rendering, manifest)  # render
    folder = project.output_dir(branch, year)
    written = write_all(folder, rendering.files, rendering.merged)  # write
    record(project, branch, year, manifest, rendering.files)
    if store is not None:
        store.prune()
    return BuildResult(written=written, warnings=warnings, pages=dict(manifest.pages))


def unchanged(project: Project, branch: str, year: int, manifest: Manifest) -> BuildResult:
    """The result of a build that had nothing to do: as the last one left it."""
    folder = project.output_dir(branch, year)
    return BuildResult(
        warnings=manifest.problems(),
        pages=dict(manifest.pages),
        up_to_date=[folder / name for name in manifest.outputs],
    )


def assets_of(project: Project, plan: Plan, item: LaidOut, store: Store | None = None) -> Assets:
    """Everything a document's renderers may read: folders, images, charts, marks.

    The one definition for build and preview alike."""
    from kenpo_report.layout import marks
    from kenpo_report.render.results import Assets
    from kenpo_report.render.urls import image_url

    images = {image_url(content): content for content in plan.images.values()}
    vector, raster = _charts(project, item.charts, store)
    mark_vector, mark_raster = marks.images(item.html)
    return Assets(
        project.templates,
        project.fonts,
        {**images, **vector, **mark_vector},
        {**raster, **mark_raster},
    )


@dataclass
class Rendering:
    """The render stage of one build: how it renders, and the files it has rendered."""

    formats: tuple[str, ...]
    pdf_variant: str | None
    store: Store | None
    runner: Runner
    previous: Manifest | None  # the last build's: its page numbers are the first guess
    files: dict[str, bytes] = field(default_factory=dict)  # file name -> bytes
    merged: list[str] = field(default_factory=list)  # PDFs merged from parts, each checked

    def hint(self, doc: str) -> Hint | None:
        """The last build's page numbers of document *doc*, if it made that document."""
        from kenpo_report.render.parts import Hint

        last = self.previous
        if last is None or doc not in last.anchors or doc not in last.pages:
            return None
        return Hint(last.anchors[doc], last.pages[doc], tuple(last.starts.get(doc, ())))


def render(
    project: Project, plan: Plan, item: LaidOut, rendering: Rendering, manifest: Manifest
) -> None:
    """One document's files in the formats asked for; its pages go into *manifest*."""
    doc = item.document.id
    formats, previous = rendering.formats, rendering.previous
    assets = assets_of(project, plan, item, rendering.store)
    anchors = dict(previous.anchors.get(doc, {})) if previous is not None else {}
    if "pdf" in formats or "docx" in formats:
        pdf, docx, parts = render_pdf_docx(item, assets, rendering)
        manifest.pages[doc], manifest.parts[doc] = pdf.pages, parts
        manifest.anchors[doc] = anchors = pdf.anchors
        manifest.starts[doc] = list(pdf.starts)
        if "pdf" in formats:
            rendering.files[f"{doc}.pdf"] = pdf.data
            if parts:
                rendering.merged.append(f"{doc}.pdf")
        if docx is not None:
            rendering.files[f"{doc}.docx"] = docx
    if "html" in formats:
        from kenpo_report.render import html as html_render

        rendering.files[f"{doc}.html"] = html_render.render(item.html, assets, anchors)


def render_pdf_docx(
    item: LaidOut, assets: Assets, rendering: Rendering
) -> tuple[PdfResult, bytes | None, list[int]]:
    """One document's PDF, DOCX (if asked for) and the pages of its parts."""
    from kenpo_report.render.parts import render_document

    want_docx = "docx" in rendering.formats
    try:
        if rendering.pdf_variant:  # PDF/A and PDF/UA describe the whole file: no parts
            from kenpo_report.render import docx as docx_render
            from kenpo_report.render import pdf as pdf_render

            pdf = pdf_render.render(item.html, assets, pdf_variant=rendering.pdf_variant)
            docx = None
            if want_docx:
                docx = docx_render.render(item.html, assets, page_numbers=pdf.anchors)
            return pdf, docx, []
        rendered = render_document(
            item.html,
            assets,
            docx=want_docx,
            store=rendering.store,
            runner=rendering.runner,
            hint=rendering.hint(item.document.id),
        )
        return rendered.pdf, rendered.docx, rendered.parts
    except OSError as exc:
        # WeasyPrint writes font files to a temporary folder: a full disk shows here.
        raise UserError.single(
            f"作業用ファイルを書き込めませんでした（{exc.strerror or exc}）"
        ) from None


def record(
    project: Project, branch: str, year: int, manifest: Manifest, files: dict[str, bytes]
) -> None:
    """Keep the build's manifest: what the next build compares with (see .cache)."""
    from kenpo_report.build import cache

    manifest.outputs = {name: hashlib.sha256(data).hexdigest() for name, data in files.items()}
    cache.write_manifest(project, branch, year, manifest)


def import_renderers() -> None:
    # Imported once before the workers fork, not once per worker (WeasyPrint: 1 s).
    from kenpo_report.render import docx, merge, pdf  # noqa: F401


def import_part_renderers() -> None:
    """What the workers of one branch-year's build run: its parts' PDF and its DOCX (this
    process merges the parts, and imports pikepdf while they work: render.parts)."""
    from kenpo_report.render import docx, pdf  # noqa: F401


def _charts(
    project: Project, drawn: list[dict], store: Store | None
) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """draw_charts, through the cache: matplotlib is imported only for a new chart."""
    if store is None or not drawn:
        return draw_charts(project, drawn)
    from kenpo_report.build import cache

    fonts = project.fonts
    stamp = cache.files_digest(fonts, [p.name for p in fonts.iterdir()] if fonts.is_dir() else [])
    keys = {
        c["url"]: cache.digest("chart", cache.renderer_digest(), stamp, c["url"]) for c in drawn
    }
    vector = {url: store.get("chart-svg", key) for url, key in keys.items()}
    raster = {url: store.get("chart-png", key) for url, key in keys.items()}
    new = [c for c in drawn if vector[c["url"]] is None or raster[c["url"]] is None]
    fresh_vector, fresh_raster = draw_charts(project, new)
    for url, data in fresh_vector.items():
        vector[url] = data
        store.put("chart-svg", keys[url], data)
    for url, data in fresh_raster.items():
        raster[url] = data
        store.put("chart-png", keys[url], data)
    return vector, raster


def draw_charts(project: Project, drawn: list[dict]) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Charts as SVG for the PDF and as PNG for the DOCX, by their URL."""
    if not drawn:
        return {}, {}
    from kenpo_report.render import chart as chart_render  # matplotlib: only when there is a chart

    vector = {c["url"]: chart_render.draw(c["chart"], project.fonts, "svg") for c in drawn}
    raster = {c["url"]: chart_render.draw(c["chart"], project.fonts, "png") for c in drawn}
    return vector, raster


def lay_out(project: Project, plan: Plan, report: Report) -> str:
    from kenpo_report.build.cache import cache_root
    from kenpo_report.layout import templating

    context = {
        "report": report,
        "categories": plan.catalog.categories,
        "spans": templating.spans,
        "runs": templating.runs,
    }
    compiled = cache_root(project) / "jinja"
    document = report.document
    return templating.render(project.templates, document.style, document.kind, context, compiled)


def warnings_of(plan: Plan, report: Report, project: Project) -> list[Problem]:
    """The report's warnings; raises its errors (references that do not resolve)."""

    def problem(f, severity: Severity) -> Problem:
        pos = plan.source.get(f.path)
        if f.token and pos is not None:
            pos = token_position(project.root / pos.file, pos, f.token)
        return Problem(f.message, pos, format_path(f.path), severity)

    from kenpo_report.validate import sort_problems

    if report.errors:
        raise UserError(sort_problems(unique([problem(f, Severity.ERROR) for f in report.errors])))
    warnings = [problem(f, Severity.WARNING) for f in report.findings]
    # As a compiler lists them: by file, line and column, whichever stage found them.
    return sort_problems(warnings + pending_of(plan, report.document))


def pending_of(plan: Plan, document: DocumentSettings) -> list[Problem]:
    """The places *document* shows that are still to fill in (記入待ち), where they are.

    ``check`` lists them (severity PENDING), ``build`` counts them, ``list`` too."""
    from kenpo_report.compute.pending import pending_places

    source = plan.source
    return [
        Problem(
            place.message,
            (source.keys.get(place.path) if place.at_key else None) or source.get(place.path),
            format_path(place.path),
            Severity.PENDING,
        )
        for place in pending_places(plan, document)
    ]


def token_position(file: Path, start: Position, token: str) -> Position:
    """Where *token* is first written at or after *start* in *file* (a value's position)."""
    try:
        lines = file.read_text(encoding="utf-8").split("\n")
    except OSError:
        return start
    for n in range(start.line - 1, min(len(lines), start.line + 200)):
        line = lines[n]
        at = line.find(token, start.column - 1 if n == start.line - 1 else 0)
        if at >= 0:
            return Position(start.file, n + 1, at + 1)
    return start


def unique(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))
