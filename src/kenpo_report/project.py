"""The one place that knows the project's folder layout.

plans/catalog/<year>.yaml     KPI catalogue for a fiscal year
plans/<branch>/branch.yaml    branch settings
plans/<branch>/<year>/*.yaml  branch-year data, merged in file-name order
templates/<style>/            Jinja templates and CSS of one layout
fonts/                        bundled fonts (OFL)
output/<branch>/<year>/       generated documents
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from kenpo_report.errors import UsageError

_BRANCH = re.compile(r"[a-z][a-z0-9_-]{0,31}")
_YEAR = re.compile(r"(19|20)[0-9]{2}")


# The kinds of document, each a template name of the styles that draw it.
KINDS = ("results", "self_evaluation", "plan")


def check_branch(branch: str) -> str:
    if not _BRANCH.fullmatch(branch):
        raise UsageError(f"支部名「{branch}」が正しくありません（半角英小文字で、例: iwate）")
    return branch


def check_year(year: str) -> int:
    # re's [0-9] (not \d) so that full-width digits are refused.
    if not _YEAR.fullmatch(year):
        raise UsageError(f"年度「{year}」が正しくありません（半角数字4桁の西暦で、例: 2024）")
    return int(year)


@dataclass(frozen=True)
class Project:
    root: Path

    @classmethod
    def at(cls, root: Path) -> Project:
        root = root.resolve()
        if not (root / "plans").is_dir():
            raise UsageError(
                f"{root} に plans/ フォルダがありません（--project でプロジェクトのフォルダを指定してください）"
            )
        return cls(root)

    @property
    def plans(self) -> Path:
        return self.root / "plans"

    @property
    def templates(self) -> Path:
        return self.root / "templates"

    @property
    def fonts(self) -> Path:
        return self.root / "fonts"

    @property
    def output(self) -> Path:
        return self.root / "output"

    def styles(self, kind: str | None = None) -> list[str]:
        """The styles of *kind* (any kind if None): folders of templates/ with <kind>.html.j2."""
        if not self.templates.is_dir():
            return []
        kinds = [kind] if kind else list(KINDS)
        return sorted(
            d.name
            for d in self.templates.iterdir()
            if any((d / f"{k}.html.j2").is_file() for k in kinds)
        )

    def catalog_file(self, year: int) -> Path:
        return self.plans / "catalog" / f"{year}.yaml"

    def branch_file(self, branch: str) -> Path:
        return self.plans / check_branch(branch) / "branch.yaml"

    def year_dir(self, branch: str, year: int) -> Path:
        return self.plans / check_branch(branch) / str(year)

    def year_files(self, branch: str, year: int) -> list[Path]:
        folder = self.year_dir(branch, year)
        return sorted(p for p in folder.glob("*.yaml") if p.is_file()) if folder.is_dir() else []

    def output_dir(self, branch: str, year: int) -> Path:
        return self.output / check_branch(branch) / str(year)

    def relative(self, path: Path) -> str:
        """Path as shown to planners: relative to the project, with forward slashes."""
        try:
            return path.resolve().relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def branch_years(self) -> list[tuple[str, int]]:
        found = []
        for branch_dir in sorted(self.plans.iterdir()):
            if branch_dir.name == "catalog" or not (branch_dir / "branch.yaml").is_file():
                continue
            for year_dir in sorted(branch_dir.iterdir()):
                if year_dir.is_dir() and _YEAR.fullmatch(year_dir.name):
                    found.append((branch_dir.name, int(year_dir.name)))
        return found
