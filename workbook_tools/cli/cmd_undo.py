"""``wbt undo FILE``: put back the version from before the last run (an undo can itself be undone)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from ..i18n import L, current_lang, tr
from ..writer.undo import EditedSince, undo
from .compare import compare_files
from .output import OK, console, emit_json, envelope
from .params import command, file_argument, json_option, limit_option, option


@command("undo", help=L("撤销上一次运行，恢复运行前的版本（撤销本身也可撤销）",
                        "Put back the version from before the last run (an undo can itself be undone)"))
@file_argument
@option("--force", is_flag=True, help=L("即使文件在上次运行后被修改过也撤销（当前版本先备份）",
                                       "Undo even if the file was changed since the last run (the current "
                                       "version is backed up first)"))
@limit_option(50)
@json_option
def undo_cmd(file: Path, force: bool, limit: int, as_json: bool) -> None:
    from ..errors import error_text

    try:
        report = undo(file, force=force)
    except EditedSince as exc:
        diff = compare_files(exc.backup, file, f"{exc.backup.parent.name}/{exc.backup.name}", str(file)).diff
        message = error_text(exc, current_lang())
        if as_json:
            emit_json(envelope(None, file, exit_code=exc.exit_code, summary={"text": message},
                               undone=False, reason=exc.message.get(current_lang()), restore_from=str(exc.backup),
                               diff=diff.to_dict()))
        else:
            console(stderr=True).print(message, soft_wrap=True, markup=False)
            console().print(diff.render(limit=limit), soft_wrap=True, markup=False)
        sys.exit(exc.exit_code)
    done = report.to_dict()
    text = tr("已撤销 {t} 的“{a}”：{f} 已恢复为 {b}。", "Undid '{a}' of {t}: {f} is back to {b}.",
              t=report.undone.time, a=report.undone.action, f=file, b=report.restored_from.name)
    if report.writes > 1:
        text += tr("（这次运行写入了 {n} 次，都已撤销）", " (the run wrote {n} times; all are undone)", n=report.writes)
    if as_json:
        done.pop("file")
        done["run"] = done.pop("undone")   # the journal entry of the run undone
        emit_json(envelope(None, file, exit_code=OK, summary={"text": text}, **done, undone=True))
        return
    click.echo(text)
    click.echo(tr("撤销前的版本已备份为 {p}；再运行一次 wbt undo 可以恢复它。",
                  "The version before the undo was backed up as {p}; run wbt undo again to get it back.",
                  p=report.backup))


commands = [undo_cmd]
