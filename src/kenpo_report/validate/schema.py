"""Schema validation of loaded data: pydantic's errors as problems at their positions."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from kenpo_report.errors import Problem, format_path
from kenpo_report.load.yaml_source import Loaded
from kenpo_report.validate.messages import SchemaError, message

M = TypeVar("M", bound=BaseModel)


def validate_model(model: type[M], loaded: Loaded, problems: list[Problem]) -> M | None:
    """*loaded* as a *model*, or None with its problems added to *problems*."""
    try:
        return model.model_validate(loaded.data)
    except ValidationError as exc:
        problems += [_problem(err, loaded) for err in exc.errors(include_url=False)]
        return None


def _problem(err: Any, loaded: Loaded) -> Problem:
    path, rest = _real_path(loaded.data, tuple(err["loc"]))
    kind = err["type"]
    missing_key = next((r for r in reversed(rest) if isinstance(r, str) and not _is_tag(r)), None)
    error = SchemaError(
        kind,
        err.get("input"),
        err.get("ctx") or {},
        err["msg"],
        path,
        missing_key,
        next((r for r in reversed(rest) if isinstance(r, int)), None),
    )
    field_path = [*path, missing_key] if kind == "missing" and missing_key else path
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
