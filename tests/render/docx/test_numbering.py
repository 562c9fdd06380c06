"""Word lists in the DOCX: bullets and typed numbers drawn by list levels, ○/× as text."""

from __future__ import annotations

import io
import re
import shutil
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree
from lxml import html as lxml_html

from conftest import ROOT, TARGETS, laid_out
from kenpo_report.layout import marks
from kenpo_report.render import docx as docx_render
from kenpo_report.render.docx import numbering
from kenpo_report.render.results import Assets

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
# Marks that begin items in the seeds, as typed (the Wingdings ones as Office exports them).
GLYPHS = "•・●➢➣■◆◇○〇\uf06c\uf0d8"
ASSETS = Assets(templates=ROOT / "templates", fonts=ROOT / "fonts")


def _el(fragment: str) -> lxml_html.HtmlElement:
    return lxml_html.fragment_fromstring(fragment)


def _render(body: str, **images: bytes) -> docx.document.Document:
    html = f'<html><body><section class="page">{body}</section></body></html>'
    data = docx_render.render(html, Assets(ASSETS.templates, ASSETS.fonts, raster=images))
    return docx.Document(io.BytesIO(data))


def _text(p) -> str:
    return "".join(t.text or "" for t in p.iter(qn("w:t")))


def _num_id(p) -> int | None:
    found = p.find(f"{W}pPr/{W}numPr/{W}numId")
    return None if found is None else int(found.get(qn("w:val")))


def _levels(doc) -> dict[int, etree._Element]:
    """numId -> the level (lvl 0) of its abstract definition."""
    numbering_xml = doc.part.numbering_part.element
    abstracts = {a.get(qn("w:abstractNumId")): a for a in numbering_xml.iter(f"{W}abstractNum")}
    return {
        int(n.get(qn("w:numId"))): abstracts[n.find(f"{W}abstractNumId").get(qn("w:val"))].find(
            f"{W}lvl"
        )
        for n in numbering_xml.iter(f"{W}num")
    }


def _level_text(level) -> str:
    return level.find(f"{W}lvlText").get(qn("w:val"))


# --- reading marks --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("fragment", "typed", "shown", "spaced"),
    [
        ('<li><span class="mark">・</span>郵送化を促進</li>', "・", "・", False),
        ("<li>• 中長期的な視点</li>", "•", "•", True),
        ('<li><span class="mark">\uf06c</span>令和7年7月7日付</li>', "\uf06c", "●", False),
        # Kenpo Symbols has no space for the level's suffix: the space stays in the text.
        ('<p class="caption">\uf0d8 令和7年3月末時点</p>', "\uf0d8", "➣", False),
        ('<p><span class="kpi-mark">■ KPI：</span>１）サービス</p>', "■", "■", True),
        ('<li><span class="mark">★</span>plan\'s own</li>', "★", "★", False),
    ],
)
def test_leading_mark(fragment, typed, shown, spaced):
    mark = numbering.leading_mark(_el(fragment))
    assert (mark.typed, mark.text, mark.spaced) == (typed, shown, spaced)
    assert mark.fmt == "bullet"


@pytest.mark.parametrize("fragment", ["<td>〇</td>", "<td>●</td>", "<p>※注記</p>", "<p>本文</p>"])
def test_a_mark_alone_or_no_mark_is_no_item(fragment):
    assert numbering.leading_mark(_el(fragment)) is None


def test_without_mark_removes_the_bullet_and_its_space_only():
    el = _el('<p><span class="kpi-mark">■ KPI：</span>１）サービス</p>')
    out = numbering.without_mark(el, numbering.leading_mark(el))
    assert out.text_content() == "KPI：１）サービス"
    assert el.text_content() == "■ KPI：１）サービス"  # the HTML itself is left alone


def test_numbers_that_follow_on_are_counted():
    items = [_el(f"<li>{t}</li>") for t in ("①分析", "・項目", "②活用", "１．健診", "３．予防")]
    found = [numbering.leading_mark(li, numbers=True) for li in items]
    assert [(m.fmt, m.value) for m in found if m.fmt != "bullet"] == [
        ("decimalEnclosedCircle", 1),
        ("decimalEnclosedCircle", 2),
        ("decimalFullWidth", 1),
        ("decimalFullWidth", 3),
    ]
    # １．then ３．: typed as they are, not counted (Word would print ２．)
    assert numbering.numbered_run(found) == {0, 2}


