"""Staged, verified, all-or-nothing writes."""

from __future__ import annotations

import os

import pytest

from kenpo_report.build.output import OutputCheckError, check_docx, check_pdf, write_all


def test_bad_pdf_keeps_old_outputs(tmp_path):
    (tmp_path / "results.pdf").write_bytes(b"%PDF-old")
    (tmp_path / "results.docx").write_bytes(b"old-docx")
    with pytest.raises(OutputCheckError):
        write_all(tmp_path, {"results.docx": b"not a zip", "results.pdf": b"%PDF-1.7 truncated"})
    assert (tmp_path / "results.pdf").read_bytes() == b"%PDF-old"
    assert (tmp_path / "results.docx").read_bytes() == b"old-docx"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.docx", "results.pdf"]


def test_truncated_pdf_is_refused(built):
    project, _ = built
    data = (project.output_dir("iwate", 2024) / "results.pdf").read_bytes()
    check_pdf(data)
    with pytest.raises(OutputCheckError):
        check_pdf(data[: len(data) // 2])


def test_a_merged_pdf_is_still_opened_and_refused_when_truncated(built, tmp_path):
    project, _ = built
    data = (project.output_dir("iwate", 2024) / "results.pdf").read_bytes()
    check_pdf(data, syntax=False)
    with pytest.raises(OutputCheckError):
        write_all(tmp_path, {"results.pdf": data[: len(data) // 2]}, merged=["results.pdf"])
    assert not (tmp_path / "results.pdf").exists()


def test_truncated_docx_is_refused(built):
    project, _ = built
    data = (project.output_dir("iwate", 2024) / "results.docx").read_bytes()
    check_docx(data)
    with pytest.raises(OutputCheckError):
        check_docx(data[: len(data) // 2])


def test_symlink_at_output_is_replaced_not_followed(built, tmp_path):
    project, _ = built
    pdf = (project.output_dir("iwate", 2024) / "results.pdf").read_bytes()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(victim, out / "results.pdf")
    write_all(out, {"results.pdf": pdf})
    assert victim.read_text() == "keep me"
    assert not (out / "results.pdf").is_symlink()
    assert (out / "results.pdf").read_bytes() == pdf
