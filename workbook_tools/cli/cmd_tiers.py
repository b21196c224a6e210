"""``wbt tiers``: value tiers, cadences, next follow-up, overdue, risk flags and management bands."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..ops.tiers import run_tiers
from .cmd_ids import finish
from .common import as_date, as_of_option, dry_run_option, file_argument, json_option, read_for_writing


@click.command("tiers")
@file_argument
@as_of_option
@dry_run_option
@json_option
def tiers_cmd(file: Path, as_of: dt.datetime | None, dry_run: bool, as_json: bool) -> None:
    """计算价值等级、跟进周期、逾期与风险标记 / compute tiers, cadences, overdue and risk flags."""
    model = read_for_writing(file, "tiers")
    result = run_tiers(model, as_of=as_date(as_of))
    finish(file, result, model=model, dry_run=dry_run, as_json=as_json)


commands = [tiers_cmd]
