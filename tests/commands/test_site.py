"""The published site's index (``kenpo-report site``) and the pull-request selection.

The browser test needs Debian's ``chromium`` and the ``playwright`` package (test extra;
``scripts/setup --test`` installs both) and is skipped, with the reason, without them.
It saves site-screenshot.png (the index of a copy with one built branch-year) in the copy's output/.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from pathlib import Path
from urllib.parse import unquote, urlparse

import lxml.html
import pytest
import yaml
from fontTools.ttLib import TTFont

from conftest import ROOT
from kenpo_report import cli
from kenpo_report.build import pipeline
from kenpo_report.commands.site import (
    ERROR,
    INDEX,
    MISSING,
    NO_DOCUMENTS,
    PENDING,
    STALE,
    SiteRow,
    affected_branch_years,
    main,
    render_index,
    rows,
    write_index,
)
from kenpo_report.commands.site_fonts import FAMILY, FOLDER
from kenpo_report.errors import Severity
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

WORKFLOW = ROOT / ".github" / "workflows" / "publish.yml"


def _row(site_rows: list[SiteRow], branch: str, year: int) -> SiteRow:
    (row,) = [r for r in site_rows if (r.branch, r.year) == (branch, year)]
    return row


def _kpi_list_marks(project: Project, branch: str, year: int) -> list[str]:
    """The achievement cells of the laid-out KPI一覧 (the HTML both renderers draw)."""
    plan = load_plan(project, branch, year)
    (laid_out,), _ = pipeline.lay_out_plan(project, plan)
    tree = lxml.html.fromstring(laid_out.html)
    cells = tree.xpath('//*[@id="kpi-list"]//td')
    return [c.text_content().strip() for c in cells if c.text_content().strip() in MARKS]


MARKS = {"〇": True, "×": False, "達成": True, "未達成": False}


@pytest.mark.parametrize(("branch", "year"), [("iwate", 2024), ("oita", 2024)])
def test_counts_match_the_kpi_list(project: Project, branch: str, year: int) -> None:
    row = _row(rows(project), branch, year)
    marks = _kpi_list_marks(project, branch, year)
    assert marks, "the KPI一覧 shows an achievement per KPI"
    assert row.achieved == sum(MARKS[m] for m in marks)
    assert row.judged == len(marks)
    assert row.achievement == f"達成 {row.achieved} / {row.judged}"


def test_rows_of_the_repository_plans(project: Project) -> None:
    site_rows = rows(project)
    assert [(r.branch, r.year) for r in site_rows] == project.branch_years()
    iwate = _row(site_rows, "iwate", 2024)
    assert (iwate.branch_name, iwate.document, iwate.state) == ("岩手支部", "results", "")
    assert iwate.title == "令和6年度 岩手支部 事業実施状況"
    assert iwate.achievement == "達成 10 / 17"
    # A plan (targets only) has KPIs but no actual figures yet.
    assert _row(site_rows, "fukushima", 2025).achievement == "実績なし"
    # Next year's targets only: no document.
    oita = _row(site_rows, "oita", 2025)
    assert (oita.state, oita.document, oita.achievement) == (NO_DOCUMENTS, "", "－")


def test_missing_outputs_show_as_missing_and_are_not_linked(project: Project) -> None:
    folder = project.output_dir("iwate", 2024)
    folder.mkdir(parents=True)
    (folder / "results.pdf").write_bytes(b"%PDF-1.7 stand-in")
    site_rows = rows(project)
    iwate = _row(site_rows, "iwate", 2024)
    assert iwate.links["pdf"] is not None and iwate.links["pdf"].href == "iwate/2024/results.pdf"
    assert iwate.links["docx"] is None and not iwate.missing
    mie = _row(site_rows, "mie", 2024)
    assert mie.links == {"pdf": None, "docx": None, "html": None} and mie.missing

    page = lxml.html.fromstring(render_index(project, site_rows))
    hrefs = [a.get("href") for a in page.iter("a")]
    assert hrefs == ["iwate/2024/results.pdf"]
    (mie_row,) = page.xpath('//tr[@data-branch="mie"]')
    assert mie_row.text_content().count(MISSING) == 2  # HTML is made on request only: －


def test_the_html_version_is_linked_when_built(project: Project) -> None:
    folder = project.output_dir("iwate", 2024)
    folder.mkdir(parents=True)
    (folder / "results.html").write_text("<!DOCTYPE html><html></html>", encoding="utf-8")
    iwate = _row(rows(project), "iwate", 2024)
    assert iwate.links["html"] is not None and not iwate.missing
    page = lxml.html.fromstring(render_index(project, [iwate]))
    (link,) = page.xpath("//a")
    assert (link.get("href"), link.get("type"), link.text) == (
        "iwate/2024/results.html",
        "text/html",
        "HTML",
    )
    assert page.xpath("//thead//th/text()")[-3:] == ["PDF", "DOCX", "HTML"]


def test_a_build_is_marked_stale_after_its_plan_changes(project: Project) -> None:
    """古い as ``kenpo-report list`` says it: the build's record against the inputs now."""
    pipeline.build(project, "fukushima", 2025, ("pdf",))  # the smallest document: about 3 s

    def row_and_cells() -> tuple[SiteRow, lxml.html.HtmlElement]:
        row = _row(rows(project), "fukushima", 2025)
        (tr,) = lxml.html.fromstring(render_index(project, [row])).xpath("//tbody/tr")
        return row, tr

    row, tr = row_and_cells()
    assert (row.status, row.stale) == ("作成済み", False) and row.links["pdf"] is not None
    assert not tr.xpath('.//*[@class="stale"]')
    plan_file = sorted((project.root / "plans/fukushima/2025").glob("*.yaml"))[0]
    plan_file.write_text(plan_file.read_text(encoding="utf-8") + "# 直した\n", encoding="utf-8")
    row, tr = row_and_cells()
    assert row.stale and row.links["pdf"] is not None  # still linked, marked
    (mark,) = tr.xpath('.//*[@class="stale"]')
    assert mark.text == STALE and "作り直していません" in mark.get("title")


