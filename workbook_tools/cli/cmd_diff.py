"""``wbt diff OLD NEW`` / ``wbt diff --last FILE``: every cell that differs between two versions."""

from __future__ import annotations

from pathlib import Path

import click

from .. import outputs
from ..errors import WbtError
from ..i18n import L, plural, tr
from ..writer.safety import BACKUP_DIR, list_backups
from .output import OK, console, emit_json, envelope
from .params import command, json_option, limit_option, option


def latest_backup(path: Path) -> Path:
    """The version from before the last run of ``path`` (the run journal's backup, which for a run
    that wrote twice is the one taken before its first write), else its newest backup; a clear error
    when there is none."""
    from ..writer.journal import last_run

    run = last_run(path)
    before = run[0].backup_path(path) if run else None
    if before is not None and before.is_file():
        return before
    found = list_backups(path)
    if not found:
        raise WbtError(L("{n} 还没有备份（{d} 中没有），没有可比较的旧版本。", "{n} has no backup yet (none in {d}): "
                         "there is no earlier version to compare with.").format(n=path.name, d=BACKUP_DIR))
    return found[-1]


@command("diff", help=L("比较工作簿的两个版本，列出每个不同的单元格",
                        "List every cell that differs between two versions of a workbook"))
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path), metavar="OLD NEW | --last FILE")
@option("--last", is_flag=True, help=L("与上一次运行前的版本比较（FILE 的备份）",
                                      "Compare FILE with the version before its last run (its backup)"))
@option("--out", "out", type=click.Path(path_type=Path), default=None,
        help=L("另存一个新工作簿：差异清单 + 标出差异的工作表副本", "Also write a NEW workbook: the list of "
               "differences and copies of the sheets with the cells highlighted"))
@option("--force", is_flag=True, help=L("--out 文件已存在时覆盖它", "Overwrite an existing --out file"))
@limit_option(50)
@json_option
def diff_cmd(files: tuple[Path, ...], last: bool, out: Path | None, force: bool, limit: int, as_json: bool) -> None:
    if last:
        if len(files) != 1:
            raise click.UsageError(tr("--last 只接受一个文件：wbt diff --last FILE", "--last takes one file: "
                                      "wbt diff --last FILE"))
        new = files[0]
        if not new.is_file():
            raise WbtError(L("找不到文件：{p}", "File not found: {p}").format(p=new))
        old = latest_backup(new)
    elif len(files) == 2:
        old, new = files
    else:
        raise click.UsageError(tr("用法：wbt diff OLD NEW，或 wbt diff --last FILE", "Usage: wbt diff OLD NEW, or "
                                  "wbt diff --last FILE"))
    from .compare import check_new_file, compare_files  # the reader and pandas load when a diff runs

    target = check_new_file(out, [old, new], force) if out is not None else None
    result = compare_files(old, new)
    if target is not None:
        from ..report.diffbook import write_diff_workbook

        outputs.write_with(target, lambda p: write_diff_workbook(result.diff, result.old, result.new, p))
    d = result.diff
    text = (L("{n} 个单元格不同", "{N} differ").format(n=len(d.changes), N=plural(len(d.changes), "cell")).get()
            if d else d.render())
    if as_json:
        emit_json(envelope(None, new, exit_code=OK, summary={"text": text, "cells": len(d.changes), "same": not d},
                           **d.to_dict(), out=str(out) if out else None))
        return
    con = console()
    con.print(tr("比较 {a} → {b}", "Comparing {a} → {b}", a=old, b=new), soft_wrap=True, markup=False)
    con.print(d.render(limit=limit), soft_wrap=True, markup=False)
    if out is not None:
        con.print(tr("差异工作簿：{p}", "Difference workbook: {p}", p=out), soft_wrap=True, markup=False)


commands = [diff_cmd]
