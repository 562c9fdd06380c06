"""``kenpo-report diff BRANCH YEAR [REV]``: what a change does to the printed figures.

The working tree's branch-year (its current files) against the same branch-year at a
git revision: both loaded, validated and computed by the library as a build does
(:mod:`.changes`), so derived figures and generated sentences compare as printed.
Without REV, the revision before the last commit that changed plans/<branch>/<year>/
(the parent of that commit): right after committing a change, ``diff`` shows that
change (with whatever is not committed yet). Printed as text, JSON or a Markdown
table (:mod:`.output`).
"""

from __future__ import annotations

from dataclasses import dataclass

from kenpo_report.commands.diff.changes import ItemChange, changes
from kenpo_report.errors import Problem, UsageError, UserError
from kenpo_report.load.git_revision import Repository, RevisionError, UnknownRevision
from kenpo_report.project import Project
from kenpo_report.validate import load_plan
from kenpo_report.validate.revisions import revision_plan

__all__ = ["Comparison", "ItemChange", "compare"]


@dataclass(frozen=True)
class Comparison:
    branch: str
    year: int
    revision: str | None  # as given; None: the default, the one before *last_change*
    commit: str | None  # the compared commit; None: *last_change* is the first commit
    last_change: str | None  # without a revision given: the branch-year's last commit
    found: bool  # the compared commit has the branch-year (if not, everything is new)
    items: list[ItemChange]


def compare(project: Project, branch: str, year: int, revision: str | None = None) -> Comparison:
    """The working tree's *branch* *year* against *revision* (default: before its last change).

    Raises UsageError for a revision that does not exist, UserError when the project is
    not in git, its history is missing (a shallow clone), or either version has errors."""
    new = load_plan(project, branch, year)
    last = None
    try:
        repository = Repository.of(project.root)
        if revision is None:
            last = _last_change(project, repository, branch, year)
            commit = repository.parent(last)
        else:
            commit = repository.commit(revision)
        old = revision_plan(repository, commit, branch, year) if commit else None
    except UnknownRevision as exc:
        raise UsageError(str(exc)) from exc
    except RevisionError as exc:
        raise UserError.single(str(exc)) from exc
    except UserError as exc:
        name = revision or f"{commit or ''}"[:7]
        lead = Problem(f"比べる版「{name}」のデータに誤りがあるため、比べられません")
        raise UserError([lead, *exc.problems]) from exc
    return Comparison(branch, year, revision, commit, last, old is not None, changes(old, new))


def _last_change(project: Project, repository: Repository, branch: str, year: int) -> str:
    """The last commit that changed the branch-year's folder."""
    folder = project.relative(project.year_dir(branch, year)) + "/"
    last = repository.last_change(folder)
    if last is None:
        raise RevisionError(
            f"{folder} はまだ git にコミットされていません。"
            f"比べる版を指定してください（例: kenpo-report diff {branch} {year} HEAD）"
        )
    return last
