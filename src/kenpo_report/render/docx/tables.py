"""An HTML table read for a Word table: column widths, rows, column count; rows split."""

from __future__ import annotations

import itertools
import math
import re

from docx.oxml.ns import qn
from docx.shared import Twips
from docx.table import Table, _Cell
from lxml import html as lxml_html

from kenpo_report.render.docx import ooxml

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


def text_width(cell: _Cell) -> int:
    """The width of *cell*'s text (EMU): the cell less its left and right margins."""
    return int(cell.width) - 2 * Twips(ooxml.CELL_MARGIN)


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


def split_row(tr: lxml_html.HtmlElement, points: list[lxml_html.HtmlElement]) -> object:
    """Cut *tr* before *points* (one block at most in each of its cells) into two rows, the
    second inserted after it: each cell keeps what comes before its point and gives the
    rest to its copy in the second row (empty without a point), as the PDF shows a row
    that runs over onto another page. A cell spanning rows continues in the second row;
    one of an earlier row spanning this one spans one more."""
    table = next(a for a in tr.iterancestors("table"))
    found = rows(table)
    index = next(r for r, (row, _) in enumerate(found) if row is tr)
    for r, (row, _) in enumerate(found[:index]):
        for td in _cells(row):
            if r + _span(td) > index:
                td.set("rowspan", str(_span(td) + 1))
    second = tr.makeelement(tr.tag, dict(tr.attrib))
    for td in _cells(tr):
        copy = _shallow(td)
        point = next((p for p in points if td in p.iterancestors()), None)
        if point is not None:
            _move_from(point, td, copy)
        if _span(td) > 1:
            copy.set("rowspan", str(_span(td)))
            td.attrib.pop("rowspan")
        second.append(copy)
    tr.addnext(second)
    return second


def continue_spans(rows: list[Row], cut: int, start: int) -> None:
    """Where a table is cut before row *cut*: each cell of rows *start*…*cut* - 1 that spans
    into it gets an empty continuation there, spanning its remaining rows, at its column."""
    columns = _grid(rows)
    tr = rows[cut][0]
    for r in range(start, cut):
        for td, column in columns[r]:
            left = r + _span(td) - cut
            if left <= 0:
                continue
            copy = _shallow(td)
            for cell, span in ((copy, left), (td, cut - r)):  # td ends where the table does
                cell.attrib.pop("rowspan", None)
                if span > 1:
                    cell.set("rowspan", str(span))
            later = next((c for c, col in columns[cut] if col > column), None)
            if later is not None:
                later.addprevious(copy)
            else:
                tr.append(copy)
            columns[cut] = [*columns[cut], (copy, column)]
            columns[cut].sort(key=lambda cell: cell[1])


def _grid(rows: list[Row]) -> list[list[tuple[lxml_html.HtmlElement, int]]]:
    """Each row's cells with the column each begins in (as a Word table places them)."""
    occupied: set[tuple[int, int]] = set()
    out = []
    for r, (tr, _) in enumerate(rows):
        placed, c = [], 0
        for td in _cells(tr):
            while (r, c) in occupied:
                c += 1
            width = int(td.get("colspan", "1") or 1)
            occupied.update((r + dr, c + dc) for dr in range(_span(td)) for dc in range(width))
            placed.append((td, c))
            c += width
        out.append(placed)
    return out


def _cells(tr: lxml_html.HtmlElement) -> list[lxml_html.HtmlElement]:
    return [c for c in tr if isinstance(c.tag, str) and c.tag in ("td", "th")]


def _span(td: lxml_html.HtmlElement) -> int:
    return int(td.get("rowspan", "1") or 1)


def _shallow(el: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    """An empty copy of *el* without its id (an anchor is where the original is); a table
    keeps its column widths and header rows, as the PDF repeats them."""
    copy = el.makeelement(el.tag, {k: v for k, v in el.attrib.items() if k != "id"})
    if el.tag == "table":
        for part in el.iterchildren("colgroup", "thead"):
            copy.append(copy_tree(part))
    return copy


def _move_from(point: lxml_html.HtmlElement, cell: object, into: object) -> None:
    """Move *point* and all that follows it in *cell* into *into*, each element around it
    (up to the cell) continued in a copy."""
    head, node = point, point
    while True:
        parent = node.getparent()
        target = into if parent is cell else _shallow(parent)
        following = list(node.itersiblings())
        target.append(head)  # an element moves with its tail
        for sibling in following:
            target.append(sibling)
        if parent is cell:
            return
        head, node = target, parent


def copy_tree(el: lxml_html.HtmlElement) -> lxml_html.HtmlElement:
    from copy import deepcopy

    copy = deepcopy(el)
    copy.tail = None
    return copy
