"""The month-end job: read → plan (:func:`workbook_tools.ops.month_end.plan_month_end`) → write
once → HTML report, for a file and for a workbook open in Excel alike (:mod:`.place`).

Every step is planned on one read of the workbook and the merged changeset is written in one
write: one pre-flight check of every cell, one backup, one change-log append (each edit logged
under the step that planned it). So a month end lands whole or not at all. When the IDs cannot
be put into the model exactly (a new ID column), the plan stops after them: they are written
first and the workbook is read again (both doors). ``dry_run`` plans every step the same way and
writes nothing. The report paths are checked and the reports rendered before the write
(:mod:`.reports`).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..gcpause import collector_paused
from ..i18n import L, plural
from ..model import WorkbookModel
from ..ops.month_end import STEPS as PLAN_STEPS
from ..ops.month_end import MonthEndOptions, MonthEndPlan, plan_month_end
from ..ops.review import Period
from ..writer.journal import one_run
from . import reports
from .place import Applied, FilePlace, Place
from .progress import READ, WRITE, Progress, Steps

STEPS: tuple[tuple[str, L], ...] = (READ, *PLAN_STEPS, WRITE, ("report", L("写出 HTML 报告", "Write the HTML report")))


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
    reread_seconds: float = 0.0   # of ``seconds``: reading the workbook again afterwards
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
    path: Path | None
    month: str
    as_of: dt.date
    dry_run: bool
    steps: list[StepReport] = field(default_factory=list)
    plan: MonthEndPlan | None = None
    applied: list[Applied] = field(default_factory=list)     # each write (two when the IDs went first)
    review_sheet: str = ""
    html: Path | None = None
    backup: Path | None = None
    reads: int = 0
    read_seconds: float = 0.0
    seconds: float = 0.0
    quarter_sheet: str = ""
    quarter_html: Path | None = None
    no_report: bool = False      # the workbook is not saved in a folder: no HTML report beside it

    @property
    def findings(self) -> list[Any]:
        """Validation's findings, then the later steps' errors that validation did not report already."""
        return self.plan.findings if self.plan else []

    @property
    def errors(self) -> int:
        return self.plan.errors if self.plan else 0

    @property
    def kpis(self) -> dict[str, Any]:
        return self.plan.kpis() if self.plan else {}

    @property
    def review(self) -> dict[str, Any]:
        """The month's review as JSON (review_json)."""
        return self.plan.review_json() if self.plan else {}

    @property
    def quarter_review(self) -> dict[str, Any] | None:
        from ..ops.review import review_json

        return review_json(self.plan.quarter) if self.plan and self.plan.quarter else None

    def step(self, key: str) -> StepReport | None:
        return next((s for s in self.steps if s.key == key), None)

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {"file": str(self.path) if self.path else None, "month": self.month, "as_of": self.as_of.isoformat(),
                "dry_run": self.dry_run, "review_sheet": self.review_sheet,
                "html": str(self.html) if self.html else None, "backup": str(self.backup) if self.backup else None,
                "errors": self.errors, "warnings": sum(s.warnings for s in self.steps), "reads": self.reads,
                "read_seconds": round(self.read_seconds, 3), "seconds": round(self.seconds, 3),
                "kpis": self.kpis, "review": self.review, "quarter_sheet": self.quarter_sheet or None,
                "quarter_html": str(self.quarter_html) if self.quarter_html else None,
                "quarter_review": self.quarter_review, "steps": [s.to_dict(lang) for s in self.steps],
                "findings": [f.to_dict(lang) for f in self.findings if f.severity in ("error", "warning")]}


