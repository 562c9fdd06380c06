"""Page breaks where the PDF's pages begin, and PAGEREF fields that stand or update."""

from __future__ import annotations

import io

import docx
from docx.oxml.ns import qn

from kenpo_report.render.docx import render
from kenpo_report.render.results import Assets

ROWS = "".join(f"<tr><td>行{i}</td></tr>" for i in range(1, 5))
HTML = (
    '<html><body><section class="page" id="a"><h2>見出し</h2><p>一</p><p>二</p>'
    f"<table><thead><tr><th>項目</th></tr></thead><tbody>{ROWS}</tbody></table>"
    '<table class="columns"><tr><td><p>左</p></td></tr></table>'
    '<p><a class="pageref" href="#a">P</a></p></section></body></html>'
)


def _doc(tmp_path, starts: list[str]) -> docx.document.Document:
    data = render(HTML, Assets(tmp_path, tmp_path), page_numbers={"a": 1}, page_starts=starts)
    return docx.Document(io.BytesIO(data))


def _refs(doc) -> list:
    return [
        f for f in doc.element.body.iter(qn("w:fldSimple")) if "PAGEREF" in f.get(qn("w:instr"))
    ]


def test_a_paragraph_that_begins_a_pdf_page_begins_a_page(tmp_path):
    doc = _doc(tmp_path, ["", "0/p2"])  # the section's second p (the first is 一)
    breaks = [p.text for p in doc.paragraphs if p.paragraph_format.page_break_before]
    assert breaks == ["二"]
    assert all(f.get(qn("w:dirty")) is None for f in _refs(doc)), "the results stand"
    assert doc.settings.element.find(qn("w:updateFields")) is None


def test_a_row_that_begins_a_pdf_page_begins_a_table_with_the_header_again(tmp_path):
    doc = _doc(tmp_path, ["", "0/tr4"])  # thead's tr, then 行1, 行2: 行3 begins the page
    first, second = doc.tables[:2]
    assert [r.cells[0].text for r in first.rows] == ["項目", "行1", "行2"]
    assert [r.cells[0].text for r in second.rows] == ["項目", "行3", "行4"]
    between = second._tbl.getprevious()
    assert between.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None


def test_a_break_inside_a_cell_makes_the_fields_update_on_opening(tmp_path):
    doc = _doc(tmp_path, ["", "0/p3"])  # 左, inside the layout table's cell
    assert not any(p.paragraph_format.page_break_before for p in doc.paragraphs)
    refs = _refs(doc)
    assert refs and all(f.get(qn("w:dirty")) == "true" for f in refs)
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"
    later = [c.tag for c in update.itersiblings()]
    assert qn("w:compat") in later, "before compat, as the schema orders settings"
