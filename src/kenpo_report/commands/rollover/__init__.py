"""Roll a branch-year over: plans/<branch>/<year-1>/ -> plans/<branch>/<year>/.

``new_year`` reads last year's files as the planner wrote them (the loader
keeps every figure as its written text) and writes one file per source file,
in the same order, under the same names:

- documents: carried; 令和N年度 in titles moves one year on; the date moves
  one year on (to be confirmed); year-specific KPI list notes are dropped; a
  cover's text is carried, to be confirmed.
- kpis: carried (ids, numbers, items, groups, page refs, notes, targets).
  Last year's actual becomes ``prior``, ``national`` becomes
  ``national_prior``, ``rank`` becomes ``prior_rank``; ``actual``,
  ``national`` and ``rank`` are written empty (``actual:  # 記入待ち…``),
  which the schema allows. A ``successor`` is followed (the entry takes the
  new id); its figures are carried only when the measure is unchanged (same
  unit and direction), since a renamed KPI that now counts the opposite
  (郵送化率 -> 窓口での受付率) has no comparable prior. Where the new
  catalogue says how the two relate (``complement_of``: 窓口での受付率 =
  100％ − 郵送化率), the prior is computed from last year's figures and marked
  to be confirmed; otherwise it is left 記入待ち. A KPI the new catalogue no
  longer has is dropped, with a notice.
- ``target: 対前年度`` is kept as the rule, not replaced by a number: the
  planner's intent is "beat last year", and the pipeline resolves it from
  ``prior`` (and from last year's file), so the document shows the figure.
  The resolved figure is written beside it as a comment. Typed statements
  and labels of such a KPI that contain last year's figure are dropped (the
  generated statement takes over); the old text stays as a comment.
- measures: every measure is carried in place (id, section, number, heading,
  title, group, KPIs, 【重要度】【困難度】, its own KPI wording ``statements``,
  dropped with a notice when one of its KPIs is gone). Last year's 次年度の計画
  (``next_plan``) becomes this year's ``plan``, item by item (paragraphs,
  headings, bullets, table rows), to be confirmed (確認); it was written last
  year about this year, so its years are not moved. Without one (岩手 and
  茨城 write none; a plan-only year like 福島's has none) last year's plan is
  carried as the draft, to be confirmed (確認).
  ``results`` is written empty (記入待ち) where the branch reports its year,
  and ``evaluation`` too (記入待ち: grade) where it writes a self-evaluation.
  What ``new`` lists as 記入待ち is what ``check`` lists (compute.pending): the
  places the data leaves empty, so ``check`` goes on listing each until it is
  filled. Last year's figures, prior_results, results, issues, evaluations
  and activities are not carried.
- citations: a carried text citing a named figure of last year (gone with its
  results) gets the figure as last year printed it, marked 確認; a date of
  the past year (令和7年3月末時点) is marked too, and so are, in text that
  was last year's own (a 次年度の計画, a section's text), a KPI citation (it
  now gives this year's figure) and 昨年度 / 次年度 (written from last year).
- sections: titles and headings move one year on; the intro is carried, its
  citations as above. Body text keeps its years (令和6年度中に… is a fact).
- pages (appendices that are not measures): carried as a skeleton (id,
  section, title, group, headings, 事業計画 boxes, the KPI-driven blocks:
  kpi_box, formula, comparison, tables that show KPI fields). Last year's
  results (text, tables, charts, calendars, inserts, evaluations) are left
  out. Text under a heading or column naming the next year (令和7年度の計画 /
  取組) is last year's plan for this year: it moves to the section naming
  this year (it was 令和6年度の取組, now 令和7年度の取組), and the next-year
  section starts empty.

Everything still to write is returned as a list of ``Todo`` items with the
file:line:col of the new files. The files are written to a staging folder
and renamed into place; an existing year folder is never touched.

A branch with no year yet gets its first year from the catalogue instead
(``first_year``: every KPI to fill in, one example measure per category).

Modules: ``inputs`` (what a rollover starts from), ``first_year`` (a new branch), ``files`` (which files are
written, and how), ``documents``, ``kpis``, ``measures``, ``pages`` (the parts
of a file), ``citations`` (texts tied to the past year), ``era`` (令和N年度 and
dates), ``context`` (the run and its to-do markers), ``yaml_writer`` (the YAML
text, with comments).
"""

from __future__ import annotations

from kenpo_report.build import pipeline
from kenpo_report.commands.rollover import files, first_year, inputs
from kenpo_report.commands.rollover.context import (
    CONFIRM,
    NOTICE,
    TODO,
    RolloverResult,
    Todo,
    checked,
)
from kenpo_report.commands.rollover.era import next_date, shift_era
from kenpo_report.commands.rollover.yaml_writer import Note, dump, iter_todos, plain, scalar
from kenpo_report.errors import UserError
from kenpo_report.project import Project, check_branch

__all__ = [
    "CONFIRM",
    "NOTICE",
    "TODO",
    "Note",
    "RolloverResult",
    "Todo",
    "dump",
    "iter_todos",
    "new_year",
    "next_date",
    "plain",
    "scalar",
    "shift_era",
]


def new_year(project: Project, branch: str, year: int, name: str | None = None) -> RolloverResult:
    """Create plans/<branch>/<year>/ from the previous year, or, for a branch with no
    year yet, its first year from the catalogue (first_year; *name*: a new branch's
    name, for its branch.yaml). Never overwrites."""
    check_branch(branch)
    inputs.not_made_yet(project, branch, year)
    target = project.year_dir(branch, year)
    if inputs.first_year(project, branch, year, name):
        written, todos = first_year.new_branch_year(project, branch, year, name)
        result = RolloverResult(target, written)
    else:
        sources = inputs.source_files(project, branch, year)
        ctx = inputs.context(project, branch, year)
        outputs = files.new_files(project, ctx, branch, sources)
        todos = files.todos(project.relative(target), outputs)
        written = files.write(target, {n: text for n, (text, _) in outputs.items()})
        result = RolloverResult(target, written, list(ctx.notices))
    try:
        problems = pipeline.check(project, branch, year)
    except UserError as exc:
        problems = exc.problems
    checked(result, problems, todos)  # its 記入待ち are the places check lists
    return result
