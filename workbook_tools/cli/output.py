"""What every command prints, one way: the JSON envelope, the findings, the dry-run/apply report,
consoles that never hard-wrap piped output, and exit codes.

Exit codes: 0 done and no errors in the data, 1 errors found in the data, 2 refused (the file
could not be read or safely written, a bad option; a message says why), 130 interrupted, 141 the
reader of the output went away (a closed pipe, as ``| head``).

``--json`` prints exactly one object on stdout, the same envelope for every command::

    {"command": "ids", "file": "crm.xlsx", "ok": true, "exit_code": 0,
     "summary": {"text": "…", "errors": 0, "warnings": 2, …}, …the command's own keys}

A refusal under ``--json`` is an envelope too (``"ok": false, "exit_code": 2, "error": {…}``);
the message also goes to stderr. See docs/cli.md.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

import click

from ..i18n import L, current_lang

RUN_META = "wbt.run"
OK, FOUND_ERRORS, REFUSED, INTERRUPTED, BROKEN_PIPE = 0, 1, 2, 130, 141
SEVERITY = {"error": L("错误", "error"), "warning": L("警告", "warning"), "info": L("提示", "info")}
SEV_COLOR = {"error": "bold red", "warning": "yellow", "info": "cyan"}  # rich styles
_ORDER = {"error": 0, "warning": 1, "info": 2}


# ---- what the group's error handler needs to know about the running command ---------------------
@dataclass
class RunInfo:
    command: str = ""
    file: str | None = None
    as_json: bool = False


def run_info(ctx: click.Context | None = None) -> RunInfo:
    ctx = ctx or click.get_current_context(silent=True)
    if ctx is None:
        return RunInfo()
    info = ctx.meta.get(RUN_META)
    if info is None:
        info = ctx.meta[RUN_META] = RunInfo()
    return info


def note_command(ctx: click.Context) -> None:
    names = []
    c: click.Context | None = ctx
    while c is not None and c.parent is not None:
        names.append(c.info_name or "")
        c = c.parent
    run_info(ctx).command = " ".join(reversed(names))


def note_file(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if value is not None:
        run_info(ctx).file = str(value)
    return value


def note_json(ctx: click.Context, param: click.Parameter, value: bool) -> bool:
    run_info(ctx).as_json = bool(value)
    return value


# ---- JSON --------------------------------------------------------------------------------------
def envelope(command: str | None, file: str | Path | None, *, exit_code: int, summary: dict[str, Any],
             **rest: Any) -> dict[str, Any]:
    """The one JSON shape: ``command``, ``file``, ``ok``, ``exit_code``, ``summary`` (always an
    object with ``text``), then the command's own keys."""
    info = run_info()
    return {"command": command if command is not None else info.command,
            "file": str(file) if file is not None else None, "ok": exit_code == OK, "exit_code": exit_code,
            "summary": summary, **rest}


def emit_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def counts(findings: Sequence[Any]) -> dict[str, int]:
    return {k + "s": sum(1 for f in findings if f.severity == k) for k in ("error", "warning", "info")}


def error_envelope(exc: Exception, message: str, exit_code: int, written: Sequence[tuple[Path, Path | None]]) -> None:
    """Under ``--json``, a refusal or failure is an envelope on stdout too."""
    info = run_info()
    if not info.as_json:
        return
    err: dict[str, Any] = {"type": type(exc).__name__, "message": message,
                           "written": [{"file": str(p), "backup": str(b) if b else None} for p, b in written]}
    for key in ("sheet", "cell"):
        if getattr(exc, key, None):
            err[key] = getattr(exc, key)
    hint = getattr(exc, "hint", None)
    if isinstance(hint, L):
        err["hint"] = hint.get()
    emit_json(envelope(None, info.file, exit_code=exit_code, summary={"text": message}, error=err))


# ---- consoles ----------------------------------------------------------------------------------
def console(*, stderr: bool = False) -> Any:
    """A rich console for this run. Output that is not a terminal (a file, a pipe) is never
    hard-wrapped: a path or a finding stays on one line, whatever $COLUMNS says. A closed pipe
    ends the run quietly (exit 141), not with rich's exit code 1."""
    from rich.console import Console

    class _Console(Console):
        def on_broken_pipe(self) -> None:
            self.quiet = True
            raise BrokenPipeError

    c = _Console(stderr=stderr, highlight=False)
    if not c.is_terminal:
        c = _Console(stderr=stderr, highlight=False, soft_wrap=True, width=1_000_000)
    return c


