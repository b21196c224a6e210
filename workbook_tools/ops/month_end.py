"""The month-end run: validate → IDs → tiers → review, in one go.

This one function touches files, because it orchestrates the appliers: each step is the same
pure operation the single commands run. The steps are planned on one read of the workbook and
their changesets are written together at the end, in one write: one pre-flight check of every
cell, one backup, one change-log append (each edit logged under the step that planned it). So
a month end lands whole or not at all. The tiers step must see the IDs the IDs step plans;
they are put into the in-memory model (:mod:`.mirror`), or, when that cannot be done exactly
(the ID column itself is missing), written first and the workbook read again.
``dry_run`` plans every step the same way and writes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..changeset import ActionResult, Changeset
from ..errors import PartialWrite, WbtError
from ..gcpause import collector_paused
from ..i18n import L
from ..model import WorkbookModel
from .mirror import with_edits
from .needs import check

Progress = Callable[[str, int, int, str], None]
"""progress(step_key, done, total, label): called at the start and end of each step."""

STEPS: tuple[tuple[str, L], ...] = (
    ("read", L("读取工作簿", "Read the workbook")),
    ("validate", L("校验", "Validate")),
    ("ids", L("补客户编号", "Assign customer IDs")),
    ("tiers", L("计算等级与跟进", "Compute tiers and follow-ups")),
    ("review", L("生成月度复盘", "Build the monthly review")),
    ("write", L("写入工作簿", "Write the workbook")),
    ("report", L("写出 HTML 报告", "Write the HTML report")),
)


@dataclass
class StepReport:
    key: str
    label: L
    seconds: float = 0.0
    summary: L | None = None
    errors: int = 0
    warnings: int = 0
    planned: int = 0            # cells, marks and sheets the changeset holds
    written: bool = False
    apply_seconds: float = 0.0    # of ``seconds``: writing the changeset
    reread_seconds: float = 0.0   # of ``seconds``: reading the file again afterwards
    stats: dict[str, Any] = field(default_factory=dict)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        d = asdict(self)
        d["label"] = self.label.get(lang)
        d["summary"] = self.summary.get(lang) if self.summary else None
        for k in ("seconds", "apply_seconds", "reread_seconds"):
            d[k] = round(d[k], 3)
        return d


@dataclass
class MonthEndReport:
    path: Path
    month: str
    as_of: dt.date
    dry_run: bool
    steps: list[StepReport] = field(default_factory=list)
    review_sheet: str = ""
    html: Path | None = None
    backup: Path | None = None
    reads: int = 0
    read_seconds: float = 0.0
    seconds: float = 0.0
    # validation's findings, then the later steps' errors that validation did not report already
    findings: list[Any] = field(default_factory=list)
    kpis: dict[str, Any] = field(default_factory=dict)
    review: dict[str, Any] = field(default_factory=dict)      # the month's review as JSON (review_json)
    # a month that closes a quarter (03, 06, 09, 12) also builds that quarter's review
    quarter_sheet: str = ""
    quarter_html: Path | None = None
    quarter_review: dict[str, Any] | None = None

    @property
    def errors(self) -> int:
        """Problems to fix by hand: validation's errors, plus the later steps' errors it did not
        report already (see ``findings``)."""
        return sum(1 for f in self.findings if f.severity == "error")

    def step(self, key: str) -> StepReport | None:
        return next((s for s in self.steps if s.key == key), None)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {"file": str(self.path), "month": self.month, "as_of": self.as_of.isoformat(), "dry_run": self.dry_run,
                "review_sheet": self.review_sheet, "html": str(self.html) if self.html else None,
                "backup": str(self.backup) if self.backup else None, "errors": self.errors, "reads": self.reads,
                "read_seconds": round(self.read_seconds, 3), "seconds": round(self.seconds, 3),
                "kpis": self.kpis, "review": self.review, "quarter_sheet": self.quarter_sheet or None,
                "quarter_html": str(self.quarter_html) if self.quarter_html else None,
                "quarter_review": self.quarter_review, "steps": [s.to_dict(lang) for s in self.steps]}


# IDs-step errors that validation reports too (as DUP_ID and ID_FORMAT), at other cells
REPORTED_BY_VALIDATION = frozenset({"ID-DUPLICATE", "ID-MALFORMED"})


def _planned(cs: Changeset | None) -> int:
    if not cs:
        return 0
    return len(cs.edits) + len(cs.marks) + len(cs.notes) + len(cs.add_sheets) + len(cs.remove_sheets)


def html_path(path: Path, period: str) -> Path:
    """Where month-end writes the HTML report: beside the workbook, ``<name>_<YYYY-MM>_月度复盘.html``
    (``<name>_<YYYY-Qn>_季度复盘.html`` for the quarter)."""
    from .review import sheet_name

    return path.with_name(f"{path.stem}_{sheet_name(period).replace(' ', '_')}.html")


def run_month_end(path: str | Path, *, month: str, as_of: dt.date | None = None, dry_run: bool = False,
                  progress: Progress | None = None, html: str | Path | None = None, annotate: bool = False,
                  templates: str | Path | None = None, lang: str | None = None, force: bool = False) -> MonthEndReport:
    """Run the month end on the workbook at ``path`` for ``month`` (YYYY-MM).

    ``html``: where to write the HTML report (default beside the workbook; not in a dry run). An
    existing file there (and at the quarter's report beside it) is replaced only if it is this
    tool's unchanged report of the same period and workbook, or with ``force``
    (:mod:`workbook_tools.outputs`); both are checked before anything is written.
    ``annotate``: also colour problem cells and write the 校验结果 sheet (as ``wbt validate --annotate``);
    by default validation only counts its findings, like ``wbt validate``.
    """
    with collector_paused():
        return _run(Path(path), month=month, as_of=as_of, dry_run=dry_run, progress=progress, html=html,
                    annotate=annotate, templates=templates, lang=lang, force=force)


def _run(path: Path, *, month: str, as_of: dt.date | None, dry_run: bool, progress: Progress | None,
         html: str | Path | None, annotate: bool, templates: str | Path | None, lang: str | None,
         force: bool) -> MonthEndReport:
    from .. import outputs
    from ..reader import read_workbook
    from ..report import render_report
    from ..writer import apply_plan
    from .ids import run_ids
    from .review import Period, compute_review, review_json, review_result
    from .tiers import run_tiers
    from .validate import run_annotate, run_validate

    t_all = time.perf_counter()
    as_of = as_of or dt.date.today()
    period = Period.month(month)  # a bad month fails before anything is read
    report_path = Path(html) if html else html_path(path, month)
    reports = [(report_path, "report-html", outputs.source_key(path, str(period)))]
    if period.ends_quarter:  # the quarter's report goes beside the month's
        qname = str(period.quarter_of())
        reports.append((report_path.with_name(html_path(path, qname).name), "report-html", outputs.source_key(path, qname)))
    report_targets = outputs.plan_all(reports, source=path, force=force)
    rep = MonthEndReport(path=path, month=month, as_of=as_of, dry_run=dry_run)
    total = len(STEPS)
    labels = dict(STEPS)

    def begin(key: str) -> StepReport:
        if progress:
            progress(key, [k for k, _ in STEPS].index(key), total, labels[key].get(lang))
        st = StepReport(key, labels[key])
        rep.steps.append(st)
        st.seconds = -time.perf_counter()
        return st

    def end(st: StepReport) -> None:
        st.seconds += time.perf_counter()
        if progress:
            progress(st.key, [k for k, _ in STEPS].index(st.key) + 1, total, labels[st.key].get(lang))

    def read(st: StepReport | None = None) -> WorkbookModel:
        t = time.perf_counter()
        model = read_workbook(path)
        took = time.perf_counter() - t
        rep.reads += 1
        rep.read_seconds += took
        if st is not None:
            st.reread_seconds = took
        return model

    pending: list[tuple[StepReport, Changeset]] = []   # planned, not yet written

    def plan(st: StepReport, result: ActionResult) -> Changeset | None:
        """Take the step's result into the report; its changeset waits to be written with the others."""
        st.summary = result.summary
        st.stats = {k: v for k, v in result.stats.items() if isinstance(v, int | float | str | bool | None)}
        st.errors = sum(1 for f in result.findings if f.severity == "error")
        st.warnings = sum(1 for f in result.findings if f.severity == "warning")
        if st.key != "validate":
            flagged = {(f.sheet, f.cell) for f in rep.findings if f.severity == "error"}
            rep.findings += [f for f in result.findings if f.severity == "error" and f.code not in
                             REPORTED_BY_VALIDATION and (f.sheet, f.cell) not in flagged]
        cs = result.changeset
        st.planned = _planned(cs)
        if cs and not dry_run:
            pending.append((st, cs))
        return cs

    def flush(st: StepReport) -> None:
        """Write every pending changeset as one: one pre-flight, one backup, one change-log append."""
        if not pending:
            return
        merged = Changeset("month-end")
        for _, cs in pending:
            merged.extend(cs)
        t = time.perf_counter()
        report = apply_plan(path, merged, model)  # all pending steps were planned on this read
        st.apply_seconds += time.perf_counter() - t
        for step, _ in pending:
            step.written = bool(report.written)
        st.written = bool(report.written)
        for k in ("cells_written", "marks", "sheets_added", "log_rows"):
            st.stats[k] = st.stats.get(k, 0) + getattr(report, k)
        if rep.backup is None and report.backup is not None:
            rep.backup = report.backup
        pending.clear()

    st = begin("read")
    model = read()
    st.stats = {k: len(model.sheets[k].df) for k in model.sheets}
    # nothing is planned, let alone written, unless every sheet and column the steps need is certain
    check(model, "month_end", *(("annotate",) if annotate else ()))
    end(st)

    st = begin("validate")
    vres = (run_annotate if annotate else run_validate)(model, as_of=as_of)
    rep.findings = list(vres.findings)
    plan(st, vres)
    dq_errors = sum(1 for f in vres.findings if f.severity == "error")
    end(st)

    st = begin("ids")
    ids_cs = plan(st, run_ids(model, as_of=as_of))
    if ids_cs and ids_cs.edits:
        # The next steps plan against the IDs about to be written: put them into the model when
        # that can be done exactly; otherwise (a new ID column) write now and read again.
        mirrored = with_edits(model, ids_cs)
        if mirrored is not None:
            model = mirrored
        elif not dry_run:
            flush(st)
            model = read(st)
    end(st)

    st = begin("tiers")
    # The review computes tiers, overdue and risk itself from input columns, so the tier values
    # planned here need not be in the model before it.
    plan(st, run_tiers(model, as_of=as_of))
    end(st)

    st = begin("review")
    review = compute_review(model, period=period, as_of=as_of, source=path.name, findings_errors=dq_errors)
    rres = review_result(review, lang=lang)
    rep.review_sheet = str(rres.stats["sheet"])
    rep.kpis = {k.key: k.value for k in review.kpis}
    rep.review = review_json(review)
    quarter = None
    if period.ends_quarter:  # the quarter's review too, in the same write (docs/review.md)
        quarter = compute_review(model, period=period.quarter_of(), as_of=as_of, source=path.name,
                                 findings_errors=dq_errors)
        qres = review_result(quarter, lang=lang)
        rres.changeset.extend(qres.changeset)
        m, q = rres.summary or L("", ""), qres.summary or L("", "")
        rres.summary = L(f"{m.zh}；{q.zh}", f"{m.en}; {q.en}")
        rep.quarter_sheet = str(qres.stats["sheet"])
        rep.quarter_review = review_json(quarter)
    plan(st, rres)
    end(st)

    # the reports are rendered before anything is written: a template error stops the run untouched
    htmls = [] if dry_run else [render_report(r, "html", templates_dir=templates, lang=lang)
                                for r in (review, quarter) if r is not None]
    st = begin("write")
    st.planned = sum(s.planned for s in rep.steps if s is not st)
    flush(st)
    if st.written:
        k = st.stats
        st.summary = L("一次写入：{n} 个单元格，{m} 处标记，{s} 个工作表；变更日志新增 {g} 行",
                       "One write: {n} cells, {m} marks, {s} sheets; {g} change-log rows added").format(
            n=k["cells_written"], m=k["marks"], s=k["sheets_added"], g=k["log_rows"])
    elif dry_run and st.planned:
        st.summary = L("试运行：以上修改都不写入", "Dry run: none of the above is written")
    end(st)

    st = begin("report")
    if not dry_run:
        done: list[Path] = []
        for target, text in zip(report_targets, htmls):
            try:
                done.append(outputs.write_text(target, text))
            except (OSError, WbtError) as exc:  # the workbook is written already: say so (the CLI adds what)
                why = exc.render(lang) if isinstance(exc, WbtError) else (exc.strerror or str(exc))
                raise PartialWrite(L("HTML 报告 {h} 无法写出（{e}）。", "The HTML report {h} could not be written ({e}).")
                                   .format(h=target.given, e=why),
                                   hint=L("工作簿的修改已完成；可用 wbt review 文件 --month {m} --html 报告.html 重新生成报告",
                                          "The workbook changes are done; write the report again with "
                                          "wbt review FILE --month {m} --html REPORT.html").format(m=month)) from exc
        rep.html = done[0]
        rep.quarter_html = done[1] if len(done) > 1 else None
        st.written = True
    end(st)
    rep.seconds = time.perf_counter() - t_all
    return rep
