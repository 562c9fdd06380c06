"""A document's PDF and DOCX from its HTML, laying out only what changed, in parallel.

The HTML is cut into parts that each begin on a new page (:mod:`.split`). A
part's PDF depends on its HTML, the asset files WeasyPrint read for it, the
number of its first page and the page numbers of the anchors it links to in
other parts (the KPI一覧's ページ column). Those numbers depend on how many
pages the parts before have, which is known only once they are laid out, or
from the cache: how many pages a part takes does not depend on where it
starts, so its *shape* (pages, where its anchors fall) is kept by its content.

The loop below guesses what it does not know (the shape from the cache, the
previous build's page counts, else one page: :mod:`.numbering` keeps what is
known and guessed, and numbers the parts from it), lays out parts under those
guesses, several at a time, and lays out again any part whose guess turned out
wrong. It ends when every part has been laid out with exactly the numbers the
final page counts give, so the result does not depend on the guesses, the
cache or the number of workers: it is the PDF of laying the parts out one
after the other. The DOCX needs the page numbers too; it is written once they
are known (or guessed from the previous build, and written again if wrong).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from concurrent.futures import FIRST_COMPLETED, Future, wait
from dataclasses import dataclass, field, replace
from pathlib import Path

from kenpo_report.build.cache import Store, digest, file_digest, renderer_digest
from kenpo_report.build.workers import Runner
from kenpo_report.render import split as splitting
from kenpo_report.render.numbering import Hint, Need, PageBook, Shape
from kenpo_report.render.results import STARTS_FORMAT, Assets, PartResult, PdfResult

# Page sections per part, on average (at most twice that). Every part embeds
# its own font subsets and costs a fixed ~0.05 s, so small parts make a larger
# file; large parts make an edit slower to lay out. Measured with 2 workers and
# the DOCX written alongside (the edit is what a planner waits for):
# - 岩手 2024 (36 pages; laid out whole: 0.31 MB): 1 section per part, 1.48 MB,
#   cold build ~5.3 s, rebuild after an edit ~1.3 s; 2: 1.14 MB, ~5.3 s, ~1.45 s;
#   4: 0.72 MB, edit ~1.9 s (PDF only, one process);
# - 三重 2024, an edit of a chart's figures: 1 section per part ~1.1 s, 2: ~1.75 s
#   (its first part then holds the KPI一覧 as well).
PART_SIZE = 1
MAX_ROUNDS = 4  # lay-outs of one part before giving up on parts (see _fallback)
MAX_PASSES = 200  # passes of the loop, likewise

_URL = re.compile(r'(?:src|href)="([^"]+)"')


@dataclass
class Rendered:
    pdf: PdfResult
    docx: bytes | None
    parts: list[int] = field(default_factory=list)  # pages of each part


def render_document(
    html: str,
    assets: Assets,
    *,
    docx: bool = True,
    store: Store | None = None,
    runner: Runner | None = None,
    hint: Hint | None = None,
) -> Rendered:
    """The PDF (and DOCX) of one laid-out document.

    *hint* is where the previous build put the anchors (see cache.Manifest):
    good guesses make a rebuild lay out only the parts that changed, and write
    the DOCX while the PDF is being laid out.
    """
    run = _Run(html, assets, store, runner or Runner(1), docx, hint)
    return run.go()


class _Run:
    def __init__(
        self,
        html: str,
        assets: Assets,
        store: Store | None,
        runner: Runner,
        docx: bool,
        hint: Hint | None,
    ) -> None:
        self.html = html
        self.assets = assets
        self.store = store
        self.runner = runner
        self.want_docx = docx
        self.parts = splitting.split(html, PART_SIZE)
        n = len(self.parts)
        self.hinted = tuple(sorted(hint.anchors.items())) if hint else None
        self.hinted_starts = hint.starts if hint and hint.starts else None
        self.content = [
            digest("part", renderer_digest(), p.html, self._images_digest(p.html))
            for p in self.parts
        ]
        # Per part: where its pages begin (pdf.page_starts), from its shape or lay-out.
        self.starts: list[list[str] | None] = [None] * n
        self.book = PageBook(self.parts, hint, [self._shape(i) for i in range(n)])
        self.rounds = [0] * n
        self.flying: dict[Future, tuple[str, int, object]] = {}
        self.docx_done: tuple[tuple, bytes] | None = None  # ((page numbers, starts), DOCX)
        self._docx_base: str | None = None

    # --- the loop -------------------------------------------------------------

    def go(self) -> Rendered:
        n = len(self.parts)
        try:
            for _ in range(MAX_PASSES):
                starts, anchors = self.book.starts(), self.book.anchors()
                needs = [self.book.need(i, starts, anchors) for i in range(n)]
                if self._load_cached(needs):
                    continue  # page counts may have changed: number everything again
                missing = [i for i in range(n) if not self.book.laid_out_with(i, needs[i])]
                numbers = tuple(sorted(anchors.items()))
                if not missing and (not self.want_docx or self._docx_for(numbers, self._starts())):
                    break
                if any(r > MAX_ROUNDS for r in self.rounds):
                    return self._fallback()
                self._dispatch(missing, needs, numbers, self.book.all_known())
                _import_merge()  # while the workers lay out: not after the last of them
                self._collect()
            else:
                return self._fallback()
        finally:
            for future in self.flying:
                future.cancel()  # laid out under a guess that no longer holds
        results = [self.book.done[i][1] for i in range(n)]
        merge = _import_merge()

        return Rendered(
            PdfResult(
                merge(results), sum(r.pages for r in results), anchors, list(self._starts() or ())
            ),
            self.docx_done[1] if self.want_docx else None,
            [r.pages for r in results],
        )

    def _load_cached(self, needs: list[Need]) -> bool:
        """Take from the cache every part laid out before under the same numbers."""
        loaded = False
        for i, need in enumerate(needs):
            if self.book.laid_out_with(i, need):
                continue
            cached = self._cached(i, need)
            if cached is not None:
                self.book.done[i] = (need, cached)
                loaded = True
        return loaded

    def _starts(self) -> tuple[str, ...] | None:
        """Where the document's pages begin (see pdf.page_starts), once every part's are known."""
        if any(s is None for s in self.starts):
            return None
        return tuple(
            splitting.shifted(key, part.offset)
            for part, keys in zip(self.parts, self.starts, strict=True)
            for key in keys
        )

    def _docx_for(self, numbers: tuple, starts: tuple[str, ...] | None) -> bool:
        """Whether the DOCX with these page numbers and page starts is written (or cached)."""
        if starts is None:
            return False
        if self.docx_done is not None and self.docx_done[0] == (numbers, starts):
            return True
        if self.store is not None:
            data = self.store.get("docx", self._docx_key(numbers, starts))
            if data is not None:
                self.docx_done = ((numbers, starts), data)
                return True
        return False

    def _dispatch(
        self, missing: list[int], needs: list[Need], numbers: tuple, certain: bool
    ) -> None:
        flying = set(self.flying.values())
        free = self.runner.slots - len(self.flying)
        if free > 0 and self._dispatch_docx(numbers, certain, flying):
            free -= 1
        self._dispatch_parts(missing, needs, flying, free)

    def _dispatch_docx(self, numbers: tuple, certain: bool, flying: set[tuple]) -> bool:
        """Start writing the DOCX with *numbers* if it is worth it now; whether it was started."""
        # The DOCX is the longest task: start it first, once its page numbers are
        # final, or as the previous build had them and the guesses still give. (A
        # first build guesses a page per section, wrong often enough that starting
        # the DOCX on it cost more than it saved.)
        guessed = self.hinted == numbers
        starts = self._starts()  # known once every part is laid out or its shape cached
        if starts is None and guessed:
            # After an edit: the previous build's page starts, which an edit inside a
            # page seldom moves, so that the DOCX is written beside the edited part
            # rather than after it (written again if the part's starts differ).
            starts = self.hinted_starts
        task = ("docx", -1, (numbers, starts))
        if (
            self.want_docx
            and (certain or guessed)
            and starts is not None
            and not self._docx_for(numbers, starts)
            and task not in flying
        ):
            self._submit(task, _write_docx, self.html, self.assets, dict(numbers), list(starts))
            return True
        return False

    def _dispatch_parts(
        self, missing: list[int], needs: list[Need], flying: set[tuple], free: int
    ) -> None:
        """Lay out, on up to *free* workers, the missing parts whose numbers are worth it."""
        busy = {i for kind, i, _ in flying if kind == "part"}
        # A part not laid out yet is laid out under the current guess (it tells its
        # pages); once laid out, again only under final numbers. No guess past a
        # KPI一覧 (a part that links to others) of unknown length: a long table,
        # often more pages than sections, and every part after it would be wrong.
        blocker = next(
            (j for j in range(len(self.parts)) if not self.book.known(j) and self.parts[j].foreign),
            len(self.parts),
        )
        unknown = [i for i in missing if not self.book.known(i) and i not in busy and i <= blocker]
        ready = [i for i in missing if self.book.known(i) and self.book.certain(i)]
        for i in unknown + ready:
            if free <= 0:
                break
            need = needs[i]
            if not self.book.known(i):
                # Laid out to learn its pages: without the numbers it shows from
                # other parts, which cost WeasyPrint a page each (see pdf.render_part).
                need = replace(need, foreign=())
            if ("part", i, need) in flying:
                continue
            self.rounds[i] += 1
            html, assets = self.parts[i].html, self._assets_for(i)
            self._submit(
                ("part", i, need), _lay_out, html, assets, need.first_page, dict(need.foreign)
            )
            free -= 1

    def _submit(self, task: tuple[str, int, object], fn: Callable, *args: object) -> None:
        self.flying[self.runner.submit(fn, *args)] = task

    def _collect(self) -> None:
        if not self.flying:
            return
        finished, _ = wait(list(self.flying), return_when=FIRST_COMPLETED)
        for future in finished:
            kind, i, need = self.flying.pop(future)
            if future.cancelled():
                continue
            result = future.result()  # a task's exception (refused file, full disk) stops the build
            if kind == "docx":
                self.docx_done = (need, result)
                if self.store is not None:
                    self.store.put("docx", self._docx_key(*need), result)
                continue
            self.book.done[i] = (need, result)
            self._remember(i, need, result)

    # --- the cache ------------------------------------------------------------

    def _shape(self, i: int) -> Shape | None:
        if self.store is None:
            return None
        found = self.store.get_json("shape", self.content[i])
        if not found:
            return None
        deps = self._deps(found["fetched"])
        if deps != found["deps"]:
            return None
        if found.get("starts_format") != STARTS_FORMAT:
            return None  # laid out before its page starts said what the DOCX needs
        self.starts[i] = found["starts"]
        return Shape(found["pages"], found["anchors"], deps)

    def _deps(self, fetched: list[str]) -> str:
        """The asset files a part read (and every font: a process loads them only once)."""
        fonts = self.assets.fonts
        names = set(fetched) | {
            f"fonts/{p.name}" for p in (fonts.iterdir() if fonts.is_dir() else []) if p.is_file()
        }
        rows = []
        for name in sorted(names):
            folder, _, rest = name.partition("/")
            path = (self.assets.templates if folder == "templates" else fonts) / rest
            rows.append((name, file_digest(path) if path.is_file() else None))
        return digest(rows)

    def _docx_key(self, numbers: tuple, starts: tuple[str, ...]) -> str:
        if self._docx_base is None:
            # The DOCX writer does not say which template files it reads: all of them count.
            templates = templates_digest(self.assets.templates)
            fonts = templates_digest(self.assets.fonts)  # embedded in the DOCX, subset
            images = self._images_digest(self.html, raster=True)
            self._docx_base = digest("docx", renderer_digest(), templates, fonts, images, self.html)
        return digest(self._docx_base, numbers, starts)

    def _images_digest(self, html: str, raster: bool = False) -> list:
        """The images an HTML shows, by content: a chart's URL names its data, not its drawing."""
        urls = set(_URL.findall(html))
        sources = [self.assets.images] + ([self.assets.raster] if raster else [])
        return [
            (url, hashlib.sha256(source[url]).hexdigest())
            for source in sources
            for url in sorted(urls & source.keys())
        ]

    def _variant(self, i: int, need: Need, deps: str) -> str:
        return digest(self.content[i], deps, need.first_page, need.foreign)

    def _cached(self, i: int, need: Need) -> PartResult | None:
        shape = self.book.shapes[i]
        if self.store is None or shape is None:
            return None
        key = self._variant(i, need, shape.deps)
        meta = self.store.get_json("part-meta", key)
        if meta is not None and meta.get("starts_format") != STARTS_FORMAT:
            return None
        data = self.store.get("part", key) if meta is not None else None
        return PartResult.from_meta(data, meta) if data is not None else None

    def _remember(self, i: int, need: Need, result: PartResult) -> None:
        deps = self._deps(result.fetched)
        self.book.shapes[i] = Shape(result.pages, result.anchors, deps)
        self.starts[i] = result.starts
        if self.store is None:
            return
        shape = {
            "pages": result.pages,
            "anchors": result.anchors,
            "starts": result.starts,
            "starts_format": STARTS_FORMAT,
        }
        self.store.put_json(
            "shape", self.content[i], {**shape, "fetched": result.fetched, "deps": deps}
        )
        key = self._variant(i, need, deps)
        self.store.put("part", key, result.data)
        self.store.put_json("part-meta", key, result.meta())

    def _assets_for(self, i: int) -> Assets:
        """Only the images the part shows: each task carries its assets to a worker."""
        urls = set(_URL.findall(self.parts[i].html))
        images = {u: c for u, c in self.assets.images.items() if u in urls}
        return replace(self.assets, images=images, raster={})

    def _fallback(self) -> Rendered:
        # Page counts that change with the numbers shown (a ページ column wrapping
        # at P100) could keep the loop going: lay the document out whole instead.
        from kenpo_report.render import pdf

        for future in self.flying:
            future.cancel()
        whole = pdf.render(self.html, self.assets)
        docx = (
            _write_docx(self.html, self.assets, whole.anchors, whole.starts)
            if self.want_docx
            else None
        )
        return Rendered(whole, docx, [])


def _import_merge() -> Callable:
    # pikepdf only: a build from the cache never imports WeasyPrint.
    from kenpo_report.render.merge import merge

    return merge


def _lay_out(html: str, assets: Assets, first_page: int, foreign: dict[str, int]) -> PartResult:
    from kenpo_report.build.output import check_pdf
    from kenpo_report.render.pdf import render_part

    result = render_part(html, assets, first_page=first_page, foreign=foreign)
    check_pdf(result.data)  # here, in the worker: the merged PDF is only opened
    return result


def _write_docx(
    html: str, assets: Assets, page_numbers: dict[str, int], page_starts: list[str]
) -> bytes:
    from kenpo_report.render import docx

    return docx.render(html, assets, page_numbers=page_numbers, page_starts=page_starts)


def templates_digest(templates: Path) -> str:
    """All template files, for outputs (the DOCX) that do not list what they read."""
    rows = [
        (p.relative_to(templates).as_posix(), file_digest(p))
        for p in sorted(templates.rglob("*"))
        if p.is_file()
    ]
    return digest(rows)
