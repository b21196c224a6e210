"""``wbt month-end``: validate → IDs → tiers → review in one go, with progress and one summary."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from ..i18n import L, plural, tr
from .output import FOUND_ERRORS, OK, console, emit_json, envelope
from .params import (
    as_date,
    as_of_option,
    command,
    dry_run_option,
    file_argument,
    force_option,
    json_option,
    month_option,
    option,
)

if TYPE_CHECKING:  # the job (and pandas under it) loads when the command runs, not for `wbt --help`
    from ..jobs.month_end import MonthEndReport


@command("month-end", help=L("月末一键处理：校验、补编号、计算等级、生成复盘（一次写入）；也可给一个文件夹",
                             "Month end: validate, IDs, tiers, review, written once; a folder works too"))
@file_argument
@month_option("；不写时为基准日期的上个月", "; without it, the month before the reference date")
@as_of_option
@dry_run_option
@json_option
@option("--html", "html", type=click.Path(path_type=Path), default=None,
        help=L("HTML 报告路径（默认与工作簿同目录）", "Path of the HTML report (default: beside the workbook)"))
@option("--templates", "templates", type=click.Path(path_type=Path), default=None,
        help=L("自定义报告模板文件夹", "Folder with your own report templates"))
@option("--annotate", is_flag=True, help=L("给问题单元格上底色，并写入“校验结果”表",
                                          "Colour problem cells and write the validation sheet"))
@force_option
def month_end_cmd(file: Path, month: str | None, as_of: dt.date | None, dry_run: bool, as_json: bool,
                  html: Path | None, templates: Path | None, annotate: bool, force: bool) -> None:
    if not month:  # as the Excel buttons' month picker: the month that ended last
        from ..ops.review.period import previous_month

        month = previous_month(as_date(as_of))
    if file.is_dir():  # a folder: every workbook in it, each in a process of its own
        from .folder import folder_command
        sys.exit(folder_command(file, "month_end", as_of=as_date(as_of), month=month, dry_run=dry_run,
                                as_json=as_json, force=force))
    from ..jobs.month_end import STEPS, run_month_end

    kw: dict[str, Any] = {"month": month, "as_of": as_date(as_of), "dry_run": dry_run, "html": html,
                          "templates": templates, "annotate": annotate, "force": force}
    err = console(stderr=True)
    if as_json or not err.is_terminal:
        rep = run_month_end(file, progress=None if as_json else _plain_progress, **kw)
    else:
        from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

        with Progress(SpinnerColumn(), TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                      TimeElapsedColumn(), console=err, transient=True) as bar:
            task = bar.add_task(tr("月末处理", "Month end"), total=len(STEPS))

            def progress(key: str, done: int, total: int, label: L) -> None:
                bar.update(task, completed=done, description=label.get())

            rep = run_month_end(file, progress=progress, **kw)
    code = FOUND_ERRORS if rep.errors else OK
    if as_json:
        d = rep.to_dict()
        d.pop("file")
        written = rep.step("write")
        text = (written.summary.get() if written and written.summary else summary_text(rep).splitlines()[0])
        emit_json(envelope("month-end", file, exit_code=code, summary={"text": text, "errors": rep.errors,
                                                                       "warnings": d["warnings"]}, **d))
    else:
        click.echo(summary_text(rep))
    sys.exit(code)


def _plain_progress(key: str, done: int, total: int, label: L) -> None:
    from ..jobs.month_end import STEPS

    if done == [k for k, _ in STEPS].index(key):
        click.echo(f"[{done + 1}/{total}] {label.get()} …", err=True)


def summary_text(rep: MonthEndReport) -> str:
    """The one closing summary: what was found, what was written, where to look."""
    lines = [tr("月末处理 {m}（基准日期 {a}）{d}", "Month end {m} (as of {a}){d}", m=rep.month, a=rep.as_of.isoformat(),
                d=tr("——试运行，未写入", " — dry run, nothing written") if rep.dry_run else "")]
    for s in rep.steps:
        if s.key in ("read", "report"):
            continue
        state = (tr("已写入", "written") if s.written else
                 (tr("将写入 {n} 处", "would write {n}", n=s.planned) if rep.dry_run and s.planned else tr("无需修改", "no change")))
        text = s.summary.get() if s.summary else ""
        lines.append(f"  • {s.label.get()}: {text}  [{state}, {s.seconds:.1f}s]")
    k = rep.kpis
    if k:
        def v(key: str, unit: str = "") -> str:
            """The figure with its unit, or why there is none (a missing column is named, never 0)."""
            if k.get(key) is not None:
                return f"{k[key]:,}{tr(unit, '')}"
            review = rep.plan.review if rep.plan else None
            missing = review.kpi(key).missing if review else []
            return tr("（未找到{m}）", "({m} not found)", m=missing[0].get()) if missing else "—"

        lines.append(tr("  本月：客户 {t}，新增 {n}，沟通 {c}，逾期 {o}，未结投诉 {p}",
                        "  This month: customers {t}, new {n}, contacts {c}, overdue {o}, open complaints {p}",
                        t=v("customers_total"), n=v("new_customers"), c=v("contacts_logged", " 次"),
                        o=v("overdue_followups", " 户") + _at(rep.review.get("snapshot")), p=v("complaints_open", " 条")))
    if rep.errors:
        validated = rep.plan.step("validate") if rep.plan else None
        sheets = validated.result.changeset.add_sheets if validated and validated.result.changeset else []
        where = (tr("见工作表“{s}”", "see the sheet '{s}'", s=sheets[0].name) if sheets and not rep.dry_run else tr("wbt validate 逐条列出，加 --annotate 标出单元格",
                                                          "wbt validate lists them; --annotate marks the cells"))
        lines.append(L("  发现 {e} 个数据错误：{w}", "  {n} found in the data: {w}").format(
            e=rep.errors, n=plural(rep.errors, "error"), w=where).get())
        for f in [f for f in rep.findings if f.severity == "error"][:5]:
            lines.append(f"    - {f.sheet}!{f.cell or ''} {f.message.get()}")
    if not rep.dry_run:
        lines.append(tr("  请看：{f} 的工作表“{s}”", "  Look at: sheet '{s}' in {f}", f=rep.path, s=rep.review_sheet))
        if rep.html:
            lines.append(tr("  HTML 报告：{h}", "  HTML report: {h}", h=rep.html))
        if rep.quarter_sheet:
            lines.append(tr("  季度末：另生成工作表“{s}”和 HTML 报告 {h}", "  Quarter end: also sheet '{s}' and the "
                            "HTML report {h}", s=rep.quarter_sheet, h=rep.quarter_html or "—"))
        if rep.backup:
            lines.append(tr("  修改前的备份：{b}", "  Backup before the changes: {b}", b=rep.backup))
    lines.append(tr("  用时 {s:.1f} 秒", "  Took {s:.1f} s", s=rep.seconds))
    return "\n".join(lines)


def _at(day: object) -> str:
    """The review counts overdue customers at the period's end, the tiers step on the run date: say which."""
    return tr("（截至 {d}）", " (at {d})", d=day) if day else ""


commands = [month_end_cmd]
