"""Pages of the new year (appendices that are not measures): carried as a skeleton.

Headings, 事業計画 boxes and the blocks computed from the KPIs are kept; last
year's results are left out. Text under a heading or column naming the next
year (令和7年度の計画) is last year's plan for this year: it moves to the
section naming this year, and the next-year section starts empty.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from kenpo_report.commands.rollover.context import CONFIRM, TODO, Context, quoted
from kenpo_report.commands.rollover.era import DIGIT, FULL, reiwa, shift_all, shift_era
from kenpo_report.commands.rollover.yaml_writer import Note

# Blocks that are computed from the KPIs of the year they are in: carried.
_KPI_BLOCKS = ("kpi_box", "formula", "comparison")


def page(ctx: Context, raw: dict[str, Any]) -> Any:
    """A page of the new year; dividers and covers are carried whole, titles moved on."""
    last = ctx.year - 1
    if raw.get("layout") in ("divider", "cover"):
        return shift_all(raw, last, near_only=True)
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key == "blocks":
            out[key] = _PageBlocks(ctx, raw).run()
        elif isinstance(value, str):
            out[key] = shift_era(value, last)
        else:
            out[key] = value
    if not out.get("blocks") and raw.get("blocks"):  # `blocks: []`: check lists it until filled
        out["blocks"] = Note(
            [], todo=(TODO, f"ページ「{quoted(raw.get('title'))}」の{ctx.fy}の内容")
        )
    return out


class _PageBlocks:
    """One measure page's blocks, moved to the new year."""

    def __init__(self, ctx: Context, page: dict[str, Any]) -> None:
        self.ctx = ctx
        self.last = ctx.year - 1
        self.page_title = quoted(page.get("title"))
        self.blocks: list[Any] = page.get("blocks") or []
        self.plan = self._next_year_text()
        if self.plan:
            self.plan[0] = Note(
                self.plan[0],
                before=(
                    f"ここから: {ctx.last_fy}に書いた{ctx.fy}の計画です。実施した内容に直してください",
                ),
                todo=(
                    CONFIRM,
                    f"ページ「{self.page_title}」の{ctx.fy}の取組みは、{ctx.last_fy}に書いた計画のままです",
                ),
            )
        self.received = not self.plan  # nothing to place, or placed already

    # Section titles: 令和N年度… is this (last) year's, 令和N+1年度… the plan for the next.
    def _names(self, title: str | None, year: int) -> bool:
        if not title:
            return False
        n = reiwa(year)
        return any(
            f"令和{d}年度" in title.translate(FULL) for d in ([str(n)] + (["元"] if n == 1 else []))
        )

    def _is_next(self, title: str | None) -> bool:
        return self._names(title, self.last + 1) and not self._names(title, self.last)

    def _is_current(self, title: str | None) -> bool:
        return self._names(title, self.last)

    def _next_year_text(self) -> list[Any]:
        """Last year's plan for this year: the blocks of its next-year sections."""
        found: list[Any] = []
        for section_title, content in self._sections(self.blocks):
            if self._is_next(section_title):
                found += content
        return found

    def _sections(self, blocks: list[Any]) -> Iterator[tuple[str | None, list[Any]]]:
        title: str | None = None
        content: list[Any] = []
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "heading":
                if title is not None:
                    yield title, content
                title, content = block.get("text"), []
            elif kind == "columns":
                for column in block.get("columns") or []:
                    yield column.get("title"), column.get("blocks") or []
            elif title is not None:
                content.append(block)
        if title is not None:
            yield title, content

    def run(self) -> list[Any]:
        return self._flat(self.blocks)

    def _flat(self, blocks: list[Any]) -> list[Any]:
        out: list[Any] = []
        heading: dict[str, Any] | None = None
        section: list[Any] = []
        section_had: list[Any] = []

        def close() -> None:
            nonlocal heading, section, section_had
            if heading is None:
                out.extend(section)
            else:
                out.append(self._heading(heading, section, section_had))
                out.extend(section)
            heading, section, section_had = None, [], []

        mode = "keep"
        for block in blocks:
            kind = block.get("type") if isinstance(block, dict) else None
            if kind == "heading":
                close()
                heading = block
                text = block.get("text")
                if self._is_next(text):
                    mode = "next"
                elif self._is_current(text) and not self.received:
                    mode = "receive"
                else:
                    mode = "keep"
                if mode == "receive":
                    self.received = True
                    section.extend(self.plan)
                continue
            if heading is not None:
                section_had.append(block)
            if mode == "next":
                continue  # moved to this year's section
            new = self._block(block)
            if new is not None:
                section.append(new)
        close()
        if not self.received:
            # A plan with nowhere to go: keep it under a heading of its own.
            self.received = True
            out += [
                {"type": "heading", "text": f"{self.ctx.fy}の計画"},
                *self.plan,
            ]
        return out

    def _heading(self, block: dict[str, Any], section: list[Any], had: list[Any]) -> Any:
        new = shift_all(block, self.last, near_only=True)
        if had and not section:
            shown = quoted(new.get("text"))
            return Note(new, todo=(TODO, f"ページ「{self.page_title}」の「{shown}」の内容"))
        return new

    def _block(self, block: Any) -> Any:
        if not isinstance(block, dict):  # pragma: no cover - validated last year
            return None
        kind = block.get("type")
        if kind == "columns":
            return self._columns(block)
        if kind == "heading":  # pragma: no cover - handled by _flat
            return shift_all(block, self.last, near_only=True)
        if kind == "box" and "計画" in str(block.get("title", "")):
            new = shift_all(block, self.last, near_only=True)
            return Note(
                new,
                before=(
                    f"{self.ctx.last_fy}の事業計画を写しました。{self.ctx.fy}の事業計画に直してください",
                ),
                todo=(
                    CONFIRM,
                    f"ページ「{self.page_title}」の「{new.get('title')}」は{self.ctx.last_fy}の事業計画です",
                ),
            )
        if kind == "paragraph" and block.get("style") == "badge":
            return block
        if kind in _KPI_BLOCKS:
            return self._kpi_block(block)
        if kind == "table" and _is_kpi_block(block):
            return self._kpi_table(block)
        return None  # last year's results

    def _columns(self, block: dict[str, Any]) -> Any:
        columns = []
        for column in block.get("columns") or []:
            title = column.get("title")
            blocks = column.get("blocks") or []
            new_blocks: list[Any] = []
            if self._is_current(title) and not self.received:
                # Last year's plan replaces last year's results (their headings included).
                self.received = True
                kept = [self._block(x) for x in blocks if _is_kpi_block(x)]
                new_blocks = [b for b in kept if b is not None] + self.plan
            elif not self._is_next(title):
                new_blocks = [b for b in (self._block(x) for x in blocks) if b is not None]
            new = dict(column)
            if title is not None:
                new["title"] = shift_era(title, self.last)
            new["blocks"] = new_blocks
            if blocks and not new_blocks:
                shown = quoted(new.get("title")) or "見出しのない列"
                columns.append(
                    Note(new, todo=(TODO, f"ページ「{self.page_title}」の「{shown}」の内容"))
                )
            else:
                columns.append(new)
        return {**block, "columns": columns}

    def _kpi_block(self, block: dict[str, Any]) -> Any:
        ctx = self.ctx
        new = dict(block)
        if block.get("kpi") is not None:
            kpi_id = ctx.kpi_id(block["kpi"])
            if kpi_id is None:
                return None
            new["kpi"] = kpi_id
        if block["type"] == "kpi_box":
            rows = []
            for row in block.get("rows") or []:
                kpi_id = ctx.kpi_id(row.get("kpi"))
                if kpi_id is not None:
                    rows.append({**row, "kpi": kpi_id})
            if not rows:
                return None
            new["rows"] = rows
            statements = block.get("statements")
            if statements and any(DIGIT.search(s) for s in statements):
                del new["statements"]
                new = shift_all(new, self.last, near_only=False)
                return Note(
                    new,
                    before=(
                        f"{ctx.last_fy}の文言は前年度の数値を含むため省きました（KPI一覧の文言になります）:",
                        *statements,
                    ),
                    todo=(
                        CONFIRM,
                        f"ページ「{self.page_title}」のKPIの文言は省きました（KPI一覧の文言を表示します）",
                    ),
                )
        # Labels of KPI figures name years relative to the report: all move on.
        return shift_all(new, self.last, near_only=False)

    def _kpi_table(self, block: dict[str, Any]) -> Any:
        ctx = self.ctx
        new = dict(block)
        for part in ("header", "rows"):
            rows = []
            for row in block.get(part) or []:
                cells = []
                # A row of figures typed last year (no KPI in it) is last year's result.
                keep = part == "header" or not _typed_figures(row) or _row_kpis(row)
                for cell in row:
                    if isinstance(cell, dict) and cell.get("kpi") is not None:
                        kpi_id = ctx.kpi_id(cell["kpi"])
                        if kpi_id is None:
                            keep = False
                            break
                        cell = {**cell, "kpi": kpi_id}
                    cells.append(cell)
                if keep:
                    rows.append(cells)
            if part in block:
                new[part] = rows
        if not new.get("rows"):
            return None
        return Note(
            shift_all(new, self.last, near_only=False),
            before=(
                f"{ctx.last_fy}の表を写しました。文言の中の数値（目標など）を確認してください",
            ),
            todo=(
                CONFIRM,
                f"ページ「{self.page_title}」のKPIの表は{ctx.last_fy}の文言のままです。文言の中の数値を確認してください",
            ),
        )


_FIGURE_CELLS = ("number", "ratio", "diff", "change")


def _row_kpis(row: list[Any]) -> bool:
    return any(isinstance(cell, dict) and cell.get("kpi") is not None for cell in row)


def _typed_figures(row: list[Any]) -> bool:
    return any(
        isinstance(cell, dict) and any(cell.get(k) is not None for k in _FIGURE_CELLS)
        for cell in row
    )


def _is_kpi_block(block: Any) -> bool:
    """A block computed from the year's KPIs (kpi_box, formula, comparison, KPI tables)."""
    if not isinstance(block, dict):  # pragma: no cover - validated last year
        return False
    if block.get("type") in _KPI_BLOCKS:
        return True
    return block.get("type") == "table" and any(
        isinstance(cell, dict) and cell.get("kpi") is not None
        for part in ("header", "rows")
        for row in block.get(part) or []
        for cell in row
    )
