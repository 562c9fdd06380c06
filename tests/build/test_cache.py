"""Incremental builds: an unchanged build does nothing, a changed input rebuilds, and
a rebuild from cached parts gives the same bytes as a build without the cache.

One cold build of 大分 FY2024 (15 pages, a KPI一覧 with page references) per module.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from pathlib import Path

import pikepdf
import pytest

from conftest import ROOT, copy_project, git, git_commit, norm_text, pdf_text
from kenpo_report.build import cache, inputs, pipeline
from kenpo_report.cli import main
from kenpo_report.project import Project
from kenpo_report.render import parts as parts_module
from kenpo_report.render.split import split, unnumbered_ids

BRANCH, YEAR = "oita", 2024
MEASURE = ("20-receipt.yaml", "■年間催告件数：12,791件", "■年間催告件数：12,792件")


@pytest.fixture(scope="module")
def oita(tmp_path_factory: pytest.TempPathFactory) -> Project:
    project = copy_project(tmp_path_factory.mktemp("oita") / "project")
    pipeline.build(project, BRANCH, YEAR)
    return project


@pytest.fixture
def copy(oita: Project, tmp_path: Path) -> Project:
    """The built project, copied with its outputs and cache."""
    import shutil

    target = tmp_path / "project"
    shutil.copytree(oita.root, target, symlinks=True)
    return Project.at(target)


@pytest.fixture
def lay_outs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The first page of every part laid out (a spy on the part renderer)."""
    calls: list[int] = []
    real = parts_module._lay_out

    def spy(html, assets, first_page, foreign):
        calls.append(first_page)
        return real(html, assets, first_page, foreign)

    monkeypatch.setattr(parts_module, "_lay_out", spy)
    return calls


def outputs(project: Project) -> dict[str, bytes]:
    folder = project.output_dir(BRANCH, YEAR)
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.year_dir(BRANCH, YEAR) / name
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def fresh(project: Project, **options) -> bool:
    settings = {"formats": pipeline.FORMATS, "pdf_variant": None, "strict": False, **options}
    opts = cache.build_options(settings["formats"], settings["pdf_variant"], settings["strict"])
    return cache.fresh_manifest(project, BRANCH, YEAR, opts)[1] is not None


def test_unchanged_build_does_nothing(copy, lay_outs):
    before = {p: p.stat().st_mtime_ns for p in copy.output_dir(BRANCH, YEAR).iterdir()}
    result = pipeline.build(copy, BRANCH, YEAR)
    assert result.written == []
    assert sorted(p.name for p in result.up_to_date) == ["results.docx", "results.pdf"]
    assert result.warnings == pipeline.check(copy, BRANCH, YEAR)  # replayed from the manifest
    assert result.pages == {"results": 15}
    assert lay_outs == []
    assert {p: p.stat().st_mtime_ns for p in before} == before


@pytest.mark.parametrize(
    "change",
    [
        "plans/oita/2024/20-receipt.yaml",
        "plans/oita/2025/10-kpis.yaml",  # the next year gives 次年度KPI
        "plans/catalog/2024.yaml",
        "plans/oita/branch.yaml",
        "templates/shared/base.css",
        "templates/mie/style.css",  # conservative: any template
        "fonts/OFL.txt",
    ],
)
def test_a_changed_input_makes_it_stale(copy, change):
    assert fresh(copy)
    with open(copy.root / change, "a", encoding="utf-8") as handle:
        handle.write("\n# edited\n")
    assert not fresh(copy)


def test_a_touched_but_unchanged_input_does_not(copy):
    path = copy.year_dir(BRANCH, YEAR) / "20-receipt.yaml"
    os.utime(path, (1, 1))
    assert fresh(copy)


def test_other_options_or_a_changed_output_rebuild(copy):
    assert fresh(copy)
    assert not fresh(copy, formats=("pdf",))
    assert not fresh(copy, strict=True)
    assert not fresh(copy, pdf_variant="pdf/a-3b")
    pdf = copy.output_dir(BRANCH, YEAR) / "results.pdf"
    pdf.write_bytes(pdf.read_bytes() + b"\n")
    assert not fresh(copy)
    pdf.unlink()
    assert not fresh(copy)


