"""Compute stage, styles: what each style's template shows, decided here.

A style (``templates/<style>/``) draws the shared views of the report (KPIs,
measures, sections, pages); what it decides beyond them (which rows form a
table, spans, column widths, which heading shows, numbering, marks) is its
view, ``report.view``. A style without a module here draws from the shared
views alone.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from kenpo_report.compute.styles import fukushima, ibaraki, iwate, mie, oita
from kenpo_report.validate import Plan

if TYPE_CHECKING:
    from kenpo_report.compute.report import Report

VIEWS: dict[str, Callable[[Plan, Report], Any]] = {
    "fukushima": fukushima.view,
    "ibaraki": ibaraki.sheets_view,
    "iwate": iwate.view,
    "mie": mie.view,
    "oita": oita.view,
}


def style_view(plan: Plan, report: Report) -> Any:
    """The view of the report's document's style, or None for a style without one."""
    build = VIEWS.get(report.document.style)
    return build(plan, report) if build is not None else None
