"""The live preview (``kenpo-report preview``): a real headless Chromium follows YAML edits.

The browser test needs Debian's ``chromium`` and the ``playwright`` package (test extra;
``scripts/setup --test`` installs both) and is skipped, with the reason, without them.
It saves preview-screenshot.png (the report after the round trip) and
preview-error-screenshot.png (the error page, the last good report beneath) in the copy's
output/, under pytest's temporary folder.
"""

from __future__ import annotations

import html
import http.client
import json
import re
import shutil
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest

from conftest import TARGETS, copy_project
from kenpo_report.build import pipeline
from kenpo_report.commands.preview import (
    PreviewServer,
    Snapshot,
    build_snapshot,
    page_numbers_event,
    render_page,
)
from kenpo_report.errors import Position, Problem, Severity
from kenpo_report.project import Project

KPIS = Path("plans/iwate/2024/10-kpis.yaml")
FIGURE = '    actual: "10026"'  # 1件当たり査定額 (reexamination_amount) -> 10,026円
WAIT_MS = 15_000
LAYOUT_MS = 45_000  # the first PDF layout of 岩手 (no part cache yet): about 10 s alone
PAGE = re.compile(r"^P[0-9]+$")
EARLIER = "ページ数は前回のPDFの割り付けです"


@pytest.fixture
def preview(project: Project) -> Iterator[PreviewServer]:
    messages: list[str] = []
    with PreviewServer(project, "iwate", 2024, port=0, log=messages.append) as server:
        yield server
    assert messages, "the server says what it does on the console"


def _get(url: str, host: str | None = None) -> tuple[int, str, bytes]:
    request = urllib.request.Request(url, headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers["Content-Type"], response.read()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.headers["Content-Type"], exc.read()


def test_serves_report_and_assets_only_from_the_allowed_folders(preview: PreviewServer) -> None:
    status, kind, body = _get(preview.url)
    page = body.decode()
    assert (status, kind) == (200, "text/html; charset=utf-8")
    assert "10,026円" in page and 'id="kenpo-preview"' in page and "EventSource" in page
    assert _get(preview.url + "shared/fonts.css")[:2] == (200, "text/css; charset=utf-8")
    assert _get(preview.url + "fonts/BIZUDPGothic-Regular.ttf")[:2] == (200, "font/ttf")
    for path in (
        "../plans/iwate/branch.yaml",
        "%2e%2e/plans/iwate/branch.yaml",
        "fonts/..%2f..%2fplans/iwate/branch.yaml",
        "fonts/../../etc/passwd",
        "iwate/results.html.j2",  # templates' sources are no assets
        "_preview/image/..%2f..%2fplans",
    ):
        assert _get(preview.url + path)[0] == 404, path
    # Raw request: no client-side normalisation of "..".
    connection = http.client.HTTPConnection(preview.host, preview.port, timeout=10)
    try:
        connection.request("GET", "/../../plans/iwate/branch.yaml")
        with connection.getresponse() as response:
            assert response.status == 404
    finally:
        connection.close()
    # A page of another site that resolves its name to 127.0.0.1 (DNS rebinding) is refused.
    assert _get(preview.url, host=f"evil.example:{preview.port}")[0] == 421


def test_error_page_lists_problems_with_positions() -> None:
    snapshot = Snapshot("v1", built_at=datetime(2025, 1, 1))
    snapshot.errors = [
        Problem("「<x>」は数値ではありません", Position("plans/a.yaml", 3, 7), "kpis[0]")
    ]
    page = render_page(snapshot, "iwate 2024")
    assert "plans/a.yaml:3:7" in page and "「&lt;x&gt;」" in page
    assert Severity.ERROR.value in page and 'data-version="v1"' in page


def test_bar_counts_places_to_fill_in_apart_from_warnings() -> None:
    snapshot = Snapshot("v1", built_at=datetime(2025, 1, 1))
    snapshot.warnings = [
        Problem("自己評価が未記入です", Position("plans/a.yaml", 5, 3), "grade", Severity.PENDING),
        Problem("自己評価が未記入です", Position("plans/a.yaml", 9, 3), "grade", Severity.PENDING),
        Problem(
            "記載の率は計算結果と一致しません", Position("plans/a.yaml", 2, 1), "", Severity.WARNING
        ),
    ]
    page = render_page(snapshot, "iwate 2024")
    (bar,) = re.findall(r'<p class="bar">.*?</p>', page, re.S)
    assert "記入待ち 2件" in bar
    assert "警告 1件</summary>" in page and "記入待ち 2件</summary>" in page
    assert page.count('class="problem pending"') == 2 and page.count('class="problem warning"') == 1


@pytest.fixture(scope="module")
def iwate(tmp_path_factory: pytest.TempPathFactory) -> Snapshot:
    return build_snapshot(
        copy_project(tmp_path_factory.mktemp("iwate") / "project"), "iwate", 2024, "good"
    )


def _script_data(page: str) -> dict[str, str]:
    tag = re.search(r"<script (data-[^>]*)>", page)
    assert tag is not None
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z]+)="([^"]*)"', tag.group(1))}


