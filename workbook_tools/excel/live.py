"""Live mode: what a ribbon button runs, on the workbook open in Excel (through xlwings).

``run(key)`` reads the active workbook (:mod:`.xlreader`), runs the SAME pure operation as the
CLI (resolved through :mod:`workbook_tools.actions`), writes its changeset through xlwings
(:mod:`.xlapply`) with screen updating off, and ends with a short dialog in the user's
language. Any error becomes a dialog — :meth:`WbtError.render` for the problems a user can act
on, a generic message (with a log file holding the traceback) for anything unexpected — never a
traceback window. ``book=`` lets tests and scripts pass a :class:`~workbook_tools.testing.xlwings_fake.FakeBook`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import tempfile
import time
import traceback
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import actions
from ..changeset import ActionResult, Changeset
from ..errors import WbtError
from ..gcpause import collector_paused
from ..i18n import L, current_lang
from .xlapply import LiveReport, apply_live
from .xlreader import read_book

USED_API: dict[str, list[str]] = {"Books": ["active"]}
"""xlwings used here directly: ``xw.books.active`` is the data workbook (in a custom add-in,
``xw.Book.caller()`` would be the add-in itself). See tests/test_xlwings_contract.py."""

TITLE = L("CRM 工具", "CRM tools")
MAX_LISTED = 8


class NotAvailable(WbtError):
    """The action is registered but its operation is not part of this version."""


@dataclass
class LiveOutcome:
    """What one button press did (returned for tests and scripts; the user sees ``message``)."""

    action: str
    ok: bool = True
    cancelled: bool = False
    results: list[ActionResult] = field(default_factory=list)
    reports: list[LiveReport] = field(default_factory=list)
    message: str = ""
    seconds: float = 0.0
    read_seconds: float = 0.0
    op_seconds: float = 0.0
    write_seconds: float = 0.0
    files: list[str] = field(default_factory=list)  # new files an export wrote


def previous_month(today: dt.date) -> str:
    first = today.replace(day=1)
    last = first - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


def _active_book() -> Any:
    import xlwings as xw

    return xw.books.active


def _operation(act: actions.Action) -> Any:
    try:
        return actions.resolve(act)
    except (ModuleNotFoundError, AttributeError) as exc:
        raise NotAvailable(L(f"本版本暂不提供“{act.zh}”功能。", f"'{act.en}' is not available in this version."),
                           hint=L(f"请更新 workbook_tools，或在命令行使用 wbt {act.cli}（若可用）。",
                                  f"Update workbook_tools, or use 'wbt {act.cli}' on the command line if it is "
                                  "available.")) from exc


def _ask_month(app: Any, today: dt.date, lang: str) -> str | None:
    """Previous full month (default) or this month so far; None when the user cancels."""
    prev = previous_month(today)
    this = f"{today.year:04d}-{today.month:02d}"
    prompt = L(f"生成上个月（{prev}）的月度复盘？\n选“否”则生成本月（{this}，截至今天）。",
               f"Build the review of last month ({prev})?\nChoose 'No' for this month ({this}) so far.").get(lang)
    answer = app.alert(prompt, TITLE.get(lang), "yes_no_cancel")
    if answer == "cancel":
        return None
    return this if answer == "no" else prev


def _kwargs(fn: Any, *, as_of: dt.date, month: str | None, lang: str, source: str,
            now: dt.datetime | None = None) -> dict[str, Any]:
    params = inspect.signature(fn).parameters
    kw: dict[str, Any] = {}
    if "now" in params and now is not None:  # the stamp on a generated sheet = the change log's time
        kw["now"] = now
    if "as_of" in params:
        kw["as_of"] = as_of
    if "month" in params:
        kw["month"] = month
    if "lang" in params:
        kw["lang"] = lang
    if "source" in params:
        kw["source"] = source
    return kw


def _finding_lines(result: ActionResult, lang: str) -> list[str]:
    shown = [f for f in result.findings if f.severity in ("error", "warning")][:MAX_LISTED]
    lines = []
    for f in shown:
        where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
        lines.append(f"· [{where}] {f.message.get(lang)}")
    return lines


def _message(act: actions.Action, outcome: LiveOutcome, lang: str) -> str:
    lines = [act.label(lang)]
    for res in outcome.results:
        if res.summary is not None:
            lines.append(res.summary.get(lang))
    first = outcome.results[0] if outcome.results else None
    findings = [f for f in (first.findings if first else []) if f.severity in ("error", "warning")]
    n_err = sum(1 for f in findings if f.severity == "error")
    n_warn = len(findings) - n_err
    if first is not None and findings:
        if first.summary is None:
            lines.append(L(f"发现 {n_err} 个错误、{n_warn} 个警告。", f"{n_err} errors and {n_warn} warnings found.")
                         .get(lang))
        lines += _finding_lines(first, lang)
        more = n_err + n_warn - MAX_LISTED
        if more > 0:
            lines.append(L(f"……另有 {more} 条，见“校验结果”工作表或运行“标注问题单元格”。",
                           f"… {more} more: see the validation sheet or run 'Mark problem cells'.").get(lang))
    cells = sum(r.cells_written for r in outcome.reports)
    marks = sum(r.marks for r in outcome.reports)
    notes = sum(r.notes for r in outcome.reports)
    added = [n for r in outcome.reports for n in r.added]
    if cells or marks or notes or added:
        lines.append(L(f"已写入 {cells} 个单元格，标记 {marks} 个，批注 {notes} 条。",
                       f"Wrote {cells} cells, {marks} marks, {notes} notes.").get(lang))
        for name in added:
            lines.append(L(f"已生成工作表“{name}”。", f"Sheet '{name}' written.").get(lang))
    elif outcome.files:
        lines.append(L(f"已生成 {len(outcome.files)} 个文件：", f"{len(outcome.files)} files written:").get(lang))
        lines += [f"  {f}" for f in outcome.files[:MAX_LISTED]]
    elif not findings:
        lines.append(L("无需修改。", "No changes needed.").get(lang))
    lines.append(L("可在“变更日志”工作表查看修改记录；按 Ctrl+Z 不能撤销宏的修改。",
                   "The change log sheet lists every change; Ctrl+Z cannot undo a macro.").get(lang)
                 if cells or marks or notes or added else "")
    return "\n".join(x for x in lines if x)


class _Run:
    """One button press: read → operation → write, with timings."""

    def __init__(self, book: Any, outcome: LiveOutcome, *, now: dt.datetime | None, user: str | None) -> None:
        self.book, self.outcome, self.now, self.user = book, outcome, now, user

    def read(self) -> Any:
        t = time.perf_counter()
        model, _ = read_book(self.book)
        self.outcome.read_seconds += time.perf_counter() - t
        return model

    def op(self, fn: Any, model: Any, **kw: Any) -> ActionResult:
        t = time.perf_counter()
        res = fn(model, **kw)
        self.outcome.op_seconds += time.perf_counter() - t
        self.outcome.results.append(res)
        return res

    def write(self, res: ActionResult) -> bool:
        """Apply the result's changeset; True when cell values changed."""
        cs = res.changeset
        if not cs:
            return False
        t = time.perf_counter()
        self.outcome.reports.append(apply_live(self.book, cs, now=self.now, user=self.user))
        self.outcome.write_seconds += time.perf_counter() - t
        return bool(cs.edits)

    def write_all(self, results: list[ActionResult]) -> None:
        """Apply several results' changesets as one (the change log keeps each edit's action)."""
        merged = Changeset("month-end")
        for res in results:
            if res.changeset:
                merged.extend(res.changeset)
        self.write(ActionResult("month-end", changeset=merged))


