"""The writer's pictures: every one described (alt text) as the HTML describes it; the
sizes and columns the stylesheets give (font sizes, an insert's columns) as the PDF has them."""

from __future__ import annotations

import base64
import io
import zipfile
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from lxml import etree
from lxml import html as lxml_html

from conftest import TARGETS
from kenpo_report.render import docx as docx_render
from kenpo_report.render.docx import css, tables
from kenpo_report.render.docx.writer import Writer
from kenpo_report.render.results import Assets

WP = "{http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing}"
# A 1×1 PNG.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg=="
)


def test_every_picture_of_every_document_has_alt_text(built_everything):
    pictures = 0
    for branch, year in TARGETS:
        for path in built_everything.output_dir(branch, year).glob("*.docx"):
            with zipfile.ZipFile(path) as archive:
                parts = [
                    n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")
                ]
                for name in parts:
                    for doc_pr in etree.fromstring(archive.read(name)).iter(f"{WP}docPr"):
                        assert (doc_pr.get("descr") or "").strip(), f"{path.name} {name}"
                        assert doc_pr.get("title") == doc_pr.get("descr")
                        pictures += 1
    assert pictures >= 3, "三重's charts"


def _descriptions(html: str, tmp_path) -> list[str]:
    assets = Assets(tmp_path, tmp_path, images={"a.png": PNG})
    doc = docx.Document(io.BytesIO(docx_render.render(html, assets)))
    return [d.get("descr") for d in doc.element.body.iter(f"{WP}docPr")]


def test_alt_text_is_the_alt_else_the_caption_else_the_charts_title(tmp_path):
    html = (
        "<html><body><section>"
        '<div class="image"><img src="a.png" alt="地図"><p class="caption">図1 地図</p></div>'
        '<div class="image"><img src="a.png" alt=""><p class="caption">図2  推移</p></div>'
        '<div class="image chart"><img src="a.png" alt=""><table class="chart-data"><thead>'
        '<tr><th colspan="2">受診率</th></tr></thead><tbody><tr><th>R6</th><td>1</td></tr>'
        "</tbody></table></div>"
        '<div class="image"><img src="a.png"></div>'
        "</section></body></html>"
    )
    assert _descriptions(html, tmp_path) == ["地図", "図2 推移", "受診率", "図"]


W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SHEET = """
table.sheet-table { font-size: 8pt; line-height: 1.3; }
table.sheet-table td { padding: 2mm; }
td.grade { font-size: 12pt; }
.insert { font-size: 8pt; }
.insert.xlong { column-count: 3; }
.box .insert { column-count: 9; }
"""


def _written(body: str, tmp_path) -> etree._Element:
    (tmp_path / "style.css").write_text(SHEET, encoding="utf-8")
    html = f'<html><head><link rel="stylesheet" href="style.css"></head><body>{body}</body></html>'
    tree = lxml_html.document_fromstring(html)
    writer = Writer({}, {}, rules=css.rules(tree, tmp_path))
    writer.write(tree)
    return writer.doc.element.body


def _sizes(element: etree._Element) -> dict[str, str | None]:
    """Each run's text and its size (half-points; None: the style's)."""
    out = {}
    for r in element.iter(f"{W}r"):
        size = r.find(f"{W}rPr/{W}sz")
        out["".join(t.text for t in r.iter(f"{W}t"))] = (
            None if size is None else size.get(f"{W}val")
        )
    return out


def test_rules_pick_the_element_by_tag_and_classes_most_specific_first(tmp_path):
    (tmp_path / "style.css").write_text(SHEET, encoding="utf-8")
    tree = lxml_html.document_fromstring(
        '<html><head><link rel="stylesheet" href="style.css"></head><body>'
        '<div class="insert xlong"></div><div class="insert"></div><table class="sheet-table">'
        "</table><table></table></body></html>"
    )
    rules = css.rules(tree, tmp_path)
    xlong, insert, sheet, plain = tree.iter("div", "table")
    assert rules.value(xlong, "column-count") == "3"  # .box .insert: a descendant, not it
    assert rules.value(insert, "column-count") is None
    assert rules.points(sheet, "font-size") == 8.0
    assert rules.points(plain, "font-size") is None
    assert rules.value(sheet, "padding") is None  # td's, not the table's


def test_a_tables_text_takes_the_size_its_rule_gives(tmp_path):
    body = _written(
        '<section><h1>題</h1><h2>章</h2><table class="sheet-table"><tbody><tr><td>項目</td>'
        '<td><p>計画</p><h3>見出し</h3><ul class="bullets"><li>取組</li></ul></td>'
        '<td class="grade">B</td></tr></tbody></table>'
        "<table><tbody><tr><td>ほか</td></tr></tbody></table><p>本文</p></section>",
        tmp_path,
    )
    sizes = _sizes(body)
    # Headings keep their level's size (h1 13pt, h2 12pt, h3 10.5pt: no CSS gives one here).
    assert sizes == {
        "題": "26",
        "章": "24",
        "項目": "16",
        "計画": "16",
        "見出し": "21",
        "取組": "16",
        "B": "24",
        "ほか": None,
        "本文": None,
    }


