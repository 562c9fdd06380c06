"""DOCX reopened: tables, merged cells, repeated headers, fonts, fields, landscape."""

from __future__ import annotations

import zipfile

import docx
import pytest
from docx.oxml.ns import qn

from conftest import pdf_text


@pytest.fixture(scope="module")
def document(built):
    project, _ = built
    path = project.output_dir("iwate", 2024) / "results.docx"
    return path, docx.Document(str(path))


def test_reopens_and_zip_is_sound(document):
    path, _ = document
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
        stamps = {info.date_time for info in archive.infolist()}
    assert len(stamps) == 1, "fixed zip timestamps"


def test_landscape(document):
    _, doc = document
    section = doc.sections[0]
    assert section.page_width > section.page_height


def test_kpi_table(document):
    _, doc = document
    table = doc.tables[0]
    header = [c.text for c in table.rows[0].cells]
    assert "内 容" in header
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    texts = ["".join(c.text for c in row.cells) for row in table.rows]
    assert any("生活習慣病予防健診受診率を64.4％以上とする" in t and "61.6％" in t for t in texts)
    merged = table._tbl.xpath(".//w:vMerge")
    assert merged, "rowspans become vertical merges"


def test_east_asian_font(document):
    _, doc = document
    fonts = doc.styles["Normal"].element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:eastAsia")) == "BIZ UDPGothic"
    assert fonts.get(qn("w:ascii")) == "BIZ UDPGothic"


def test_fields(document):
    _, doc = document
    footer = doc.sections[0].footer._element.xml
    assert "PAGE" in footer
    body = doc.element.xml
    assert "PAGEREF page_checkup" in body
    assert 'w:name="page_checkup"' in body


def test_core_properties_are_explicit(document):
    path, doc = document
    props = doc.core_properties
    assert props.author.startswith("全国健康保険協会")
    assert props.created.year == 2025
    with zipfile.ZipFile(path) as archive:
        blob = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("docProps/"))
    assert b"python-docx" not in blob
    assert b"2013" not in blob


def test_pageref_fields_after_libreoffice_conversion(document, tmp_path):
    """LibreOffice updates the PAGEREF fields: each points at the page its measure starts on."""
    import re
    import shutil
    import subprocess

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed (scripts/setup --test installs it)")
    path, _ = document
    subprocess.run(
        [
            office,
            "--headless",
            f"-env:UserInstallation=file://{tmp_path}/lo",
            "--convert-to",
            "pdf",
            "--outdir",
            str(tmp_path),
            str(path),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    pdf = tmp_path / "results.pdf"
    assert pdf.is_file(), "LibreOffice can exit 0 without output"

    def page(n: int) -> str:
        return pdf_text(pdf, n)

    checked = 0
    for line in page(1).splitlines():
        refs = re.findall(r"P(\d+)", line)
        number = next((n for n in "①②⑤⑥⑦⑧⑨⑫⑭" if n in line), None)
        if refs and number:
            n = int(refs[-1])
            assert f"【項番{number}】" in page(n), f"{number}: P{n}"
            assert f"【項番{number}】" not in page(n - 1), f"{number} starts before P{n}"
            checked += 1
    assert checked >= 6
