"""``wbt sample``: a reproducible sample workbook, optionally with planted defects."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, plural
from .output import OK, emit_json, envelope
from .params import DAY, command, json_option, new_workbook_path, option


@command("sample", help=L("生成示例工作簿（含沟通记录与投诉）", "Write a sample workbook with contacts and complaints"))
@option("--customers", type=click.IntRange(1, 200_000), default=200, show_default=True,
        help=L("客户数", "Number of customers"))
@option("--seed", type=int, default=1, show_default=True, help=L("随机种子（同一种子生成相同文件）",
                                                                "Random seed (the same seed gives the same file)"))
@option("--defects", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
        help=L("植入缺陷比例（相对客户数）", "Planted defects per customer"))
@option("--end", type=DAY, default="2026-10-31", show_default=True, help=L("数据截止日期", "Last date of the data"))
@option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
        help=L("输出文件", "Output file"))
@option("--force", is_flag=True, help=L("覆盖已有文件", "Overwrite an existing file"))
@json_option
def sample_cmd(customers: int, seed: int, defects: float, end: dt.date, output: Path, force: bool,
               as_json: bool) -> None:
    from ..sample import defects_path, generate_sample

    new_workbook_path(output, force, (".xlsx",))
    side = defects_path(output)  # the list of planted defects is written beside it: never over a file not named
    if side.exists() and not force:
        raise WbtError(L("文件已存在：{p}（示例的缺陷清单写在这里）。如需覆盖请加 --force。",
                         "The file exists: {p} (the sample's list of defects goes there). Use --force to overwrite "
                         "it.").format(p=side))
    info = generate_sample(output, customers=customers, seed=seed, defects=defects, end=end)
    text = L("已生成示例：{p}（客户 {c}，沟通记录 {k}，投诉 {q}，待编号 {n}，用时 {s:.1f} 秒）",
             "Sample written: {p} ({C}, {K}, {Q}, {n} without ID, {s:.1f} s)").format(
        p=output, c=info.customers, k=info.contacts, q=info.complaints, n=info.without_id, s=info.seconds,
        C=plural(info.customers, "customer"), K=plural(info.contacts, "contact"),
        Q=plural(info.complaints, "complaint")).get()
    if as_json:
        figures = {k: v for k, v in info.summary().items() if k != "file"}
        emit_json(envelope(None, output, exit_code=OK, summary={"text": text}, **figures,
                           defects_file=str(info.defects_file)))
        return
    click.echo(text)
    if info.defects:
        click.echo(L("植入缺陷 {d} 个，清单：{f}", "{d} defects planted, listed in {f}")
                   .format(d=len(info.defects), f=info.defects_file).get())


commands = [sample_cmd]
