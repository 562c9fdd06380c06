"""Watching a build's inputs: the saves under plans/, templates/ and fonts/ that call for a rebuild.

``build --watch`` and ``preview`` both wait here. Which saves count is
:func:`relevant_change`, and only that.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

import watchfiles

from kenpo_report.project import Project

# Changes that trigger a rebuild (editors' temporary files are ignored).
WATCHED_SUFFIXES = (
    ".yaml",
    ".yml",
    ".j2",
    ".html",
    ".css",
    ".png",
    ".jpg",
    ".jpeg",
    ".ttf",
    ".otf",
)
# Quiet time before a save is reported (a save is often several writes): watchfiles' default.
DEFAULT_DEBOUNCE_MS = 1600
# The wait wakes this often with nothing; the first wake is when watching has begun.
_IDLE_MS = 500


def relevant_change(change: watchfiles.Change, path: str) -> bool:
    """Whether a change of ``path`` calls for a rebuild."""
    return path.endswith(WATCHED_SUFFIXES) and watchfiles.DefaultFilter()(change, path)


class InputWatcher:
    """The saves of a project's build inputs, watched from construction on.

    Construct it before the first build, so that a save during that build is not missed;
    then :meth:`follow` (or :meth:`wait`) from one thread at a time. It stops when
    ``stop_event`` is set; Ctrl+C while waiting raises :class:`KeyboardInterrupt`.
    """

    def __init__(
        self,
        project: Project,
        *,
        debounce_ms: int = DEFAULT_DEBOUNCE_MS,
        stop_event: threading.Event | None = None,
    ) -> None:
        self.project = project
        roots = [p for p in (project.plans, project.templates, project.fonts) if p.is_dir()]
        self._saves = watchfiles.watch(
            *roots,
            watch_filter=relevant_change,
            debounce=debounce_ms,
            step=50,
            stop_event=stop_event,
            raise_interrupt=True,  # Ctrl+C as anywhere else, not a quiet stop
            yield_on_timeout=True,
            rust_timeout=_IDLE_MS,
        )
        # The generator starts watching on its first next(), which returns after _IDLE_MS with
        # nothing; changes from then on are kept until the next wait.
        next(self._saves, None)

    def wait(self) -> list[str] | None:
        """The files of the next save, relative to the project; None once stopped."""
        changes: set[tuple[watchfiles.Change, str]] | None = set()
        while changes == set():  # an empty set: _IDLE_MS passed without a save
            changes = next(self._saves, None)
        if changes is None:
            return None
        return sorted({self.project.relative(Path(path)) for _, path in changes})

    def follow(self, on_save: Callable[[list[str]], object]) -> None:
        """Call ``on_save`` with the files of each save, until stopped."""
        while (names := self.wait()) is not None:
            on_save(names)
