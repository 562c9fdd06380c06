"""What a build of one branch-year reads: the one definition.

The cache keys a build by these files (build.cache), ``list`` judges outputs
without a build record by their times (commands.status), and the publishing
workflow picks the branch-years a pull request changes by them (commands.site):

- plans/catalog/<year>.yaml and <year+1>.yaml (次年度KPI);
- plans/<branch>/: branch.yaml, images and anything else but the folders of
  other years; of those, <year-1> (対前年度), <year> and <year+1> (次年度KPI);
- templates/: the files directly in it, shared/, and the styles of the
  branch-year's documents (every folder when they are not known: the cache's
  key is taken before the plan is loaded);
- fonts/;
- the code: this package's source and the installed distributions (in a
  checkout, src/kenpo_report/**/*.py and pyproject.toml, which pins them);
- not a file: the commit each git revision that a document names as its draft
  (``draft:``) resolves to, asked of git on every key (a tag may move to another
  commit). git runs only for a branch-year whose files write ``draft:``.

Conservative where being exact would need the plan loaded (which images the
plan names, which other files it does not read): such a file only costs a
rebuild. ``__pycache__`` folders are never read.
"""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Collection, Iterable
from pathlib import Path, PurePosixPath

from kenpo_report.errors import UserError
from kenpo_report.project import Project

PACKAGE = Path(__file__).resolve().parents[1]  # kenpo_report/
CODE = PurePosixPath("src/kenpo_report")  # the package, in a checkout
PINS = PurePosixPath("pyproject.toml")  # the distributions it installs
_YEAR = re.compile(r"(19|20)[0-9]{2}")


def reads(
    branch: str, year: int, path: PurePosixPath, styles: Collection[str] | None = None
) -> bool:
    """Whether a build of *branch* *year* reads the project file *path* (project-relative).

    *styles*: those of the branch-year's documents, when known (None: any style).
    """
    if path == PINS or (path.is_relative_to(CODE) and path.suffix == ".py"):
        return True
    parts = path.parts
    if len(parts) < 2 or "__pycache__" in parts[:-1]:
        return False
    top, rest = parts[0], parts[1:]
    if top == "fonts":
        return True
    if top == "templates":
        return len(rest) == 1 or rest[0] == "shared" or styles is None or rest[0] in styles
    if top != "plans" or len(rest) < 2:
        return False
    folder, first = rest[0], rest[1]
    if folder == "catalog" and len(rest) == 2 and first in (f"{year}.yaml", f"{year + 1}.yaml"):
        return True
    return folder == branch and (not _YEAR.fullmatch(first) or abs(int(first) - year) <= 1)


def build_inputs(
    project: Project, branch: str, year: int, styles: Collection[str] | None = None
) -> list[Path]:
    """The files of the project a build of one branch-year reads (those that exist).

    In a fixed order: the catalogues, the branch folder, templates/, fonts/ (the
    cache's key hashes them in it). The code is not among them: it is hashed
    by :func:`code_files` and :func:`distributions`.
    """
    candidates = [project.catalog_file(year), project.catalog_file(year + 1)]
    for folder in (project.plans / branch, project.templates, project.fonts):
        candidates += _walk(folder)
    return [
        path
        for path in candidates
        if path.is_file() and reads(branch, year, _relative(project, path), styles)
    ]


def draft_commits(project: Project, branch: str, year: int) -> list[tuple[str, str]]:
    """(revision, commit) for each git revision the branch-year's documents name as their
    draft (``draft:``), sorted; the commit is "" for one git cannot resolve (the build then
    reports it, at the ``draft:``).

    Read without loading the plan (the cache's key is taken before): only a year file
    that writes ``draft:`` is parsed, and git runs only when one names a revision.
    """
    revisions: set[str] = set()
    for path in project.year_files(branch, year):
        if b"draft:" in path.read_bytes():
            revisions.update(_drafts_named(project, path))
    if not revisions:
        return []
    from kenpo_report.load.git_revision import Repository, RevisionError

    try:
        repository = Repository.of(project.root)
    except RevisionError:
        return [(revision, "") for revision in sorted(revisions)]
    found = []
    for revision in sorted(revisions):
        try:
            found.append((revision, repository.commit(revision)))
        except RevisionError:
            found.append((revision, ""))
    return found


def _drafts_named(project: Project, path: Path) -> set[str]:
    """The ``draft:`` of the documents one year file lists (none if it does not load)."""
    from kenpo_report.load.yaml_source import load_file_collecting

    loaded = load_file_collecting(path, project.relative(path), [])
    documents = loaded.data.get("documents") if loaded and isinstance(loaded.data, dict) else None
    if not isinstance(documents, list):
        return set()
    return {
        d["draft"] for d in documents if isinstance(d, dict) and isinstance(d.get("draft"), str)
    }


def affected_branch_years(project: Project, changed: Iterable[str]) -> list[tuple[str, int]]:
    """The branch-years under plans/ whose build reads one of *changed* (project-relative).

    A change under templates/<style>/ loads the plans, for the styles of their
    documents (a plan that does not load counts as using every style).
    """
    paths = [path for path in (PurePosixPath(name.strip()) for name in changed) if path.parts]
    styled = any(_style_folder(path) for path in paths)
    found = []
    for branch, year in project.branch_years():
        styles = _document_styles(project, branch, year) if styled else ()
        if any(reads(branch, year, path, styles) for path in paths):
            found.append((branch, year))
    return found


def code_files(package: Path) -> list[Path]:
    """The source files of *package* (this one, or a part of it), sorted."""
    return sorted(package.rglob("*.py"))


def distributions() -> list[str]:
    """The installed distributions (*.dist-info folders), sorted.

    From the folder listing rather than importlib.metadata, which takes 0.1 s:
    the key of an unchanged build must be cheap.
    """
    names = set()
    for entry in sys.path:
        if entry and os.path.isdir(entry):
            names.update(n for n in os.listdir(entry) if n.endswith(".dist-info"))
    return sorted(names)


def _style_folder(path: PurePosixPath) -> bool:
    """A file in the folder of one style: templates/<style>/…"""
    parts = path.parts
    return len(parts) > 2 and parts[0] == "templates" and parts[1] != "shared"


def _document_styles(project: Project, branch: str, year: int) -> Collection[str] | None:
    """The styles of the branch-year's documents; None (any) when its plan does not load."""
    from kenpo_report.validate import load_plan

    try:
        return {document.style for document in load_plan(project, branch, year).data.documents}
    except UserError:
        return None


def _relative(project: Project, path: Path) -> PurePosixPath:
    return PurePosixPath(path.relative_to(project.root).as_posix())


def _walk(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    found = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        found += [Path(root, n) for n in sorted(names)]
    return found
