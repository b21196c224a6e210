"""The month-end plan: validate → IDs → tiers → grade history → review, planned on one model. Pure.

:func:`plan_month_end` takes the model of a workbook and returns a :class:`MonthEndPlan`: each
step's result, the findings to fix by hand, the month's review (and, in a month that closes a
quarter, the quarter's) and ONE merged :class:`~workbook_tools.changeset.Changeset`. Both doors
call it — the file job and the live job (:mod:`workbook_tools.jobs.month_end`); they differ only
in what reads the workbook and what applies the plan.

The write gate comes first: nothing is planned unless every sheet and column the steps need is
certain (:mod:`.needs`). The tiers step must see the IDs the IDs step plans: they are put into
the model (:mod:`.mirror`). When that cannot be done exactly (the ID column itself is missing),
the plan stops after the IDs with ``reread`` set: the job writes what is planned, reads the
workbook again and calls ``plan_month_end(new_model, …, resume=plan)`` for the rest (a dry run
resumes on the same model).
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..changeset import ActionResult, Changeset
from ..i18n import L, current_lang
from ..model import Finding, WorkbookModel
from .history import run_history
from .ids import run_ids
from .mirror import with_edits
from .needs import check
from .review import Period, Review, compute_review, review_json, review_result
from .tiers import run_tiers
from .validate import run_annotate, run_validate

STEPS: tuple[tuple[str, L], ...] = (
    ("validate", L("校验", "Validate")),
    ("ids", L("补客户编号", "Assign customer IDs")),
    ("tiers", L("计算等级与跟进", "Compute tiers and follow-ups")),
    ("history", L("记录等级历史", "Record the grade history")),
    ("review", L("生成月度复盘", "Build the monthly review")),
)
"""The planned steps, in order, with the label progress shows."""

# IDs-step errors that validation reports too (as DUP_ID and ID_FORMAT), at other cells
REPORTED_BY_VALIDATION = frozenset({"ID-DUPLICATE", "ID-MALFORMED"})

StepProgress = Callable[[str, bool], None]
"""``progress(step_key, finished)``: called when a step starts (False) and ends (True)."""


@dataclass(frozen=True)
class MonthEndOptions:
    """What a month end may do besides the fixed steps.

    ``annotate``: also colour problem cells and write the 校验结果 sheet (as ``wbt validate
    --annotate``); by default validation only counts its findings. ``lang``: the language of the
    generated sheets' text (default: the interface language). ``source``: the workbook's name as
    the review names it (default: the model's file name). ``now``: the time stamped on the
    validation sheet (default: the clock)."""

    annotate: bool = False
    lang: str | None = None
    source: str = ""
    now: dt.datetime | None = None


@dataclass
class PlannedStep:
    key: str
    label: L
    result: ActionResult
    seconds: float = 0.0

    @property
    def planned(self) -> int:
        """Cells, marks, notes and sheets its changeset holds."""
        return planned_count(self.result.changeset)

    @property
    def errors(self) -> int:
        return sum(1 for f in self.result.findings if f.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for f in self.result.findings if f.severity == "warning")


@dataclass
class MonthEndPlan:
    period: Period
    as_of: dt.date
    options: MonthEndOptions
    model: WorkbookModel                  # the model the last planned step saw (IDs mirrored in)
    steps: list[PlannedStep] = field(default_factory=list)
    # validation's findings, then the later steps' errors that validation did not report already
    findings: list[Finding] = field(default_factory=list)
    review: Review | None = None
    quarter: Review | None = None
    changeset: Changeset = field(default_factory=lambda: Changeset("month-end"))  # steps[done:], merged
    reread: bool = False                  # stopped after the IDs: write, read again, resume
    done: int = 0                         # steps[:done] belong to an earlier part, written before

    @property
    def errors(self) -> int:
        """Problems to fix by hand: validation's errors plus the later steps' errors it did not report."""
        return sum(1 for f in self.findings if f.severity == "error")

    @property
    def complete(self) -> bool:
        return not self.reread

    def step(self, key: str) -> PlannedStep | None:
        return next((s for s in self.steps if s.key == key), None)

    def review_json(self) -> dict[str, Any]:
        return review_json(self.review) if self.review is not None else {}

    def kpis(self) -> dict[str, Any]:
        return {k.key: k.value for k in self.review.kpis} if self.review is not None else {}


def planned_count(cs: Changeset | None) -> int:
    if not cs:
        return 0
    return len(cs.edits) + len(cs.marks) + len(cs.notes) + len(cs.add_sheets) + len(cs.remove_sheets) + \
        (len(cs.history.rows) if cs.history else 0)


def plan_month_end(model: WorkbookModel, period: str | Period, as_of: dt.date,
                   options: MonthEndOptions | None = None, *, progress: StepProgress | None = None,
                   resume: MonthEndPlan | None = None) -> MonthEndPlan:
    """Plan the month end of ``period`` (a month, ``YYYY-MM``) on ``model`` as of ``as_of``.

    Raises :class:`~workbook_tools.ops.needs.WriteRefused` before planning anything when a sheet or
    column the steps need is not certain. ``resume``: a plan that stopped after the IDs
    (``reread``); ``model`` is then the workbook read again after they were written."""
    options = options or MonthEndOptions()
    p = period if isinstance(period, Period) else Period.month(period)
    if resume is None:
        # nothing is planned, let alone written, unless every sheet and column the steps need is certain
        check(model, "month_end", *(("annotate",) if options.annotate else ()))
        plan = MonthEndPlan(p, as_of, options, model)
        _validate(plan, progress)
        if _ids(plan, progress):
            return _merge(plan)
    else:
        plan = MonthEndPlan(p, as_of, options, model, steps=list(resume.steps), findings=list(resume.findings),
                            done=len(resume.steps))
    _tiers(plan, progress)
    _history(plan, progress)
    _review(plan, progress)
    return _merge(plan)


def _run(plan: MonthEndPlan, key: str, progress: StepProgress | None, fn: Callable[[], ActionResult]) -> PlannedStep:
    if progress:
        progress(key, False)
    t = time.perf_counter()
    result = fn()
    st = PlannedStep(key, dict(STEPS)[key], result, time.perf_counter() - t)
    plan.steps.append(st)
    if key != "validate":
        flagged = {(f.sheet, f.cell) for f in plan.findings if f.severity == "error"}
        plan.findings += [f for f in result.findings if f.severity == "error" and f.code not in
                          REPORTED_BY_VALIDATION and (f.sheet, f.cell) not in flagged]
    if progress:
        progress(key, True)
    return st


def _validate(plan: MonthEndPlan, progress: StepProgress | None) -> None:
    o = plan.options
    if o.annotate:
        st = _run(plan, "validate", progress, lambda: run_annotate(plan.model, as_of=plan.as_of, now=o.now))
    else:
        st = _run(plan, "validate", progress, lambda: run_validate(plan.model, as_of=plan.as_of))
    plan.findings = list(st.result.findings)


def _ids(plan: MonthEndPlan, progress: StepProgress | None) -> bool:
    """Plan the IDs and put them into the model; True when that cannot be done exactly (reread)."""
    cs = _run(plan, "ids", progress, lambda: run_ids(plan.model, as_of=plan.as_of)).result.changeset
    if cs and cs.edits:
        # the next steps plan against the IDs about to be written
        mirrored = with_edits(plan.model, cs)
        if mirrored is None:
            plan.reread = True
            return True
        plan.model = mirrored
    return False


def _tiers(plan: MonthEndPlan, progress: StepProgress | None) -> None:
    # The review computes tiers, overdue and risk itself from input columns, so the tier values
    # planned here need not be in the model before it.
    _run(plan, "tiers", progress, lambda: run_tiers(plan.model, as_of=plan.as_of))


def _history(plan: MonthEndPlan, progress: StepProgress | None) -> None:
    # each customer's grade, stage and tiers at the month's end, only what changed (docs/review.md#grade-history);
    # the review reads the same records (ops.history.timeline), so the two agree before the write
    _run(plan, "history", progress, lambda: run_history(plan.model, str(plan.period), plan.as_of))


def _review(plan: MonthEndPlan, progress: StepProgress | None) -> None:
    o, p = plan.options, plan.period
    lang = o.lang or current_lang()
    source = o.source or plan.model.path.name
    validated = plan.step("validate")
    dq = validated.errors if validated is not None else None

    def build() -> ActionResult:
        plan.review = compute_review(plan.model, period=p, as_of=plan.as_of, source=source, findings_errors=dq)
        res = review_result(plan.review, lang=lang)
        if p.ends_quarter:  # the quarter's review too, in the same write (docs/review.md)
            plan.quarter = compute_review(plan.model, period=p.quarter_of(), as_of=plan.as_of, source=source,
                                          findings_errors=dq)
            qres = review_result(plan.quarter, lang=lang)
            assert res.changeset is not None and qres.changeset is not None
            res.changeset.extend(qres.changeset)
            m, q = res.summary or L("", ""), qres.summary or L("", "")
            res.summary = L(f"{m.zh}；{q.zh}", f"{m.en}; {q.en}")
            res.stats["quarter_sheet"] = qres.stats["sheet"]
        return res

    _run(plan, "review", progress, build)


def _merge(plan: MonthEndPlan) -> MonthEndPlan:
    merged = Changeset("month-end")
    for st in plan.steps[plan.done:]:
        if st.result.changeset:
            merged.extend(st.result.changeset)
    plan.changeset = merged
    return plan
