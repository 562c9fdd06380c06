"""What the CSS draws around a block, in the DOCX: its border, its ground, its frame.

A box (``div.box``, ``div.insert``: a table of one cell, see :mod:`.frames`) takes its
lines from its CSS (``.box.kpi { border-color }``). A paragraph whose CSS gives it a
border has it (``w:pBdr``), its padding as the border's distance from the text, and it
reads as a label: its text takes the colour and weight its CSS gives. When its box
shrinks to its text (``float``, ``position: absolute``, ``display: inline-block``: 岩手's
group badge, 「KPI設定なし」) it is a Word frame (``w:framePr``) with no width, which
Word and LibreOffice make as wide as its text, where the CSS puts it. A ``div`` whose CSS
gives it a border draws it around the paragraphs it writes (a page head's rule below it).
A label on a coloured ground (``.box-title``) has its runs shaded.
"""

from __future__ import annotations

from collections.abc import Sequence

from docx.text.paragraph import Paragraph
from lxml import html as lxml_html

from kenpo_report.render.docx import css, ooxml

SIDES = ("top", "left", "bottom", "right")  # as w:pBdr and w:tblBorders order them
_LINES = {"solid": "single", "dashed": "dashed", "dotted": "dotted", "double": "double"}
_NONE = {"val": "none", "sz": "0", "space": "0", "color": "auto"}
_SHRINKING = {"absolute", "fixed"}


def line(border: css.Border, space: float = 0.0) -> dict[str, str]:
    """A border's line as OOXML's attributes give it: width in eighths of a point (2–96),
    *space* (its distance from the text) in points (0–31)."""
    return {
        "val": _LINES.get(border.style, "single"),
        "sz": str(min(96, max(2, int(border.points * 8 + 0.5)))),
        "space": str(min(31, int(space + 0.5))),
        "color": border.colour or "auto",
    }


def table_edges(rules: css.Rules, el: lxml_html.HtmlElement) -> dict[str, dict] | None:
    """A box's lines as its CSS gives them, none between its cells; None if its CSS gives
    it no border."""
    found = rules.borders(el, SIDES)
    if not any(found.values()):
        return None
    edges = {side: line(border) if border else _NONE for side, border in found.items()}
    return {**edges, "insideH": _NONE, "insideV": _NONE}


def paragraph(
    rules: css.Rules, el: lxml_html.HtmlElement, paragraph: Paragraph, top_level: bool
) -> None:
    """*paragraph* (what *el* wrote) on the ground and in the border *el*'s CSS gives; a
    label that shrinks to its text framed if it is at the top level (Word has no frame in
    a table cell)."""
    colour = css.hex_colour(rules.value(el, "color", deep=True))
    fill = css.hex_colour(rules.value(el, "background", deep=True))
    if fill:
        ooxml.label_runs(paragraph, colour, fill=fill)
    edges = _edges(rules, el)
    if not edges:
        return
    ooxml.paragraph_borders(paragraph._p, edges)
    ooxml.label_runs(paragraph, colour, bold=rules.bold(el))
    place = _placement(rules, el) if top_level else None
    if place is not None:
        ooxml.frame(paragraph._p, *place)


def group(rules: css.Rules, el: lxml_html.HtmlElement, written: Sequence[object]) -> None:
    """A ``div``'s border around the paragraphs it wrote (*written*: the elements, if they
    are all paragraphs): its top above the first, its bottom below the last, its sides
    beside each. A framed one stands apart, as its CSS box does."""
    edges = _edges(rules, el)
    flowing = [node for node in written if not ooxml.framed(node)]
    if not edges or not flowing or any(node.tag != ooxml.P for node in flowing):
        return
    for index, p in enumerate(flowing):
        own = {
            side: edge
            for side, edge in edges.items()
            if side in ("left", "right")
            or (side == "top" and index == 0)
            or (side == "bottom" and index == len(flowing) - 1)
        }
        if own:
            ooxml.paragraph_borders(p, own)


def at_top(rules: css.Rules, el: lxml_html.HtmlElement) -> bool:
    """Whether *el* is a framed label positioned at the top of its container (岩手's group
    badge: ``position: absolute; top: 0``): written first among its siblings."""
    return (
        css.tag(el) == "p"
        and rules.value(el, "position", deep=True) in _SHRINKING
        and rules.value(el, "top", deep=True) is not None
        and bool(_edges(rules, el))
    )


def _edges(rules: css.Rules, el: lxml_html.HtmlElement) -> dict[str, dict[str, str]]:
    found = rules.borders(el, SIDES)
    return {
        side: line(border, rules.side(el, "padding", side) or 0.0)
        for side, border in found.items()
        if border is not None
    }


def _placement(rules: css.Rules, el: lxml_html.HtmlElement) -> tuple[str, str] | None:
    """Where a box that shrinks to its text goes, as a frame's horizontal alignment and
    wrapping (text beside it or not); None for a block as wide as its container."""
    if rules.value(el, "position", deep=True) in _SHRINKING:
        return ("right" if rules.value(el, "right", deep=True) else "left"), "around"
    floated = rules.value(el, "float", deep=True)
    if floated in ("left", "right"):
        return floated, "around"
    if rules.value(el, "display", deep=True) == "inline-block":  # alone on its line
        parent = el.getparent()
        align = (rules.inherited(parent, "text-align") if parent is not None else None) or "left"
        return (align if align in ("center", "right") else "left"), "notBeside"
    return None
