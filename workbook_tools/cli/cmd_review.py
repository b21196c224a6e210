"""``wbt review``: the monthly or quarterly review sheet (in the workbook or a separate file), HTML and Markdown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .. import outputs
from ..i18n import tr
from ..ops.review import Period, compute_review, review_json, review_result
from ..report import render_report, write_sheet_workbook
from .common import (
    apply_result,
    as_date,
    as_of_option,
    dry_run_option,
    emit_json,
    file_argument,
    force_option,
    json_option,
    read_for_writing,
)


def _period_option(name: str, kind: str, required: bool, help_zh: str, help_en: str, metavar: str):  # noqa: ANN202
    def check(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
        from ..errors import WbtError

        if value is None:
            return None
        try:
            return str(Period.month(value) if kind == "month" else Period.quarter(value))
        except WbtError as exc:
            raise click.BadParameter(exc.message.get()) from None

    return click.option(name, required=required, default=None, callback=check, metavar=metavar,
                        help=tr(help_zh, help_en))


def month_option(f):  # noqa: ANN001, ANN201 - click decorator
    return _period_option("--month", "month", True, "复盘月份，如 2024-05", "Month to review, e.g. 2024-05", "YYYY-MM")(f)


@click.command("review")
@file_argument
@_period_option("--month", "month", False, "复盘月份，如 2024-05", "Month to review, e.g. 2024-05", "YYYY-MM")
@_period_option("--quarter", "quarter", False, "复盘季度，如 2026-Q3（与 --month 二选一）",
                "Quarter to review, e.g. 2026-Q3 (instead of --month)", "YYYY-Qn")
@click.option("--out", "out", type=click.Path(path_type=Path), default=None,
              help=tr("把复盘表写入一个新的工作簿（不改原文件）", "Write the review sheet into a NEW workbook (the file is not changed)"))
@click.option("--html", "html", type=click.Path(path_type=Path), default=None, help=tr("另存 HTML 报告", "Also write an HTML report"))
@click.option("--md", "md", type=click.Path(path_type=Path), default=None, help=tr("另存 Markdown 报告", "Also write a Markdown report"))
@click.option("--templates", "templates", type=click.Path(path_type=Path), default=None,
              help=tr("自定义报告模板文件夹", "Folder with your own report templates"))
@force_option
@as_of_option
@dry_run_option
@json_option
def review_cmd(file: Path, month: str | None, quarter: str | None, out: Path | None, html: Path | None,
               md: Path | None, templates: Path | None, force: bool, as_of: dt.datetime | None, dry_run: bool,
               as_json: bool) -> None:
    """生成月度或季度复盘（指标、比率、分组、清单、图表）/ build the monthly or quarterly review
    (figures, rates, tables, lists, charts)."""
    if (month is None) == (quarter is None):
        raise click.UsageError(tr("请给出 --month YYYY-MM 或 --quarter YYYY-Qn（二选一）",
                                  "Give either --month YYYY-MM or --quarter YYYY-Qn"))
    model = read_for_writing(file, "review")
    review = compute_review(model, period=month or quarter, as_of=as_date(as_of), source=file.name)
    result = review_result(review)
    # check every output path and render the reports first: a refused path or a template error
    # must stop before anything is written
    key = outputs.source_key(file, str(month or quarter))
    kinds = [(p, kind) for p, kind in ((out, "review-workbook"), (html, "report-html"), (md, "report-md")) if p]
    targets = dict(zip([k for _, k in kinds], outputs.plan_all([(p, k, key) for p, k in kinds], source=file,
                                                                force=force)))
    texts = {k: render_report(review, k.split("-")[1], templates_dir=templates) for k in targets if k != "review-workbook"}
    written: list[str] = []
    if out is not None:
        if not dry_run:
            sheet = result.changeset.add_sheets[0]
            written.append(str(outputs.write_with(targets["review-workbook"], lambda p: write_sheet_workbook(sheet, p))))
        outcome = {"file": str(file), "action": "review", "dry_run": dry_run, "out": str(out), "stats": result.stats}
    else:
        outcome = apply_result(file, result, model=model, dry_run=dry_run, as_json=True)
    if not dry_run:
        for kind, text in texts.items():
            written.append(str(outputs.write_text(targets[kind], text)))
    outcome["reports"] = written
    outcome["review"] = review_json(review)
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
