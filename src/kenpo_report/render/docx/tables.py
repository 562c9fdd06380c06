"""An HTML table read for a Word table: column widths, rows, column count; the widths set."""

from __future__ import annotations

import re

from docx.table import Table
from lxml import html as lxml_html

WIDTH = re.compile(r"width:\s*([\d.]+)%")
Row = tuple[lxml_html.HtmlElement, bool]  # a tr, and whether it is a header row


def column_widths(table: lxml_html.HtmlElement) -> list[float]:
    """The table's ``col`` widths (%); its own only: a layout column may hold
    tables with colgroups of their own."""
    return [
        float(m.group(1))
        for group in table.iterchildren("colgroup")
        for col in group.iterchildren("col")
        if (m := WIDTH.search(col.get("style") or ""))
    ]


def rows(table: lxml_html.HtmlElement) -> list[Row]:
    """The table's rows in order, each with whether it is a header row (``thead``)."""
    found: list[Row] = []
    for part in table:
        tag = part.tag if isinstance(part.tag, str) else ""
        if tag in ("thead", "tbody", "tfoot"):
            found += [(tr, tag == "thead") for tr in part.iterchildren("tr")]
        elif tag == "tr":
            found.append((part, False))
    return found


def column_count(widths: list[float], rows: list[Row]) -> int:
    """As many columns as the widest row spans, or as the colgroup gives if more."""
    if not rows:
        return 0
    spans = (sum(int(c.get("colspan", "1")) for c in tr if c.tag in ("td", "th")) for tr, _ in rows)
    return max(len(widths), *spans)


def set_width(table: Table, widths: list[float]) -> None:
    """Fixed column widths (EMU), before any cell is merged."""
    table.autofit = False
    # LibreOffice reads the grid (gridCol), Word the cells: set both.
    for column, width in zip(table.columns, widths, strict=False):
        column.width = int(width)
    # Called before any merge, so every row has a cell per column.
    for tr in table._tbl.tr_lst:
        for tc, width in zip(tr.tc_lst, widths, strict=False):
            tc.width = int(width)
