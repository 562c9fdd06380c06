"""PDF structure: pages, embedded fonts only, KPI rows and computed page numbers."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import pdf_text
from kenpo_report.errors import UserError
from kenpo_report.render.pdf import AssetFetcher, Assets, render


def pdf_path(built) -> Path:
    project, _ = built
    return project.output_dir("iwate", 2024) / "results.pdf"


def page_text(path: Path, page: int) -> str:
    return pdf_text(path, page)


def test_pages_and_metadata(built):
    with pikepdf.open(pdf_path(built)) as pdf:
        assert len(pdf.pages) >= 30
        box = [float(v) for v in pdf.pages[0].mediabox]
        assert box[2] > box[3], "A4 landscape"
        info = pdf.docinfo
        assert "岩手支部" in str(info["/Title"])
        assert str(info["/CreationDate"]).startswith("D:20250731")


def test_only_bundled_fonts_are_embedded(built):
    out = subprocess.run(
        ["pdffonts", str(pdf_path(built))], check=True, capture_output=True, text=True
    ).stdout
    rows = out.splitlines()[2:]
    assert rows
    for row in rows:
        assert "BIZ-UDP" in row or "Kenpo-Symbols" in row, row
        assert re.search(r"\byes\s+yes\s+yes\b", row), f"not embedded+subset: {row}"


def test_kpi_list_rows_in_text(built):
    text = page_text(pdf_path(built), 1)
    for phrase in ["生活習慣病予防健診受診率を64.4％以上とする", "61.6％", "22位", "15％以下"]:
        assert phrase in text


def test_page_column_points_at_measure_pages(built):
    """The ページ column equals the page each measure starts on (pdftotext -f N -l N)."""
    path = pdf_path(built)
    lines = page_text(path, 1).splitlines()
    rows = {
        "【項番⑤】": "生活習慣病予防健診受診率を64.4",
        "【項番⑨】": "被扶養者の特定保健指導の実施率を4.4",
        "【項番⑭】": "一者応札案件の割合について",
    }
    for key, row in rows.items():
        line = next(line for line in lines if row in line)
        page = int(re.findall(r"P(\d+)", line)[-1])
        assert key in page_text(path, page), f"{key} is not on page {page}"
        assert key not in page_text(path, page - 1), f"{key} starts before page {page}"


def test_fetcher_refuses_outside_assets(tmp_path):
    templates, fonts = tmp_path / "templates", tmp_path / "fonts"
    templates.mkdir()
    fonts.mkdir()
    (templates / "ok.css").write_text("p{}")
    (tmp_path / "secret.txt").write_text("root:x:0:0")
    (templates / "link.css").symlink_to(tmp_path / "secret.txt")
    fetcher = AssetFetcher(Assets(templates, fonts))
    assert fetcher.fetch((templates / "ok.css").as_uri()).read() == b"p{}"
    for url in [
        (tmp_path / "secret.txt").as_uri(),
        (templates / "link.css").as_uri(),
        templates.as_uri() + "/../secret.txt",
        "http://127.0.0.1:9/x.css",
        "data:text/css,p{}",
    ]:
        with pytest.raises(PermissionError):
            fetcher.fetch(url)


def test_template_reaching_outside_fails_the_build(tmp_path):
    templates, fonts = tmp_path / "templates", tmp_path / "fonts"
    templates.mkdir()
    fonts.mkdir()
    html = '<html><head><link rel="stylesheet" href="file:///etc/hostname"></head><body><p>x</p></body></html>'
    with pytest.raises(UserError, match="拒否"):
        render(html, Assets(templates, fonts))


def test_every_character_has_a_glyph_in_the_bundled_fonts(built):
    """No □: every character the report prints exists in a bundled font."""
    from fontTools.ttLib import TTFont

    project, _ = built
    text = subprocess.run(
        ["pdftotext", str(pdf_path(built)), "-"], check=True, capture_output=True, text=True
    ).stdout
    covered: set[int] = set()
    for name in ("BIZUDPGothic-Regular.ttf", "BIZUDPGothic-Bold.ttf", "KenpoSymbols-Regular.ttf"):
        covered |= set(TTFont(project.fonts / name).getBestCmap())
    missing = sorted({c for c in text if ord(c) not in covered and not c.isspace()})
    assert not missing, missing


def test_no_line_starts_with_closing_punctuation(built):
    """Kinsoku: WeasyPrint never starts a wrapped line with 。、）」."""
    text = subprocess.run(
        ["pdftotext", str(pdf_path(built)), "-"], check=True, capture_output=True, text=True
    ).stdout
    bad = [line for line in text.splitlines() if line and line[0] in "。、）」"]
    assert not bad, bad


def test_fonts_are_subset_by_harfbuzz(monkeypatch):
    """HarfBuzz subsetting (libharfbuzz-subset0) is in use; fontTools is the slow fallback."""
    from weasyprint.pdf import fonts

    used = []
    original = fonts.Font._harfbuzz_subset

    def spy(self, *args):
        used.append(self.family)
        return original(self, *args)

    def refuse(self, *args):
        raise AssertionError("WeasyPrint fell back to fontTools: install libharfbuzz-subset0")

    monkeypatch.setattr(fonts.Font, "_harfbuzz_subset", spy)
    monkeypatch.setattr(fonts.Font, "_fonttools_subset", refuse)
    root = Path(__file__).resolve().parents[2]
    html = (
        '<html><head><link rel="stylesheet" href="shared/base.css"></head>'
        "<body><p>協会けんぽ 岩手支部 95.5％</p></body></html>"
    )
    result = render(html, Assets(root / "templates", root / "fonts"))
    assert result.pages == 1
    assert used, "no font was subset"


def test_page_starts_name_the_first_block_of_each_later_page(tmp_path):
    rows = "".join(f"<tr><td>{i}</td></tr>" for i in range(200))
    html = (
        "<html><head><style>@page { size: A5 }</style></head><body>"
        '<section class="page" id="a"><h2>表</h2><table>' + rows + "</table></section>"
        '<section class="page" id="b" style="break-before: page"><p>次</p></section>'
        "</body></html>"
    )
    result = render(html, Assets(tmp_path, tmp_path))
    assert result.pages > 3
    starts = result.starts
    assert len(starts) == result.pages
    assert starts[0] == "" and starts[-1] == "", "a section begins its page anyway"
    middle = starts[1:-1]
    assert all(s.startswith("0/tr") for s in middle), middle
    numbers = [int(s[len("0/tr") :]) for s in middle]
    assert numbers == sorted(numbers) and numbers[0] > 1


def test_a_page_that_begins_inside_a_row_names_each_cells_first_block_on_it(tmp_path):
    left = "".join(f"<p>左{i}</p>" for i in range(60))
    right = "".join(f"<p>右{i}</p>" for i in range(40))
    html = (
        "<html><head><style>@page { size: A5 } p { margin: 0 }</style></head><body>"
        f'<section class="page" id="a"><table><tr><td>{left}</td><td>{right}</td></tr>'
        "</table></section></body></html>"
    )
    result = render(html, Assets(tmp_path, tmp_path))
    assert result.pages == 2
    first, other = result.starts[1].split(" ")  # p1–p60 on the left, p61–p100 on the right
    left_at, right_at = int(first.removeprefix("0/p")), int(other.removeprefix("0/p"))
    assert 1 < left_at <= 60 < right_at <= 100, result.starts


def test_the_parts_print_what_the_whole_document_laid_out_at_once_prints(built):
    """A build lays its parts out apart and merges them; PDF/A and the fallback lay the
    document out whole. Page for page the text is the same, running heads included (a
    divider page carries no measure's head in either)."""
    from kenpo_report.build import pipeline
    from kenpo_report.validate import load_plan

    project, _ = built
    plan = load_plan(project, "iwate", 2024)
    [item], _ = pipeline.lay_out_plan(project, plan)
    whole = render(item.html, pipeline.assets_of(project, plan, item))
    merged = pdf_path(built).read_bytes()
    with pikepdf.open(pdf_path(built)) as pdf:
        assert whole.pages == len(pdf.pages)

    def pages(data: bytes) -> list[str]:
        done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
        return done.stdout.decode().split("\f")

    differing = [
        n
        for n, (a, b) in enumerate(zip(pages(merged), pages(whole.data), strict=True), 1)
        if a != b
    ]
    assert not differing, differing
