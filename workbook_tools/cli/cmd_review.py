"""``wbt review``: the monthly or quarterly review sheet (in the workbook or a separate file), HTML and Markdown."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import click

from ..i18n import L
from .common import read_model
from .output import default_report
from .params import (
    MONTH_FORMS,
    QUARTER,
    QUARTER_FORMS,
    as_date,
    as_of_option,
    command,
    dry_run_option,
    file_argument,
    force_option,
    json_option,
    limit_option,
    month_option,
    option,
)


@command("review", help=L("生成月度或季度复盘（指标、比率、分组、清单、图表）",
                          "Build the monthly or quarterly review (figures, rates, tables, lists, charts)"))
@file_argument
@month_option()
@option("--quarter", type=QUARTER, default=None, help=L(f"复盘季度，如 {QUARTER_FORMS}（与 --month 二选一）",
                                                        f"Quarter to review, e.g. {QUARTER_FORMS} (instead of --month)"))
@option("--out", "out", type=click.Path(path_type=Path), default=None,
        help=L("把复盘表写入一个新的工作簿（不改原文件）", "Write the review sheet into a NEW workbook (the file is not changed)"))
@option("--html", "html", type=click.Path(path_type=Path), default=None, help=L("另存 HTML 报告", "Also write an HTML report"))
@option("--md", "md", type=click.Path(path_type=Path), default=None, help=L("另存 Markdown 报告",
                                                                             "Also write a Markdown report"))
@option("--templates", "templates", type=click.Path(path_type=Path), default=None,
        help=L("自定义报告模板文件夹", "Folder with your own report templates"))
@force_option
@as_of_option
@dry_run_option
@json_option
@limit_option(50)
def review_cmd(file: Path, month: str | None, quarter: str | None, out: Path | None, html: Path | None,
               md: Path | None, templates: Path | None, force: bool, as_of: dt.date | None, dry_run: bool,
               as_json: bool, limit: int) -> None:
    from ..jobs import reports
    from ..jobs.action import run_action
    from ..jobs.place import FilePlace
    from ..ops.review import compute_review, review_json, review_result
    from ..report import write_sheet_workbook
    from .output import finish

    if (month is None) == (quarter is None):
        raise click.UsageError(L(f"请给出 --month（如 {MONTH_FORMS}）或 --quarter（如 {QUARTER_FORMS}），二选一",
                                 f"Give either --month (e.g. {MONTH_FORMS}) or --quarter (e.g. {QUARTER_FORMS})").get())
    period = str(month or quarter)
    model = read_model(file)
    # every output path is checked and every report rendered before anything is written
    specs = [(p, fmt, period) for p, fmt in ((out, "workbook"), (html, "html"), (md, "md")) if p]
    targets = dict(zip([fmt for _, fmt, _ in specs], reports.check_outputs(specs, source=file, force=force)))
    state: dict[str, Any] = {}

    def plan(m: Any) -> Any:
        state["review"] = compute_review(m, period=period, as_of=as_date(as_of), source=file.name)
        return review_result(state["review"])

    run = run_action(FilePlace(file), plan, label=L("生成复盘", "Build the review"), gate=("review",),
                     dry_run=dry_run or out is not None, model=model)
    review, result = state["review"], run.result
    items = [reports.Output(targets[fmt], reports.render(review, fmt, templates=templates, lang=None))
             for fmt in ("html", "md") if fmt in targets]
    if out is not None:   # the sheet goes into a new workbook; the file itself is not changed
        sheet = result.changeset.add_sheets[0]
        items.insert(0, reports.Output(targets["workbook"], save=lambda p: write_sheet_workbook(sheet, p)))
        result.changeset = None
        run.dry_run = dry_run
    written = [] if dry_run else reports.write_outputs(items, after_write=run.written, redo=L(
        "工作簿的修改已完成；可用 wbt review 文件 --month/--quarter {p} 加 --html/--md 重新生成报告",
        "The workbook changes are done; write the reports again with wbt review FILE --month/--quarter {p} "
        "and --html/--md").format(p=period))

    def report_of(con: Any, res: Any, *, limit: int) -> None:
        if dry_run:
            con.print(L("（试运行）将生成工作表“{s}”", "(dry run) would build the sheet '{s}'")
                      .format(s=res.stats["sheet"]).get(), soft_wrap=True, markup=False)
        default_report(con, res, limit=limit)
        for w in written:
            con.print(L("已生成 {p}", "Written {p}").format(p=w).get(), soft_wrap=True, markup=False)

    finish(run, file, as_json=as_json, limit=limit, report_of=report_of, out=str(out) if out else None,
           reports=[str(w) for w in written], review=review_json(review))


commands = [review_cmd]
