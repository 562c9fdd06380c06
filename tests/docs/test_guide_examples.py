"""Every YAML example of docs/guide.md is real, so the planner's guide cannot rot.

Each ```yaml block of the guide is preceded (blank lines aside) by an HTML
comment that says what it is:

``<!-- example: PATH -->``
    the complete file PATH (relative to the project), created or replaced;
``<!-- example: PATH merge -->``
    a mapping merged into the existing file PATH: mappings are merged key by
    key and lists are appended (the guide shows it as "add this at the end");
``<!-- example: PATH update -->``
    as merge, but list items with a ``kpi`` or ``id`` are merged into the item
    with the same one (the guide shows the entries a planner filled in);
``<!-- run -->``
    before a ```sh block of one ``kenpo-report`` command (such as ``new``), run
    in the story's project; the files it writes count as the examples' files;
``<!-- example: PATH png -->``
    no block: a small PNG at PATH stands in for the planner's picture;
``<!-- fragment: NAME -->``
    part of a file, validated against ``kenpo_report.model.NAME`` (a
    top-level list is validated item by item);
``<!-- wrong: NAME -->``
    a mistake shown on purpose: the loader or ``schema.NAME`` must refuse it;
``<!-- not-a-plan -->``
    other YAML (a pre-commit configuration): it must parse;
``<!-- output: COMMAND; COMMAND … -->``
    before a ```text block: what the last ``kenpo-report`` command prints, run after
    the others in a fresh copy of the project (not the story). Each line of the block
    is a line it prints, in order (``…`` stands for lines left out); the block's last
    line is the last it prints, unless the block ends with ``…``.

The examples are applied in order to one temporary copy of the project (a
running story: the guide builds 岩手 FY2025 step by step). Then every
branch-year they touch, and the year before it, must pass ``check`` and lay
out with its style; examples may not cause warnings either. Examples and
fragments teach the measures model: no ``pages:`` and no layout keys
(``widths``, ``align``, ``label_width``), which belong to the style.
"""

from __future__ import annotations

import re
import shlex
import struct
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import TypeAdapter, ValidationError

from conftest import ROOT, copy_project, run_main
from kenpo_report import model as schema
from kenpo_report.build import pipeline
from kenpo_report.compute.report import build_report
from kenpo_report.errors import Problem, Severity, UserError
from kenpo_report.load.yaml_source import load_file, load_text
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

GUIDE = ROOT / "docs" / "guide.md"
DOCS = ROOT / "docs"

_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")
_MARKER = re.compile(r"^<!--\s*(example|fragment|wrong|not-a-plan|run)\s*(?::\s*(.*?))?\s*-->$")
_YEAR_FILE = re.compile(r"plans/([a-z][a-z0-9_-]*)/([0-9]{4})/[^/]+\.yaml")
_CATALOG = re.compile(r"plans/catalog/([0-9]{4})\.yaml")


@dataclass(frozen=True)
class Marker:
    kind: str  # example | fragment | wrong | not-a-plan
    args: tuple[str, ...]
    line: int  # 1-based line of the marker in the guide
    text: str | None = None  # the yaml block it marks (None for png examples)

    @property
    def where(self) -> str:
        return f"docs/guide.md:{self.line}"


def parse_guide(text: str) -> list[Marker]:
    """Markers paired with their yaml blocks; refuses unmarked blocks and lone markers."""
    tokens: list[tuple[str, Any, int]] = []  # (kind, payload, line)
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        fence = _FENCE.match(line)
        marker = _MARKER.match(line.strip())
        if fence:
            indent, lang = fence.groups()
            body: list[str] = []
            start = i + 1
            i += 1
            while i < len(lines) and not _FENCE.match(lines[i]):
                body.append(lines[i][len(indent) :] if lines[i].startswith(indent) else lines[i])
                i += 1
            if i == len(lines):
                raise AssertionError(f"docs/guide.md:{start}: unclosed ``` block")
            tokens.append(("block", (lang, "\n".join(body) + "\n"), start))
        elif marker:
            kind, args = marker.groups()
            tokens.append(("marker", (kind, tuple((args or "").split())), i + 1))
        elif line.strip():
            tokens.append(("text", None, i + 1))
        i += 1

    markers: list[Marker] = []
    for n, (kind, payload, line) in enumerate(tokens):
        following = tokens[n + 1] if n + 1 < len(tokens) else ("end", None, 0)
        if kind == "marker":
            mkind, args = payload
            standalone = mkind == "example" and args[-1:] == ("png",)
            if standalone:
                markers.append(Marker(mkind, args, line))
                continue
            if mkind == "run":
                if following[0] != "block" or following[1][0] != "sh":
                    raise AssertionError(f"docs/guide.md:{line}: run is not followed by a sh block")
                markers.append(Marker(mkind, args, line, following[1][1]))
                continue
            if following[0] != "block" or following[1][0] != "yaml":
                raise AssertionError(
                    f"docs/guide.md:{line}: marker is not followed by a yaml block"
                )
            markers.append(Marker(mkind, args, line, following[1][1]))
        elif kind == "block" and payload[0] == "yaml":
            previous = tokens[n - 1] if n else ("start", None, 0)
            if previous[0] != "marker":
                raise AssertionError(
                    f"docs/guide.md:{line}: ```yaml block without a marker "
                    "(<!-- example: PATH -->, <!-- fragment: NAME --> …; see this test's docstring)"
                )
    return markers