def test_an_edit_lays_out_only_its_part_and_gives_the_uncached_bytes(copy, lay_outs):
    edit(copy, *MEASURE)
    result = pipeline.build(copy, BRANCH, YEAR)
    assert sorted(p.name for p in result.written) == ["results.docx", "results.pdf"]
    assert len(lay_outs) == 1, lay_outs
    assert "12,792件" in pdf_text(copy.output_dir(BRANCH, YEAR) / "results.pdf")
    incremental = outputs(copy)
    lay_outs.clear()
    pipeline.build(copy, BRANCH, YEAR, force=True)  # no cache: every part laid out
    assert len(lay_outs) >= len(split(_html(copy), parts_module.PART_SIZE))
    assert outputs(copy) == incremental


def test_parts_cached_before_their_page_starts_are_laid_out_again(copy, lay_outs):
    """A part laid out by a version whose page starts said less (no starts_format) cannot
    place the DOCX's page breaks: it is a miss, and the build gives the uncached bytes."""
    store = cache.Store.of(copy)
    old = 0
    for kind in ("shape", "part-meta"):
        for path in (store.root / kind).rglob("*"):
            if path.is_file():
                data = json.loads(path.read_bytes())
                data.pop("starts_format", None)
                path.write_text(json.dumps(data), encoding="utf-8")
                old += 1
    assert old
    edit(copy, *MEASURE)
    pipeline.build(copy, BRANCH, YEAR)
    parts = len(split(_html(copy), parts_module.PART_SIZE))
    assert len(lay_outs) >= parts, lay_outs
    incremental = outputs(copy)
    pipeline.build(copy, BRANCH, YEAR, force=True)
    assert outputs(copy) == incremental


@pytest.fixture
def tasks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The order parts and DOCX are written in (with one job, the order they are dispatched)."""
    done: list[str] = []
    lay, write = parts_module._lay_out, parts_module._write_docx

    def spy_part(*args):
        done.append("part")
        return lay(*args)

    def spy_docx(*args):
        done.append("docx")
        return write(*args)

    monkeypatch.setattr(parts_module, "_lay_out", spy_part)
    monkeypatch.setattr(parts_module, "_write_docx", spy_docx)
    return done


def test_after_an_edit_the_docx_is_written_beside_the_part_on_last_builds_page_starts(copy, tasks):
    """An edit inside a page moves no page start: the DOCX need not wait for the edited
    part, and is what a build without the cache writes."""
    edit(copy, *MEASURE)
    pipeline.build(copy, BRANCH, YEAR)
    assert tasks == ["docx", "part"]
    incremental = outputs(copy)
    pipeline.build(copy, BRANCH, YEAR, force=True)
    assert outputs(copy) == incremental


def test_a_guessed_page_start_that_moved_writes_the_docx_again(copy, tasks):
    """An edit that moves where a page begins: the DOCX on last build's starts is not kept."""
    path = copy.year_dir(BRANCH, YEAR) / MEASURE[0]
    text = path.read_text(encoding="utf-8")
    assert MEASURE[1] in text
    # More lines in the same block scalar (its indentation): the measure runs onto a new page.
    longer = MEASURE[1] + "".join(f"\n          ■追加の行{n}：{n}件" for n in range(60))
    path.write_text(text.replace(MEASURE[1], longer, 1), encoding="utf-8")
    pipeline.build(copy, BRANCH, YEAR)
    assert tasks.count("docx") == 2 and tasks[0] == "docx", tasks
    incremental = outputs(copy)
    pipeline.build(copy, BRANCH, YEAR, force=True)
    assert outputs(copy) == incremental


def test_parts_in_parallel_give_the_same_bytes(oita, tmp_path):
    other = copy_project(tmp_path / "project")
    pipeline.build(other, BRANCH, YEAR, jobs=2)
    assert outputs(other) == outputs(oita)


