"""The preview of one branch-year: rebuilt on every save, served until stopped.

After each rebuild a thread lays the documents out as PDF (one at a time, the newest
snapshot only) for their page numbers, which the open page hears of through its event
stream; the page itself never waits for WeasyPrint. Until then it shows the numbers of
the last layout (of this preview, else of the last ``kenpo-report build``), marked.
"""

from __future__ import annotations

import secrets
import sys
import threading
import traceback
import webbrowser
from collections.abc import Callable
from datetime import datetime

from kenpo_report.build import cache
from kenpo_report.build.watch import InputWatcher
from kenpo_report.commands.preview.http_server import PreviewHTTPServer
from kenpo_report.commands.preview.pdf import render_pdf
from kenpo_report.commands.preview.snapshot import Snapshot, build_snapshot
from kenpo_report.errors import Problem, Severity, UserError
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.project import Project, check_branch

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

Log = Callable[[str], None]


class PreviewServer:
    """The preview of one branch-year: an HTTP server and a watcher, each in a thread.

    ``with PreviewServer(project, "iwate", 2024, port=0) as server: ... server.url``
    (port 0 picks a free port). :meth:`stop` ends both threads and closes every socket.
    """

    def __init__(
        self,
        project: Project,
        branch: str,
        year: int,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        *,
        log: Log | None = None,
        debounce_ms: int = 300,
    ) -> None:
        self.project = project
        self.branch = check_branch(branch)
        self.year = year
        self.host = host
        self.port = port
        self.log: Log = log or _say
        self.debounce_ms = debounce_ms
        self.title = f"{branch} {fiscal_year(year)}"
        self._token = secrets.token_hex(4)  # a restarted server never repeats a version
        self._count = 0
        self._changed = threading.Condition()
        self._stopping = False
        self._stop_watch = threading.Event()
        self._pdf_lock = threading.Lock()
        self._build_lock = threading.Lock()
        self._httpd: PreviewHTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._serving = False
        self._shown_warnings: list[Problem] = []
        self.snapshot = Snapshot("", datetime.now())
        self._last_good: Snapshot | None = None
        self._layouts = 0  # PDF layouts finished: the event streams send their page numbers
        self._lay_out_now = threading.Event()
        # The pages and page numbers of the last PDF layout: the last build's, to begin with.
        self._last_layout = cache.read_manifest(project, self.branch, year) or cache.Manifest(
            "", {}
        )
        self._store = cache.Store.of(project)  # the build's part cache

    # lifecycle

    def start(self) -> PreviewServer:
        try:
            self._httpd = PreviewHTTPServer((self.host, self.port), self)
        except OSError as exc:
            raise UserError.single(
                f"{self.host}:{self.port} で待ち受けできません（{exc.strerror or exc}）。"
                "--port で別の番号を指定してください"
            ) from None
        self.port = self._httpd.server_address[1]
        try:
            self._start_watching()  # before the first build: a save during it is not missed
            self._start_thread("kenpo-preview-layout", self._lay_out_pages, {}, daemon=True)
            self.rebuild()
            self._start_thread(
                "kenpo-preview-http", self._httpd.serve_forever, {"poll_interval": 0.2}
            )
            self._serving = True
        except BaseException:  # Ctrl+C while starting: leave no thread behind
            self.stop()
            raise
        return self

    def stop(self, *, wait_for_layout: bool = True) -> None:
        """End the threads and close every socket; *wait_for_layout* False leaves a PDF
        layout under way to end with the process (WeasyPrint cannot be interrupted)."""
        with self._changed:
            self._stopping = True
            self._changed.notify_all()  # event streams end
        self._stop_watch.set()
        self._lay_out_now.set()
        if self._httpd is not None:
            if self._serving:
                self._httpd.shutdown()
                self._serving = False
            self._httpd.close_connections()
            self._httpd.server_close()  # joins the request threads
            self._httpd = None
        for thread in self._threads:
            if wait_for_layout or not thread.daemon:
                thread.join()
        self._threads.clear()

    def __enter__(self) -> PreviewServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}/"

    @property
    def version(self) -> str:
        return self.snapshot.version

    def _start_thread(
        self, name: str, target: Callable[..., object], kwargs: dict, daemon: bool = False
    ) -> None:
        thread = threading.Thread(target=target, kwargs=kwargs, name=name, daemon=daemon)
        thread.start()
        self._threads.append(thread)

    # building

    def rebuild(self, reason: str = "") -> Snapshot:
        with self._build_lock:  # the first build (start) and the watcher's never overlap
            self._count += 1
            snapshot = build_snapshot(
                self.project, self.branch, self.year, f"{self._token}-{self._count}"
            )
            with self._changed:
                snapshot.earlier_page_numbers = dict(self._last_layout.anchors)
            if snapshot.ok:
                self._last_good = snapshot
            else:
                snapshot.previous = self._last_good  # shown beneath the problems
            with self._changed:
                self.snapshot = snapshot
                self._changed.notify_all()
            self._lay_out_now.set()
            self._report(snapshot, reason)
        return snapshot

    def _lay_out_pages(self) -> None:
        """The layout thread: each new snapshot's documents as PDF, for their page numbers."""
        while True:
            self._lay_out_now.wait()
            self._lay_out_now.clear()
            if self._stopping:
                return
            current = self.snapshot
            snapshot = current.shown  # under an error, the last good one (if not laid out yet)
            for document in snapshot.documents if snapshot is not None else []:
                if self._stopping or self.snapshot is not current:
                    break  # a newer one is waiting: lay that out instead
                try:
                    self.pdf(snapshot, document.id)
                except UserError as exc:  # as the PDF link would say; the page keeps its guess
                    self.log(f"PDF の割り付けができません: {exc.problems[0]}")
                    continue
                except Exception:  # a bug: say it, and keep the preview serving
                    print(traceback.format_exc(), file=sys.stderr, flush=True)
                    continue
                with self._changed:
                    self._last_layout.anchors[document.id] = snapshot.page_numbers[document.id]
                    self._last_layout.pages[document.id] = snapshot.page_counts[document.id]
                    self._layouts += 1
                    self._changed.notify_all()
            self._store.prune()  # as a build does: the part cache stays bounded

    def _report(self, snapshot: Snapshot, reason: str) -> None:
        head = f"変更: {reason} → " if reason else ""
        if snapshot.failure is not None:
            print(snapshot.failure, file=sys.stderr, flush=True)
            self.log(f"{head}内部エラーで作れませんでした（上の表示を報告してください）")
        elif snapshot.errors:
            for problem in snapshot.errors:
                print(problem, file=sys.stderr, flush=True)
            self.log(f"{head}エラー {len(snapshot.errors)}件。直して保存すると、自動で更新します")
        else:
            if snapshot.warnings != self._shown_warnings:  # unchanged ones are not repeated
                for problem in snapshot.warnings:
                    print(problem, file=sys.stderr, flush=True)
                self._shown_warnings = snapshot.warnings
            counts = [
                f"{label} {len(problems)}件"
                for label, problems in (
                    ("警告", snapshot.other_warnings),
                    (Severity.PENDING.value, snapshot.pending),
                )
                if problems
            ]
            warned = f"（{'、'.join(counts)}）" if counts else ""
            self.log(f"{head}更新しました {snapshot.built_at:%H:%M:%S}{warned}")

    def _start_watching(self) -> None:
        try:
            saves = InputWatcher(
                self.project, debounce_ms=self.debounce_ms, stop_event=self._stop_watch
            )
        except Exception as exc:  # serve what there is, and say why it will not update
            self._watch_failed(exc)
            return
        self._start_thread("kenpo-preview-watch", self._follow, {"saves": saves})

    def _follow(self, saves: InputWatcher) -> None:
        try:
            saves.follow(lambda names: self.rebuild(", ".join(names)))
        except Exception as exc:  # the watcher must not take the server down silently
            self._watch_failed(exc)

    def _watch_failed(self, exc: Exception) -> None:
        self.log(f"ファイルの監視を続けられません（{exc}）。再起動してください")

    # serving (called from request threads)

    def wait_for_change(
        self, seen: tuple[str, int] | None, timeout: float
    ) -> tuple[str, int] | None:
        """The current (version, layouts finished) once it differs from ``seen`` (or after
        timeout); None when stopping."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._stopping or (self.snapshot.version, self._layouts) != seen,
                timeout=timeout,
            )
            return None if self._stopping else (self.snapshot.version, self._layouts)

    def pdf(self, snapshot: Snapshot, doc_id: str) -> bytes:
        """The document's PDF, rendered on first request (one at a time: WeasyPrint is heavy)."""
        with self._pdf_lock:
            return render_pdf(snapshot, doc_id, self._store, self._last_layout)


def _say(message: str) -> None:
    print(message, flush=True)


def serve(
    project: Project,
    branch: str,
    year: int,
    host: str = DEFAULT_HOST,
    port: int = DEFAULT_PORT,
    open_browser: bool = False,
) -> int:
    """Serve the live preview until Ctrl+C; returns the exit code (0)."""
    with PreviewServer(project, branch, year, host, port) as server:
        _say(f"プレビュー: {server.url} （Ctrl+C で終了）")
        if open_browser:
            webbrowser.open(server.url)
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            _say("プレビューを終了します")
            server.stop(wait_for_layout=False)  # not after the PDF under way
    return 0
