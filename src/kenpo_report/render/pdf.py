"""HTML -> PDF with WeasyPrint, fetching nothing outside templates/ and fonts/.

Same signature as :mod:`kenpo_report.render.docx`: ``render(html, assets) -> bytes``.

:func:`render_part` lays out one part of a document (see :mod:`.split`) as if
it stood at its place in the whole: its first page number and the page numbers
of the anchors it links to in other parts are given. :mod:`.merge` joins the
parts' PDFs.
"""

from __future__ import annotations

import mimetypes
import os
import re
import shutil
import weakref
from collections import OrderedDict
from collections.abc import Mapping
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import weasyprint
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from kenpo_report.errors import UserError
from kenpo_report.render import split
from kenpo_report.render.results import Assets, PartResult, PdfResult
from kenpo_report.render.split import unnumbered_ids

__all__ = ["AssetFetcher", "Assets", "PartResult", "PdfResult", "render", "render_part"]

# PDF points per CSS pixel, as WeasyPrint writes at zoom 1.
_SCALE = 0.75


class AssetFetcher(URLFetcher):
    """Serves file:// URLs under the asset folders; refuses everything else.

    Refused: other schemes (http, https, data, ftp), files outside the
    folders, ``..`` and symlinks that resolve outside them. A refusal stops the
    build (``fail_on_errors``) instead of silently dropping the resource.
    """

    def __init__(self, assets: Assets) -> None:
        super().__init__(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
        self.assets = assets
        self.refused: list[str] = []
        self.fetched: list[Path] = []  # files served, for the part cache's dependencies

    def fetch(self, url: str, headers: object = None) -> URLFetcherResponse:
        if url in self.assets.images:
            content = self.assets.images[url]
            mime = (
                "image/png"
                if content.startswith(b"\x89PNG")
                else "image/svg+xml"
                if content.lstrip().startswith((b"<?xml", b"<svg"))
                else "image/jpeg"
            )
            return URLFetcherResponse(url, content, {"Content-Type": mime})
        path = self._allowed_path(url)
        if path is None:
            self.refused.append(url)
            raise PermissionError(f"refused: {url}")
        mime = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        self.fetched.append(path)
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": mime})

    def _allowed_path(self, url: str) -> Path | None:
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            return None
        resolved = Path(unquote(parts.path)).resolve()
        if not resolved.is_file():
            return None
        if any(resolved.is_relative_to(root) for root in self.assets.roots):
            return resolved
        return None


# Loading the bundled fonts into a FontConfiguration (fontconfig, plus a copy of
# each 4–6 MB file in a temporary folder) costs about 0.1 s per document: keep
# one per asset folders and process. Keyed by process id too, because a forked
# worker must neither use nor clean up its parent's.
_FONT_CONFIGS: OrderedDict[tuple, FontConfiguration] = OrderedDict()
_KEPT_FONT_CONFIGS = 2  # a long-lived process (tests, preview) meets several projects


def font_config(assets: Assets) -> FontConfiguration:
    fonts = assets.fonts.resolve()
    files = sorted(fonts.iterdir()) if fonts.is_dir() else []
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in files if p.is_file())
    key = (os.getpid(), str(assets.templates.resolve()), str(fonts), stamp)
    if key in _FONT_CONFIGS:
        _FONT_CONFIGS.move_to_end(key)
        return _FONT_CONFIGS[key]
    if not any(k[0] == os.getpid() for k in _FONT_CONFIGS):
        _clean_up_at_exit()
    config = FontConfiguration()
    _FONT_CONFIGS[key] = config
    mine = [k for k in _FONT_CONFIGS if k[0] == os.getpid()]
    for old in mine[:-_KEPT_FONT_CONFIGS]:
        del _FONT_CONFIGS[old]  # its documents keep it alive as long as they need it
    return config


def _clean_up_at_exit() -> None:
    # WeasyPrint removes a configuration's font folder when it is collected, which
    # does not happen in a worker process (it ends with os._exit): multiprocessing's
    # exit hook runs in the main process and in workers alike.
    from multiprocessing import util

    util.Finalize(None, _remove_font_folders, args=(os.getpid(),), exitpriority=0)


def _remove_font_folders(pid: int) -> None:
    for key in [k for k in _FONT_CONFIGS if k[0] == pid]:
        folder = getattr(_FONT_CONFIGS.pop(key), "_folder", None)
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def render(html: str, assets: Assets, *, pdf_variant: str | None = None) -> PdfResult:
    fetcher = AssetFetcher(assets)
    try:
        source = weasyprint.HTML(string=html, base_url=assets.base_url, url_fetcher=fetcher)
        document = source.render(
            font_config=font_config(assets),
            pdf_variant=pdf_variant,
            pdf_tags=pdf_variant is not None and "ua" in pdf_variant,
        )
        anchors: dict[str, int] = {}
        uncounted, number = unnumbered_ids(html), 0
        for page in document.pages:
            number += not uncounted.intersection(page.anchors)  # a cover is not counted
            for name in page.anchors:
                anchors.setdefault(name, number)  # a section spanning pages starts on its first
        starts = page_starts(source.etree_element, document.pages)
        # No clock in the pipeline: the modification date is the document's own date.
        document.metadata.modified = document.metadata.created
        data = document.write_pdf(pdf_variant=pdf_variant)
    except FatalURLFetchingError:
        raise _refused(fetcher) from None
    if fetcher.refused:
        raise UserError.single(
            "様式が読み込もうとしたファイルを拒否しました: " + ", ".join(fetcher.refused)
        )
    return PdfResult(data, len(document.pages), anchors, starts)


