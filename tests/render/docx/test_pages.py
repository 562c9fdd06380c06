"""The DOCX paginated as the PDF: through LibreOffice, every document of plans/."""

from __future__ import annotations

import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from conftest import TARGETS, pdf_text

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# PDF pages whose content LibreOffice lays out taller than the PDF: the DOCX gains a page.
SPILLS: dict[tuple[str, int], str] = {}


@pytest.fixture(scope="module")
def converted(built_everything, tmp_path_factory) -> dict[tuple[str, int], tuple[Path, Path]]:
    """Each document's DOCX converted by LibreOffice: (DOCX, LibreOffice's PDF of it)."""
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (scripts/setup --test installs it)")
    folder = tmp_path_factory.mktemp("pages")
    copies, found = [], {}
    for branch, year in TARGETS:
        for docx in sorted(built_everything.output_dir(branch, year).glob("*.docx")):
            copy = folder / f"{branch}-{year}-{docx.name}"
            shutil.copyfile(docx, copy)
            copies.append(str(copy))
            found[(branch, year)] = (docx, copy.with_suffix(".pdf"))
    profile = f"-env:UserInstallation=file://{folder}/lo"
    # One run per document: in one run LibreOffice keeps the fonts the first document
    # embeds (a subset) for the later ones, which then lose the glyphs it lacks.
    for copy in copies:
        subprocess.run(
            [office, "--headless", profile, "--convert-to", "pdf", "--outdir", str(folder), copy],
            check=True,
            capture_output=True,
            timeout=600,
        )
    return found


def _raw_pages(pdf: Path) -> list[str]:
    pages = pdf_text(pdf, layout=False).split("\f")
    return pages[:-1] if not pages[-1].strip() else pages


def _pages(pdf: Path) -> list[str]:
    return [re.sub(r"\s+", "", page) for page in _raw_pages(pdf)]


def _page_refs(pdf: Path) -> list[str]:
    """The KPI一覧's ページ column (its first three pages): each P and the number after it,
    up to the space that ends it (the next cell's figures may follow in the text)."""
    return sorted(re.findall(r"P\s*(\d+)", "".join(_raw_pages(pdf)[:3])))


def _headings(docx: Path) -> dict[str, str]:
    """Each bookmark (a section, a measure) of the DOCX: the text of the heading at or after it."""
    with zipfile.ZipFile(docx) as archive:
        body = etree.fromstring(archive.read("word/document.xml"))
    out, pending = {}, []
    for node in body.iter(f"{W}bookmarkStart", f"{W}p"):
        if node.tag == f"{W}bookmarkStart":
            pending.append(node.get(f"{W}name"))
            continue
        style = node.find(f"{W}pPr/{W}pStyle")
        text = "".join(t.text or "" for t in node.iter(f"{W}t"))
        if pending and style is not None and style.get(f"{W}val").startswith("Heading") and text:
            out.update(dict.fromkeys(pending, re.sub(r"\s+", "", text)[:18]))
            pending = []
    return out


def _heading_pages(headings: dict[str, str], pages: list[str]) -> dict[str, int | None]:
    """The page each heading first appears on, each after (or on) the one before's."""
    out, at = {}, 0
    for name, text in headings.items():
        found = next((k for k in range(at, len(pages)) if text in pages[k]), None)
        at = found if found is not None else at
        out[name] = None if found is None else found + 1
    return out


def _updates_fields(docx: Path) -> bool:
    with zipfile.ZipFile(docx) as archive:
        settings = etree.fromstring(archive.read("word/settings.xml"))
        body = etree.fromstring(archive.read("word/document.xml"))
    refs = [f for f in body.iter(f"{W}fldSimple") if "PAGEREF" in f.get(f"{W}instr")]
    dirty = {f.get(f"{W}dirty") for f in refs}
    updates = settings.find(f"{W}updateFields") is not None
    assert dirty <= ({"true"} if updates else {None}), "dirty fields if and only if they update"
    return updates


@pytest.mark.parametrize(
    "target",
    [
        pytest.param(t, marks=pytest.mark.xfail(reason=SPILLS[t], strict=True))
        if t in SPILLS
        else t
        for t in TARGETS
    ],
    ids=[f"{b}-{y}" for b, y in TARGETS],
)
def test_docx_pages_are_the_pdfs(converted, target):
    if target not in converted:
        pytest.skip("no DOCX")
    docx, office_pdf = converted[target]
    pdf = docx.with_suffix(".pdf")
    ours, theirs = _pages(pdf), _pages(office_pdf)
    assert not _updates_fields(docx), "every PDF page's start has its place in the DOCX"
    assert len(theirs) == len(ours)
    headings = _headings(docx)
    assert headings
    assert _heading_pages(headings, theirs) == _heading_pages(headings, ours)
    # The KPI一覧's ページ column: the numbers LibreOffice computes are the PDF's.
    assert _page_refs(office_pdf) == _page_refs(pdf)
