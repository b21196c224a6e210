"""``wbt tiers``: value tiers, cadences, next follow-up, overdue, risk flags and management bands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..i18n import L
from .common import run_file_action
from .params import as_date, as_of_option, command, dry_run_option, file_argument, json_option, limit_option


@command("tiers", help=L("计算价值等级、跟进周期、逾期与风险标记",
                         "Compute value tiers, cadences, overdue and risk flags"))
@file_argument
@as_of_option
@dry_run_option
@json_option
@limit_option(50)
def tiers_cmd(file: Path, as_of: dt.date | None, dry_run: bool, as_json: bool, limit: int) -> None:
    from ..ops.tiers import run_tiers

    run_file_action(file, lambda model: run_tiers(model, as_of=as_date(as_of)),
                    label=L("计算等级与跟进", "Compute tiers and follow-ups"), gate=("tiers",), dry_run=dry_run,
                    as_json=as_json, limit=limit)


commands = [tiers_cmd]
