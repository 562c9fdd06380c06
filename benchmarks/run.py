"""Build time and memory of kenpo-report, with bare WeasyPrint measured in the same run.

    .venv/bin/python benchmarks/run.py [--quick] [--runs N] [--branches N]

Everything runs on a temporary copy of plans/, templates/ and fonts/ (the
repository's output/ and cache are never touched). Prints Markdown tables:

1. stages: each seed branch-year laid out stage by stage in one process
   (imports done): load, validate, compute, templates, charts, PDF layout,
   PDF write, DOCX; bare WeasyPrint on the same HTML; our in-process build
   (no cache) and its ratio to bare WeasyPrint.
2. builds: ``kenpo-report build`` as a user runs it (a new process, imports
   included): cold (no cache), warm (cache, no outputs), after a one-measure
   edit, and unchanged (no-op); wall, CPU (all processes) and peak RSS (the
   largest single process: the main one or a worker).
3. 47 branches: a generated set (copies of the seeds under 47 branch names)
   built with ``build --all --jobs 1`` and ``--jobs 2``, then unchanged.
4. checks: fonts embedded as subsets (pdffonts), HarfBuzz subsetting in use,
   and the incremental parallel build compared with a sequential uncached one.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
CLI = [str(BIN / "kenpo-report")]
SEEDS = [("iwate", 2024), ("oita", 2024), ("mie", 2024), ("ibaraki", 2024), ("fukushima", 2025)]
# One figure on one measure page: for 岩手 the edit of the issue (30-strategic.yaml).
EDITS = {
    ("iwate", 2024): (
        "30-strategic.yaml",
        'result_sheet_invited: {value: "15236"',
        'result_sheet_invited: {value: "15237"',
    ),
    ("oita", 2024): ("20-receipt.yaml", "■年間催告件数：12,791件", "■年間催告件数：12,792件"),
    ("mie", 2024): (
        "30-receipt.yaml",
        'values: ["1659", "1721", "2254"]',
        'values: ["1659", "1721", "2255"]',
    ),
    ("ibaraki", 2024): ("20-gyomu.yaml", "返納金調定 173件", "返納金調定 174件"),
    ("fukushima", 2025): ("21-basic.yaml", "約 4,000万人", "約 4,001万人"),
}


# --- helpers ---------------------------------------------------------------------


def copy_project(target: Path) -> Path:
    for name in ("plans", "templates", "fonts"):
        shutil.copytree(ROOT / name, target / name)
    return target


def run(args: list[str], project: Path) -> dict:
    """One command in a new process: wall, CPU of it and its workers, peak RSS."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        [*args[:1], *args[1:]], cwd=project, capture_output=True, text=True, check=False
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if done.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{done.stderr[-2000:]}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": wall, "cpu": cpu, "rss": after.ru_maxrss / 1024, "out": done.stdout}


def measured(args: list[str], project: Path) -> dict:
    """Run through a fresh Python parent, so that peak RSS is this run's own."""
    code = (
        "import resource,subprocess,sys,time,json;t=time.perf_counter();"
        "r=subprocess.run(sys.argv[1:],capture_output=True);w=time.perf_counter()-t;"
        "u=resource.getrusage(resource.RUSAGE_CHILDREN);"
        "print(json.dumps({'wall':w,'cpu':u.ru_utime+u.ru_stime,'rss':u.ru_maxrss/1024,"
        "'code':r.returncode,'err':r.stderr.decode()[-2000:]}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, *args], cwd=project, capture_output=True, text=True
    )
    result = json.loads(done.stdout)
    if result["code"] not in (0, 1):
        raise SystemExit(f"{' '.join(args)} failed:\n{result['err']}")
    return result


def clean(project: Path) -> None:
    for name in ("output", ".kenpo-cache"):
        shutil.rmtree(project / name, ignore_errors=True)


def forget_outputs(project: Path) -> None:
    """Outputs and manifests gone, laid-out parts kept: the warm case."""
    shutil.rmtree(project / "output", ignore_errors=True)
    shutil.rmtree(project / ".kenpo-cache" / "builds", ignore_errors=True)


