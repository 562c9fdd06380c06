"""The committed editor schemas equal the models' schemas, and every plan validates.

The editor (VS Code's YAML extension) reads a plan as YAML 1.2: ``rank: 12`` is an
integer, ``rank: "12"`` a string, ``signed: false`` a boolean. Our loader keeps every
scalar as the planner's text, so all those forms are the same plan to us; the exported
schema must accept each of them, or the editor would underline valid files. Every file
under plans/ is validated three ways: as written, with every scalar quoted, and with
every quoted number or flag unquoted.

No JSON Schema library is a dependency of the project, so a small validator for the
keywords pydantic emits is below; it refuses any keyword it does not know, so that a
schema it cannot judge fails the test instead of passing it.
"""

from __future__ import annotations

import json
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from conftest import ROOT
from kenpo_report.docs.schema_export import MODELS, json_schema, json_schema_text, yaml12_value


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


# --- a validator for the keywords the exported schemas use ---------------------

_ANNOTATIONS = {"title", "description", "default", "examples", "$schema", "format"}
_APPLIED = {
    "$ref",
    "$defs",
    "type",
    "enum",
    "const",
    "anyOf",
    "oneOf",
    "allOf",
    "discriminator",  # pydantic's hint beside oneOf; the oneOf decides
    "properties",
    "additionalProperties",
    "patternProperties",
    "required",
    "items",
    "prefixItems",
    "minItems",
    "maxItems",
    "minLength",
    "maxLength",
    "pattern",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
}
_TYPES = {
    "null": lambda v: v is None,
    "boolean": lambda v: isinstance(v, bool),
    "integer": lambda v: (
        (isinstance(v, int) and not isinstance(v, bool))
        or (isinstance(v, float) and v.is_integer())
    ),
    "number": lambda v: isinstance(v, int | float) and not isinstance(v, bool),
    "string": lambda v: isinstance(v, str),
    "array": lambda v: isinstance(v, list),
    "object": lambda v: isinstance(v, dict),
}


