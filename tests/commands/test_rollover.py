"""`kenpo-report new`: rolling a branch-year over from the previous one."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from decimal import Decimal

import pytest

from conftest import copy_project
from conftest import run_main as run
from kenpo_report.build import pipeline
from kenpo_report.commands.rollover import (
    CONFIRM,
    NOTICE,
    TODO,
    Note,
    dump,
    iter_todos,
    new_year,
    next_date,
    plain,
    scalar,
    shift_era,
)
from kenpo_report.compute.report import build_report
from kenpo_report.errors import Severity, UserError
from kenpo_report.layout.formatting import fiscal_year
from kenpo_report.load.yaml_source import load_file, load_text
from kenpo_report.validate import load_plan

# --- pure parts --------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("令和6年度の実施状況", "令和7年度の実施状況"),
        ("令和７年度の計画", "令和８年度の計画"),  # full-width digits stay full-width
        ("令和6年度の取組 / 令和7年度の取組", "令和7年度の取組 / 令和8年度の取組"),
        ("※令和2年度より付与", "※令和2年度より付与"),  # a fact, not this year
        ("令和7年3月末現在", "令和7年3月末現在"),  # a date, not a fiscal year
    ],
)
def test_shift_era_near_years_only(text, expected):
    assert shift_era(text, 2024) == expected


def test_shift_era_all_years_for_figure_labels():
    assert shift_era("令和5年度", 2024, near_only=False) == "令和6年度"
    assert shift_era("令和元年度", 2019) == "令和2年度"


def test_next_date():
    assert next_date("2025-07-31") == "2026-07-31"
    assert next_date("2024-02-29") == "2025-02-28"


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("95.5", '"95.5"'),  # numbers are quoted, as planners write them
        ("0.10", '"0.10"'),
        ("NO", '"NO"'),
        ("1件当たり査定額", '"1件当たり査定額"'),
        ("サービス水準の向上", "サービス水準の向上"),
        ("a: b", '"a: b"'),
        ("- 項目", '"- 項目"'),
        ("2行\n目", '"2行\\n目"'),
        ("\uf0d8 宣言状況", '"\\uF0D8 宣言状況"'),
        ("", '""'),
    ],
)
def test_scalar(text, written):
    assert scalar(text) == written
    assert load_text(f"k: {written}\n", "t.yaml").data == {"k": text}


def test_dump_reads_back_and_keeps_comments():
    data = {
        "kpis": [
            Note(
                {
                    "kpi": "checkup_rate",
                    "target": Note("対前年度", after="前年度実績 61.6％ 以上"),
                    "actual": Note(None, after="記入待ち", todo=(TODO, "実績")),
                    "prior": {"numerator": "107020", "denominator": "173770"},
                    "notes": ["※注記", "0.10"],
                },
                before=("前年度の文言は省きました",),
            ),
            {"kpi": "single_bid_rate", "actual": None},
        ]
    }
    text = dump(data, ["# yaml-language-server: $schema=x.json"])
    assert text.startswith("# yaml-language-server: $schema=x.json\nkpis:\n")
    assert "  # 前年度の文言は省きました\n  - kpi: checkup_rate\n" in text
    assert "    target: 対前年度  # 前年度実績 61.6％ 以上\n" in text
    assert "    actual:  # 記入待ち\n" in text
    assert '    prior: {numerator: "107020", denominator: "173770"}\n' in text
    assert "\n\n  - kpi: single_bid_rate" in text  # entries are separated by a blank line
    loaded = load_text(text, "t.yaml")
    assert loaded.data == plain(data)
    [(path, kind, message)] = list(iter_todos(data))
    assert (path, kind, message) == (("kpis", 0, "actual"), TODO, "実績")
    assert loaded.source.key(path).line == 6  # modeline, kpis, comment, kpi, target


# --- the rollover on the real plans ------------------------------------------


@pytest.fixture(scope="module")
def iwate_2025(tmp_path_factory):
    """岩手 FY2025 made once from FY2024; the tests below only read it."""
    project = copy_project(tmp_path_factory.mktemp("rollover") / "project")
    return project, new_year(project, "iwate", 2025)


def _kpis(project, branch, year):
    return {e.kpi: e for e in load_plan(project, branch, year).data.kpis}


# 記入待ち as `check` words them (see compute.pending); `new` lists the same.
ACTUAL_MISSING = re.compile(
    r"KPI「(.+)」の実績（actual）がまだ書かれていません（「－」と表示します）"
)
GRADE_MISSING = re.compile(
    r"自己評価の文書ですが、施策「(.+)」に自己評価（evaluation の grade: S〜D）がありません"
)
# The field of a 記入待ち -> what it waits for (an actual left out is at its kpi, a grade
# left out at its measure's id).
_WAITS_FOR = {"kpi": "actual", "id": "evaluation"}


def waiting_places(project, branch, year, result):
    """`new`'s 記入待ち are exactly `check`'s (same message, same place, as many), and
    `check` says nothing else of the new year: no error, no other warning. Returns
    them counted by what they wait for (actual, national, rank, results, evaluation…)."""
    problems = pipeline.check(project, branch, year)
    assert [str(p) for p in problems if p.severity is not Severity.PENDING] == []
    assert result.problems == []
    listed = sorted((str(t.position), t.message) for t in result.todos if t.kind == TODO)
    assert listed == sorted((str(p.position), p.message) for p in problems)
    counts = Counter(re.sub(r"\[\d+\]$", "", p.field.rpartition(".")[2]) for p in problems)
    return {_WAITS_FOR.get(k, k): n for k, n in counts.items()}


def plan_texts(blocks):
    """The texts of 次年度の計画 blocks, in order, as plan items."""
    items = []
    for b in blocks:
        if b.type in ("paragraph", "heading"):
            items.append(b.text)
        elif b.type == "bullets":
            items += ([b.title] if b.title else []) + list(b.items)
        elif b.type == "table":
            items += [b.caption] if b.caption else []
            items += ["　".join(str(c) for c in row) for row in [*b.header, *b.rows]]
            items += [b.note] if b.note else []
        else:
            raise AssertionError(f"no plan item for a {b.type}")
    return items


def _leading_comments(path) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return lines[: next(i for i, line in enumerate(lines) if not line.startswith("#"))]


def test_new_year_writes_the_same_files_with_modeline(iwate_2025):
    """Every file keeps its leading comments, modeline first, 令和6年度 moved to 令和7年度
    (the titles of 00 and 10; the others name no year), and says where it came from."""
    project, result = iwate_2025
    old = project.year_files("iwate", 2024)
    assert [p.name for p in result.written] == [p.name for p in old]
    made = (
        "# 令和6年度（plans/iwate/2024/）から kenpo-report new で作りました。"
        "「記入待ち」の箇所を書き、「確認」の箇所を見直してください。"
    )
    titles = {
        "00-document.yaml": "# 岩手支部 令和7年度 事業実施状況（文書の設定と区分の扉）",
        "10-kpis.yaml": "# 岩手支部 令和7年度 KPI一覧（表示順）。率は件数から計算します。",
    }
    for before, path in zip(old, result.written, strict=True):
        then, now = _leading_comments(before), _leading_comments(path)
        assert now[0] == "# yaml-language-server: $schema=../../../schema/branch-year.schema.json"
        assert now == [*(line.replace("令和6年度", "令和7年度") for line in then), made]
        moved = [line for line in now if "令和7年度" in line]
        assert moved == ([titles[path.name]] if path.name in titles else []), path.name


def test_new_year_lists_what_check_lists(iwate_2025):
    """`check` lists the places `new` listed as 記入待ち, one per KPI actual (16), per
    national figure and rank written empty and per measure's 実施状況; nothing else (no
    error, no reference or typed-figure warning)."""
    project, result = iwate_2025
    waiting = waiting_places(project, "iwate", 2025, result)
    assert waiting == {"actual": 16, "national": 12, "rank": 11, "results": 26}
    assert len(_kpis(project, "iwate", 2025)) == 16


def test_actuals_become_priors(iwate_2025):
    project, _ = iwate_2025
    last, new = _kpis(project, "iwate", 2024), _kpis(project, "iwate", 2025)
    # 郵送化率 became 窓口での受付率 (successor); 保険証回収率 is not in the 2025 catalogue.
    renamed = {e.successor or e.kpi: e.kpi for e in last.values()}
    assert set(new) == set(renamed) - {"card_collection_rate"}
    assert renamed["window_rate"] == "mail_application_rate"
    for kpi_id, entry in new.items():
        before = last[renamed[kpi_id]]
        assert entry.actual is None
        assert entry.national is None and entry.rank is None
        assert (entry.number, entry.item, entry.page, entry.group) == (
            before.number,
            before.item,
            before.page,
            before.group,
        )
        assert entry.target == before.target
        if kpi_id == "window_rate":
            continue  # measured the other way round: below
        if before.actual is not None:
            # The typed rate of the source document is not carried (it was checked last year).
            expected = (
                before.actual.model_copy(update={"typed": None})
                if hasattr(before.actual, "numerator")
                else before.actual
            )
            assert entry.prior == expected
        assert entry.national_prior == before.national
        assert entry.prior_rank == before.rank
    assert new["receipt_assessment_rate"].prior == Decimal("0.252")
    assert new["claim_collection_rate"].prior.numerator == Decimal("54576117")
    # 窓口での受付率 = 100％ − 郵送化率 (catalogue: complement_of), 95.5 -> 4.5
    assert new["window_rate"].prior == Decimal("4.5")
    assert new["window_rate"].prior_rank is None


def test_prior_year_targets_resolve_from_last_years_actual(iwate_2025):
    project, _ = iwate_2025
    plan = load_plan(project, "iwate", 2025)
    report = build_report(plan, plan.data.documents[0])
    by_id = {k.entry.kpi: k for k in report.kpis}
    assert by_id["receipt_assessment_rate"].target_text == "0.252％以上"
    assert by_id["reexamination_amount"].target_text == "10,026円以上"
    assert by_id["referral_visit_rate"].target_text == "32.6％以上"
    assert by_id["committee_offices"].target_text == "3,743事業所以上"
    # The statement cites its prior ({prior}), not a typed figure: it is carried and
    # now prints FY2024's actual (it printed 2,810, FY2023's, last year).
    assert (
        by_id["committee_offices"].statement
        == "健康保険委員の委嘱事業所数を対前年度3,743事業所以上とする"
    )
    text = (project.year_dir("iwate", 2025) / "10-kpis.yaml").read_text(encoding="utf-8")
    assert "target: 対前年度  # 前年度実績 0.252％ 以上" in text
    assert 'statement: "{name}を対前年度{prior}{direction}とする"' in text


def test_typed_statement_with_last_years_figure_is_dropped(project):
    """A 対前年度 statement that types last year's figure (as the seed does: 2,810) would
    print a stale figure: it is left out (the generated statement is used), kept as a comment."""
    path = project.year_dir("iwate", 2024) / "10-kpis.yaml"
    text = path.read_text(encoding="utf-8")
    cited = '    statement: "{name}を対前年度{prior}{direction}とする"\n    target: 対前年度\n    prior: "2810"'
    assert cited in text
    typed = cited.replace(
        '"{name}を対前年度{prior}{direction}とする"',
        "健康保険委員の委嘱事業所数を対前年度2,810事業所以上とする",
    )
    path.write_text(text.replace(cited, typed), encoding="utf-8")
    new_year(project, "iwate", 2025)
    entry = _kpis(project, "iwate", 2025)["committee_offices"]
    assert entry.statement is None
    plan = load_plan(project, "iwate", 2025)
    report = build_report(plan, plan.data.documents[0])
    shown = next(k for k in report.kpis if k.entry.kpi == "committee_offices")
    assert shown.statement == "健康保険委員の委嘱事業所数を対前年度以上とする"
    text = (project.year_dir("iwate", 2025) / "10-kpis.yaml").read_text(encoding="utf-8")
    assert "対前年度2,810事業所以上とする」は前年度の数値を含むため省きました" in text


TARGET_MISSING = "KPI「{}」の目標（target）がまだ書かれていません（「－」と表示します）"


def _target_todos(result, name):
    return [t for t in result.todos if "の目標" in t.message and name in t.message]


def test_an_empty_target_stays_to_fill_in(project):
    """Last year's `target:` left empty: the new year's is 記入待ち, as a first year writes
    it, not a 確認 of an empty figure (「…の目標  は令和6年度の目標です」)."""
    path = project.year_dir("iwate", 2024) / "10-kpis.yaml"
    text = path.read_text(encoding="utf-8")
    written = '    statement: "{name}を{target}とする"\n    target: "100"\n'
    assert text.count(written) == 1
    path.write_text(text.replace(written, written.replace(' "100"', "")), encoding="utf-8")
    result = new_year(project, "iwate", 2025)
    name = "サービススタンダードの達成状況"
    [todo] = _target_todos(result, name)
    assert (todo.kind, todo.message) == (TODO, TARGET_MISSING.format(name))
    assert _kpis(project, "iwate", 2025)["service_standard"].target is None
    new_text = (result.folder / "10-kpis.yaml").read_text(encoding="utf-8")
    assert "    target:  # 記入待ち: 令和7年度の目標（数値、または 対前年度）\n" in new_text
    # The other targets are last year's, to be confirmed, as before.
    [other] = _target_todos(result, "生活習慣病予防健診受診率")
    assert other.kind == CONFIRM and "64.4％以上 は令和6年度の目標です" in other.message


def test_a_first_year_left_unfilled_rolls_over_to_fill_in(project):
    """A branch's first year whose targets were never written: the next year asks for them
    (記入待ち), with no 確認 of an empty figure, and only what it filled is confirmed."""
    new_year(project, "akita", 2024, "秋田支部")
    path = project.year_dir("akita", 2024) / "10-kpis.yaml"
    text = path.read_text(encoding="utf-8")
    empty = "  - kpi: checkup_rate  # 生活習慣病予防健診受診率（％）\n"
    assert text.count(empty) == 1
    start = text.index(empty)
    entry = text[start : text.index("\n\n", start)]
    filled = re.sub(r"^    target:.*$", '    target: "62.5"', entry, flags=re.M)
    path.write_text(text.replace(entry, filled), encoding="utf-8")
    result = new_year(project, "akita", 2025)
    targets = [t for t in result.todos if "の目標" in t.message]
    kpis = _kpis(project, "akita", 2025)
    assert [t.message for t in targets if t.kind == CONFIRM] == [
        "生活習慣病予防健診受診率（項番⑦）の目標 62.5％以上 は令和6年度の目標です。令和7年度の目標に直してください"
    ]
    waiting = sorted(t.message for t in targets if t.kind == TODO)
    names = load_plan(project, "akita", 2025).catalog.kpis
    assert waiting == sorted(
        TARGET_MISSING.format(names[k].name) for k, e in kpis.items() if k != "checkup_rate"
    )
    assert all(e.target is None for k, e in kpis.items() if k != "checkup_rate")
    assert not any("の目標  は" in t.message or "の目標 以上" in t.message for t in result.todos)


def test_todos_point_at_every_empty_actual(iwate_2025):
    project, result = iwate_2025
    actuals = [t for t in result.todos if t.kind == TODO and ACTUAL_MISSING.fullmatch(t.message)]
    assert len(actuals) == len(_kpis(project, "iwate", 2025))
    for todo in actuals:
        assert todo.position.file == "plans/iwate/2025/10-kpis.yaml"
        line = (
            (project.root / todo.position.file)
            .read_text(encoding="utf-8")
            .splitlines()[todo.position.line - 1]
        )
        assert line[todo.position.column - 1 :].startswith("actual:  # 記入待ち")
    assert re.fullmatch(
        r"plans/iwate/2025/10-kpis\.yaml:\d+:5: 記入待ち: KPI「.+」の実績（actual）がまだ.+",
        str(actuals[0]),
    )
    notices = [t for t in result.todos if t.kind == NOTICE]
    assert any("card_collection_rate" in t.message and "successor" in t.message for t in notices)
    assert not any("mail_application_rate" in t.message for t in notices)  # followed
    assert any(t.kind == CONFIRM and "64.4％以上" in t.message for t in result.todos)


def test_measures_keep_their_place_kpis_and_plan_not_last_years_results(iwate_2025):
    """岩手 writes no 次年度の計画: each measure keeps last year's plan as the draft
    (確認: a plan is written, it is no 記入待ち); its results, figures and the rest of
    the past are gone."""
    project, result = iwate_2025
    plan = load_plan(project, "iwate", 2025)
    old = load_plan(project, "iwate", 2024)
    assert [m.id for m in plan.data.measures] == [m.id for m in old.data.measures]
    assert plan.data.sections == old.data.sections
    renamed = {"mail_application_rate": "window_rate"}
    # One 確認 per measure (titles repeat: ⑴ サービス水準の向上 is two measures).
    draft = "の事業計画は、令和6年度の事業計画のままです。令和7年度の計画に直してください"
    waiting = [t for t in result.todos if t.kind == CONFIRM and t.message.endswith(draft)]
    assert len(waiting) == len(plan.data.measures) == 26
    for new, last in zip(plan.data.measures, old.data.measures, strict=True):
        where = (new.section, new.number, new.heading, new.title, new.group)
        assert where == (last.section, last.number, last.heading, last.title, last.group)
        assert new.kpis == [renamed.get(k, k) for k in last.kpis if k != "card_collection_rate"], (
            new.id
        )
        assert not last.next_plan
        assert new.plan == last.plan, new.id
        todo = next(t for t in waiting if t.message == f"施策「{new.title}」{draft}")
        waiting.remove(todo)
        assert todo.position.file.startswith("plans/iwate/2025/")
        assert (new.results, new.figures, new.prior_results, new.issues) == ([], {}, [], [])
        assert (new.evaluation, new.activities, new.next_plan) == (None, [], [])
    assert sum(bool(m.results) for m in old.data.measures) == len(old.data.measures)
    assert sum(bool(m.figures) for m in old.data.measures) == 10
    by_id = {m.id: m for m in plan.data.measures}
    # The KPI wording cited last year's named figures (見込者数): now the printed figure, 確認.
    assert by_id["checkup"].statements == [
        "{checkup_rate.statement} （40歳以上受診見込者数：109,803人 ／ 受診対象者数：170,501人）"
    ]
    assert any(
        t.kind == CONFIRM and "KPIの文言" in t.message and "checkup_expected" in t.message
        for t in result.todos
    )
    # 債権管理's wording named the 保険証回収率, which FY2025 has no more: left out, 確認.
    assert by_id["collection"].statements == []
    assert any(
        t.kind == CONFIRM
        and t.message.startswith(
            "施策「債権管理・回収と返納金債権発生防止の強化」のKPIの文言は省きました"
        )
        for t in result.todos
    )


def test_successor_with_a_complement_gets_its_prior_computed(project):
    """三重: 郵送化率 95.8％ (FY2024) -> 窓口での受付率 4.2％ as FY2025's prior, to confirm."""
    result = new_year(project, "mie", 2025)
    data = load_file(
        project.year_dir("mie", 2025) / "10-kpis.yaml", "plans/mie/2025/10-kpis.yaml"
    ).data
    entry = next(e for e in data["kpis"] if e["kpi"] == "window_rate")
    assert entry["target"] == "対前年度"
    assert entry["prior"] == "4.2"
    assert "mail_application_rate" not in [e["kpi"] for e in data["kpis"]]
    [confirm] = [t for t in result.todos if "100％ − 95.8％" in t.message]
    assert confirm.kind == CONFIRM and "窓口での受付率" in confirm.message
    assert not any(t.kind == TODO and "前年度実績" in t.message for t in result.todos)
    assert not [p for p in result.problems if p.severity is Severity.ERROR]
    # the target is last year's 窓口での受付率, at most (対前年度以下)
    plan = load_plan(project, "mie", 2025)
    report = build_report(plan, plan.data.documents[0])
    window = next(k for k in report.kpis if k.entry.kpi == "window_rate")
    assert window.target_text == "4.2％以下"
    # the measure now reports the successor
    measures = (project.year_dir("mie", 2025) / "20-gyomu.yaml").read_text(encoding="utf-8")
    assert "kpis: [window_rate]" in measures and "mail_application_rate" not in measures