def test_places_still_to_fill_in_are_counted_per_document(project: Project) -> None:
    assert cli.main(["--project", str(project.root), "new", "iwate", "2025"]) == 0
    places = [p for p in pipeline.check(project, "iwate", 2025) if p.severity is Severity.PENDING]
    assert places
    site_rows = rows(project)
    row = _row(site_rows, "iwate", 2025)
    assert row.pending == len(places) and _row(site_rows, "iwate", 2024).pending == 0
    page = lxml.html.fromstring(render_index(project, site_rows))
    (tr,) = page.xpath('//tr[@data-branch="iwate"][@data-year="2025"]')
    (count,) = tr.xpath('.//*[@class="pending"]')
    assert count.text == f"{PENDING} {len(places)}件"
    (tr,) = page.xpath('//tr[@data-branch="iwate"][@data-year="2024"]')
    assert PENDING not in tr.text_content()


def _font_faces(page: lxml.html.HtmlElement) -> list[tuple[str, str]]:
    """The page's @font-face rules: (family, url)."""
    css = "\n".join(page.xpath("//style/text()"))
    faces = re.findall(r"@font-face\s*{([^}]*)}", css)
    return [
        (
            re.search(r'font-family:\s*"([^"]+)"', face).group(1),
            re.search(r'url\("([^"]+)"\)', face).group(1),
        )
        for face in faces
    ]


def test_the_index_uses_the_bundled_font_written_beside_it(
    project: Project, tmp_path: Path
) -> None:
    site = tmp_path / "site"
    old_cut = site / FOLDER / "BIZUDPGothic-Regular-0123456789abcdef.ttf"
    old_cut.parent.mkdir(parents=True)
    old_cut.write_bytes(b"an earlier page's cut")
    (site / FOLDER / "notes.txt").write_text("not ours", encoding="utf-8")
    target, _ = write_index(project, site)
    page = lxml.html.fromstring(target.read_text(encoding="utf-8"))
    faces = _font_faces(page)
    assert [family for family, _ in faces] == [FAMILY, FAMILY]
    # Every font-family the page names is the bundled face (or inherits it): no system font.
    css = "\n".join(page.xpath("//style/text()"))
    for names in re.findall(r"font-family:\s*([^;}]+)", css):
        assert {n.strip().strip('"') for n in names.split(",")} <= {FAMILY, "sans-serif", "inherit"}
    # The files exist beside the page and hold a glyph for every character it shows.
    shown = {ch for ch in page.text_content() if not ch.isspace()}
    for _, url in faces:
        font = site / url
        assert font.is_file() and font.parent == site / FOLDER, url
        with TTFont(font) as face:
            assert face["name"].getDebugName(1) == FAMILY
            missing = sorted(ch for ch in shown if ord(ch) not in face.getBestCmap())
        assert not missing, (url, missing)
        assert font.stat().st_size < 500_000  # cut to the page's characters, not 4.6 MB
    assert (site / FOLDER / "OFL.txt").read_bytes() == (project.fonts / "OFL.txt").read_bytes()
    assert not old_cut.exists() and (site / FOLDER / "notes.txt").exists()


