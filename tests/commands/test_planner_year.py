"""A planner's year, end to end, on a copy of the project:

new iwate 2025 -> check passes (no warning; it lists the places still 記入待ち, as
many as new did) -> fill in the actuals and one measure's 実施状況 (text edits of
the YAML, as in an editor) -> check lists that many fewer (--strict refuses the
rest) -> build writes PDF and DOCX -> the FY2025 report shows the FY2024 actuals
where it shows last year's figures.

One real build (about 10 s) for the whole module, shared by its tests.
"""

from __future__ import annotations

import io
import re
from contextlib import redirect_stderr, redirect_stdout

import pytest

from conftest import copy_project, pdf_text
from conftest import run_main as run

FILLED = re.compile(r"^(\s*)actual:  # 記入待ち.*$", re.M)
WAITING = "の実績（actual）がまだ書かれていません（「－」と表示します）"
# The 実施状況 of 特定健診 (the first measure of 30-strategic.yaml), as the planner writes
# it: like last year's, a comparison table of the year before (basis: prior).
RESULTS = """    results:
      - type: formula
        kpi: checkup_rate
      - type: comparison
        kpi: checkup_rate
        basis: prior
        title: 令和6年度
        columns:
          denominator: 対象者数
          numerator: 受診者数
          rate: 受診率
"""


def run_out(project, *args):
    """Exit code and stdout of a CLI run."""
    out = io.StringIO()
    with redirect_stdout(out):
        code = run(project, *args)
    return code, out.getvalue()


def run_err(project, *args):
    """Exit code and stderr of a CLI run."""
    err = io.StringIO()
    with redirect_stderr(err):
        code = run(project, *args)
    return code, err.getvalue()


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    """Every step's exit code and output, run once."""
    project = copy_project(tmp_path_factory.mktemp("planner") / "project")
    steps = {}
    steps["new"], steps["new_out"] = run_out(project, "new", "iwate", "2025")
    steps["check"], steps["check_err"] = run_err(project, "check", "iwate", "2025")
    path = project.year_dir("iwate", 2025) / "10-kpis.yaml"
    text, filled = FILLED.subn(r'\1actual: "50.0"', path.read_text(encoding="utf-8"))
    path.write_text(text, encoding="utf-8")
    steps["filled"] = filled
    path = project.year_dir("iwate", 2025) / "30-strategic.yaml"
    text = path.read_text(encoding="utf-8")
    assert text.index("  - id: checkup\n") < text.index("    results: []\n")
    path.write_text(text.replace("    results: []\n", RESULTS, 1), encoding="utf-8")
    steps["check_filled"], steps["check_filled_err"] = run_err(project, "check", "iwate", "2025")
    steps["check_strict"] = run(project, "check", "iwate", "2025", "--strict")
    steps["build"] = run(project, "build", "iwate", "2025")
    return project, steps


def test_new_then_check_passes(year):
    """check passes without a warning; it lists the 記入待ち new listed, 16 actuals among them."""
    _, steps = year
    assert steps["new"] == 0
    assert steps["check"] == 0
    err = steps["check_err"]
    [count] = re.findall(r"^記入待ち (\d+)件、", steps["new_out"], re.M)
    assert f"1件の支部・年度を検査しました: エラー 0件、警告 0件、記入待ち {count}件" in err
    waiting = [t for t in err.splitlines() if ": 記入待ち: " in t]
    assert len(waiting) == int(count)
    actuals = [t for t in waiting if WAITING in t]
    assert len(actuals) == 16
    assert all(t.startswith("plans/iwate/2025/10-kpis.yaml:") for t in actuals)


def test_every_actual_was_waiting_and_is_filled(year):
    project, steps = year
    assert steps["filled"] == 16  # 17 KPIs last year; 保険証回収率 is not in the FY2025 catalogue
    text = (project.year_dir("iwate", 2025) / "10-kpis.yaml").read_text(encoding="utf-8")
    assert "記入待ち: 令和7年度の実績" not in text
    assert steps["check_filled"] == 0
    # 16 actuals and one 実施状況 fewer; national figures, ranks and results still wait.
    [before] = re.findall(r"記入待ち (\d+)件$", steps["check_err"], re.M)
    [after] = re.findall(r"記入待ち (\d+)件$", steps["check_filled_err"], re.M)
    assert int(after) == int(before) - 17
    assert WAITING not in steps["check_filled_err"]
    assert steps["check_strict"] == 1  # --strict: a place still to fill in is an error


def test_build_writes_both_documents(year):
    project, steps = year
    assert steps["build"] == 0
    folder = project.output_dir("iwate", 2025)
    assert (folder / "results.pdf").read_bytes().startswith(b"%PDF-")
    assert (folder / "results.docx").read_bytes().startswith(b"PK")


def test_kpi_list_shows_last_years_actuals(year):
    """In the 岩手 KPI一覧 a 対前年度 target is last year's actual (from plans/iwate/2024/10-kpis.yaml)."""
    project, _ = year
    kpi_list = pdf_text(project.output_dir("iwate", 2025) / "results.pdf", page=1)
    assert "令和7年度 岩手支部事業計画におけるKPI" in kpi_list
    for shown in (
        "0.252％以上",  # receipt_assessment_rate actual "0.252"
        "10,026円以上",  # reexamination_amount actual "10026"
        "76.15％以上",  # claim_collection_rate 54576117 / 71667995
        "32.6％以上",  # referral_visit_rate 3415 / 10489
        "91.9％以上",  # generic_share actual "91.9"
    ):
        assert shown in kpi_list, shown
    assert "3,743事業所" in kpi_list  # committee_offices actual "3743"
    assert "50.0％" in kpi_list  # this year's filled-in actual


def test_measure_page_shows_last_year_in_the_prior_table(year):
    """The 令和6年度 comparison table (basis: prior) the planner wrote holds FY2024's
    counts and rate, from the prior `new` carried over."""
    project, _ = year
    text = pdf_text(project.output_dir("iwate", 2025) / "results.pdf")
    prior_table = re.search(r"令和6年度\s+対象者数.*?全国[^\n]*", text, re.S)
    assert prior_table is not None
    block = prior_table.group(0)
    for shown in ("173,770人", "107,020人", "61.6％"):  # checkup_rate actual 107020 / 173770
        assert shown in block, shown
