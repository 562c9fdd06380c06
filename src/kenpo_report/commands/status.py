"""Which documents are built and up to date (``kenpo-report list``).

A document's status is, in order:

- エラー: the branch-year does not pass ``check`` (its outputs are not judged);
- 未作成: none of its outputs (output/<branch>/<year>/<id>.pdf / .docx) exists;
- 古い: an output is not what a build would now make;
- 作成済み: every output present is what a build would make.

A build records the content hash of its inputs and outputs (see
:mod:`kenpo_report.build.cache`); with that record, an output is current when
the inputs hash to the same key and the output to the recorded hash (so a
touched but unchanged file does not make it old, and a restored older file
does). Without a record (outputs from elsewhere), an output is current when it
is newer than every input of its document.

The inputs are what a build reads (:mod:`kenpo_report.build.inputs`): the key
takes every style's templates, the times only those of the document's style (a
change to another branch's style does not make its output old). A branch-year
without documents (KPIs only, e.g. next year's targets) is listed as 文書なし.

Each document also says how many places it shows are still to fill in (記入待ち,
the places ``check`` lists: see :mod:`kenpo_report.compute.pending`).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from kenpo_report.build import cache, inputs
from kenpo_report.build.pipeline import FORMATS, pending_of
from kenpo_report.errors import UserError
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

BUILT = "作成済み"
STALE = "古い"
MISSING = "未作成"
ERROR = "エラー"
NO_DOCUMENTS = "文書なし"

CODES = {BUILT: "built", STALE: "stale", MISSING: "missing", ERROR: "error", NO_DOCUMENTS: "none"}


@dataclass(frozen=True)
class DocumentStatus:
    branch: str
    year: int
    document: str  # the document id ("" when the year has none, or does not load)
    title: str
    status: str  # 作成済み / 古い / 未作成 / エラー / 文書なし
    outputs: list[str] = field(default_factory=list)  # existing outputs, project-relative
    newest_input: str | None = None  # project-relative path of the newest input
    errors: int = 0
    pending: int = 0  # places still to fill in (記入待ち)

    def as_dict(self) -> dict[str, object]:
        return {
            "branch": self.branch,
            "year": self.year,
            "document": self.document or None,
            "title": self.title or None,
            "status": self.status,
            "code": CODES[self.status],
            "outputs": self.outputs,
            "newest_input": self.newest_input,
            "errors": self.errors,
            "pending": self.pending,
        }


def branch_year_status(project: Project, branch: str, year: int) -> list[DocumentStatus]:
    """One row per document of the branch-year (one row when it has none or fails)."""
    try:
        plan = load_plan(project, branch, year)
    except UserError as exc:
        return [DocumentStatus(branch, year, "", "", ERROR, errors=len(exc.problems))]
    if not plan.data.documents:
        return [DocumentStatus(branch, year, "", "", NO_DOCUMENTS)]
    out = []
    recorded = _recorded_outputs(project, branch, year)
    for document in plan.data.documents:
        sources = inputs.build_inputs(project, branch, year, styles={document.style})
        newest = max(sources, key=lambda p: p.stat().st_mtime_ns)
        newest_ns = newest.stat().st_mtime_ns
        folder = project.output_dir(branch, year)
        built = [p for p in (folder / f"{document.id}.{f}" for f in FORMATS) if p.is_file()]
        if not built:
            status = MISSING
        elif recorded is not None:
            ok = all(recorded.get(p.name) == cache.file_digest(p) for p in built)
            status = BUILT if ok and not any(p.is_symlink() for p in built) else STALE
        elif min(p.stat().st_mtime_ns for p in built) <= newest_ns:
            status = STALE
        else:
            status = BUILT
        out.append(
            DocumentStatus(
                branch,
                year,
                document.id,
                document.title,
                status,
                [project.relative(p) for p in built],
                project.relative(newest),
                pending=len(pending_of(plan, document)),
            )
        )
    return out


def _recorded_outputs(project: Project, branch: str, year: int) -> dict[str, str] | None:
    """Output name -> SHA-256 as the last build wrote them, while its inputs are
    unchanged ({} once they changed); None without a record of a build."""
    manifest = cache.read_manifest(project, branch, year)
    if manifest is None:
        return None
    if cache.build_key(project, branch, year, manifest.options) != manifest.key:
        return {}
    return manifest.outputs


def project_status(project: Project) -> list[DocumentStatus]:
    """The status of every document of every branch-year under plans/."""
    return [
        row
        for branch, year in project.branch_years()
        for row in branch_year_status(project, branch, year)
    ]


def width(text: str) -> int:
    """Columns a text takes in a terminal (full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def table(rows: list[DocumentStatus]) -> str:
    """An aligned text table (支部 年度 文書 状態 記入待ち 題名)."""
    head = ["支部", "年度", "文書", "状態", "記入待ち", "題名"]
    body = [
        [
            r.branch,
            str(r.year),
            r.document or "－",
            r.status + (f"（{r.errors}件）" if r.errors else ""),
            f"{r.pending}件" if r.pending else "",
            r.title.replace("\n", " "),
        ]
        for r in rows
    ]
    widths = [max(width(line[i]) for line in [head, *body]) for i in range(len(head))]
    lines = []
    for line in [head, *body]:
        cells = [cell + " " * (widths[i] - width(cell)) for i, cell in enumerate(line)]
        lines.append("  ".join(cells).rstrip())
    return "\n".join(lines) + "\n"
