"""The committed editor schemas equal the models' schemas, and every plan validates."""

from __future__ import annotations

import json

import pytest

from conftest import ROOT
from kenpo_report.schema_export import MODELS, json_schema_text


@pytest.mark.parametrize("kind", sorted(MODELS))
def test_committed_schema_is_current(kind):
    path = ROOT / "schema" / f"{kind}.schema.json"
    assert path.read_text(encoding="utf-8") == json_schema_text(kind), (
        f"regenerate: kenpo-report schema {kind} -o schema/{kind}.schema.json"
    )


def test_every_field_has_a_japanese_description():
    schema = json.loads(json_schema_text("branch-year"))
    missing = []
    for name, definition in schema["$defs"].items():
        for field, spec in definition.get("properties", {}).items():
            if (
                field not in ("type",)
                and "description" not in spec
                and "$ref" not in spec
                and "allOf" not in spec
            ):
                missing.append(f"{name}.{field}")
    assert not missing, missing
