"""Tests of the position-keeping YAML loader (kenpo_report.load.yaml_source)."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from kenpo_report.errors import Position, Problem, UserError
from kenpo_report.load import yaml_source as loader
from kenpo_report.load.yaml_source import MAX_FILE_BYTES, MAX_SCALAR_CHARS, load_file, load_text

NAME = "plans/x/2024/00.yaml"


def problems(call: Callable[[], Any]) -> list[Problem]:
    """Run *call*, which must raise UserError, and return its problems."""
    with pytest.raises(UserError) as info:
        call()
    assert info.value.problems, "a UserError must carry at least one problem"
    return info.value.problems


def text_problems(text: str) -> list[Problem]:
    return problems(lambda: load_text(text, NAME))


def file_problems(tmp_path: Path, raw: bytes) -> list[Problem]:
    path = tmp_path / "plan.yaml"
    path.write_bytes(raw)
    return problems(lambda: load_file(path, NAME))


def at(line: int, column: int) -> Position:
    return Position(NAME, line, column)


# --- positions ----------------------------------------------------------------

NESTED = """\
title: 報告書
kpis:
  - kpi: rate
    figures:
      actual: "95.5"
    notes:
      - ※注記
  - kpi: count
"""


def test_every_value_has_its_one_based_position() -> None:
    loaded = load_text(NESTED, NAME)
    assert loaded.data == {
        "title": "報告書",
        "kpis": [
            {"kpi": "rate", "figures": {"actual": "95.5"}, "notes": ["※注記"]},
            {"kpi": "count"},
        ],
    }
    assert loaded.source.positions == {
        (): at(1, 1),
        ("title",): at(1, 8),
        # A block list or mapping value maps to its key, not to the next line.
        ("kpis",): at(2, 1),
        # A mapping in a list starts at its first key, after "- ".
        ("kpis", 0): at(3, 5),
        ("kpis", 0, "kpi"): at(3, 10),
        ("kpis", 0, "figures"): at(4, 5),
        ("kpis", 0, "figures", "actual"): at(5, 15),
        ("kpis", 0, "notes"): at(6, 5),
        ("kpis", 0, "notes", 0): at(7, 9),
        ("kpis", 1): at(8, 5),
        ("kpis", 1, "kpi"): at(8, 10),
    }


def test_source_map_get_falls_back_to_the_deepest_known_prefix() -> None:
    source = load_text(NESTED, NAME).source
    assert source.get(("kpis", 0, "figures", "actual")) == at(5, 15)
    assert source.get(("kpis", 0, "figures", "national")) == at(4, 5)
    assert source.get(("kpis", 7, "kpi")) == at(2, 1)
    assert source.get(("nothing",)) == at(1, 1)


def test_flow_collection_value_maps_to_its_key() -> None:
    loaded = load_text("row:\n  cells: [a, {b: c}]\n", NAME)
    assert loaded.data == {"row": {"cells": ["a", {"b": "c"}]}}
    assert loaded.source.positions[("row", "cells")] == at(2, 3)
    assert loaded.source.positions[("row", "cells", 0)] == at(2, 11)
    assert loaded.source.positions[("row", "cells", 1, "b")] == at(2, 18)


# --- YAML 1.1 surprises stay strings -------------------------------------------


@pytest.mark.parametrize(
    "typed",
    ["NO", "yes", "on", "010", "1:30", "0.10", "2024-03-01", "0x1F", ".inf"],
)
def test_yaml11_lookalikes_stay_the_exact_string_typed(typed: str) -> None:
    loaded = load_text(f"value: {typed}\n", NAME)
    assert loaded.data == {"value": typed}
    assert type(loaded.data["value"]) is str


def test_all_lookalikes_in_one_document_stay_strings() -> None:
    loaded = load_text("a: NO\nb: yes\nc: on\nd: 010\ne: 1:30\nf: 0.10\n", NAME)
    assert loaded.data == {"a": "NO", "b": "yes", "c": "on", "d": "010", "e": "1:30", "f": "0.10"}


@pytest.mark.parametrize("typed", ["~", "null", ""])
def test_null_forms_become_none(typed: str) -> None:
    loaded = load_text(f"value: {typed}\nnext: x\n", NAME)
    assert loaded.data == {"value": None, "next": "x"}


def test_quoted_null_forms_stay_strings() -> None:
    loaded = load_text('a: "null"\nb: \'~\'\nc: ""\n', NAME)
    assert loaded.data == {"a": "null", "b": "~", "c": ""}


# --- errors ------------------------------------------------------------------


def test_duplicate_key_is_an_error_naming_both_lines() -> None:
    found = text_problems("name: a\nother: b\nname: c\n")
    assert len(found) == 1
    assert found[0].position == at(3, 1)
    assert "キー「name」が重複しています" in found[0].message
    assert "1行目と3行目" in found[0].message


def test_anchor_is_refused_at_its_position() -> None:
    found = text_problems("a: 1\nb: &x 2\n")
    assert found[0].position == at(2, 4)
    assert "アンカー" in found[0].message


def test_alias_is_refused_at_its_position() -> None:
    found = text_problems("a: 1\nb:\n  c: *a\n")
    assert found[0].position == at(3, 6)
    assert "エイリアス" in found[0].message


def test_python_object_tag_is_refused_and_nothing_runs(capfd: pytest.CaptureFixture[str]) -> None:
    found = text_problems("cmd: !!python/object/new:os.system [echo hi]\n")
    assert found[0].position == at(1, 6)
    assert "タグ" in found[0].message
    assert "は使えません" in found[0].message
    out, err = capfd.readouterr()
    assert "hi" not in out
    assert "hi" not in err


def test_python_apply_tag_does_not_create_a_file(tmp_path: Path) -> None:
    target = tmp_path / "pwned"
    found = text_problems(f'x: !!python/object/apply:builtins.open ["{target.as_posix()}", "w"]\n')
    assert found[0].position == at(1, 4)
    assert "タグ" in found[0].message
    assert not target.exists()


def test_explicit_str_tag_is_refused() -> None:
    found = text_problems("a: ok\nb: !!str 010\n")
    assert found[0].position == at(2, 4)
    assert "タグ" in found[0].message
    assert "str" in found[0].message


def test_multiple_documents_are_refused() -> None:
    found = text_problems("a: 1\n---\nb: 2\n")
    assert found[0].position == at(2, 1)
    assert "YAML文書は1つだけ" in found[0].message


@pytest.mark.parametrize("text", ["", "---\n", "# コメントだけ\n"])
def test_empty_file_is_an_error(text: str) -> None:
    found = text_problems(text)
    assert found[0].position == at(1, 1)
    assert "ファイルが空です" in found[0].message


def test_empty_file_on_disk_is_an_error(tmp_path: Path) -> None:
    found = file_problems(tmp_path, b"")
    assert found[0].position == at(1, 1)
    assert "ファイルが空です" in found[0].message


def test_tab_indentation_is_refused() -> None:
    found = text_problems("a:\n\tb: 1\n")
    assert found[0].position == at(2, 1)
    assert "タブ" in found[0].message


@pytest.mark.parametrize(
    ("escape", "code"),
    [("\\x0b", "U+000B"), ("\\0", "U+0000"), ("\\ud800", "U+D800")],
)
def test_control_character_escapes_are_refused(escape: str, code: str) -> None:
    found = text_problems(f'ok: x\nbad: "a{escape}b"\n')
    assert found[0].position == at(2, 6)
    assert "使えない制御文字" in found[0].message
    assert code in found[0].message


def test_raw_control_byte_is_refused(tmp_path: Path) -> None:
    found = file_problems(tmp_path, b"a: b\x01c\n")
    assert found[0].position == at(1, 5)
    assert "使えない制御文字" in found[0].message
    assert "U+0001" in found[0].message


def test_raw_control_byte_column_counts_characters_not_bytes(tmp_path: Path) -> None:
    found = file_problems(tmp_path, "a: b\nc: あい\x7f\n".encode())
    assert found[0].position == at(2, 6)
    assert "U+007F" in found[0].message


def test_utf8_bom_is_refused(tmp_path: Path) -> None:
    found = file_problems(tmp_path, b"\xef\xbb\xbfa: b\n")
    assert found[0].position == at(1, 1)
    assert "BOM" in found[0].message


def test_invalid_utf8_is_refused_at_the_bad_byte(tmp_path: Path) -> None:
    raw = "a: あい\nc: dé".encode() + b"\xff" + b"x\n"
    found = file_problems(tmp_path, raw)
    assert found[0].position == at(2, 6)
    assert "UTF-8として読めない" in found[0].message


def test_billion_laughs_is_rejected_at_the_first_anchor_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    bomb = "\n".join(lines) + "\n"
    assert len(bomb.encode()) == 342
    start = time.perf_counter()
    found = text_problems(bomb)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert len(found) == 1
    assert found[0].position == at(1, 4)
    assert "アンカー" in found[0].message


# --- caps --------------------------------------------------------------------


def test_file_larger_than_the_limit_is_refused(tmp_path: Path) -> None:
    raw = b"a: " + b"x" * (MAX_FILE_BYTES - 3) + b"\n"
    assert len(raw) == MAX_FILE_BYTES + 1
    found = file_problems(tmp_path, raw)
    assert found[0].position == at(1, 1)
    assert "ファイルが大きすぎます" in found[0].message
    assert f"{MAX_FILE_BYTES:,}" in found[0].message


def test_file_size_limit_boundary(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 10)
    path = tmp_path / "plan.yaml"
    path.write_bytes(b"a: 123456\n")  # exactly 10 bytes
    assert load_file(path, NAME).data == {"a": "123456"}
    path.write_bytes(b"a: 1234567\n")  # 11 bytes
    found = problems(lambda: load_file(path, NAME))
    assert "ファイルが大きすぎます" in found[0].message


def test_scalar_longer_than_the_limit_is_refused() -> None:
    found = text_problems("ok: x\ntext: " + "あ" * (MAX_SCALAR_CHARS + 1) + "\n")
    assert len(found) == 1
    assert found[0].position == at(2, 7)
    assert "文字数が多すぎます" in found[0].message


def test_scalar_at_the_limit_is_accepted() -> None:
    loaded = load_text("text: " + "あ" * MAX_SCALAR_CHARS + "\n", NAME)
    assert len(loaded.data["text"]) == MAX_SCALAR_CHARS


def test_long_unbroken_ascii_word_gives_a_length_error_quickly() -> None:
    text = "text: " + "x" * 100_000 + "\n"
    start = time.perf_counter()
    found = text_problems(text)
    elapsed = time.perf_counter() - start
    assert elapsed < 1.0
    assert len(found) == 1
    assert found[0].position == at(1, 7)
    assert "文字数が多すぎます" in found[0].message


def test_unbroken_word_limit_boundary() -> None:
    limit = loader.MAX_WORD_CHARS
    assert load_text(f"w: {'x' * limit}\n", NAME).data == {"w": "x" * limit}
    found = text_problems(f"w: {'x' * (limit + 1)}\n")
    assert found[0].position == at(1, 4)
    assert "区切りのない英数字" in found[0].message


# --- several problems at once --------------------------------------------------


def test_several_duplicate_keys_are_all_reported_at_once() -> None:
    found = text_problems("a: 1\nb: 2\na: 3\nc:\n  d: 4\n  d: 5\n")
    assert [p.position for p in found] == [at(3, 1), at(6, 3)]
    assert "キー「a」" in found[0].message
    assert "1行目と3行目" in found[0].message
    assert "キー「d」" in found[1].message
    assert "5行目と6行目" in found[1].message


def test_user_error_text_is_compiler_style() -> None:
    with pytest.raises(UserError) as info:
        load_text("a: 1\na: 2\n", NAME)
    assert str(info.value).startswith(f"{NAME}:2:1: エラー: キー「a」が重複しています")


# --- regressions (bugs found while writing these tests) --------------------


def test_crlf_line_endings_are_accepted() -> None:
    loaded = load_text("a: 1\r\nb: x\r\n", NAME)
    assert loaded.data == {"a": "1", "b": "x"}
    assert loaded.source.positions[("b",)] == at(2, 4)


def test_unicode_line_separator_does_not_shift_line_numbers() -> None:
    found = text_problems("a: 1\u2028b: 2\nc: 3\nc: 4\n")
    message = found[0].message
    # Either refuse the character, or report the duplicate on the line an editor shows (3).
    assert "U+2028" in message or found[0].position == at(3, 1)


def test_duplicate_key_names_its_field() -> None:
    found = text_problems("kpis:\n  - kpi: a\n    actual: '1'\n    actual: '2'\n")
    assert found[0].field == "kpis[0].actual"
    assert found[0].position == at(4, 5)


def test_load_file_collecting_keeps_the_data_of_a_duplicate_key(tmp_path: Path) -> None:
    path = tmp_path / "plan.yaml"
    path.write_text("a: 1\na: 2\nb: 3\n", encoding="utf-8")
    found: list[Problem] = []
    loaded = loader.load_file_collecting(path, NAME, found)
    assert loaded is not None and loaded.data == {"a": "1", "b": "3"}
    assert [p.position for p in found] == [at(2, 1)]
    path.write_text("a: [\n", encoding="utf-8")
    assert loader.load_file_collecting(path, NAME, found) is None
    assert len(found) == 2
