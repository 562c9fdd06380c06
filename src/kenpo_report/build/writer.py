"""The one atomic writer: files replaced all at once, single files, new folders.

Nothing is ever left half-written: data goes to a temporary file or staging
folder beside its place and is renamed there (a rename within a folder is
atomic). A symlink planted at a target is replaced, never followed.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path


class ShortWriteError(OSError):
    """The disk took fewer bytes than were written (a full disk, a size limit)."""


def replace_files(folder: Path, files: dict[str, bytes]) -> list[Path]:
    """Write *files* (name -> bytes) into *folder*: all staged and synced first, then each
    renamed over its old version. Raises OSError; no staging is left."""
    # A build killed mid-write leaves its staging folder: sweep it now.
    for stale in folder.glob(".staging-*"):
        shutil.rmtree(stale, ignore_errors=True)
    staging = Path(tempfile.mkdtemp(prefix=".staging-", dir=folder))
    try:
        staged = []
        for name, data in files.items():
            path = staging / name
            _write_bytes(path, data)
            staged.append(path)
        final = []
        for path in staged:
            target = folder / path.name
            os.replace(path, target)  # replaces a symlink itself, never its target
            final.append(target)
        return final
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def write_file(path: Path, data: bytes, *, durable: bool = False, mode: int | None = None) -> None:
    """One file, atomically: written beside *path*, then renamed over it.

    *durable* syncs it to disk first (a published page; the cache's entries need
    not be: a lost one is laid out again). *mode* sets its permissions (a temporary
    file is private to its owner).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, name = tempfile.mkstemp(prefix=".tmp-", dir=path.parent)
    os.close(handle)
    temporary = Path(name)
    try:
        _write_bytes(temporary, data, durable)
        if mode is not None:
            os.chmod(temporary, mode)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_new_folder(target: Path, files: dict[str, bytes]) -> list[Path]:
    """A folder that does not exist yet (or is empty), with *files*, all or nothing:
    staged beside it and renamed into place. Raises OSError; no staging is left."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".new-{target.name}-", dir=target.parent))
    try:
        for name, data in files.items():
            _write_bytes(staging / name, data)
        if target.is_dir():
            target.rmdir()  # only an empty folder: rmdir refuses otherwise
        staging.rename(target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    return [target / name for name in files]


def _write_bytes(path: Path, data: bytes, durable: bool = True) -> None:
    """*data* into *path*; *durable*: synced to disk and its size checked."""
    with open(path, "wb") as handle:
        handle.write(data)
        if durable:
            handle.flush()
            os.fsync(handle.fileno())
    if durable and path.stat().st_size != len(data):
        raise ShortWriteError(f"short write: {path.name}")
