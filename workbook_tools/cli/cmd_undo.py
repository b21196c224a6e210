"""``wbt undo FILE``: put back the version from before the last run (an undo can itself be undone)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import current_lang, tr
from ..writer.undo import EditedSince, undo
from .common import emit_json, file_argument, json_option
from .compare import compare_files


@click.command("undo")
@file_argument
@click.option("--force", is_flag=True, help=tr("即使文件在上次运行后被修改过也撤销（当前版本先备份）",
                                               "Undo even if the file was changed since the last run (the current "
                                               "version is backed up first)"))
@click.option("--limit", default=50, show_default=True, type=click.IntRange(min=0),
              help=tr("拒绝时屏幕上最多列出的单元格数", "Most cells listed on screen when refusing"))
@json_option
def undo_cmd(file: Path, force: bool, limit: int, as_json: bool) -> None:
    """撤销上一次运行，恢复运行前的版本 / put back the version from before the last run."""
    try:
        report = undo(file, force=force)
    except EditedSince as exc:
        diff = compare_files(exc.backup, file, f"{exc.backup.parent.name}/{exc.backup.name}", str(file)).diff
        if as_json:
            emit_json({"file": str(file), "undone": False, "reason": exc.message.get(current_lang()),
                       "restore_from": str(exc.backup), "diff": diff.to_dict()})
        else:
            click.echo(tr("错误：", "Error: ") + exc.render(current_lang()), err=True)
            click.echo(diff.render(limit=limit))
        sys.exit(exc.exit_code)
    if as_json:
        emit_json({**report.to_dict(), "undone": True})
        return
    click.echo(tr("已撤销 {t} 的“{a}”：{f} 已恢复为 {b}。", "Undid '{a}' of {t}: {f} is back to {b}.",
                  t=report.undone.time, a=report.undone.action, f=file, b=report.restored_from.name))
    click.echo(tr("撤销前的版本已备份为 {p}；再运行一次 wbt undo 可以恢复它。",
                  "The version before the undo was backed up as {p}; run wbt undo again to get it back.",
                  p=report.backup))


commands = [undo_cmd]
