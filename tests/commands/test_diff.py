"""``kenpo-report diff`` and a plan document's ``draft:``, on a project in a git repository."""

from __future__ import annotations

import json
import re
import shutil
import unicodedata
from pathlib import Path

import pytest
from lxml import html as lxml_html

from conftest import ROOT, git, git_commit, laid_out, run_main
from kenpo_report.build import pipeline
from kenpo_report.commands.diff import compare
from kenpo_report.commands.diff.output import as_markdown
from kenpo_report.project import Project

KPIS = "plans/fukushima/2025/10-kpis.yaml"
DOCUMENT = "plans/fukushima/2025/00-document.yaml"
TAG = "fukushima-2025-draft"


def _project(root: Path, branches: tuple[str, ...] = ("fukushima",)) -> Project:
    for name in ("templates", "plans/catalog", *(f"plans/{b}" for b in branches)):
        shutil.copytree(ROOT / name, root / name)
    return Project.at(root)


def _edit(project: Project, name: str, old: str, new: str) -> None:
    path = project.root / name
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, (name, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def _set_draft(project: Project, revision: str) -> None:
    _edit(
        project,
        DOCUMENT,
        "    date: 2025-03-31\n",
        f"    date: 2025-03-31\n    draft: {revision}\n",
    )


@pytest.fixture
def drafted(tmp_path: Path) -> Project:
    """福島 2025 committed and tagged as the draft; then 項番6's target changed, draft: set."""
    project = _project(tmp_path / "project")
    git_commit(project.root, "draft")
    git(project.root, "tag", TAG)
    _edit(project, KPIS, 'target: "65.6"', 'target: "66.0"')
    _set_draft(project, TAG)
    return project


def _norm(text: str) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text))


def _kpi_rows(html: str) -> dict[str, list[str]]:
    """The KPI一覧's rows by 項番: [変更前, 変更後, 変更有無]."""
    rows = {}
    for table in lxml_html.fromstring(html).find_class("kpi-table"):
        for tr in table.iter("tr"):
            cells = [c for c in tr if c.tag == "td"]
            if cells:
                number = _norm(cells[0].find_class("number")[0].text_content())
                rows[number] = [_norm(c.text_content()) for c in cells[1:]]
    return rows


def test_the_draft_gives_the_kpi_lists_before_and_change(drafted: Project) -> None:
    html = laid_out(drafted, "fukushima", 2025)[2]
    rows = _kpi_rows(html)
    assert len(rows) == 15
    assert rows["6"] == ["65.6%", "66.0%", "(変更有)"]
    for number, (before, after, change) in rows.items():
        if number != "6":
            assert change == "(変更無)" and before == after, (number, before, after)
    assert pipeline.check(drafted, "fukushima", 2025) == []  # no warning


