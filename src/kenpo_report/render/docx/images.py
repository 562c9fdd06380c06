"""A ``div.image`` in the DOCX: its pictures, described as the HTML does, then its caption
and a chart's figures."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from docx.enum.text import WD_ALIGN_PARAGRAPH
from lxml import html as lxml_html

from kenpo_report.render.docx import cells, ooxml, styles, tables

if TYPE_CHECKING:
    from kenpo_report.render.docx.writer import Writer


def alt_text(img: lxml_html.HtmlElement, figure: lxml_html.HtmlElement) -> str:
    """What a picture shows, for a reader who cannot see it: its alt text, else its
    figure's caption, else a chart's title (its figures' first heading cell)."""
    found = (img.get("alt") or "").strip()
    for candidate in (*figure.iter("p"), *figure.iter("th")):
        found = found or " ".join(candidate.text_content().split())
    return found or "図"


def image(writer: Writer, el: lxml_html.HtmlElement, container: object) -> None:
    """A ``div.image``: its pictures (described as the HTML does: alt, caption or
    chart title), then its caption and a chart's figures."""
    target = writer._target(container)
    for img in el.iter("img"):
        content = writer.images.get(img.get("src") or "")
        if content is None:  # the PDF renderer has already refused it
            continue
        match = tables.WIDTH.search(img.get("style") or "")
        share = float(match.group(1)) / 100 if match else 0.6
        paragraph = writer._paragraph(target)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        picture = paragraph.add_run().add_picture(
            io.BytesIO(content), width=int(writer._usable_width() * share)
        )
        ooxml.describe(picture, alt_text(img, el))
    for p in el.iter("p"):
        paragraph = writer._paragraph(target)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        writer.inline(p, paragraph)
    for table in el.iter("table"):  # a chart's figures: a picture has no text
        cells.table(writer, table, target, size=styles.CHART_FIGURES_SIZE)
