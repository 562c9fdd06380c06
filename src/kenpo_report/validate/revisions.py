"""A branch-year as a git revision holds it, loaded and validated like the working tree's.

Two users: a document's ``draft:`` (its KPI一覧's 変更前 is the draft's target) and
``kenpo-report diff`` (the working tree against a revision). The revision's files
are read through :mod:`kenpo_report.load.git_revision` into a temporary project;
the revision's own drafts are not followed.
"""

from __future__ import annotations

import dataclasses

from kenpo_report.errors import Problem, UserError, format_path
from kenpo_report.load.git_revision import (
    Repository,
    RevisionError,
    branch_folders,
    revision_project,
)
from kenpo_report.project import Project
from kenpo_report.validate.plan import Plan, load_plan  # which imports this module lazily


def revision_plan(repository: Repository, commit: str, branch: str, year: int) -> Plan | None:
    """The branch-year at *commit*; None if the commit has no files of it.

    Raises :class:`UserError` with the revision's problems (positions in its files)."""
    with revision_project(repository, commit, branch_folders(branch)) as old:
        if not old.year_files(branch, year):
            return None
        return load_plan(old, branch, year, drafts=False)


def with_drafts(project: Project, plan: Plan) -> Plan:
    """*plan* with the drafts its documents name (``draft:``), each read once.

    A draft that cannot be read (no git, no such revision, no such branch-year in it,
    problems in its data) is an error at the document's ``draft:``."""
    revisions: dict[str, int] = {}  # each revision once, at the first document naming it
    for i, document in enumerate(plan.data.documents):
        if document.draft:
            revisions.setdefault(document.draft, i)
    if not revisions:
        return plan
    drafts: dict[str, Plan] = {}
    problems: list[Problem] = []
    for revision, index in revisions.items():
        path = ("documents", index, "draft")
        try:
            drafts[revision] = _draft(project, plan.branch_id, plan.year, revision)
        except RevisionError as exc:
            problems.append(Problem(str(exc), plan.source.get(path), format_path(path)))
    if problems:
        raise UserError(problems)
    return dataclasses.replace(plan, drafts=drafts)


def _draft(project: Project, branch: str, year: int, revision: str) -> Plan:
    repository = Repository.of(project.root)
    commit = repository.commit(revision)
    try:
        draft = revision_plan(repository, commit, branch, year)
    except UserError as exc:
        first = exc.problems[0] if exc.problems else ""
        raise RevisionError(
            f"下書きの版「{revision}」のデータに誤りがあるため、変更前を作れません（{first}）"
        ) from exc
    if draft is None:
        folder = project.relative(project.year_dir(branch, year))
        raise RevisionError(f"下書きの版「{revision}」に {folder}/ がありません")
    return draft
