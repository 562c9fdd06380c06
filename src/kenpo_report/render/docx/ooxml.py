"""WordprocessingML the python-docx API does not offer, built as elements.

Fields, bookmarks, runs, table properties (borders, margins), paragraph borders and
frames, section properties and east-asian fonts (a table's cells: :mod:`.grid`). A
property goes where the schema (ECMA-376 Part 1) puts it among the ones already
there (:func:`put`): Word and validators reject a property out of order.
"""

from __future__ import annotations

import copy
import functools
import re

from docx.oxml import OxmlElement
from docx.oxml.ns import nsmap, qn
from docx.oxml.parser import oxml_parser
from docx.shared import Pt
from docx.table import Table
from docx.text.paragraph import Paragraph

CELL_MARGIN = 60  # twips, left and right of every table cell
P, R, HYPERLINK = qn("w:p"), qn("w:r"), qn("w:hyperlink")
_BODY, _SECT_PR = qn("w:body"), qn("w:sectPr")

# What a Word section does not pass on to the next: its header, footer, first-page
# switch and a restart of its page numbers.
_OWN_TO_SECTION = {
    qn(f"w:{t}") for t in ("headerReference", "footerReference", "titlePg", "pgNumType")
}
# The children of each properties element in the schema's order (ECMA-376 Part 1:
# CT_TblPr 17.4.60, CT_TcPr 17.4.70, CT_RPr 17.3.2.28, CT_PPr 17.3.1.26, CT_SectPr
# 17.6.17, CT_Settings 17.15.1.78, its w: children; CT_PBdr 17.3.1.24 and CT_TblBorders
# 17.4.39, their edges), as the Open XML SDK's schema that openxml-audit checks lists them.
ORDER = {
    "pBdr": "top left bottom right between bar",
    "tblBorders": "top left start bottom right end insideH insideV",
    "tblPr": "tblStyle tblpPr tblOverlap bidiVisual tblStyleRowBandSize tblStyleColBandSize"
    " tblW jc tblCellSpacing tblInd tblBorders shd tblLayout tblCellMar tblLook tblCaption"
    " tblDescription tblPrChange",
    "tcPr": "cnfStyle tcW gridSpan hMerge vMerge tcBorders shd noWrap tcMar textDirection"
    " tcFitText vAlign hideMark headers cellIns cellDel cellMerge tcPrChange",
    "rPr": "rStyle rFonts b bCs i iCs caps smallCaps strike dstrike outline shadow emboss"
    " imprint noProof snapToGrid vanish webHidden color spacing w kern position sz szCs"
    " highlight u effect bdr shd fitText vertAlign rtl cs em lang eastAsianLayout specVanish"
    " oMath rPrChange",
    "pPr": "pStyle keepNext keepLines pageBreakBefore framePr widowControl numPr"
    " suppressLineNumbers pBdr shd tabs suppressAutoHyphens kinsoku wordWrap overflowPunct"
    " topLinePunct autoSpaceDE autoSpaceDN bidi adjustRightInd snapToGrid spacing ind"
    " contextualSpacing mirrorIndents suppressOverlap jc textDirection textAlignment"
    " textboxTightWrap outlineLvl divId cnfStyle rPr sectPr pPrChange",
    "sectPr": "headerReference footerReference footnotePr endnotePr type pgSz pgMar paperSrc"
    " pgBorders lnNumType pgNumType cols formProt vAlign noEndnote titlePg textDirection bidi"
    " rtlGutter docGrid printerSettings sectPrChange",
    "settings": "writeProtection view zoom removePersonalInformation removeDateAndTime"
    " doNotDisplayPageBoundaries displayBackgroundShape printPostScriptOverText"
    " printFractionalCharacterWidth printFormsData embedTrueTypeFonts embedSystemFonts"
    " saveSubsetFonts saveFormsData mirrorMargins alignBordersAndEdges"
    " bordersDoNotSurroundHeader bordersDoNotSurroundFooter gutterAtTop hideSpellingErrors"
    " hideGrammaticalErrors activeWritingStyle proofState formsDesign attachedTemplate"
    " linkStyles stylePaneFormatFilter stylePaneSortMethod documentType mailMerge"
    " revisionView trackRevisions doNotTrackMoves doNotTrackFormatting documentProtection"
    " autoFormatOverride styleLockTheme styleLockQFSet defaultTabStop autoHyphenation"
    " consecutiveHyphenLimit hyphenationZone doNotHyphenateCaps showEnvelope summaryLength"
    " clickAndTypeStyle defaultTableStyle evenAndOddHeaders bookFoldRevPrinting"
    " bookFoldPrinting bookFoldPrintingSheets drawingGridHorizontalSpacing"
    " drawingGridVerticalSpacing displayHorizontalDrawingGridEvery"
    " displayVerticalDrawingGridEvery doNotUseMarginsForDrawingGridOrigin"
    " drawingGridHorizontalOrigin drawingGridVerticalOrigin doNotShadeFormData"
    " noPunctuationKerning characterSpacingControl printTwoOnOne strictFirstAndLastChars"
    " noLineBreaksAfter noLineBreaksBefore savePreviewPicture doNotValidateAgainstSchema"
    " saveInvalidXml ignoreMixedContent alwaysShowPlaceholderText doNotDemarcateInvalidXml"
    " saveXmlDataOnly useXSLTWhenSaving saveThroughXslt showXMLTags"
    " alwaysMergeEmptyNamespace updateFields hdrShapeDefaults footnotePr endnotePr compat"
    " docVars rsids attachedSchema themeFontLang clrSchemeMapping"
    " doNotIncludeSubdocsInStats doNotAutoCompressPictures forceUpgrade captions"
    " readModeInkLockDown smartTagType shapeDefaults doNotEmbedSmartTags decimalSymbol"
    " listSeparator",
}
_RANK = {
    qn(f"w:{parent}"): {qn(f"w:{t}"): i for i, t in enumerate(children.split())}
    for parent, children in ORDER.items()
}


