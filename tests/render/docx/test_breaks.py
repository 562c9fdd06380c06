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


def test_a_page_that_begins_inside_a_row_splits_the_row(tmp_path):
    doc = _doc(tmp_path, ["", "0/p3"])  # 左, the layout table's only cell's first block
    between = doc.tables[2]._tbl.getprevious()
    assert between.find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None
    assert [c.text for c in doc.tables[1].rows[0].cells] == [""], "nothing of it before"
    assert [c.text for c in doc.tables[2].rows[0].cells] == ["左"]
    assert all(f.get(qn("w:dirty")) is None for f in _refs(doc)), "the results stand"
    assert doc.settings.element.find(qn("w:updateFields")) is None


SPANNED = (
    '<html><body><section class="page" id="a"><table>'
    "<thead><tr><th>分野</th><th>左</th><th>右</th></tr></thead><tbody>"
    '<tr><td rowspan="3">分野一</td><td><p>前</p></td><td><p>右</p></td></tr>'
    "<tr><td><p>左1</p><div><p>左2</p><p>左3</p></div></td><td><p>右1</p><p>右2</p></td></tr>"
    "<tr><td><p>後</p></td><td><p>後右</p></td></tr>"
    "</tbody></table></section></body></html>"
)


def test_each_cell_of_a_split_row_goes_on_from_its_own_block(tmp_path):
    # The page begins inside the second body row: 左 at 左3 (in a div), 右 at 右2. The
    # spanning 分野 cell continues, empty; the header is repeated.
    starts = ["", "0/p5 0/p7"]
    data = render(SPANNED, Assets(tmp_path, tmp_path), page_starts=starts)
    doc = docx.Document(io.BytesIO(data))
    first, second = doc.tables[:2]

    def rows(table):
        return [[c.text for c in row.cells] for row in table.rows]

    assert rows(first) == [
        ["分野", "左", "右"],
        ["分野一", "前", "右"],
        ["分野一", "左1\n左2", "右1"],
    ]
    assert rows(second) == [["分野", "左", "右"], ["", "左3", "右2"], ["", "後", "後右"]]
    assert second._tbl.getprevious().find(f"{qn('w:pPr')}/{qn('w:pageBreakBefore')}") is not None


def test_a_break_inside_a_box_makes_the_fields_update_on_opening(tmp_path):
    html = HTML.replace('<table class="columns">', '<div class="box"><table class="columns">')
    html = html.replace("</td></tr></table>", "</td></tr></table></div>")
    data = render(html, Assets(tmp_path, tmp_path), page_numbers={"a": 1}, page_starts=["", "0/p3"])
    doc = docx.Document(io.BytesIO(data))
    assert not any(p.paragraph_format.page_break_before for p in doc.paragraphs)
    refs = _refs(doc)
    assert refs and all(f.get(qn("w:dirty")) == "true" for f in refs)
    settings = doc.settings.element
    update = settings.find(qn("w:updateFields"))
    assert update is not None and update.get(qn("w:val")) == "true"
    later = [c.tag for c in update.itersiblings()]
    assert qn("w:compat") in later, "before compat, as the schema orders settings"
