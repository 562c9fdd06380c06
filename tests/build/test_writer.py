"""The one atomic writer: replaced files, single files, new folders; nothing half-written."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kenpo_report.build.writer import replace_files, write_file, write_new_folder


def test_write_file_replaces_a_symlink_not_its_target(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("keep", encoding="utf-8")
    link = tmp_path / "out" / "index.html"
    link.parent.mkdir()
    link.symlink_to(outside)
    write_file(link, b"new", durable=True, mode=0o644)
    assert not link.is_symlink() and link.read_bytes() == b"new"
    assert outside.read_text(encoding="utf-8") == "keep"
    assert oct(link.stat().st_mode & 0o777) == "0o644"
    assert sorted(p.name for p in link.parent.iterdir()) == ["index.html"]


def test_replace_files_sweeps_stale_staging_and_leaves_none(tmp_path: Path) -> None:
    (tmp_path / ".staging-old").mkdir()
    written = replace_files(tmp_path, {"a.pdf": b"1", "b.docx": b"2"})
    assert [p.read_bytes() for p in written] == [b"1", b"2"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.pdf", "b.docx"]


def test_write_new_folder_is_all_or_nothing(tmp_path: Path) -> None:
    target = tmp_path / "2025"
    assert write_new_folder(target, {"10-kpis.yaml": b"kpis: []\n"}) == [target / "10-kpis.yaml"]
    with pytest.raises(OSError):
        write_new_folder(target, {"other.yaml": b""})  # not empty: never touched
    assert os.listdir(target) == ["10-kpis.yaml"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["2025"], "no staging left"
