"""Charts from YAML series, drawn with matplotlib and the bundled font.

SVG (text as glyph outlines, so no font is needed to view it) for the PDF,
PNG for the DOCX. Output is deterministic: no dates, fixed hash salt.
"""

from __future__ import annotations

import io
import warnings
from decimal import Decimal
from functools import cache
from pathlib import Path

import matplotlib

matplotlib.use("Agg")

from matplotlib import font_manager
from matplotlib import pyplot as plt

from kenpo_report.model import Chart

FONT_FILE = "BIZUDPGothic-Regular.ttf"
COLOURS = ["#1f4e79", "#c55a11", "#7f7f7f", "#548235", "#bf9000", "#2e75b6", "#843c0c", "#3b3838"]


@cache
def _font(fonts: Path) -> str:
    path = fonts / FONT_FILE
    font_manager.fontManager.addfont(str(path))
    return font_manager.FontProperties(fname=str(path)).get_name()


def draw(chart: Chart, fonts: Path, fmt: str) -> bytes:
    """The chart as SVG or PNG bytes."""
    family = _font(fonts)
    params = {
        "font.family": family,
        "font.size": 9,
        "svg.fonttype": "none",  # real text: searchable, drawn by WeasyPrint with the bundled font
        "svg.hashsalt": "kenpo-report",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    # A glyph the font lacks is the text's problem, not the chart's: the SVG keeps
    # the text and WeasyPrint draws it; matplotlib's own warning is noise here.
    with plt.rc_context(params), warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=r"Glyph .* missing from font")
        fig, ax = plt.subplots(figsize=(6.4, 3.2))
        _plot(ax, chart)
        fig.tight_layout()
        buffer = io.BytesIO()
        fig.savefig(buffer, format=fmt, dpi=200, metadata=_metadata(fmt))
        plt.close(fig)
    return buffer.getvalue()


def _plot(ax: matplotlib.axes.Axes, chart: Chart) -> None:
    """The series (bars side by side, lines with their values), axes, title and legend."""
    positions = list(range(len(chart.categories)))
    bars = [s for s in chart.series if s.kind == "bar"]
    width = 0.8 / max(len(bars), 1)
    handles = []  # in the YAML's order: matplotlib would list lines before bars
    for index, series in enumerate(chart.series):
        values = [float(v) if isinstance(v, Decimal) else None for v in series.values]
        colour = COLOURS[index % len(COLOURS)]
        if series.kind == "bar":
            offset = (bars.index(series) - (len(bars) - 1) / 2) * width
            xs = [p + offset for p, v in zip(positions, values, strict=True) if v is not None]
            ys = [v for v in values if v is not None]
            drawn = ax.bar(xs, ys, width=width * 0.95, color=colour, label=series.name)
            handles.append(drawn)
            ax.bar_label(drawn, labels=[_label(v, chart) for v in ys], fontsize=7, padding=1)
        else:
            points = [(p, v) for p, v in zip(positions, values, strict=True) if v is not None]
            handles.append(_line(ax, points, colour, series.name, chart))
    ax.set_xticks(positions, chart.categories)
    if chart.y_min is not None:
        ax.set_ylim(bottom=float(chart.y_min))
    if chart.y_label:
        ax.set_ylabel(chart.y_label)
    if chart.title:
        ax.set_title(chart.title, fontsize=10)
    ax.legend(
        handles=handles,
        fontsize=8,
        frameon=False,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.16),
        ncol=min(len(chart.series), 4),
    )


def _line(
    ax: matplotlib.axes.Axes, points: list[tuple[int, float]], colour: str, name: str, chart: Chart
) -> object:
    """A line series with its value above each point; its legend handle."""
    (line,) = ax.plot(
        [p for p, _ in points],
        [v for _, v in points],
        marker="o",
        color=colour,
        label=name,
    )
    for p, v in points:
        ax.annotate(
            _label(v, chart),
            (p, v),
            textcoords="offset points",
            xytext=(0, 5),
            ha="center",
            fontsize=7,
            color=colour,
        )
    return line


def _label(value: float, chart: Chart) -> str:
    return f"{value:,.{chart.decimals}f}{chart.unit}"


def _metadata(fmt: str) -> dict[str, str | None]:
    # No creation date or software version in the file: same input, same bytes.
    if fmt == "svg":
        return {"Date": None, "Creator": None}
    return {"Software": None}
