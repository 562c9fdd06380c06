"""Validate stage: a branch-year's files -> one checked model, problems at positions.

Import from here (``from kenpo_report.validate import load_plan``)."""

from kenpo_report.load.branch_year import merge
from kenpo_report.validate.parts import MEASURE_BLOCKS
from kenpo_report.validate.plan import Plan, load_plan, sort_problems
from kenpo_report.validate.references import check_references
from kenpo_report.validate.schema import validate_model

__all__ = [
    "MEASURE_BLOCKS",
    "Plan",
    "check_references",
    "load_plan",
    "merge",
    "sort_problems",
    "validate_model",
]
