"""The DOCX package: honest extended properties, no thumbnail, no template leftovers."""

from __future__ import annotations

import zipfile
from importlib import metadata

from lxml import etree

from conftest import TARGETS

EP = "{http://schemas.openxmlformats.org/officeDocument/2006/extended-properties}"


def _docx_files(project):
    files = [f for b, y in TARGETS for f in sorted(project.output_dir(b, y).glob("*.docx"))]
    assert len(files) >= len(TARGETS)
    return files


def test_app_xml_names_kenpo_report_and_counts_nothing_it_did_not_count(built_everything):
    version = metadata.version("kenpo-report")
    for path in _docx_files(built_everything):
        with zipfile.ZipFile(path) as archive:
            app = etree.fromstring(archive.read("docProps/app.xml"))
        assert app.findtext(f"{EP}Application") == f"kenpo-report {version}"
        for absent in ("Pages", "Words", "Characters", "Lines", "Paragraphs", "AppVersion"):
            assert app.find(f"{EP}{absent}") is None, f"{path.name}: {absent}"
        assert b"Microsoft" not in etree.tostring(app)


def test_no_thumbnail_and_no_template_leftovers(built_everything):
    for path in _docx_files(built_everything):
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()
            listed = b"".join(
                archive.read(n) for n in names if n.endswith(".rels") or n == "[Content_Types].xml"
            )
        for leftover in ("thumbnail", "stylesWithEffects", "customXml"):
            assert not [n for n in names if leftover in n], (path.name, leftover)
            assert leftover.encode() not in listed, (path.name, leftover)


def test_core_properties_as_before(built_everything):
    for path in _docx_files(built_everything):
        with zipfile.ZipFile(path) as archive:
            core = archive.read("docProps/core.xml").decode()
        assert "<dc:title>" in core and "全国健康保険協会" in core
        assert "<dc:language>ja-JP</dc:language>" in core