def test_an_insert_in_columns_is_a_cell_per_column_balanced(tmp_path):
    lines = "".join(f'<p class="insert-line">行{n}</p>' for n in range(5))
    long = '<p class="insert-line">' + "長い文" * 60 + "</p>"
    body = _written(
        f'<section><div class="insert xlong">{lines}{long}</div>'
        f'<div class="insert">{lines}</div></section>',
        tmp_path,
    )
    xlong, single = body.iter(f"{W}tbl")
    cells = [
        ["".join(t.text for t in p.iter(f"{W}t")) for p in tc.iter(f"{W}p")]
        for tc in xlong.iter(f"{W}tc")
    ]
    # The long line alone is as tall as the five short ones: it gets a column of its own.
    assert cells[0] + cells[1] == [f"行{n}" for n in range(5)]
    assert cells[2] == ["長い文" * 60]
    assert xlong.find(f"{W}tblPr/{W}tblBorders/{W}insideV").get(f"{W}val") == "none"
    assert len(list(single.iter(f"{W}tc"))) == 1


def test_columns_are_balanced_as_short_as_can_be():
    assert tables.balanced([1, 1, 1, 1, 1, 1], 3) == [0, 2, 4]
    assert tables.balanced([5, 1, 1, 1, 1, 1], 2) == [0, 1]
    assert tables.balanced([1, 1, 4], 3) == [0, 1, 2]
    assert tables.balanced([2, 2], 5) == [0, 1]


COVER_CSS = (
    "section.cover { padding-top: 6mm; } p { margin: 0.8mm 0; }"
    ".cover-agenda { margin: 1mm 0 40mm; }"
    ".cover-title { text-align: center; font-size: 18pt; margin: 0 0 14mm; }"
    ".cover .contents { margin: 0 0 10mm 18mm; } .cover .para { line-height: 1.7; }"
)


def _cover(tmp_path, numbered: str) -> list:
    html = (
        f"<html><head><style>{COVER_CSS}</style></head><body>"
        f'<section class="page cover" id="cover" data-numbered="{numbered}">'
        '<p class="cover-label">資料</p><p class="cover-agenda">報告事項</p>'
        '<h1 class="cover-title">表題</h1><div class="contents"><p class="toc">一覧</p></div>'
        '<p class="para">本文</p></section>'
        '<section class="page" id="next"><p>次</p></section></body></html>'
    )
    doc = docx.Document(io.BytesIO(docx_render.render(html, Assets(tmp_path, tmp_path))))
    return doc.paragraphs


def test_a_cover_is_placed_as_its_stylesheet_places_it(tmp_path):
    label, agenda, title, toc, para = _cover(tmp_path, "false")[:5]

    def before(p):
        space = p.paragraph_format.space_before
        return None if space is None else space.pt

    assert before(label) == pytest.approx(6.8 * 72 / 25.4, abs=0.05), (
        "the section's padding, its margin"
    )
    assert before(agenda) == pytest.approx(72 / 25.4, abs=0.05)
    assert before(title) == pytest.approx(40 * 72 / 25.4, abs=0.05), (
        "the agenda's bottom margin, collapsed"
    )
    assert agenda.paragraph_format.space_after.pt == 0
    assert title.alignment == WD_ALIGN_PARAGRAPH.CENTER
    assert {r.font.size.pt for r in title.runs} == {18}
    assert before(toc) == pytest.approx(14 * 72 / 25.4, abs=0.05)
    assert toc.paragraph_format.left_indent.pt == pytest.approx(18 * 72 / 25.4, abs=0.05)
    assert before(para) == pytest.approx(10 * 72 / 25.4, abs=0.05)
    assert para.paragraph_format.line_spacing == 1.7


def test_a_counted_page_is_not_placed_as_a_cover(tmp_path):
    agenda, title = _cover(tmp_path, "true")[1:3]
    assert agenda.paragraph_format.space_before is None
    assert title.alignment != WD_ALIGN_PARAGRAPH.CENTER


def test_descendant_rules_only_when_asked():
    tree = lxml_html.document_fromstring(
        "<html><head><style>.cover .para { margin: 1pt 2pt 3pt; font-size: 11pt }"
        " .para { margin-left: 5pt }</style></head>"
        '<body><section class="cover"><p class="para">a</p></section></body></html>'
    )
    rules = css.rules(tree, Path("."))
    p = tree.find(".//p")
    assert rules.points(p, "font-size") is None
    assert rules.points(p, "font-size", deep=True) == 11
    sides = [rules.side(p, "margin", s) for s in ("top", "right", "bottom", "left")]
    assert sides == [1, 2, 3, 2], "the more specific shorthand wins over .para's longhand"


def test_a_label_keeps_its_coloured_ground(tmp_path):
    (tmp_path / "style.css").write_text(
        ".box-title { background: #1f4e79; color: #fff; }\n.box.kpi .box-title { background: #c55a11; }",
        encoding="utf-8",
    )
    html = (
        '<html><head><link rel="stylesheet" href="style.css"></head><body><section>'
        '<div class="box"><p class="box-title">事業計画</p><p>本文</p></div>'
        '<div class="box kpi"><p class="box-title">KPI</p></div></section></body></html>'
    )
    tree = lxml_html.document_fromstring(html)
    writer = Writer({}, {}, rules=css.rules(tree, tmp_path))
    writer.write(tree)
    grounds = {}
    for r in writer.doc.element.body.iter(f"{W}r"):
        shd, color = r.find(f"{W}rPr/{W}shd"), r.find(f"{W}rPr/{W}color")
        grounds["".join(t.text for t in r.iter(f"{W}t"))] = (
            None if shd is None else shd.get(f"{W}fill"),
            None if color is None else color.get(f"{W}val"),
        )
    assert grounds == {
        "事業計画": ("1F4E79", "FFFFFF"),
        "本文": (None, None),
        "KPI": ("C55A11", "FFFFFF"),
    }
