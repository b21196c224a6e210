"""``wbt review``: the monthly review sheet (in the workbook or a separate file), HTML and Markdown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..i18n import tr
from ..ops.review import compute_review, review_result
from ..ops.review.kpis import Month
from ..report import render_report, write_sheet_workbook
from .common import (
    apply_result,
    as_date,
    as_of_option,
    dry_run_option,
    emit_json,
    file_argument,
    json_option,
    read_for_writing,
)


def month_option(f):  # noqa: ANN001, ANN201 - click decorator
    def check(ctx: click.Context, param: click.Parameter, value: str) -> str:
        from ..errors import WbtError

        try:
            return str(Month.parse(value))
        except WbtError as exc:
            raise click.BadParameter(exc.message.get()) from None

    return click.option("--month", required=True, callback=check, metavar="YYYY-MM",
                        help=tr("复盘月份，如 2024-05", "Month to review, e.g. 2024-05"))(f)


@click.command("review")
@file_argument
@month_option
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help=tr("把复盘表写入一个新的工作簿（不改原文件）", "Write the review sheet into a NEW workbook (the file is not changed)"))
@click.option("--html", "html", type=click.Path(path_type=Path), default=None, help=tr("另存 HTML 报告", "Also write an HTML report"))
@click.option("--md", "md", type=click.Path(path_type=Path), default=None, help=tr("另存 Markdown 报告", "Also write a Markdown report"))
@click.option("--templates", "templates", type=click.Path(path_type=Path), default=None,
              help=tr("自定义报告模板文件夹", "Folder with your own report templates"))
@as_of_option
@dry_run_option
@json_option
def review_cmd(file: Path, month: str, out: Path | None, html: Path | None, md: Path | None, templates: Path | None,
               as_of: dt.datetime | None, dry_run: bool, as_json: bool) -> None:
    """生成月度复盘（指标、分组、清单、图表）/ build the monthly review (KPIs, tables, lists, charts)."""
    model = read_for_writing(file, "review")
    review = compute_review(model, month=month, as_of=as_date(as_of), source=file.name)
    result = review_result(review)
    # render the reports first: a template error must stop before anything is written
    texts = {p: render_report(review, kind, templates_dir=templates) for p, kind in ((html, "html"), (md, "md")) if p}
    written: list[str] = []
    if out is not None:
        if out.resolve() == file.resolve():
            raise click.BadParameter(tr("--out 不能是原文件", "--out must not be the source file"), param_hint="--out")
        if not dry_run:
            write_sheet_workbook(result.changeset.add_sheets[0], out)
            written.append(str(out))
        outcome = {"file": str(file), "action": "review", "dry_run": dry_run, "out": str(out), "stats": result.stats}
    else:
        outcome = apply_result(file, result, dry_run=dry_run, as_json=True)
    if not dry_run:
        for p, text in texts.items():
            p.parent.mkdir(parents=True, exist_ok=True)
            p.write_text(text, encoding="utf-8")
            written.append(str(p))
    outcome["reports"] = written
    if as_json:
        emit_json(outcome)
        return
    if dry_run:
        click.echo(tr("（试运行）将生成工作表“{s}”", "(dry run) would build the sheet '{s}'", s=result.stats["sheet"]))
    elif out is None:
        click.echo(tr("已写入工作表“{s}”：{p}", "Sheet '{s}' written into {p}", s=result.stats["sheet"], p=file))
        backup = (outcome.get("written") or {}).get("backup")
        if backup:
            click.echo(tr("修改前的备份：{b}", "Backup before the change: {b}", b=backup))
    click.echo(result.summary.get() if result.summary else "")
    if result.findings:   # cells the figures could not read (formulas without a saved value)
        from .cmd_ids import print_findings
        print_findings(result.findings)
    for w in written:
        click.echo(tr("已生成 {p}", "Written {p}", p=w))


commands = [review_cmd]
