"""JSON Schemas generated from the pydantic models, for editors (VS Code YAML).

Plans carry a ``# yaml-language-server: $schema=…`` modeline pointing at the
files in ``schema/``; a test keeps those files identical to this output.

The editor reads a plan as YAML 1.2, where ``rank: 12`` is an integer and
``rank: "12"`` a string; our loader keeps both as the text ``12``. So the
exported schema accepts every form the loader accepts: each scalar type says
what the editor may see for it (``kenpo_report.model.EDITOR_FORMS``: an integer or a
string of half-width digits, a boolean or ``"true"``/``"false"`` …), and a
choice such as ``level: "2"`` may also be written ``level: 2``.
"""

from __future__ import annotations

import copy
import json
import re
from decimal import Decimal
from typing import Any

from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from kenpo_report.model import EDITOR_FORMS, SHORTHAND_FORMS, Branch, BranchYear, Catalog

MODELS = {"catalog": Catalog, "branch": Branch, "branch-year": BranchYear}

# Constraints of a field, from pydantic's names to JSON Schema's.
_CONSTRAINTS = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
    "min_length": "minLength",
    "max_length": "maxLength",
}
# Plain YAML 1.2 (core schema) scalars that an editor does not read as strings.
_YAML_INT = re.compile(r"[-+]?[0-9]+")
_YAML_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")


def yaml12_value(text: str) -> Any:
    """What YAML 1.2's core schema makes of *text* written without quotes."""
    if text in ("", "~", "null", "Null", "NULL"):
        return None
    if text in ("true", "True", "TRUE"):
        return True
    if text in ("false", "False", "FALSE"):
        return False
    if _YAML_INT.fullmatch(text):
        return int(text)
    if re.fullmatch(r"0o[0-7]+", text):
        return int(text[2:], 8)
    if re.fullmatch(r"0x[0-9a-fA-F]+", text):
        return int(text[2:], 16)
    if _YAML_FLOAT.fullmatch(text):
        return float(text)
    if re.fullmatch(r"[-+]?\.(inf|Inf|INF)", text):
        return float("-inf") if text.startswith("-") else float("inf")
    if text in (".nan", ".NaN", ".NAN"):
        return float("nan")
    return text


class _EditorSchema(GenerateJsonSchema):
    """pydantic's schema, with each scalar in every form the loader accepts."""

    def function_before_schema(self, schema: core_schema.BeforeValidatorFunctionSchema) -> Any:
        function = schema["function"]["function"]
        if function in SHORTHAND_FORMS:
            full = super().function_before_schema(schema)
            return {"anyOf": [copy.deepcopy(SHORTHAND_FORMS[function]), full]}
        form = EDITOR_FORMS.get(function)
        if form is None:
            return super().function_before_schema(schema)
        out = copy.deepcopy(form)
        inner = schema["schema"]
        for name, keyword in _CONSTRAINTS.items():
            if name in inner:
                value = inner[name]  # type: ignore[literal-required]
                out[keyword] = int(value) if isinstance(value, Decimal) else value
        return out

    def str_schema(self, schema: core_schema.StringSchema) -> JsonSchemaValue:
        out = super().str_schema(schema)
        if "pattern" not in out:
            # Free text: a plain 2024 or true is still the text "2024" or "true" to the loader.
            out["type"] = ["string", "number", "boolean"]
        return out

    def literal_schema(self, schema: core_schema.LiteralSchema) -> JsonSchemaValue:
        out = super().literal_schema(schema)
        values = out.get("enum", [out["const"]] if "const" in out else [])
        typed = [yaml12_value(v) for v in values if isinstance(v, str)]
        extra = [v for v in typed if v is not None and not isinstance(v, str)]
        if extra:  # level: "2" may be written level: 2
            out.pop("const", None)
            out.pop("type", None)
            out["enum"] = [*values, *extra]
        return out


def _json_constraints(node: Any) -> Any:
    """pydantic writes some field constraints under its own names (ge, le): rename them."""
    if isinstance(node, list):
        return [_json_constraints(item) for item in node]
    if not isinstance(node, dict):
        return node
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key in ("properties", "$defs", "patternProperties"):
            out[key] = {name: _json_constraints(sub) for name, sub in value.items()}
        elif key in _CONSTRAINTS and not isinstance(value, dict | list):
            out[_CONSTRAINTS[key]] = int(value) if isinstance(value, Decimal) else value
        elif key in ("default", "const", "enum", "examples"):
            out[key] = value
        else:
            out[key] = _json_constraints(value)
    return out


def json_schema(kind: str) -> dict[str, Any]:
    schema = MODELS[kind].model_json_schema(
        by_alias=True, mode="validation", schema_generator=_EditorSchema
    )
    schema = _json_constraints(schema)
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    if kind == "branch-year":
        # One file of a branch-year holds only some of the keys.
        schema.pop("required", None)
    return schema


def json_schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