def test_successor_drops_the_names_of_the_kpi_it_replaces(project):
    """岩手 labels 郵送化率 「郵送化率」; 窓口での受付率 measures the opposite."""
    source = load_file(
        project.year_dir("iwate", 2024) / "10-kpis.yaml", "plans/iwate/2024/10-kpis.yaml"
    ).data
    old = next(e for e in source["kpis"] if e["kpi"] == "mail_application_rate")
    assert old.get("label") == "郵送化率"
    new_year(project, "iwate", 2025)
    written = (project.year_dir("iwate", 2025) / "10-kpis.yaml").read_text(encoding="utf-8")
    data = load_text(written, "10-kpis.yaml").data
    entry = next(e for e in data["kpis"] if e["kpi"] == "window_rate")
    assert "label" not in entry
    assert "label「郵送化率」はKPIが変わったため省きました" in written


def test_successor_measured_differently_asks_for_the_prior(project):
    """Without complement_of in the catalogue, last year's figure is no prior: 記入待ち."""
    catalog = project.catalog_file(2025)
    text = catalog.read_text(encoding="utf-8")
    catalog.write_text(
        text.replace("    complement_of: mail_application_rate\n", ""), encoding="utf-8"
    )
    result = new_year(project, "mie", 2025)
    asked = [t for t in result.todos if t.kind == TODO and "前年度実績" in t.message]
    assert len(asked) == 1 and "窓口での受付率" in asked[0].message
    # check fails exactly there until the planner writes it, and says why
    errors = [p for p in result.problems if p.severity is Severity.ERROR]
    assert [p.field for p in errors] == ["kpis[1].target"]
    assert "前年度の mail_application_rate からIDが変わったKPI" in errors[0].message


