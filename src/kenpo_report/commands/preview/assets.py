"""What the browser may fetch besides the page: templates/ and fonts/ files, the plan's images.

As confined as WeasyPrint's :class:`~kenpo_report.render.pdf.AssetFetcher`: ``..``, hidden
names and symlinks out of the folder are refused, and only the types below are served.
"""

from __future__ import annotations

import re
from pathlib import Path

from kenpo_report.commands.preview.snapshot import Snapshot
from kenpo_report.project import Project

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
_IMAGE_NAME = re.compile(r"[A-Za-z0-9-]{1,80}")


def find_asset(project: Project, url_path: str) -> tuple[bytes, str] | None:
    """A file under fonts/ (``/fonts/…``) or templates/ (anything else), or None."""
    parts = url_path.lstrip("/").split("/")
    if any(p in ("", ".", "..") or p.startswith(".") or "\x00" in p for p in parts):
        return None
    root = project.fonts if parts[0] == "fonts" else project.templates
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


def find_image(snapshot: Snapshot, name: str) -> tuple[bytes, str] | None:
    """A checked image or chart of the plan by its content-hash name, or None."""
    content = snapshot.images.get(name) if _IMAGE_NAME.fullmatch(name) else None
    return None if content is None else (content, _image_type(content))


def _image_type(content: bytes) -> str:
    if content.startswith(b"\x89PNG"):
        return "image/png"
    if content.lstrip().startswith((b"<?xml", b"<svg")):
        return "image/svg+xml"
    return "image/jpeg"
