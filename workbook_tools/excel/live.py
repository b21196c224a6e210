"""Live mode: what a ribbon button runs, on the workbook open in Excel (through xlwings).

A click arrives as :func:`run_clicked` (the add-in names the workbook and the Excel instance, see
:mod:`.caller`). ``run(key, book=…)`` runs the SAME job as the command line on that workbook —
:func:`workbook_tools.jobs.action.run_action` for one action (resolved through
:mod:`workbook_tools.actions`), :func:`workbook_tools.jobs.month_end.month_end` for the month end —
through a :class:`~workbook_tools.jobs.place.BookPlace` (read with :mod:`.xlreader`, written with
:mod:`.xlapply`), with screen updating off and each step shown in Excel's status bar, and ends
with a short dialog in the user's language. Any error becomes a dialog: a refusal
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
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .. import actions
from ..changeset import ActionResult
from ..errors import WbtError, error_text
from ..i18n import L, current_lang, plural
from ..jobs.progress import Progress
from ..model import Finding
from . import caller
from .caller import decode_name, find_book, same_excel

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
    reports: list[Any] = field(default_factory=list)   # the live applier's LiveReport of each write
    message: str = ""
    seconds: float = 0.0
    read_seconds: float = 0.0
    op_seconds: float = 0.0
    write_seconds: float = 0.0
    files: list[str] = field(default_factory=list)  # new files written beside the workbook (exports, reports)
    findings: list[Finding] = field(default_factory=list)  # what the dialog lists from


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


def _finding_lines(findings: list[Finding], lang: str) -> list[str]:
    lines = []
    for f in findings[:MAX_LISTED]:
        where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
        lines.append(f"· [{where}] {f.message.get(lang)}")
    return lines


def _message(act: actions.Action, outcome: LiveOutcome, lang: str, findings: list[Finding],
             extra: Sequence[str] = ()) -> str:
    lines = [act.label(lang)]
    for res in outcome.results:
        if res.summary is not None:
            lines.append(res.summary.get(lang))
    shown = [f for f in findings if f.severity in ("error", "warning")]
    n_err = sum(1 for f in shown if f.severity == "error")
    n_warn = len(shown) - n_err
    if shown:
        if outcome.results and outcome.results[0].summary is None:
            lines.append(L(f"发现 {n_err} 个错误、{n_warn} 个警告。",
                           f"{plural(n_err, 'error')} and {plural(n_warn, 'warning')} found.").get(lang))
        lines += _finding_lines(shown, lang)
        more = len(shown) - MAX_LISTED
        if more > 0:
            lines.append(L(f"……另有 {more} 条，见“校验结果”工作表或运行“标注问题单元格”。",
                           f"… {more} more: see the validation sheet or run 'Mark problem cells'.").get(lang))
    cells = sum(r.cells_written for r in outcome.reports)
    marks = sum(r.marks for r in outcome.reports)
    notes = sum(r.notes for r in outcome.reports)
    added = [n for r in outcome.reports for n in r.added]
    if cells or marks or notes or added:
        lines.append(L(f"已写入 {cells} 个单元格，标记 {marks} 个，批注 {notes} 条。",
                       f"Wrote {plural(cells, 'cell')}, {plural(marks, 'mark')}, {plural(notes, 'note')}.").get(lang))
        for name in added:
            lines.append(L(f"已生成工作表“{name}”。", f"Sheet '{name}' written.").get(lang))
    elif outcome.files:
        lines.append(L(f"已生成 {len(outcome.files)} 个文件：", f"{plural(len(outcome.files), 'file')} written:")
                     .get(lang))
        lines += [f"  {f}" for f in outcome.files[:MAX_LISTED]]
    elif not shown:
        lines.append(L("无需修改。", "No changes needed.").get(lang))
    lines += list(extra)
    lines.append(L("可在“变更日志”工作表查看修改记录；按 Ctrl+Z 不能撤销宏的修改。",
                   "The change log sheet lists every change; Ctrl+Z cannot undo a macro.").get(lang)
                 if cells or marks or notes or added else "")
    return "\n".join(x for x in lines if x)


def _progress(show: Callable[[L], None]) -> Progress:
    """The jobs' progress, shown in Excel's status bar: each step once, as it starts."""
    seen: set[str] = set()

    def progress(key: str, done: int, total: int, label: L) -> None:
        if key not in seen:
            seen.add(key)
            show(label)

    return progress


def _single(act: actions.Action, book: Any, outcome: LiveOutcome, *, as_of: dt.date, month: str | None,
            lang: str, now: dt.datetime | None, user: str | None, show: Callable[[L], None]) -> str:
    """One action through :func:`workbook_tools.jobs.action.run_action`; returns the dialog text."""
    from ..jobs.action import run_action
    from ..jobs.place import BookPlace
    from ..ops.needs import NEEDS

    fn = actions.resolve(act)
    kw = _kwargs(fn, as_of=as_of, month=month, lang=lang, source=str(book.name), now=now)
    run = run_action(BookPlace(book, now=now, user=user), lambda model: fn(model, **kw), label=L(act.zh, act.en),
                     gate=(act.key,) if act.key in NEEDS else (), progress=_progress(show))
    outcome.results.append(run.result)
    if run.applied is not None:
        outcome.reports.append(run.applied.raw)
    outcome.read_seconds, outcome.op_seconds, outcome.write_seconds = run.read_seconds, run.op_seconds, run.write_seconds
    if getattr(run.result, "exports", None):  # exports make new files beside the workbook
        from ..writer.exports import write_exports

        outcome.files = [str(p) for p in write_exports(run.result, lang=lang)]
    outcome.findings = list(run.result.findings)
    return _message(act, outcome, lang, outcome.findings)


def _month_end(act: actions.Action, book: Any, outcome: LiveOutcome, *, as_of: dt.date, month: str, lang: str,
               now: dt.datetime | None, user: str | None, show: Callable[[L], None]) -> str:
    """The month end through the same job as ``wbt month-end`` (:mod:`workbook_tools.jobs.month_end`),
    on the open workbook: one plan, one write, the HTML report beside the saved workbook."""
    from ..jobs.month_end import month_end
    from ..jobs.place import BookPlace

    rep = month_end(BookPlace(book, now=now, user=user), month=month, as_of=as_of, lang=lang,
                    progress=_progress(show), now=now)
    assert rep.plan is not None
    outcome.results = [s.result for s in rep.plan.steps]
    outcome.reports = [a.raw for a in rep.applied]
    outcome.read_seconds = rep.read_seconds
    outcome.write_seconds = sum(s.apply_seconds for s in rep.steps)
    outcome.op_seconds = sum(s.seconds for s in rep.plan.steps)
    extra = [L(f"HTML 报告：{p}", f"HTML report: {p}").get(lang) for p in (rep.html, rep.quarter_html) if p]
    if rep.no_report:
        extra.append(L("工作簿尚未保存到文件夹，未生成 HTML 报告。",
                       "The workbook is not saved in a folder: no HTML report was written.").get(lang))
    outcome.files = [str(p) for p in (rep.html, rep.quarter_html) if p]
    outcome.findings = list(rep.findings)
    return _message(act, outcome, lang, outcome.findings, extra)


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
        if act.key in ("review", "month_end") and not month:
            from ..ops.review.period import previous_month

            month = previous_month(as_of)
        previous = app.screen_updating
        app.screen_updating = False
        try:
            with status_bar(app, lang) as show:
                door = _month_end if act.key == "month_end" else _single
                outcome.message = door(act, book, outcome, as_of=as_of, month=month, lang=lang, now=now,  # type: ignore[arg-type]
                                       user=user, show=show)
        finally:
            app.screen_updating = previous
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
