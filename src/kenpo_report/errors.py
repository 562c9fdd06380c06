"""User-facing problems (with source positions) versus internal errors.

A *user error* is something a planner can fix in YAML or on the command line.
It is reported in Japanese, compiler style, and never with a traceback.
Anything else is a bug and keeps its traceback.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Severity(StrEnum):
    ERROR = "エラー"
    WARNING = "警告"
    # A place the data leaves to fill in (記入待ち), listed by check until it is filled.
    PENDING = "記入待ち"


@dataclass(frozen=True, order=True)
class Position:
    file: str
    line: int  # 1-based
    column: int  # 1-based

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


# The severity codes of `check --format json`.
_SEVERITY_CODES = {
    Severity.ERROR: "error",
    Severity.WARNING: "warning",
    Severity.PENDING: "pending",
}

# The end of a warning that the build goes on (compute.figures.check_typed).
_GOES_ON = "計算結果を出力します"
# The end of a 記入待ち that the build shows the place empty (compute.pending).
_SHOWN_EMPTY = "（「－」と表示します）"


@dataclass(frozen=True)
class Problem:
    message: str
    position: Position | None = None
    field: str = ""
    severity: Severity = Severity.ERROR

    def __str__(self) -> str:
        where = f"{self.position}: " if self.position else ""
        suffix = f" ({self.field})" if self.field else ""
        return f"{where}{self.severity.value}: {self.message}{suffix}"

    def as_error(self) -> Problem:
        """The problem as an error (``--strict``): a warning's words say what the build goes
        on to do (「計算結果を出力します」), which an error stopping it must not say.
        A place still to fill in (記入待ち) is an error too: nothing is made for submission
        with it empty."""
        if self.severity is Severity.ERROR:
            return self
        if self.severity is Severity.PENDING:
            # Under --strict a document is not made with places still to fill in.
            message = self.message.removesuffix(_SHOWN_EMPTY)
            message += "（--strict のため、記入待ちもエラーとして扱います）"
            return Problem(message, self.position, self.field, Severity.ERROR)
        message = self.message.removesuffix(_GOES_ON)
        if message != self.message:
            message = message.removesuffix("。") + "（--strict のため、警告もエラーとして扱います）"
        return Problem(message, self.position, self.field, Severity.ERROR)

    def as_dict(self) -> dict[str, object]:
        pos = self.position
        return {
            "severity": _SEVERITY_CODES[self.severity],
            "file": pos.file if pos else None,
            "line": pos.line if pos else None,
            "column": pos.column if pos else None,
            "field": self.field,
            "message": self.message,
        }


@dataclass
class UserError(Exception):
    """One or more problems a planner must fix; all are reported at once."""

    problems: list[Problem] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__("\n".join(str(p) for p in self.problems))

    @classmethod
    def single(cls, message: str, position: Position | None = None, field: str = "") -> UserError:
        return cls([Problem(message, position, field)])


class UsageError(Exception):
    """Bad command-line arguments (exit code 2)."""


def format_path(path: tuple[str | int, ...]) -> str:
    """('kpis', 3, 'actual') -> 'kpis[3].actual'."""
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