@pytest.mark.parametrize("branch", ["oita", "mie"])
def test_last_years_next_plan_becomes_this_years_plan(project, branch):
    """大分, 三重: every measure's 次年度の計画 (written in FY2024 about FY2025) is FY2025's
    事業計画, item by item, to confirm; its years are not moved (they are already
    FY2025's); results are 記入待ち; the past is gone."""
    result = _roll(project, branch, 2025)
    plan = load_plan(project, branch, 2025)
    old = load_plan(project, branch, 2024)
    assert [m.id for m in plan.data.measures] == [m.id for m in old.data.measures]
    todos = list(result.todos)
    for new, last in zip(plan.data.measures, old.data.measures, strict=True):
        assert last.next_plan and last.results, last.id
        assert new.plan == plan_texts(last.next_plan), new.id
        assert new.plan != last.plan
        assert (new.results, new.figures, new.issues, new.next_plan) == ([], {}, [], [])
        for kind, message in (
            (CONFIRM, f"施策「{new.title}」の事業計画は、令和6年度に書いた計画のままです"),
            (TODO, f"施策「{new.title}」の実施状況（results）がまだ書かれていません"),
        ):
            todo = next(t for t in todos if (t.kind, t.message) == (kind, message))
            todos.remove(todo)
            assert todo.position.file.startswith(f"plans/{branch}/2025/")
    by_id = {m.id: m for m in plan.data.measures}
    if branch == "oita":
        # Written in FY2024: 令和6年度 there is FY2024 and stays so.
        assert (
            "令和6年度に実施したサポート内容を継続する。（健康機器レンタル含む）"
            in by_id["collabo-health"].plan
        )
        assert by_id["service"].kpis == ["service_standard", "window_rate"]
        # 「昨年度」 meant FY2023 when it was written: to confirm.
        assert any(
            t.kind == CONFIRM
            and "「昨年度」の記載があります" in t.message
            and t.position.file == "plans/oita/2025/40-kikaku.yaml"
            for t in result.todos
        )
    else:
        # The 広報計画 table of 三重's 次年度の計画: one item a row, said so in a comment.
        items = by_id["mail-application"].plan
        assert items[items.index("電子申請に係る広報計画(案）") + 1] == "令和7年10月　HPでの周知"
        text = (project.year_dir("mie", 2025) / "20-gyomu.yaml").read_text(encoding="utf-8")
        assert "# 表「電子申請に係る広報計画(案）」は1行を1項目にしました" in text
        assert by_id["receipt"].plan[0].startswith("自動点検マスタを毎月定期的に更新")


