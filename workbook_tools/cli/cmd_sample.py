"""``wbt sample``: a reproducible sample workbook, optionally with planted defects."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, tr


@click.command("sample")
@click.option("--customers", type=click.IntRange(1, 200_000), default=200, show_default=True,
              help="客户数 / number of customers")
@click.option("--seed", type=int, default=1, show_default=True, help="随机种子（同一种子生成相同文件）/ random seed")
@click.option("--defects", type=click.FloatRange(0.0, 1.0), default=0.0, show_default=True,
              help="植入缺陷比例（相对客户数）/ planted defects per customer")
@click.option("--end", type=click.DateTime(["%Y-%m-%d"]), default="2026-10-31", show_default=True,
              help="数据截止日期 YYYY-MM-DD / last date of the data")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path), required=True,
              help="输出文件 / output file")
@click.option("--force", is_flag=True, help="覆盖已有文件 / overwrite an existing file")
@click.option("--json", "as_json", is_flag=True, help="输出 JSON / print JSON")
def sample_cmd(customers: int, seed: int, defects: float, end: dt.datetime, output: Path, force: bool,
               as_json: bool) -> None:
    """生成示例工作簿（含沟通记录与投诉）/ write a sample workbook with contacts and complaints."""
    from ..sample import generate_sample

    if output.exists() and not force:
        raise WbtError(L("文件已存在：{p}。如需覆盖请加 --force。", "The file exists: {p}. Use --force to overwrite it.")
                       .format(p=output))
    if output.suffix.lower() != ".xlsx":
        raise WbtError(L("输出文件须以 .xlsx 结尾：{p}", "The output file must end in .xlsx: {p}").format(p=output))
    if not output.parent.exists():
        raise WbtError(L("目录不存在：{p}", "The folder does not exist: {p}").format(p=output.parent))
    info = generate_sample(output, customers=customers, seed=seed, defects=defects, end=end.date())
    if as_json:
        click.echo(json.dumps({**info.summary(), "defects_file": str(info.defects_file)}, ensure_ascii=False))
        return
    click.echo(tr("已生成示例：{p}（客户 {c}，沟通记录 {k}，投诉 {q}，待编号 {n}，用时 {s:.1f} 秒）",
                  "Sample written: {p} ({c} customers, {k} contacts, {q} complaints, {n} without ID, {s:.1f} s)",
                  p=output, c=info.customers, k=info.contacts, q=info.complaints, n=info.without_id, s=info.seconds))
    if info.defects:
        click.echo(tr("植入缺陷 {d} 个，清单：{f}", "{d} defects planted, listed in {f}", d=len(info.defects),
                      f=info.defects_file))


commands = [sample_cmd]