def test_split_lines_at_the_breaks_that_start_an_item():
    el = _el("<p>■医療機関照会：596件<br>■負傷原因照会：5,443件<br>※うち電話</p>")
    parts = numbering.split_lines(el)
    assert [p.text_content() for p in parts] == [
        "■医療機関照会：596件",
        "■負傷原因照会：5,443件※うち電話",
    ]
    assert len(numbering.split_lines(_el("<p>一行目<br>二行目</p>"))) == 1


# --- writing lists -------------------------------------------------------------------


def test_items_are_list_paragraphs_with_the_glyph_in_their_level():
    doc = _render(
        '<ul class="bullets"><li><span class="mark">\uf06c</span>掲載</li>'
        "<li>①分析結果</li><li>・データ分析</li><li>②外部有識者</li><li>＜事業計画＞</li></ul>"
        "<p>■医療機関照会：596件<br>■負傷原因照会：5,443件</p><p>本文</p>"
    )
    levels = _levels(doc)
    paragraphs = [p for p in doc.element.body.iter(qn("w:p")) if _text(p)]
    shown = [
        (_level_text(levels[_num_id(p)]) if _num_id(p) else None, _text(p)) for p in paragraphs
    ]
    assert shown == [
        ("●", "掲載"),
        ("%1", "分析結果"),
        ("・", "データ分析"),
        ("%1", "外部有識者"),
        ("", "＜事業計画＞"),  # an item without a mark stays in the list, with none
        ("■", "医療機関照会：596件"),
        ("■", "負傷原因照会：5,443件"),
        (None, "本文"),
    ]
    # ① and ② count in one list, which starts at 1.
    assert _num_id(paragraphs[1]) == _num_id(paragraphs[3])
    circled = levels[_num_id(paragraphs[1])]
    assert circled.find(f"{W}numFmt").get(qn("w:val")) == "decimalEnclosedCircle"
    styles = [p.find(f"{W}pPr/{W}pStyle").get(qn("w:val")) for p in paragraphs[:7]]
    assert styles == [numbering.Lists.LIST_STYLE] * 5 + [numbering.Lists.FLUSH_STYLE] * 2
    # A ul's items hang as base.css ul.bullets li does; the paragraph's lines do not.
    ind = levels[_num_id(paragraphs[0])].find(f"{W}pPr/{W}ind")
    assert (ind.get(qn("w:left")), ind.get(qn("w:hanging"))) == ("216", "216")
    ind = levels[_num_id(paragraphs[5])].find(f"{W}pPr/{W}ind")
    assert (ind.get(qn("w:left")), ind.get(qn("w:hanging"))) == ("0", "0")


def test_the_symbol_bullet_takes_its_font_from_the_level():
    doc = _render('<p class="caption">\uf0d8 令和7年3月末時点での宣言状況</p>')
    (p,) = [p for p in doc.element.body.iter(qn("w:p")) if _text(p)]
    level = _levels(doc)[_num_id(p)]
    assert _level_text(level) == "➣"
    fonts = level.find(f"{W}rPr/{W}rFonts")
    assert fonts.get(qn("w:ascii")) == fonts.get(qn("w:eastAsia")) == numbering.SYMBOLS
    assert _text(p) == " 令和7年3月末時点での宣言状況"  # the space in the text's font
    assert level.find(f"{W}suff").get(qn("w:val")) == "nothing"


def test_marks_are_text_not_pictures():
    mark = marks.url("missed")
    doc = _render(
        f'<table><tbody><tr><td>95.8%</td><td><img class="mark" src="{mark}" alt="未達成">'
        "</td></tr></tbody></table>",
        **{mark: marks.raster("missed")},
    )
    assert not doc.inline_shapes
    (run,) = [r for r in doc.element.body.iter(qn("w:r")) if _text(r) == "×"]
    assert run.find(f"{W}rPr/{W}rFonts").get(qn("w:eastAsia")) == numbering.GOTHIC
    # × is drawn smaller than 〇 in the font: a larger size gives it the drawing's size.
    assert run.find(f"{W}rPr/{W}sz").get(qn("w:val")) == "24"


# --- every document of plans/ ----------------------------------------------------------


def _documents(project):
    for branch, year in TARGETS:
        for path in sorted(project.output_dir(branch, year).glob("*.docx")):
            yield branch, year, path


