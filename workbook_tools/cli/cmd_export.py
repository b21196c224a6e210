"""``wbt export``: a masked copy (--mask), one workbook per owner (--by-owner), or both
(--mask --by-owner: masked per-owner files). NEW files only; see workbook_tools.outputs."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, tr
from ..ops.export import ROLES, run_export_by_owner, run_export_masked
from ..writer.exports import write_exports
from .common import (
    as_date,
    as_of_option,
    emit_json,
    file_argument,
    force_option,
    json_option,
    lang,
    read_model,
)


@click.command("export")
@file_argument
@click.option("--mask", is_flag=True, help=tr("导出脱敏副本（与 --by-owner 同用：每个负责人一个脱敏文件）",
                                              "Export a masked copy (with --by-owner: masked files per owner)"))
@click.option("--by-owner", is_flag=True, help=tr("按负责人拆分导出", "One workbook per owner"))
@click.option("--out", "-o", type=click.Path(path_type=Path), default=None,
              help=tr("输出文件（--mask）或目录（--by-owner）", "Output file (--mask) or directory (--by-owner)"))
@click.option("--role", type=click.Choice(ROLES), default="full",
              help=tr("marketing：只含基本信息与标签，无联系方式、无沟通记录",
                      "marketing: basic info and tags only, no contact data, no log"))
@click.option("--owner", "owners", multiple=True, help=tr("只导出这些负责人（可重复，需与 --by-owner 同用）",
                                                          "Only these owners (repeatable; with --by-owner)"))
@force_option
@as_of_option
@json_option
def export_cmd(file: Path, mask: bool, by_owner: bool, out: Path | None, role: str, owners: tuple[str, ...],
               force: bool, as_of: dt.datetime | None, as_json: bool) -> None:
    """导出脱敏副本、按负责人拆分，或两者兼有 / a masked copy, one workbook per owner, or both."""
    if not (mask or by_owner):
        raise WbtError(L("请选择 --mask、--by-owner，或两者同用。", "Choose --mask, --by-owner, or both."))
    if owners and not by_owner:
        raise WbtError(L("--owner 只能与 --by-owner 同用。", "--owner only goes with --by-owner."))
    model = read_model(file)
    if by_owner:
        result = run_export_by_owner(model, as_of=as_date(as_of), out=out, role=role,
                                     owners=list(owners) or None, mask=mask)
    else:
        result = run_export_masked(model, as_of=as_date(as_of), out=out, role=role)
    try:
        paths = write_exports(result, lang=lang(), force=force)
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
