"""Validate stage: a branch-year's files -> one checked model, problems at positions.

Import from here (``from kenpo_report.validate import load_plan``)."""

from kenpo_report.validate.plan import (
    MEASURE_BLOCKS,
    Plan,
    check_references,
    load_plan,
    merge,
    sort_problems,
    validate_model,
)

__all__ = [
    "MEASURE_BLOCKS",
    "Plan",
    "check_references",
    "load_plan",
    "merge",
    "sort_problems",
    "validate_model",
]