def _equal(a: Any, b: Any) -> bool:
    """JSON equality: 2 == 2.0, but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    return a == b


def schema_errors(schema: Any, value: Any, root: dict[str, Any], where: str = "") -> list[str]:
    """Why *value* does not match *schema* (empty when it does)."""
    if schema is True:
        return []
    if schema is False:
        return [f"{where}: not allowed"]
    unknown = set(schema) - _ANNOTATIONS - _APPLIED
    assert not unknown, f"the test's validator does not know {sorted(unknown)} (at {where})"
    errors: list[str] = []
    if "$ref" in schema:
        name = schema["$ref"].removeprefix("#/$defs/")
        errors += schema_errors(root["$defs"][name], value, root, where)
    if "type" in schema:
        types = schema["type"] if isinstance(schema["type"], list) else [schema["type"]]
        if not any(_TYPES[t](value) for t in types):
            return [f"{where}: {value!r} is not of type {types}"]
    if "enum" in schema and not any(_equal(value, v) for v in schema["enum"]):
        errors.append(f"{where}: {value!r} not in {schema['enum']}")
    if "const" in schema and not _equal(value, schema["const"]):
        errors.append(f"{where}: {value!r} is not {schema['const']!r}")
    for sub in schema.get("allOf", []):
        errors += schema_errors(sub, value, root, where)
    if "anyOf" in schema:
        found = [schema_errors(sub, value, root, where) for sub in schema["anyOf"]]
        if all(found):
            errors.append(f"{where}: {value!r} matches none of anyOf: {found}")
    if "oneOf" in schema:
        found = [schema_errors(sub, value, root, where) for sub in schema["oneOf"]]
        if sum(not f for f in found) != 1:
            errors.append(f"{where}: {value!r} does not match exactly one of oneOf: {found}")
    if isinstance(value, str):
        if len(value) < schema.get("minLength", 0):
            errors.append(f"{where}: {value!r} is too short")
        if len(value) > schema.get("maxLength", math.inf):
            errors.append(f"{where}: {value!r} is too long")
        if "pattern" in schema and not re.search(schema["pattern"], value):
            errors.append(f"{where}: {value!r} does not match {schema['pattern']}")
    if _TYPES["number"](value):
        if value < schema.get("minimum", -math.inf) or value > schema.get("maximum", math.inf):
            errors.append(f"{where}: {value!r} out of range")
        if value <= schema.get("exclusiveMinimum", -math.inf):
            errors.append(f"{where}: {value!r} out of range")
        if value >= schema.get("exclusiveMaximum", math.inf):
            errors.append(f"{where}: {value!r} out of range")
    if isinstance(value, list):
        if not schema.get("minItems", 0) <= len(value) <= schema.get("maxItems", math.inf):
            errors.append(f"{where}: {len(value)} items")
        prefix = schema.get("prefixItems", [])
        for i, item in enumerate(value):
            sub = prefix[i] if i < len(prefix) else schema.get("items", True)
            errors += schema_errors(sub, item, root, f"{where}[{i}]")
    if isinstance(value, dict):
        for key in schema.get("required", []):
            if key not in value:
                errors.append(f"{where}: {key} is required")
        properties = schema.get("properties", {})
        patterns = schema.get("patternProperties", {})
        for key, item in value.items():
            at = f"{where}.{key}"
            matched = [p for p in patterns if re.search(p, key)]
            if key in properties:
                errors += schema_errors(properties[key], item, root, at)
            for pattern in matched:
                errors += schema_errors(patterns[pattern], item, root, at)
            if key not in properties and not matched:
                errors += schema_errors(schema.get("additionalProperties", True), item, root, at)
    return errors


def test_the_validator_catches_what_it_should():
    schema = json_schema("branch-year")
    good = {"kpis": [{"kpi": "a", "number": "1", "item": "x", "target": "1", "rank": 3}]}
    assert schema_errors(schema, good, schema) == []
    for bad in (
        {"kpis": [{"kpi": "A", "number": "1", "item": "x", "target": "1"}]},  # not an id
        {"kpis": [{"kpi": "a", "number": "1", "item": "x"}]},  # no target
        {"kpis": [{"kpi": "a", "number": "1", "item": "x", "target": "1", "rank": 48}]},
        {"kpis": [{"kpi": "a", "number": "1", "item": "x", "target": "1", "rank": "１"}]},
        {"kpis": [{"kpi": "a", "number": "1", "item": "x", "target": "1", "rnak": 1}]},
        {"documents": [{"id": "r", "kind": "result", "style": "s", "title": "t", "date": "x"}]},
    ):
        assert schema_errors(schema, bad, schema), bad


# --- every plan, in the forms an editor may see ---------------------------------


def _as_editor_sees(node: Node, view: str) -> Any:
    """The YAML 1.2 value of *node*; *view* rewrites the quoting of its scalars first."""
    if isinstance(node, MappingNode):
        return {k.value: _as_editor_sees(v, view) for k, v in node.value}
    if isinstance(node, SequenceNode):
        return [_as_editor_sees(item, view) for item in node.value]
    assert isinstance(node, ScalarNode)
    plain = node.style in (None, "")
    if view == "quoted":  # rank: "12", signed: "false"
        return None if plain and yaml12_value(node.value) is None else node.value
    if view == "unquoted" and not plain and node.style not in ("|", ">"):  # target: 95.5
        typed = yaml12_value(node.value)
        return typed if typed is not None else node.value
    return yaml12_value(node.value) if plain else node.value


def _plan_files() -> list[tuple[str, Path]]:
    plans = ROOT / "plans"
    found = [("catalog", p) for p in sorted((plans / "catalog").glob("*.yaml"))]
    for branch in sorted(p for p in plans.iterdir() if p.name != "catalog" and p.is_dir()):
        found += [("branch", p) for p in sorted(branch.glob("branch.yaml"))]
        found += [("branch-year", p) for p in sorted(branch.glob("[0-9]*/*.yaml"))]
    return found


PLAN_FILES = _plan_files()


def test_there_are_plans_of_each_kind():
    assert {kind for kind, _ in PLAN_FILES} == set(MODELS)


@pytest.mark.parametrize("view", ["as-written", "quoted", "unquoted"])
@pytest.mark.parametrize(
    ("kind", "path"), PLAN_FILES, ids=[p.relative_to(ROOT).as_posix() for _, p in PLAN_FILES]
)
def test_every_plan_file_validates_against_its_schema(kind, path, view):
    schema = json_schema(kind)
    value = _as_editor_sees(yaml.compose(path.read_text(encoding="utf-8")), view)
    errors = schema_errors(schema, value, schema)
    assert not errors, "\n".join(errors[:10])


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("rank: 12", True),
        ('rank: "12"', True),
        ("rank: 48", False),
        ('rank: "１２"', False),
        ("decimals: 1", True),
        ('decimals: "1"', True),
        ("signed: false", True),
        ('signed: "false"', True),
        ("signed: no", False),
        ("level: 2", True),
        ('level: "2"', True),
        ("level: 4", False),
        ("target: 95.5", True),
        ('target: "95.5"', True),
        ('target: "1,234"', True),
        ("target: 対前年度", True),
        ('target: "95.5％"', False),
        ("number: 1", True),  # 項番: any text, even one an editor reads as a number
        ("date: 2025-07-31", True),
        ("date: 2025/07/31", False),
    ],
)
def test_quoted_and_unquoted_forms(text, ok):
    """One key at a time, in the model where it lives."""
    key, _, written = text.partition(": ")
    schema = json_schema("branch-year")
    owner = next(
        name
        for name in ("KpiEntry", "CellSpec", "Heading", "DocumentSettings")
        if key in schema["$defs"][name]["properties"]
    )
    node = yaml.compose(f"{key}: {written}\n")
    value = _as_editor_sees(node, "as-written")[key]
    errors = schema_errors(schema["$defs"][owner]["properties"][key], value, schema)
    assert (not errors) is ok, errors
