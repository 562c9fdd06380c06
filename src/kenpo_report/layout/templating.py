"""The Jinja environment: autoescape on, StrictUndefined, our filters.

Templates are the single source of layout for both PDF and DOCX.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

import jinja2

from kenpo_report.compute.figures import Quantity

# The build hands these to every template (a style of one's own may use them).
from kenpo_report.compute.styles.common import runs as runs
from kenpo_report.compute.styles.common import spans as spans
from kenpo_report.errors import UserError
from kenpo_report.layout import formatting, marks


@cache
def environment(templates: Path, compiled: Path | None = None) -> jinja2.Environment:
    """The environment for *templates*; *compiled*: a folder that keeps them compiled.

    Compiling the templates takes longer than filling them (岩手: 0.45 s of
    0.95 s), and a planner's rebuild after an edit uses the same templates.
    """
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates)),
        bytecode_cache=_bytecode_cache(compiled),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["fig"] = formatting.figure
    env.filters["mark_url"] = marks.url
    env.globals["mark_meanings"] = marks.MEANINGS
    env.filters["number"] = formatting.number
    env.filters["keep_figures"] = formatting.keep_figures
    env.filters["wide"] = formatting.full_width
    env.tests["quantity"] = lambda value: isinstance(value, Quantity)
    return env


def _bytecode_cache(folder: Path | None) -> jinja2.BytecodeCache | None:
    if folder is None:
        return None
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:  # a read-only checkout builds without it
        return None
    # Jinja keys a template by its name and source; this file's options and
    # filters shape the compiled code too.
    options = hashlib.sha256(Path(__file__).read_bytes()).hexdigest()[:12]
    return jinja2.FileSystemBytecodeCache(str(folder), f"{jinja2.__version__}-{options}-%s.cache")


def render(
    templates: Path,
    style: str,
    kind: str,
    context: dict[str, object],
    compiled: Path | None = None,
) -> str:
    env = environment(templates, compiled)
    name = f"{style}/{kind}.html.j2"
    try:
        template = env.get_template(name)
    except jinja2.TemplateNotFound:
        raise UserError.single(f"様式「{style}」がありません（templates/{name}）") from None
    try:
        return template.render(**context)
    except jinja2.UndefinedError as exc:
        # A template asked for data the plan does not have: the planner (or the
        # style's author) must add it, so this is a user error, not a crash.
        raise UserError.single(
            f"様式「{style}」が使う項目がデータにありません: {exc.message}"
        ) from None