@pytest.fixture(scope="module")
def everything(built_everything):
    """(label, HTML tree, DOCX, document.xml) of every document of plans/."""
    out = []
    for branch, year, path in _documents(built_everything):
        _, _, html = laid_out(built_everything, branch, year)
        out.append((f"{branch}-{year}", lxml_html.document_fromstring(html), path))
    assert out
    return out


def test_numbering_part_is_consistent(everything):
    for label, _, path in everything:
        doc = docx.Document(str(path))
        part = doc.part.numbering_part.element
        kinds = [etree.QName(c).localname for c in part]
        assert kinds == sorted(kinds, key=["abstractNum", "num"].index), label  # schema order
        abstract_ids = [a.get(qn("w:abstractNumId")) for a in part.iter(f"{W}abstractNum")]
        num_ids = [n.get(qn("w:numId")) for n in part.iter(f"{W}num")]
        assert len(set(abstract_ids)) == len(abstract_ids), label
        assert len(set(num_ids)) == len(num_ids), label
        for n in part.iter(f"{W}num"):
            assert n.find(f"{W}abstractNumId").get(qn("w:val")) in abstract_ids, label
        used = {
            e.get(qn("w:val"))
            for root in (doc.element, doc.styles.element)
            for e in root.iter(f"{W}numId")
        }
        assert used <= set(num_ids), label
        for level in part.iter(f"{W}lvl"):
            assert level.find(f"{W}lvlText") is not None, label


def test_numpr_on_every_bullet_paragraph(everything):
    for label, tree, path in everything:
        doc = docx.Document(str(path))
        paragraphs = list(doc.element.body.iter(qn("w:p")))
        listed = [p for p in paragraphs if _num_id(p) is not None]
        # Every li is a list paragraph (one HTML line with a bullet of its own is one too).
        assert len(listed) >= sum(1 for _ in tree.iter("li")), label
        for p in paragraphs:
            text = _text(p).lstrip()
            jc = p.find(f"{W}pPr/{W}jc")
            centred = jc is not None and jc.get(qn("w:val")) == "center"  # a table's 〇, ●
            legend = text[1:].startswith(tuple(marks.MEANINGS.values()))  # 〇達成 ×未達成
            if text[:1] in GLYPHS and text[1:].strip() and not centred and not legend:
                pytest.fail(f"{label}: a typed bullet, not a list item: {text[:30]!r}")
        for p in listed:
            style = p.find(f"{W}pPr/{W}pStyle")
            assert style is not None, label


def test_marks_are_text_runs(everything):
    pictures = {marks.raster(name) for name in marks.MEANINGS}
    for label, tree, path in everything:
        with zipfile.ZipFile(path) as z:
            media = [z.read(n) for n in z.namelist() if n.startswith("word/media/")]
            xml = z.read("word/document.xml").decode()
        assert not pictures & set(media), f"{label}: a mark is a picture"
        shown = [marks.named(img.get("src") or "") for img in tree.iter("img")]
        for name in marks.MEANINGS:
            text = marks.TEXT[name][0]
            runs = len(re.findall(f"<w:t>{text}</w:t>", xml))
            assert runs >= shown.count(name), (label, name)


# --- through LibreOffice -------------------------------------------------------------------


def test_libreoffice_draws_the_levels_glyphs(tmp_path: Path):
    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("libreoffice is not installed")
    doc = _render(
        '<ul class="bullets"><li><span class="mark">・</span>郵送化を促進</li>'
        '<li><span class="mark">\uf06c</span>掲載</li><li>①分析</li><li>②活用</li></ul>'
        "<p>■医療機関照会<br>■負傷原因照会</p>"
    )
    source = tmp_path / "lists.docx"
    doc.save(str(source))
    profile = (tmp_path / "profile").as_uri()
    args = ["--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(source)]
    subprocess.run(
        [office, f"-env:UserInstallation={profile}", *args],
        check=True,
        capture_output=True,
        timeout=180,
    )
    pdf = tmp_path / "lists.pdf"
    assert pdf.is_file(), "LibreOffice wrote no PDF"
    lines = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    lines = [re.sub(r"\s+", "", line) for line in lines.splitlines() if line.strip()]
    assert lines[:6] == [
        "・郵送化を促進",
        "●掲載",
        "①分析",
        "②活用",
        "■医療機関照会",
        "■負傷原因照会",
    ]
