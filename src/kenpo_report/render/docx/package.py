"""The DOCX file: core properties from the HTML's head, honest extended properties,
no template leftovers, and a zip with fixed bytes."""

from __future__ import annotations

import io
import zipfile
from datetime import UTC, datetime
from importlib import metadata as distribution

import docx
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from lxml import html as lxml_html

# The extended properties (docProps/app.xml): the application that wrote the file and
# nothing it did not count (the template's said "Microsoft Macintosh Word", Pages 1).
# No page count: the DOCX's pages are laid out by the program that opens it.
_APP_XML = (
    "<?xml version='1.0' encoding='UTF-8' standalone='yes'?>\n"
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>{application}</Application><DocSecurity>0</DocSecurity></Properties>"
)


def metadata(tree: lxml_html.HtmlElement) -> dict[str, str]:
    """Title, author and creation date, as the HTML's head gives them."""
    meta = {"title": (tree.findtext(".//title") or "").strip()}
    for el in tree.iter("meta"):
        name, content = el.get("name"), el.get("content") or ""
        if name == "author":
            meta["author"] = content
        elif name == "dcterms.created":
            meta["created"] = content
    return meta


def save(doc: docx.document.Document, meta: dict[str, str]) -> bytes:
    """The document's bytes; every property set, none from the clock or the template."""
    props = doc.core_properties
    created = datetime.fromisoformat(meta.get("created") or "2000-01-01").replace(tzinfo=UTC)
    props.title = meta.get("title", "")
    props.author = meta.get("author", "")
    props.last_modified_by = meta.get("author", "")
    props.created = created
    props.modified = created
    props.last_printed = created
    props.revision = 1
    props.comments = ""
    props.keywords = ""
    props.subject = ""
    props.category = ""
    props.identifier = ""
    props.language = "ja-JP"
    props.version = ""
    props.content_status = ""
    _extended_properties(doc)
    buffer = io.BytesIO()
    doc.save(buffer)
    return _normalise_zip(buffer.getvalue(), created)


def _extended_properties(doc: docx.document.Document) -> None:
    """app.xml written by kenpo-report, and the template's leftovers gone: its blank
    thumbnail and its empty bibliography (customXml). A part goes with its
    relationship, its content type with the part."""
    for rel in [r for r in doc.part.rels.values() if r.reltype == RT.CUSTOM_XML]:
        del doc.part.rels[rel.rId]
    rels = doc.part.package.rels
    for rel in list(rels.values()):
        if rel.reltype == RT.THUMBNAIL:
            del rels[rel.rId]
        elif rel.reltype == RT.EXTENDED_PROPERTIES:
            application = f"kenpo-report {distribution.version('kenpo-report')}"
            rel.target_part._blob = _APP_XML.format(application=application).encode()


def _normalise_zip(data: bytes, when: datetime) -> bytes:
    """Fixed entry times and order, so the same input gives the same bytes."""
    stamp = (max(when.year, 1980), when.month, when.day, 0, 0, 0)
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        names = source.namelist()
        # [Content_Types].xml first, as Office writes it.
        for name in sorted(names, key=lambda n: (n != "[Content_Types].xml", n)):
            info = zipfile.ZipInfo(name, date_time=stamp)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            target.writestr(info, source.read(name))
    return out.getvalue()