def test_self_evaluation_year_waits_for_grades(project):
    """茨城 (自己評価): grades, evaluation comments, 前年度実績 and 具体的な取り組み are
    last year's: gone; each measure's grade is 記入待ち and `check` warns for exactly
    those, with the actuals; the section text's citations of last year's named
    figures become the printed figures, to confirm."""
    result = _roll(project, "ibaraki", 2025)
    plan = load_plan(project, "ibaraki", 2025)
    old = load_plan(project, "ibaraki", 2024)
    assert [m.id for m in plan.data.measures] == [m.id for m in old.data.measures]
    assert all(m.evaluation is not None for m in old.data.measures)
    assert sum(bool(m.prior_results) for m in old.data.measures) == 13
    for new, last in zip(plan.data.measures, old.data.measures, strict=True):
        assert (new.evaluation, new.prior_results, new.activities) == (None, [], []), new.id
        assert (new.results, new.figures, new.issues) == ([], {}, [])
        assert new.plan == last.plan  # no 次年度の計画 in 茨城's data: last year's, 確認
        assert new.kpis == [
            k for k in last.kpis if k not in ("mail_application_rate", "card_collection_rate")
        ]
    grades = [t for t in result.todos if t.kind == TODO and GRADE_MISSING.fullmatch(t.message)]
    assert len(grades) == len(plan.data.measures) == 20
    for todo in grades:
        line = (
            (project.root / todo.position.file)
            .read_text(encoding="utf-8")
            .splitlines()[todo.position.line - 1]
        )
        assert line == "    evaluation:  # 記入待ち: 自己評価（{grade: B} のように S〜D で）"
    assert waiting_places(project, "ibaraki", 2025, result) == {
        "actual": 15,
        "national": 11,
        "rank": 11,
        "results": 20,
        "evaluation": 20,
    }
    # 《目標》 of the データヘルス計画 cited the 保健 measures' figures of FY2024.
    box = plan.data.sections["strategic"].intro[1]  # the （Ⅱ）健康づくり box, after the heading
    assert (
        "特定保健指導該当率を６年後（令和11年度）に1.5％減少させる。（令和４年度21.6％ → 令和11年度20.1％）"
        in box.items
    )
    assert any(
        t.kind == CONFIRM
        and t.message.startswith("区分「strategic」の文: 前年度の数値（datahealth_reduction）")
        for t in result.todos
    )
    # Body text keeps its years (the milestones of a six-year plan).
    assert any("令和6年度中の完了を目指し" in i for i in box.items)
    assert any("令和7年度以降、早期受診勧奨" in i for i in box.items)
    # Once the year is reported (an actual written), a missing grade is an error.
    path = project.year_dir("ibaraki", 2025) / "10-kpis.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(
        re.sub(r"actual:  # 記入待ち.*", 'actual: "100"', text, count=1), encoding="utf-8"
    )
    with pytest.raises(UserError) as exc:
        pipeline.check(project, "ibaraki", 2025)
    assert [p for p in exc.value.problems if GRADE_MISSING.fullmatch(p.message)]


