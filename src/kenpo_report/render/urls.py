"""The renderers' names for pictures: what the HTML's ``<img src>`` says.

Compute names a plan's images and charts with these, the lay-out names the
○/× marks, and the renderers (PDF, DOCX, HTML, preview) fetch them by name from
their assets. A name is a content hash, never a path from YAML.
"""

from __future__ import annotations

import hashlib

IMAGE_SCHEME = "kenpo-image"


def image_url(content: bytes) -> str:
    """A checked image, named by a hash of its bytes."""
    return f"{IMAGE_SCHEME}:{hashlib.sha256(content).hexdigest()}"


def chart_url(chart_json: str) -> str:
    """A chart, named by a hash of its data (the chart model as JSON)."""
    return f"{IMAGE_SCHEME}:chart-{hashlib.sha256(chart_json.encode()).hexdigest()}"


def mark_url(name: str) -> str:
    """An achievement mark (○ or ×) drawn by :mod:`kenpo_report.layout.marks`."""
    return f"{IMAGE_SCHEME}:mark-{name}"