def run_month_end(path: str | Path, *, month: str, as_of: dt.date | None = None, dry_run: bool = False,
                  progress: Progress | None = None, html: str | Path | None = None, annotate: bool = False,
                  templates: str | Path | None = None, lang: str | None = None, force: bool = False,
                  now: dt.datetime | None = None) -> MonthEndReport:
    """Run the month end on the workbook file at ``path`` for ``month`` (YYYY-MM).

    ``html``: where to write the HTML report (default beside the workbook; not in a dry run). An
    existing file there (and at the quarter's report beside it) is replaced only if it is this
    tool's unchanged report of the same period and workbook, or with ``force``
    (:mod:`workbook_tools.outputs`); both are checked before anything is written.
    ``annotate``: also colour problem cells and write the 校验结果 sheet (as ``wbt validate --annotate``).
    """
    return month_end(FilePlace(Path(path), now=now), month=month, as_of=as_of, dry_run=dry_run, progress=progress,
                     html=html, annotate=annotate, templates=templates, lang=lang, force=force, now=now)


def month_end(place: Place, *, month: str, as_of: dt.date | None = None, dry_run: bool = False,
              progress: Progress | None = None, html: str | Path | None = None, annotate: bool = False,
              templates: str | Path | None = None, lang: str | None = None, force: bool = False,
              now: dt.datetime | None = None) -> MonthEndReport:
    """The month end on ``place`` (a file or an open workbook); see :func:`run_month_end`. A
    workbook that is not saved in a folder gets no HTML report (``no_report``)."""
    # one run in the journal: when the IDs must be written first, undo and diff --last still go back
    # to the version from before the whole month end
    with collector_paused(), one_run():
        return _Job(place, month=month, as_of=as_of or dt.date.today(), dry_run=dry_run, progress=progress,
                    html=html, annotate=annotate, templates=templates, lang=lang, force=force, now=now).run()