APPENDIX = """\
pages:
  - id: appendix
    title: 参考資料
    group: 企画
    blocks:
      - type: box
        title: 事業計画
        items: [健康保険委員の委嘱拡大]
      - type: kpi_box
        rows: [{kpi: checkup_rate, label: 受診率}]
      - type: heading
        text: 令和6年度の取組
      - type: paragraph
        text: 委嘱勧奨を実施した。
      - type: heading
        text: 令和7年度の取組
      - type: bullets
        items: [委嘱勧奨を継続する。]
"""


def test_a_page_that_is_no_measure_is_carried_as_a_skeleton(project):
    """An appendix page (pages:) keeps its 事業計画 box and KPI blocks; last year's
    results go; what it planned under 令和7年度の取組 is now FY2025's 取組, and the
    next-year section starts empty (記入待ち)."""
    (project.year_dir("iwate", 2024) / "90-appendix.yaml").write_text(APPENDIX, encoding="utf-8")
    result = new_year(project, "iwate", 2025)
    waiting = waiting_places(project, "iwate", 2025, result)
    assert waiting == {"actual": 16, "national": 12, "rank": 11, "results": 26, "blocks": 1}
    [page] = load_plan(project, "iwate", 2025).data.pages
    kinds = [(b.type, getattr(b, "text", None)) for b in page.blocks]
    assert kinds == [
        ("box", None),
        ("kpi_box", None),
        ("heading", "令和7年度の取組"),
        ("bullets", None),
        ("heading", "令和8年度の取組"),
    ]
    assert page.blocks[3].items == ["委嘱勧奨を継続する。"]
    todos = [(t.kind, t.message) for t in result.todos]
    assert (CONFIRM, "ページ「参考資料」の「事業計画」は令和6年度の事業計画です") in todos
    assert (
        CONFIRM,
        "ページ「参考資料」の令和7年度の取組みは、令和6年度に書いた計画のままです",
    ) in todos
    assert (
        TODO,
        "ページ「参考資料」の見出し「令和8年度の取組」の内容がまだ書かれていません",
    ) in todos