def test_page_column_matches_a_whole_document_lay_out(oita):
    """The merged parts read as WeasyPrint's lay-out of the whole HTML, page by page,
    the ページ column included; links and bookmarks point at the same pages."""
    from kenpo_report.render import pdf as pdf_render

    html = _html(oita)
    assets = pdf_render.Assets(oita.templates, oita.fonts)
    whole = pdf_render.render(html, assets)
    path = oita.output_dir(BRANCH, YEAR) / "results.pdf"
    reference = path.with_name("whole.pdf")
    reference.write_bytes(whole.data)
    try:
        assert len(split(html, parts_module.PART_SIZE)) > 1
        merged_text, whole_text = pdf_text(path), pdf_text(reference)
        assert merged_text.split("\f") == whole_text.split("\f")
        # The KPI一覧 (its own part, pages 1–2) points at pages of the other parts.
        shown = [int(n) for n in re.findall(r"P(\d+)", pdf_text(path, 1) + pdf_text(path, 2))]
        assert max(shown) > 10
        assert _links(path) == _links(reference)
        assert _outline(path) == _outline(reference)
    finally:
        reference.unlink()


def _html(project: Project) -> str:
    from kenpo_report.validate import load_plan

    plan = load_plan(project, BRANCH, YEAR)
    [item], _ = pipeline.lay_out_plan(project, plan)
    return item.html


def _links(path: Path) -> list[tuple[int, str, int]]:
    """(page, anchor, target page) of every internal link, all 1-based."""
    with pikepdf.open(path) as pdf:
        pages = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
        flat = list(pdf.Root.Names.Dests.Names)
        dests = {str(k): pages[v[0].objgen] for k, v in zip(flat[::2], flat[1::2], strict=True)}
        found = []
        for n, page in enumerate(pdf.pages, 1):
            for annot in page.get("/Annots", []):
                if "/Dest" in annot:
                    found.append((n, str(annot.Dest), dests[str(annot.Dest)]))
        return sorted(found)


def _outline(path: Path) -> list:
    """(title, page, children) of every bookmark."""
    with pikepdf.open(path) as pdf:
        index = {page.objgen: n for n, page in enumerate(pdf.pages, 1)}
        with pdf.open_outline() as outline:

            def walk(items: list) -> list:
                return [(i.title, index[i.destination[0].objgen], walk(i.children)) for i in items]

            return walk(outline.root)


def test_status_reads_the_manifest(copy):
    from kenpo_report.commands.status import BUILT, STALE, branch_year_status

    [row] = branch_year_status(copy, BRANCH, YEAR)
    assert row.status == BUILT
    path = copy.year_dir(BRANCH, YEAR) / "20-receipt.yaml"
    os.utime(path)  # newer than the outputs, same content: still current
    assert branch_year_status(copy, BRANCH, YEAR)[0].status == BUILT
    edit(copy, *MEASURE)
    assert branch_year_status(copy, BRANCH, YEAR)[0].status == STALE


def test_cli_says_up_to_date(copy, capsys):
    assert main(["--project", str(copy.root), "build", BRANCH, str(YEAR)]) == 0
    out = capsys.readouterr().out
    assert "変更はありません（最新）: output/oita/2024/results.pdf" in out
    assert "作成しました" not in out


@pytest.mark.parametrize("value", ["0", "-1", "x", "２"])
def test_cli_refuses_bad_jobs(copy, capsys, value):
    with pytest.raises(SystemExit) as info:
        main(["--project", str(copy.root), "build", BRANCH, str(YEAR), "--jobs", value])
    assert info.value.code == 2
    assert "--jobs" in capsys.readouterr().err


def test_store_prunes_least_recently_used(tmp_path):
    store = cache.Store(tmp_path / "store")
    for n in range(5):
        store.put("x", f"{n:064x}", bytes(100))
        path = store.root / "x" / f"{n:064x}"[:2] / f"{n:064x}"
        os.utime(path, ns=(n * 10**9, n * 10**9))
    store.get("x", f"{0:064x}")  # used now: kept
    store.prune(max_bytes=250)
    kept = sorted(int(p.name, 16) for p in store.root.rglob("*") if p.is_file())
    assert kept == [0, 4]


def test_store_survives_a_read_only_folder(tmp_path):
    folder = tmp_path / "store"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        store = cache.Store(folder)
        store.put("x", "ab" * 32, b"data")  # no error: the build goes on uncached
        if os.geteuid() != 0:  # root writes anyway
            assert store.get("x", "ab" * 32) is None
    finally:
        folder.chmod(0o700)


