"""``wbt validate``: check the workbook before month-end; ``wbt rules``: list the rules."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn
from rich.table import Table

from ..changeset import ActionResult
from ..i18n import current_lang, tr
from ..model import Finding
from .common import as_date, as_of_option, dry_run_option, emit_json, file_argument, json_option, read_model

SEV_LABEL = {"error": ("错误", "error"), "warning": ("警告", "warning"), "info": ("提示", "info")}
SEV_COLOR = {"error": "bold red", "warning": "yellow", "info": "cyan"}
LARGE_ROWS = 5000


def _label(sev: str) -> str:
    return SEV_LABEL.get(sev, (sev, sev))[current_lang() == "en"]


def validation_json(file: Path, result: ActionResult) -> dict[str, Any]:
    """The documented JSON object: {"file", "as_of", "summary", "findings"} (see docs/validate.md)."""
    lang = current_lang()
    st = result.stats
    from ..ops.validate import RULES
    summary = {
        "errors": st["errors"], "warnings": st["warnings"], "infos": st["infos"], "total": st["total"],
        "by_rule": {code: {**counts, "title": RULES[code].title.get(lang) if code in RULES else code}
                    for code, counts in st["by_code"].items()},
        "by_sheet": st["by_sheet"], "rows": st["rows"], "rules_run": st["rules_run"], "rules_off": st["rules_off"],
    }
    return {"file": str(file), "as_of": st["as_of"], "summary": summary,
            "findings": [f.to_dict(lang) for f in result.findings]}


def print_report(console: Console, result: ActionResult, *, limit: int) -> None:
    """Summary by rule and by sheet, then the findings (sheet!cell, coloured by severity)."""
    from ..ops.validate import RULES
    en = current_lang() == "en"
    st = result.stats
    if st["by_code"]:
        t = Table(title=tr("按规则汇总", "By rule"), title_justify="left")
        for h in (tr("规则代码", "Code"), tr("规则", "Rule"), tr("错误", "Errors"), tr("警告", "Warnings"), tr("提示", "Info")):
            t.add_column(h, justify="right" if h in ("错误", "警告", "提示", "Errors", "Warnings", "Info") else "left")
        for code, c in sorted(st["by_code"].items(), key=lambda kv: (-kv[1]["error"], -kv[1]["warning"], kv[0])):
            t.add_row(code, RULES[code].title.get() if code in RULES else code, _n(c["error"], "error"),
                      _n(c["warning"], "warning"), _n(c["info"], "info"))
        console.print(t)
        t = Table(title=tr("按工作表汇总", "By sheet"), title_justify="left")
        for h in (tr("工作表", "Sheet"), tr("行数", "Rows"), tr("错误", "Errors"), tr("警告", "Warnings"), tr("提示", "Info")):
            t.add_column(h, justify="left" if h in ("工作表", "Sheet") else "right")
        for sheet, c in st["by_sheet"].items():
            rows = st["rows"].get(sheet)
            t.add_row(sheet, "" if rows is None else str(rows), _n(c["error"], "error"), _n(c["warning"], "warning"),
                      _n(c["info"], "info"))
        console.print(t)
    shown = [f for f in result.findings if f.severity != "info"] or result.findings
    order = {"error": 0, "warning": 1, "info": 2}
    shown = sorted(shown, key=lambda f: order.get(f.severity, 3))  # stable: keeps sheet/row order inside
    cut = shown if limit <= 0 else shown[:limit]
    for f in cut:
        console.print(_line(f, en), highlight=False, soft_wrap=True)
    hidden = len(result.findings) - len(cut)
    if hidden > 0:
        console.print(tr("……另有 {n} 条未显示（--limit 0 显示全部，--json 输出完整结果，--annotate 写入“校验结果”表）",
                         "… {n} more not shown (--limit 0 shows all, --json prints everything, --annotate writes "
                         "the results sheet)", n=hidden), style="dim")
    if result.summary is not None:
        style = "bold red" if st["errors"] else "yellow" if st["warnings"] else "bold green"
        console.print(result.summary.get(), style=style)


def _n(n: int, sev: str) -> str:
    return f"[{SEV_COLOR[sev]}]{n}[/]" if n else "[dim]0[/]"


def _line(f: Finding, en: bool) -> str:
    from rich.markup import escape
    where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
    hint = ""
    if f.hint is not None:
        hint = f" [dim]→ {escape(f.hint.get())}[/]"
    return (f"[{SEV_COLOR.get(f.severity, 'white')}]{_label(f.severity):<7}[/] [bold]{escape(where)}[/] "
            f"[dim]{f.code}[/] {escape(f.message.get())}{hint}")


@click.command("validate")
@file_argument
@as_of_option
@json_option
@click.option("--annotate", is_flag=True, help=tr("给问题单元格上底色，并写入“校验结果”表（可重复运行）",
                                                 "Colour the problem cells and write the 校验结果 sheet (re-runnable)"))
@click.option("--rules", "rules", default=None, metavar="CODES",
              help=tr("只运行这些规则：规则代码、规则组或通配符，逗号分隔，如 DUP_*,xref",
                      "Run only these rules: codes, families or patterns, comma-separated, e.g. DUP_*,xref"))
@click.option("--limit", default=200, show_default=True, help=tr("屏幕上最多显示多少条（0 = 全部）",
                                                                 "Most findings to print (0 = all)"))
@dry_run_option
def validate_cmd(file: Path, as_of: dt.datetime | None, as_json: bool, annotate: bool, rules: str | None,
                 limit: int, dry_run: bool) -> None:
    """月底前批量校验工作簿 / validate the workbook (exit 0 clean, 1 errors, 2 unreadable)."""
    from ..ops.validate import run_annotate, run_validate, select_rules

    if file.is_dir():  # a folder: every workbook in it, on all cores (ops/folder.py)
        from ..ops.folder import folder_command
        sys.exit(folder_command(file, "validate", as_of=as_date(as_of), as_json=as_json))
    err = Console(stderr=True)
    select_rules(rules)  # unknown codes: a message and exit 2 before reading a large file
    with err.status(tr("正在读取 {f} …", "Reading {f} …", f=file.name)):
        model = read_model(file)
    if annotate:  # marking cells writes: the same gate as every other writing action
        from ..ops.needs import check
        check(model, "annotate")
    large = sum(s.n_rows for s in model.sheets.values()) >= LARGE_ROWS
    with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  console=err, transient=True, disable=not large or as_json and not err.is_terminal) as prog:
        task = prog.add_task(tr("校验", "Checking"), total=None)

        def progress(i: int, n: int, code: str) -> None:
            prog.update(task, completed=i, total=n, description=tr("校验 {c}", "Checking {c}", c=code))

        run = run_annotate if annotate else run_validate
        result = run(model, as_of=as_date(as_of), rules=rules, progress=progress)
    out = validation_json(file, result)
    if annotate and result.changeset is not None:
        cs = result.changeset
        if dry_run:
            out["annotate"] = {"dry_run": True, "changes": cs.to_dict()}
        else:
            from ..writer import apply_plan
            report = apply_plan(file, cs, model)
            out["annotate"] = {"dry_run": False, "written": report.to_dict()}
    if as_json:
        emit_json(out)
    else:
        console = Console()
        print_report(console, result, limit=limit)
        if annotate and result.changeset is not None:
            cs = result.changeset
            if dry_run:
                console.print(cs.render(limit=20), highlight=False)
                console.print(tr("（试运行：未写入文件）", "(dry run: nothing written)"))
            else:
                backup = out["annotate"]["written"].get("backup")
                console.print(tr("已标记 {m} 个单元格并更新“校验结果”表：{p}", "Marked {m} cells and refreshed the results "
                                 "sheet: {p}", m=len(cs.marks), p=file) +
                              (tr("（备份：{b}）", " (backup: {b})", b=backup) if backup else ""), highlight=False)
    sys.exit(1 if result.errors else 0)


@click.command("rules")
@json_option
@click.option("--markdown", is_flag=True, help=tr("输出 docs/rules.md 的内容", "Print docs/rules.md"))
def rules_cmd(as_json: bool, markdown: bool) -> None:
    """列出全部校验规则 / list every validation rule."""
    from ..ops.validate import all_rules
    from ..ops.validate.docs import rules_markdown

    if markdown:
        click.echo(rules_markdown(), nl=False)
        return
    rules = all_rules()
    if as_json:
        emit_json([{"code": r.code, "severity": r.severity, "family": r.family, "title": r.title.to_dict(),
                    "description": r.description.to_dict(), "settings": list(r.settings)} for r in rules])
        return
    t = Table(title=tr("校验规则（严重程度可在代码表用 rule.<代码> 修改）", "Validation rules (override a severity in 代码表 "
                       "with rule.<CODE>)"), show_lines=False, title_justify="left")
    for h in (tr("代码", "Code"), tr("默认", "Default"), tr("规则", "Rule"), tr("说明", "Description")):
        t.add_column(h, overflow="fold")
    for r in rules:
        t.add_row(r.code, f"[{SEV_COLOR[r.severity]}]{_label(r.severity)}[/]", r.title.get(), r.description.get())
    Console().print(t)


commands = [validate_cmd, rules_cmd]
