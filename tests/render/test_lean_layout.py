"""The CSS and HTML that keep WeasyPrint fast: no flexbox or grid, every table fixed.

Flexbox and automatic table sizing make WeasyPrint lay content out several
times (a 36-page report: ~12 s against ~4.5 s), so every layout avoids them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import TARGETS, copy_project
from kenpo_report.build.pipeline import lay_out_plan
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

ROOT = Path(__file__).resolve().parents[2]
SLOW_DISPLAY = re.compile(r"display\s*:\s*(inline-)?(flex|grid)\b", re.IGNORECASE)
AUTO_TABLES = re.compile(r"table-layout\s*:\s*auto\b", re.IGNORECASE)


def _styles() -> list[Path]:
    return sorted((ROOT / "templates").rglob("*.css")) + sorted((ROOT / "templates").rglob("*.j2"))


@pytest.mark.parametrize("path", _styles(), ids=lambda p: str(p.relative_to(ROOT)))
def test_no_flexbox_grid_or_automatic_tables(path):
    if path.parts[-2] == "site":
        pytest.skip("the site index is a web page, not laid out by WeasyPrint")
    text = path.read_text(encoding="utf-8")
    assert not SLOW_DISPLAY.search(text)
    assert not AUTO_TABLES.search(text)


def _columns(row: lxml_html.HtmlElement) -> int:
    return sum(int(cell.get("colspan", "1")) for cell in row if cell.tag in ("td", "th"))


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> Project:
    """A copy of the project: laying out writes compiled templates beside it, not here."""
    return copy_project(tmp_path_factory.mktemp("lean") / "project")


@pytest.mark.parametrize(("branch", "year"), TARGETS, ids=[f"{b}-{y}" for b, y in TARGETS])
def test_every_table_declares_every_column_width(copied, branch, year):
    project = copied
    documents, _ = lay_out_plan(project, load_plan(project, branch, year))
    loose = []
    for item in documents:
        for table in lxml_html.fromstring(item.html).iter("table"):
            if "chart-data" in table.classes:
                continue  # display: none, for the DOCX: never laid out by WeasyPrint
            cols = table.findall("colgroup/col")
            rows = [r for r in table.iter("tr") if r.getparent() is not None]
            # Nested tables are checked on their own; count only this table's rows.
            own = [r for r in rows if next(r.iterancestors("table")) is table]
            widest = max((_columns(r) for r in own), default=0)
            declared = all("width" in (c.get("style") or "") for c in cols)
            if len(cols) != widest or not declared:
                head = lxml_html.tostring(table, encoding="unicode")[:100]
                loose.append(f"{item.report.document.id}: {len(cols)} <col> for {widest}: {head}")
    assert not loose, "\n".join(loose)
