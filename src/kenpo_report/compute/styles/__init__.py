"""Compute stage, styles: what each style's template shows, decided here.

A style (``templates/<style>/``) draws the shared views of the report (KPIs,
measures, sections, pages); what it decides beyond them (which rows form a
table, spans, column widths, which heading shows, numbering, marks) is its
view, ``report.view``. A style without a module here draws from the shared
views alone.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kenpo_report.validate import Plan

if TYPE_CHECKING:
    from kenpo_report.compute.report import Report

# Style -> the function of its module that builds its view. Imported when a document
# of the style is built: each module defines many view classes, and a process builds
# one or two styles (importing all five cost a check 70 ms).
VIEWS: dict[str, str] = {
    "fukushima": "view",
    "ibaraki": "sheets_view",
    "iwate": "view",
    "mie": "view",
    "oita": "view",
}


def style_view(plan: Plan, report: Report) -> Any:
    """The view of the report's document's style, or None for a style without one."""
    style = report.document.style
    if style not in VIEWS:
        return None
    module = importlib.import_module(f"{__name__}.{style}")
    return getattr(module, VIEWS[style])(plan, report)