# --- refusals (CLI) ----------------------------------------------------------


def test_cli_new_prints_what_to_fill_in(project, capsys):
    assert run(project, "new", "iwate", "2025") == 0
    out, err = capsys.readouterr()
    assert "作成しました: plans/iwate/2025/10-kpis.yaml" in out
    assert re.search(r"^plans/iwate/2025/10-kpis\.yaml:\d+:\d+: 記入待ち: ", out, re.M)
    # The places still to fill in, as check words them (one per actual among them); the
    # check of the new year finds nothing else.
    waiting = re.findall(r"^plans/iwate/2025/\S+ 記入待ち: (.+)$", out, re.M)
    assert re.search(rf"^記入待ち {len(waiting)}件、確認 \d+件、注意 \d+件。", out, re.M)
    assert len([w for w in waiting if ACTUAL_MISSING.fullmatch(w)]) == 16
    assert "作成したデータの検査: 問題はありません" in err


def test_refuses_to_overwrite_an_existing_year(project, capsys):
    folder = project.year_dir("oita", 2025)
    before = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert run(project, "new", "oita", "2025") == 1
    assert "plans/oita/2025/ はすでにあります。上書きはしません" in capsys.readouterr().err
    assert {p.name: p.read_bytes() for p in folder.iterdir()} == before


