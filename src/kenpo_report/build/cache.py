"""Content hashes of a build's inputs, the build manifest, and the cache store.

A branch-year's outputs are keyed by a hash of everything that can change
them: the files it reads (see :mod:`.inputs`: its YAML files and those of the
years around it, the catalogues, the branch folder, templates/, fonts/), the
commits its documents' drafts resolve to in git, this package's source, the
installed libraries, and the build options. After a successful build the key
and the hashes of the files written are kept in a manifest; a build whose key
and outputs match it has nothing to do.

The store keeps what a build can reuse by content (laid-out parts, DOCX,
charts) under ``<project>/.kenpo-cache/`` (or ``$KENPO_REPORT_CACHE``). It is
a cache: every entry can be deleted at any time, a write that fails is
skipped, and nothing in it is read without its key matching.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path

from kenpo_report import __version__
from kenpo_report.build import inputs
from kenpo_report.build.writer import write_file
from kenpo_report.errors import Position, Problem, Severity
from kenpo_report.project import Project

FORMAT = 1  # of keys and manifests: bump to invalidate every cache entry
MAX_BYTES = 512 * 1024 * 1024  # the store is pruned to this size, least recently used first


def cache_root(project: Project) -> Path:
    override = os.environ.get("KENPO_REPORT_CACHE")
    return Path(override) if override else project.root / ".kenpo-cache"


# --- hashing -------------------------------------------------------------------

_FILE_DIGESTS: dict[tuple, str] = {}


def file_digest(path: Path) -> str:
    """SHA-256 of a file, remembered for the process while its size and times stay."""
    st = path.stat()
    stamp = (str(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
    found = _FILE_DIGESTS.get(stamp)
    if found is None:
        h = hashlib.sha256()
        with open(path, "rb") as handle:
            while chunk := handle.read(1 << 20):
                h.update(chunk)
        found = _FILE_DIGESTS[stamp] = h.hexdigest()
    return found


def files_digest(root: Path, relatives: Iterable[str]) -> str:
    """One hash over named files under *root* (a missing file counts as such)."""
    h = hashlib.sha256()
    for relative in sorted(set(relatives)):
        path = root / relative
        h.update(relative.encode() + b"\0")
        h.update((file_digest(path) if path.is_file() else "-").encode() + b"\n")
    return h.hexdigest()


@cache
def code_digest() -> str:
    """This package's source and the installed distributions: what a build runs."""
    return _source_digest(inputs.PACKAGE)


@cache
def renderer_digest() -> str:
    """The renderers' source (render/) and the installed distributions.

    What laid-out parts, DOCX and charts are keyed by, besides their HTML and
    assets: a change elsewhere in the package shows in the HTML, if at all.
    """
    return _source_digest(inputs.PACKAGE / "render")


def _source_digest(package: Path) -> str:
    h = hashlib.sha256(f"{FORMAT}:{__version__}".encode())
    for path in inputs.code_files(package):
        h.update(path.relative_to(package).as_posix().encode() + b"\0")
        h.update(file_digest(path).encode())
    h.update("\n".join(inputs.distributions()).encode())
    return h.hexdigest()


