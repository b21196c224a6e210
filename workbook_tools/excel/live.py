"""Live mode: what a ribbon button runs, on the workbook open in Excel (through xlwings).

A click arrives as :func:`run_clicked` (the add-in names the workbook and the Excel instance, see
:mod:`.caller`). ``run(key, book=…)`` reads that workbook (:mod:`.xlreader`), runs the SAME pure
operation as the CLI (resolved through :mod:`workbook_tools.actions`), writes its changeset
through xlwings (:mod:`.xlapply`) with screen updating off and the step shown in Excel's status
bar, and ends with a short dialog in the user's language. Any error becomes a dialog: a refusal
shows the very text the CLI prints (``错误：`` + :meth:`WbtError.render`), anything unexpected a
generic message with a log file holding the traceback; never a traceback window. Tests and
scripts pass a :class:`~workbook_tools.testing.xlwings_fake.FakeBook` as ``book``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import inspect
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import actions
from ..changeset import ActionResult, Changeset
from ..errors import WbtError, error_text
from ..gcpause import collector_paused
from ..i18n import L, current_lang
from . import caller
from .caller import decode_name, find_book, same_excel
from .xlapply import LiveReport, apply_live
from .xlreader import read_book

USED_API: dict[str, list[str]] = {"Books": ["active"], "App": ["status_bar"]}
"""xlwings used here directly (see tests/test_xlwings_contract.py). A click names its workbook
(:mod:`.caller`); ``xw.books.active`` is only for a script that calls :func:`run` without a book."""

TITLE = L("CRM 工具", "CRM tools")
MAX_LISTED = 8


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


def _xlwings_apps() -> Iterable[Any]:
    import xlwings as xw

    return xw.apps


@contextlib.contextmanager
def status_bar(app: Any, lang: str) -> Iterator[Callable[[L], None]]:
    """``show(text)`` puts "CRM 工具：<text>…" in Excel's status bar; the bar is given back as it was."""
    try:
        previous = app.status_bar
    except Exception:  # noqa: BLE001 - an Excel that cannot tell: give the bar back to Excel
        previous = False

    def show(text: L) -> None:
        with contextlib.suppress(Exception):  # progress must never fail a run
            app.status_bar = f"{TITLE.get(lang)}: {text.get(lang)}…"

    try:
        yield show
    finally:
        with contextlib.suppress(Exception):
            app.status_bar = previous


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


READING = L("正在读取工作簿", "reading the workbook")
WRITING = L("正在写入工作簿", "writing the workbook")


class _Run:
    """One button press: read → operation → write, with timings and the step in the status bar."""

    def __init__(self, book: Any, outcome: LiveOutcome, *, now: dt.datetime | None, user: str | None,
                 show: Callable[[L], None]) -> None:
        self.book, self.outcome, self.now, self.user, self.show = book, outcome, now, user, show

    def read(self) -> Any:
        self.show(READING)
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
        self.show(WRITING)
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
    from ..ops.month_end import STEPS
    from ..ops.needs import check
    from ..ops.review import run_review
    from ..ops.tiers import run_tiers
    from ..ops.validate import run_annotate

    step = dict(STEPS)
    model = r.read()
    check(model, "month_end", "annotate")   # the write gate: refused before planning when unsure
    r.show(step["validate"])
    vres = r.op(run_annotate, model, as_of=as_of, now=r.now)
    errors = sum(1 for f in vres.findings if f.severity == "error")
    r.show(step["ids"])
    ires = r.op(run_ids, model, as_of=as_of)
    pending = [vres, ires]
    if ires.changeset and ires.changeset.edits:
        mirrored = with_edits(model, ires.changeset)
        if mirrored is None:  # a new ID column: write the IDs first, then read again
            r.write_all(pending)
            pending, model = [], r.read()
        else:
            model = mirrored
    r.show(step["tiers"])
    pending.append(r.op(run_tiers, model, as_of=as_of))
    r.show(step["review"])
    pending.append(r.op(run_review, model, month=month, as_of=as_of, findings_errors=errors, lang=lang,
                        source=str(r.book.name)))
    r.write_all(pending)


