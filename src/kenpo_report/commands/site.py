"""The published site's index (``kenpo-report site``): branches × years × documents.

``rows`` is pure reading: for every branch-year under plans/ and every document
of its plan, the built files found in the site folder (output/ by default: PDF,
DOCX, and HTML when ``build --format html`` made it), the KPI achievement count of
the computed report (nothing is rendered), and what ``kenpo-report list`` says of
it (:mod:`.status`: 古い when output/ is not what a build would now make; the
places still to fill in, 記入待ち). A plan that does not load is one row marked
エラー; a document without any built file is marked 未作成. ``write_index`` renders
templates/site/index.html.j2 with relative links only, in the bundled font written
beside it (:mod:`.site_fonts`), and replaces index.html atomically.

For the publishing workflow, ``python -m kenpo_report.commands.site`` prints the
built files of the branch-years whose build reads one of the changed paths on
stdin (the pull-request job; see :func:`kenpo_report.build.inputs.affected_branch_years`),
``--all`` those of every branch-year.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO
from urllib.parse import quote

import jinja2

from kenpo_report.build.inputs import affected_branch_years
from kenpo_report.build.pipeline import ALL_FORMATS, FORMATS
from kenpo_report.build.writer import write_file
from kenpo_report.commands import status
from kenpo_report.commands.site_fonts import (
    FAMILY,
    SiteFont,
    cut_fonts,
    remove_old_fonts,
    write_fonts,
)
from kenpo_report.compute.report import build_report
from kenpo_report.errors import Severity, UserError
from kenpo_report.layout import templating
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.load.yaml_source import load_file
from kenpo_report.model import Branch
from kenpo_report.project import Project
from kenpo_report.validate import load_plan, validate_model

ERROR = "エラー"
MISSING = "未作成"
NO_DOCUMENTS = "文書なし"
STALE = status.STALE
PENDING = Severity.PENDING.value
TEMPLATE = "site/index.html.j2"
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "html": "text/html",
}
INDEX = "index.html"


@dataclass(frozen=True)
class Link:
    format: str  # "pdf" / "docx" / "html"
    href: str  # relative to the index page, with forward slashes
    size: int  # bytes


@dataclass(frozen=True)
class SiteRow:
    branch: str
    branch_name: str
    year: int
    document: str  # the document id ("" when the year has none, or does not load)
    title: str
    state: str = ""  # "" for a document, ERROR or NO_DOCUMENTS for the whole branch-year
    achieved: int | None = None  # KPIs achieved (達成)
    judged: int | None = None  # KPIs with an actual figure, so with an achievement
    kpis: int = 0  # rows of the KPI list
    links: dict[str, Link | None] = field(default_factory=dict)  # format -> file (None: 未作成)
    errors: int = 0  # problems of a plan that does not load
    status: str = ""  # what `kenpo-report list` says of its outputs (作成済み, 古い, 未作成)
    pending: int = 0  # places still to fill in (記入待ち)

    @property
    def stale(self) -> bool:
        """Built, but not what a build would now make (its data or style changed since)."""
        return self.status == STALE

    @property
    def fiscal_year(self) -> str:
        return fiscal_year(self.year)

    @property
    def achievement(self) -> str:
        """達成 n / m; 実績なし when no KPI has an actual figure yet (a plan); － without KPIs."""
        if self.judged:
            return f"達成 {self.achieved} / {self.judged}"
        return "実績なし" if self.kpis else "－"

    @property
    def missing(self) -> bool:
        """A document none of whose files is built."""
        return not self.state and not any(self.links.values())


def branch_name(project: Project, branch: str) -> str:
    """The branch's display name from branch.yaml (its id when that file does not load)."""
    path = project.branch_file(branch)
    try:
        model = validate_model(Branch, load_file(path, project.relative(path)), [])
    except (UserError, OSError):
        model = None
    return model.name if model is not None else branch


def rows(project: Project, folder: Path | None = None) -> list[SiteRow]:
    """One row per document of every branch-year (one row when it has none or fails)."""
    folder = project.output if folder is None else folder
    names: dict[str, str] = {}
    out: list[SiteRow] = []
    for branch, year in project.branch_years():
        if branch not in names:
            names[branch] = branch_name(project, branch)
        out += branch_year_rows(project, folder, branch, year, names[branch])
    return out


