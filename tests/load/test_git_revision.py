"""The git reader: commits by name, the last change of a folder, a revision's files."""

from __future__ import annotations

from pathlib import Path, PurePosixPath

import pytest

from conftest import git, git_commit
from kenpo_report.load.git_revision import (
    Repository,
    RevisionError,
    UnknownRevision,
    branch_folders,
    revision_project,
)


def _write(root: Path, files: dict[str, str]) -> None:
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")


@pytest.fixture
def history(tmp_path: Path) -> tuple[Path, list[str]]:
    """A repository of two commits; the second changes plans/x/2024/ only."""
    root = tmp_path / "repo"
    _write(root, {"plans/x/2024/a.yaml": "kpis: []\n", "plans/catalog/2024.yaml": "c: 1\n"})
    first = git_commit(root, "first")
    git(root, "tag", "v1")
    _write(root, {"plans/x/2024/a.yaml": "kpis: [1]\n", "plans/y/2024/b.yaml": "y\n"})
    second = git_commit(root, "second")
    return root, [first, second]


def test_a_commit_by_tag_id_or_relative_name(history) -> None:
    root, (first, second) = history
    repository = Repository.of(root)
    assert repository.commit("v1") == first
    assert repository.commit(first[:7]) == first
    assert repository.commit("HEAD~1") == first
    assert repository.commit("HEAD") == second


@pytest.mark.parametrize("name", ["nosuch", "-v", "--output=x", "", "v1\nHEAD"])
def test_a_name_that_is_no_commit(history, name: str) -> None:
    with pytest.raises(UnknownRevision) as caught:
        Repository.of(history[0]).commit(name)
    assert f"版「{name}」" in str(caught.value)


def test_last_change_and_its_parent(history) -> None:
    root, (first, second) = history
    repository = Repository.of(root)
    assert repository.last_change("plans/x/2024/") == second
    assert repository.last_change("plans/catalog/") == first
    assert repository.last_change("plans/none/") is None
    assert repository.parent(second) == first
    assert repository.parent(first) is None  # the root commit


def test_a_revisions_files_into_a_temporary_project(history) -> None:
    root, (first, _) = history
    repository = Repository.of(root)
    assert repository.files(first, ["plans/x/"]) == {
        PurePosixPath("plans/x/2024/a.yaml"): b"kpis: []\n"
    }
    with revision_project(repository, first, branch_folders("x")) as old:
        assert (old.plans / "x" / "2024" / "a.yaml").read_text() == "kpis: []\n"
        assert (old.plans / "catalog" / "2024.yaml").is_file()
        assert not (old.plans / "y").exists()
        assert not old.templates.exists()
        folder = old.root
    assert not folder.exists()  # removed on leaving


def test_a_project_in_a_folder_of_the_repository(tmp_path: Path) -> None:
    """Paths are the project's, not the repository's."""
    root = tmp_path / "repo"
    _write(root, {"reports/plans/x/2024/a.yaml": "a\n", "other.txt": "o\n"})
    commit = git_commit(root)
    repository = Repository.of(root / "reports")
    assert repository.last_change("plans/x/2024/") == commit
    assert list(repository.files(commit, ["plans/x/"])) == [PurePosixPath("plans/x/2024/a.yaml")]


def test_no_repository(tmp_path: Path) -> None:
    with pytest.raises(RevisionError, match="git のリポジトリの中にありません"):
        Repository.of(tmp_path)


def test_a_shallow_clone_says_how_to_fetch_the_history(history, tmp_path: Path) -> None:
    root, (first, second) = history
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", root.as_uri(), str(clone))
    repository = Repository.of(clone)
    assert repository.shallow
    with pytest.raises(RevisionError, match="git fetch --unshallow"):
        repository.parent(second)
    with pytest.raises(UnknownRevision, match="git fetch --unshallow"):
        repository.commit(first)