def _refused(fetcher: AssetFetcher) -> UserError:
    return UserError.single(
        "様式が読み込もうとしたファイルを拒否しました（templates/ と fonts/ の外、またはネットワーク）: "
        + ", ".join(fetcher.refused)
    )


def render_part(
    html: str, assets: Assets, *, first_page: int = 1, foreign: Mapping[str, int] | None = None
) -> PartResult:
    """Lay out one part of a document numbered from *first_page*.

    *foreign* gives the page number of each anchor the part links to in other
    parts. They are supplied as empty anchors on extra pages, each page's
    counter set to the number wanted, so that any ``target-counter()`` the
    stylesheet uses reads the right number; the extra pages are dropped. They
    come first: WeasyPrint lays out a page again whenever a target it refers
    to turns up later, which for a KPI一覧 costs more than the page itself.
    """
    foreign = dict(foreign or {})
    rules, stubs = _numbering(first_page, foreign)
    if stubs:
        cut = html.find(">", html.find("<body")) + 1 if "<body" in html else 0
        html = html[:cut] + stubs + html[cut:]
    fetcher = AssetFetcher(assets)
    try:
        config = font_config(assets)
        html, sheets = _parsed_once(html, assets, fetcher, config)
        if rules:
            sheets.append(weasyprint.CSS(string="\n".join(rules)))
        source = weasyprint.HTML(string=html, base_url=assets.base_url, url_fetcher=fetcher)
        document = source.render(font_config=config, stylesheets=sheets)
        pages = document.pages
        if stubs:  # drop the extra pages: up to the one numbered to precede the part
            last = next(i for i, p in enumerate(pages) if _BEFORE in p.anchors)
            pages = pages[last + 1 :]
        starts = page_starts(source.etree_element, pages, skip=stubs.count("break-after: page"))
        anchors, bookmarks, links = _take_navigation(pages)
        document.metadata.modified = document.metadata.created
        data = document.copy(pages).write_pdf()
    except FatalURLFetchingError:
        raise _refused(fetcher) from None
    if fetcher.refused:
        raise UserError.single(
            "様式が読み込もうとしたファイルを拒否しました: " + ", ".join(fetcher.refused)
        )
    return PartResult(
        data, len(pages), anchors, bookmarks, links, _relative(fetcher, assets), starts
    )


def page_starts(root: object, pages: list, skip: int = 0) -> list[str]:
    """Where each page after the first of a top-level element (a page section) begins:
    the first block (or table row) that starts on it, as :func:`.split.element_key` names
    it, counting the body's elements from the part's own (*skip*: the numbering stubs).
    A page that begins inside a table row (begun on an earlier page) adds, after a space
    each, the first block on it of every other cell of that row that goes on there (see
    :func:`_row_starts`). A page that a top-level element begins, or that holds only the
    continuation of blocks begun before, gives nothing ("")."""
    from weasyprint.formatting_structure import boxes

    body = root.find("body")
    top = [c for c in body if isinstance(c.tag, str)][skip:] if body is not None else []
    keys = split.element_keys(top)
    parents = {child: parent for parent in body.iter() for child in parent} if top else {}
    seen: set[int] = set()
    out: list[str] = []
    for page in pages:
        new = []  # the blocks that begin on this page, in order
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is None or id(element) in seen:
                continue
            seen.add(id(element))
            if isinstance(box, (boxes.BlockLevelBox, boxes.TableRowBox)) and element in keys:
                new.append(element)
        found = keys[new[0]] if new else ""
        # A top-level element breaks anyway.
        out.append(_row_starts(new, keys, parents) if "/" in found else "")
    return out


def _row_starts(new: list, keys: Mapping[object, str], parents: Mapping[object, object]) -> str:
    """The key of a page's first block, and if it is inside a cell of a row begun before
    (the outermost row above it), the first block on the page of each cell of that row
    that has one, in the cells' order: where the DOCX splits the row."""
    first = new[0]
    row, node = None, first
    while node in parents:
        node = parents[node]
        if node.tag == "tr":
            row = node
    if row is None:
        return keys[first]
    found = [keys[first]]
    for cell in (c for c in row if c.tag in ("td", "th")):
        inside = next((el for el in new if _within(el, cell, parents)), None)
        if inside is not None:
            found.append(keys[inside])
    return " ".join(dict.fromkeys(found))


def _within(element: object, ancestor: object, parents: Mapping[object, object]) -> bool:
    while element in parents:
        element = parents[element]
        if element is ancestor:
            return True
    return False


