"""Hostile input, end to end: payloads in YAML and templates, path escapes, YAML bombs,
broken files, a full disk, a killed build, --all with a broken branch, reproducibility
and the validity of every produced file.

A full build costs 6-10 s, so builds are shared where the tests allow: the payload
tests and the real-PNG test read one build (``hostile``), and the "first build" of
the crash tests is a copy of the session-built iwate 2024 outputs (builds are
byte-reproducible across project folders, see test_two_builds_are_byte_identical).
"""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import os
import re
import resource
import shutil
import signal
import subprocess
import sys
import threading
import time
import tracemalloc
import zipfile
from collections.abc import Iterator
from pathlib import Path

import docx
import pikepdf
import pytest
from PIL import Image

from conftest import copy_project, write_project
from conftest import run_main as run
from kenpo_report.errors import UserError
from kenpo_report.project import Project
from kenpo_report.validate import load_plan

BASIC = "20-basic.yaml"
KPIS = "10-kpis.yaml"
IMG_PAYLOAD = '<img src="file:///etc/passwd">'
LINK_PAYLOAD = "<link rel=attachment href=file:///proc/self/environ>"
SECRET = "s3cr3t-value-123"
# The child runs the real CLI entry point, exactly as the `kenpo-report` script does.
CLI = [sys.executable, "-c", "import sys; from kenpo_report.cli import main; sys.exit(main())"]
# write_all in a child process whose file-size limit is set just before writing (a
# disk that fills up after rendering); argv: folder, new PDF, limit in bytes.
WRITE_LIMITED = (
    "import resource, sys\n"
    "from pathlib import Path\n"
    "from kenpo_report.errors import UserError\n"
    "from kenpo_report.build.output import write_all\n"
    "folder, new, limit = Path(sys.argv[1]), Path(sys.argv[2]).read_bytes(), int(sys.argv[3])\n"
    "resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))\n"
    "try:\n"
    "    write_all(folder, {'results.pdf': new})\n"
    "except UserError as exc:\n"
    "    print(exc, file=sys.stderr)\n"
    "    sys.exit(1)\n"
)
POSITION = re.compile(r"plans/iwate/2024/[\w.-]+\.yaml:\d+:\d+")
FSIZE_LIMIT = 100_000
# A small results document: a KPI, a page citing it, a table. What depends only on the
# build's options or on --all (not on the real plan) is shown on it, in a second or two.
SMALL_YEAR = {
    "00-document.yaml": (
        "documents:\n"
        "  - {id: results, kind: results, style: iwate, title: 小さな報告書, date: 2025-07-31}\n"
        "pages:\n"
        "  - title: 概要\n"
        "    blocks:\n"
        '      - {type: paragraph, text: "受診率は{checkup_rate.actual}でした。"}\n'
        '      - {type: table, header: [[項目, 件数]], rows: [[健診, {number: "1200"}]]}\n'
    ),
    KPIS: (
        "kpis:\n"
        "  - kpi: checkup_rate\n"
        "    number: ①\n"
        "    item: 健診\n"
        '    target: "64.4"\n'
        '    actual: "61.6"\n'
        "    rank: 22\n"
    ),
}


# --- helpers -------------------------------------------------------------------


def run_cli(project: Project, *args: str, **kwargs) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, "--project", str(project.root), *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
        **kwargs,
    )


def year_file(project: Project, name: str, branch: str = "iwate") -> Path:
    return project.plans / branch / "2024" / name