def test_a_failing_plan_shows_error_and_the_others_still_list(project: Project) -> None:
    kpis = project.root / "plans/iwate/2024/10-kpis.yaml"
    kpis.write_text(
        kpis.read_text(encoding="utf-8").replace('actual: "10026"', 'actual: "1x026"'),
        encoding="utf-8",
    )
    site_rows = rows(project)
    iwate = _row(site_rows, "iwate", 2024)
    assert (iwate.state, iwate.document, iwate.links) == (ERROR, "", {})
    assert iwate.errors >= 1 and iwate.branch_name == "岩手支部"
    assert _row(site_rows, "oita", 2024).achievement == "達成 11 / 17"

    page = lxml.html.fromstring(render_index(project, site_rows))
    (row,) = page.xpath('//tr[@data-branch="iwate"]')
    assert ERROR in row.text_content() and "kenpo-report check iwate 2024" in row.text_content()


def test_a_broken_branch_file_shows_error_under_the_branch_id(project: Project) -> None:
    (project.root / "plans/mie/branch.yaml").write_text("name: [\n", encoding="utf-8")
    mie = _row(rows(project), "mie", 2024)
    assert (mie.state, mie.branch_name) == (ERROR, "mie")


def test_page_is_static_japanese_and_relative(project: Project) -> None:
    folder = project.output_dir("fukushima", 2025)
    folder.mkdir(parents=True)
    (folder / "plan.docx").write_bytes(b"PK stand-in")
    target, _ = write_index(project)
    assert target == project.output / INDEX
    text = target.read_text(encoding="utf-8")
    page = lxml.html.fromstring(text)
    assert page.get("lang") == "ja" and page.find(".//title").text == "協会けんぽ 支部の報告書"
    assert not page.xpath("//script | //link | //img | //iframe"), "no scripts or external files"
    assert "http://" not in text and "https://" not in text
    links = page.xpath("//a/@href")
    assert links == ["fukushima/2025/plan.docx"]
    # Branch and year cells are merged over their rows.
    heads = [th.text_content() for th in page.xpath("//tbody/tr[1]/th")]
    assert heads == ["福島支部", "令和7年度2025"]
    # Nothing staged is left beside the index and its fonts.
    assert sorted(p.name for p in project.output.iterdir()) == [FOLDER, "fukushima", INDEX]
    assert not [p for p in (project.output / FOLDER).iterdir() if p.name.startswith(".")]


