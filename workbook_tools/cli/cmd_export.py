"""``wbt export``: a masked copy (--mask) or one workbook per owner (--by-owner). NEW files only."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, tr
from ..ops.export import ROLES, run_export_by_owner, run_export_masked, write_exports
from .common import as_date, as_of_option, emit_json, file_argument, json_option, lang, read_model


@click.command("export")
@file_argument
@click.option("--mask", "mode", flag_value="mask", help=tr("导出脱敏副本", "Export a masked copy"))
@click.option("--by-owner", "mode", flag_value="by_owner", help=tr("按负责人拆分导出", "One workbook per owner"))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help=tr("输出文件（--mask）或目录（--by-owner）", "Output file (--mask) or directory (--by-owner)"))
@click.option("--role", type=click.Choice(ROLES), default="full",
              help=tr("marketing：只含基本信息与标签，无联系方式、无沟通记录",
                      "marketing: basic info and tags only, no contact data, no log"))
@click.option("--owner", "owners", multiple=True, help=tr("只导出这些负责人（可重复）", "Only these owners (repeatable)"))
@as_of_option
@json_option
def export_cmd(file: Path, mode: str | None, out: Path | None, role: str, owners: tuple[str, ...],
               as_of: dt.datetime | None, as_json: bool) -> None:
    """导出脱敏副本或按负责人拆分 / export a masked copy or one workbook per owner."""
    if mode is None:
        raise WbtError(L("请选择 --mask 或 --by-owner。", "Choose --mask or --by-owner."))
    model = read_model(file)
    if mode == "mask":
        result = run_export_masked(model, as_of=as_date(as_of), out=out, role=role)
    else:
        result = run_export_by_owner(model, as_of=as_date(as_of), out=out, role=role,
                                     owners=list(owners) or None)
    src = file.resolve()
    for f in result.exports:
        if f.path.resolve() == src:
            raise WbtError(L(f"输出文件不能是源工作簿本身：{f.path}", f"The output cannot be the source workbook: {f.path}"))
    try:
        paths = write_exports(result, lang=lang())
    except OSError as exc:
        raise WbtError(L(f"无法写入导出文件：{exc}", f"Cannot write the export: {exc}")) from exc
    if as_json:
        emit_json({"file": str(file), "action": result.action, "written": [str(p) for p in paths],
                   "stats": result.stats, "findings": [f.to_dict(lang()) for f in result.findings]})
    else:
        if result.summary:
            click.echo(result.summary.get(lang()))
        for f in result.exports:
            counts = f.counts()
            click.echo(f"  {f.path}  " + tr("客户 {c}、沟通 {k}、投诉 {p} 行", "{c} customers, {k} contacts, "
                                             "{p} complaints", c=counts["customers"], k=counts["contacts"],
                                             p=counts["complaints"]))
        for fd in result.findings[:20]:
            click.echo(f"  {fd.sheet}!{fd.cell or ''} {fd.message.get(lang())}")
    if result.errors:
        sys.exit(1)


commands = [export_cmd]
