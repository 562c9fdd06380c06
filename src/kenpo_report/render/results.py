"""What the renderers take and give, without importing them (WeasyPrint takes 1 s).

A build whose parts all come from the cache merges them without WeasyPrint.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class Assets:
    """The only folders the renderer may read from."""

    templates: Path
    fonts: Path
    # Checked images of the plan, by their content-hash URL (see render.urls).
    images: Mapping[str, bytes] = field(default_factory=dict, hash=False, compare=False)
    # PNG versions of vector images (charts) for the DOCX, by the same URL.
    raster: Mapping[str, bytes] = field(default_factory=dict, hash=False, compare=False)

    @property
    def roots(self) -> tuple[Path, ...]:
        return (self.templates.resolve(), self.fonts.resolve())

    @property
    def base_url(self) -> str:
        return self.templates.resolve().as_uri() + "/"


# What a page start (pdf.page_starts) says: 2, the first block of each cell of a row that
# a page begins inside. A cached part laid out under another format is not taken.
STARTS_FORMAT = 2


@dataclass
class PdfResult:
    data: bytes
    pages: int
    anchors: dict[str, int] = field(default_factory=dict)  # anchor id -> 1-based page
    # Per page: where it begins, if not with a page section (see pdf.page_starts).
    starts: list[str] = field(default_factory=list)


@dataclass
class PartResult:
    """One part's PDF and what the merge needs to know of its pages.

    Coordinates are PDF points from the bottom left, as WeasyPrint writes them.
    """

    data: bytes
    pages: int
    anchors: dict[str, int]  # anchor id -> 0-based page within the part
    # Per page: (level, label, x, y, state) of each bookmark (h1–h6), for the outline.
    bookmarks: list[list[tuple[int, str, float, float, str]]]
    # Links to other parts: (page, rect, anchor id); WeasyPrint drops them, the merge adds them.
    links: list[tuple[int, tuple[float, float, float, float], str]]
    fetched: list[str]  # asset files read, relative to the project ("templates/…", "fonts/…")
    # Per page: where it begins, in the part's own numbering (see pdf.page_starts).
    starts: list[str] = field(default_factory=list)

    def meta(self) -> dict:
        """Everything but the PDF, as JSON-ready data."""
        out = asdict(self)
        del out["data"]
        out["starts_format"] = STARTS_FORMAT
        return out

    @classmethod
    def from_meta(cls, data: bytes, meta: dict) -> PartResult:
        return cls(
            data,
            meta["pages"],
            meta["anchors"],
            [[tuple(b) for b in page] for page in meta["bookmarks"]],
            [(link[0], tuple(link[1]), link[2]) for link in meta["links"]],
            meta["fetched"],
            meta["starts"],
        )