def branch_year_rows(
    project: Project, folder: Path, branch: str, year: int, name: str
) -> list[SiteRow]:
    try:
        plan = load_plan(project, branch, year)
        reports = [build_report(plan, document) for document in plan.data.documents]
    except UserError as exc:
        return [SiteRow(branch, name, year, "", "", ERROR, errors=len(exc.problems))]
    if not reports:
        return [SiteRow(branch, name, year, "", "", NO_DOCUMENTS)]
    statuses = {s.document: s for s in status.branch_year_status(project, branch, year)}
    out = []
    for report in reports:
        document = report.document
        achieved, judged = report.achieved_count
        known = statuses.get(document.id)
        links: dict[str, Link | None] = {}
        for fmt in ALL_FORMATS:
            href = f"{branch}/{year}/{document.id}.{fmt}"
            path = folder / href
            link = Link(fmt, quote(href), path.stat().st_size) if path.is_file() else None
            links[fmt] = link
        out.append(
            SiteRow(
                branch,
                name,
                year,
                document.id,
                " ".join(document.title.split()),  # titles may break lines for the cover
                achieved=achieved,
                judged=judged,
                kpis=len(report.kpis),
                links=links,
                status=known.status if known else "",
                pending=known.pending if known else 0,
            )
        )
    return out


def size_text(size: int) -> str:
    """A file size for readers: 532 KB, 1.2 MB."""
    if size < 1024 * 1024:
        return f"{max(1, round(size / 1024)):,} KB"
    return f"{size / 1024 / 1024:.1f} MB"


def render_index(
    project: Project, site_rows: list[SiteRow], fonts: list[SiteFont] | None = None
) -> str:
    """The index page: static HTML, relative links, nothing from elsewhere; *fonts*: the
    font files beside it (see :mod:`.site_fonts`)."""
    env = templating.environment(project.templates)
    try:
        template = env.get_template(TEMPLATE)
    except jinja2.TemplateNotFound:
        raise UserError.single(f"サイトの様式がありません（templates/{TEMPLATE}）") from None
    return template.render(
        branches=groups(site_rows),
        formats=ALL_FORMATS,
        optional_formats=[f for f in ALL_FORMATS if f not in FORMATS],  # made on request
        types=MEDIA_TYPES,
        fonts=fonts or [],
        font_family=FAMILY,
        STALE=STALE,
        PENDING=PENDING,
        size_text=size_text,
        ERROR=ERROR,
        MISSING=MISSING,
        NO_DOCUMENTS=NO_DOCUMENTS,
        documents=sum(1 for r in site_rows if r.document),
        built=sum(1 for r in site_rows if r.document and not r.missing),
    )


def groups(site_rows: list[SiteRow]) -> list[dict]:
    """Rows grouped by branch, then by year (for the table's merged cells), in their order."""
    branches: list[dict] = []
    for row in site_rows:
        if not branches or branches[-1]["branch"] != row.branch:
            branches.append({"branch": row.branch, "name": row.branch_name, "years": []})
        years = branches[-1]["years"]
        if not years or years[-1]["year"] != row.year:
            years.append({"year": row.year, "fiscal_year": row.fiscal_year, "rows": []})
        years[-1]["rows"].append(row)
    for branch in branches:
        branch["span"] = sum(len(y["rows"]) for y in branch["years"])
    return branches


def write_index(project: Project, folder: Path | None = None) -> tuple[Path, list[SiteRow]]:
    """Write <folder>/index.html (output/ by default) atomically, its fonts first (in
    <folder>/_fonts); returns it and its rows."""
    folder = project.output if folder is None else folder
    site_rows = rows(project, folder)
    # The fonts are cut to the page's characters; naming them adds only ASCII.
    fonts = cut_fonts(project, render_index(project, site_rows))
    html = render_index(project, site_rows, fonts)
    target = folder / INDEX
    try:
        write_fonts(project, folder, fonts)
        # Synced, and readable by others: a site is served.
        write_file(target, html.encode("utf-8"), durable=True, mode=0o644)
        remove_old_fonts(folder, fonts)
    except OSError as exc:
        raise UserError.single(
            f"目次を書き込めませんでした（{exc.strerror or exc}）: {target}"
        ) from None
    return target, site_rows


# --- the workflow's lists of documents -------------------------------------


def built_files(project: Project, branch_years: Iterable[tuple[str, int]]) -> list[Path]:
    """The built documents (PDF, DOCX, HTML under output/) of *branch_years*."""
    files = []
    for branch, year in branch_years:
        folder = project.output_dir(branch, year)
        if folder.is_dir():
            files += sorted(
                p for p in folder.iterdir() if p.suffix[1:] in ALL_FORMATS and p.is_file()
            )
    return files


def main(argv: list[str], stdin: TextIO) -> list[str]:
    """For .github/workflows/publish.yml: the built documents to publish or to upload.

    ``--all``: those of every branch-year under plans/ (not the leftovers of removed
    ones in a restored output/); otherwise those the changed paths on *stdin* affect.
    """
    project = Project.at(Path.cwd())
    if argv == ["--all"]:
        branch_years = project.branch_years()
    else:
        branch_years = affected_branch_years(project, stdin.read().splitlines())
    return [project.relative(path) for path in built_files(project, branch_years)]


if __name__ == "__main__":  # pragma: no cover
    for line in main(sys.argv[1:], sys.stdin):
        print(line)
