"""The PDF of the preview: the shown document rendered by WeasyPrint, in the background
after each rebuild (for its page numbers) or when the PDF link asks for it first.

It is rendered as a build renders it, with the build's part cache and the last layout's
page numbers as the first guess: after an edit only the parts that changed are laid out.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from http import HTTPStatus

from kenpo_report.build import cache, pipeline
from kenpo_report.build.workers import Runner
from kenpo_report.commands.preview.snapshot import Snapshot
from kenpo_report.errors import UserError

# status, body, content type, extra headers
Reply = tuple[HTTPStatus, bytes, str, Mapping[str, str]]
_TEXT = "text/plain; charset=utf-8"


def render_pdf(
    snapshot: Snapshot,
    doc_id: str,
    store: cache.Store | None = None,
    previous: cache.Manifest | None = None,
) -> bytes:
    """The document's PDF, rendered by the build's own render call (kept in the snapshot,
    with its anchors' page numbers): the same bytes as ``kenpo-report build`` writes.

    *store*: the build's part cache; *previous*: the last layout's pages and page numbers."""
    if doc_id not in snapshot.pdfs:
        document = next(d for d in snapshot.documents if d.id == doc_id)
        with Runner(1) as runner:
            rendering = pipeline.Rendering(("pdf",), None, store, runner, previous)
            pdf, _, _ = pipeline.render_pdf_docx(document.item, document.assets, rendering)
        snapshot.page_numbers[doc_id] = dict(pdf.anchors)
        snapshot.page_counts[doc_id] = pdf.pages
        snapshot.pdfs[doc_id] = pdf.data
    return snapshot.pdfs[doc_id]


def pdf_reply(
    snapshot: Snapshot, doc_id: str | None, render: Callable[[Snapshot, str], bytes]
) -> Reply:
    """The answer to ``/report.pdf?doc=…``: the PDF, or why there is none."""
    ids = [d.id for d in snapshot.documents]
    if not snapshot.ok or not ids:
        message = "エラーがあるため PDF を作れません。プレビューの画面を見てください。\n"
        return HTTPStatus.CONFLICT, message.encode(), _TEXT, {}
    doc_id = doc_id if doc_id in ids else ids[0]
    try:
        data = render(snapshot, doc_id)
    except UserError as exc:
        text = "\n".join(str(p) for p in exc.problems) + "\n"
        return HTTPStatus.INTERNAL_SERVER_ERROR, text.encode(), _TEXT, {}
    disposition = {"Content-Disposition": f'inline; filename="{doc_id}.pdf"'}
    return HTTPStatus.OK, data, "application/pdf", disposition
