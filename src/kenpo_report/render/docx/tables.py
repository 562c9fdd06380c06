"""An HTML table read for a Word table: column widths, rows, column count; the widths set."""

from __future__ import annotations

import itertools
import math
import re

from docx.oxml.ns import qn
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


def estimated_lines(el: lxml_html.HtmlElement, size_pt: float, width_pt: float) -> int:
    """How many lines *el*'s text takes in a column *width_pt* wide at *size_pt*: full-width
    characters one em each, others half of one; each ``br`` begins a line."""
    count = 0
    for line in _lines(el):
        ems = sum(1.0 if ord(ch) >= 0x2E80 else 0.5 for ch in line)
        count += max(1, math.ceil(ems * size_pt / width_pt))
    return count


def _lines(el: lxml_html.HtmlElement) -> list[str]:
    """*el*'s text, split where a ``br`` breaks it (the tree is left as it is)."""
    parts = [el.text or ""]
    for node in el.iterdescendants():
        parts += ["\n" if node.tag == "br" else (node.text or ""), node.tail or ""]
    return "".join(parts).split("\n")


def balanced(heights: list[int], count: int) -> list[int]:
    """Where *count* columns begin (indexes into *heights*, the first 0), in order, so that
    the tallest column is as short as can be: CSS ``column-count``'s balanced columns."""
    n = len(heights)
    count = max(1, min(count, n))
    prefix = [0, *itertools.accumulate(heights)]
    # best[k][i]: the tallest column when the first i items fill k columns; cut: where its last begins.
    best = [[math.inf] * (n + 1) for _ in range(count + 1)]
    cut = [[0] * (n + 1) for _ in range(count + 1)]
    best[0][0] = 0
    for k in range(1, count + 1):
        for i in range(1, n + 1):
            for j in range(k - 1, i):
                tallest = max(best[k - 1][j], prefix[i] - prefix[j])
                if tallest < best[k][i]:
                    best[k][i], cut[k][i] = tallest, j
    starts, i = [], n
    for k in range(count, 0, -1):
        i = cut[k][i]
        starts.append(i)
    return starts[::-1]


def no_inner_lines(table: Table) -> None:
    """No line between the table's columns (a box in columns): its outer lines only."""
    inside = table._tbl.tblPr.find(qn("w:tblBorders")).find(qn("w:insideV"))
    inside.set(qn("w:val"), "none")
