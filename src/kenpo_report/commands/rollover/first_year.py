"""A branch's first year: plans/<branch>/<year>/ from the year's KPI catalogue alone.

A branch with no year yet has nothing to roll over, so ``new`` writes a
skeleton that checks cleanly, every place to write left empty (記入待ち, listed
by ``check`` until it is filled):

- branch.yaml (only for a new branch: its name from ``--name``);
- 00-document.yaml: a results document in the default style (iwate), its date
  a guess to confirm (確認);
- 10-kpis.yaml: every KPI of the catalogue, in its order, numbered ①②…, with
  ``target``, ``actual``, ``national`` and ``rank`` written empty (``prior``
  too, as a comment: only a 対前年度 target needs it);
- one file per catalogue category with one example measure reporting all of
  its KPIs (section, number, title to confirm, group, ``plan: []`` and
  ``results: []`` to write).

The files are written by the rollover's writer (``dump`` with notes, the staged
folder renamed into place); an existing year folder is never touched.
"""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

from kenpo_report.build.writer import write_file
from kenpo_report.commands.rollover import files, inputs
from kenpo_report.commands.rollover.context import CONFIRM, TODO, Todo
from kenpo_report.commands.rollover.yaml_writer import Note, dump, scalar
from kenpo_report.errors import UserError
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.model import Catalog, KpiDefinition
from kenpo_report.project import Project

MODELINE = files.MODELINE
BRANCH_MODELINE = "# yaml-language-server: $schema=../../schema/branch.schema.json"
DEFAULT_STYLE = "iwate"  # the seed with the fullest results report (KPI一覧, pages, ranks)


def new_branch_year(
    project: Project, branch: str, year: int, name: str | None
) -> tuple[list[Path], list[Todo]]:
    """Write the first year of *branch* (and its branch.yaml when *name* is new).

    Returns the files written and what the planner is asked for in them."""
    catalog = inputs.year_catalog(project, year)
    new_branch = not project.branch_file(branch).is_file()
    name = _checked_name(name or "") if new_branch else inputs.branch_name(project, branch)
    outputs = skeleton(catalog, name, year, _style(project))
    target = project.year_dir(branch, year)
    todos = files.todos(project.relative(target), outputs)
    texts = {file_name: text for file_name, (text, _) in outputs.items()}
    if not new_branch:
        return files.write(target, texts), todos
    return _write_new_branch(project, branch, name, target, texts), todos


def skeleton(
    catalog: Catalog, name: str, year: int, style: str
) -> dict[str, tuple[str, dict[str, Any]]]:
    """File name -> (YAML text, data with notes) of a first year, in file order."""
    fy = fiscal_year(year)
    made = (
        f"# {files.MADE_BY_NEW}った{name}の最初の年度（{fy}）のひな形です。"
        "「記入待ち」の箇所を書き、「確認」の箇所を見直してください。"
    )
    parts: dict[str, tuple[list[str], dict[str, Any]]] = {
        "00-document.yaml": (
            [f"# {name} {fy} 事業実施状況（文書の設定）"],
            {"documents": [_document(name, year, style)]},
        ),
        "10-kpis.yaml": (
            [
                f"# {name} {fy} KPI一覧（表示順。{fy}のKPIカタログのすべてのKPI）。",
                "# 使わないKPIは項目ごと消し、項番（number）と項目（item）を資料に合わせてください。",
                "# 率のKPIの実績は件数から {numerator: …, denominator: …} で書けます（率は計算します）。",
            ],
            {"kpis": [_kpi(catalog.kpis[k], k, i, fy) for i, k in enumerate(catalog.kpis)]},
        ),
    }
    categories = [c for c in catalog.categories if _kpis_of(catalog, c)]
    for i, category in enumerate(categories):
        title = catalog.categories[category].name
        parts[f"{20 + 10 * i}-{category}.yaml"] = (
            [
                f"# {_ROMAN[i % len(_ROMAN)]}．{title}の施策（例）。",
                "# 施策ごとに項目を分け、KPIをそれぞれの施策の kpis に書いてください。",
            ],
            {"measures": [_measure(catalog, category, fy)]},
        )
    return {
        file_name: (dump(data, [MODELINE, *header, made]), data)
        for file_name, (header, data) in parts.items()
    }


def _document(name: str, year: int, style: str) -> dict[str, Any]:
    # A guess: the results of a fiscal year are reported in the summer after it ends.
    when = date(year + 1, 7, 31).isoformat()
    return {
        "id": "results",
        "kind": "results",
        "style": Note(style, after="様式（templates/ のフォルダ名）"),
        "title": f"{fiscal_year(year)} {name} 事業実施状況",
        "date": Note(
            when,
            after="仮の作成日",
            todo=(CONFIRM, f"作成日を仮に {when} にしました。報告書の日付に直してください"),
        ),
    }


