"""``wbt ids``: fill empty customer IDs (YYYY-CODE-NNN) and fill IDs into log/complaint rows by name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..changeset import ActionResult
from ..i18n import current_lang, tr
from ..model import Finding, WorkbookModel
from ..ops.ids import run_ids
from .common import (
    apply_result,
    as_date,
    as_of_option,
    dry_run_option,
    emit_json,
    exit_for,
    file_argument,
    json_option,
    read_for_writing,
)

_SEVERITY = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}


def print_findings(findings: list[Finding], *, err: bool = False, limit: int = 50) -> None:
    """One line per finding: severity, sheet!cell, message (hint); errors first."""
    lang = current_lang()
    order = {"error": 0, "warning": 1, "info": 2}
    shown = sorted(findings, key=lambda x: order.get(x.severity, 3))
    for fd in shown[:limit]:
        sev = _SEVERITY.get(fd.severity, (fd.severity, fd.severity))[lang == "en"]
        where = f"{fd.sheet}!{fd.cell}" if fd.cell else fd.sheet
        hint = f"（{fd.hint.get(lang)}）" if fd.hint and lang != "en" else (f" ({fd.hint.get(lang)})" if fd.hint else "")
        click.echo(f"[{sev}] {where} {fd.message.get(lang)}{hint}", err=err)
    if len(shown) > limit:
        click.echo(tr("……另有 {n} 条", "… {n} more", n=len(shown) - limit), err=err)


def finish(file: Path, result: ActionResult, *, model: WorkbookModel, dry_run: bool, as_json: bool) -> None:
    """Dry run or apply, print (text or JSON), exit 1 when errors were found."""
    out = apply_result(file, result, model=model, dry_run=dry_run, as_json=as_json)
    if as_json:
        emit_json(out)
    else:
        print_findings(result.findings)
        if result.summary is not None:
            click.echo(result.summary.get())
    exit_for(result)


@click.command("ids")
@file_argument
@as_of_option
@dry_run_option
@json_option
def ids_cmd(file: Path, as_of: dt.datetime | None, dry_run: bool, as_json: bool) -> None:
    """生成客户编号（年份-行业代码-序号）/ assign customer IDs (year-code-number)."""
    model = read_for_writing(file, "ids")
    result = run_ids(model, as_of=as_date(as_of))
    if dry_run and as_json:
        cs = result.changeset
        planned = cs.to_dict()["edits"] if cs else []
        emit_json([{k: e[k] for k in ("sheet", "cell", "old", "new")} for e in planned])
        print_findings(result.findings, err=True)
        exit_for(result)
        return
    finish(file, result, model=model, dry_run=dry_run, as_json=as_json)


commands = [ids_cmd]