def put(parent: OxmlElement, child: OxmlElement) -> OxmlElement:
    """*child* in *parent* (a properties element of :data:`ORDER`) where the schema puts
    it, replacing one of the same name."""
    rank = _RANK[parent.tag]
    own = rank[child.tag]
    for existing in parent.findall(child.tag):
        parent.remove(existing)
    later = next((c for c in parent if rank.get(c.tag, -1) > own), None)
    if later is None:
        parent.append(child)
    else:
        later.addprevious(child)
    return child


_W = {"w": nsmap["w"]}
_VAL, _SPACE, _PSTYLE = qn("w:val"), qn("xml:space"), qn("w:pStyle")


def new(tag: str, attrs: dict[str, str] | None = None) -> OxmlElement:
    """``OxmlElement(tag, attrs)`` for a w: *tag*, without parsing the tag again on each of
    the thousands of calls (a run is three or four elements)."""
    return oxml_parser.makeelement(clark(tag), attrib=attrs, nsmap=_W)


# qn(), each name made once: every run and paragraph of a document asks for several.
clark = functools.cache(qn)


def paragraph_style(ppr: OxmlElement, style_id: str) -> None:
    """The paragraph properties' style: w:pStyle, first of them (python-docx's setter
    looks for each of the thirty-odd properties that may follow it)."""
    found = ppr.find(_PSTYLE)
    if found is None:
        ppr.insert(0, new("w:pStyle", {_VAL: style_id}))
    else:
        found.set(_VAL, style_id)


def append_block(parent: OxmlElement, block: OxmlElement) -> None:
    """*block* (a paragraph, a table) last in *parent*, a body before its final sectPr: as
    python-docx adds one, without its search of the whole body for that sectPr."""
    if parent.tag == _BODY and len(parent) and parent[-1].tag == _SECT_PR:
        parent[-1].addprevious(block)
    else:
        parent.append(block)


def bookmark_name(anchor: str) -> str:
    """Word bookmark names: letters, digits and _ only, at most 40 characters."""
    return ("_" + re.sub(r"[^A-Za-z0-9_]", "_", anchor))[:40].lstrip("_").rjust(1, "x")


def bookmark(paragraph: Paragraph, number: int, name: str) -> None:
    """Bookmark *name* (id *number*) around the whole of *paragraph*."""
    start = OxmlElement("w:bookmarkStart")
    start.set(qn("w:id"), str(number))
    start.set(qn("w:name"), name)
    end = OxmlElement("w:bookmarkEnd")
    end.set(qn("w:id"), str(number))
    ppr = paragraph._p.pPr
    index = 1 if ppr is not None else 0
    paragraph._p.insert(index, start)
    paragraph._p.append(end)


def field(
    paragraph: Paragraph, instruction: str, cached: str, prefix: str = "", dirty: bool = True
) -> None:
    """A simple field (w:fldSimple); *cached* is shown until it is updated. The
    instruction lives in an attribute, so the document's text stays exactly what a
    reader sees. *dirty*: Word updates it on open (its result may be stale, as a
    PAGEREF's); a PAGE field is updated on every layout anyway."""
    if prefix:
        paragraph.add_run(prefix)
    simple = OxmlElement("w:fldSimple")
    simple.set(qn("w:instr"), f" {instruction} ")
    if dirty:
        simple.set(qn("w:dirty"), "true")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = cached
    run.append(text)
    simple.append(run)
    paragraph._p.append(simple)


def describe(picture: object, text: str) -> None:
    """Alt text of an inline picture (python-docx InlineShape): wp:docPr's descr and title."""
    doc_pr = picture._inline.docPr
    doc_pr.set("descr", text)
    doc_pr.set("title", text)


def text_run(text: str, bold: bool, size: Pt | None, colour: str | None = None) -> OxmlElement:
    """The XML python-docx writes for a run of plain text, built directly: its
    property setters cost a third of the DOCX's time."""
    r = new("w:r")
    if bold or size is not None or colour:
        rpr = new("w:rPr")
        if bold:
            rpr.append(new("w:b"))
        if colour:
            rpr.append(new("w:color", {_VAL: colour}))
        if size is not None:
            rpr.append(new("w:sz", {_VAL: str(round(size.pt * 2))}))
        r.append(rpr)
    t = new("w:t")
    t.text = text
    if len(text.strip()) < len(text):
        t.set(_SPACE, "preserve")
    r.append(t)
    return r


