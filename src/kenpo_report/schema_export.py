"""JSON Schemas generated from the pydantic models, for editors (VS Code YAML).

Plans carry a ``# yaml-language-server: $schema=…`` modeline pointing at the
files in ``schema/``; a test keeps those files identical to this output.
"""

from __future__ import annotations

import json
from typing import Any

from .schema import Branch, BranchYear, Catalog

MODELS = {"catalog": Catalog, "branch": Branch, "branch-year": BranchYear}


def json_schema(kind: str) -> dict[str, Any]:
    schema = MODELS[kind].model_json_schema(by_alias=True, mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    if kind == "branch-year":
        # One file of a branch-year holds only some of the keys.
        schema.pop("required", None)
    return schema


def json_schema_text(kind: str) -> str:
    return json.dumps(json_schema(kind), ensure_ascii=False, indent=2, sort_keys=True) + "\n"
