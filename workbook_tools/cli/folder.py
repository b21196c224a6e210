"""``wbt validate DIR`` / ``wbt month-end DIR``: every workbook of a folder, each in a process of
its own (:mod:`workbook_tools.jobs.folder`), with a progress bar and one summary."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..i18n import tr
from ..jobs.folder import list_workbooks, run_folder
from .output import FOUND_ERRORS, OK, REFUSED, console, emit_json, envelope


def folder_command(folder: Path, action: str, *, as_of: dt.date | None, month: str | None = None,
                   dry_run: bool = False, as_json: bool = False, force: bool = False) -> int:
    """CLI entry for ``wbt validate DIR`` / ``wbt month-end DIR``: progress bar, summary; returns the exit code
    (2 when a file could not be processed or the folder holds no workbook, 1 when errors were found)."""
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    if not list_workbooks(folder):
        from ..errors import WbtError
        from ..i18n import L

        raise WbtError(L("文件夹 {d} 中没有工作簿（.xlsx/.xlsm/.xls）", "No workbooks (.xlsx/.xlsm/.xls) in {d}")
                       .format(d=folder))
    err = console(stderr=True)
    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=err, transient=True, disable=not err.is_terminal) as bar:
        task = bar.add_task(tr("处理文件夹", "Processing folder"), total=None)

        def progress(i: int, n: int, name: str) -> None:
            bar.update(task, completed=i, total=n, description=name)

        rep = run_folder(folder, action, as_of=as_of, month=month, dry_run=dry_run, force=force, progress=progress)
    code = REFUSED if rep.broken else FOUND_ERRORS if rep.errors else OK
    if as_json:
        d = rep.to_dict()
        t = d["totals"]
        emit_json(envelope(None, folder, exit_code=code, summary={"text": rep.text().splitlines()[0], **t}, **d))
    else:
        click.echo(rep.text())
    return code
