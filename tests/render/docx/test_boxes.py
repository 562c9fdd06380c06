"""Borders as the CSS draws them: a box's lines in its own colour (the KPI box orange), a
label boxed tight around its text (岩手's group badge, 「KPI設定なし」) in a Word frame that
takes no page break, a page head's rule below it."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import docx
import pytest
from lxml import etree
from lxml import html as lxml_html

from kenpo_report.render.docx import css, render
from kenpo_report.render.results import Assets

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
SIDES = ("top", "left", "bottom", "right")
SHEET = """
.page-head { border-bottom: 1.5pt solid #1f4e79; padding-bottom: 1mm; }
.page-head .group { float: right; border: 1pt solid #1f4e79; padding: 0.5mm 3mm;
  font-weight: bold; color: #1f4e79; }
.page-head .group.top { position: absolute; top: 0; right: 0; float: none; }
.badge { display: inline-block; border: 1pt solid #999; padding: 0.3mm 2mm; color: #444; }
.box { border: 1pt solid #1f4e79; }
.box.kpi { border-color: #c55a11; }
.insert { border: 0.8pt dashed #777; }
"""


def _text(node: etree._Element) -> str:
    return "".join(t.text or "" for t in node.iter(f"{W}t"))


def _edges(parent: etree._Element | None) -> dict[str, tuple[str, str, str]]:
    """Each edge of a w:pBdr or w:tblBorders: its line, width (eighths of a point), colour."""
    if parent is None:
        return {}
    return {
        edge.tag[len(W) :]: (edge.get(f"{W}val"), edge.get(f"{W}sz"), edge.get(f"{W}color"))
        for edge in parent
    }


def _body(tmp_path: Path, body: str, starts: list[str] = ()) -> etree._Element:
    html = f"<html><head><style>{SHEET}</style></head><body>{body}</body></html>"
    data = render(html, Assets(tmp_path, tmp_path), page_starts=starts)
    return docx.Document(io.BytesIO(data)).element.body


@pytest.fixture(scope="module")
def iwate(built) -> etree._Element:
    project, _ = built
    path = project.output_dir("iwate", 2024) / "results.docx"
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("word/document.xml"))


def test_iwates_group_badge_is_a_bold_blue_box_at_the_right(iwate):
    frames = [p for p in iwate.iter(f"{W}p") if p.find(f"{W}pPr/{W}framePr") is not None]
    badges = [p for p in frames if p.find(f"{W}pPr/{W}framePr").get(f"{W}xAlign") == "right"]
    assert len(badges) >= 20, "a measure page's head"
    assert {_text(p) for p in badges} >= {"業務", "保健", "企画", "総務"}
    for p in badges:
        line = ("single", "8", "1F4E79")
        assert _edges(p.find(f"{W}pPr/{W}pBdr")) == dict.fromkeys(SIDES, line), _text(p)
        for r in p.iter(f"{W}r"):
            assert r.find(f"{W}rPr/{W}b") is not None
            assert r.find(f"{W}rPr/{W}color").get(f"{W}val") == "1F4E79"
        # Written first in its page head (its CSS puts it at the head's top), beside the
        # section's title.
        assert p.getnext().tag == f"{W}p" and p.getnext().find(f"{W}pPr/{W}framePr") is None


def test_iwates_kpi_box_is_drawn_orange_and_the_plan_box_blue(iwate):
    colours: dict[str, set] = {"KPI": set(), "事業計画": set()}
    for tbl in iwate.iter(f"{W}tbl"):
        label = _text(next(tbl.iter(f"{W}p")))
        if label in colours:
            edges = _edges(tbl.find(f"{W}tblPr/{W}tblBorders"))
            colours[label].add(tuple(edges[side] for side in SIDES))
    assert colours["KPI"] == {(("single", "8", "C55A11"),) * 4}
    assert colours["事業計画"] == {(("single", "8", "1F4E79"),) * 4}


def test_a_border_takes_each_part_from_the_rule_that_wins_it():
    tree = lxml_html.document_fromstring(
        f"<html><head><style>{SHEET} .insert.plain {{ border: none }}"
        " .side { border-width: 1pt 2pt; border-style: solid; border-left-color: #abc; }"
        '</style></head><body><div class="box kpi"></div><div class="insert"></div>'
        '<div class="insert plain"></div><p class="side"></p></body></html>'
    )
    rules = css.rules(tree, Path("."))
    kpi, insert, plain, side = tree.iter("div", "p")
    assert rules.border(kpi, "top") == css.Border("solid", 1.0, "C55A11")
    assert rules.border(insert, "left") == css.Border("dashed", 0.8, "777777")
    assert rules.border(plain, "top") is None
    assert rules.border(side, "right") == css.Border("solid", 2.0, None)
    assert rules.border(side, "left") == css.Border("solid", 2.0, "AABBCC")
    assert rules.border(side, "bottom").points == 1.0


def test_a_label_that_shrinks_to_its_text_is_framed_and_takes_no_page_break(tmp_path):
    head = '<div class="page-head"><p class="group">業務</p><p>題</p><h2>見出し</h2></div>'
    body = _body(
        tmp_path,
        f'<section id="a"><p>前</p></section><section id="b">{head}'
        '<p class="badge">KPI設定なし</p><p>本文</p>'
        f"{head}<p>続き</p></section>",
        starts=["", "1/div2"],  # the second page head begins a page
    )
    paragraphs: dict[str, etree._Element] = {}
    for p in body.iter(f"{W}p"):
        paragraphs.setdefault(_text(p), p)
    frames = [p for p in body.iter(f"{W}p") if p.find(f"{W}pPr/{W}framePr") is not None]
    assert [_text(p) for p in frames] == ["業務", "KPI設定なし", "業務"]
    group, badge = (p.find(f"{W}pPr/{W}framePr") for p in frames[:2])
    assert (group.get(f"{W}xAlign"), group.get(f"{W}wrap")) == ("right", "around")
    assert (badge.get(f"{W}xAlign"), badge.get(f"{W}wrap")) == ("left", "notBeside")
    assert group.get(f"{W}w") is None, "as wide as its text"
    assert _edges(frames[1].find(f"{W}pPr/{W}pBdr"))["top"] == ("single", "8", "999999")
    assert frames[1].find(f"{W}pPr/{W}pBdr/{W}left").get(f"{W}space") == "6", "2mm"
    breaks = [_text(p) for p in body.iter(f"{W}p") if p.find(f".//{W}pageBreakBefore") is not None]
    assert breaks == ["題", "題"], "the paragraph after the frame begins the page"
    assert paragraphs["題"].find(f"{W}bookmarkStart").get(f"{W}name") == "b"


def test_a_label_its_css_places_at_the_top_is_written_first(tmp_path):
    body = _body(
        tmp_path,
        '<section><div class="page-head"><p class="title">題</p><h2>見出し</h2>'
        '<p class="group top">企画</p></div></section>',
    )
    assert [_text(p) for p in body.iter(f"{W}p")][:3] == ["企画", "題", "見出し"]
    frame = body.find(f"{W}p/{W}pPr/{W}framePr")
    assert (frame.get(f"{W}xAlign"), frame.get(f"{W}wrap")) == ("right", "around")


def test_a_divs_border_is_drawn_around_its_paragraphs(tmp_path):
    body = _body(
        tmp_path,
        '<section><div class="page-head"><p class="group">業務</p><p>題</p><h2>見出し</h2>'
        "</div><p>本文</p></section>",
    )
    borders = {_text(p): _edges(p.find(f"{W}pPr/{W}pBdr")) for p in body.iter(f"{W}p")}
    assert borders["題"] == {}
    assert borders["見出し"] == {"bottom": ("single", "12", "1F4E79")}, "the head's rule"
    assert borders["本文"] == {}
    assert set(borders["業務"]) == set(SIDES), "the badge's own"


def test_a_box_and_an_insert_take_their_lines_from_their_css(tmp_path):
    body = _body(
        tmp_path,
        '<section><div class="box kpi"><p>K</p></div><div class="insert"><p>I</p></div></section>',
    )
    kpi, insert = (_edges(t.find(f"{W}tblPr/{W}tblBorders")) for t in body.iter(f"{W}tbl"))
    assert kpi["top"] == kpi["right"] == ("single", "8", "C55A11")
    assert insert["bottom"] == ("dashed", "6", "777777")
    assert kpi["insideV"][0] == insert["insideH"][0] == "none"


def test_the_borders_of_all_sides_at_once_are_each_sides_border():
    """Rules.borders answers elements no border rule names in one lookup: the same as
    asking each side, for every element of a sheet that sets borders every way."""
    tree = lxml_html.document_fromstring(
        f"<html><head><style>{SHEET} .side {{ border-width: 1pt 2pt; border-style: solid; }}"
        " .left { border-left: 2pt dotted #abc; } .top { border-top-color: #123456; }"
        '</style></head><body><div class="box kpi"><p class="side">a</p></div>'
        '<div class="insert"><span class="left top">b</span></div><p>c</p>'
        '<div class="page-head"><p class="group">d</p></div></body></html>'
    )
    rules = css.rules(tree, Path("."))
    for el in tree.iter():
        if not isinstance(el.tag, str):
            continue
        assert rules.borders(el, SIDES) == {side: rules.border(el, side) for side in SIDES}, el


def test_text_takes_the_colour_and_weight_its_own_css_gives(tmp_path):
    """A page head's section title is blue and bold (its rule), a note grey; text with no
    colour rule of its own has none written (it keeps Word's, as in the PDF #111 on white)."""
    sheet = (
        ".page-head .section-title { color: #1f4e79; font-weight: bold; }"
        " p.note { color: #333; } .plain { font-size: 9pt; }"
    )
    html = (
        f"<html><head><style>{sheet}</style></head><body><section>"
        '<div class="page-head"><p class="section-title">Ⅰ．基盤的</p></div>'
        '<p class="note">注<span>記</span></p><p class="plain">本文</p></section></body></html>'
    )
    data = render(html, Assets(tmp_path, tmp_path))
    runs = {}
    for p in docx.Document(io.BytesIO(data)).paragraphs:
        for run in p.runs:
            colour = run.font.color.rgb
            runs[run.text] = (str(colour) if colour is not None else None, bool(run.bold))
    assert runs == {
        "Ⅰ．基盤的": ("1F4E79", True),
        "注": ("333333", False),
        "記": ("333333", False),
        "本文": (None, False),
    }