def test_diff_lists_exactly_the_change(drafted: Project, capsys) -> None:
    assert run_main(drafted, "diff", "fukushima", "2025", TAG) == 0
    out = capsys.readouterr().out
    assert out == (
        f"fukushima 2025: 作業中のファイルと版「{TAG}」（{_short(drafted, TAG)}）の比較\n"
        "■ KPI 6 生活習慣病予防健診受診率\n"
        "  目標: 65.6％以上 → 66.0％以上\n"
        "  文言: 生活習慣病予防健診実施率を65.6％以上とする → 生活習慣病予防健診実施率を66.0％以上とする\n"
        "  達成: －（変わりません）\n"
        "変更: KPI 1件、数値 0件\n"
    )
    assert run_main(drafted, "diff", "fukushima", "2025", TAG, "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["changed"] is True and data["revision"] == TAG
    (item,) = data["items"]
    assert item["kind"] == "kpi" and item["id"] == "checkup_rate"
    assert [(f["field"], f["old"], f["new"]) for f in item["fields"]] == [
        ("target", "65.6％以上", "66.0％以上"),
        (
            "statement",
            "生活習慣病予防健診実施率を65.6％以上とする",
            "生活習慣病予防健診実施率を66.0％以上とする",
        ),
    ]
    assert item["achieved"] == {"old": None, "new": None, "changed": False}


def _short(project: Project, revision: str) -> str:
    return git(project.root, "rev-parse", "--short=7", revision).strip()


def test_without_rev_the_last_commit_of_the_branch_year_is_shown(drafted: Project, capsys) -> None:
    git_commit(drafted.root, "raise the target")
    git_commit(drafted.root, "an unrelated commit")  # touches nothing: still the one before
    assert run_main(drafted, "diff", "fukushima", "2025", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["commit"] == git(drafted.root, "rev-parse", TAG).strip()
    assert [i["id"] for i in data["items"]] == ["checkup_rate"]
    # Against the new commit itself: nothing changed since.
    assert run_main(drafted, "diff", "fukushima", "2025", "HEAD") == 0
    assert capsys.readouterr().out.endswith("の比較\n変更はありません\n")


def test_achievement_and_derived_figures_compare_as_printed(tmp_path: Path) -> None:
    project = _project(tmp_path / "project", ("iwate",))
    git_commit(project.root)
    iwate = "plans/iwate/2024/"
    _edit(
        project,
        iwate + "10-kpis.yaml",
        'prior: "95.5"\n    actual: "95.5"',
        'prior: "95.5"\n    actual: "95.4"',
    )
    _edit(project, iwate + "20-basic.yaml", '2024: "58662"', '2024: "58762"')
    comparison = compare(project, "iwate", 2024, "HEAD")
    by_key = {i.key: i for i in comparison.items}
    assert list(by_key) == [
        "mail_application_rate",
        "national_reserve_2024",
        "national_reserve_diff",
    ]
    mail = by_key["mail_application_rate"]
    assert [(f.name, f.old, f.new) for f in mail.fields] == [("actual", "95.5％", "95.4％")]
    assert (mail.achieved_old, mail.achieved_new, mail.achieved_changed) == ("達成", "未達成", True)
    diff = by_key["national_reserve_diff"]  # computed from the changed one
    assert [(f.old, f.new) for f in diff.fields] == [("+6,586", "+6,686")]
    table = as_markdown(comparison)
    assert "| 項目 | 欄 | 変更前 | 変更後 | 達成 |" in table
    assert "| 95.5％ | 95.4％ | 達成 → 未達成（変わりました） |" in table
    assert table.rstrip().endswith("変更: KPI 1件、数値 2件")


def test_a_branch_year_new_since_the_revision_is_all_new(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path / "project")
    git_commit(project.root)  # the first commit: nothing before it
    assert run_main(project, "diff", "fukushima", "2025", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["commit"] is None and len([i for i in data["items"] if i["kind"] == "kpi"]) == 15
    assert all(f["old"] is None for i in data["items"] for f in i["fields"])
    assert run_main(project, "diff", "fukushima", "2025") == 0
    out = capsys.readouterr().out
    assert "の前の版（その前の版はありません。すべて新しい項目です）の比較\n" in out
    assert "■ KPI 6 生活習慣病予防健診受診率（新しい項目）\n  目標: 65.6％以上\n" in out
    # A revision without the branch-year: everything is new as well.
    (project.root / "other").write_text("x", encoding="utf-8")
    (project.root / "plans" / "fukushima").rename(project.root / "fukushima")
    git_commit(project.root)
    (project.root / "fukushima").rename(project.root / "plans" / "fukushima")
    assert run_main(project, "diff", "fukushima", "2025", "HEAD", "--format", "json") == 0
    data = json.loads(capsys.readouterr().out)
    assert data["found"] is False and len(data["items"]) == 24


def test_an_unknown_revision_is_a_usage_error(drafted: Project, capsys) -> None:
    assert run_main(drafted, "diff", "fukushima", "2025", "fukushima-2025-drfat") == 2
    err = capsys.readouterr().err
    assert (
        "版「fukushima-2025-drfat」が git にありません（git tag や git log で名前を確かめてください）"
        in err
    )
    assert "Traceback" not in err


def test_a_project_without_git(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path / "project")
    assert run_main(project, "diff", "fukushima", "2025") == 1
    err = capsys.readouterr().err
    assert "は git のリポジトリの中にありません（git init と commit が必要です）" in err
    assert "Traceback" not in err


def test_an_uncommitted_branch_year_asks_for_a_revision(tmp_path: Path, capsys) -> None:
    project = _project(tmp_path / "project")
    git(project.root, "init", "-q")
    assert run_main(project, "diff", "fukushima", "2025") == 1
    assert "plans/fukushima/2025/ はまだ git にコミットされていません" in capsys.readouterr().err


def test_a_draft_that_git_does_not_have(drafted: Project, capsys) -> None:
    _edit(drafted, DOCUMENT, f"draft: {TAG}", "draft: nosuch")
    assert run_main(drafted, "check", "fukushima", "2025") == 1
    err = capsys.readouterr().err
    assert re.search(
        r"plans/fukushima/2025/00-document.yaml:12:12: エラー: 版「nosuch」が git にありません.* "
        r"\(documents\[0\]\.draft\)",
        err,
    ), err


def test_a_draft_without_the_branch_year(drafted: Project, capsys) -> None:
    shutil.copytree(
        drafted.root / "plans" / "fukushima" / "2025", drafted.root / "plans" / "fukushima" / "2026"
    )
    (drafted.root / "plans" / "catalog" / "2026.yaml").write_bytes(
        (drafted.root / "plans" / "catalog" / "2025.yaml").read_bytes()
    )
    assert run_main(drafted, "check", "fukushima", "2026") == 1
    assert (
        "下書きの版「fukushima-2025-draft」に plans/fukushima/2026/ がありません"
        in capsys.readouterr().err
    )


def test_the_draft_wins_over_a_typed_target_before_with_a_warning(drafted: Project) -> None:
    _edit(drafted, KPIS, 'target: "66.0"', 'target: "66.0"\n    target_before: 64.0％')
    (warning,) = pipeline.check(drafted, "fukushima", 2025)
    assert warning.field == "kpis[5].target_before"
    assert warning.message == (
        "文書「plan」の変更前は下書きの版「fukushima-2025-draft」の目標（65.6％以上）です。"
        "target_before（64.0％）は使いません（どちらか一方を書いてください）"
    )
    assert _kpi_rows(laid_out(drafted, "fukushima", 2025)[2])["6"][0] == "65.6%"


def test_a_kpi_the_draft_lacks_keeps_its_typed_target_before(tmp_path: Path) -> None:
    project = _project(tmp_path / "project")
    kpis = (project.root / KPIS).read_text(encoding="utf-8")
    measures = "plans/fukushima/2025/22-strategic.yaml"
    start = kpis.index("  - kpi: health_management_offices")
    _edit(project, KPIS, kpis[start : kpis.index("  - kpi:", start + 1)], "")
    _edit(project, measures, "    kpis: [health_management_offices]\n", "")
    git_commit(project.root)  # the draft: without 項番12
    git(project.root, "tag", TAG)
    _edit(
        project,
        measures,
        "    title: コラボヘルスの推進\n",
        "    title: コラボヘルスの推進\n    kpis: [health_management_offices]\n",
    )
    typed = 'target: "2,270"\n    target_before: 2,200事業所'
    (project.root / KPIS).write_text(kpis.replace('target: "2,270"', typed), encoding="utf-8")
    _set_draft(project, TAG)
    rows = _kpi_rows(laid_out(project, "fukushima", 2025)[2])
    assert rows["12"] == ["2,200事業所", "2,270事業所", "(変更有)"]
    assert rows["6"] == ["65.6%", "65.6%", "(変更無)"]
    assert pipeline.check(project, "fukushima", 2025) == []