def test_cli_writes_the_index_into_the_given_folder(
    project: Project, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = tmp_path / "site"
    assert cli.main(["--project", str(project.root), "site", "--output", str(site)]) == 0
    out, err = capsys.readouterr()
    assert (site / INDEX).is_file() and "作成しました:" in out
    assert f"{MISSING}の文書（" in err and "iwate 2024 results" in err
    assert not project.output.exists()


def test_cli_names_failing_branch_years(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    (project.root / "plans/mie/2024/10-kpis.yaml").write_text("kpis: 3\n", encoding="utf-8")
    assert cli.main(["--project", str(project.root), "site"]) == 0  # the index is still written
    out, err = capsys.readouterr()
    assert "作成しました: output/index.html" in out
    assert "データに誤りのある支部・年度（1件、目次にはエラーと表示）: mie 2024" in err


# --- pull requests: which branch-years a change affects ----------------------


@pytest.mark.parametrize(
    ("changed", "expected"),
    [
        (["plans/iwate/2024/10-kpis.yaml"], [("iwate", 2024)]),
        (["plans/oita/2025/10-kpis.yaml"], [("oita", 2024), ("oita", 2025)]),  # 次年度KPI
        (["plans/oita/branch.yaml"], [("oita", 2024), ("oita", 2025)]),
        (["plans/mie/images/chart.png"], [("mie", 2024)]),
        (["templates/iwate/style.css"], [("iwate", 2024)]),
        (["templates/fukushima/plan.html.j2", "README.md"], [("fukushima", 2025)]),
        (["templates/site/index.html.j2", "docs/publish.md", "tests/commands/test_site.py"], []),
        ([".github/workflows/publish.yml", ""], []),
        (["plans/iwate/2023/10-kpis.yaml"], [("iwate", 2024)]),  # a new previous year
        # A catalogue: its year's branch-years and the year before's (次年度KPI).
        (
            ["plans/catalog/2024.yaml"],
            [("ibaraki", 2024), ("iwate", 2024), ("mie", 2024), ("oita", 2024)],
        ),
        (["plans/catalog/2026.yaml"], [("fukushima", 2025), ("oita", 2025)]),
    ],
)
def test_affected_branch_years(
    project: Project, changed: list[str], expected: list[tuple[str, int]]
) -> None:
    assert affected_branch_years(project, changed) == expected


@pytest.mark.parametrize(
    "changed",
    [
        "src/kenpo_report/compute/report.py",
        "templates/shared/base.css",
        "fonts/BIZUDPGothic-Regular.ttf",
        "pyproject.toml",
    ],
)
def test_shared_inputs_affect_everything(project: Project, changed: str) -> None:
    assert affected_branch_years(project, [changed]) == project.branch_years()


def test_workflow_helper_lists_built_documents(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``python -m kenpo_report.commands.site [--all]``: what the workflow publishes or uploads."""
    for branch, year, names in [
        (
            "iwate",
            2024,
            ["results.pdf", "results.docx", "results.html", ".build.json", "page.png", "png/"],
        ),
        ("gone", 2020, ["results.pdf"]),  # restored from the cache, its plans removed
        ("oita", 2024, ["results.pdf"]),
    ]:
        folder = project.root / "output" / branch / str(year)
        folder.mkdir(parents=True)
        for name in names:
            if name.endswith("/"):
                (folder / name).mkdir()
            else:
                (folder / name).write_bytes(b"x")
    monkeypatch.chdir(project.root)
    changed = io.StringIO("plans/iwate/2024/20-basic.yaml\nplans/mie/2024/x.yaml\n")
    iwate = [f"output/iwate/2024/results.{fmt}" for fmt in ("docx", "html", "pdf")]
    assert main([], changed) == iwate
    assert main([], io.StringIO("docs/publish.md\n")) == []
    assert main(["--all"], io.StringIO()) == [
        *iwate,
        "output/oita/2024/results.pdf",
    ]


# --- the workflow -------------------------------------------------------------


def test_workflow_structure() -> None:
    """The publishing workflow's shape (actionlint checks it fully where it is installed)."""
    flow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    triggers = flow[True]  # PyYAML reads the key `on` as a boolean
    assert triggers["push"]["branches"] == ["main"] and "pull_request" in triggers
    jobs = flow["jobs"]
    assert set(jobs) == {"publish", "deploy", "pull-request"}
    for name, job in jobs.items():
        assert job["runs-on"] and job["steps"], name
        for step in job["steps"]:
            assert ("uses" in step) != ("run" in step), (name, step)

    def uses(job: str) -> list[str]:
        return [s["uses"].split("@")[0] for s in jobs[job]["steps"] if "uses" in s]

    def runs(job: str) -> str:
        return "\n".join(s["run"] for s in jobs[job]["steps"] if "run" in s)

    publish, deploy, pull = jobs["publish"], jobs["deploy"], jobs["pull-request"]
    assert "push" in publish["if"] and "pull_request" in pull["if"]
    for job in ("publish", "pull-request"):
        assert "actions/cache" in uses(job), job
        (cache,) = [s for s in jobs[job]["steps"] if s.get("uses", "").startswith("actions/cache")]
        assert {"output", ".kenpo-cache"} <= set(cache["with"]["path"].split())
        for part in ("plans/**", "templates/**", "fonts/**", "src/**"):
            assert part in cache["with"]["key"]
        assert cache["with"]["restore-keys"]
        assert "scripts/setup" in runs(job) and "kenpo-report build --all" in runs(job)
    # The index and its fonts (_fonts/) are written into the folder Pages publishes.
    assert "kenpo-report site --output _site" in runs("publish")
    (pages,) = [s for s in publish["steps"] if "upload-pages-artifact" in s.get("uses", "")]
    assert pages["with"]["path"] == "_site"
    assert "actions/upload-pages-artifact" in uses("publish")
    assert deploy["needs"] == "publish" and "actions/deploy-pages" in uses("deploy")
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert deploy["concurrency"]["group"] and deploy["concurrency"]["cancel-in-progress"] is False
    assert "kenpo-report check --format json" in runs("pull-request")
    assert "python -m kenpo_report.commands.site" in runs("pull-request")
    assert "actions/upload-artifact" in uses("pull-request")
    assert flow["permissions"] == {"contents": "read"}


# --- in a real browser ---------------------------------------------------------


def test_index_in_headless_chromium(project: Project) -> None:
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup --test installs it)")
    expect = playwright.expect
    started = time.monotonic()
    # The smallest document (about 3 s), with its HTML version.
    pipeline.build(project, "fukushima", 2025, ("pdf", "docx", "html"))
    assert cli.main(["--project", str(project.root), "site"]) == 0
    index = project.output / INDEX
    shots = project.root / "output"  # the copy's: tests never write into the checkout
    shots.mkdir(exist_ok=True)

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800}, accept_downloads=True)
            requests: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.goto(index.as_uri())
            expect(page.locator("h1")).to_have_text("協会けんぽ 支部の報告書")
            fukushima = page.locator('tr[data-branch="fukushima"]')
            expect(fukushima).to_contain_text("令和７年度 福島支部 事業計画の最終報告について")
            expect(fukushima).to_contain_text("実績なし")
            expect(page.locator('tr[data-branch="iwate"]')).to_contain_text("達成 10 / 17")
            expect(page.locator('tr[data-branch="iwate"]')).to_contain_text(MISSING)
            expect(page.locator('tr[data-branch="oita"][data-year="2025"]')).to_contain_text(
                NO_DOCUMENTS
            )

            # Every link, as the browser resolves it, is an existing file beside the index.
            hrefs = page.locator("a").evaluate_all("links => links.map(a => a.href)")
            assert len(hrefs) == 3  # PDF, DOCX, HTML
            for href in hrefs:
                url = urlparse(href)
                path = Path(unquote(url.path))
                assert url.scheme == "file" and path.is_file(), href
                assert path.is_relative_to(project.output), href

            # The page loads nothing but itself and its fonts beside it.
            page.evaluate("document.fonts.ready.then(() => null)")
            assert requests[0] == index.as_uri()
            fonts = [Path(unquote(urlparse(r).path)) for r in requests[1:]]
            assert fonts and all(f.parent == project.output / FOLDER for f in fonts), requests
            assert all(f.is_file() for f in fonts)
            _assert_only_bundled_fonts_draw(page)
            page.screenshot(path=shots / "site-screenshot.png", full_page=True)

            # Clicking the PDF link opens the built PDF (Debian's Chromium shows it in its
            # PDF viewer; one without a viewer downloads it).
            pdf = project.output / "fukushima/2025/plan.pdf"
            link = fukushima.get_by_role("link", name="PDF")
            expect(link).to_have_attribute("href", "fukushima/2025/plan.pdf")
            downloads = []
            page.on("download", lambda d: downloads.append(d))
            link.click()
            page.wait_for_load_state()
            if downloads:
                assert Path(downloads[0].path()).read_bytes() == pdf.read_bytes()
            else:
                expect(page).to_have_url(pdf.as_uri())
                for _ in range(50):  # the viewer's frame comes shortly after the load
                    if any(f.url.startswith("chrome-extension://") for f in page.frames):
                        break
                    page.wait_for_timeout(100)
                else:
                    pytest.fail(f"no PDF viewer: {[f.url for f in page.frames]}")
        finally:
            browser.close()
    assert time.monotonic() - started < 40


