"""``wbt export``: a masked copy (--mask), one workbook per owner (--by-owner), or both
(--mask --by-owner: masked per-owner files). NEW files only; see workbook_tools.outputs."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, current_lang, plural
from .common import read_model
from .output import FOUND_ERRORS, OK, console, default_summary, emit_json, envelope, print_findings
from .params import (
    as_date,
    as_of_option,
    command,
    file_argument,
    force_option,
    json_option,
    limit_option,
    option,
)


@command("export", help=L("导出脱敏副本、按负责人拆分，或两者兼有（只写新文件）",
                          "A masked copy, one workbook per owner, or both (new files only)"))
@file_argument
@option("--mask", is_flag=True, help=L("导出脱敏副本（与 --by-owner 同用：每个负责人一个脱敏文件）",
                                      "Export a masked copy (with --by-owner: masked files per owner)"))
@option("--by-owner", is_flag=True, help=L("按负责人拆分导出", "One workbook per owner"))
@option("--out", "-o", type=click.Path(path_type=Path), default=None,
        help=L("输出文件（--mask）或目录（--by-owner）", "Output file (--mask) or directory (--by-owner)"))
@option("--role", type=click.Choice(["full", "marketing"]), default="full",
        help=L("marketing：只含基本信息与标签，无联系方式、无沟通记录",
               "marketing: basic info and tags only, no contact data, no log"))
@option("--owner", "owners", multiple=True, help=L("只导出这些负责人（可重复，需与 --by-owner 同用）",
                                                  "Only these owners (repeatable; with --by-owner)"))
@force_option
@as_of_option
@json_option
@limit_option(20)
def export_cmd(file: Path, mask: bool, by_owner: bool, out: Path | None, role: str, owners: tuple[str, ...],
               force: bool, as_of: dt.date | None, as_json: bool, limit: int) -> None:
    from ..ops.export import run_export_by_owner, run_export_masked
    from ..writer.exports import write_exports

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
        paths = write_exports(result, lang=current_lang(), force=force)
    except OSError as exc:
        raise WbtError(L(f"无法写入导出文件：{exc}", f"Cannot write the export: {exc}")) from exc
    code = FOUND_ERRORS if result.errors else OK
    if as_json:
        emit_json(envelope(None, file, exit_code=code, summary={**default_summary(result), "files": len(paths)},
                           action=result.action, written=[str(p) for p in paths], stats=result.stats,
                           findings=[f.to_dict(current_lang()) for f in result.findings]))
        sys.exit(code)
    con = console()
    if result.summary:
        con.print(result.summary.get(), soft_wrap=True, markup=False)
    for f in result.exports:
        c = f.counts()
        con.print(f"  {f.path}  " + L("客户 {c}、沟通 {k}、投诉 {p} 行", "{C}, {K}, {P}").format(
            c=c["customers"], k=c["contacts"], p=c["complaints"], C=plural(c["customers"], "customer"),
            K=plural(c["contacts"], "contact"), P=plural(c["complaints"], "complaint")).get(), soft_wrap=True, markup=False)
    print_findings(result.findings, limit=limit, con=con)
    sys.exit(code)


commands = [export_cmd]
