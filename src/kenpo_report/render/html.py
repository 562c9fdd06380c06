"""Render stage, HTML: the laid-out document as one self-contained file.

The same HTML the PDF is made from, readable offline in a browser: the style
sheets are inlined, the bundled fonts embedded as data (subset with HarfBuzz to
the characters the document uses, so a document stays a few hundred kB), and
images, charts and marks embedded by their content-hash names.
"""

from __future__ import annotations

import base64
import re
from functools import cache
from pathlib import Path

from kenpo_report.render.results import Assets

_LINK = re.compile(r'<link rel="stylesheet" href="([^"]+)">')
_FONT_URL = re.compile(r'url\("([^"]+\.ttf)"\)')
_IMAGE = re.compile(r'src="(kenpo-image:[^"]+)"')
# On screen there is no page to count: the KPI一覧's page column links to the measure.
_SCREEN = (
    "@media screen { body { max-width: 297mm; margin: 0 auto; }"
    ' a.pageref::after { content: "▶"; } section { border-bottom: 1px solid #ccc; } }'
)


def render(html: str, assets: Assets, page_numbers: dict[str, int] | None = None) -> bytes:
    """*html* with every asset embedded; *page_numbers*: anchor -> page of the PDF, if known."""
    used = "".join(sorted(set(html)))
    out = _LINK.sub(lambda m: _style(assets, m.group(1), used), html)
    out = _IMAGE.sub(lambda m: f'src="{_data_url(assets, m.group(1))}"', out)
    if page_numbers:
        out = re.sub(
            r'<a class="pageref" href="#([^"]+)"></a>',
            lambda m: (
                f'<a class="pageref" href="#{m.group(1)}">{_page(page_numbers, m.group(1))}</a>'
            ),
            out,
        )
    return out.replace("</head>", f"<style>{_SCREEN}</style>\n</head>", 1).encode("utf-8")


def _page(numbers: dict[str, int], anchor: str) -> str:
    return f"P{numbers[anchor]}" if anchor in numbers else ""


def _style(assets: Assets, href: str, used: str) -> str:
    path = (assets.templates / href).resolve()
    if not path.is_relative_to(assets.templates.resolve()):
        return ""
    css = path.read_text(encoding="utf-8")

    def font(m: re.Match[str]) -> str:
        file = (path.parent / m.group(1)).resolve()
        if not file.is_relative_to(assets.fonts.resolve()) or not file.is_file():
            return m.group(0)
        data = base64.b64encode(subset(file, used)).decode("ascii")
        return f'url("data:font/ttf;base64,{data}")'

    return f"<style>\n{_FONT_URL.sub(font, css)}\n</style>"


def _data_url(assets: Assets, url: str) -> str:
    data = assets.images.get(url)
    if data is None:
        return url
    kind = "image/svg+xml" if data.lstrip()[:5] in (b"<?xml", b"<svg ") else _raster(data)
    return f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}"


def _raster(data: bytes) -> str:
    return "image/png" if data.startswith(b"\x89PNG") else "image/jpeg"


# --- font subsetting (HarfBuzz, as WeasyPrint uses it) ---------------------------------


@cache
def _harfbuzz():
    import cffi

    ffi = cffi.FFI()
    ffi.cdef(
        """
        typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
        typedef struct hb_subset_input_t hb_subset_input_t; typedef struct hb_set_t hb_set_t;
        typedef uint32_t hb_codepoint_t;
        hb_blob_t *hb_blob_create(const char *data, unsigned int length, int mode,
                                  void *user_data, void *destroy);
        void hb_blob_destroy(hb_blob_t *blob);
        const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
        hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
        void hb_face_destroy(hb_face_t *face);
        hb_blob_t *hb_face_reference_blob(hb_face_t *face);
        hb_subset_input_t *hb_subset_input_create_or_fail(void);
        void hb_subset_input_destroy(hb_subset_input_t *input);
        hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
        void hb_set_add(hb_set_t *set, hb_codepoint_t codepoint);
        hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
        """
    )
    return ffi, ffi.dlopen("harfbuzz"), ffi.dlopen("harfbuzz-subset")


@cache
def _font_bytes(path: Path) -> bytes:
    return path.read_bytes()


def subset(path: Path, characters: str) -> bytes:
    """The font at *path* reduced to *characters* (the whole font if subsetting fails)."""
    font = _font_bytes(path)
    try:
        ffi, hb, hb_subset = _harfbuzz()
    except (OSError, ImportError):  # pragma: no cover - libharfbuzz-subset0 is a requirement
        return font
    keep = ffi.from_buffer(font)
    blob = hb.hb_blob_create(keep, len(font), 1, ffi.NULL, ffi.NULL)  # 1: read-only
    face = hb.hb_face_create(blob, 0)
    wanted = hb_subset.hb_subset_input_create_or_fail()
    try:
        unicodes = hb_subset.hb_subset_input_unicode_set(wanted)
        for ch in characters:
            hb.hb_set_add(unicodes, ord(ch))
        small = hb_subset.hb_subset_or_fail(face, wanted)
        if small == ffi.NULL:
            return font
        out = hb.hb_face_reference_blob(small)
        length = ffi.new("unsigned int *")
        data = ffi.buffer(hb.hb_blob_get_data(out, length), length[0])[:]
        hb.hb_blob_destroy(out)
        hb.hb_face_destroy(small)
        return data or font
    finally:
        hb_subset.hb_subset_input_destroy(wanted)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)