def edit(project: Path, branch: str, year: int) -> str:
    name, old, new = EDITS[(branch, year)]
    path = project / "plans" / branch / str(year) / name
    text = path.read_text(encoding="utf-8")
    if old not in text:  # the plans changed since: the first figure with a comma instead
        match = re.search(r"\d{1,3}(?:,\d{3})+", text)
        assert match, path
        old = match.group(0)
        new = old[:-1] + str((int(old[-1]) + 1) % 10)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return f"{name}: {old} → {new}"


def uptime() -> str:
    return Path("/proc/loadavg").read_text().split(" ")[:3].__str__()


def table(head: list[str], rows: list[list[object]]) -> str:
    def cell(v: object) -> str:
        return f"{v:.2f}" if isinstance(v, float) else str(v)

    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return "\n".join(lines)


# --- 1. stages, in one process -----------------------------------------------------

STAGES = r"""
import json, sys, time, statistics
from pathlib import Path
t0 = time.perf_counter()
from kenpo_report.layout import marks
from kenpo_report.build import pipeline
from kenpo_report.load.yaml_source import load_file
from kenpo_report.project import Project
from kenpo_report.render.urls import image_url
from kenpo_report.compute.report import build_report, charts
from kenpo_report.validate import load_plan
import weasyprint
from weasyprint.pdf import fonts as wp_fonts
from kenpo_report.render import docx as docx_render, pdf as pdf_render
imports = time.perf_counter() - t0
project = Project.at(Path(sys.argv[1]))
branch, year, runs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
def timed(fn):
    t = time.perf_counter(); value = fn(); return value, time.perf_counter() - t
rows = []
for n in range(runs + 1):  # the first round warms up WeasyPrint and is not counted
    row = {}
    files = [project.catalog_file(year), project.catalog_file(year + 1), project.branch_file(branch)]
    files += project.year_files(branch, year - 1) + project.year_files(branch, year)
    files += project.year_files(branch, year + 1)
    _, row["load"] = timed(lambda: [load_file(f, f.name) for f in files if f.is_file()])
    plan, total = timed(lambda: load_plan(project, branch, year))
    row["validate"] = max(total - row["load"], 0.0)
    row["compute"] = row["templates"] = row["charts"] = 0.0
    row["pdf_layout"] = row["pdf_write"] = row["docx"] = row["bare"] = 0.0
    row["pages"] = 0
    images = {image_url(c): c for c in plan.images.values()}
    htmls = []
    for document in plan.data.documents:
        report, t = timed(lambda: build_report(plan, document)); row["compute"] += t
        html, t = timed(lambda: pipeline.lay_out(project, plan, report)); row["templates"] += t
        (vector, raster), t = timed(lambda: pipeline.draw_charts(project, charts(report)))
        row["charts"] += t
        mark_vector, mark_raster = marks.images(html)
        assets = pdf_render.Assets(project.templates, project.fonts, {**images, **vector, **mark_vector}, {**raster, **mark_raster})
        # Bare WeasyPrint: the same HTML, its own defaults (fetcher only for the images).
        fetcher = pdf_render.AssetFetcher(assets)
        _, t = timed(lambda: weasyprint.HTML(string=html, base_url=assets.base_url, url_fetcher=fetcher).write_pdf())
        row["bare"] += t
        fetcher = pdf_render.AssetFetcher(assets)
        doc, t = timed(lambda: weasyprint.HTML(string=html, base_url=assets.base_url, url_fetcher=fetcher).render(font_config=pdf_render.font_config(assets)))
        row["pdf_layout"] += t
        _, t = timed(lambda: doc.write_pdf()); row["pdf_write"] += t
        anchors = {n: i for i, p in enumerate(doc.pages, 1) for n in p.anchors}
        _, t = timed(lambda: docx_render.render(html, assets, page_numbers=anchors)); row["docx"] += t
        row["pages"] += len(doc.pages)
    runs_of = (("ours_1", 1, ("pdf", "docx")), ("ours_2", 2, ("pdf", "docx")),
               ("ours_pdf_1", 1, ("pdf",)), ("ours_pdf_2", 2, ("pdf",)))
    for label, jobs, formats in runs_of:
        _, row[label] = timed(lambda: pipeline.build(project, branch, year, formats, jobs=jobs, force=True))
        # Each round's own ratio: the load of a shared machine drifts between rounds.
        row["ratio_" + label[5:]] = row[label] / row["bare"]
    if n:
        rows.append(row)
med = {k: statistics.median(r[k] for r in rows) for k in rows[0]}
med["imports"] = imports
med["harfbuzz"] = wp_fonts.harfbuzz_subset is not None
print(json.dumps(med))
"""