def test_page_numbers_come_from_the_last_layout_until_this_one_is_laid_out(
    iwate: Snapshot,
) -> None:
    assert iwate.ok and 'class="pageref"' in iwate.documents[0].html
    iwate.page_numbers.clear()
    iwate.earlier_page_numbers = {"results": {"kpi-list": 1, "measure-finance": 3}}
    page = render_page(iwate, "iwate 2024")
    data = _script_data(page)
    assert (data["version"], data["shown"], data["doc"]) == ("good", "good", "results")
    assert json.loads(data["pages"]) == {
        "pages": {"kpi-list": 1, "measure-finance": 3},
        "fresh": False,
    }
    assert data["earlier"] == EARLIER and f"{EARLIER}（PDFを割り付けています）" in page
    assert page_numbers_event(iwate) is None  # nothing of this version laid out yet

    iwate.page_numbers["results"] = {"kpi-list": 1, "measure-finance": 4}
    page = render_page(iwate, "iwate 2024")
    assert json.loads(_script_data(page)["pages"])["fresh"] is True
    assert 'id="kenpo-preview-pages"' not in page
    event = json.loads(page_numbers_event(iwate) or "")
    assert event == {"version": "good", "pages": {"results": {"kpi-list": 1, "measure-finance": 4}}}


def test_browser_marks_the_page_numbers_of_the_last_layout(iwate: Snapshot) -> None:
    """The script writes the numbers into the ページ column, titled while they are a guess."""
    playwright = _playwright()
    iwate.page_numbers.clear()
    iwate.earlier_page_numbers = {"results": {"measure-receipt": 3}}
    page_html = render_page(iwate, "iwate 2024")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=shutil.which("chromium"), headless=True)
        try:
            page = browser.new_page()
            # The page alone, at an address of its own (no server: the event stream fails).
            url = "http://127.0.0.1:9/"
            page.route(
                "**/*",
                lambda route: (
                    route.fulfill(body=page_html, content_type="text/html")
                    if route.request.url == url
                    else route.abort()
                ),
            )
            page.goto(url)
            ref = page.locator('#kpi-list a.pageref[href="#measure-receipt"]').first
            playwright.expect(ref).to_have_text("P3")
            playwright.expect(ref).to_have_attribute("title", EARLIER)
            other = page.locator('#kpi-list a.pageref:not([href="#measure-receipt"])').first
            playwright.expect(other).to_have_text("")  # not known yet: left empty
            playwright.expect(page.locator("#kenpo-preview-pages")).to_contain_text(EARLIER)
        finally:
            browser.close()


def _playwright():
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    if shutil.which("chromium") is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup --test installs it)")
    return playwright


def test_an_error_shows_the_last_good_report_beneath_the_problems(iwate: Snapshot) -> None:
    broken = Snapshot("bad", built_at=datetime(2025, 1, 1, 10, 0, 0))
    broken.errors = [Problem("「1x026」は数値ではありません", Position("plans/a.yaml", 3, 7))]
    assert "前回の正しいデータ" not in render_page(broken, "iwate 2024")  # nothing good yet
    broken.previous = iwate
    page = render_page(broken, "iwate 2024")
    assert page.index("plans/a.yaml:3:7") < page.index("前回の正しいデータの表示です")
    assert page.index("前回の正しいデータの表示です") < page.index('id="kpi-list"')
    assert "10,026円" in page and "/report.pdf" not in page  # no PDF of an old version
    data = _script_data(page)
    assert (data["version"], data["shown"]) == ("bad", "good")


