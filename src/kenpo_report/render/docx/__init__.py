"""HTML -> DOCX with python-docx, from the same HTML the PDF is made of.

The writer understands a documented subset of HTML, the shapes the shared
block macros produce:

- ``section`` (a new page; ``id`` becomes a bookmark; the first section's
  ``data-orientation`` sets the paper; ``data-running-head`` is the text at the
  top of the section's continuation pages, e.g. a sheet title with （続き）),
- ``h1``–``h4``, ``p`` (``br`` for line breaks), ``ul``/``li``,
- ``div.box``, ``div.insert``, ``div.legend`` (framed or plain groups),
- ``div.image`` (a picture, its caption and a chart's figures),
- ``table`` with ``colgroup/col`` widths (%), ``thead`` rows (repeated on
  each page), ``colspan`` / ``rowspan`` (merged cells), ``th`` (shaded),
- ``a.pageref`` (a PAGEREF field to the bookmark, with the page number the
  PDF layout found as its cached result).

Same signature as :mod:`kenpo_report.render.pdf`. The modules: :mod:`.writer`
(the visitor over that subset: blocks and running text), :mod:`.cells` (tables written:
rows, merged cells, layout columns), :mod:`.grid` (a Word table's XML made in one parse),
:mod:`.frames` (boxes and column inserts),
:mod:`.boxes` (borders, grounds and frames as the CSS draws them), :mod:`.images`
(pictures and their alt text), :mod:`.pages` (page breaks where the PDF's pages start),
:mod:`.tables` (reading an HTML table), :mod:`.ooxml` (the XML python-docx has no API
for), :mod:`.styles` (the document's styles, paper, headers and footers), :mod:`.css`
(what the HTML's stylesheets give an element: fonts, sizes, borders), :mod:`.fonts` (the
bundled fonts embedded, subset to the characters :mod:`.font_usage` finds),
:mod:`.package` (core properties and the zip).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from lxml import html as lxml_html

from kenpo_report.render.docx import css, fonts, package, styles
from kenpo_report.render.docx.ooxml import bookmark_name
from kenpo_report.render.docx.writer import Writer
from kenpo_report.render.results import Assets

__all__ = ["bookmark_name", "render"]


def render(
    html: str,
    assets: Assets,
    *,
    page_numbers: Mapping[str, int] | None = None,
    page_starts: Sequence[str] = (),
) -> bytes:
    """Build the DOCX for *html*; *page_numbers* (anchor -> page) fill PAGEREF results,
    *page_starts* (see pdf.page_starts) say where the PDF's pages begin."""
    tree = lxml_html.document_fromstring(html)
    rules = css.rules(tree, assets.templates)  # the sizes and columns the PDF's CSS gives
    writer = Writer(page_numbers or {}, {**assets.images, **assets.raster}, page_starts, rules)
    writer.write(tree)
    styles.finish(writer.doc, css.fonts(tree, assets.templates))
    fonts.embed(writer.doc, assets.fonts)  # last: it reads the finished styles and text
    return package.save(writer.doc, package.metadata(tree))
