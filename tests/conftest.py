"""Shared fixtures: a temporary copy of the project, real builds of it, small projects."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
from pathlib import Path

import pytest

from kenpo_report.build.pipeline import build, lay_out
from kenpo_report.compute.report import build_report
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
# Hypothesis keeps caches in .hypothesis/ of the working folder: tests write nothing into
# the checkout, so they go to a temporary folder (read when hypothesis is imported).
os.environ.setdefault("HYPOTHESIS_STORAGE_DIRECTORY", tempfile.mkdtemp(prefix="kenpo-hypothesis-"))


def copy_project(target: Path) -> Project:
    for name in ("plans", "templates", "fonts"):
        shutil.copytree(ROOT / name, target / name)
    return Project.at(target)


@pytest.fixture
def project(tmp_path: Path) -> Project:
    """A private, writable copy of the repository's project."""
    return copy_project(tmp_path / "project")


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, object]:
    """The real 岩手 FY2024 report, built once per test session."""
    proj = copy_project(tmp_path_factory.mktemp("built") / "project")
    return proj, build(proj, "iwate", 2024)


def _targets() -> list[tuple[str, int]]:
    return [
        (folder.parent.name, int(folder.name))
        for folder in sorted(ROOT.glob("plans/*/[0-9][0-9][0-9][0-9]"))
        if (folder / "00-document.yaml").is_file()
    ]


# Every branch-year in plans/ that has documents to build.
TARGETS = _targets()


@pytest.fixture(scope="session")
def built_everything(tmp_path_factory: pytest.TempPathFactory, built) -> Project:
    """Every document of plans/, built once per test session.

    It starts from a copy of the ``built`` project, outputs and build manifest included, so
    that 岩手 2024 is not built a second time: its build finds its outputs up to date."""
    target = tmp_path_factory.mktemp("everything") / "project"
    project = Project.at(shutil.copytree(built[0].root, target))
    for branch, year in TARGETS:
        build(project, branch, year)
    return project


RESULTS_STYLES = ("iwate", "oita", "mie")
# Every kind of document in every style of that kind.
KIND_STYLES = [
    *(("results", style) for style in RESULTS_STYLES),
    ("plan", "fukushima"),
    ("self_evaluation", "ibaraki"),
]


def _documents() -> list[tuple[str, int, str, str, bool]]:
    """(branch, year, kind, style, declared) of every document the data of plans/ supports.

    A self-evaluation needs every measure's grade once the year is reported (before that
    its grades are 記入待ち); every branch-year supports the other kinds."""
    from kenpo_report.compute.pending import grades_due

    found = []
    for branch, year in TARGETS:
        plan = load_plan(Project.at(ROOT), branch, year)
        graded = all(m.evaluation is not None for m in plan.data.measures)
        declared = {(d.kind, d.style) for d in plan.data.documents}
        found += [
            (branch, year, kind, style, (kind, style) in declared)
            for kind, style in KIND_STYLES
            if kind != "self_evaluation" or graded or not grades_due(plan)
        ]
    return found


DOCUMENTS = _documents()