def test_an_empty_year_folder_is_filled(project):
    project.year_dir("iwate", 2025).mkdir()
    result = new_year(project, "iwate", 2025)
    assert result.written


def test_refuses_without_previous_year(project, capsys):
    assert run(project, "new", "iwate", "2023") == 1
    err = capsys.readouterr().err
    assert "前年度（令和4年度）のデータ plans/iwate/2022/ がありません" in err
    assert not project.year_dir("iwate", 2023).exists()


# --- every branch-year in plans/, rolled over, checks without errors ---------------


def _roll(project, branch, year):
    """`new` on a copy; a year that already exists is moved aside first (oita 2025). For
    FY2026 a stand-in catalogue (FY2025's) is written: there is none in plans/."""
    existing = project.year_dir(branch, year)
    if existing.exists():
        existing.rename(project.root / f"{branch}-{year}.aside")
    catalog = project.catalog_file(year)
    if not catalog.exists():
        catalog.write_text(
            project.catalog_file(year - 1).read_text(encoding="utf-8"), encoding="utf-8"
        )
    return new_year(project, branch, year)


@pytest.mark.parametrize(
    ("branch", "year", "waiting"),
    [
        # results: every KPI's actual, the national figures and ranks, every 実施状況
        ("iwate", 2025, {"actual": 16, "national": 12, "rank": 11, "results": 26}),
        ("mie", 2025, {"actual": 16, "national": 1, "results": 7}),
        # self-evaluation: and every grade
        (
            "ibaraki",
            2025,
            {"actual": 15, "national": 11, "rank": 11, "results": 20, "evaluation": 20},
        ),
        ("oita", 2025, {"actual": 16, "results": 11}),
        ("fukushima", 2026, {}),  # a plan: nothing to report
    ],
)
def test_rollover_of_every_branch_checks_with_only_waiting_warnings(project, branch, year, waiting):
    """Each branch-year of plans/ rolled over: `check` gives no error, no warning, and
    lists the 記入待ち that `new` listed (the same places, by kind); the documents lay out."""
    result = _roll(project, branch, year)
    assert waiting_places(project, branch, year, result) == waiting
    plan = load_plan(project, branch, year)
    kinds = {d.kind for d in plan.data.documents}
    assert waiting.get("actual", 0) == (
        len(plan.data.kpis) if kinds & {"results", "self_evaluation"} else 0
    )
    assert waiting.get("evaluation", 0) == (
        len(plan.data.measures) if "self_evaluation" in kinds else 0
    )
    # The KPIs are carried (through successors, less those the catalogue has no more),
    # every measure too, with its KPIs, its past cleared and its plan to write or confirm.
    last = load_plan(project, branch, year - 1)
    successor = {e.kpi: e.successor or e.kpi for e in last.data.kpis}

    def carried(ids):
        return [successor.get(k, k) for k in ids if successor.get(k, k) in plan.catalog.kpis]

    assert [e.kpi for e in plan.data.kpis] == carried(e.kpi for e in last.data.kpis)
    assert [m.id for m in plan.data.measures] == [m.id for m in last.data.measures]
    for m, before in zip(plan.data.measures, last.data.measures, strict=True):
        assert m.kpi_ids == carried(before.kpi_ids), m.id
        assert (m.results, m.figures, m.prior_results, m.issues) == ([], {}, [], []), m.id
        assert (m.evaluation, m.activities, m.next_plan) == (None, [], []), m.id
        assert m.plan, m.id
        planned = [
            t for t in result.todos if t.message.startswith(f"施策「{_one_line(m.title)}」の")
        ]
        assert any(
            t.kind == CONFIRM
            and t.message.endswith(
                ("に書いた計画のままです", f"{fiscal_year(year)}の計画に直してください")
            )
            for t in planned
        ), m.id
    for document in plan.data.documents:  # the documents lay out, as build would
        html = pipeline.lay_out(project, plan, build_report(plan, document))
        assert "<html" in html.lower()