def _take_navigation(pages: list) -> tuple[dict[str, int], list[list], list[tuple]]:
    """The part's anchors (-> 0-based page), bookmarks and links to other parts, in
    PDF points, for :mod:`.merge`; those links are taken off the pages."""
    anchors: dict[str, int] = {}
    bookmarks = []
    links = []
    own = {name for page in pages for name in page.anchors}
    for number, page in enumerate(pages):
        for name in page.anchors:
            anchors.setdefault(name, number)
        bookmarks.append(
            [
                (level, label, _SCALE * x, _SCALE * (page.height - y), state)
                for level, label, (x, y), state in page.bookmarks
            ]
        )
        kept = []
        for link in page.links:
            kind, target, (x1, y1, x2, y2), _ = link
            if kind == "internal" and target not in own:
                rect = (_SCALE * x1, _SCALE * (page.height - y1))
                rect += (_SCALE * x2, _SCALE * (page.height - y2))
                links.append((number, rect, target))
            else:
                kept.append(link)
        page.links[:] = kept  # else WeasyPrint logs each as a link to a missing anchor
    return anchors, bookmarks, links


_BEFORE = "kenpo-part-start"
_LINK = re.compile(r"<link\b[^>]*>", re.IGNORECASE)
_ATTRIBUTE = re.compile(r'([a-zA-Z-]+)\s*=\s*"([^"]*)"')


@dataclass
class _Sheet:
    css: weasyprint.CSS
    files: dict[Path, str]  # what its parse read (itself, @import, @font-face) -> SHA-256


# Parsed stylesheets by font configuration (their @font-face rules are registered
# in it) and URL: every part of every document links the same three, and parsing
# them took 7 % of a report's lay-out.
_SHEETS: weakref.WeakKeyDictionary[FontConfiguration, dict[str, _Sheet]] = (
    weakref.WeakKeyDictionary()
)


def _parsed_once(
    html: str, assets: Assets, fetcher: AssetFetcher, config: FontConfiguration
) -> tuple[str, list[weasyprint.CSS]]:
    """The HTML without its stylesheet links, and those stylesheets, parsed once per process.

    They are given to WeasyPrint as user stylesheets: with no author stylesheet
    left and no ``!important`` in ours, the cascade is the same (inline styles
    still win). Whether the result reads the same as laying out the HTML as it
    is, is tested against :func:`render` (tests/test_cache.py).
    """
    sheets: list[weasyprint.CSS] = []

    def take(match: re.Match) -> str:
        attributes = {k.lower(): v for k, v in _ATTRIBUTE.findall(match.group(0))}
        if attributes.get("rel", "").lower() != "stylesheet" or attributes.get(
            "media", "all"
        ) not in ("all", "print"):
            return match.group(0)
        url = urljoin(assets.base_url, attributes.get("href", ""))
        sheets.append(_sheet(url, assets, fetcher, config))
        return ""

    return _LINK.sub(take, html), sheets


def _sheet(
    url: str, assets: Assets, fetcher: AssetFetcher, config: FontConfiguration
) -> weasyprint.CSS:
    from kenpo_report.build.cache import file_digest

    parsed = _SHEETS.setdefault(config, {})
    found = parsed.get(url)
    if found is not None and all(
        path.is_file() and file_digest(path) == digest for path, digest in found.files.items()
    ):
        fetcher.fetched.extend(found.files)  # the part cache's dependencies
        return found.css
    start = len(fetcher.fetched)
    css = weasyprint.CSS(url=url, url_fetcher=fetcher, font_config=config)
    files = {path: file_digest(path) for path in fetcher.fetched[start:]}
    if not fetcher.refused:
        parsed[url] = _Sheet(css, files)
    return css


def _numbering(first_page: int, foreign: Mapping[str, int]) -> tuple[list[str], str]:
    """The user stylesheet rules and the extra pages that number a part.

    Without foreign anchors, the part's first page sets the counter. With them,
    one extra page per page number wanted, then one numbered just before the
    part's first page (the counter goes up by one on each page).
    """
    if not foreign:
        return (
            [f"@page :first {{ counter-reset: page {first_page} }}"] if first_page != 1 else []
        ), ""
    by_page: dict[int, list[str]] = {}
    for anchor, page in foreign.items():
        by_page.setdefault(page, []).append(anchor)
    by_page.setdefault(first_page - 1, []).append(_BEFORE)
    rules, stubs = [], ""
    for page, anchors in sorted(by_page.items(), key=lambda item: _BEFORE in item[1]):
        name = f"kenpo-stub-{'last' if _BEFORE in anchors else page}"
        rules.append(f"@page {name} {{ counter-reset: page {page} }}")
        inner = "".join(f'<div id="{escape(a)}"></div>' for a in anchors)
        stubs += f'<div style="page: {name}; break-after: page">{inner}</div>'
    return rules, stubs


def _relative(fetcher: AssetFetcher, assets: Assets) -> list[str]:
    out = []
    for path in dict.fromkeys(fetcher.fetched):
        for name, root in zip(("templates", "fonts"), assets.roots, strict=True):
            if path.is_relative_to(root):
                out.append(f"{name}/{path.relative_to(root).as_posix()}")
                break
    return out