def digest(*parts: object) -> str:
    """A key from JSON-able values."""
    text = json.dumps(parts, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()


# --- the key of a build -------------------------------------------------------


def build_key(project: Project, branch: str, year: int, options: dict) -> str:
    h = hashlib.sha256(code_digest().encode())
    h.update(json.dumps(options, sort_keys=True).encode())
    # Every style's templates, the key being taken before the plan is loaded; one that a
    # document does not use does not make its laid-out parts stale (see render.parts).
    for path in inputs.build_inputs(project, branch, year):
        h.update(path.relative_to(project.root).as_posix().encode() + b"\0")
        h.update(file_digest(path).encode())
    # The commits the documents' drafts name now: a tag moved to another commit changes
    # the 変更前 column although no file changed.
    for revision, commit in inputs.draft_commits(project, branch, year):
        h.update(f"draft\0{revision}\0{commit}\n".encode())
    return h.hexdigest()


def build_options(formats: Iterable[str], pdf_variant: str | None, strict: bool) -> dict:
    return {"formats": sorted(set(formats)), "pdf_variant": pdf_variant, "strict": strict}


# --- the manifest of a build ----------------------------------------------------


@dataclass
class Manifest:
    key: str
    options: dict
    outputs: dict[str, str] = field(default_factory=dict)  # file name -> SHA-256
    pages: dict[str, int] = field(default_factory=dict)  # document id -> pages
    # Per document: the pages of each part, and the anchors' page numbers, which
    # the next build uses as its first guess (see render.parts).
    parts: dict[str, list[int]] = field(default_factory=dict)
    anchors: dict[str, dict[str, int]] = field(default_factory=dict)
    # ... and where its pages begin (the DOCX's page breaks), the next build's guess too.
    starts: dict[str, list[str]] = field(default_factory=dict)
    # [message, file, line, column, field, severity (警告 / 記入待ち)]
    warnings: list[list] = field(default_factory=list)

    def problems(self) -> list[Problem]:
        return [
            # A manifest written before 記入待ち has no severity: its rows are warnings.
            Problem(
                m, Position(f, ln, col) if f else None, fld, Severity(kind[0] if kind else "警告")
            )
            for m, f, ln, col, fld, *kind in self.warnings
        ]

    @staticmethod
    def warning_rows(problems: list[Problem]) -> list[list]:
        rows = []
        for p in problems:
            pos = p.position
            rows.append(
                [
                    p.message,
                    pos.file if pos else None,
                    pos.line if pos else 0,
                    pos.column if pos else 0,
                    p.field,
                    p.severity.value,
                ]
            )
        return rows


def manifest_path(project: Project, branch: str, year: int) -> Path:
    return cache_root(project) / "builds" / branch / f"{year}.json"


def read_manifest(project: Project, branch: str, year: int) -> Manifest | None:
    try:
        data = json.loads(manifest_path(project, branch, year).read_text(encoding="utf-8"))
        if data.pop("format", None) != FORMAT:
            return None
        return Manifest(**data)
    except (OSError, ValueError, TypeError):
        return None


def write_manifest(project: Project, branch: str, year: int, manifest: Manifest) -> None:
    text = json.dumps({"format": FORMAT, **asdict(manifest)}, ensure_ascii=False, indent=1)
    with contextlib.suppress(OSError):  # without a manifest the next build builds again
        write_file(manifest_path(project, branch, year), text.encode())


def outputs_match(folder: Path, outputs: dict[str, str]) -> bool:
    """Every recorded output is there with the recorded content."""
    for name, expected in outputs.items():
        path = folder / name
        if path.is_symlink() or not path.is_file() or file_digest(path) != expected:
            return False
    return True


def fresh_manifest(
    project: Project, branch: str, year: int, options: dict
) -> tuple[str, Manifest | None]:
    """The current key, and the manifest when the outputs are up to date with it."""
    key = build_key(project, branch, year, options)
    manifest = read_manifest(project, branch, year)
    if (
        manifest is not None
        and manifest.key == key
        and outputs_match(project.output_dir(branch, year), manifest.outputs)
    ):
        return key, manifest
    return key, None


# --- the store ------------------------------------------------------------------


class Store:
    """Bytes by kind and key, in files; best effort (a failed write is skipped)."""

    def __init__(self, root: Path) -> None:
        self.root = root

    @classmethod
    def of(cls, project: Project) -> Store:
        return cls(cache_root(project) / "store")

    def _path(self, kind: str, key: str) -> Path:
        return self.root / kind / key[:2] / key

    def get(self, kind: str, key: str) -> bytes | None:
        path = self._path(kind, key)
        try:
            data = path.read_bytes()
            os.utime(path)  # recently used: pruned last
            return data
        except OSError:
            return None

    def put(self, kind: str, key: str, data: bytes) -> None:
        with contextlib.suppress(OSError):  # a full or read-only disk: no caching, no failure
            write_file(self._path(kind, key), data)

    def get_json(self, kind: str, key: str) -> dict | None:
        data = self.get(kind, key)
        try:
            return json.loads(data) if data is not None else None
        except ValueError:
            return None

    def put_json(self, kind: str, key: str, value: object) -> None:
        self.put(kind, key, json.dumps(value, ensure_ascii=False).encode())

    def prune(self, max_bytes: int = MAX_BYTES) -> None:
        """Delete the least recently used entries until the store is under *max_bytes*."""
        entries = []
        for root, _, names in os.walk(self.root):
            for name in names:
                path = Path(root, name)
                try:
                    st = path.stat()
                except OSError:
                    continue
                entries.append((st.st_mtime_ns, st.st_size, path))
        total = sum(size for _, size, _ in entries)
        for _, size, path in sorted(entries):
            if total <= max_bytes:
                break
            path.unlink(missing_ok=True)
            total -= size
