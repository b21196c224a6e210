"""What every action command shares: options, reading, dry run or apply, output and exit codes.

Exit codes: 0 done (no errors found), 1 errors were found in the data, 2 the file could not be
read or written (a message says why).
"""

from __future__ import annotations

import datetime as dt
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..changeset import ActionResult
from ..i18n import current_lang, tr
from ..model import WorkbookModel

F = Callable[..., Any]


def file_argument(f: F) -> F:
    return click.argument("file", type=click.Path(path_type=Path))(f)


def as_of_option(f: F) -> F:
    return click.option("--as-of", "as_of", type=click.DateTime(["%Y-%m-%d"]), default=None,
                        help=tr("基准日期 YYYY-MM-DD（默认今天）", "Reference date YYYY-MM-DD (default today)"))(f)


def json_option(f: F) -> F:
    return click.option("--json", "as_json", is_flag=True, help=tr("输出 JSON", "Print JSON"))(f)


def dry_run_option(f: F) -> F:
    return click.option("--dry-run", is_flag=True, help=tr("只显示将要做的修改，不写文件",
                                                           "Show the planned changes; write nothing"))(f)


def force_option(f: F) -> F:
    return click.option("--force", is_flag=True, help=tr(
        "允许替换已存在的输出文件（默认只替换本工具先前写入且未被改动的同类输出）",
        "Replace an existing output file (by default only the tool's own unchanged earlier output of the same "
        "kind is replaced)"))(f)


def as_date(value: dt.datetime | dt.date | None) -> dt.date:
    if value is None:
        return dt.date.today()
    return value.date() if isinstance(value, dt.datetime) else value


def read_model(path: Path) -> WorkbookModel:
    """Read a workbook (raises WbtError with a clear message, which the CLI turns into exit 2)."""
    from ..reader import read_workbook

    return read_workbook(path)


def read_for_writing(path: Path, *actions: str) -> WorkbookModel:
    """Read a workbook an action will write into, and refuse (exit 2, nothing written) when a
    sheet or column it needs is not certain (see :mod:`workbook_tools.ops.needs`). A dry run is
    refused the same way: its plan would rest on the same uncertain columns."""
    from ..ops.needs import check

    model = read_model(path)
    check(model, *actions)
    return model


def apply_result(path: Path, result: ActionResult, *, model: WorkbookModel, dry_run: bool, as_json: bool,
                 extra: dict[str, Any] | None = None) -> dict[str, Any]:
    """Print a dry run, or apply the result's changeset (planned from ``model``) to the file; return
    what was done as a dict."""
    cs = result.changeset
    out: dict[str, Any] = {"file": str(path), "action": result.action, "dry_run": dry_run,
                           "changes": cs.to_dict() if cs else None, "stats": result.stats,
                           "findings": [f.to_dict() for f in result.findings]}
    if extra:
        out.update(extra)
    if dry_run or cs is None or not cs:
        if not as_json:
            if cs is not None:
                click.echo(cs.render())
            if dry_run and cs:
                click.echo(tr("（试运行：未写入文件）", "(dry run: nothing written)"))
        return out
    from ..writer import apply_plan

    report = apply_plan(path, cs, model)
    out["written"] = report.to_dict()
    if not as_json:
        click.echo(cs.render(limit=20))
        if getattr(report, "backup", None):
            click.echo(tr("已写入 {p}（备份：{b}）", "Written to {p} (backup: {b})", p=path, b=report.backup))
        else:
            click.echo(tr("已写入 {p}", "Written to {p}", p=path))
    return out


def emit_json(obj: Any) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=2, default=str))


def exit_for(result: ActionResult) -> None:
    """Exit 1 when the result holds errors, else return."""
    if result.errors:
        sys.exit(1)


def lang() -> str:
    return current_lang()