def _assert_only_bundled_fonts_draw(page) -> None:
    """Chromium's own account of the fonts that drew each element's text (DevTools'
    CSS.getPlatformFontsForNode): only the page's web font, so no glyph fell back."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("DOM.enable")
    cdp.send("CSS.enable")
    root = cdp.send("DOM.getDocument", {"depth": -1})["root"]["nodeId"]
    nodes = cdp.send("DOM.querySelectorAll", {"nodeId": root, "selector": "body, body *"})
    used: dict[tuple[str, bool], int] = {}
    for node in nodes["nodeIds"]:
        for font in cdp.send("CSS.getPlatformFontsForNode", {"nodeId": node})["fonts"]:
            key = (font["familyName"], font["isCustomFont"])
            used[key] = used.get(key, 0) + font["glyphCount"]
    assert used and set(used) == {(FAMILY, True)}, used


def test_without_the_site_template_the_old_index_stays(
    project: Project, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.rmtree(project.templates / "site")
    project.output.mkdir()
    (project.output / INDEX).write_text("old", encoding="utf-8")
    assert cli.main(["--project", str(project.root), "site"]) == 1
    assert "サイトの様式がありません（templates/site/index.html.j2）" in capsys.readouterr().err
    assert (project.output / INDEX).read_text(encoding="utf-8") == "old"
