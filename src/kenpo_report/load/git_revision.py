"""A project's files as a git revision holds them, read with the ``git`` command.

Read-only: ``rev-parse``, ``log``, ``ls-tree`` and ``cat-file``, nothing that writes
to the repository. Paths are the project's (plans/…), whether the project is the
repository or a folder in it (git runs in the project's folder, where pathspecs
and ls-tree's paths are relative to it). ``diff`` compares a branch-year with a
revision of it, and a document's ``draft:`` names the revision its 変更前 comes
from; both read the revision here.

Every way of not finding a revision is a :class:`RevisionError` with a Japanese
message: git not installed, a project outside a repository, a name that is no
commit (:class:`UnknownRevision`), a shallow clone without the commit's history.
"""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from kenpo_report.project import Project

# What a shallow clone's error messages add: how to fetch the missing history.
_UNSHALLOW = (
    "（履歴の一部だけを取得した浅いクローンです。git fetch --unshallow で全体を取得してください）"
)


class RevisionError(Exception):
    """The revision cannot be read; the message is the planner's (Japanese)."""


class UnknownRevision(RevisionError):
    """The name given is no commit of the repository (a mistyped tag, say)."""


@dataclass(frozen=True)
class Repository:
    """The git repository holding a project's folder."""

    folder: Path  # the project's root: git runs there
    shallow: bool

    @classmethod
    def of(cls, folder: Path) -> Repository:
        answer = _git(folder, "rev-parse", "--is-inside-work-tree", "--is-shallow-repository")
        if answer.returncode != 0:
            raise RevisionError(
                f"{folder} は git のリポジトリの中にありません（git init と commit が必要です）"
            )
        inside, shallow = [*answer.stdout.split(), "", ""][:2]
        if inside != "true":
            raise RevisionError(f"{folder} は git の作業ツリーの中にありません")
        return cls(folder, shallow == "true")

    def commit(self, revision: str) -> str:
        """The full id of the commit *revision* names (a tag, a branch, an id, HEAD~1…)."""
        if not revision or revision.startswith("-") or "\n" in revision:
            raise UnknownRevision(f"版「{revision}」は git のタグやコミットの名前ではありません")
        answer = _git(
            self.folder,
            "rev-parse",
            "--verify",
            "--quiet",
            "--end-of-options",
            f"{revision}^{{commit}}",
        )
        if answer.returncode != 0:
            hint = _UNSHALLOW if self.shallow else "（git tag や git log で名前を確かめてください）"
            raise UnknownRevision(f"版「{revision}」が git にありません{hint}")
        return answer.stdout.strip()

    def last_change(self, path: str) -> str | None:
        """The last commit (from HEAD) that changed something under *path*; None if none."""
        if _git(self.folder, "rev-parse", "--verify", "--quiet", "HEAD").returncode != 0:
            return None  # a repository without commits yet
        answer = self._run("log", "-1", "--format=%H", "--", path)
        return answer.strip() or None

    def parent(self, commit: str) -> str | None:
        """The first parent of *commit*; None for a root commit."""
        answer = self._run("rev-list", "--parents", "-n", "1", commit).split()
        if len(answer) > 1:
            return answer[1]
        if self.shallow and commit in self._shallow_commits():
            raise RevisionError(f"コミット {commit[:7]} の前の版が取得されていません{_UNSHALLOW}")
        return None

    def files(self, commit: str, folders: list[str]) -> dict[PurePosixPath, bytes]:
        """The regular files under *folders* (project-relative) at *commit*, by their path."""
        listing = self._run("ls-tree", "-r", "-z", commit, "--", *folders)
        blobs: list[tuple[PurePosixPath, str]] = []
        for line in filter(None, listing.split("\0")):
            meta, name = line.split("\t", 1)
            mode, kind, obj = meta.split()
            if kind == "blob" and mode in ("100644", "100755"):  # no links, no submodules
                blobs.append((PurePosixPath(name), obj))
        contents = self._blobs([obj for _, obj in blobs])
        return {path: contents[obj] for path, obj in blobs}

    def _blobs(self, objects: list[str]) -> dict[str, bytes]:
        """The contents of *objects*, in one ``git cat-file --batch``."""
        if not objects:
            return {}
        out = subprocess.run(
            ["git", "cat-file", "--batch"],
            cwd=self.folder,
            input="".join(f"{o}\n" for o in objects).encode(),
            capture_output=True,
            check=True,
            env=_ENV,
        ).stdout
        contents: dict[str, bytes] = {}
        at = 0
        for obj in objects:
            header_end = out.index(b"\n", at)
            size = int(out[at:header_end].split()[2])
            contents[obj] = out[header_end + 1 : header_end + 1 + size]
            at = header_end + 1 + size + 1  # the content, then a newline
        return contents

    def _shallow_commits(self) -> set[str]:
        path = Path(self.folder, self._run("rev-parse", "--git-path", "shallow").strip())
        return set(path.read_text().split()) if path.is_file() else set()

    def _run(self, *args: str) -> str:
        answer = _git(self.folder, *args)
        if answer.returncode != 0:
            raise RevisionError(f"git {args[0]} が失敗しました: {answer.stderr.strip()}")
        return answer.stdout


@contextmanager
def revision_project(repository: Repository, commit: str, folders: list[str]) -> Iterator[Project]:
    """A temporary project holding *folders* (project-relative) as *commit* has them.

    Only plans/ is written (no templates/: a project without them is checked without
    styles); the folder is removed on leaving."""
    files = repository.files(commit, folders)
    with tempfile.TemporaryDirectory(prefix="kenpo-revision-") as temporary:
        root = Path(temporary)
        (root / "plans").mkdir()
        for path, content in files.items():
            target = root.joinpath(*path.parts)
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        yield Project(root)


def branch_folders(branch: str) -> list[str]:
    """What a branch-year's plan reads of plans/: the catalogues and the branch's folder."""
    return ["plans/catalog/", f"plans/{branch}/"]


# Messages in a fixed language and no pager or prompt, whatever the user's settings.
_ENV = {**os.environ, "LC_ALL": "C", "GIT_PAGER": "cat", "GIT_TERMINAL_PROMPT": "0"}


def _git(folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(
            ["git", "-c", "core.quotepath=off", *args],
            cwd=folder,
            capture_output=True,
            text=True,
            encoding="utf-8",
            env=_ENV,
        )
    except FileNotFoundError as exc:
        raise RevisionError(
            "git コマンドが見つかりません（git をインストールしてください）"
        ) from exc