def edit(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


def out_dir(project: Project, branch: str = "iwate") -> Path:
    return project.output_dir(branch, 2024)


def output_files(project: Project) -> list[Path]:
    if not project.output.exists():
        return []
    return sorted(p for p in project.output.rglob("*") if not p.is_dir())


def snapshot(root: Path, skip: Path) -> dict[str, tuple[int, int]]:
    """mtime and size of every file and folder under *root*, except under *skip*."""
    found = {}
    for folder, dirs, files in os.walk(root):
        dirs[:] = [d for d in dirs if Path(folder, d) != skip]
        for name in [*files, *dirs]:
            path = Path(folder, name)
            st = path.lstat()
            found[path.relative_to(root).as_posix()] = (st.st_mtime_ns, st.st_size)
    return found


def pdf_decoded(path: Path) -> bytes:
    """The file's bytes followed by every stream object, decompressed."""
    chunks = [path.read_bytes()]
    with pikepdf.open(path) as pdf:
        for obj in pdf.objects:
            if isinstance(obj, pikepdf.Stream):
                try:
                    chunks.append(obj.read_bytes())
                except pikepdf.PdfError:  # an undecodable filter: keep the raw bytes
                    chunks.append(obj.read_raw_bytes())
    return b"\n".join(chunks)


def docx_members(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return b"\n".join(archive.read(name) for name in archive.namelist())


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def image_xobjects(pdf: pikepdf.Pdf) -> int:
    return sum(
        1
        for obj in pdf.objects
        if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
    )


def has_embedded_files(pdf: pikepdf.Pdf) -> bool:
    names = pdf.Root.get("/Names")
    return len(pdf.attachments) > 0 or (names is not None and "/EmbeddedFiles" in names)


def qpdf_check(path: Path) -> None:
    result = subprocess.run(["qpdf", "--check", str(path)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def docx_check(path: Path) -> None:
    with zipfile.ZipFile(path) as archive:
        assert archive.testzip() is None
    assert docx.Document(str(path)).paragraphs


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def seed_previous_build(project: Project, built, names: tuple[str, ...]) -> dict[str, bytes]:
    """A first successful build of the same inputs (copied from the session build)."""
    source = built[0].output_dir("iwate", 2024)
    target = out_dir(project)
    target.mkdir(parents=True)
    for name in names:
        shutil.copyfile(source / name, target / name)
    return {name: (target / name).read_bytes() for name in names}


def png_bytes(size: tuple[int, int] = (48, 32)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(buffer, format="PNG")
    return buffer.getvalue()


def write_png(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    content = png_bytes()
    path.write_bytes(content)
    return content


def add_image_block(project: Project, src: str) -> str:
    """Add an image block to the results of the finance measure (健全な財政運営, the
    first of 20-basic.yaml); returns its src position file:line:col."""
    anchor = (
        "    results:\n"
        "      - type: paragraph\n"
        "        text: ➣令和6年度決算まとめ（議題１において見込みを説明）\n"
    )
    block = f"      - type: image\n        src: {src}\n        caption: 画像\n"
    text = edit(year_file(project, BASIC), anchor, anchor + block)
    lines = text.splitlines()
    line = next(i for i, t in enumerate(lines) if t == f"        src: {src}")
    column = lines[line].index(src) + 1
    return f"plans/iwate/2024/{BASIC}:{line + 1}:{column}"


def change_a_figure(project: Project) -> None:
    """Make the next build's output differ from the previous one."""
    edit(
        year_file(project, BASIC),
        'national_income_2024: "118525"',
        'national_income_2024: "118526"',
    )


# --- the hostile build: payloads and a real PNG, one full build -----------------


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory) -> tuple[Project, dict[str, str]]:
    """One full build (PDF and DOCX) of iwate 2024 with both text payloads (#1, #2) as
    事業計画 items (plan) of the finance measure and a real PNG image block (#5) in its
    results, run as a child process of the real CLI whose own environment
    (/proc/self/environ) holds a fake secret. Returns the project and that environment."""
    project = copy_project(tmp_path_factory.mktemp("hostile") / "project")
    path = year_file(project, BASIC)
    edit(
        path,
        "      - • 中長期的な視点による健全な財政運営に資するため、評議会において丁寧な説明、議論を実施\n",
        f"      - '{IMG_PAYLOAD}'\n",
    )
    edit(
        path,
        "      - • 事業主、加入者へ決算及び保険財政の見通しに関する情報発信\n",
        f"      - '{LINK_PAYLOAD}'\n",
    )
    write_png(project.plans / "iwate" / "images" / "logo.png")
    add_image_block(project, "images/logo.png")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("KENPO_FAKE_SECRET", SECRET)
        env = dict(os.environ)
    result = run_cli(project, "build", "iwate", "2024", env=env)
    assert result.returncode == 0, result.stderr
    return project, env


# --- 3, 4: templates reaching outside ----------------------------------------

HEAD = '<link rel="stylesheet" href="iwate/style.css">\n'


@pytest.mark.parametrize("kind", ["stylesheet", "image"])
def test_template_file_url_outside_assets_is_refused(project, tmp_path, capsys, kind):
    """#3: a template naming a file:// path outside templates/ and fonts/ fails the build."""
    template = project.templates / "iwate" / "results.html.j2"
    if kind == "stylesheet":
        edit(template, HEAD, HEAD + '<link rel="stylesheet" href="file:///etc/hostname">\n')
        refused = "file:///etc/hostname"
    else:
        outside = tmp_path / "outside" / "secret.png"
        write_png(outside)
        edit(template, "<body>\n", f'<body>\n<img src="{outside.as_uri()}">\n')
        refused = outside.as_uri()
    assert run(project, "build", "iwate", "2024") == 1
    err = capsys.readouterr().err
    assert "拒否" in err
    assert refused in err
    assert output_files(project) == []


class _CountingHandler(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.server.hits.append(self.path)  # type: ignore[attr-defined]
        body = b"p { color: red }"
        self.send_response(200)
        self.send_header("Content-Type", "text/css")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def http_server() -> Iterator[tuple[int, list[str]]]:
    """A loopback server that records every request it gets."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _CountingHandler)
    server.hits = []  # type: ignore[attr-defined]
    # A short poll interval: shutdown() waits for the loop to look (0.5 s by default).
    thread = threading.Thread(
        target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
    )
    thread.start()
    try:
        yield server.server_address[1], server.hits  # type: ignore[attr-defined]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def test_loopback_server_counts_requests(http_server):
    """The counting server works, so 0 requests below means no request was made."""
    import urllib.request

    port, hits = http_server
    with urllib.request.urlopen(f"http://127.0.0.1:{port}/probe.css", timeout=5) as response:
        assert response.read() == b"p { color: red }"
    assert hits == ["/probe.css"]


@pytest.mark.parametrize("kind", ["link", "img", "css-import", "data-url"])
def test_network_and_data_references_are_refused(project, capsys, http_server, kind):
    """#4: http:// (template link or img, CSS @import) and data: URLs fail the build;
    the loopback server gets no request."""
    port, hits = http_server
    url = f"http://127.0.0.1:{port}/x.css"
    template = project.templates / "iwate" / "results.html.j2"
    if kind == "link":
        edit(template, HEAD, HEAD + f'<link rel="stylesheet" href="{url}">\n')
    elif kind == "img":
        edit(template, "<body>\n", f'<body>\n<img src="http://127.0.0.1:{port}/x.png">\n')
    elif kind == "css-import":
        css = project.templates / "iwate" / "style.css"
        css.write_text(f"@import url({url});\n" + css.read_text(encoding="utf-8"), "utf-8")
    else:
        data_url = "data:image/png;base64," + base64.b64encode(png_bytes((4, 4))).decode()
        edit(template, "<body>\n", f'<body>\n<img src="{data_url}">\n')
    assert run(project, "build", "iwate", "2024") == 1
    err = capsys.readouterr().err
    assert "拒否" in err
    assert hits == []
    assert output_files(project) == []


# --- 5: image paths that leave the branch folder ------------------------------


@pytest.mark.parametrize("src", ["../../../etc/passwd.png", "/etc/passwd.png", "images/evil.png"])
def test_image_src_escaping_the_branch_is_an_error_at_its_position(project, tmp_path, capsys, src):
    """#5: .., absolute and symlinked-out image paths are refused at file:line:col of src."""
    if src == "images/evil.png":
        outside = tmp_path / "outside" / "evil.png"
        write_png(outside)  # a valid PNG: only its location is wrong
        link = project.plans / "iwate" / "images" / "evil.png"
        link.parent.mkdir()
        link.symlink_to(outside)
    position = add_image_block(project, src)
    assert run(project, "check", "iwate", "2024") == 1
    err = capsys.readouterr().err
    line = next((t for t in err.splitlines() if t.startswith(position + ": ")), None)
    assert line is not None, f"no error at {position}:\n{err}"
    assert "エラー" in line
    assert "画像" in line
    with pytest.raises(UserError) as info:
        load_plan(project, "iwate", 2024)
    assert str(info.value.problems[0].position) == position


# --- 6: bad branch / year arguments --------------------------------------------


@pytest.mark.parametrize("args", [["../../etc", "2024"], ["/etc", "2024"], ["iwate", "２０２４"]])
def test_bad_branch_or_year_changes_nothing(project, capsys, args):
    """#6: exit 2, and no file anywhere around the project changes."""
    root = project.root.parent  # also catches writes that escape the project (../../etc)
    before = snapshot(root, project.output)
    assert run(project, "build", *args) == 2
    assert "使い方の誤り" in capsys.readouterr().err
    assert snapshot(root, project.output) == before
    assert not project.output.exists()


# --- 7: alias bomb through the CLI ---------------------------------------------


def _bomb() -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [{','.join(['*' + prev] * 9)}]")
    return "\n".join(lines) + "\n"


def test_alias_bomb_through_check_is_quick_and_small(project, capsys):
    """#7: the 342-byte billion-laughs year file is refused in < 1 s and < 100 MiB."""
    bomb = _bomb()
    assert len(bomb.encode()) == 342
    # A branch of its own, so that the time measured is the bomb's, not iwate's YAML.
    (project.plans / "bomb" / "2024").mkdir(parents=True)
    shutil.copyfile(project.plans / "iwate" / "branch.yaml", project.plans / "bomb" / "branch.yaml")
    year_file(project, "00-bomb.yaml", "bomb").write_text(bomb, encoding="utf-8")
    tracemalloc.start()
    try:
        start = time.perf_counter()
        code = run(project, "check", "bomb", "2024")
        elapsed = time.perf_counter() - start
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert code == 1
    assert elapsed < 1.0, f"{elapsed:.2f} s"
    assert peak < 100 * 1024 * 1024, f"{peak / 2**20:.1f} MiB"
    err = capsys.readouterr().err
    assert "plans/bomb/2024/00-bomb.yaml:1:4: エラー" in err
    assert "アンカー" in err


# --- 10: unknown key, missing template field -----------------------------------


@pytest.mark.parametrize("kind", ["unknown-key", "template-field"])
def test_unknown_key_or_missing_template_field_writes_nothing(project, capsys, kind):
    """#10: exit 1 and no output files."""
    if kind == "unknown-key":
        edit(year_file(project, KPIS), "rank: 22", "rnak: 22")
        expected = "不明な項目「rnak」"
    else:
        template = project.templates / "iwate" / "results.html.j2"
        edit(template, "<body>\n", "<body>\n<p>{{ report.no_such_field }}</p>\n")
        expected = "no_such_field"
    assert run(project, "build", "iwate", "2024") == 1
    err = capsys.readouterr().err
    assert expected in err
    assert "出力していません" in err
    assert output_files(project) == []


# --- 12: broken YAML files through the CLI ------------------------------------


@pytest.mark.parametrize(
    ("name", "raw", "position"),
    [
        ("50-empty.yaml", b"", "50-empty.yaml:1:1"),
        ("50-separator.yaml", b"---\n", "50-separator.yaml:1:1"),
        ("50-bom.yaml", b"\xef\xbb\xbfpages: []\n", "50-bom.yaml:1:1"),
        ("50-tab.yaml", b"pages:\n\t- title: x\n", "50-tab.yaml:2:1"),
    ],
    ids=["empty", "only-separator", "bom", "tab"],
)
def test_broken_year_file_gives_position_and_no_pdf(project, capsys, name, raw, position):
    """#12: exit 1, file:line:col on stderr, never a (blank) PDF."""
    year_file(project, name).write_bytes(raw)
    assert run(project, "build", "iwate", "2024", "--format", "pdf") == 1
    err = capsys.readouterr().err
    assert POSITION.search(err)
    assert f"plans/iwate/2024/{position}: エラー" in err, err
    assert output_files(project) == []


# --- 15, 16: a full disk and a killed build -----------------------------------


def _limit_file_size() -> None:
    resource.setrlimit(resource.RLIMIT_FSIZE, (FSIZE_LIMIT, FSIZE_LIMIT))


@pytest.fixture(scope="module")
def limited_build(
    tmp_path_factory: pytest.TempPathFactory, built
) -> tuple[Project, bytes, subprocess.CompletedProcess[str]]:
    """After a first successful build, a second one (with a changed figure) whose
    file-size limit, set before it starts, is below the size of the PDF."""
    project = copy_project(tmp_path_factory.mktemp("limited") / "project")
    old = seed_previous_build(project, built, ("results.pdf",))["results.pdf"]
    assert len(old) > FSIZE_LIMIT
    change_a_figure(project)
    args = ("build", "iwate", "2024", "--format", "pdf")
    return project, old, run_cli(project, *args, preexec_fn=_limit_file_size)


def test_full_disk_keeps_the_previous_pdf(limited_build):
    """#15: the build fails, the previous PDF is byte-identical, nothing new is left."""
    project, old, result = limited_build
    assert result.returncode != 0
    assert (out_dir(project) / "results.pdf").read_bytes() == old
    assert [p.name for p in out_dir(project).iterdir()] == ["results.pdf"]


def test_full_disk_is_reported_as_a_user_error(limited_build):
    """#15 (finding): with that limit the build stops in the renderer, which writes the
    bundled fonts (each larger than the PDF) to a temporary folder; the planner should
    get the Japanese message, not a Python traceback."""
    _, _, result = limited_build
    assert result.returncode == 1
    assert "Traceback" not in result.stderr, result.stderr[-1500:]
    assert "書き込めませんでした" in result.stderr


def test_full_disk_while_writing_keeps_the_previous_pdf(project, built, tmp_path):
    """#15: the disk fills up only when the outputs are written (write_all in a child
    process with the limit): a user error naming the folder, the old PDF
    byte-identical, no staging folder or partial file left."""
    old = seed_previous_build(project, built, ("results.pdf",))["results.pdf"]
    new = old + b"\n% a newer build\n"  # still a valid PDF, and larger than the limit
    (tmp_path / "new.pdf").write_bytes(new)
    folder = out_dir(project)
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            WRITE_LIMITED,
            str(folder),
            str(tmp_path / "new.pdf"),
            str(FSIZE_LIMIT),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-1500:]
    assert "出力を書き込めませんでした" in result.stderr
    assert str(folder) in result.stderr
    assert (folder / "results.pdf").read_bytes() == old
    assert [p.name for p in folder.iterdir()] == ["results.pdf"]


def test_killed_build_keeps_previous_outputs(project, built):
    """#16: SIGKILL mid-build leaves the previous PDF and DOCX intact and readable;
    the next build sweeps any staging folder."""
    names = ("results.pdf", "results.docx")
    old = seed_previous_build(project, built, names)
    change_a_figure(project)
    child = subprocess.Popen(
        [*CLI, "--project", str(project.root), "build", "iwate", "2024"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 2.0
        while time.monotonic() < deadline:
            assert child.poll() is None, "the build finished before it could be killed"
            time.sleep(0.05)
        child.send_signal(signal.SIGKILL)
    finally:
        code = child.wait(30)
    assert code == -signal.SIGKILL
    folder = out_dir(project)
    for name in names:
        assert (folder / name).read_bytes() == old[name], name
    with pikepdf.open(folder / "results.pdf") as pdf:
        assert len(pdf.pages) > 0
    docx_check(folder / "results.docx")
    # What a kill during the write phase would leave behind:
    stale = folder / ".staging-killed"
    stale.mkdir()
    (stale / "results.pdf").write_bytes(b"%PDF-1.7 partial")
    assert run(project, "build", "iwate", "2024", "--format", "pdf") == 0
    assert not list(folder.glob(".staging-*"))
    assert sorted(p.name for p in folder.iterdir()) == ["results.docx", "results.pdf"]
    assert (folder / "results.pdf").read_bytes() != old["results.pdf"]
    assert (folder / "results.docx").read_bytes() == old["results.docx"]


# --- 1, 2: payloads in text fields -------------------------------------------


def test_img_payload_in_text_is_printed_not_fetched(hostile):
    """#1: <img src=file:///etc/passwd> in a 事業計画 item is printed as text, not fetched:
    nothing embedded, no image but the plan's own PNG, no passwd content."""
    path = out_dir(hostile[0]) / "results.pdf"
    with pikepdf.open(path) as pdf:
        assert not has_embedded_files(pdf)
        images = [
            obj
            for obj in pdf.objects
            if isinstance(obj, pikepdf.Stream) and obj.get("/Subtype") == "/Image"
        ]
        # The iwate report has no images; the one here is logo.png (48x32) of #5.
        assert [(int(i.Width), int(i.Height)) for i in images] == [(48, 32)]
    assert b"root:" not in pdf_decoded(path)
    text = pdf_text(path)
    assert "<img" in text
    assert IMG_PAYLOAD in text
    assert "root:x:" not in text


def test_link_attachment_payload_leaks_no_environment(hostile):
    """#2: <link rel=attachment href=file:///proc/self/environ> embeds nothing; the
    fake secret is in neither the PDF nor any DOCX member."""
    project, env = hostile
    # A child started with the build's environment sees the secret in
    # /proc/self/environ: had the build fetched that file, the secret would be there.
    probe = subprocess.run(
        [sys.executable, "-c", "print(open('/proc/self/environ', 'rb').read())"],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    assert SECRET in probe.stdout
    folder = out_dir(project)
    pdf_path, docx_path = folder / "results.pdf", folder / "results.docx"
    assert "<link rel=attachment" in pdf_text(pdf_path)
    with pikepdf.open(pdf_path) as pdf:
        assert not has_embedded_files(pdf)
    assert SECRET.encode() not in pdf_decoded(pdf_path)
    members = docx_members(docx_path)
    assert SECRET.encode() not in members
    assert b"/proc/self/environ" in members  # the payload is there, as text
    with zipfile.ZipFile(docx_path) as archive:
        assert not [n for n in archive.namelist() if n.startswith("word/embeddings/")]


def test_real_png_in_the_branch_is_built_into_pdf_and_docx(hostile):
    """#5 (positive): a small PNG under plans/iwate/images/ appears once in the PDF
    and as word/media/image1.png in the DOCX."""
    project = hostile[0]
    content = (project.plans / "iwate" / "images" / "logo.png").read_bytes()
    pdf_path = out_dir(project) / "results.pdf"
    with pikepdf.open(pdf_path) as pdf:
        assert image_xobjects(pdf) == 1
        placed = {img.objgen for page in pdf.pages for img in page.get_images().values()}
        assert len(placed) == 1
    listing = subprocess.run(
        ["pdfimages", "-list", str(pdf_path)], check=True, capture_output=True, text=True
    ).stdout.splitlines()[2:]
    assert len(listing) == 1, listing
    with zipfile.ZipFile(out_dir(project) / "results.docx") as archive:
        assert archive.read("word/media/image1.png") == content


# --- 17: --all with one broken branch ------------------------------------------


def test_build_all_with_one_broken_branch(tmp_path, capsys):
    """#17: the broken branch-year fails (exit 1, its file named), the good one is written."""
    project = write_project(tmp_path, SMALL_YEAR, branch="small2")
    shutil.copytree(project.plans / "small2", project.plans / "small3")
    edit(year_file(project, KPIS, "small3"), "rank: 22", "rnak: 22")
    assert project.branch_years() == [("small2", 2024), ("small3", 2024)]
    assert run(project, "build", "--all", "--format", "pdf") == 1
    err = capsys.readouterr().err
    assert "plans/small3/2024/10-kpis.yaml:" in err
    assert "不明な項目「rnak」" in err
    assert "small3 2024" in err
    errors = [t for t in err.splitlines() if ": エラー: " in t]
    assert errors
    assert all(t.startswith("plans/small3/") for t in errors), errors
    assert [p.relative_to(project.output).as_posix() for p in output_files(project)] == [
        "small2/2024/results.pdf"
    ]
    qpdf_check(out_dir(project, "small2") / "results.pdf")


# --- 18, 19: reproducibility and validity ------------------------------------


def test_two_builds_are_byte_identical(project, built):
    """#18: the same inputs give the same SHA-256 for the PDF and the DOCX
    (here even from two different project folders)."""
    assert run(project, "build", "iwate", "2024") == 0
    first = built[0].output_dir("iwate", 2024)
    for name in ("results.pdf", "results.docx"):
        assert sha256(out_dir(project) / name) == sha256(first / name), name


@pytest.mark.parametrize("which", ["session", "hostile"])
def test_outputs_pass_qpdf_and_zip_checks(built, hostile, which):
    """#19: the PDFs pass qpdf --check; the DOCX files zip-test and reopen (the other
    builds of this module check their own outputs the same way)."""
    project = built[0] if which == "session" else hostile[0]
    found = output_files(project)
    assert sorted(p.name for p in found) == ["results.docx", "results.pdf"]
    for path in found:
        if path.suffix == ".pdf":
            qpdf_check(path)
        else:
            docx_check(path)


def test_pdf_a_3b_declares_part_3_conformance_b(tmp_path):
    """#19: --pdf-variant pdf/a-3b: XMP pdfaid:part 3 / conformance B; qpdf --check.
    (A child process: WeasyPrint leaves its sRGB profile file open in this mode.)"""
    project = write_project(tmp_path, SMALL_YEAR, branch="small")
    result = run_cli(
        project, "build", "small", "2024", "--format", "pdf", "--pdf-variant", "pdf/a-3b"
    )
    assert result.returncode == 0, result.stderr
    path = out_dir(project, "small") / "results.pdf"
    qpdf_check(path)
    with pikepdf.open(path) as pdf:
        meta = pdf.open_metadata()
        assert str(meta.get("pdfaid:part")) == "3"
        assert str(meta.get("pdfaid:conformance")) == "B"


def test_pdf_ua_1_is_tagged(tmp_path):
    """#19: --pdf-variant pdf/ua-1: /StructTreeRoot and /MarkInfo /Marked true; qpdf --check."""
    project = write_project(tmp_path, SMALL_YEAR, branch="small")
    result = run_cli(
        project, "build", "small", "2024", "--format", "pdf", "--pdf-variant", "pdf/ua-1"
    )
    assert result.returncode == 0, result.stderr
    path = out_dir(project, "small") / "results.pdf"
    qpdf_check(path)
    with pikepdf.open(path) as pdf:
        assert "/StructTreeRoot" in pdf.Root
        assert bool(pdf.Root.MarkInfo.Marked) is True
