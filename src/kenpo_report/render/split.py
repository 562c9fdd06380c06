"""Cut a document's HTML into parts that each begin on a new page.

The templates put every page of a report in a top-level ``<section
class="page">``, and the shared stylesheet starts each of those on a new page
(``section.page { break-before: page }`` in templates/shared/base.css). A
document is therefore a sequence of independent parts: each can be laid out on
its own, as a complete HTML document with the same ``<head>``, and the PDFs
joined. That is what lets a build lay out only the parts that changed, and
lay out several parts at once.

What a part cannot see on its own are the other parts: the page numbers a
``target-counter()`` reads from an anchor elsewhere (the KPI一覧's ページ
column). Each part lists those links (``foreign``) so that the renderer can
supply their page numbers.

A leading page section marked ``data-numbered="false"`` (a cover) is not
counted: the page after it is page 1. It is a part of its own, one page long.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, replace
from html import escape

from lxml import html as lxml_html


@dataclass(frozen=True)
class Part:
    html: str  # a complete HTML document
    ids: tuple[str, ...]  # anchors (id attributes) defined in this part
    foreign: tuple[str, ...]  # targets of its internal links (#id) defined in another part
    sections: int = 1  # page sections in it: at least that many pages
    # For each of ids, the page section it is in (0-based): a first guess of its page.
    id_sections: tuple[int, ...] = ()
    numbered: bool = True  # False for an uncounted cover (see the module's docstring)
    # The body's elements before the part's first one, in the whole document (element_keys).
    offset: int = 0


def split(html: str, size: int = 1) -> list[Part]:
    """The parts of *html*, in order; a document without page sections is one part.

    *size* > 1 joins page sections into parts of about that many sections, at
    most twice that. Where a part ends depends on the section that follows (a
    hash of its id, else of its content), not on the content of the others: an
    edit inside a section changes its part only, and inserting a section moves
    the boundaries up to the next one chosen by a hash; the other parts stay as
    they were (and cached).
    A section that links to other parts stays alone: it is laid out again
    whenever a page number it shows changes.
    """
    tree = lxml_html.document_fromstring(html)
    head = tree.find("head")
    body = tree.find("body")
    if body is None:
        return [_part(html, [])]
    sections: list[list[lxml_html.HtmlElement]] = []
    for child in body:
        if not sections or _starts_page(child):
            sections.append([])
        sections[-1].append(child)
    groups: list[list[lxml_html.HtmlElement]] = []
    counts: list[int] = []  # sections per group
    after_alone = False
    for section in sections:
        alone = bool(_part("", section).foreign) or not _numbered(section[0])
        full = bool(counts) and counts[-1] >= 2 * size  # a part ends after 2 × size sections
        if not groups or alone or after_alone or full or _boundary(section, size):
            groups.append([])
            counts.append(0)
        groups[-1].extend(section)
        counts[-1] += 1
        after_alone = alone
    if len(groups) <= 1:
        return [replace(_part(html, list(body)), sections=len(sections))]
    head_html = lxml_html.tostring(head, encoding="unicode") if head is not None else ""
    opening = f"<!DOCTYPE html>\n<html{_attributes(tree)}>\n{head_html}<body{_attributes(body)}>"
    parts = []
    offset = 0
    for number, group in enumerate(groups):
        lead = (body.text or "") if number == 0 else ""
        inner = "".join(lxml_html.tostring(el, encoding="unicode") for el in group)
        text = f"{opening}{escape(lead, quote=False)}{inner}</body>\n</html>\n"
        numbered = _numbered(group[0]) or not _starts_page(group[0])
        part = replace(
            _part(text, group), sections=counts[number], numbered=numbered, offset=offset
        )
        parts.append(part)
        offset += sum(isinstance(el.tag, str) for el in group)
    _only_leading(parts)
    return parts


def element_keys(top: list, offset: int = 0) -> dict[object, str]:
    """A name for each element under the body's elements *top* (lxml's or ElementTree's,
    held as keys: an lxml element keeps its identity while referenced) that the
    PDF's lay-out and the DOCX writer both compute from their own parse of the HTML:
    ``"<n>"`` for the body's n-th element, ``"<n>/<tag><k>"`` for the k-th *tag* in it
    (document order; a parser's implied ``tbody`` moves no ``tr`` or ``p``)."""
    keys: dict[object, str] = {}
    for n, element in enumerate(top, start=offset):
        keys[element] = str(n)
        counts: dict[str, int] = {}
        for node in element.iter():  # lxml's or ElementTree's: itself first
            tag = node.tag if isinstance(node.tag, str) else ""
            if tag and node is not element:
                counts[tag] = counts.get(tag, 0) + 1
                keys[node] = f"{n}/{tag}{counts[tag]}"
    return keys


def shifted(key: str, offset: int) -> str:
    """*key* of a part's own element (or a page start's keys, separated by spaces: see
    pdf.page_starts), in the whole document's numbering."""
    out = []
    for one in key.split(" ") if key else ():
        head, sep, rest = one.partition("/")
        out.append(f"{int(head) + offset}{sep}{rest}")
    return " ".join(out)


def _only_leading(parts: list[Part]) -> None:
    leading = 0
    while leading < len(parts) and not parts[leading].numbered:
        leading += 1
    if any(not p.numbered for p in parts[leading:]):
        raise ValueError('data-numbered="false" is for leading sections (a cover) only')


def unnumbered_ids(html: str) -> set[str]:
    """The ids of the leading uncounted page sections (a cover) of *html*."""
    body = lxml_html.document_fromstring(html).find("body")
    out: set[str] = set()
    for child in body if body is not None else []:
        if not _starts_page(child) or _numbered(child):
            break
        if not child.get("id"):
            raise ValueError('a section with data-numbered="false" needs an id')
        out.add(child.get("id"))
    return out


def _boundary(section: list[lxml_html.HtmlElement], size: int) -> bool:
    """Whether a part starts at *section*: one section in *size*, by a hash."""
    if size <= 1:
        return True
    first = section[0]
    name = first.get("id") if isinstance(first.tag, str) else None
    text = name or "".join(lxml_html.tostring(el, encoding="unicode") for el in section)
    return hashlib.sha256(text.encode()).digest()[0] % size == 0


def _starts_page(element: lxml_html.HtmlElement) -> bool:
    # Only element children can start a page; comments and the like stay with the part before.
    if not isinstance(element.tag, str) or element.tag != "section":
        return False
    return "page" in (element.get("class") or "").split()


def _numbered(element: lxml_html.HtmlElement) -> bool:
    return not (_starts_page(element) and element.get("data-numbered") == "false")


def _part(html: str, elements: list[lxml_html.HtmlElement]) -> Part:
    ids: list[str] = []
    id_sections: list[int] = []
    links: list[str] = []
    section = -1
    for element in elements:
        if not isinstance(element.tag, str):
            continue
        section += section < 0 or _starts_page(element)
        for node in element.iter():
            if not isinstance(node.tag, str):
                continue
            if node.get("id"):
                ids.append(node.get("id"))
                id_sections.append(section)
            href = node.get("href") if node.tag == "a" else None
            if href and href.startswith("#") and len(href) > 1:
                links.append(href[1:])
    own = set(ids)
    foreign = tuple(dict.fromkeys(t for t in links if t not in own))
    return Part(html, tuple(ids), foreign, max(section + 1, 1), tuple(id_sections))


def _attributes(element: lxml_html.HtmlElement) -> str:
    return "".join(f' {name}="{escape(value)}"' for name, value in element.attrib.items())
