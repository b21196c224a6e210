"""``wbt ids``: fill empty customer IDs (YYYY-CODE-NNN) and fill IDs into log/complaint rows by name."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import L
from .common import run_file_action
from .params import as_date, as_of_option, command, dry_run_option, file_argument, json_option, limit_option


@command("ids", help=L("生成客户编号（年份-行业代码-序号），沟通记录与投诉按名称补编号",
                       "Assign customer IDs (year-code-number) and fill them into the log and complaints by name"))
@file_argument
@as_of_option
@dry_run_option
@json_option
@limit_option(50)
def ids_cmd(file: Path, as_of: dt.date | None, dry_run: bool, as_json: bool, limit: int) -> None:
    from ..ops.ids import run_ids

    run_file_action(file, lambda model: run_ids(model, as_of=as_date(as_of)),
                    label=L("补客户编号", "Assign customer IDs"), gate=("ids",), dry_run=dry_run, as_json=as_json,
                    limit=limit)


commands = [ids_cmd]
