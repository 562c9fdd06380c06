"""What a build reads (build.inputs): the one definition the cache, ``list`` and ``site`` use."""

from __future__ import annotations

import functools
from pathlib import PurePosixPath

import pytest

from kenpo_report.build import inputs
from kenpo_report.project import Project


@pytest.mark.parametrize(
    ("path", "styles", "expected"),
    [
        ("plans/iwate/2024/10-kpis.yaml", None, True),
        ("plans/iwate/2023/10-kpis.yaml", None, True),  # 対前年度
        ("plans/iwate/2025/notes/x.txt", None, True),  # 次年度KPI; conservative: any file
        ("plans/iwate/2022/10-kpis.yaml", None, False),
        ("plans/iwate/branch.yaml", None, True),
        ("plans/iwate/images/a.png", None, True),
        ("plans/iwate/123/a.png", None, True),  # not a year's folder
        ("plans/oita/2024/10-kpis.yaml", None, False),
        ("plans/catalog/2024.yaml", None, True),
        ("plans/catalog/2025.yaml", None, True),  # 次年度KPI
        ("plans/catalog/2023.yaml", None, False),
        ("plans/catalog/README.md", None, False),
        ("templates/iwate/style.css", None, True),
        ("templates/oita/style.css", None, True),  # styles not known: any
        ("templates/oita/style.css", {"iwate"}, False),
        ("templates/site/index.html.j2", {"iwate"}, False),
        ("templates/shared/base.css", set(), True),
        ("templates/extra.css", set(), True),
        ("templates/shared/__pycache__/x.pyc", None, False),
        ("fonts/OFL.txt", None, True),
        ("src/kenpo_report/compute/report.py", None, True),
        ("pyproject.toml", None, True),
        ("src/README.md", None, False),
        ("docs/publish.md", None, False),
        ("plans", None, False),
    ],
)
def test_reads(path: str, styles: set[str] | None, expected: bool) -> None:
    assert inputs.reads("iwate", 2024, PurePosixPath(path), styles) is expected


def test_build_inputs_in_order(project: Project) -> None:
    for relative in ("plans/iwate/2022/x.yaml", "plans/iwate/images/a.png"):
        (project.root / relative).parent.mkdir(parents=True, exist_ok=True)
        (project.root / relative).write_bytes(b"x")
    names = [project.relative(p) for p in inputs.build_inputs(project, "iwate", 2024)]
    assert names[0] == "plans/catalog/2024.yaml"
    assert "plans/iwate/images/a.png" in names and "plans/iwate/2022/x.yaml" not in names
    assert "templates/oita/style.css" in names and names[-1].startswith("fonts/")
    only_iwate = inputs.build_inputs(project, "iwate", 2024, styles={"iwate"})
    names = [project.relative(p) for p in only_iwate]
    assert "templates/iwate/style.css" in names and "templates/shared/base.css" in names
    assert not [n for n in names if n.startswith(("templates/oita/", "templates/site/"))]


def test_build_inputs_and_affected_branch_years_agree(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every file of the project: read by a build exactly when a change of it affects that build."""
    styles_of = functools.cache(inputs._document_styles)  # one plan load per branch-year
    monkeypatch.setattr(inputs, "_document_styles", styles_of)
    files = {
        project.relative(p)
        for folder in (project.plans, project.templates, project.fonts)
        for p in folder.rglob("*")
        if p.is_file()
    }
    reading = {}
    for by in project.branch_years():
        read = inputs.build_inputs(project, *by, styles_of(project, *by))
        reading[by] = {project.relative(p) for p in read}
    for name in sorted(files):
        expected = [by for by, read in reading.items() if name in read]
        assert inputs.affected_branch_years(project, [name]) == expected, name