# ---- findings ----------------------------------------------------------------------------------
def finding_line(f: Any, *, markup: bool = True) -> str:
    """``[错误] 客户基本信息!K173 PHONE 联系方式…… → 请填写……`` (rich markup unless ``markup`` is False)."""
    from rich.markup import escape

    lang = current_lang()
    where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
    label = SEVERITY.get(f.severity, L(f.severity, f.severity)).get(lang)
    hint = f" → {f.hint.get(lang)}" if f.hint is not None else ""
    if not markup:
        return f"[{label}] {where} {f.code} {f.message.get(lang)}{hint}"
    colour = SEV_COLOR.get(f.severity, "white")
    return (f"[{colour}]\\[{escape(label)}][/] [bold]{escape(where)}[/] [dim]{escape(f.code)}[/] "
            f"{escape(f.message.get(lang))}" + (f" [dim]{escape(hint)}[/]" if hint else ""))


def print_findings(findings: Sequence[Any], *, limit: int = 50, con: Any = None) -> None:
    """Errors first, then warnings; notes (info) only when there is nothing else, or with
    ``limit`` 0, which shows every finding."""
    con = con or console()
    if limit <= 0:
        shown = list(findings)
    else:
        shown = [f for f in findings if f.severity != "info"] or list(findings)
    shown = sorted(shown, key=lambda f: _ORDER.get(f.severity, 3))  # stable: sheet/row order inside
    cut = shown if limit <= 0 else shown[:limit]
    for f in cut:
        con.print(finding_line(f), soft_wrap=True)
    hidden = len(findings) - len(cut)
    if hidden > 0:
        con.print(L("……另有 {n} 条未显示（--limit 0 显示全部，--json 输出完整结果）",
                    "… {n} more not shown (--limit 0 shows all, --json prints everything)").format(n=hidden).get(),
                  style="dim", soft_wrap=True)


# ---- the one dry-run / apply / print path ---------------------------------------------------------
def default_summary(result: Any) -> dict[str, Any]:
    """``summary`` of an action: its one-line text and the counts of its findings."""
    return {"text": result.summary.get() if result.summary else None, **counts(result.findings)}


def default_report(con: Any, result: Any, *, limit: int) -> None:
    """The findings, then the one-line summary."""
    print_findings(result.findings, limit=limit, con=con)
    if result.summary is not None:
        con.print(result.summary.get(), soft_wrap=True, markup=False)


def finish(run: Any, file: Path, *, as_json: bool, limit: int = 50,
           summary_of: Callable[[Any], dict[str, Any]] = default_summary,
           report_of: Callable[..., None] = default_report, **extra: Any) -> NoReturn:
    """Report an action run (:class:`workbook_tools.jobs.action.ActionRun`) and exit: 0, or 1 when
    it found errors in the data. Text: the planned changes (a dry run) or what was written, then
    ``report_of(console, result, limit=…)`` (the findings and the summary). JSON: the envelope
    (``summary_of(result)``) with ``action``, ``dry_run``, ``changes``, ``written``, ``stats``,
    ``findings`` and ``extra``."""
    result = run.result
    cs = result.changeset
    code = FOUND_ERRORS if result.errors else OK
    if as_json:
        emit_json(envelope(None, file, exit_code=code, summary=summary_of(result), action=result.action,
                           dry_run=run.dry_run, changes=cs.to_dict() if cs else None,
                           written=run.applied.to_dict() if run.applied else None, stats=result.stats,
                           findings=[f.to_dict(current_lang()) for f in result.findings], **extra))
        sys.exit(code)
    con = console()
    if cs is not None:
        con.print(cs.render(limit=20 if run.applied else 200), soft_wrap=True, markup=False)
    if run.dry_run and cs:
        con.print(L("（试运行：未写入文件）", "(dry run: nothing written)").get(), soft_wrap=True)
    elif run.applied is not None:
        backup = run.applied.backup
        con.print((L("已写入 {p}（备份：{b}）", "Written to {p} (backup: {b})") if backup else
                   L("已写入 {p}", "Written to {p}")).format(p=file, b=backup).get(), soft_wrap=True, markup=False)
    report_of(con, result, limit=limit)
    sys.exit(code)
