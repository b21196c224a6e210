"""``wbt validate``: check the workbook before month-end; ``wbt rules``: list the rules."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click

from ..changeset import ActionResult
from ..i18n import L, current_lang, tr
from .common import read_model
from .output import OK, SEV_COLOR, SEVERITY, console, emit_json, envelope, finish, print_findings
from .params import (
    as_date,
    as_of_option,
    command,
    dry_run_option,
    file_argument,
    json_option,
    limit_option,
    option,
)

LARGE_ROWS = 5000


def validation_summary(result: ActionResult) -> dict[str, Any]:
    """The documented summary: counts, by rule, by sheet, rows, rules run (see docs/validate.md)."""
    lang = current_lang()
    st = result.stats
    from ..ops.validate import RULES
    return {
        "text": result.summary.get(lang) if result.summary else None,
        "errors": st["errors"], "warnings": st["warnings"], "infos": st["infos"], "total": st["total"],
        "by_rule": {code: {**c, "title": RULES[code].title.get(lang) if code in RULES else code}
                    for code, c in st["by_code"].items()},
        "by_sheet": st["by_sheet"], "rows": st["rows"], "rules_run": st["rules_run"], "rules_off": st["rules_off"],
    }


def validation_json(file: Path, result: ActionResult) -> dict[str, Any]:
    """``wbt validate --json`` for a result: the envelope with ``as_of``, ``summary`` and ``findings``."""
    return envelope("validate", file, exit_code=1 if result.errors else OK, summary=validation_summary(result),
                    as_of=result.stats["as_of"], findings=[f.to_dict(current_lang()) for f in result.findings])


def print_report(con: Any, result: ActionResult, *, limit: int) -> None:
    """Summary by rule and by sheet, then the findings (sheet!cell, coloured by severity)."""
    from rich.table import Table

    from ..ops.validate import RULES
    st = result.stats
    if st["by_code"]:
        t = Table(title=tr("按规则汇总", "By rule"), title_justify="left")
        for h, right in ((L("规则代码", "Code"), False), (L("规则", "Rule"), False), (L("错误", "Errors"), True),
                         (L("警告", "Warnings"), True), (L("提示", "Info"), True)):
            t.add_column(h.get(), justify="right" if right else "left")
        for code, c in sorted(st["by_code"].items(), key=lambda kv: (-kv[1]["error"], -kv[1]["warning"], kv[0])):
            t.add_row(code, RULES[code].title.get() if code in RULES else code, _n(c["error"], "error"),
                      _n(c["warning"], "warning"), _n(c["info"], "info"))
        con.print(t)
        t = Table(title=tr("按工作表汇总", "By sheet"), title_justify="left")
        for h, right in ((L("工作表", "Sheet"), False), (L("行数", "Rows"), True), (L("错误", "Errors"), True),
                         (L("警告", "Warnings"), True), (L("提示", "Info"), True)):
            t.add_column(h.get(), justify="right" if right else "left")
        for sheet, c in st["by_sheet"].items():
            rows = st["rows"].get(sheet)
            t.add_row(sheet, "" if rows is None else str(rows), _n(c["error"], "error"), _n(c["warning"], "warning"),
                      _n(c["info"], "info"))
        con.print(t)
    print_findings(result.findings, limit=limit, con=con)
    if result.summary is not None:
        style = "bold red" if st["errors"] else "yellow" if st["warnings"] else "bold green"
        con.print(result.summary.get(), style=style, soft_wrap=True, markup=False)


def _n(n: int, sev: str) -> str:
    return f"[{SEV_COLOR[sev]}]{n}[/]" if n else "[dim]0[/]"


@command("validate", help=L("月底前批量校验工作簿（退出码 0 无错误，1 有错误，2 无法读取）；也可给一个文件夹",
                            "Validate the workbook (exit 0 clean, 1 errors, 2 unreadable); a folder works too"))
@file_argument
@as_of_option
@json_option
@option("--annotate", is_flag=True, help=L("给问题单元格上底色，并写入“校验结果”表（可重复运行）",
                                          "Colour the problem cells and write the validation sheet (re-runnable)"))
@option("--rules", "rules", default=None, metavar="CODES",
        help=L("只运行这些规则：规则代码、规则组或通配符，逗号分隔，如 DUP_*,xref",
               "Run only these rules: codes, families or patterns, comma-separated, e.g. DUP_*,xref"))
@limit_option(200)
@dry_run_option
def validate_cmd(file: Path, as_of: dt.date | None, as_json: bool, annotate: bool, rules: str | None,
                 limit: int, dry_run: bool) -> None:
    from ..jobs.action import run_action
    from ..jobs.place import FilePlace
    from ..ops.validate import run_annotate, run_validate, select_rules

    if file.is_dir():  # a folder: every workbook in it, each in a process of its own
        from .folder import folder_command
        sys.exit(folder_command(file, "validate", as_of=as_date(as_of), as_json=as_json))
    err = console(stderr=True)
    select_rules(rules)  # unknown codes: a message and exit 2 before reading a large file
    with err.status(tr("正在读取 {f} …", "Reading {f} …", f=file.name)):
        model = read_model(file)
    from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn

    large = sum(s.n_rows for s in model.sheets.values()) >= LARGE_ROWS
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=err, transient=True, disable=not large or not err.is_terminal) as prog:
        task = prog.add_task(tr("校验", "Checking"), total=None)

        def progress(i: int, n: int, code: str) -> None:
            prog.update(task, completed=i, total=n, description=tr("校验 {c}", "Checking {c}", c=code))

        check = run_annotate if annotate else run_validate

        def operation(m: Any) -> ActionResult:
            return check(m, as_of=as_date(as_of), rules=rules, progress=progress)

        run = run_action(FilePlace(file), operation, label=L("校验", "Validate"), model=model, dry_run=dry_run,
                         gate=("annotate",) if annotate else ())  # marking cells writes: the write gate first
    finish(run, file, as_json=as_json, limit=limit, summary_of=validation_summary, report_of=print_report,
           as_of=as_date(as_of).isoformat())


@command("rules", help=L("列出全部校验规则", "List every validation rule"))
@json_option
@option("--markdown", is_flag=True, help=L("输出 docs/rules.md 的内容", "Print docs/rules.md"))
def rules_cmd(as_json: bool, markdown: bool) -> None:
    from ..ops.validate import all_rules
    from ..ops.validate.docs import rules_markdown

    if markdown:
        click.echo(rules_markdown(), nl=False)
        return
    rules = all_rules()
    if as_json:
        emit_json(envelope("rules", None, exit_code=OK, summary={"text": None, "rules": len(rules)},
                           rules=[{"code": r.code, "severity": r.severity, "family": r.family,
                                   "title": r.title.to_dict(), "description": r.description.to_dict(),
                                   "settings": list(r.settings)} for r in rules]))
        return
    from rich.table import Table

    t = Table(title=tr("校验规则（严重程度可在代码表用 rule.<代码> 修改）", "Validation rules (override a severity in 代码表 "
                       "with rule.<CODE>)"), show_lines=False, title_justify="left")
    for h in (tr("代码", "Code"), tr("默认", "Default"), tr("规则", "Rule"), tr("说明", "Description")):
        t.add_column(h, overflow="fold")
    for r in rules:
        t.add_row(r.code, f"[{SEV_COLOR[r.severity]}]{SEVERITY[r.severity].get()}[/]", r.title.get(), r.description.get())
    console().print(t)


commands = [validate_cmd, rules_cmd]
