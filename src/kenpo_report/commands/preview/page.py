"""The page the browser shows: the report with the preview's bar on top, and its live-reload script.

The script follows the server's versions (server-sent events) and reloads the page on a new
one, keeping the scroll position; the Content-Security-Policy allows that script alone.
It also writes the page numbers into the KPI一覧's ページ column (``a.pageref``, which the
PDF fills with CSS ``target-counter()``, unknown to browsers): those of the last PDF layout,
titled 「ページ数は前回のPDFの割り付けです」, until a ``pages`` event brings this version's.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import re
from collections.abc import Mapping

from kenpo_report.commands.preview.snapshot import Document, Snapshot
from kenpo_report.errors import Problem, Severity
from kenpo_report.render.urls import IMAGE_SCHEME

_BODY = re.compile(r"<body\b[^>]*>", re.IGNORECASE)

_SCRIPT = """
(function () {
  var script = document.currentScript;
  var version = script.dataset.version;
  var key = "kenpo-preview-scroll:" + location.pathname + location.search;
  var saved = sessionStorage.getItem(key);
  if (saved !== null) {
    sessionStorage.removeItem(key);
    window.addEventListener("load", function () { window.scrollTo(0, Number(saved)); });
  }
  var status = document.getElementById("kenpo-preview-status");
  var note = document.getElementById("kenpo-preview-pages");
  function fill(numbers, fresh) {
    var links = document.querySelectorAll("a.pageref");
    for (var i = 0; i < links.length; i++) {
      var n = numbers[links[i].getAttribute("href").slice(1)];
      links[i].textContent = n ? "P" + n : "";
      if (fresh) links[i].removeAttribute("title"); else links[i].title = script.dataset.earlier;
    }
    if (fresh && note) note.textContent = "";
  }
  if (script.dataset.pages) {
    var known = JSON.parse(script.dataset.pages);
    fill(known.pages, known.fresh);
  }
  var source = new EventSource("/_preview/events");
  source.onopen = function () { if (status) status.textContent = ""; };
  source.onerror = function () { if (status) status.textContent = "サーバーに接続できません（再接続しています）"; };
  source.onmessage = function (event) {
    if (event.data === version) return;
    source.close();
    sessionStorage.setItem(key, String(window.scrollY));
    location.reload();
  };
  source.addEventListener("pages", function (event) {
    var laid = JSON.parse(event.data);
    var numbers = laid.pages[script.dataset.doc];
    if (laid.version === script.dataset.shown && numbers) fill(numbers, true);
  });
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
#kenpo-preview .problem.pending { background: #e8f1fb; border-color: #0b5cad; }
#kenpo-preview .pending-count { font-weight: bold; color: #0b5cad; }
#kenpo-preview-pages { color: #8a6d00; }
#kenpo-preview .previous { margin: 10px 0 0; padding: 8px 12px; font-weight: bold; color: #fff; background: #8a6d00; border-radius: 3px; }
a.pageref[title] { color: #8a6d00; }
""".strip()


_EARLIER = "ページ数は前回のPDFの割り付けです"


def _problem_item(problem: Problem) -> str:
    kind = {Severity.ERROR: "error", Severity.PENDING: "pending"}.get(problem.severity, "warning")
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


def _problem_list(label: str, kind: str, problems: list[Problem], is_open: bool) -> list[str]:
    if not problems:
        return []
    return [
        f"<details{' open' if is_open else ''}><summary>{label} {len(problems)}件</summary>",
        f'<ul class="problems {kind}">',
        *(_problem_item(p) for p in problems),
        "</ul></details>",
    ]


def _bar(snapshot: Snapshot, title: str, current: Document | None, note: str = "") -> str:
    shown = snapshot.shown
    links = []
    for doc in shown.documents if shown is not None else []:
        label = html.escape(doc.title or doc.id)
        if current is not None and doc.id == current.id:
            links.append(f"<span>{label}</span>")
            if snapshot.ok:  # no PDF of the last good version: it is not what a build makes
                links.append(f'<a href="/report.pdf?doc={html.escape(doc.id)}">PDF</a>')
        else:
            links.append(f'<a href="/?doc={html.escape(doc.id)}">{label}</a>')
    pending = (
        [f'<span class="pending-count">{Severity.PENDING.value} {len(snapshot.pending)}件</span>']
        if snapshot.pending
        else []
    )
    pages = _pages_note(shown, current)
    parts = [
        '<div id="kenpo-preview" lang="ja">',
        f'<p class="bar"><b>プレビュー: {html.escape(title)}</b>',
        *links,
        f"<span>更新 {snapshot.built_at:%H:%M:%S}</span>",
        *pending,
        f'<span id="kenpo-preview-pages">{html.escape(pages)}</span>' if pages else "",
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
    parts += _problem_list("警告", "warnings", snapshot.other_warnings, True)
    parts += _problem_list(Severity.PENDING.value, "pending", snapshot.pending, False)
    if shown is not None and shown is not snapshot and current is not None:
        parts.append(
            f'<p class="previous">以下は前回の正しいデータの表示です（{shown.built_at:%H:%M:%S} の版）。'
            "上のエラーを直して保存すると、最新のデータで表示します。</p>"
        )
    if note:
        parts.append(f"<p>{html.escape(note)}</p>")
    parts.append("</div>")
    return "\n".join(parts)


def _page_numbers(shown: Snapshot, document: Document) -> tuple[Mapping[str, int], bool]:
    """The document's page numbers: of its own PDF layout (fresh), else of the last one before."""
    if document.id in shown.page_numbers:
        return shown.page_numbers[document.id], True
    return shown.earlier_page_numbers.get(document.id, {}), False


def _pages_note(shown: Snapshot | None, document: Document | None) -> str:
    """What the bar says of the ページ column while the PDF is being laid out."""
    if shown is None or document is None or 'class="pageref"' not in document.html:
        return ""
    numbers, fresh = _page_numbers(shown, document)
    if fresh:
        return ""
    if numbers:
        return f"{_EARLIER}（PDFを割り付けています）"
    return "ページ数は PDF の割り付け後に表示します（割り付けています）"


def page_numbers_event(snapshot: Snapshot) -> str | None:
    """The data of a ``pages`` event: the shown report's page numbers, once laid out."""
    shown = snapshot.shown
    if shown is None or not shown.page_numbers:
        return None
    return json.dumps({"version": shown.version, "pages": shown.page_numbers})


def _head_extras() -> str:
    return f"<style>{_STYLE}</style>"


def _script(snapshot: Snapshot, document: Document | None) -> str:
    data = {"version": snapshot.version, "earlier": _EARLIER}
    shown = snapshot.shown
    if shown is not None and document is not None:
        numbers, fresh = _page_numbers(shown, document)
        pages = json.dumps({"pages": numbers, "fresh": fresh})
        data |= {"shown": shown.version, "doc": document.id, "pages": pages}
    attributes = " ".join(f'data-{k}="{html.escape(v)}"' for k, v in data.items())
    return f"<script {attributes}>{_SCRIPT}</script>"


def render_page(snapshot: Snapshot, title: str, doc_id: str | None = None) -> str:
    """The page the browser shows: the report with the bar on top, or the problems alone;
    under problems, the last good report when there is one, marked as such."""
    shown = snapshot.shown
    documents = shown.documents if shown is not None else []
    document = next((d for d in documents if d.id == doc_id), None)
    if document is None and documents:
        document = documents[0]
    if shown is None or document is None:
        note = "この支部・年度には作る文書がありません（documents）。" if snapshot.ok else ""
        bar = _bar(snapshot, title, None, note)
        return (
            '<!DOCTYPE html>\n<html lang="ja">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{'エラー' if not snapshot.ok else 'プレビュー'} - {html.escape(title)}</title>\n"
            f'{_head_extras()}\n</head>\n<body class="kenpo-preview-only">\n'
            f"{bar}\n{_script(snapshot, None)}\n</body>\n</html>\n"
        )
    page = document.html
    for name in shown.images:  # kenpo-image:<name> -> a URL this server answers
        page = page.replace(f'"{IMAGE_SCHEME}:{name}"', f'"/_preview/image/{name}"')
    page = page.replace("</head>", _head_extras() + "\n</head>", 1)
    bar = _bar(snapshot, title, document)
    page = _BODY.sub(lambda m: m.group(0) + "\n" + bar, page, count=1)
    index = page.rfind("</body>")
    script = _script(snapshot, document)
    return page[:index] + script + "\n" + page[index:] if index >= 0 else page + script