def _one_line(title):
    return title.replace("\n", " ")


def test_oita_window_rate_prior_is_the_seeds_target(project):
    """大分's FY2025 KPI is 窓口での受付率 8.4％以下: 100 − FY2024's 郵送化率 91.6％."""
    _roll(project, "oita", 2025)
    entry = _kpis(project, "oita", 2025)["window_rate"]
    assert entry.prior == Decimal("8.4")
    assert entry.target == "対前年度"


@pytest.mark.parametrize("branch", ["fukushima", "oita"])
def test_rollover_after_a_plan_only_year_checks_without_errors(project, branch):
    """FY2026 from a FY2025 that has no results yet (a stand-in 2026 catalogue: there is
    none in plans/). 対前年度 targets wait for FY2025's actuals: a notice (注意) where
    to write them, not an error, nor a 記入待ち of FY2026 (it has no documents)."""
    catalog = project.catalog_file(2026)
    catalog.write_text(project.catalog_file(2025).read_text(encoding="utf-8"), encoding="utf-8")
    result = new_year(project, branch, 2026)
    assert [str(p) for p in result.problems if p.severity is Severity.ERROR] == []
    if branch == "oita":
        waiting = [t for t in result.todos if t.kind == NOTICE and "前年度実績" in t.message]
        assert waiting and not [t for t in result.todos if t.kind == TODO]
        assert all(
            "plans/oita/2025/ に令和7年度の実績（actual）を書けば" in t.message for t in waiting
        )
        # Once FY2025 is reported (documents) without that actual, it is an error again.
        kpis = project.year_dir("oita", 2025) / "10-kpis.yaml"
        documents = (project.year_dir("oita", 2024) / "00-document.yaml").read_text(
            encoding="utf-8"
        )
        (kpis.parent / "00-document.yaml").write_text(documents, encoding="utf-8")
        with pytest.raises(UserError) as exc:
            load_plan(project, "oita", 2026)
        assert all("plans/oita/2025/" in p.message for p in exc.value.problems)


def test_refuses_without_catalogue(project, capsys):
    assert run(project, "new", "fukushima", "2026") == 1
    err = capsys.readouterr().err
    assert "令和8年度のKPIカタログ plans/catalog/2026.yaml がありません" in err
    assert not project.year_dir("fukushima", 2026).exists()


def test_refuses_unknown_branch(project, capsys):
    assert run(project, "new", "nara", "2025") == 1
    assert "支部「nara」がありません" in capsys.readouterr().err


def test_refuses_when_last_year_has_errors(project, capsys):
    path = project.year_dir("iwate", 2024) / "10-kpis.yaml"
    path.write_text(
        path.read_text(encoding="utf-8").replace("rank: 22", "rnak: 22"), encoding="utf-8"
    )
    with pytest.raises(UserError) as exc:
        new_year(project, "iwate", 2025)
    assert any("rnak" in str(p) for p in exc.value.problems)
    assert not project.year_dir("iwate", 2025).exists()


@pytest.mark.parametrize("args", [["new", "iwate", "25"], ["new", "../x", "2025"], ["new"]])
def test_usage_errors_exit_2(project, args):
    with pytest.raises(SystemExit) as exc:
        raise SystemExit(run(project, *args))
    assert exc.value.code == 2


def test_each_year_says_once_where_it_came_from(project):
    """The comment `new` writes at the head of a file names that file's source year; a
    second rollover replaces it instead of carrying the old one (with its era shifted)."""
    new_year(project, "akita", 2024, "秋田支部")
    new_year(project, "akita", 2025)
    shutil.copy(project.catalog_file(2025), project.catalog_file(2026))
    new_year(project, "akita", 2026)
    for year, source in (
        (2025, "令和6年度（plans/akita/2024/）"),
        (2026, "令和7年度（plans/akita/2025/）"),
    ):
        for path in sorted(project.year_dir("akita", year).glob("*.yaml")):
            made = [
                ln
                for ln in path.read_text(encoding="utf-8").splitlines()
                if "kenpo-report new" in ln
            ]
            assert made == [
                f"# {source}から kenpo-report new で作りました。" + made[0].split("。", 1)[1]
            ], (
                path,
                made,
            )
            assert "ひな形" not in made[0]
