"""docs/reference.md is generated from the models and kept current."""

from __future__ import annotations

import inspect
import re
import subprocess
import sys

import pytest
from pydantic import BaseModel

from conftest import ROOT
from kenpo_report import model as schema
from kenpo_report.docs.field_reference import REGENERATE, field_reference_markdown
from kenpo_report.docs.reference_types import model_anchor
from kenpo_report.docs.reference_walk import all_models, field_key

REFERENCE = ROOT / "docs" / "reference.md"


def _schema_models() -> list[type[BaseModel]]:
    """Every model defined in kenpo_report.model that has fields (not the shared base class)."""
    return [
        cls
        for _, cls in inspect.getmembers(schema, inspect.isclass)
        if issubclass(cls, BaseModel)
        and cls.__module__.startswith(f"{schema.__name__}.")
        and cls.model_fields
    ]


def _section(text: str, anchor: str) -> str:
    start = text.index(f'<a id="{anchor}"></a>')
    end = text.find("<a id=", start + 1)
    return text[start : end if end != -1 else len(text)]


def test_committed_reference_is_current():
    assert REFERENCE.read_text(encoding="utf-8") == field_reference_markdown(), (
        f"docs/reference.md is out of date; regenerate it: {REGENERATE}"
    )


def test_module_main_prints_the_reference():
    done = subprocess.run(
        [sys.executable, "-m", "kenpo_report.docs.field_reference"],
        check=True,
        capture_output=True,
    )
    assert done.stdout.decode("utf-8") == field_reference_markdown()


def test_every_model_is_reachable():
    assert sorted(m.__name__ for m in all_models()) == sorted(m.__name__ for m in _schema_models())


@pytest.mark.parametrize("model", _schema_models(), ids=lambda m: m.__name__)
def test_every_model_field_appears_in_its_section(model):
    section = _section(field_reference_markdown(), model_anchor(model))
    missing = [
        field_key(name, info)
        for name, info in model.model_fields.items()
        if f"| `{field_key(name, info)}` |" not in section
    ]
    assert not missing, f"{model.__name__}: {missing} missing from docs/reference.md"


def test_every_description_is_shown():
    text = field_reference_markdown()
    for model in _schema_models():
        section = _section(text, model_anchor(model))
        for info in model.model_fields.values():
            if info.description:
                shown = info.description.replace("\n", "\\n").replace("|", "\\|")
                assert shown in section.replace("\\\\", "\\").replace("\\*", "*")


def test_human_types_and_allowed_values():
    text = field_reference_markdown()
    rows = {
        m.group(1): m.group(0)
        for m in re.finditer(r"^\| `([^`]+)` \|.*$", _section(text, "documentsettings"), re.M)
    }
    assert "| 日付 | 必須 |" in rows["date"]
    assert "`results`、`self_evaluation`、`plan`" in rows["kind"]
    kpi = _section(text, "kpientry")
    assert "| `target` | 数値 または `対前年度` | 必須 |" in kpi
    assert "| `rank` | 整数 | 任意 | 1〜47 |" in kpi
    assert "| `header` | はい/いいえ | 任意（省略すると `false`） |" in _section(text, "cellspec")
    blocks = _section(text, "block")
    for model in _schema_models():
        if "type" in model.model_fields and model.__name__ != "Page":
            assert f"[{model.__name__}](#{model_anchor(model)})" in blocks


def test_output_is_deterministic():
    assert field_reference_markdown() == field_reference_markdown()
