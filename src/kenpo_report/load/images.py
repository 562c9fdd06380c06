"""The image files a plan's image blocks name, read from the branch's folder."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

from kenpo_report.errors import Problem, format_path
from kenpo_report.load.yaml_source import SourceMap

MAX_IMAGE_BYTES = 5 * 1024 * 1024
_IMAGE_MAGIC = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff")


def read_images(
    blocks: Iterable[tuple[tuple[str | int, ...], Any]], folder: Path, source: SourceMap
) -> tuple[dict[str, bytes], list[Problem]]:
    """The bytes of every image of *blocks* (path in the data, block), by its src.

    The schema already refuses absolute paths and ``..``; here the real path
    (symlinks resolved) must still lie inside plans/<branch>/, and the file must be
    a PNG or JPEG of reasonable size.
    """
    images: dict[str, bytes] = {}
    problems: list[Problem] = []
    root = folder.resolve()
    for block_path, block in blocks:
        if block.type != "image":
            continue
        path = (*block_path, "src")
        resolved = (folder / block.src).resolve()
        if not resolved.is_relative_to(root):
            message = f"画像「{block.src}」は支部のフォルダ（{folder.name}/）の外を指しています"
        elif not resolved.is_file():
            message = f"画像「{block.src}」がありません"
        elif resolved.stat().st_size > MAX_IMAGE_BYTES:
            message = (
                f"画像「{block.src}」が大きすぎます（上限 {MAX_IMAGE_BYTES // 1024 // 1024}MB）"
            )
        else:
            content = resolved.read_bytes()
            if content.startswith(_IMAGE_MAGIC):
                images[block.src] = content
                continue
            message = f"画像「{block.src}」はPNGでもJPEGでもありません"
        problems.append(Problem(message, source.get(path), format_path(path)))
    return images, problems
