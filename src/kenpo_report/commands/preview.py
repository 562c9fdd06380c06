"""``kenpo-report preview BRANCH YEAR``: the report as a live web page while editing.

The page is the very HTML the pipeline feeds WeasyPrint (load → validate →
compute → lay out, the same functions as :func:`kenpo_report.build.pipeline.build`),
served on 127.0.0.1 with a small bar on top (warnings, PDF link) and a few lines
of inline JavaScript. A watcher rebuilds it whenever a YAML, template or image
file under plans/ or templates/ changes; the open page hears of the new version
through server-sent events and reloads itself, keeping its scroll position.
Problems a planner must fix (:class:`UserError`) replace the report with a list
of ``ファイル:行:桁`` and messages, until they are fixed.

What the browser may fetch is as confined as WeasyPrint's
:class:`~kenpo_report.render.pdf.AssetFetcher`: stylesheets, fonts and images
under templates/ and fonts/ (``..`` and symlinks out are refused), and the
plan's checked images and charts by their content-hash name (``kenpo-image:``
URLs are rewritten to ``/_preview/image/<name>``). Nothing else of the project,
and only for requests addressed to the loopback host (no DNS rebinding).
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import html
import re
import secrets
import socket
import socketserver
import sys
import threading
import traceback
import webbrowser
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import watchfiles

from kenpo_report.build import pipeline
from kenpo_report.compute.blocks import IMAGE_SCHEME
from kenpo_report.errors import Problem, Severity, UserError
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.project import Project, check_branch
from kenpo_report.render import pdf as pdf_render
from kenpo_report.validate import load_plan

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8000

# Files the page may load from templates/ and fonts/ (never the Jinja sources).
ASSET_TYPES = {
    ".css": "text/css; charset=utf-8",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".svg": "image/svg+xml",
}
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
_IMAGE_NAME = re.compile(r"[A-Za-z0-9-]{1,80}")
_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)

Log = Callable[[str], None]


# --- building ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Document:
    id: str
    title: str
    html: str  # exactly what the pipeline gives WeasyPrint


@dataclass
class Snapshot:
    """One build of the branch-year: the report, or the problems that stop it."""

    version: str
    built_at: datetime
    documents: list[Document] = field(default_factory=list)
    assets: pdf_render.Assets | None = None
    images: Mapping[str, bytes] = field(default_factory=dict)  # name (after the scheme) -> bytes
    warnings: list[Problem] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    failure: str | None = None  # traceback of an internal error (a bug, not the planner's)
    pdfs: dict[str, bytes] = field(default_factory=dict)  # rendered on request, by document id

    @property
    def ok(self) -> bool:
        return not self.errors and self.failure is None


def build_snapshot(project: Project, branch: str, year: int, version: str) -> Snapshot:
    """Load, validate, compute and lay out every document, as the pipeline does before rendering."""
    snapshot = Snapshot(version, datetime.now())
    try:
        plan = load_plan(project, branch, year)  # load + validate
        laid_out, snapshot.warnings = pipeline.lay_out_plan(project, plan)  # compute + lay out
        images: dict[str, bytes] = {}
        for item in laid_out:
            # What the build renders with: images, charts and the ○/× marks.
            images.update(pipeline.assets_of(project, plan, item).images)
            snapshot.documents.append(Document(item.document.id, item.document.title, item.html))
        snapshot.assets = pdf_render.Assets(project.templates, project.fonts, images)
        prefix = IMAGE_SCHEME + ":"
        snapshot.images = {url.removeprefix(prefix): data for url, data in images.items()}
    except UserError as exc:
        snapshot.errors = list(exc.problems)
    except Exception:  # a bug: show it in the page and keep serving
        snapshot.failure = traceback.format_exc()
    return snapshot


# --- pages ---------------------------------------------------------------------------------

_SCRIPT = """
(function () {
  var version = document.currentScript.dataset.version;
  var key = "kenpo-preview-scroll:" + location.pathname + location.search;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
  }
  var status = document.getElementById("kenpo-preview-status");
  var source = new EventSource("/_preview/events");
  source.onopen = function () { if (status) status.textContent = ""; };
  source.onerror = function () { if (status) status.textContent = "サーバーに接続できません（再接続しています）"; };
  source.onmessage = function (event) {
    if (event.data === version) return;
    source.close();
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  };
})();
""".strip()
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
CSP = (
    "default-src 'none'; "
    f"script-src 'sha256-{_SCRIPT_HASH}'; "
    "style-src 'self' 'unsafe-inline'; "
    "font-src 'self'; img-src 'self'; connect-src 'self'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)

# The preview's own styles: scoped to its elements, with the bundled font, in pixels
# (the report's CSS sets pt sizes on html).
_STYLE = """
@font-face { font-family: "Kenpo Preview"; src: url("/fonts/BIZUDPGothic-Regular.ttf"); }
@font-face { font-family: "Kenpo Preview"; src: url("/fonts/BIZUDPGothic-Bold.ttf"); font-weight: bold; }
@media screen {
  html { background: #d9dde3; }
  body { background: #fff; max-width: 297mm; margin: 16px auto; padding: 12mm 14mm; box-sizing: border-box; box-shadow: 0 1px 4px rgba(0,0,0,.25); }
  body > section + section { border-top: 2px dashed #b8c0cc; margin-top: 10mm; padding-top: 8mm; }
}
#kenpo-preview { font: 14px/1.5 "Kenpo Preview", sans-serif; color: #1b1f24; margin: -12mm -14mm 10mm; padding: 10px 14px; background: #f3f6fa; border-bottom: 1px solid #c9d3df; }
body.kenpo-preview-only { padding: 0; }
body.kenpo-preview-only #kenpo-preview { margin: 0; border-bottom: 0; }
#kenpo-preview a { color: #0b5cad; }
#kenpo-preview .bar { margin: 0; }
#kenpo-preview .bar b { margin-right: 12px; }
#kenpo-preview .bar span { margin-right: 12px; }
#kenpo-preview-status { color: #b3261e; font-weight: bold; }
#kenpo-preview .problems { margin: 8px 0 0; padding: 0; list-style: none; }
#kenpo-preview .problem { margin: 4px 0; padding: 6px 10px; border-left: 5px solid; border-radius: 3px; }
#kenpo-preview .problem.warning { background: #fff6db; border-color: #d19a00; }
#kenpo-preview .problem.error { background: #fde7e7; border-color: #c62828; }
#kenpo-preview .where { font-family: monospace; font-weight: bold; margin-right: 8px; }
#kenpo-preview .severity { font-weight: bold; margin-right: 6px; }
#kenpo-preview .field { color: #555; margin-left: 6px; }
#kenpo-preview h1 { font-size: 20px; margin: 4px 0 8px; color: #b3261e; }
#kenpo-preview pre { font-size: 12px; background: #fff; border: 1px solid #ccc; padding: 8px; overflow: auto; }
""".strip()


def _problem_item(problem: Problem) -> str:
    kind = "error" if problem.severity is Severity.ERROR else "warning"
    where = (
        f'<span class="where">{html.escape(str(problem.position))}</span>'
        if problem.position
        else ""
    )
    fld = f'<span class="field">({html.escape(problem.field)})</span>' if problem.field else ""
    return (
        f'<li class="problem {kind}">{where}<span class="severity">{problem.severity.value}</span>'
        f'<span class="message">{html.escape(problem.message)}</span>{fld}</li>'
    )


def _bar(snapshot: Snapshot, title: str, current: str | None, note: str = "") -> str:
    links = []
    for doc in snapshot.documents:
        label = html.escape(doc.title or doc.id)
        if doc.id == current:
            links.append(f"<span>{label}</span>")
        else:
            links.append(f'<a href="/?doc={html.escape(doc.id)}">{label}</a>')
        if doc.id == current:
            links.append(f'<a href="/report.pdf?doc={html.escape(doc.id)}">PDF</a>')
    parts = [
        '<div id="kenpo-preview" lang="ja">',
        f'<p class="bar"><b>プレビュー: {html.escape(title)}</b>',
        *links,
        f"<span>更新 {snapshot.built_at:%H:%M:%S}</span>",
        '<span id="kenpo-preview-status"></span></p>',
    ]
    if snapshot.errors:
        parts.append(
            f"<h1>エラーが {len(snapshot.errors)}件あります。直して保存すると、自動で更新します。</h1>"
        )
        parts.append('<ul class="problems errors">')
        parts += [_problem_item(p) for p in snapshot.errors]
        parts.append("</ul>")
    if snapshot.failure is not None:
        parts.append("<h1>内部エラーです（ツールの不具合）。報告してください。</h1>")
        parts.append(f"<pre>{html.escape(snapshot.failure)}</pre>")
    if snapshot.warnings:
        parts.append(f"<details open><summary>警告 {len(snapshot.warnings)}件</summary>")
        parts.append('<ul class="problems warnings">')
        parts += [_problem_item(p) for p in snapshot.warnings]
        parts.append("</ul></details>")
    if note:
        parts.append(f"<p>{html.escape(note)}</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _head_extras() -> str:
    return f"<style>{_STYLE}</style>"


def _script(version: str) -> str:
    return f'<script data-version="{html.escape(version)}">{_SCRIPT}</script>'


def render_page(snapshot: Snapshot, title: str, doc_id: str | None = None) -> str:
    """The page the browser shows: the report with the bar on top, or the problems alone."""
    document = next((d for d in snapshot.documents if d.id == doc_id), None)
    if document is None and snapshot.documents:
        document = snapshot.documents[0]
    if not snapshot.ok or document is None:
        note = "この支部・年度には作る文書がありません（documents）。" if snapshot.ok else ""
        bar = _bar(snapshot, title, None, note)
        return (
            '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{'エラー' if not snapshot.ok else 'プレビュー'} - {html.escape(title)}</title>\n"
            f'{_head_extras()}\n</head>\n<body class="kenpo-preview-only">\n'
            f"{bar}\n{_script(snapshot.version)}\n</body>\n</html>\n"
        )
    page = document.html
    for name in snapshot.images:  # kenpo-image:<name> -> a URL this server answers
        page = page.replace(f'"{IMAGE_SCHEME}:{name}"', f'"/_preview/image/{name}"')
    page = page.replace("</head>", _head_extras() + "\n</head>", 1)
    bar = _bar(snapshot, title, document.id)
    page = _BODY.sub(lambda m: m.group(0) + "\n" + bar, page, count=1)
    index = page.rfind("</body>")
    script = _script(snapshot.version)
    return page[:index] + script + "\n" + page[index:] if index >= 0 else page + script


# --- the server ----------------------------------------------------------------------------


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
        self._httpd: _HTTPServer | None = None
        self._threads: list[threading.Thread] = []
        self._serving = False
        self._shown_warnings: list[Problem] = []
        self.snapshot = Snapshot("", datetime.now())

    # lifecycle

    def start(self) -> PreviewServer:
        try:
            self._httpd = _HTTPServer((self.host, self.port), _Handler, self)
        except OSError as exc:
            raise UserError.single(
                f"{self.host}:{self.port} で待ち受けできません（{exc.strerror or exc}）。"
                "--port で別の番号を指定してください"
            ) from None
        self.port = self._httpd.server_address[1]
        try:
            watcher = threading.Thread(target=self._watch, name="kenpo-preview-watch")
            watcher.start()
            self._threads.append(watcher)
            self.rebuild()
            server = threading.Thread(
                target=self._httpd.serve_forever,
                kwargs={"poll_interval": 0.2},
                name="kenpo-preview-http",
            )
            server.start()
            self._threads.append(server)
            self._serving = True
        except BaseException:  # Ctrl+C while starting: leave no thread behind
            self.stop()
            raise
        return self

    def stop(self) -> None:
        with self._changed:
            self._stopping = True
            self._changed.notify_all()  # event streams end
        self._stop_watch.set()
        if self._httpd is not None:
            if self._serving:
                self._httpd.shutdown()
                self._serving = False
            self._httpd.close_connections()
            self._httpd.server_close()  # joins the request threads
            self._httpd = None
        for thread in self._threads:
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

    # building

    def rebuild(self, reason: str = "") -> Snapshot:
        with self._build_lock:  # the first build (start) and the watcher's never overlap
            self._count += 1
            snapshot = build_snapshot(
                self.project, self.branch, self.year, f"{self._token}-{self._count}"
            )
            with self._changed:
                self.snapshot = snapshot
                self._changed.notify_all()
            self._report(snapshot, reason)
        return snapshot

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
            warned = f"（警告 {len(snapshot.warnings)}件）" if snapshot.warnings else ""
            self.log(f"{head}更新しました {snapshot.built_at:%H:%M:%S}{warned}")

    def _watch(self) -> None:
        roots = [p for p in (self.project.plans, self.project.templates) if p.is_dir()]
        try:
            for changes in watchfiles.watch(
                *roots,
                watch_filter=relevant_change,
                debounce=self.debounce_ms,
                step=50,
                stop_event=self._stop_watch,
                raise_interrupt=False,
            ):
                names = sorted({self.project.relative(Path(path)) for _, path in changes})
                self.rebuild(", ".join(names))
        except Exception as exc:  # the watcher must not take the server down silently
            self.log(f"ファイルの監視を続けられません（{exc}）。再起動してください")

    # serving (called from request threads)

    def wait_for_version(self, seen: str | None, timeout: float) -> str | None:
        """The current version once it differs from ``seen`` (or after timeout); None when stopping."""
        with self._changed:
            self._changed.wait_for(
                lambda: self._stopping or self.snapshot.version != seen, timeout=timeout
            )
            return None if self._stopping else self.snapshot.version

    def pdf(self, snapshot: Snapshot, doc_id: str) -> bytes:
        with self._pdf_lock:
            if doc_id not in snapshot.pdfs:
                document = next(d for d in snapshot.documents if d.id == doc_id)
                assert snapshot.assets is not None
                snapshot.pdfs[doc_id] = pdf_render.render(document.html, snapshot.assets).data
            return snapshot.pdfs[doc_id]

    def asset(self, url_path: str) -> tuple[bytes, str] | None:
        """A file under fonts/ (``/fonts/…``) or templates/ (anything else), or None."""
        parts = url_path.lstrip("/").split("/")
        if any(p in ("", ".", "..") or p.startswith(".") or "\x00" in p for p in parts):
            return None
        root = self.project.fonts if parts[0] == "fonts" else self.project.templates
        if parts[0] == "fonts":
            parts = parts[1:]
        if not parts:
            return None
        kind = ASSET_TYPES.get(Path(parts[-1]).suffix.lower())
        if kind is None:
            return None
        root = root.resolve()
        path = root.joinpath(*parts).resolve()
        if not path.is_relative_to(root) or not path.is_file():
            return None
        return path.read_bytes(), kind


def relevant_change(change: watchfiles.Change, path: str) -> bool:
    return path.endswith(WATCHED_SUFFIXES) and watchfiles.DefaultFilter()(change, path)


class _HTTPServer(ThreadingHTTPServer):
    """Request threads are joined on close; open connections are cut on stop."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], handler: type, preview: PreviewServer) -> None:
        self.preview = preview
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, handler)

    def server_bind(self) -> None:
        # HTTPServer.server_bind looks the host name up (getfqdn): slow, and not needed.
        socketserver.TCPServer.server_bind(self)
        host, port = self.server_address[:2]
        self.server_name, self.server_port = str(host), int(port)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._connections_lock:
            self._connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._connections_lock:
            self._connections.discard(request)
        super().shutdown_request(request)

    def close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if isinstance(sys.exc_info()[1], ConnectionError | TimeoutError):
            return  # the browser went away: not worth a traceback
        super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    server: _HTTPServer
    server_version = "kenpo-report-preview"
    timeout = 30  # an idle connection does not hold a thread forever

    def log_message(self, format: str, *args: Any) -> None:
        pass  # one line per request would drown the messages that matter

    def do_HEAD(self) -> None:
        self.do_GET()

    def do_GET(self) -> None:
        preview = self.server.preview
        if not self._host_allowed():
            self._send(HTTPStatus.MISDIRECTED_REQUEST, b"unknown host\n", "text/plain")
            return
        parts = urlsplit(self.path)
        path = unquote(parts.path)
        query = parse_qs(parts.query)
        doc_id = query.get("doc", [None])[0]
        snapshot = preview.snapshot
        if path == "/":
            page = render_page(snapshot, preview.title, doc_id)
            self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
        elif path == "/_preview/events":
            self._events()
        elif path == "/_preview/version":
            self._send(HTTPStatus.OK, snapshot.version.encode(), "text/plain; charset=utf-8")
        elif path.startswith("/_preview/image/"):
            name = path.removeprefix("/_preview/image/")
            content = snapshot.images.get(name) if _IMAGE_NAME.fullmatch(name) else None
            if content is None:
                self._not_found()
            else:
                self._send(HTTPStatus.OK, content, _image_type(content))
        elif path == "/report.pdf":
            self._pdf(snapshot, doc_id)
        else:
            found = preview.asset(path)
            if found is None:
                self._not_found()
            else:
                self._send(HTTPStatus.OK, *found)

    def _pdf(self, snapshot: Snapshot, doc_id: str | None) -> None:
        ids = [d.id for d in snapshot.documents]
        if not snapshot.ok or not ids:
            message = "エラーがあるため PDF を作れません。プレビューの画面を見てください。\n"
            self._send(HTTPStatus.CONFLICT, message.encode(), "text/plain; charset=utf-8")
            return
        doc_id = doc_id if doc_id in ids else ids[0]
        try:
            data = self.server.preview.pdf(snapshot, doc_id)
        except UserError as exc:
            text = "\n".join(str(p) for p in exc.problems) + "\n"
            self._send(HTTPStatus.INTERNAL_SERVER_ERROR, text.encode(), "text/plain; charset=utf-8")
            return
        self._send(
            HTTPStatus.OK,
            data,
            "application/pdf",
            {"Content-Disposition": f'inline; filename="{doc_id}.pdf"'},
        )

    def _events(self) -> None:
        """Server-sent events: the current version now, then each new one (and keep-alives)."""
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        preview = self.server.preview
        seen: str | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                version = preview.wait_for_version(seen, timeout=15)
                if version is None:
                    return
                if version == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    self.wfile.write(f"data: {version}\n\n".encode())
                    seen = version
                self.wfile.flush()
        except (ConnectionError, TimeoutError, ValueError):
            return  # the page closed or reloaded; ValueError: socket cut on stop

    def _host_allowed(self) -> bool:
        host = (self.headers.get("Host") or "").strip().lower()
        name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
        return name in {"127.0.0.1", "localhost", "[::1]", self.server.preview.host.lower()}

    def _not_found(self) -> None:
        self._send(HTTPStatus.NOT_FOUND, "見つかりません\n".encode(), "text/plain; charset=utf-8")

    def _send(
        self,
        status: HTTPStatus,
        body: bytes,
        content_type: str,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.send_header("Content-Security-Policy", CSP)
        self.send_header("Referrer-Policy", "no-referrer")
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        self.end_headers()
        if self.command != "HEAD":
            with contextlib.suppress(ConnectionError):
                self.wfile.write(body)


def _image_type(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.lstrip().startswith((b"<?xml", b"<svg")):
        return "image/svg+xml"
    return "image/jpeg"


def _say(message: str) -> None:
    print(message, flush=True)


# --- the command ---------------------------------------------------------------------------


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
    return 0
