"""``kenpo-report preview BRANCH YEAR``: the report as a live web page while editing.

The page is the very HTML the pipeline feeds WeasyPrint (load → validate →
compute → lay out, the same functions as :func:`kenpo_report.build.pipeline.build`),
served on 127.0.0.1 with a small bar on top (warnings, PDF link) and a few lines
of inline JavaScript. A watcher (:mod:`kenpo_report.build.watch`, as for
``build --watch``) rebuilds it whenever a YAML, template, image or font file under
plans/, templates/ or fonts/ changes; the open page hears of the new version
through server-sent events and reloads itself, keeping its scroll position.
Problems a planner must fix (:class:`UserError`) are listed as ``ファイル:行:桁`` and
messages above the last good report (marked 「前回の正しいデータの表示です」), until they
are fixed. The bar counts the places still to fill in (記入待ち) apart from the warnings.
The KPI一覧's ページ column is filled from a PDF layout done in a background thread
after each rebuild (see :mod:`.server`); until it is done, from the last one, marked.

What the browser may fetch is as confined as WeasyPrint's
:class:`~kenpo_report.render.pdf.AssetFetcher`: stylesheets, fonts and images
under templates/ and fonts/ (``..`` and symlinks out are refused), and the
plan's checked images and charts by their content-hash name (``kenpo-image:``
URLs are rewritten to ``/_preview/image/<name>``). Nothing else of the project,
and only for requests addressed to the loopback host (no DNS rebinding).

Modules: :mod:`.snapshot` (one build), :mod:`.page` (the page and its live-reload
script), :mod:`.assets` (what else may be fetched), :mod:`.pdf` (the PDF on demand),
:mod:`.http_server` (the routes), :mod:`.server` (the preview's lifecycle and the command).
"""

from kenpo_report.build.watch import WATCHED_SUFFIXES, relevant_change
from kenpo_report.commands.preview.assets import ASSET_TYPES
from kenpo_report.commands.preview.page import CSP, page_numbers_event, render_page
from kenpo_report.commands.preview.server import (
    DEFAULT_HOST,
    DEFAULT_PORT,
    Log,
    PreviewServer,
    serve,
)
from kenpo_report.commands.preview.snapshot import Document, Snapshot, build_snapshot

__all__ = [
    "ASSET_TYPES",
    "CSP",
    "DEFAULT_HOST",
    "DEFAULT_PORT",
    "WATCHED_SUFFIXES",
    "Document",
    "Log",
    "PreviewServer",
    "Snapshot",
    "build_snapshot",
    "page_numbers_event",
    "relevant_change",
    "render_page",
    "serve",
]
