"""Which models the field reference documents, in what order, and where each is used.

Depth first from each file's root model in field declaration order; a model shared
by two files is documented once, under the first.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, get_args, get_origin

from pydantic import BaseModel
from pydantic.fields import FieldInfo

from kenpo_report.docs.reference_types import (
    BLOCK,
    BLOCK_ANCHOR,
    full_annotation,
    is_block,
    is_model,
    is_union,
    model_anchor,
    unwrap,
)
from kenpo_report.docs.schema_export import MODELS

# Files first as planners meet them: the branch-year, then the catalogue, then branch.yaml.
_ROOT_ORDER = ("branch-year", "catalog", "branch")


@dataclass
class DocSection:
    """One model (or the block union) to document, with where it is used."""

    anchor: str
    model: type[BaseModel] | None  # None: the block union
    used_in: list[str] = field(default_factory=list)
    members: list[type[BaseModel]] = field(default_factory=list)  # block union only


def all_models() -> list[type[BaseModel]]:
    """Every model the reference documents (for tests)."""
    seen: list[type[BaseModel]] = []
    for _, _, sections in roots():
        for section in sections:
            if section.model is not None and section.model not in seen:
                seen.append(section.model)
    return seen


def field_key(name: str, info: FieldInfo) -> str:
    """The key as written in YAML (the alias when there is one, e.g. ``$schema``)."""
    return info.alias or name


def roots() -> list[tuple[str, type[BaseModel], list[DocSection]]]:
    kinds = [k for k in _ROOT_ORDER if k in MODELS] + sorted(set(MODELS) - set(_ROOT_ORDER))
    result = []
    claimed: set[str] = set()  # a model shared by two files is documented once
    for kind in kinds:
        sections = _walk(MODELS[kind], claimed)
        result.append((kind, MODELS[kind], sections))
    return result


def _walk(root: type[BaseModel], claimed: set[str]) -> list[DocSection]:
    """Sections reachable from *root*, depth first in field declaration order."""
    sections: dict[str, DocSection] = {}
    order: list[str] = []

    def visit(model: type[BaseModel], used_in: str | None) -> None:
        anchor = model_anchor(model)
        if anchor in claimed and anchor not in sections:
            return
        if anchor in sections:
            if used_in and used_in not in sections[anchor].used_in:
                sections[anchor].used_in.append(used_in)
            return
        sections[anchor] = DocSection(anchor, model, [used_in] if used_in else [])
        claimed.add(anchor)
        order.append(anchor)
        for name, info in model.model_fields.items():
            where = f"[{model.__name__}](#{anchor}) の `{field_key(name, info)}`"
            for kind, found in _nested(full_annotation(info)):
                if kind == "union":
                    visit_union(found, where)
                else:
                    visit(found[0], where)

    def visit_union(members: list[type[BaseModel]], used_in: str) -> None:
        if BLOCK_ANCHOR in sections:
            if used_in not in sections[BLOCK_ANCHOR].used_in:
                sections[BLOCK_ANCHOR].used_in.append(used_in)
            return
        ordered = sorted(members, key=_definition_index)
        sections[BLOCK_ANCHOR] = DocSection(BLOCK_ANCHOR, None, [used_in], ordered)
        claimed.add(BLOCK_ANCHOR)
        order.append(BLOCK_ANCHOR)
        for member in ordered:
            visit(member, f"[{BLOCK}](#{BLOCK_ANCHOR})")

    visit(root, None)
    for section in sections.values():  # a model's use inside itself (CellSpec.below) last
        section.used_in.sort(key=lambda where: where.startswith(f"[{_name(section)}]("))
    return [sections[a] for a in order]


def _name(section: DocSection) -> str:
    return section.model.__name__ if section.model is not None else BLOCK


def _nested(tp: Any) -> Iterator[tuple[str, list[type[BaseModel]]]]:
    """Models inside an annotation: ("model", [M]) or ("union", [block models])."""
    tp, _ = unwrap(tp)
    if is_model(tp):
        yield "model", [tp]
        return
    args = [a for a in get_args(tp) if a is not type(None)]
    if is_union(tp):
        members = [unwrap(a)[0] for a in args]
        if len(members) > 1 and all(is_block(m) for m in members):
            yield "union", members
            return
    if get_origin(tp) is Literal:
        return
    for arg in args:
        yield from _nested(arg)


def _definition_index(model: type[BaseModel]) -> int:
    """Where *model* is declared in its module (all blocks live in ``model/blocks.py``)."""
    names = list(vars(sys.modules[model.__module__]))
    return names.index(model.__name__) if model.__name__ in names else len(names)
