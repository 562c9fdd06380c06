"""The writer's pictures: every one described (alt text) as the HTML describes it."""

from __future__ import annotations

import base64
import io
import zipfile

import docx
from lxml import etree

from conftest import TARGETS
from kenpo_report.render import docx as docx_render
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
