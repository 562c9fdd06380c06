"""A document's 変更前 from its draft (``draft:``): the same KPI as the draft computes it.

The draft is the branch-year as a git revision holds it (read by
:mod:`kenpo_report.validate.revisions`). Each KPI the draft has gets the draft's
result (:attr:`KpiResult.draft`): its 変更前 is the draft's target as printed, and
変更有無 says whether the printed target changed. A KPI the draft does not have keeps
its typed ``target_before``; one that has both takes the draft's, with a warning at
the typed one. No I/O.
"""

from __future__ import annotations

import dataclasses

from kenpo_report.compute.figures import Finding
from kenpo_report.compute.kpis import KpiResult, kpi_result, previous_actuals
from kenpo_report.model import DocumentSettings
from kenpo_report.validate import Plan


def draft_results(draft: Plan) -> dict[str, KpiResult]:
    """The draft's KPIs as computed there (対前年度 from the draft's own previous year)."""
    previous = previous_actuals(draft)
    return {
        entry.kpi: kpi_result(draft, entry, i, {}, previous, [])
        for i, entry in enumerate(draft.data.kpis)
    }


def with_draft(
    plan: Plan, document: DocumentSettings, kpis: list[KpiResult], findings: list[Finding]
) -> list[KpiResult]:
    """*kpis* (the plan's, in its order) as *document* shows them: each with its draft."""
    if document.draft is None or document.draft not in plan.drafts:
        return kpis
    drafts = draft_results(plan.drafts[document.draft])
    out = []
    for i, k in enumerate(kpis):
        draft = drafts.get(k.entry.kpi)
        if draft is None:  # new since the draft: as typed (no target_before: 変更無)
            out.append(k)
            continue
        if k.entry.target_before is not None:
            findings.append(
                Finding(
                    f"文書「{document.id}」の変更前は下書きの版「{document.draft}」の目標"
                    f"（{draft.target_text}）です。target_before（{k.entry.target_before}）は"
                    "使いません（どちらか一方を書いてください）",
                    ("kpis", i, "target_before"),
                )
            )
        out.append(dataclasses.replace(k, draft=draft))
    return out