def east_asian(rpr: OxmlElement, font: str) -> None:
    """*font* for every script of the run properties, and Japanese as their east-asian language."""
    fonts = put(rpr, OxmlElement("w:rFonts"))  # no theme font left to win over *font*
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), font)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = put(rpr, OxmlElement("w:lang"))
    lang.set(qn("w:eastAsia"), "ja-JP")


# --- tables -------------------------------------------------------------------


def borders(table: Table, style: str, edges: dict[str, dict[str, str]] | None = None) -> None:
    """The lines around the table and between its cells: *edges* (each edge's w:
    attributes, in the schema's order) if given, else the same *style* of line everywhere."""
    line = {"val": style, "sz": "4", "space": "0", "color": "555555"}
    names = ("top", "left", "bottom", "right", "insideH", "insideV")
    edges = edges or {edge: line for edge in names}
    put(table._tbl.tblPr, _edges("w:tblBorders", edges))


def cell_margins(table: Table) -> None:
    # CT_TblCellMar's order: top, left, bottom, right.
    twips = {"top": 20, "left": CELL_MARGIN, "bottom": 20, "right": CELL_MARGIN}
    margins = {edge: {"w": str(t), "type": "dxa"} for edge, t in twips.items()}
    put(table._tbl.tblPr, _edges("w:tblCellMar", margins))


# --- paragraphs -----------------------------------------------------------------


def paragraph_borders(p: OxmlElement, edges: dict[str, dict[str, str]]) -> None:
    """Lines around the paragraph (*edges*: w:top… with their w: attributes), added to any
    it has: a paragraph of a bordered ``div`` may have a border of its own."""
    ppr = p.get_or_add_pPr()
    found = ppr.find(qn("w:pBdr"))
    own = {
        _local(c.tag): {_local(name): value for name, value in c.attrib.items()}
        for c in (found if found is not None else ())
    }
    rank = _RANK[qn("w:pBdr")]
    merged = sorted({**edges, **own}.items(), key=lambda edge: rank[qn(f"w:{edge[0]}")])
    put(ppr, _edges("w:pBdr", dict(merged)))


def _local(name: str) -> str:
    return name.rpartition("}")[2]


def frame(p: OxmlElement, x_align: str, wrap: str) -> None:
    """The paragraph in a frame as wide as its text (no w:w: Word and LibreOffice size it to
    its content), aligned *x_align* in the margins, at its place in the text; *wrap*:
    ``around`` (text beside it) or ``notBeside``."""
    attributes = {"wrap": wrap, "vAnchor": "text", "hAnchor": "margin", "xAlign": x_align}
    put(p.get_or_add_pPr(), _element("w:framePr", **attributes))


def framed(p: OxmlElement) -> bool:
    return p.tag == P and p.find(f"{qn('w:pPr')}/{qn('w:framePr')}") is not None


def label_runs(
    paragraph: Paragraph, color: str | None, bold: bool = False, fill: str | None = None
) -> None:
    """The paragraph's text in *color*, bold if *bold*, on a *fill* ground (a label's
    coloured or boxed look, as its CSS gives)."""
    for run in paragraph.runs:
        rpr = run._r.get_or_add_rPr()
        if bold:
            put(rpr, OxmlElement("w:b"))
        if color:
            put(rpr, _element("w:color", val=color))
        if fill:
            put(rpr, _element("w:shd", val="clear", color="auto", fill=fill))


def _edges(tag: str, edges: dict[str, dict[str, str]]) -> OxmlElement:
    """A borders or margins element: a child per edge (w:top…), with its w: attributes."""
    out = new(tag)
    for edge, attributes in edges.items():
        out.append(_element(f"w:{edge}", **attributes))
    return out


def _element(tag: str, **attributes: str) -> OxmlElement:
    """An element with w: attributes, set in the order given."""
    out = new(tag)
    for name, value in attributes.items():
        out.set(clark(f"w:{name}"), value)
    return out


# --- sections -------------------------------------------------------------------


def end_word_section(body: object) -> None:
    """Close the section written so far: its properties move into its last paragraph."""
    final = body[-1]  # the body's sectPr: the properties of the section being closed
    last = body[-2]
    if last.tag != P:
        last = OxmlElement("w:p")
        body.insert(len(body) - 1, last)
    put(last.get_or_add_pPr(), copy.deepcopy(final))
    # The new section starts from the same page setup; its headers and footers are linked
    # to the ones before it until it is given its own.
    for child in list(final):
        if child.tag in _OWN_TO_SECTION:
            final.remove(child)


def restart_numbering(sect_pr: OxmlElement, start: int) -> None:
    """Number the section's pages from *start*."""
    numbering = sect_pr.find(qn("w:pgNumType"))
    if numbering is None:
        numbering = put(sect_pr, OxmlElement("w:pgNumType"))
    numbering.set(qn("w:start"), str(start))