def stages(project: Path, branch: str, year: int, runs: int) -> dict:
    done = subprocess.run(
        [sys.executable, "-c", STAGES, str(project), branch, str(year), str(runs)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 2. builds as a user runs them ---------------------------------------------------


def builds(project: Path, branch: str, year: int, runs: int) -> dict:
    args = [*CLI, "build", branch, str(year)]
    cold = []
    for _ in range(runs):
        clean(project)
        cold.append(measured(args, project))
    forget_outputs(project)
    warm = measured(args, project)
    change = edit(project, branch, year)
    edited = measured(args, project)
    noop = measured(args, project)
    return {"cold": cold, "warm": warm, "edit": edited, "noop": noop, "change": change}


# --- 2b. the edit loop in one process (as the preview server would run it) -----------

EDIT_LOOP = r"""
import json, sys, time, statistics
from pathlib import Path
from kenpo_report.layout import marks
from kenpo_report.build import pipeline
from kenpo_report.project import Project
pipeline.import_renderers()
project = Project.at(Path(sys.argv[1]))
branch, year, runs = sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
name, old = sys.argv[5], sys.argv[6]
path = project.year_dir(branch, year) / name
original = path.read_text(encoding="utf-8")
at = max(k for k, c in enumerate(old) if c.isdigit())  # the last two digits change
values = (f"{v:02d}" for v in range(100) if f"{v:02d}" != old[at - 1 : at + 1])
out = {}
for formats in (("pdf", "docx"), ("pdf",)):
    path.write_text(original, encoding="utf-8")
    pipeline.build(project, branch, year, formats, jobs=2)
    times = []
    for n in range(runs):
        new = old[: at - 1] + next(values) + old[at + 1 :]  # a figure never laid out before
        path.write_text(original.replace(old, new, 1), encoding="utf-8")
        t = time.perf_counter()
        pipeline.build(project, branch, year, formats, jobs=2)
        times.append(time.perf_counter() - t)
    out["+".join(formats)] = (statistics.median(times), times)
print(json.dumps(out))
"""


def edit_loop(project: Path, branch: str, year: int, runs: int) -> dict:
    name, old, _ = EDITS[(branch, year)]  # the last two digits of *old* change
    done = subprocess.run(
        [sys.executable, "-c", EDIT_LOOP, str(project), branch, str(year), str(runs), name, old],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- 3. 47 branches ------------------------------------------------------------------


def generate(project: Path, count: int) -> list[str]:
    """*count* branches, each a renamed copy of a seed branch (all its years)."""
    plans = project / "plans"
    seeds = [b for b, _ in SEEDS]
    made = []
    for n in range(count):
        seed = seeds[n % len(seeds)]
        slug = f"{seed}{n + 1:02d}"
        shutil.copytree(ROOT / "plans" / seed, plans / slug)
        branch_file = plans / slug / "branch.yaml"
        text = branch_file.read_text(encoding="utf-8")
        text = re.sub(r"^(name: .*?)支部$", rf"\g<1>{n + 1:02d}支部", text, flags=re.M)
        text = re.sub(r"^(short_name: .*)$", rf"\g<1>{n + 1:02d}", text, flags=re.M)
        branch_file.write_text(text, encoding="utf-8")
        made.append(slug)
    for seed in seeds:
        shutil.rmtree(plans / seed)
    return made


def everything(project: Path, jobs: int) -> dict:
    clean(project)
    result = measured([*CLI, "build", "--all", "--jobs", str(jobs)], project)
    pages = pages_of(project)
    return {**result, "pages": pages}


def pages_of(project: Path) -> int:
    import pikepdf

    total = 0
    for path in (project / "output").rglob("*.pdf"):
        with pikepdf.open(path) as pdf:
            total += len(pdf.pages)
    return total


# --- 4. checks -------------------------------------------------------------------------


def font_check(pdf: Path) -> list[str]:
    out = subprocess.run(["pdffonts", str(pdf)], capture_output=True, text=True, check=True)
    return out.stdout.splitlines()


def identical(project: Path, branch: str, year: int) -> dict:
    """Incremental parallel build vs sequential uncached build, and vs bare WeasyPrint text."""
    clean(project)
    run([*CLI, "build", branch, str(year), "--jobs", "1", "--force"], project)
    folder = project / "output" / branch / str(year)
    sequential = {p.name: sha(p) for p in folder.iterdir()}
    clean(project)
    run([*CLI, "build", branch, str(year), "--jobs", "2"], project)  # cold, parallel
    parallel = {p.name: sha(p) for p in folder.iterdir()}
    edit(project, branch, year)
    run([*CLI, "build", branch, str(year), "--jobs", "2"], project)  # incremental
    incremental = {p.name: sha(p) for p in folder.iterdir()}
    run([*CLI, "build", branch, str(year), "--jobs", "1", "--force"], project)
    sequential_after = {p.name: sha(p) for p in folder.iterdir()}
    return {
        "cold parallel == sequential uncached": parallel == sequential,
        "incremental parallel == sequential uncached (after edit)": incremental == sequential_after,
        "hashes": sequential_after,
    }


def text_check(project: Path, branch: str, year: int) -> dict:
    """pdftotext per page of our PDF and of bare WeasyPrint's, and page counts."""
    code = r"""
import sys
from pathlib import Path
from kenpo_report.layout import marks
from kenpo_report.build import pipeline
from kenpo_report.project import Project
from kenpo_report.render.urls import image_url
from kenpo_report.validate import load_plan
from kenpo_report.render import pdf as pdf_render
project = Project.at(Path(sys.argv[1])); branch, year = sys.argv[2], int(sys.argv[3])
plan = load_plan(project, branch, year)
[item], _ = pipeline.lay_out_plan(project, plan)
vector, raster = pipeline.draw_charts(project, item.charts)
images = {image_url(c): c for c in plan.images.values()}
mark_vector, mark_raster = marks.images(item.html)
assets = pdf_render.Assets(project.templates, project.fonts, {**images, **vector, **mark_vector}, {**raster, **mark_raster})
Path(sys.argv[4]).write_bytes(pdf_render.render(item.html, assets).data)
"""
    bare = project / "bare.pdf"
    subprocess.run(
        [sys.executable, "-c", code, str(project), branch, str(year), str(bare)], check=True
    )
    ours = project / "output" / branch / str(year) / "results.pdf"
    if not ours.exists():
        ours = next((project / "output" / branch / str(year)).glob("*.pdf"))

    def pages(path: Path) -> list[str]:
        out = subprocess.run(
            ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
        )
        return out.stdout.split("\f")

    a, b = pages(ours), pages(bare)
    return {
        "pages": (len(a) - 1, len(b) - 1),
        "text per page identical": a == b,
        "sizes": (ours.stat().st_size, bare.stat().st_size),
    }


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def edit_section(runs: int) -> None:
    print("## 2b. One-measure edit in one process (imports done, --jobs 2), seconds\n")
    rows = []
    for branch, year in SEEDS:
        with tempfile.TemporaryDirectory(prefix="kenpo-bench-edit-") as tmp:
            m = edit_loop(copy_project(Path(tmp) / "project"), branch, year, runs)
        runs_text = ", ".join(f"{t:.2f}" for t in m["pdf+docx"][1])
        rows.append([f"{branch} {year}", m["pdf+docx"][0], m["pdf"][0], runs_text])
    print(table(["branch-year", "PDF+DOCX median", "PDF only median", "PDF+DOCX runs"], rows))
    print(f"\nload average: {uptime()}\n")


# --- main ------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="1 run each, 10 branches")
    parser.add_argument("--runs", type=int, default=None, help="runs per measure (median)")
    parser.add_argument("--branches", type=int, default=None, help="size of the generated set")
    parser.add_argument("--skip-all", action="store_true", help="skip the generated set")
    parser.add_argument("--edit-only", action="store_true", help="only the edit loop (2b)")
    parser.add_argument("--stages-only", action="store_true", help="only the stages (1)")
    args = parser.parse_args()
    runs = args.runs or (1 if args.quick else 5)
    count = args.branches or (10 if args.quick else 47)
    print(f"# kenpo-report benchmark\n\nload average at start: {uptime()}; cores: {os.cpu_count()}")
    print(f"runs per measure: {runs} (median)\n")

    if args.edit_only:
        edit_section(runs)
        return
    with tempfile.TemporaryDirectory(prefix="kenpo-bench-") as tmp:
        project = copy_project(Path(tmp) / "project")

        print("## 1. Stages, one process, imports done (seconds)\n")
        head = ["branch-year", "pages", "load", "validate", "compute", "templates", "charts"]
        head += ["PDF layout", "PDF write", "DOCX", "s/page", "bare WeasyPrint"]
        head += ["ours jobs=1", "ours jobs=2", "ours PDF jobs=1", "ours PDF jobs=2"]
        head += ["ratio j1", "ratio j2", "ratio PDF j1", "ratio PDF j2"]
        rows, harfbuzz, imports = [], None, 0.0
        for branch, year in SEEDS:
            m = stages(project, branch, year, runs)
            harfbuzz, imports = m["harfbuzz"], m["imports"]
            rows.append(
                [f"{branch} {year}", m["pages"]]
                + [m[k] for k in ("load", "validate", "compute", "templates", "charts")]
                + [m["pdf_layout"], m["pdf_write"], m["docx"]]
                + [(m["pdf_layout"] + m["pdf_write"]) / max(m["pages"], 1), m["bare"]]
                + [m["ours_1"], m["ours_2"], m["ours_pdf_1"], m["ours_pdf_2"]]
                + [m["ratio_1"], m["ratio_2"], m["ratio_pdf_1"], m["ratio_pdf_2"]]
            )
        print(table(head, rows))
        print(f"\nimports (pipeline, WeasyPrint, python-docx): {imports:.2f} s; ")
        print(f"HarfBuzz subsetting available to WeasyPrint: {harfbuzz}\n")
        print("ours = pipeline.build(force=True): no cache, PDF and DOCX unless noted; ")
        print("ratio = ours ÷ bare WeasyPrint (layout + write of the same HTML), median of")
        print("each round's ratio; ours includes drawing charts (三重), bare is given them\n")
        print(f"load average: {uptime()}\n")
        if args.stages_only:
            return

        print("## 2. `kenpo-report build BRANCH YEAR` (new process, default --jobs)\n")
        head = ["branch-year", "cold wall", "cold CPU", "cold RSS MiB", "warm wall"]
        head += ["edit wall", "edit CPU", "no-op wall", "edit"]
        rows = []
        for branch, year in SEEDS:
            b = builds(project, branch, year, runs)
            walls = [c["wall"] for c in b["cold"]]
            rows.append(
                [
                    f"{branch} {year}",
                    statistics.median(walls),
                    statistics.median(c["cpu"] for c in b["cold"]),
                    max(c["rss"] for c in b["cold"]),
                    b["warm"]["wall"],
                    b["edit"]["wall"],
                    b["edit"]["cpu"],
                    b["noop"]["wall"],
                    b["change"],
                ]
            )
            if runs > 1:
                print(f"<!-- {branch} cold walls: {', '.join(f'{w:.2f}' for w in walls)} -->")
        print(table(head, rows))
        print(f"\nload average: {uptime()}\n")
        edit_section(runs)

        print("## 4. Checks\n")
        clean(project)
        run([*CLI, "build", "iwate", "2024"], project)
        print("pdffonts output/iwate/2024/results.pdf:\n\n```")
        print("\n".join(font_check(project / "output/iwate/2024/results.pdf")))
        print("```\n")
        same = identical(project, "iwate", 2024)
        print("identical outputs (SHA-256):", json.dumps(same, indent=1), "\n")
        print("against bare WeasyPrint:", json.dumps(text_check(project, "iwate", 2024)), "\n")

    if args.skip_all:
        return
    with tempfile.TemporaryDirectory(prefix="kenpo-bench-all-") as tmp:
        project = copy_project(Path(tmp) / "project")
        made = generate(project, count)
        print(f"## 3. {len(made)} branches (`build --all`)\n")
        rows = []
        for jobs in (1, 2):
            r = everything(project, jobs)
            rows.append([f"--jobs {jobs}", r["wall"], r["cpu"], r["rss"], r["pages"]])
        noop = measured([*CLI, "build", "--all"], project)
        rows.append(["no-op (unchanged)", noop["wall"], noop["cpu"], noop["rss"], "-"])
        print(table(["build --all", "wall s", "CPU s", "peak RSS MiB", "pages"], rows))
        print(f"\nload average: {uptime()}\n")


if __name__ == "__main__":
    main()
