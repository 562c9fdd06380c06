"""Achievement marks, ○ for 達成 and × for 未達成, drawn as pictures rather than text.

A style may show 達成状況 as a mark (三重's KPI一覧: the source's column holds no
text), so that the table reads, when searched or copied, as the source does:
実績 then 前年度実績. The PDF gets SVG (vector), by its URL; the DOCX writes the
mark as a character (:data:`TEXT`), which a reader can retype in Word.
"""

from __future__ import annotations

import io

from kenpo_report.render.urls import mark_url

# name -> what it means, for alt text and the legend
MEANINGS = {"achieved": "達成", "missed": "未達成"}
# name -> the character (those KpiResult.achieved_mark prints) and its size against the
# text around it, which makes its ink as large as the drawn mark's: in BIZ UDPGothic 〇
# is 0.88 em wide and × 0.59 em, where the drawings are 81 % and 73 % of their box.
TEXT = {"achieved": ("〇", 1.0), "missed": ("×", 4 / 3)}

_SVG = {
    "achieved": '<circle cx="50" cy="50" r="36" fill="none" stroke="#000" stroke-width="9"/>',
    "missed": (
        '<path d="M18 18 L82 82 M82 18 L18 82" fill="none" stroke="#000" stroke-width="9"'
        ' stroke-linecap="round"/>'
    ),
}


def url(name: str) -> str:
    """The renderers' name for a mark (a template's ``mark_url`` filter)."""
    if name not in MEANINGS:
        raise ValueError(f"no mark {name!r}: {sorted(MEANINGS)}")
    return mark_url(name)


def named(src: str) -> str | None:
    """The mark an image's URL shows, or None for any other image."""
    return next((name for name in MEANINGS if url(name) == src), None)


def used(html: str) -> list[str]:
    """The marks *html* shows."""
    return [name for name in MEANINGS if url(name) in html]


def vector(name: str) -> bytes:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="100" height="100" '
        f'viewBox="0 0 100 100">{_SVG[name]}</svg>'
    ).encode()


def raster(name: str, size: int = 96) -> bytes:
    """The PNG of a mark for the DOCX: drawn large and scaled down by Word."""
    from PIL import Image, ImageDraw

    image = Image.new("LA", (size, size), (255, 0))  # transparent
    draw = ImageDraw.Draw(image)
    unit, line = size / 100, round(9 * size / 100)
    if name == "achieved":
        draw.ellipse([14 * unit, 14 * unit, 86 * unit, 86 * unit], outline=(0, 255), width=line)
    else:
        for a, b in (((18, 18), (82, 82)), ((82, 18), (18, 82))):
            draw.line([a[0] * unit, a[1] * unit, b[0] * unit, b[1] * unit], (0, 255), line)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def images(html: str) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """The marks of *html*: SVG for the PDF and PNG for the DOCX, by URL."""
    names = used(html)
    return {url(n): vector(n) for n in names}, {url(n): raster(n) for n in names}