def test_file_digest_follows_content(tmp_path):
    path = tmp_path / "f"
    path.write_bytes(b"one")
    first = cache.file_digest(path)
    assert first == hashlib.sha256(b"one").hexdigest()
    path.write_bytes(b"two")
    assert cache.file_digest(path) == hashlib.sha256(b"two").hexdigest()


def test_split_cuts_before_page_sections_only():
    html = (
        '<!DOCTYPE html><html lang="ja"><head><title>t</title></head><body>'
        '<section id="list"><a class="pageref" href="#b"></a><a href="#list"></a></section>'
        '<section class="page" id="a"><p id="a1">x</p></section>'
        '<section class="divider" id="d"></section>'
        '<section class="page" id="b"></section></body></html>'
    )
    parts = split(html)
    assert [p.ids for p in parts] == [("list",), ("a", "a1", "d"), ("b",)]
    assert [p.foreign for p in parts] == [("b",), (), ()]
    assert all(p.html.startswith('<!DOCTYPE html>\n<html lang="ja">') for p in parts)
    assert all("<title>t</title>" in p.html for p in parts)
    assert split("<html><body><p>one part</p></body></html>")[0].html == (
        "<html><body><p>one part</p></body></html>"
    )


def test_split_keeps_an_uncounted_cover_alone_and_leading_only():
    cover = '<section class="page" id="cover" data-numbered="false"><p>表紙</p></section>'
    rest = '<section class="page" id="a"><p>a</p></section><section class="page" id="b"></section>'
    parts = split(f"<html><body>{cover}{rest}</body></html>", 4)
    assert [(p.ids[0], p.numbered) for p in parts][:2] == [("cover", False), ("a", True)]
    assert all(p.numbered for p in parts[1:])
    assert unnumbered_ids(f"<html><body>{cover}{rest}</body></html>") == {"cover"}
    with pytest.raises(ValueError, match="leading"):
        split(f"<html><body>{rest}{cover}</body></html>")


def test_an_uncounted_cover_numbers_the_same_in_parts_and_whole(tmp_path):
    """福島's cover is not counted: the merged parts and a whole lay-out agree on every
    page's text (footers and the contents' ＰＮ), and the anchors give printed numbers."""
    from kenpo_report.render import pdf as pdf_render
    from kenpo_report.validate import load_plan

    project = copy_project(tmp_path / "project")
    pipeline.build(project, "fukushima", 2025, ("pdf",))
    plan = load_plan(project, "fukushima", 2025)
    [item], _ = pipeline.lay_out_plan(project, plan)
    whole = pdf_render.render(item.html, pdf_render.Assets(project.templates, project.fonts))
    reference = tmp_path / "whole.pdf"
    reference.write_bytes(whole.data)
    merged = project.output_dir("fukushima", 2025) / "plan.pdf"
    assert pdf_text(merged).split("\f") == pdf_text(reference).split("\f")
    assert (whole.anchors["cover"], whole.anchors["kpi-list"]) == (0, 1)


def test_split_an_edit_changes_one_part_and_an_insertion_at_most_two():
    sections = [f'<section class="page" id="s{n}"><p>{n}</p></section>' for n in range(40)]

    def parts_of(items: list[str]) -> set[str]:
        return {p.html for p in split("<html><body>" + "".join(items) + "</body></html>", 4)}

    before = parts_of(sections)
    assert 4 < len(before) < 20
    edited = sections.copy()
    edited[20] = edited[20].replace("<p>20</p>", "<p>twenty</p>")
    assert len(parts_of(edited) - before) == 1
    inserted = [
        *sections[:20],
        '<section class="page" id="new"><p>new</p></section>',
        *sections[20:],
    ]
    assert 1 <= len(parts_of(inserted) - before) <= 2


def test_parts_that_keep_changing_pages_fall_back_to_one_lay_out(copy, monkeypatch):
    monkeypatch.setattr(parts_module, "MAX_ROUNDS", 0)  # give up after the first lay-out
    edit(copy, *MEASURE)
    pipeline.build(copy, BRANCH, YEAR, ("pdf",))
    path = copy.output_dir(BRANCH, YEAR) / "results.pdf"
    text = pdf_text(path)
    assert "12,792件" in text and text.count("\f") == 15


# --- a document's draft (draft:): the commit it names is an input ----------------