def _month_end(r: _Run, *, as_of: dt.date, month: str, lang: str) -> None:
    """The month-end steps of :func:`workbook_tools.ops.month_end.run_month_end`, live: planned on
    one read, written as one changeset, so the pre-flight checks every cell before any is written."""
    from ..ops.ids import run_ids
    from ..ops.mirror import with_edits
    from ..ops.review import run_review
    from ..ops.tiers import run_tiers
    from ..ops.validate import run_annotate

    model = r.read()
    vres = r.op(run_annotate, model, as_of=as_of, now=r.now)
    errors = sum(1 for f in vres.findings if f.severity == "error")
    ires = r.op(run_ids, model, as_of=as_of)
    pending = [vres, ires]
    if ires.changeset and ires.changeset.edits:
        mirrored = with_edits(model, ires.changeset)
        if mirrored is None:  # a new ID column: write the IDs first, then read again
            r.write_all(pending)
            pending, model = [], r.read()
        else:
            model = mirrored
    pending.append(r.op(run_tiers, model, as_of=as_of))
    pending.append(r.op(run_review, model, month=month, as_of=as_of, findings_errors=errors, lang=lang,
                        source=str(r.book.name)))
    r.write_all(pending)


def run(action_key: str, *, book: Any = None, as_of: dt.date | None = None, month: str | None = None,
        now: dt.datetime | None = None, user: str | None = None, lang: str | None = None,
        ask: bool = True) -> LiveOutcome:
    """Run one registered action on the active workbook (or ``book``) and show its dialog.

    ``as_of`` defaults to today; the review month is asked (last month by default) unless
    ``month`` is given or ``ask`` is False (then last month). Never raises: errors are dialogs.
    """
    t0 = time.perf_counter()
    lang = lang or current_lang()
    outcome = LiveOutcome(action_key)
    app = None
    try:
        act = actions.get(action_key)
    except KeyError:
        act = None
    try:
        if book is None:
            book = _active_book()
        app = book.app
        if act is None:
            raise WbtError(L(f"未知的操作“{action_key}”。", f"Unknown action '{action_key}'."))
        as_of = as_of or dt.date.today()
        needs_month = act.key in ("review", "month_end")
        if needs_month and month is None:
            month = _ask_month(app, as_of, lang) if ask else previous_month(as_of)
            if month is None:
                outcome.cancelled = True
                return outcome
        fn = _operation(act) if act.key != "month_end" else None
        previous = app.screen_updating
        app.screen_updating = False
        try:
            r = _Run(book, outcome, now=now, user=user)
            if act.key == "month_end":
                with collector_paused():
                    _month_end(r, as_of=as_of, month=str(month), lang=lang)
            else:
                model = r.read()
                kw = _kwargs(fn, as_of=as_of, month=month, lang=lang, source=str(book.name), now=now)
                res = r.op(fn, model, **kw)
                r.write(res)
                if getattr(res, "exports", None):  # exports make new files beside the workbook
                    from ..ops.export import write_exports

                    outcome.files = [str(p) for p in write_exports(res, lang=lang)]
        finally:
            app.screen_updating = previous
        outcome.message = _message(act, outcome, lang)
    except WbtError as exc:
        outcome.ok = False
        outcome.message = exc.render(lang)
    except Exception as exc:  # noqa: BLE001 - a button must never show a traceback window
        outcome.ok = False
        log = _log_traceback(action_key)
        outcome.message = L(f"运行“{action_key}”时出现意外错误：{exc}\n详细信息已保存到 {log}，请发给技术支持。",
                            f"Unexpected error while running '{action_key}': {exc}\nDetails were saved to {log}; "
                            "please send them to support.").get(lang)
    outcome.seconds = time.perf_counter() - t0
    _alert(app, outcome.message, lang)
    return outcome


def _alert(app: Any, message: str, lang: str) -> None:
    if app is None:
        return
    with contextlib.suppress(Exception):  # the dialog itself failed: nothing more to show
        app.alert(message, TITLE.get(lang))


def _log_traceback(action_key: str) -> Path:
    path = Path(tempfile.gettempdir()) / "wbt-live-error.log"
    try:
        with path.open("a", encoding="utf-8") as fh:
            fh.write(f"--- {dt.datetime.now().isoformat(timespec='seconds')} {action_key}\n")
            fh.write(traceback.format_exc())
    except OSError:
        pass
    return path