def test_browser_follows_edits_errors_and_fixes(preview: PreviewServer, project: Project) -> None:
    playwright = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install -e '.[test]')"
    )
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.skip("Debian's chromium is not installed (scripts/setup --test installs it)")
    expect = playwright.expect
    kpis = project.root / KPIS
    original = kpis.read_text(encoding="utf-8")
    assert FIGURE in original
    shots = project.root / "output"  # the copy's: tests never write into the checkout
    shots.mkdir(exist_ok=True)

    started = time.monotonic()
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(preview.url)
            kpi_list = page.locator("#kpi-list")
            expect(kpi_list).to_contain_text("10,026円")
            reloads: list[str] = []
            page.on("load", lambda: reloads.append(page.url))

            # The ページ column, empty in a browser (CSS target-counter), gets the numbers
            # of the PDF laid out in the background, pushed to the open page.
            _expect_page_numbers(expect, kpi_list, fresh=True)
            expect(page.locator("#kenpo-preview-pages")).to_have_text("")
            assert reloads == []

            # An edited figure appears by itself: the test never reloads the page.
            kpis.write_text(original.replace(FIGURE, '    actual: "12345"'), encoding="utf-8")
            expect(kpi_list).to_contain_text("12,345円", timeout=WAIT_MS)
            expect(kpi_list).not_to_contain_text("10,026円")

            # At once the ページ column shows the last layout's numbers, marked; then this
            # version's, once laid out in the background.
            _expect_page_numbers(expect, kpi_list, fresh=None)
            _expect_page_numbers(expect, kpi_list, fresh=True)

            # A YAML error lists file:line:column and the message, the last good report
            # beneath it, marked as such.
            broken = original.replace(FIGURE, '    actual: "1x026"')
            line = broken.splitlines().index('    actual: "1x026"') + 1
            kpis.write_text(broken, encoding="utf-8")
            problem = page.locator("#kenpo-preview .problem.error").first
            expect(problem).to_contain_text(f"{KPIS.as_posix()}:{line}:13", timeout=WAIT_MS)
            expect(problem).to_contain_text("「1x026」は数値ではありません")
            expect(page.locator("#kenpo-preview .previous")).to_contain_text(
                "前回の正しいデータの表示です"
            )
            expect(kpi_list).to_contain_text("12,345円")
            _expect_page_numbers(expect, kpi_list, fresh=True)
            expect(page.locator('#kenpo-preview a[href^="/report.pdf"]')).to_have_count(0)
            page.screenshot(path=shots / "preview-error-screenshot.png")

            # Fixed: the report is back, warnings (if any) listed above it.
            kpis.write_text(original.replace(FIGURE, '    actual: "12345"'), encoding="utf-8")
            expect(page.locator("#kpi-list")).to_contain_text("12,345円", timeout=WAIT_MS)
            expect(page.locator("#kenpo-preview .problem.error")).to_have_count(0)
            expect(page.locator("#kenpo-preview .previous")).to_have_count(0)
            expect(page.locator("#kenpo-preview")).to_contain_text("プレビュー")
            page.screenshot(path=shots / "preview-screenshot.png")
            assert len(reloads) >= 3, reloads  # the page reloaded itself after each change
        finally:
            browser.close()
    assert time.monotonic() - started < 90


def _expect_page_numbers(expect, kpi_list, fresh: bool | None) -> None:
    """Every ページ cell of the KPI一覧 shows a page (P3); *fresh*: laid out from the shown
    version (no mark), else of the last layout (marked), None: either."""
    refs = kpi_list.locator("a.pageref")
    if fresh:
        # The first layout of a fresh copy (no part cache) takes a while.
        expect(kpi_list.locator("a.pageref[title]")).to_have_count(0, timeout=LAYOUT_MS)
    elif fresh is False:
        expect(refs.first).to_have_attribute("title", EARLIER)
    texts = refs.all_text_contents()
    assert len(texts) >= 10 and all(PAGE.match(t) for t in texts), texts
    pages = [int(t[1:]) for t in texts]
    assert min(pages) > 1, pages  # the measures follow the KPI一覧


@pytest.fixture(scope="module")
def copied(tmp_path_factory: pytest.TempPathFactory) -> Project:
    return copy_project(tmp_path_factory.mktemp("preview") / "project")


@pytest.mark.parametrize(("branch", "year"), TARGETS)
def test_every_style_previews_with_the_assets_of_its_build(
    copied: Project, branch: str, year: int
) -> None:
    """三重's ○/× marks, its charts and every image resolve in the preview as in the build."""
    import re

    project = copied
    snapshot = build_snapshot(project, branch, year, "v1")
    assert snapshot.ok, snapshot.errors or snapshot.failure
    for document in snapshot.documents:
        named = set(re.findall(r'src="kenpo-image:([^"]+)"', document.html))
        assert named <= set(snapshot.images), named - set(snapshot.images)
    if branch == "mie":
        assert {"mark-achieved", "mark-missed"} <= set(snapshot.images)
        server = PreviewServer(project, branch, year)
        document = snapshot.documents[0]
        pdf = server.pdf(snapshot, document.id)
        # One render entry point: the preview's PDF is the build's, byte for byte.
        pipeline.build(project, branch, year, ("pdf",), jobs=1)
        built = project.output_dir(branch, year) / f"{document.id}.pdf"
        assert pdf == built.read_bytes()
