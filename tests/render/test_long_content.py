"""Long content splits across pages without loss, in linear time."""

from __future__ import annotations

import subprocess

import docx

from conftest import write_project
from kenpo_report.build.pipeline import build

ROWS = 2000


def test_2000_row_table_keeps_every_cell_and_repeats_its_header(tmp_path):
    rows = "\n".join(
        f'          - ["行{i:04d}", "値{i:04d}-A", {{number: "{i}"}}]' for i in range(ROWS)
    )
    year_file = (
        "documents:\n  - {id: results, kind: results, style: iwate, title: 長い表, date: 2025-07-31}\n"
        "pages:\n  - title: 長い表\n    blocks:\n      - type: table\n"
        '        widths: ["30", "40", "30"]\n        header:\n          - [項目, 内容, 数値]\n'
        f"        rows:\n{rows}\n"
    )
    project = write_project(tmp_path, {"00.yaml": year_file})
    result = build(project, "x", 2024)
    pdf = project.output_dir("x", 2024) / "results.pdf"
    text = subprocess.run(
        ["pdftotext", str(pdf), "-"], check=True, capture_output=True, text=True
    ).stdout
    for i in range(ROWS):
        assert f"行{i:04d}" in text
        assert f"値{i:04d}-A" in text
    pages = result.pages["results"]
    assert pages > 30
    assert text.count("項目") >= pages - 1, "the header row repeats on every page of the table"
    document = docx.Document(str(project.output_dir("x", 2024) / "results.docx"))
    # One table per PDF page (each begins a page as the PDF's does), each led by the header.
    tables = [t for t in document.tables if t.rows[0].cells[0].text == "項目"]
    assert len(tables) > pages // 2, "a table per page the PDF gives it"
    body = [r.cells[0].text for t in tables for r in t.rows[1:]]
    assert body == [f"行{i:04d}" for i in range(ROWS)]
    assert all(t.rows[0]._tr.trPr is not None for t in tables)
