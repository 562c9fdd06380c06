"""``build --all``: every branch-year, in worker processes, skipping those up to date.

Each worker builds whole branch-years (one pipeline.build each), so a worker
holds one report at a time. A branch-year that fails does not stop the others.
When a single branch-year needs building (the usual CI run after a one-branch
commit), it is built here with its parts laid out in parallel instead.
"""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import as_completed
from dataclasses import dataclass, field

from kenpo_report.build import cache, pipeline
from kenpo_report.build.workers import Runner
from kenpo_report.errors import Problem, UserError
from kenpo_report.project import Project


@dataclass
class Outcome:
    branch: str
    year: int
    result: pipeline.BuildResult | None = None  # None when it failed
    problems: list[Problem] = field(default_factory=list)  # why it failed


def build_all(
    project: Project,
    formats: tuple[str, ...] = pipeline.FORMATS,
    *,
    strict: bool = False,
    pdf_variant: str | None = None,
    jobs: int = 1,
    force: bool = False,
) -> Iterator[Outcome]:
    """Build every branch-year under plans/; yields each outcome as it is known."""
    options = dict(strict=strict, pdf_variant=pdf_variant, force=force)
    targets = project.branch_years()
    stale = []
    settings = cache.build_options(formats, pdf_variant, strict)
    for branch, year in targets:
        fresh = None if force else cache.fresh_manifest(project, branch, year, settings)[1]
        if fresh is not None:
            yield Outcome(branch, year, pipeline.unchanged(project, branch, year, fresh))
        else:
            stale.append((branch, year))
    if len(stale) <= 1 or jobs <= 1:
        for branch, year in stale:
            yield _build_one(
                project, branch, year, formats, options, jobs if len(stale) == 1 else 1
            )
        return
    # Longest first, so that no worker starts a long report when the others are done.
    stale.sort(key=lambda t: -_size(project, *t))
    with Runner(min(jobs, len(stale)), preload=pipeline.import_renderers) as runner:
        futures = [
            runner.submit(_build_one, project, branch, year, formats, options, 1)
            for branch, year in stale
        ]
        for future in as_completed(futures):
            yield future.result()


def _build_one(
    project: Project, branch: str, year: int, formats: tuple[str, ...], options: dict, jobs: int
) -> Outcome:
    try:
        result = pipeline.build(project, branch, year, formats, jobs=jobs, **options)
    except UserError as exc:
        return Outcome(branch, year, problems=exc.problems)
    return Outcome(branch, year, result)


def _size(project: Project, branch: str, year: int) -> int:
    """Work to expect: the pages the last build made, else the size of the YAML."""
    manifest = cache.read_manifest(project, branch, year)
    if manifest is not None and manifest.pages:
        return sum(manifest.pages.values()) * 3000  # about the YAML bytes per page
    return sum(p.stat().st_size for p in project.year_files(branch, year))