@pytest.fixture(scope="session")
def tried(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """Every document of DOCUMENTS as ``build --kind --style`` makes it, built once per session.

    Each is written as <kind>-<style>.html; and as .pdf too where the branch-year does not
    declare a document of that kind and style (``built_everything`` makes the declared one)."""
    project = copy_project(tmp_path_factory.mktemp("tried") / "project")
    for branch, year, kind, style, declared in DOCUMENTS:
        formats = ("html",) if declared else ("pdf", "html")
        build(project, branch, year, formats, trial=(kind, style))
    return project


BRANCH_YAML = "name: テスト支部\nshort_name: テスト\n"

# The KPI catalogue of the small plans tests state (write_project(…, catalog=CATALOG)):
# one KPI of each kind a test needs (rates of each precision, counts, yen, at_most), in
# the two categories. Only the KPIs a plan lists show in its documents.
CATALOG = """\
categories:
  basic:
    name: 基盤的保険者機能関係
  strategic:
    name: 戦略的保険者機能関係
kpis:
  checkup_rate: {name: 生活習慣病予防健診受診率, unit: ％, decimals: 1, direction: at_least, category: strategic}
  guidance_rate: {name: 特定保健指導の実施率, unit: ％, decimals: 1, direction: at_least, category: strategic}
  assessment_rate: {name: レセプト点検の査定率, unit: ％, decimals: 3, direction: at_least, category: basic}
  assessment_amount: {name: 再審査レセプト１件当たりの査定額, unit: 円, decimals: 0, direction: at_least, category: basic}
  collection_rate: {name: 保険証回収率, unit: ％, decimals: 2, direction: at_least, category: basic}
  referral_rate: {name: 医療機関を受診した者の割合, unit: ％, decimals: 1, direction: at_least, category: strategic}
  mail_rate: {name: 現金給付等の申請に係る郵送化率, unit: ％, decimals: 1, direction: at_least, category: basic}
  coverage_rate: {name: 被保険者カバー率, unit: ％, decimals: 1, direction: at_least, category: strategic}
  offices: {name: 健康宣言事業所数, unit: 事業所, decimals: 0, direction: at_least, category: strategic}
  single_bid_rate: {name: 一者応札案件の割合, unit: ％, decimals: 0, direction: at_most, category: basic}
  window_rate: {name: 窓口受付率, unit: ％, decimals: 1, direction: at_most, category: basic}
"""


def write_project(
    root: Path,
    year_files: dict[str, str],
    *,
    catalog: str | None = None,
    templates: tuple[str, ...] | None = None,
    branch: str = "x",
    year: int = 2024,
    branch_yaml: str = BRANCH_YAML,
) -> Project:
    """A small project at *root* that a test states: one branch-year's *year_files*.

    The catalogue is *catalog*, or the real one of *year*. The templates are the real ones
    with the fonts, or only the empty files named in *templates* (such as
    ``"iwate/results.html.j2"``): enough to check and compute, and quicker to write.
    """
    if templates is None:
        for name in ("templates", "fonts"):
            shutil.copytree(ROOT / name, root / name)
    for name in templates or ():
        (root / "templates" / name).parent.mkdir(parents=True, exist_ok=True)
        (root / "templates" / name).write_text("", encoding="utf-8")
    (root / "plans" / "catalog").mkdir(parents=True)
    catalog_file = root / "plans" / "catalog" / f"{year}.yaml"
    if catalog is None:
        shutil.copyfile(ROOT / "plans" / "catalog" / f"{year}.yaml", catalog_file)
    else:
        catalog_file.write_text(catalog, encoding="utf-8")
    folder = root / "plans" / branch / str(year)
    folder.mkdir(parents=True)
    (folder.parent / "branch.yaml").write_text(branch_yaml, encoding="utf-8")
    for name, text in year_files.items():
        (folder / name).write_text(text, encoding="utf-8")
    return Project.at(root)


def pdf_text(path: Path, page: int | None = None, layout: bool = True) -> str:
    """pdftotext of one page (or all), as the checks of page numbers read it."""
    pages = ["-f", str(page), "-l", str(page)] if page is not None else []
    args = ["pdftotext", *pages, *(["-layout"] if layout else []), str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def seed(name: str) -> Path:
    path = SHARED / "seeds" / name
    if not path.is_file():
        pytest.skip(f"{path} is absent: seed documents exist only beside the development checkout")
    return path


def norm_text(text: str) -> str:
    """Text as the checks compare it: NFKC, without whitespace."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def laid_out(project: Project, branch: str, year: int):
    """(plan, report, HTML) of a branch-year's first document."""
    plan = load_plan(project, branch, year)
    report = build_report(plan, plan.data.documents[0])
    return plan, report, lay_out(project, plan, report)


def run_main(project: Project, *args: str) -> int:
    """The CLI in-process on *project*; argparse's SystemExit becomes its exit code."""
    from kenpo_report.cli import main

    try:
        return main(["--project", str(project.root), *args])
    except SystemExit as exc:
        return int(exc.code or 0)


def git(root: Path, *args: str) -> str:
    """git in a test's repository at *root*, with a fixed author and no user configuration."""
    env = {
        **os.environ,
        "GIT_CONFIG_GLOBAL": os.devnull,
        "GIT_CONFIG_NOSYSTEM": "1",
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    done = subprocess.run(
        ["git", *args], cwd=root, env=env, capture_output=True, text=True, check=True
    )
    return done.stdout


def git_commit(root: Path, message: str = "change") -> str:
    """Commit everything in *root* (a new repository on the first call); the commit's id."""
    if not (root / ".git").exists():
        git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)
    return git(root, "rev-parse", "HEAD").strip()
