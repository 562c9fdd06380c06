"""The YAML text of the new files, written by hand so that it carries comments.

Values wrapped in a ``Note`` get comment lines above them or a comment at the
end of their line, and may ask the planner for something (記入待ち / 確認);
``iter_todos`` lists those requests, by path, for their file:line:col.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any


@dataclass
class Note:
    """A value with comments, and optionally something for the planner to do.

    ``before`` are full comment lines above the key or list item, ``after`` a
    comment at the end of its line (only for values written on that line).
    """

    value: Any
    before: tuple[str, ...] = ()
    after: str | None = None
    todo: tuple[str, str] | None = None  # (kind, message)


def plain(value: Any) -> Any:
    """The data without notes: what the written YAML must load back as."""
    if isinstance(value, Note):
        return plain(value.value)
    if isinstance(value, dict):
        return {k: plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [plain(v) for v in value]
    return value


_LOOKS_TYPED = re.compile(r"^([-+.]?[0-9]|~$|(null|true|false|yes|no|on|off|y|n)$)", re.IGNORECASE)
PRIVATE_USE = re.compile("[\ue000-\uf8ff]")
WIDTH = 100


def scalar(text: str, flow: bool = False) -> str:
    """A string as YAML: plain when that reads back as the same string, else "quoted".

    Strings that YAML 1.1/1.2 (and so the editor's schema check) would read
    as numbers, booleans or null are quoted, as planners write them
    (``target: "95.5"``). Private-use characters (Wingdings bullets) are
    written as escapes (``"\\uF0D8"``), as in the hand-written files.
    """
    safe = (
        text != ""
        and text == text.strip()
        and all(ch.isprintable() and ch != "\u3000" for ch in text)
        and text[0] not in "-?:,[]{}#&*!|>'\"%@`"
        and ": " not in text
        and " #" not in text
        and not text.endswith(":")
        and not _LOOKS_TYPED.match(text)
        and not PRIVATE_USE.search(text)
        and not (flow and any(ch in text for ch in ",[]{}"))
    )
    if safe:
        return text
    quoted = json.dumps(text, ensure_ascii=False)
    return PRIVATE_USE.sub(lambda m: f"\\u{ord(m.group()):04X}", quoted)


def _flow(value: Any) -> str | None:
    """One-line form of a value, or None when it must be written as a block."""
    if isinstance(value, Note):
        return None
    if isinstance(value, str):
        return scalar(value, flow=True)
    if isinstance(value, list):
        parts = [_flow(v) for v in value]
        if any(p is None or v is None for p, v in zip(parts, value, strict=True)):
            return None
        return "[" + ", ".join(parts) + "]"  # type: ignore[arg-type]
    if isinstance(value, dict):
        items = []
        for k, v in value.items():
            p = _flow(v)
            if p is None or v is None:
                return None
            items.append(f"{scalar(k, flow=True)}: {p}")
        return "{" + ", ".join(items) + "}"
    return None


def _inline(value: Any, indent: int) -> str | None:
    if value is None:
        return ""
    if isinstance(value, str):
        return scalar(value)
    if isinstance(value, list | dict) and not value:
        return "[]" if isinstance(value, list) else "{}"
    if _has_block(value):
        return None  # page blocks are always written one key a line, as planners do
    text = _flow(value)
    if text is None or indent + len(text) > WIDTH or _depth(value) > 2:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value) and len(text) > 60:
        return None  # a list of sentences reads better one a line
    # Figures, cells, short rows stay on one line ({numerator: …, denominator: …}).
    return text


def _has_block(value: Any) -> bool:
    if isinstance(value, dict):
        return "type" in value or any(_has_block(v) for v in value.values())
    if isinstance(value, list):
        return any(_has_block(v) for v in value)
    return False


def _depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_depth(v) for v in value), default=0)
    return 0


def _unwrap(value: Any) -> tuple[Any, tuple[str, ...], str | None]:
    if isinstance(value, Note):
        return value.value, value.before, value.after
    return value, (), None


def _comments(lines: tuple[str, ...], indent: int) -> list[str]:
    return [" " * indent + "# " + part for line in lines for part in line.split("\n")]


def _trail(after: str | None) -> str:
    return f"  # {after}" if after else ""


def _block(value: Any, indent: int, spaced: bool = False) -> list[str]:
    pad = " " * indent
    out: list[str] = []
    if isinstance(value, dict):
        for key, raw in value.items():
            node, before, after = _unwrap(raw)
            if spaced and out:
                out.append("")
            out += _comments(before, indent)
            head = f"{pad}{scalar(key)}:"
            text = _inline(node, indent + len(head) + 1)
            if text is not None:
                out.append(f"{head} {text}".rstrip() + _trail(after))
            else:
                out.append(head + _trail(after))
                # A top-level list of entries (kpis, pages) gets a blank line between items.
                out += _block(node, indent + 2, spaced=indent == 0 and isinstance(node, list))
        return out
    for raw in value:
        node, before, after = _unwrap(raw)
        if spaced and out:
            out.append("")
        out += _comments(before, indent)
        text = _inline(node, indent + 2)
        if text is not None:
            out.append(f"{pad}- {text}".rstrip() + _trail(after))
            continue
        sub = _block(node, indent + 2)
        while sub and sub[0].lstrip().startswith("#"):
            out.append(sub.pop(0))
        out.append(f"{pad}- {sub[0].lstrip()}")
        out += sub[1:]
    return out


def dump(data: dict[str, Any], header: list[str]) -> str:
    """The YAML text of *data* (a mapping with notes), below *header* comment lines."""
    return "\n".join([*header, *_block(data, 0, spaced=False)]) + "\n"


def iter_todos(value: Any, path: tuple[str | int, ...] = ()) -> Iterator[tuple[tuple, str, str]]:
    """(path, kind, message) of every note that asks for something."""
    if isinstance(value, Note):
        if value.todo:
            yield path, *value.todo
        yield from iter_todos(value.value, path)
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from iter_todos(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from iter_todos(v, (*path, i))
