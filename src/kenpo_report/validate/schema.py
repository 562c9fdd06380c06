"""Schema validation of loaded data: pydantic's errors as problems at their positions."""

from __future__ import annotations

from dataclasses import replace
from functools import cache
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kenpo_report.errors import Problem, format_path
from kenpo_report.load.yaml_source import Loaded
from kenpo_report.model.common import Model
from kenpo_report.validate.messages import SchemaError, closest, message

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], loaded: Loaded, problems: list[Problem]) -> M | None:
    """*loaded* as a *model*, or None with its problems added to *problems*."""
    try:
        return model.model_validate(loaded.data)
    except ValidationError as exc:
        errors = [_schema_error(err, loaded) for err in exc.errors(include_url=False)]
        problems += [_problem(error, loaded) for error in _root_causes(errors, loaded.data)]
        return None


def _schema_error(err: Any, loaded: Loaded) -> SchemaError:
    path, rest = _real_path(loaded.data, tuple(err["loc"]))
    return SchemaError(
        err["type"],
        err.get("input"),
        err.get("ctx") or {},
        err["msg"],
        path,
        next((r for r in reversed(rest) if isinstance(r, str) and not _is_tag(r)), None),
        next((r for r in reversed(rest) if isinstance(r, int)), None),
    )


def _root_causes(errors: list[SchemaError], data: Any) -> list[SchemaError]:
    """An unknown key beside a missing one it resembles (``targt:`` for ``target:``) is
    the likely misspelling: one problem, at the unknown key, naming the key meant."""
    missing = {
        (tuple(e.path), e.missing_key): e
        for e in errors
        if e.type == "missing" and e.missing_key is not None
    }
    unknown = {
        (tuple(e.path[:-1]), str(e.path[-1]))
        for e in errors
        if e.type == "extra_forbidden" and e.path
    }
    dropped: set[int] = set()
    out = []
    for error in errors:
        if error.type == "extra_forbidden" and error.path:
            parent, key = tuple(error.path[:-1]), str(error.path[-1])
            meant = closest(key, [k for p, k in missing if p == parent])
            if meant is not None:  # the missing key's error is this one's follow-on
                dropped.add(id(missing[(parent, meant)]))
            else:
                meant = closest(
                    key, _known_keys(data, parent, {k for p, k in unknown if p == parent})
                )
            error = replace(error, missing_key=meant)
        out.append(error)
    return [_described(e, data) for e in out if id(e) not in dropped]


def _known_keys(data: Any, parent: tuple, unknown: set[str]) -> set[str]:
    """The keys *parent*'s mapping may have that it does not: those of every model whose
    keys include all the keys it has (but the unknown ones)."""
    written = _written(data, parent) - unknown
    known: set[str] = set()
    for keys, _ in _models():
        if written <= keys:
            known |= keys
    return known - written


def _described(error: SchemaError, data: Any) -> SchemaError:
    """A missing field with what may be written there: its description and examples."""
    if error.type != "missing" or error.missing_key is None:
        return error
    wanted = _written(data, tuple(error.path)) | {error.missing_key}
    for keys, model in _models():
        if wanted <= keys:
            key = error.missing_key
            info = next(i for n, i in model.model_fields.items() if (i.alias or n) == key)
            ctx = {**error.ctx, "description": info.description, "examples": info.examples}
            return replace(error, ctx=ctx)
    return error


def _written(data: Any, path: tuple) -> set[str]:
    for part in path:
        data = data[part]
    return {str(k) for k in data} if isinstance(data, dict) else set()


@cache
def _models() -> list[tuple[frozenset[str], type[Model]]]:
    """The keys (aliases where given) of every model of the plans, with the model."""
    models, todo = [], [Model]
    while todo:
        cls = todo.pop()
        todo += cls.__subclasses__()
        if cls.model_fields:
            keys = frozenset(i.alias or n for n, i in cls.model_fields.items())
            models.append((keys, cls))
    return models


def _problem(error: SchemaError, loaded: Loaded) -> Problem:
    path = error.path
    kind = error.type
    field_path = [*path, error.missing_key] if kind == "missing" and error.missing_key else path
    at = loaded.source.key if kind == "extra_forbidden" else loaded.source.get
    return Problem(message(error), at(tuple(path)), format_path(tuple(field_path)))


def _real_path(data: Any, loc: tuple[Any, ...]) -> tuple[list[str | int], list[Any]]:
    """Follow *loc* through *data*, dropping pydantic's union/validator tags."""
    path: list[str | int] = []
    rest: list[Any] = []
    current = data
    for part in loc:
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and 0 <= part < len(current)
        ):
            path.append(part)
            current = current[part]
        else:
            rest.append(part)
    return path, rest


def _is_tag(part: str) -> bool:
    """A part of pydantic's location that names a union member, not a field."""
    return "[" in part or part in ("number", "ratio", "text", "spec", "str", "decimal")
