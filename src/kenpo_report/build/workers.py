"""Run tasks in this process or in worker processes, behind one interface.

Workers are forked: they start in milliseconds with the parent's modules
already imported. Each worker dies with its parent (a killed build leaves no
orphan laying out pages).
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from typing import Any


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not Linux
        return max(1, os.cpu_count() or 1)


class Runner:
    """``submit`` runs a task now (jobs = 1) or hands it to one of *jobs* workers.

    The workers start on the first task, after *preload* has imported in this
    process what they all need; or earlier, with :meth:`start`, so that they
    import it themselves while this process does other work.
    """

    def __init__(self, jobs: int = 1, preload: Callable[[], object] | None = None) -> None:
        self.jobs = max(1, jobs)
        self.preload = preload
        self._pool: ProcessPoolExecutor | None = None
        self._used = False  # a real task was submitted

    @property
    def slots(self) -> int:
        return self.jobs

    def start(self, warm_up: Callable[[], object]) -> None:
        """Start the workers now, each running *warm_up* (imports) before any task."""
        if self.jobs > 1 and self._pool is None:
            self._pool = self._new_pool(warm_up)
            self._pool.submit(int)  # with fork, the first task starts every worker

    def submit(self, fn: Callable[..., Any], *args: Any) -> Future:
        if self.jobs == 1:
            future: Future = Future()
            try:
                future.set_result(fn(*args))
            except BaseException as exc:  # re-raised by future.result(), as a worker's would be
                future.set_exception(exc)
            return future
        if self._pool is None:
            if self.preload is not None:
                self.preload()
            self._pool = self._new_pool(None)
        self._used = True
        return self._pool.submit(fn, *args)

    def _new_pool(self, warm_up: Callable[[], object] | None) -> ProcessPoolExecutor:
        return ProcessPoolExecutor(
            self.jobs,
            mp_context=multiprocessing.get_context("fork"),
            initializer=_initialize,
            initargs=(os.getpid(), warm_up),
        )

    def close(self, abort: bool = False) -> None:
        """Wait for the workers to finish; *abort* (or nothing submitted): stop them now."""
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if abort or not self._used:
            # Workers still importing for a build that turned out to need none.
            processes = list(getattr(pool, "_processes", {}).values())
            pool.shutdown(wait=False, cancel_futures=True)
            for process in processes:
                process.terminate()
            for process in processes:
                process.join()
            return
        pool.shutdown(wait=True, cancel_futures=True)

    def __enter__(self) -> Runner:
        return self

    def __exit__(self, kind: object, *exc: object) -> None:
        self.close(abort=kind is not None)


def _initialize(parent: int, warm_up: Callable[[], object] | None) -> None:
    if sys.platform.startswith("linux"):
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before the signal was armed
        os._exit(1)
    if warm_up is not None:
        warm_up()
