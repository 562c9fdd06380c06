"""One build of the branch-year for the preview: its documents' HTML and what they load.

A snapshot that does not build keeps the last one that did (``previous``), shown beneath
its problems. Page numbers (the KPI一覧's ページ column) come from a PDF layout: of this
snapshot once the server has laid it out in the background (``page_numbers``), until then
of the last layout before it (``earlier_page_numbers``).
"""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kenpo_report.build import pipeline
from kenpo_report.errors import Problem, Severity, UserError
from kenpo_report.project import Project
from kenpo_report.render.results import Assets
from kenpo_report.render.urls import IMAGE_SCHEME
from kenpo_report.validate import load_plan


@dataclass(frozen=True)
class Document:
    """A laid-out document and what its build renders it with (the PDF link renders it so)."""

    item: pipeline.LaidOut
    assets: Assets

    @property
    def id(self) -> str:
        return self.item.document.id

    @property
    def title(self) -> str:
        return self.item.document.title

    @property
    def html(self) -> str:
        """Exactly what the pipeline gives WeasyPrint."""
        return self.item.html


@dataclass
class Snapshot:
    """One build of the branch-year: the report, or the problems that stop it."""

    version: str
    built_at: datetime
    documents: list[Document] = field(default_factory=list)
    images: Mapping[str, bytes] = field(default_factory=dict)  # name (after the scheme) -> bytes
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    failure: str | None = None  # traceback of an internal error (a bug, not the planner's)
    pdfs: dict[str, bytes] = field(default_factory=dict)  # rendered on request, by document id
    # Document id -> anchor -> page of this snapshot's PDF (filled in as it is laid out).
    page_numbers: dict[str, dict[str, int]] = field(default_factory=dict)
    page_counts: dict[str, int] = field(default_factory=dict)  # document id -> PDF pages
    # The same, of the last PDF layout before this snapshot (a guess: marked as such).
    earlier_page_numbers: Mapping[str, Mapping[str, int]] = field(default_factory=dict)
    previous: Snapshot | None = None  # the last snapshot that built, when this one does not

    @property
    def ok(self) -> bool:
        return not self.errors and self.failure is None

    @property
    def shown(self) -> Snapshot | None:
        """The snapshot whose report the page shows: this one, else the last good one."""
        return self if self.ok else self.previous

    @property
    def pending(self) -> list[Problem]:
        """The places still to fill in (記入待ち), listed apart from the warnings."""
        return [p for p in self.warnings if p.severity is Severity.PENDING]

    @property
    def other_warnings(self) -> list[Problem]:
        return [p for p in self.warnings if p.severity is not Severity.PENDING]


def build_snapshot(project: Project, branch: str, year: int, version: str) -> Snapshot:
    """Load, validate, compute and lay out every document, as the pipeline does before rendering."""
    snapshot = Snapshot(version, datetime.now())
    try:
        plan = load_plan(project, branch, year)  # load + validate
        laid_out, snapshot.warnings = pipeline.lay_out_plan(project, plan)  # compute + lay out
        images: dict[str, bytes] = {}
        for item in laid_out:
            # What the build renders with: images, charts and the ○/× marks.
            assets = pipeline.assets_of(project, plan, item)
            images.update(assets.images)
            snapshot.documents.append(Document(item, assets))
        prefix = IMAGE_SCHEME + ":"
        snapshot.images = {url.removeprefix(prefix): data for url, data in images.items()}
    except UserError as exc:
        snapshot.errors = list(exc.problems)
    except Exception:  # a bug: show it in the page and keep serving
        snapshot.failure = traceback.format_exc()
    return snapshot
