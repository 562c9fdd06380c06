"""The preview's HTTP server and its routes, for requests addressed to the loopback host only.

``/`` the page, ``/_preview/events`` its live-reload stream (versions, and page numbers
as each PDF layout finishes), ``/_preview/version``,
``/_preview/image/<name>`` the plan's images, ``/report.pdf`` the PDF, anything else a file
of templates/ or fonts/ (see :mod:`.assets`).
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import sys
import threading
from collections.abc import Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs, unquote, urlsplit

from kenpo_report.commands.preview.assets import find_asset, find_image
from kenpo_report.commands.preview.page import CSP, page_numbers_event, render_page
from kenpo_report.commands.preview.pdf import pdf_reply

if TYPE_CHECKING:
    from kenpo_report.commands.preview.server import PreviewServer

_IMAGES = "/_preview/image/"


class PreviewHTTPServer(ThreadingHTTPServer):
    """Request threads are joined on close; open connections are cut on stop."""

    daemon_threads = False
    block_on_close = True

    def __init__(self, address: tuple[str, int], preview: PreviewServer) -> None:
        self.preview = preview
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        super().__init__(address, RequestHandler)

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


class RequestHandler(BaseHTTPRequestHandler):
    server: PreviewHTTPServer
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
        doc_id = parse_qs(parts.query).get("doc", [None])[0]
        snapshot = preview.snapshot
        if path == "/":
            page = render_page(snapshot, preview.title, doc_id)
            self._send(HTTPStatus.OK, page.encode(), "text/html; charset=utf-8")
        elif path == "/_preview/events":
            self._events()
        elif path == "/_preview/version":
            self._send(HTTPStatus.OK, snapshot.version.encode(), "text/plain; charset=utf-8")
        elif path == "/report.pdf":
            self._send(*pdf_reply(snapshot, doc_id, preview.pdf))
        else:
            if path.startswith(_IMAGES):
                # Under an error the page shows the last good report, with its images.
                found = find_image(snapshot.shown or snapshot, path.removeprefix(_IMAGES))
            else:
                found = find_asset(preview.project, path)
            if found is None:
                self._not_found()
            else:
                self._send(HTTPStatus.OK, *found)

    def _events(self) -> None:
        """Server-sent events: the current version now, then each new one (and keep-alives);
        ``pages`` events with the page numbers of the shown report once it is laid out."""
        self.close_connection = True
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if self.command == "HEAD":
            return
        preview = self.server.preview
        seen: tuple[str, int] | None = None
        try:
            self.wfile.write(b"retry: 1000\n\n")
            while True:
                state = preview.wait_for_change(seen, timeout=15)
                if state is None:
                    return
                if state == seen:
                    self.wfile.write(b": keep-alive\n\n")
                else:
                    if seen is None or state[0] != seen[0]:
                        self.wfile.write(f"data: {state[0]}\n\n".encode())
                    pages = page_numbers_event(preview.snapshot)
                    if pages is not None:
                        self.wfile.write(f"event: pages\ndata: {pages}\n\n".encode())
                    seen = state
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
