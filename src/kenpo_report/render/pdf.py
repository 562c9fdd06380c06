"""HTML -> PDF with WeasyPrint, fetching nothing outside templates/ and fonts/.

Same signature as :mod:`kenpo_report.render.docx`: ``render(html, assets) -> bytes``.
"""

from __future__ import annotations

import mimetypes
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urlsplit

import weasyprint
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from ..errors import UserError


@dataclass(frozen=True)
class Assets:
    """The only folders the renderer may read from."""

    templates: Path
    fonts: Path
    # Checked images of the plan, by their content-hash URL (see report.image_url).
    images: Mapping[str, bytes] = field(default_factory=dict, hash=False, compare=False)
    # PNG versions of vector images (charts) for the DOCX, by the same URL.
    raster: Mapping[str, bytes] = field(default_factory=dict, hash=False, compare=False)

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.templates.resolve(), self.fonts.resolve())

    @property
    def base_url(self) -> str:
        return self.templates.resolve().as_uri() + "/"


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


@dataclass
class PdfResult:
    data: bytes
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)  # anchor id -> 1-based page


def render(html: str, assets: Assets, *, pdf_variant: str | None = None) -> PdfResult:
    fetcher = AssetFetcher(assets)
    try:
        document = weasyprint.HTML(
            string=html, base_url=assets.base_url, url_fetcher=fetcher
        ).render(pdf_variant=pdf_variant, pdf_tags=pdf_variant is not None and "ua" in pdf_variant)
        anchors: dict[str, int] = {}
        for number, page in enumerate(document.pages, 1):
            for name in page.anchors:
                anchors.setdefault(name, number)  # a section spanning pages starts on its first
        # No clock in the pipeline: the modification date is the document's own date.
        document.metadata.modified = document.metadata.created
        data = document.write_pdf(pdf_variant=pdf_variant)
    except FatalURLFetchingError:
        raise UserError.single(
            "様式が読み込もうとしたファイルを拒否しました（templates/ と fonts/ の外、またはネットワーク）: "
            + ", ".join(fetcher.refused)
        ) from None
    if fetcher.refused:
        raise UserError.single(
            "様式が読み込もうとしたファイルを拒否しました: " + ", ".join(fetcher.refused)
        )
    return PdfResult(data, len(document.pages), anchors)
