"""KPIs of the new year: which continue under which id, and each entry carried.

Last year's actual becomes ``prior``, ``national`` becomes ``national_prior``,
``rank`` becomes ``prior_rank``; ``actual``, ``national`` and ``rank`` are
written empty (記入待ち where a document reports the year). A renamed KPI keeps its figures only if it still
measures the same way; one defined as 100％ minus the old one gets its prior
computed, to be confirmed.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from pydantic import TypeAdapter

from kenpo_report.commands.rollover.context import CONFIRM, NOTICE, TODO, Context, Todo
from kenpo_report.commands.rollover.era import DIGIT
from kenpo_report.commands.rollover.yaml_writer import Note
from kenpo_report.compute.kpis import kpi_value
from kenpo_report.layout.formatting import direction_word, figure
from kenpo_report.model import PRIOR_YEAR, Catalog, Figure, KpiDefinition, KpiEntry

_FIGURE: TypeAdapter[Any] = TypeAdapter(Figure)

# Keys of last year's entry that the new one does not carry, and why.
_NOT_CARRIED = (
    "successor",  # next year's rename is done
    "prior_label",  # the label described last year's prior
    "national_prior",  # two years old now; _put_national carries last year's national
    "prior_rank",  # replaced by last year's rank (_put_rank)
)


def plan_kpi_ids(ctx: Context) -> None:
    """Which of last year's KPIs continue, under which id."""
    seen = {e.successor or e.kpi for e in ctx.previous.data.kpis}
    for index, entry in enumerate(ctx.previous.data.kpis):
        new_id = entry.successor or entry.kpi
        if entry.successor:
            ctx.renamed[entry.kpi] = entry.successor
        if new_id not in ctx.catalog.kpis:
            ctx.dropped.add(entry.kpi)
            name = ctx.previous.catalog.kpis[entry.kpi].name
            hint = (
                f"（successor の「{entry.successor}」がカタログにありません）"
                if entry.successor
                else "（名称が変わったKPIなら、前年度のファイルのこのKPIに successor: 新しいID を書いてから作り直してください）"
            )
            ctx.notices.append(
                Todo(
                    NOTICE,
                    f"KPI「{name}」（{entry.kpi}）は{ctx.fy}のKPIカタログにないため、引き継ぎませんでした{hint}",
                    ctx.previous.source.get(("kpis", index, "kpi")),
                )
            )
    for kpi_id, definition in ctx.catalog.kpis.items():
        if kpi_id not in seen:
            ctx.notices.append(
                Todo(
                    NOTICE,
                    f"{ctx.fy}のKPIカタログの「{definition.name}」（{kpi_id}）は前年度のKPI一覧にありません。"
                    "この支部で使うなら kpis に加えてください",
                )
            )


def _definition(catalog: Catalog, kpi_id: str, entry: KpiEntry) -> KpiDefinition:
    definition = catalog.kpis[kpi_id]
    overrides = {
        name: getattr(entry, name, None)
        for name in ("unit", "decimals")
        if getattr(entry, name, None) is not None
    }
    return definition.model_copy(update=overrides) if overrides else definition


def _figure_text(fig: Any, definition: KpiDefinition) -> str:
    value = kpi_value(fig, definition, (), [])
    return figure(value) if value is not None else ""


def _carried(fig: Any) -> Any:
    """A figure as written, without the source document's typed rate (checked last year)."""
    if isinstance(fig, dict):
        return {k: v for k, v in fig.items() if k != "typed"}
    return fig


def _complement(fig: Any) -> Any:
    """100％ minus a rate as written: "95.5" -> "4.5"; a ratio keeps its denominator."""
    if isinstance(fig, dict):
        numerator = _figure({"numerator": fig["numerator"], "denominator": fig["denominator"]})
        rest = numerator.denominator - numerator.numerator
        return {"numerator": str(rest), "denominator": fig["denominator"]}
    return str(Decimal(100) - _figure(fig))


def _figure(raw: Any) -> Any:
    """A figure as written (text, or numerator/denominator) as the schema reads it."""
    return _FIGURE.validate_python(raw)


