"""Join the PDFs of a document's parts into one, as WeasyPrint would have written it.

The pages are concatenated; the first part gives the document information
(title, author, dates) and the catalogue (language). Three things span parts
and are rebuilt here:

- the named destinations (every ``id``), so that links resolve across parts;
- the links to other parts, which a part cannot resolve on its own;
- the outline (bookmarks from headings), nested over the whole document by
  WeasyPrint's own rule (:func:`weasyprint.anchors.make_page_bookmark_tree`),
  re-implemented here so that merging does not import WeasyPrint.

The text, fonts and drawing of each page are the part's own, byte for byte.
Each part embeds its own subsets of the fonts.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from contextlib import ExitStack

import pikepdf
from pikepdf import Array, Dictionary, Name, OutlineItem, String

from kenpo_report.render.results import PartResult


def merge(parts: Sequence[PartResult]) -> bytes:
    if len(parts) == 1 and not parts[0].links:
        return parts[0].data
    with ExitStack() as stack:
        # Copied pages read their streams from the source files until the merge is saved.
        sources = [stack.enter_context(pikepdf.open(io.BytesIO(p.data))) for p in parts]
        pdf = sources[0]
        offsets = []
        for source in sources:
            offsets.append(len(pdf.pages) if source is not pdf else 0)
            if source is not pdf:
                pdf.pages.extend(source.pages)
        names = []
        for source, offset in zip(sources, offsets, strict=True):
            names += _destinations(pdf, source, offset)
        _set_destinations(pdf, names)
        named = {name for name, _ in names}
        for part, offset in zip(parts, offsets, strict=True):
            _add_links(pdf, part, offset, named)
        _set_outline(pdf, parts, offsets)
        out = io.BytesIO()
        pdf.save(out, deterministic_id=True)
        return out.getvalue()


def _destinations(pdf: pikepdf.Pdf, source: pikepdf.Pdf, offset: int) -> list[tuple[str, Array]]:
    """The part's named destinations, pointing at the merged document's pages."""
    dests = source.Root.get("/Names", Dictionary()).get("/Dests", Dictionary())
    flat = list(dests.get("/Names", Array()))
    index = {page.objgen: number for number, page in enumerate(source.pages)}
    found = []
    for name, target in zip(flat[::2], flat[1::2], strict=True):
        page = pdf.pages[offset + index[target[0].objgen]].obj
        found.append((str(name), Array([page, *list(target)[1:]])))
    return found


def _set_destinations(pdf: pikepdf.Pdf, names: list[tuple[str, Array]]) -> None:
    if not names:
        return
    first: dict[str, Array] = {}
    for name, target in names:
        first.setdefault(name, target)  # as WeasyPrint: the first anchor of a name wins
    flat = Array()
    for name in sorted(first):
        flat.append(String(name))
        flat.append(first[name])
    if "/Names" not in pdf.Root:
        pdf.Root.Names = Dictionary()
    pdf.Root.Names.Dests = pdf.make_indirect(Dictionary(Names=flat))


def _add_links(pdf: pikepdf.Pdf, part: PartResult, offset: int, named: set[str]) -> None:
    for number, rect, anchor in part.links:
        if anchor not in named:
            continue  # a link to no anchor at all: WeasyPrint leaves it out too
        page = pdf.pages[offset + number].obj
        annotation = pdf.make_indirect(
            Dictionary(
                Type=Name.Annot,
                Subtype=Name.Link,
                Rect=Array(list(rect)),
                BS=Dictionary(W=0),
                Dest=String(anchor),
            )
        )
        if "/Annots" not in page:
            page.Annots = Array()
        page.Annots.append(annotation)


def _set_outline(pdf: pikepdf.Pdf, parts: Sequence[PartResult], offsets: list[int]) -> None:
    if "/Outlines" in pdf.Root:
        del pdf.Root.Outlines  # the first part's own; rebuilt over all parts
    roots: list[OutlineItem] = []
    last_by_depth: list[list[OutlineItem]] = [roots]
    skipped: list[int] = []
    previous = 0
    for part, offset in zip(parts, offsets, strict=True):
        for number, marks in enumerate(part.bookmarks):
            for level, label, x, y, state in marks:
                # WeasyPrint's nesting: a level deeper than the previous one by more
                # than one is shown one deeper; later shallower levels undo the skips.
                if level > previous:
                    skipped.append(level - previous - 1)
                else:
                    temp = level
                    while temp < previous:
                        temp += 1 + skipped.pop()
                    if temp > previous:
                        skipped.append(temp - previous - 1)
                previous = level
                depth = level - sum(skipped)
                item = OutlineItem(label, offset + number, "XYZ", left=x, top=y, zoom=0)
                item.is_closed = state == "closed"
                last_by_depth[depth - 1].append(item)
                del last_by_depth[depth:]
                last_by_depth.append(item.children)
    if roots:
        with pdf.open_outline() as outline:
            outline.root.extend(roots)
