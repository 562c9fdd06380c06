"""The page the browser shows: the report with the preview's bar on top, and its live-reload script.

The script follows the server's versions (server-sent events) and reloads the page on a new
one, keeping the scroll position; the Content-Security-Policy allows that script alone.
"""

from __future__ import annotations

import base64
import hashlib
import html
import re

from kenpo_report.commands.preview.snapshot import Snapshot
from kenpo_report.errors import Problem, Severity
from kenpo_report.render.urls import IMAGE_SCHEME

_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)

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