def carried_kpi(ctx: Context, raw: dict[str, Any], entry: KpiEntry) -> Any:
    """Last year's KPI entry *raw* (validated as *entry*) for the new year, or None if dropped."""
    new_id = ctx.kpi_id(entry.kpi)
    if new_id is None:
        return None
    return _CarriedKpi(ctx, raw, entry, new_id).written()


class _CarriedKpi:
    """One KPI entry moved to the new year, key by key in last year's order."""

    def __init__(self, ctx: Context, raw: dict[str, Any], entry: KpiEntry, new_id: str) -> None:
        self.ctx = ctx
        self.raw = raw
        self.entry = entry
        self.new_id = new_id
        self.old_def = ctx.previous.catalog.kpis[entry.kpi]
        self.new_def = _definition(ctx.catalog, new_id, entry)
        old_def, new_def = self.old_def, self.new_def
        # A renamed KPI keeps its figures only if it still measures the same way.
        self.same = new_id == entry.kpi or (
            old_def.unit == new_def.unit and old_def.direction == new_def.direction
        )
        self.label = f"{new_def.name}（項番{entry.number}）"
        self.by_prior = entry.target == PRIOR_YEAR
        self.word = direction_word(new_def.direction)
        # A KPI defined as 100％ minus last year's (窓口での受付率 = 100 − 郵送化率)
        # gets its prior computed from last year's figures, to be confirmed.
        self.complement = (
            not self.same and new_def.complement_of == entry.kpi and old_def.unit == "％"
        )
        self.prior = self._prior()
        self.out: dict[str, Any] = {}
        self.dropped: list[str] = []  # comments on what was left out

    def _prior(self) -> Any:
        if self.same:
            return _carried(self.raw.get("actual"))
        if self.complement and self.raw.get("actual") is not None:
            return _complement(self.raw["actual"])
        return None

    def written(self) -> Any:
        keys = list(self.raw)
        if "actual" not in keys:
            keys.insert(keys.index("target") + 1 if "target" in keys else len(keys), "actual")
        for key in keys:
            self._put(key, self.raw.get(key))
        self._explain_measure_change()
        return Note(self.out, before=tuple(self.dropped)) if self.dropped else self.out

    def _put(self, key: str, value: Any) -> None:
        if key in _NOT_CARRIED:
            return
        if key == "kpi":
            self._put_id()
        elif key in ("name", "label", "result_label") and not self.same and value:
            # A KPI that now measures something else (郵送化率 -> 窓口での受付率): its names
            # and the wording of its result described the old one.
            self.dropped.append(
                f"{self.ctx.last_fy}の {key}「{value}」はKPIが変わったため省きました"
            )
        elif key in ("statement", "target_label") and (self.by_prior or not self.same) and value:
            self._put_wording(key, value)
        elif key == "target":
            self._put_target(value)
        elif key == "actual":
            self._put_actual()
            if "prior" not in self.raw:
                self._put_prior()
        elif key == "prior":
            self._put_prior()
        elif key == "national":
            self._put_national()
        elif key == "rank":
            self._put_rank()
        else:
            self.out[key] = value

    def _put_id(self) -> None:
        old = self.entry.kpi
        self.out["kpi"] = (
            Note(self.new_id, after=f"{self.ctx.last_fy}の {old} から変更")
            if self.new_id != old
            else self.new_id
        )

    def _put_wording(self, key: str, value: str) -> None:
        if self.same and not DIGIT.search(value):
            self.out[key] = value
            return
        # It spells out last year's figure: let the tool write it from the prior.
        shown = value.replace("\n", "\\n")
        what = "KPIの文言（statement）" if key == "statement" else "目標欄の表示（target_label）"
        why = "前年度の数値を含む" if self.same else "KPIが変わった"
        self.dropped.append(
            f"{self.ctx.last_fy}の{what}「{shown}」は{why}ため省きました（自動の文言になります）"
        )

    def _put_target(self, value: Any) -> None:
        ctx, word = self.ctx, self.word
        if self.by_prior:
            resolved = (
                _figure_text(_figure(self.prior), self.new_def)
                if self.prior is not None and (self.same or self.complement)
                else ""
            )
            source = "prior から" if self.complement else f"{ctx.last_fy}の実績から自動で"
            self.out["target"] = Note(
                value,
                after=f"前年度実績 {resolved} {word}（{source}決まります）"
                if resolved
                else f"前年度実績{word}",
            )
            return
        if self.entry.target is None:
            # Last year's target was never written (a first year left unfilled): the new
            # year's is still to fill in, as a first year writes it, with nothing to confirm.
            self.out["target"] = Note(
                None,
                after=f"{TODO}: {ctx.fy}の目標（数値、または 対前年度）",
                todo=(TODO, f"{self.label}の目標"),
            )
            return
        shown = _figure_text(self.entry.target, self.new_def)
        self.out["target"] = Note(
            value,
            after=f"{CONFIRM}: {ctx.last_fy}の目標",
            todo=(
                CONFIRM,
                f"{self.label}の目標 {shown}{word} は{ctx.last_fy}の目標です。{ctx.fy}の目標に直してください",
            ),
        )

    def _put_actual(self) -> None:
        hint = (
            "{numerator: …, denominator: …}" if isinstance(self.raw.get("actual"), dict) else "数値"
        )
        self.out["actual"] = self._empty(f"{self.ctx.fy}の実績（{hint}）", f"{self.ctx.fy}の実績")

    def _empty(self, comment: str, what: str) -> Note:
        """A figure of the new year written empty: 記入待ち where a document reports the
        year (check lists it until it is written), a plain comment elsewhere."""
        if not self.ctx.reports:
            return Note(None, after=comment)
        return Note(None, after=f"{TODO}: {comment}", todo=(TODO, f"{self.label}の{what}"))

    def _put_prior(self) -> None:
        ctx, label, prior = self.ctx, self.label, self.prior
        if prior is not None and self.complement:
            old_name = self.old_def.name
            was = _figure_text(self.entry.actual, self.old_def)
            now = _figure_text(_figure(prior), self.new_def)
            self.out["prior"] = Note(
                prior,
                after=f"{CONFIRM}: {ctx.last_fy}の{old_name} {was} から 100％ − {was} で計算",
                todo=(
                    CONFIRM,
                    f"{label}の前年度実績 {now} は、{ctx.last_fy}の{old_name} {was} から"
                    f" 100％ − {was} で計算しました。{ctx.last_fy}の{self.new_def.name}の実績と合うか確認してください",
                ),
            )
        elif prior is not None:
            self.out["prior"] = Note(prior, after=f"{ctx.last_fy}の実績")
        elif self.by_prior:
            where = (
                f"。{ctx.last_folder} に{ctx.last_fy}の実績（actual）を書けば、そこから決まります"
                if self.same and ctx.last_folder
                else ""
            )
            # Where the year is reported, check fails here until it is written (an error,
            # listed by new); before that it waits for last year's actual (a notice).
            kind = TODO if ctx.reports else NOTICE
            self.out["prior"] = Note(
                None,
                after=f"{kind}: {ctx.last_fy}の実績（目標が対前年度のため必要です）",
                todo=(
                    kind,
                    f"{label}の前年度実績（{ctx.last_fy}の実績。目標が対前年度のため必要です{where}）",
                ),
            )

    def _put_national(self) -> None:
        national = self.raw.get("national")
        self.out["national"] = self._empty("全国の実績", "全国の実績")
        if national is not None and self.same:
            self.out["national_prior"] = _carried(national)
        elif national is not None and self.complement:
            self.out["national_prior"] = Note(
                _complement(national),
                after=f"{self.ctx.last_fy}の全国の{self.old_def.name}から計算",
            )

    def _put_rank(self) -> None:
        self.out["rank"] = self._empty("全国順位", "全国順位")
        if self.raw.get("rank") is not None and self.same:
            self.out["prior_rank"] = self.raw["rank"]

    def _explain_measure_change(self) -> None:
        ctx, kpi, old_name = self.ctx, self.entry.kpi, self.old_def.name
        if self.complement:
            self.dropped.append(
                f"{self.new_def.name}は 100％ − {ctx.last_fy}の {kpi}（{old_name}）です。"
                "前年度実績は、その実績から計算しました（全国順位は写していません）"
            )
        elif not self.same:
            self.dropped.append(
                f"{ctx.last_fy}の {kpi}（{old_name}）とは測り方が違うため、実績は前年度実績に写していません"
            )
