"""One build of the branch-year for the preview: its documents' HTML and what they load."""

from __future__ import annotations

import traceback
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from kenpo_report.build import pipeline
from kenpo_report.errors import Problem, UserError
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

    @property
    def ok(self) -> bool:
        return not self.errors and self.failure is None


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