def run(action_key: str, *, book: Any = None, as_of: dt.date | None = None, month: str | None = None,
        now: dt.datetime | None = None, user: str | None = None, lang: str | None = None) -> LiveOutcome:
    """Run one registered action on ``book`` (default: the active workbook) and show its dialog.

    ``as_of`` defaults to today, ``month`` (review, month end) to last month: the add-in asks the
    user for it before calling. Never raises: errors are dialogs.
    """
    t0 = time.perf_counter()
    lang = lang or current_lang()
    outcome = LiveOutcome(action_key)
    app = None
    try:
        if book is None:
            book = _active_book()
        app = book.app
        try:
            act = actions.get(action_key)
        except KeyError:
            raise WbtError(L(f"未知的操作“{action_key}”。", f"Unknown action '{action_key}'.")) from None
        as_of = as_of or dt.date.today()
        if act.key in ("review", "month_end"):
            month = month or previous_month(as_of)
        fn = actions.resolve(act) if act.key != "month_end" else None
        previous = app.screen_updating
        app.screen_updating = False
        try:
            with status_bar(app, lang) as show:
                r = _Run(book, outcome, now=now, user=user, show=show)
                if act.key == "month_end":
                    with collector_paused():
                        _month_end(r, as_of=as_of, month=str(month), lang=lang)
                else:
                    model = r.read()
                    from ..ops.needs import NEEDS, check
                    if act.key in NEEDS:  # an action that writes: refused before planning when unsure
                        check(model, act.key)
                    show(L(act.zh, act.en))
                    kw = _kwargs(fn, as_of=as_of, month=month, lang=lang, source=str(book.name), now=now)
                    res = r.op(fn, model, **kw)
                    r.write(res)
                    if getattr(res, "exports", None):  # exports make new files beside the workbook
                        from ..writer.exports import write_exports

                        outcome.files = [str(p) for p in write_exports(res, lang=lang)]
        finally:
            app.screen_updating = previous
        outcome.message = _message(act, outcome, lang)
    except WbtError as exc:
        outcome.ok = False
        outcome.message = error_text(exc, lang)
    except Exception as exc:  # noqa: BLE001 - a button must never show a traceback window
        outcome.ok = False
        log = _log_traceback(action_key)
        outcome.message = L(f"运行“{action_key}”时出现意外错误：{exc}\n详细信息已保存到 {log}，请发给技术支持。",
                            f"Unexpected error while running '{action_key}': {exc}\nDetails were saved to {log}; "
                            "please send them to support.").get(lang)
    outcome.seconds = time.perf_counter() - t0
    _alert(app, outcome.message, lang)
    return outcome


def run_clicked(action_key: str, *, book: str, hwnd: int | None = None, month: str | None = None,
                apps: Iterable[Any] | None = None, **kw: Any) -> LiveOutcome | None:
    """A ribbon click: ``book`` is the hex-coded FullName of the workbook clicked from, ``hwnd`` the
    Excel window it lives in (:mod:`.caller`). A book that cannot be found is a refusal shown in
    that Excel; with no Excel to show it in, the message goes to xlwings (stderr, exit code 2),
    which shows it in a message box."""
    lang = kw.get("lang") or current_lang()
    pool = list(apps if apps is not None else _xlwings_apps())
    pid = caller.window_pid(hwnd)
    try:
        target = find_book(pool, decode_name(book), hwnd, pid)
    except WbtError as exc:
        message = error_text(exc, lang)
        app = next((a for a in pool if hwnd and same_excel(a, hwnd, pid)), None)
        if app is None:
            raise SystemExit(message) from None
        _alert(app, message, lang)
        return None
    return run(action_key, book=target, month=month or None, **kw)


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