DRAFT_KPIS = "plans/fukushima/2025/10-kpis.yaml"
DRAFT_DOCUMENT = "plans/fukushima/2025/00-document.yaml"
DRAFT_TAG = "fukushima-2025-draft"


def _replace(project: Project, name: str, old: str, new: str) -> None:
    path = project.root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def drafted(tmp_path: Path) -> Project:
    """福島 2025 in git, tagged as its draft; then 項番6's target raised and draft: set."""
    import shutil

    root = tmp_path / "project"
    for name in ("templates", "fonts", "plans/catalog", "plans/fukushima"):
        shutil.copytree(ROOT / name, root / name)
    (root / ".gitignore").write_text("fonts/\noutput/\n.kenpo-cache/\n", encoding="utf-8")
    project = Project.at(root)
    git_commit(root, "draft")
    git(root, "tag", DRAFT_TAG)
    _replace(project, DRAFT_KPIS, 'target: "65.6"', 'target: "66.0"')
    _replace(
        project,
        DRAFT_DOCUMENT,
        "    date: 2025-03-31\n",
        f"    date: 2025-03-31\n    draft: {DRAFT_TAG}\n",
    )
    return project


def test_a_draft_tag_moved_to_another_commit_rebuilds(drafted):
    """No file changes when the tag moves, but the 変更前 column does: the build sees it."""
    html_only = cache.build_options(("html",), None, False)
    first = pipeline.build(drafted, "fukushima", 2025, ("html",))
    assert first.written
    [page] = first.written
    assert "(変更有)" in norm_text(page.read_text(encoding="utf-8"))
    assert cache.fresh_manifest(drafted, "fukushima", 2025, html_only)[1] is not None
    # The tag re-set to the commit it is at: still up to date.
    git(drafted.root, "tag", "-f", DRAFT_TAG, DRAFT_TAG)
    assert cache.fresh_manifest(drafted, "fukushima", 2025, html_only)[1] is not None

    moved = git_commit(drafted.root, "the raised target, presented again")  # 66.0 in git
    git(drafted.root, "tag", "-f", DRAFT_TAG, moved)
    assert cache.fresh_manifest(drafted, "fukushima", 2025, html_only)[1] is None
    second = pipeline.build(drafted, "fukushima", 2025, ("html",))
    assert second.written == [page] and not second.up_to_date
    assert "(変更有)" not in norm_text(page.read_text(encoding="utf-8"))  # 66.0 before and after


def test_a_draft_that_git_cannot_resolve_keys_as_such(drafted):
    """A draft that names no commit still gives a key (the build reports it), and one that
    comes to name a commit changes it."""
    _replace(drafted, DRAFT_DOCUMENT, f"draft: {DRAFT_TAG}", "draft: later-draft")
    options = cache.build_options(("html",), None, False)
    missing = cache.build_key(drafted, "fukushima", 2025, options)
    assert inputs.draft_commits(drafted, "fukushima", 2025) == [("later-draft", "")]
    git(drafted.root, "tag", "later-draft", DRAFT_TAG)
    assert cache.build_key(drafted, "fukushima", 2025, options) != missing


def test_git_runs_only_for_a_draft(drafted, monkeypatch):
    """A branch-year whose documents name no draft starts no git process: not to load
    it, check it, or take its build's key."""
    calls: list[list[str]] = []
    real_run = subprocess.run

    def spy(args, *rest, **options):
        calls.append(list(args))
        return real_run(args, *rest, **options)

    monkeypatch.setattr(subprocess, "run", spy)
    options = cache.build_options(pipeline.FORMATS, None, False)
    _replace(drafted, DRAFT_DOCUMENT, f"    draft: {DRAFT_TAG}\n", "")
    pipeline.check(drafted, "fukushima", 2025)
    cache.build_key(drafted, "fukushima", 2025, options)
    assert calls == []
    _replace(
        drafted,
        DRAFT_DOCUMENT,
        "    date: 2025-03-31\n",
        f"    date: 2025-03-31\n    draft: {DRAFT_TAG}\n",
    )
    cache.build_key(drafted, "fukushima", 2025, options)
    pipeline.check(drafted, "fukushima", 2025)
    assert calls and all(c[0] == "git" for c in calls)
