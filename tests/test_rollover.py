"""`kenpo-report new`: rolling a branch-year over from the previous one."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest

from conftest import copy_project
from kenpo_report import pipeline
from kenpo_report.cli import main
from kenpo_report.errors import Severity, UserError
from kenpo_report.loader import load_file, load_text
from kenpo_report.report import build_report
from kenpo_report.rollover import (
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
from kenpo_report.validate import load_plan


def run(project, *args):
    return main(["--project", str(project.root), *args])


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


def test_new_year_writes_the_same_files_with_modeline(iwate_2025):
    project, result = iwate_2025
    old = [p.name for p in project.year_files("iwate", 2024)]
    assert [p.name for p in result.written] == old
    for path in result.written:
        lines = path.read_text(encoding="utf-8").splitlines()
        assert lines[0] == "# yaml-language-server: $schema=../../../schema/branch-year.schema.json"
        assert "令和7年度" in "\n".join(lines[:3]) or path.name.startswith(("2", "3", "4"))


def test_new_year_checks_clean(iwate_2025):
    project, result = iwate_2025
    assert result.problems == []
    assert pipeline.check(project, "iwate", 2025) == []


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
    # The typed statement spelled out last year's figure (2,810): the generated one is used.
    assert by_id["committee_offices"].statement == "健康保険委員の委嘱事業所数を対前年度以上とする"
    text = (project.year_dir("iwate", 2025) / "10-kpis.yaml").read_text(encoding="utf-8")
    assert "target: 対前年度  # 前年度実績 0.252％ 以上" in text
    assert "対前年度2,810事業所以上とする」は前年度の数値を含むため省きました" in text


def test_todos_point_at_every_empty_actual(iwate_2025):
    project, result = iwate_2025
    actuals = [
        t for t in result.todos if t.kind == TODO and t.message.endswith("の令和7年度の実績")
    ]
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
        r"plans/iwate/2025/10-kpis\.yaml:\d+:5: 記入待ち: .+の令和7年度の実績", str(actuals[0])
    )
    notices = [t for t in result.todos if t.kind == NOTICE]
    assert any("card_collection_rate" in t.message and "successor" in t.message for t in notices)
    assert not any("mail_application_rate" in t.message for t in notices)  # followed
    assert any(t.kind == CONFIRM and "64.4％以上" in t.message for t in result.todos)


def test_pages_keep_the_plan_and_kpi_blocks_not_last_years_results(iwate_2025):
    project, _ = iwate_2025
    plan = load_plan(project, "iwate", 2025)
    old = load_plan(project, "iwate", 2024)
    assert [p.id for p in plan.data.pages] == [p.id for p in old.data.pages]
    checkup = next(p for p in plan.data.pages if p.id == "checkup")
    kinds = [b.type for b in checkup.blocks]
    assert kinds == ["box", "kpi_box", "heading", "formula", "comparison", "comparison"]
    heading = checkup.blocks[2]
    assert heading.text == "令和7年度の実施状況"
    titles = [b.title for b in checkup.blocks if b.type == "comparison"]
    assert titles == ["令和7年度", "令和6年度"]


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
    # the page's KPI table now refers to the successor
    pages = (project.year_dir("mie", 2025) / "20-pages.yaml").read_text(encoding="utf-8")
    assert "kpi: window_rate" in pages and "mail_application_rate" not in pages


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


def test_last_years_plan_becomes_this_years_text(project):
    """三重 receipt: 令和6年度の取組 (heading) and a 令和7年度の取組 column (last year's plan)."""
    new_year(project, "mie", 2025)
    pages = load_file(
        project.year_dir("mie", 2025) / "20-pages.yaml", "plans/mie/2025/20-pages.yaml"
    ).data["pages"]
    receipt = next(p for p in pages if p.get("id") == "receipt")
    blocks = receipt["blocks"]
    heading = next(i for i, b in enumerate(blocks) if b["type"] == "heading")
    assert blocks[heading]["text"] == "令和7年度の取組"  # was 令和6年度の取組
    items = blocks[heading + 1]["items"]
    assert items[0].startswith("自動点検マスタを毎月定期的に更新")  # was 令和7年度の取組 in 2024
    columns = [c for b in blocks if b["type"] == "columns" for c in b["columns"]]
    next_year = next(c for c in columns if c.get("title") == "令和8年度の取組")
    assert next_year["blocks"] == []


# --- refusals (CLI) ----------------------------------------------------------


def test_cli_new_prints_what_to_fill_in(project, capsys):
    assert run(project, "new", "iwate", "2025") == 0
    out, err = capsys.readouterr()
    assert "作成しました: plans/iwate/2025/10-kpis.yaml" in out
    assert re.search(r"^plans/iwate/2025/10-kpis\.yaml:\d+:\d+: 記入待ち: ", out, re.M)
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
    """`new` on a copy; a year that already exists is moved aside first (oita 2025)."""
    existing = project.year_dir(branch, year)
    if existing.exists():
        existing.rename(project.root / f"{branch}-{year}.aside")
    return new_year(project, branch, year)


@pytest.mark.parametrize(
    ("branch", "year"), [("iwate", 2025), ("mie", 2025), ("ibaraki", 2025), ("oita", 2025)]
)
def test_rollover_of_every_branch_checks_without_errors(project, branch, year):
    result = _roll(project, branch, year)
    assert [str(p) for p in result.problems if p.severity is Severity.ERROR] == []
    assert [p for p in pipeline.check(project, branch, year) if p.severity is Severity.ERROR] == []
    plan = load_plan(project, branch, year)
    for document in plan.data.documents:  # the documents lay out, as build would
        html = pipeline.lay_out(project, plan, build_report(plan, document))
        assert "<html" in html.lower()


def test_oita_window_rate_prior_is_the_seeds_target(project):
    """大分's FY2025 KPI is 窓口での受付率 8.4％以下: 100 − FY2024's 郵送化率 91.6％."""
    _roll(project, "oita", 2025)
    entry = _kpis(project, "oita", 2025)["window_rate"]
    assert entry.prior == Decimal("8.4")
    assert entry.target == "対前年度"


@pytest.mark.parametrize("branch", ["fukushima", "oita"])
def test_rollover_after_a_plan_only_year_checks_without_errors(project, branch):
    """FY2026 from a FY2025 that has no results yet (a stand-in 2026 catalogue: there is
    none in plans/). 対前年度 targets wait for FY2025's actuals: 記入待ち, not errors."""
    catalog = project.catalog_file(2026)
    catalog.write_text(project.catalog_file(2025).read_text(encoding="utf-8"), encoding="utf-8")
    result = new_year(project, branch, 2026)
    assert [str(p) for p in result.problems if p.severity is Severity.ERROR] == []
    if branch == "oita":
        waiting = [t for t in result.todos if t.kind == TODO and "前年度実績" in t.message]
        assert waiting
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
