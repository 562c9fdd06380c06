"""What a rollover knows while it runs, and what it tells the planner (to-do markers)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kenpo_report.commands.rollover.yaml_writer import PRIVATE_USE
from kenpo_report.errors import Position, Problem, Severity
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.model import Catalog
from kenpo_report.validate import Plan

# --- what the planner is told ----------------------------------------------

TODO = "記入待ち"
CONFIRM = "確認"
NOTICE = "注意"


@dataclass(frozen=True)
class Todo:
    """Something the planner still has to write or confirm in the new year."""

    kind: str  # 記入待ち / 確認 / 注意
    message: str
    position: Position | None = None

    def __str__(self) -> str:
        where = f"{self.position}: " if self.position else ""
        return f"{where}{self.kind}: {self.message}"


@dataclass
class RolloverResult:
    """What `new` wrote, what is left to the planner, and what `check` says of the new year."""

    folder: Path
    written: list[Path] = field(default_factory=list)
    todos: list[Todo] = field(default_factory=list)
    # `check` on the new year, but its 記入待ち, which are todos (see checked)
    problems: list[Problem] = field(default_factory=list)


def checked(result: RolloverResult, problems: list[Problem], todos: list[Todo]) -> None:
    """Give *result* what `check` says of the new year (*problems*) and the to-do list.

    Its 記入待ち are the places `check` lists (PENDING), where they are: the data, not
    the markers written in the files, defines them, so `check` goes on listing each
    until it is filled and `new`'s count is `check`'s. Only when the new year has
    errors (`check` then lists no places) do the markers of the files stand in.
    """
    places = [p for p in problems if p.severity is Severity.PENDING]
    if any(p.severity is Severity.ERROR for p in problems):
        result.todos += todos
    else:
        asked = [t for t in todos if t.kind != TODO] + [
            Todo(TODO, p.message, p.position) for p in places
        ]
        result.todos += sorted(
            asked, key=lambda t: (t.position is not None, t.position or _NOWHERE)
        )
    result.problems = [p for p in problems if p.severity is not Severity.PENDING]


_NOWHERE = Position("", 0, 0)


@dataclass
class Context:
    """One rollover: last year, the new catalogue, and what became of last year's KPIs."""

    year: int  # the new year
    catalog: Catalog  # the new year's catalogue
    previous: Plan  # last year, validated
    last_folder: str = ""  # plans/<branch>/<last year>/, as shown to planners
    renamed: dict[str, str] = field(default_factory=dict)  # old id -> successor id
    dropped: set[str] = field(default_factory=set)  # ids the new catalogue has no more
    notices: list[Todo] = field(default_factory=list)
    figures: dict[str, Any] | None = None  # last year's named figures, when needed

    @property
    def fy(self) -> str:
        return fiscal_year(self.year)

    @property
    def last_fy(self) -> str:
        return fiscal_year(self.year - 1)

    @property
    def reports(self) -> bool:
        """The branch reports its year (a results or self-evaluation document)."""
        return any(d.kind in ("results", "self_evaluation") for d in self.previous.data.documents)

    @property
    def self_evaluation(self) -> bool:
        """The branch grades its measures (a self-evaluation document)."""
        return any(d.kind == "self_evaluation" for d in self.previous.data.documents)

    def kpi_id(self, old: str) -> str | None:
        """The id of a KPI in the new year, or None when it is dropped."""
        if old in self.dropped:
            return None
        return self.renamed.get(old, old)


def quoted(text: Any) -> str:
    """A title as quoted in a message: one line, without private-use (Wingdings) marks."""
    return PRIVATE_USE.sub("", str(text or "")).replace("\n", " ").strip()