def _kpi(definition: KpiDefinition, kpi_id: str, index: int, fy: str) -> dict[str, Any]:
    label = f"KPI「{definition.name}」"
    shape = "{numerator: …, denominator: …} または数値" if definition.formula else "数値"
    return {
        "kpi": Note(kpi_id, after=f"{definition.name}（{definition.unit}）"),
        "number": _circled(index),
        "item": Note(definition.name, after="KPI一覧の「項目」欄（仮にKPIの名称）"),
        "target": _todo(f"{fy}の目標（数値、または 対前年度）", f"{label}の目標"),
        "prior": Note(None, after="前年度の実績（目標が対前年度のときに必要です）"),
        "actual": _todo(f"{fy}の実績（{shape}）", f"{label}の実績"),
        "national": _todo("全国の実績", f"{label}の全国の実績"),
        "rank": _todo("全国順位", f"{label}の全国順位"),
    }


def _measure(catalog: Catalog, category: str, fy: str) -> dict[str, Any]:
    title = f"{catalog.categories[category].name}の取組"
    return {
        "id": f"{category}-1",
        "section": category,
        "number": "⑴",
        "title": Note(
            title,
            after="確認: 施策の見出し（例）",
            todo=(
                CONFIRM,
                f"施策「{title}」は例です。施策の見出しを書き、KPIを施策に分けてください",
            ),
        ),
        "group": Note(None, after="担当グループ（例: 業務）"),
        "kpis": _kpis_of(catalog, category),
        "plan": _todo(
            f"{fy}の事業計画（1行に1項目、- で始めて）", f"施策「{title}」の事業計画", []
        ),
        "results": Note(
            [],
            before=("実施状況の書き方の例:", "  - type: paragraph", "    text: …を実施した。"),
            after=f"{TODO}: {fy}の実施状況",
            todo=(TODO, f"施策「{title}」の実施状況"),
        ),
    }


def _todo(comment: str, what: str, value: Any = None) -> Note:
    """A place written empty, as the rollover writes it (``actual:  # 記入待ち: …``)."""
    return Note(value, after=f"{TODO}: {comment}", todo=(TODO, what))


def _kpis_of(catalog: Catalog, category: str) -> list[str]:
    return [k for k, d in catalog.kpis.items() if d.category == category]


_ROMAN = "ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩ"


def _circled(index: int) -> str:
    """項番 ①…⑳, ㉑…㉟, then (36)…: the marks the seeds number their KPI lists with."""
    if index < 20:
        return chr(0x2460 + index)
    if index < 35:
        return chr(0x3251 + index - 20)
    return f"({index + 1})"


def _style(project: Project) -> str:
    """The default results style if the project has it, else its first results style."""
    styles = project.styles("results")
    if not styles:
        raise UserError.single(
            f"{project.relative(project.templates)}/ に実施状況（results）の様式がありません"
        )
    return DEFAULT_STYLE if DEFAULT_STYLE in styles else styles[0]


def _checked_name(name: str) -> str:
    """The --name of a new branch: one line, 60 characters at most (as branch.yaml's name)."""
    name = name.strip()
    if not name or "\n" in name or len(name) > 60:
        raise UserError.single(
            f"--name の「{name}」は支部名に使えません（1行で60文字まで。例: --name 秋田支部）"
        )
    return name


def _write_new_branch(
    project: Project, branch: str, name: str, target: Path, texts: dict[str, str]
) -> list[Path]:
    """branch.yaml, then the year folder; a year that cannot be written takes back the
    branch.yaml (and the branch folder) written for it, so nothing half-made is left."""
    folder = project.plans / branch
    made_folder = not folder.exists()
    branch_file = project.branch_file(branch)
    short = name.removesuffix("支部") or name
    text = f"{BRANCH_MODELINE}\nname: {scalar(name)}\nshort_name: {scalar(short)}\n"
    try:
        write_file(branch_file, text.encode("utf-8"), durable=True)
    except OSError as exc:
        raise UserError.single(
            f"{project.relative(branch_file)} を書き込めませんでした（{exc.strerror or exc}）"
        ) from None
    try:
        written = files.write(target, texts)
    except BaseException:
        branch_file.unlink(missing_ok=True)
        if made_folder:
            shutil.rmtree(folder, ignore_errors=True)
        raise
    return [branch_file, *written]
