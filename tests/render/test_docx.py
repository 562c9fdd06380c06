"""DOCX reopened: tables, merged cells, repeated headers, fonts, fields, landscape."""

from __future__ import annotations

import zipfile

import docx
import pytest
from docx.oxml.ns import qn


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
    assert "PAGEREF measure_checkup" in body
    assert 'w:name="measure_checkup"' in body


def test_core_properties_are_explicit(document):
    path, doc = document
    props = doc.core_properties
    assert props.author.startswith("全国健康保険協会")
    assert props.created.year == 2025
    with zipfile.ZipFile(path) as archive:
        blob = b"".join(archive.read(n) for n in archive.namelist() if n.startswith("docProps/"))
    assert b"python-docx" not in blob
    assert b"2013" not in blob


def _render_html(html: str, tmp_path) -> docx.document.Document:
    import io

    from kenpo_report.render import docx as docx_render
    from kenpo_report.render.pdf import Assets

    data = docx_render.render(html, Assets(tmp_path, tmp_path))
    return docx.Document(io.BytesIO(data))


def test_running_head_only_on_a_sheets_later_pages(tmp_path):
    html = (
        '<html><body><section id="a" data-orientation="portrait"><p>一覧</p></section>'
        '<section id="b" data-running-head="業務グループ（続き）"><h2>業務グループ</h2><p>本文</p></section>'
        '<section id="c" data-running-head="保健グループ（続き）"><h2>保健グループ</h2></section>'
        "</body></html>"
    )
    doc = _render_html(html, tmp_path)
    assert len(doc.sections) == 3, "one Word section per sheet"
    first, *sheets = doc.sections
    assert first.page_width < first.page_height, "the first section's orientation"
    assert not first.different_first_page_header_footer and not first.header.paragraphs[0].text
    for section, title in zip(sheets, ("業務グループ", "保健グループ"), strict=True):
        assert section.page_width < section.page_height
        assert section.different_first_page_header_footer
        assert section.header.paragraphs[0].text == f"{title}（続き）"
        assert section.first_page_header.paragraphs[0].text == ""
        for footer in (section.footer, section.first_page_footer):
            fields = footer._element.xpath(".//w:fldSimple/@w:instr")
            assert [f.strip() for f in fields] == ["PAGE"], "page numbers on every page"


def test_no_running_head_keeps_one_section(built_everything):
    # 三重's pages have no running head (岩手's long measures and 大分's have one).
    path = built_everything.output_dir("mie", 2024) / "results.docx"
    assert len(docx.Document(str(path)).sections) == 1


@pytest.mark.parametrize("running_heads", [False, True])
def test_an_uncounted_cover_restarts_the_numbers_and_shows_none(tmp_path, running_heads):
    head = ' data-running-head="一覧（続き）"' if running_heads else ""
    html = (
        '<html><body><section class="page" id="cover" data-numbered="false"><p>表紙</p></section>'
        f'<section class="page" id="a"{head}><p>一覧</p></section>'
        f'<section class="page" id="b"{head}><p>計画</p></section></body></html>'
    )
    doc = _render_html(html, tmp_path)
    cover = doc.sections[0]
    assert len(doc.sections) == (3 if running_heads else 1)
    starts = [s._sectPr.find(qn("w:pgNumType")) for s in doc.sections]
    assert starts[0] is not None and starts[0].get(qn("w:start")) == "0", "the next page is 1"
    assert all(s is None for s in starts[1:]), "later sections continue the numbering"
    assert cover.different_first_page_header_footer
    assert not cover.first_page_footer._element.xpath(".//w:fldSimple"), "no number on it"
    order = [c.tag for c in cover._sectPr]
    assert order.index(qn("w:pgNumType")) < order.index(qn("w:titlePg")), "schema order"