class _Job:
    def __init__(self, place: Place, *, month: str, as_of: dt.date, dry_run: bool, progress: Progress | None,
                 html: str | Path | None, annotate: bool, templates: str | Path | None, lang: str | None,
                 force: bool, now: dt.datetime | None) -> None:
        self.place, self.dry_run, self.templates, self.lang = place, dry_run, templates, lang
        self.period = Period.month(month)  # a bad month fails before anything is read
        self.html, self.force = html, force
        self.steps = Steps(STEPS, progress)
        self.rep = MonthEndReport(place.path, str(self.period), as_of, dry_run)
        self.options = MonthEndOptions(annotate=annotate, lang=lang, source=place.name, now=now)

    def run(self) -> MonthEndReport:
        t0 = time.perf_counter()
        rep = self.rep
        st = self._begin("read")
        model = self._read()
        if model.format == "xls" and not self.dry_run:  # read-only: say so now, not after six steps
            from ..errors import UnreadableWorkbook
            from ..reader.safety import not_xlsx_message, xls_hint

            raise UnreadableWorkbook(not_xlsx_message(Path(self.place.name)), hint=xls_hint())
        st.stats = {k: len(model.sheets[k].df) for k in model.sheets}
        targets = self._check_reports(model.lang)   # named in the workbook's language; before any write
        self._end(st)
        plan = self._take(plan_month_end(model, self.period, rep.as_of, self.options, progress=self.steps.planner()))
        if plan.reread:  # a new ID column: write the IDs first, then read again and plan the rest
            ids = rep.step("ids")
            assert ids is not None
            self._write(plan, ids)
            if not self.dry_run:
                model = self._read(ids)
            plan = self._take(plan_month_end(model, self.period, rep.as_of, self.options,
                                             progress=self.steps.planner(), resume=plan))
        rep.plan = plan
        review = plan.step("review")
        assert review is not None
        rep.review_sheet = str(review.result.stats["sheet"])
        rep.quarter_sheet = str(review.result.stats.get("quarter_sheet", ""))
        # the reports are rendered before anything is written: a template error stops the run untouched
        outs = [reports.Output(t, reports.render(r, "html", templates=self.templates, lang=self.lang))
                for t, r in zip(targets, (plan.review, plan.quarter)) if r is not None] if targets else []
        st = self._begin("write")
        st.planned = sum(s.planned for s in rep.steps if s is not st)
        self._write(plan, st)
        if st.written:
            k = st.stats
            st.summary = L("一次写入：{n} 个单元格，{m} 处标记，{s} 个工作表；变更日志新增 {g} 行",
                           "One write: {N}, {M}, {S}; {G} added").format(
                n=k["cells_written"], m=k["marks"], s=k["sheets_added"], g=k["log_rows"],
                N=plural(k["cells_written"], "cell"), M=plural(k["marks"], "mark"), S=plural(k["sheets_added"], "sheet"),
                G=plural(k["log_rows"], "change-log row"))
        elif self.dry_run and st.planned:
            st.summary = L("试运行：以上修改都不写入", "Dry run: none of the above is written")
        self._end(st)
        st = self._begin("report")
        if outs:
            done = reports.write_outputs(outs, after_write=bool(rep.applied), redo=L(
                "工作簿的修改已完成；可用 wbt review 文件 --month {m} --html 报告.html 重新生成报告",
                "The workbook changes are done; write the report again with wbt review FILE --month {m} "
                "--html REPORT.html").format(m=rep.month))
            rep.html = done[0]
            rep.quarter_html = done[1] if len(done) > 1 else None
            st.written = True
        self._end(st)
        rep.seconds = time.perf_counter() - t0
        return rep

    # ---- steps ----------------------------------------------------------------------------------
    def _begin(self, key: str) -> StepReport:
        self.steps.start(key)
        st = StepReport(key, self.steps.label(key))
        self.rep.steps.append(st)
        st.seconds = -time.perf_counter()
        return st

    def _end(self, st: StepReport) -> None:
        st.seconds += time.perf_counter()
        self.steps.end(st.key)

    def _check_reports(self, lang: str) -> list[Any]:
        """The report targets, checked before anything is planned or written (none in a dry run,
        nor for a workbook not saved in a folder)."""
        path = self.place.path
        if path is None:
            self.rep.no_report = True
            return []
        month = str(self.period)
        report_path = Path(self.html) if self.html else reports.html_path(path, month, lang)
        specs = [(report_path, "html", month)]
        if self.period.ends_quarter:  # the quarter's report goes beside the month's
            quarter = str(self.period.quarter_of())
            specs.append((report_path.with_name(reports.html_path(path, quarter, lang).name), "html", quarter))
        targets = reports.check_outputs(specs, source=path, force=self.force)
        return [] if self.dry_run else targets

    def _read(self, st: StepReport | None = None) -> WorkbookModel:
        t = time.perf_counter()
        model = self.place.read()
        took = time.perf_counter() - t
        self.rep.reads += 1
        self.rep.read_seconds += took
        if st is not None:
            st.reread_seconds = took
            st.seconds += took
        return model

    def _take(self, plan: MonthEndPlan) -> MonthEndPlan:
        """The plan's new steps into the report, after the steps before them."""
        for ps in plan.steps[plan.done:]:
            res = ps.result
            self.rep.steps.append(StepReport(ps.key, ps.label, ps.seconds, res.summary, ps.errors, ps.warnings,
                                             ps.planned, stats={k: v for k, v in res.stats.items()
                                                                if isinstance(v, int | float | str | bool | None)}))
        return plan

    def _write(self, plan: MonthEndPlan, st: StepReport) -> None:
        """Write the changeset of the plan's new steps (not in a dry run); ``st`` is the step that writes."""
        if self.dry_run or not plan.changeset:
            return
        t = time.perf_counter()
        applied = self.place.apply(plan.changeset, plan.model)
        took = time.perf_counter() - t
        st.apply_seconds += took
        if st.key != "write":   # the IDs written ahead: their step took this long too
            st.seconds += took
        self.rep.applied.append(applied)
        for ps in plan.steps[plan.done:]:
            step = self.rep.step(ps.key)
            if step is not None and ps.result.changeset:
                step.written = True
        st.written = True
        for k in ("cells_written", "marks", "sheets_added", "log_rows"):
            st.stats[k] = st.stats.get(k, 0) + getattr(applied, k)
        if self.rep.backup is None and applied.backup is not None:
            self.rep.backup = applied.backup
