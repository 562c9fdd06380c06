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

    def branches(self) -> list[str]:
        """The branches of plans/: its folders with a branch.yaml."""
        return sorted(
            d.name
            for d in self.plans.iterdir()
            if d.name != "catalog" and (d / "branch.yaml").is_file()
        )

    def years(self, branch: str) -> list[int]:
        """The years of *branch*: the year folders of plans/<branch>/."""
        folder = self.plans / check_branch(branch)
        if not folder.is_dir():
            return []
        return sorted(
            int(d.name) for d in folder.iterdir() if d.is_dir() and _YEAR.fullmatch(d.name)
        )

    def known_branch(self, branch: str) -> str:
        """*branch* of the command line, checked: a folder of plans/ (else the closest name)."""
        if check_branch(branch) != "catalog" and (self.plans / branch).is_dir():
            return branch
        # Only on this error: the phrases live in validate, which imports this module.
        from kenpo_report.validate.messages import choices, did_you_mean

        known = self.branches()
        hint = did_you_mean(branch, known)
        if not hint and known:
            hint = f"。支部: {choices(known)}"
        raise UsageError(f"支部「{branch}」がありません{hint}")

    def branch_year(self, branch: str, year: str) -> tuple[str, int]:
        """*branch* and *year* of the command line, checked: a folder plans/<branch>/<year>/."""
        branch, number = self.known_branch(branch), check_year(year)
        if self.year_dir(branch, number).is_dir():
            return branch, number
        years = self.years(branch)
        text = (
            f"支部「{branch}」に{number}年度のデータがありません"
            f"（{self.relative(self.year_dir(branch, number))}/）。"
            f"{branch} の年度: {'、'.join(map(str, years)) or 'なし'}"
        )
        if not years or number > years[-1]:  # `new` makes a year from the one before it
            text += f"。新しい年度は kenpo-report new {branch} {number} で作れます"
        raise UsageError(text)

    def branch_years(self) -> list[tuple[str, int]]:
        found = []
        for branch_dir in sorted(self.plans.iterdir()):
            if branch_dir.name == "catalog" or not (branch_dir / "branch.yaml").is_file():
                continue
            for year_dir in sorted(branch_dir.iterdir()):
                if year_dir.is_dir() and _YEAR.fullmatch(year_dir.name):
                    found.append((branch_dir.name, int(year_dir.name)))
        return found