def _markers(kind: str) -> list[Marker]:
    return [m for m in parse_guide(GUIDE.read_text(encoding="utf-8")) if m.kind == kind]


def _collected(kind: str) -> list[Marker]:
    """Markers for parametrize; a malformed guide fails test_guide_markers_are_well_formed."""
    try:
        return _markers(kind)
    except AssertionError:
        return []


# --- the story: examples applied to a copy of the project -------------------


class _NoAliasDumper(yaml.SafeDumper):
    def ignore_aliases(self, data: Any) -> bool:
        return True


def _merge(base: Any, extra: Any, by_id: bool = False) -> Any:
    if isinstance(base, dict) and isinstance(extra, dict):
        merged = dict(base)
        for key, value in extra.items():
            merged[key] = _merge(base[key], value, by_id) if key in base else value
        return merged
    if isinstance(base, list) and isinstance(extra, list):
        return _merge_items(base, extra) if by_id else base + extra
    return extra


def _item_id(item: Any) -> Any:
    return (item.get("kpi") or item.get("id")) if isinstance(item, dict) else None


def _merge_items(base: list[Any], extra: list[Any]) -> list[Any]:
    """*extra*'s items merged into *base*'s item of the same kpi/id; new ones appended."""
    merged = list(base)
    for item in extra:
        key = _item_id(item)
        at = next((i for i, old in enumerate(merged) if key and _item_id(old) == key), None)
        if at is None:
            merged.append(item)
        else:
            merged[at] = _merge(merged[at], item, by_id=True)
    return merged


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    width, height = 4, 3
    rows = b"".join(b"\x00" + b"\xff\xcc\x66" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def _apply(project: Project, marker: Marker) -> str:
    """Write one example into the project; returns the path it wrote."""
    assert marker.args, f"{marker.where}: example without a path"
    rel, *mode = marker.args
    target = project.root / rel
    assert target.resolve().is_relative_to(project.plans), f"{marker.where}: {rel} is not in plans/"
    target.parent.mkdir(parents=True, exist_ok=True)
    if mode == ["png"]:
        target.write_bytes(_png())
        return rel
    assert marker.text is not None
    if mode in (["merge"], ["update"]):
        assert target.is_file(), f"{marker.where}: nothing to merge into at {rel}"
        base = load_file(target, rel).data
        extra = _load(marker)
        merged = _merge(base, extra, by_id=mode == ["update"])
        text = yaml.dump(merged, Dumper=_NoAliasDumper, allow_unicode=True, sort_keys=False)
        target.write_text(text, encoding="utf-8")
    else:
        assert mode == [], f"{marker.where}: unknown example mode {mode}"
        target.write_text(marker.text, encoding="utf-8")
    return rel


def _run(project: Project, marker: Marker) -> list[str]:
    """Run the guide's command in the project; the plan files it wrote."""
    assert marker.text is not None
    args = shlex.split(marker.text)
    assert args[:1] == ["kenpo-report"] and marker.text.count("\n") == 1, (
        f"{marker.where}: a run block is one kenpo-report command"
    )
    before = set(project.plans.rglob("*.yaml"))
    assert run_main(project, *args[1:]) == 0, f"{marker.where}: {marker.text.strip()} failed"
    return sorted(project.relative(p) for p in set(project.plans.rglob("*.yaml")) - before)


def _load(marker: Marker) -> Any:
    assert marker.text is not None
    try:
        return load_text(marker.text, marker.where).data
    except UserError as exc:
        pytest.fail(f"{marker.where}: the example is not valid YAML:\n{exc}")


def _touched(project: Project, written: list[str]) -> list[tuple[str, int]]:
    """Branch-years the examples change, and the year before each (its 次年度 column)."""
    existing = project.branch_years()
    found: set[tuple[str, int]] = set()
    for rel in written:
        if m := _YEAR_FILE.fullmatch(rel):
            found.add((m.group(1), int(m.group(2))))
        elif m := _CATALOG.fullmatch(rel):
            found.update(by for by in existing if by[1] == int(m.group(1)))
    found.update((b, y - 1) for b, y in list(found) if (b, y - 1) in existing)
    return sorted(found)


def test_guide_markers_are_well_formed():
    markers = parse_guide(GUIDE.read_text(encoding="utf-8"))
    assert any(m.kind == "example" for m in markers)
    for marker in markers:
        if marker.kind in ("fragment", "wrong"):
            assert len(marker.args) == 1, f"{marker.where}: write <!-- {marker.kind}: NAME -->"
            name = marker.args[0]
            assert name == "yaml" or hasattr(schema, name), (
                f"{marker.where}: kenpo_report.model has no {name}"
            )


def test_guide_examples_check_cleanly(tmp_path: Path):
    project = copy_project(tmp_path / "project")
    written: list[str] = []
    for marker in parse_guide(GUIDE.read_text(encoding="utf-8")):
        if marker.kind == "run":
            written += _run(project, marker)
        elif marker.kind == "example":
            written.append(_apply(project, marker))
    targets = _touched(project, written)
    assert targets, "the guide's examples touch no branch-year"
    problems: list[Problem] = []
    for branch, year in targets:
        try:
            warnings = pipeline.check(project, branch, year)
        except UserError as exc:
            problems += exc.problems
            continue
        # Examples must be clean; the real plans' own warnings (資料の誤り) are expected,
        # and so are places still to fill in (記入待ち) where the guide leaves them.
        problems += [
            w
            for w in warnings
            if w.position and w.position.file in written and w.severity is not Severity.PENDING
        ]
        plan = load_plan(project, branch, year)
        for document in plan.data.documents:
            html = pipeline.lay_out(project, plan, build_report(plan, document))
            assert "<html" in html.lower()
    sources = "\n".join(f"  {m.where} → {m.args[0]}" for m in _markers("example"))
    assert not problems, (
        "the guide's examples do not pass `kenpo-report check`:\n"
        + "\n".join(str(p) for p in problems)
        + f"\n(merged files are rewritten, so their line numbers differ; examples:\n{sources})"
    )


def test_guide_full_examples_keep_their_line_numbers(tmp_path: Path):
    """A complete-file example loads on its own, so its positions match the guide."""
    for marker in _markers("example"):
        if marker.text is not None and len(marker.args) == 1:
            assert isinstance(_load(marker), dict), f"{marker.where}: not a mapping"
            assert marker.text.startswith("# yaml-language-server: $schema="), (
                f"{marker.where}: a complete plan file starts with the editor modeline"
            )


_LAYOUT_KEYS = frozenset({"widths", "align", "label_width"})


def _keys(data: Any) -> set[str]:
    if isinstance(data, dict):
        return set(data) | {k for v in data.values() for k in _keys(v)}
    if isinstance(data, list):
        return {k for v in data for k in _keys(v)}
    return set()


def test_guide_examples_keep_layout_out_of_data():
    """The guide teaches the data of a branch-year, not the layout of a page."""
    for marker in _markers("example") + _markers("fragment"):
        if marker.text is None:
            continue
        keys = _keys(_load(marker))
        assert not keys & _LAYOUT_KEYS, (
            f"{marker.where}: layout in the data ({', '.join(sorted(keys & _LAYOUT_KEYS))}); "
            "the style sizes and aligns tables"
        )
        assert "pages" not in keys, f"{marker.where}: write measures, not pages"


# --- fragments, mistakes, other YAML -----------------------------------------


def _validate(marker: Marker, data: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(schema, marker.args[0]))
    for item in data if isinstance(data, list) else [data]:
        adapter.validate_python(item)


@pytest.mark.parametrize("marker", _collected("fragment"), ids=lambda m: f"line{m.line}")
def test_guide_fragment_is_valid(marker: Marker):
    try:
        _validate(marker, _load(marker))
    except ValidationError as exc:
        pytest.fail(f"{marker.where}: not a valid {marker.args[0]}:\n{exc}")


@pytest.mark.parametrize("marker", _collected("wrong"), ids=lambda m: f"line{m.line}")
def test_guide_wrong_example_is_refused(marker: Marker):
    assert marker.text is not None
    try:
        data = load_text(marker.text, marker.where).data
    except UserError:
        return
    assert marker.args[0] != "yaml", f"{marker.where}: expected a YAML error"
    with pytest.raises(ValidationError):
        _validate(marker, data)


@pytest.mark.parametrize("marker", _collected("not-a-plan"), ids=lambda m: f"line{m.line}")
def test_guide_other_yaml_parses(marker: Marker):
    assert yaml.safe_load(marker.text or "") is not None


# --- printed output ------------------------------------------------------------

_OUTPUT = re.compile(r"^<!--\s*output:\s*(.*?)\s*-->$")
_ELLIPSIS = "…"


@dataclass(frozen=True)
class Output:
    commands: tuple[tuple[str, ...], ...]  # kenpo-report commands; the last one's output
    line: int  # 1-based line of the marker in the guide
    lines: tuple[str, ...]  # the text block

    @property
    def where(self) -> str:
        return f"docs/guide.md:{self.line}"


def guide_outputs(text: str) -> list[Output]:
    """The ``<!-- output: … -->`` markers with their text blocks."""
    lines = text.splitlines()
    found: list[Output] = []
    for n, line in enumerate(lines):
        if not (marker := _OUTPUT.match(line.strip())):
            continue
        start = next((i for i in range(n + 1, len(lines)) if lines[i].strip()), len(lines))
        where = f"docs/guide.md:{n + 1}"
        assert start < len(lines) and lines[start].strip() == "```text", (
            f"{where}: output is not followed by a text block"
        )
        end = next((i for i in range(start + 1, len(lines)) if lines[i].strip() == "```"), None)
        assert end is not None, f"{where}: unclosed ``` block"
        commands = tuple(tuple(shlex.split(c)) for c in marker.group(1).split(";"))
        assert all(c[:1] == ("kenpo-report",) for c in commands), f"{where}: not kenpo-report"
        found.append(Output(commands, n + 1, tuple(lines[start + 1 : end])))
    return found


def _outputs() -> list[Output]:
    return guide_outputs(GUIDE.read_text(encoding="utf-8"))


def test_guide_has_outputs():
    assert len(_outputs()) >= 3  # the 記入待ち of a new year, --strict, new's list


@pytest.mark.parametrize("output", _outputs(), ids=lambda o: f"line{o.line}")
def test_guide_output_is_what_the_command_prints(output: Output, tmp_path: Path, capsys):
    project = copy_project(tmp_path / "project")
    *before, last = output.commands
    for command in before:
        assert run_main(project, *command[1:]) == 0, f"{output.where}: {shlex.join(command)}"
    capsys.readouterr()
    run_main(project, *last[1:])
    printed = capsys.readouterr()
    out, err = printed.out.splitlines(), printed.err.splitlines()
    shown = [line for line in output.lines if line != _ELLIPSIS]
    remaining = iter(out + err)
    missing = [line for line in shown if not any(line == got for got in remaining)]
    assert not missing, (
        f"{output.where}: `{shlex.join(last)}` does not print (in this order):\n"
        + "\n".join(missing)
        + "\n\nIt prints:\n"
        + "\n".join(out + err)
    )
    if output.lines[-1:] != (_ELLIPSIS,):
        assert output.lines[-1] in (out[-1:] + err[-1:]), (
            f"{output.where}: `{shlex.join(last)}` prints more after {output.lines[-1]!r}"
        )


# --- links between the documents ----------------------------------------------


def _anchors(path: Path) -> set[str]:
    return set(re.findall(r'<a id="([^"]+)"></a>', path.read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", ["guide.md", "reference.md", "README.md"])
def test_doc_links_resolve(name: str):
    path = DOCS / name
    text = path.read_text(encoding="utf-8")
    broken = []
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if "://" in target:
            continue
        file, _, anchor = target.partition("#")
        linked = DOCS / file if file else path
        missing_anchor = bool(anchor) and linked.suffix == ".md" and linked.is_file()
        if not linked.is_file() or (missing_anchor and anchor not in _anchors(linked)):
            broken.append(target)
    assert not broken, f"docs/{name}: broken links {broken}"
