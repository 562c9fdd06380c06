"""Word's own styles in every DOCX: named BIZ UD fonts, no theme font, Japanese defaults,
the PDF's body font, current Word's compatibility mode, an outline that skips no level."""

from __future__ import annotations

import io
import itertools
import subprocess
import zipfile
from pathlib import Path

import docx
import pytest
from docx.oxml.ns import qn
from lxml import etree

from conftest import TARGETS
from kenpo_report.render import docx as docx_render
from kenpo_report.render.docx.styles import Outline
from kenpo_report.render.results import Assets

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"
BIZ = {"BIZ UDPGothic", "BIZ UDPMincho"}
THEME = ("asciiTheme", "hAnsiTheme", "eastAsiaTheme", "cstheme")
SLOTS = ("ascii", "hAnsi", "eastAsia", "cs")


def _docx_files(project) -> list[Path]:
    files = [f for b, y in TARGETS for f in sorted(project.output_dir(b, y).glob("*.docx"))]
    assert len(files) >= len(TARGETS)
    return files


def _part(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def _fonts(rpr: etree._Element | None) -> set[str]:
    """The fonts an rPr names, asserting it names one for every script."""
    rfonts = rpr.find(f"{W}rFonts") if rpr is not None else None
    assert rfonts is not None, "no rFonts"
    named = {rfonts.get(f"{W}{slot}") for slot in SLOTS}
    assert None not in named, f"a script without a font: {dict(rfonts.attrib)}"
    return named


def test_styles_name_biz_ud_fonts_and_no_theme_font(built_everything):
    for path in _docx_files(built_everything):
        styles = _part(path, "word/styles.xml")
        for rfonts in styles.iter(f"{W}rFonts"):
            assert not [a for a in THEME if rfonts.get(f"{W}{a}")], f"{path.name}: theme font"
        defaults = styles.find(f"{W}docDefaults/{W}rPrDefault/{W}rPr")
        assert _fonts(defaults) <= BIZ
        lang = defaults.find(f"{W}lang")
        assert (lang.get(f"{W}val"), lang.get(f"{W}eastAsia")) == ("ja-JP", "ja-JP")
        ids = set()
        for style in styles.iter(f"{W}style"):
            ids.add(style.get(f"{W}styleId"))
            kind, default = style.get(f"{W}type"), style.get(f"{W}default")
            if kind == "paragraph" or (kind == "character" and default != "1"):
                named = _fonts(style.find(f"{W}rPr"))
                assert len(named) == 1 and named <= BIZ, (path.name, style.get(f"{W}styleId"))
        assert {"Normal", "Heading1", "Footer"} <= ids
        assert len(ids) < 30, "the template's unused styles are dropped"


def test_every_style_a_paragraph_uses_is_defined(built_everything):
    for path in _docx_files(built_everything):
        styles = _part(path, "word/styles.xml")
        ids = {s.get(f"{W}styleId") for s in styles.iter(f"{W}style")}
        with zipfile.ZipFile(path) as archive:
            parts = [n for n in archive.namelist() if n.startswith("word/") and n.endswith(".xml")]
        for name in parts:
            used = _part(path, name).xpath(
                "//w:pStyle/@w:val | //w:rStyle/@w:val | //w:tblStyle/@w:val",
                namespaces={"w": W[1:-1]},
            )
            assert set(used) <= ids, f"{path.name} {name}: {set(used) - ids}"


def _pdf_fonts(path: Path) -> str:
    return subprocess.run(
        ["pdffonts", str(path)], check=True, capture_output=True, text=True
    ).stdout


@pytest.mark.parametrize(
    ("branch", "year", "body", "headings"),
    [
        ("fukushima", 2025, "BIZ UDPMincho", "BIZ UDPGothic"),
        ("iwate", 2024, *["BIZ UDPGothic"] * 2),
    ],
)
def test_body_and_heading_fonts_as_in_the_pdf(built_everything, branch, year, body, headings):
    folder = built_everything.output_dir(branch, year)
    (path,) = folder.glob("*.docx")
    doc = docx.Document(str(path))
    for name, font in (("Normal", body), ("Heading 1", headings)):
        fonts = doc.styles[name].element.rPr.find(qn("w:rFonts"))
        assert fonts.get(qn("w:eastAsia")) == fonts.get(qn("w:ascii")) == font, name
    in_pdf = _pdf_fonts(path.with_suffix(".pdf")).replace("-", "")  # BIZ-UDPMincho
    assert body.replace(" ", "") in in_pdf, "the PDF's body font"


def test_compatibility_mode_of_current_word(built_everything):
    for path in _docx_files(built_everything):
        settings = _part(path, "word/settings.xml")
        modes = [
            s.get(f"{W}val")
            for s in settings.iter(f"{W}compatSetting")
            if s.get(f"{W}name") == "compatibilityMode"
        ]
        assert modes == ["15"], path.name
        assert settings.find(f"{W}savePreviewPicture") is None, "no thumbnail to save"


def test_page_field_is_not_dirty_nor_pagerefs_whose_pages_are_the_pdfs(built):
    project, _ = built
    doc = docx.Document(str(project.output_dir("iwate", 2024) / "results.docx"))
    footer = doc.sections[0].footer._element
    (page,) = footer.iter(qn("w:fldSimple"))
    assert page.get(qn("w:instr")).strip() == "PAGE"
    assert page.get(qn("w:dirty")) is None, "Word numbers every page as it lays it out"
    refs = [
        f for f in doc.element.body.iter(qn("w:fldSimple")) if "PAGEREF" in f.get(qn("w:instr"))
    ]
    # Every PDF page of 岩手 begins where a page can begin in Word: the results stand.
    assert refs and all(f.get(qn("w:dirty")) is None for f in refs)
    assert doc.settings.element.find(qn("w:updateFields")) is None


def _heading_levels(path: Path) -> list[int]:
    body = _part(path, "word/document.xml")
    styles = body.xpath("//w:pPr/w:pStyle/@w:val", namespaces={"w": W[1:-1]})
    return [int(s[len("Heading") :]) for s in styles if s.startswith("Heading")]


def test_outline_skips_no_level_in_any_document(built_everything):
    for path in _docx_files(built_everything):
        levels = _heading_levels(path)
        assert levels and levels[0] == 1, path.name
        jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        assert not jumps, f"{path.name}: {jumps}"


def test_sibling_measures_get_the_same_levels(built_everything):
    """大分: every measure (（1）…) is a Heading 2, its blocks (①…) one below it, whether or
    not a sub-measure sits between (measure-card-collection's ①保険証回収強化)."""
    (path,) = built_everything.output_dir("oita", 2024).glob("*.docx")
    doc = docx.Document(str(path))
    headings = [
        (p.style.style_id, p.text) for p in doc.paragraphs if p.style.style_id.startswith("Heading")
    ]
    measures = {
        s for s, text in headings if text.startswith(("（1）", "（2）", "（１）", "（２）"))
    }
    assert measures == {"Heading2"}


@pytest.mark.parametrize(
    ("html", "word"),
    [
        ([1, 2, 2, 4, 4, 2, 3, 4, 3, 4, 2, 4], [1, 2, 2, 3, 3, 2, 3, 4, 3, 4, 2, 3]),
        ([2, 2, 3, 2], [1, 1, 2, 1]),  # a document that starts at h2 starts at Heading 1
        ([1, 3, 4, 2, 4], [1, 2, 3, 2, 3]),
    ],
)
def test_outline_levels(html, word):
    outline = Outline()
    assert [outline.level(level) for level in html] == word


def test_a_heading_moved_up_keeps_its_look(tmp_path):
    html = "<html><body><section><h2>章</h2><h4>節</h4></section></body></html>"
    doc = docx.Document(io.BytesIO(docx_render.render(html, Assets(tmp_path, tmp_path))))
    chapter, section = (p for p in doc.paragraphs if p.text)
    assert (chapter.style.style_id, section.style.style_id) == ("Heading1", "Heading2")
    assert chapter.runs[0].font.size.pt == 12, "an h2's size, as the PDF shows it"
    assert section.runs[0].font.size.pt == 10, "an h4's size"
    assert str(chapter.runs[0].font.color.rgb) == "1F4E79"


def test_fonts_come_from_the_linked_stylesheets_only_inside_templates(tmp_path):
    templates = tmp_path / "templates"
    (templates / "x").mkdir(parents=True)
    (templates / "x" / "style.css").write_text(
        '@page { @top-left { font: bold 9pt "BIZ UDPGothic"; } }\n'
        'html { font-family: "BIZ UDPMincho", "Kenpo Symbols"; }\nh1, th { font-family: "BIZ UDPGothic"; }',
        encoding="utf-8",
    )
    (tmp_path / "evil.css").write_text('html { font-family: "Evil"; }', encoding="utf-8")
    links = '<link rel="stylesheet" href="x/style.css"><link rel="stylesheet" href="../evil.css">'
    html = (
        f"<html><head>{links}</head><body><section><h1>表題</h1><p>本文</p></section></body></html>"
    )
    doc = docx.Document(io.BytesIO(docx_render.render(html, Assets(templates, tmp_path))))
    fonts = {
        name: doc.styles[name].element.rPr.find(qn("w:rFonts")).get(qn("w:ascii"))
        for name in ("Normal", "Heading 1")
    }
    assert fonts == {"Normal": "BIZ UDPMincho", "Heading 1": "BIZ UDPGothic"}


def test_a_heading_looks_as_its_css_says_whatever_its_word_level(tmp_path):
    """Colour inherited (html { color }), size its own; a level the CSS leaves alone keeps
    the size of its HTML level. 岩手's and 大分's h2 are black in the PDF, not blue."""
    sheet = (
        "html { color: #111; } h3.block-heading { color: #1f4e79; font-size: 10.5pt; }"
        " h4.block-heading { font-size: 10pt; color: #111; }"
    )
    html = (
        f"<html><head><style>{sheet}</style></head><body><section>"
        '<h2>施策</h2><h3 class="block-heading">取組</h3><h4 class="block-heading">内訳</h4>'
        "</section></body></html>"
    )
    data = docx_render.render(html, Assets(tmp_path, tmp_path))
    looks = {}
    for p in docx.Document(io.BytesIO(data)).paragraphs:
        run = p.runs[0]
        looks[p.text] = (p.style.name, str(run.font.color.rgb), run.font.size.pt)
    assert looks == {
        "施策": ("Heading 1", "111111", 12.0),
        "取組": ("Heading 2", "1F4E79", 10.5),
        "内訳": ("Heading 3", "111111", 10.0),
    }
