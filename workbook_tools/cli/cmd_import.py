"""``wbt import``: bring rows from another xlsx/xls/csv into the workbook, through the changeset writer."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import L
from .common import read_model, run_file_action
from .params import command, dry_run_option, file_argument, json_option, limit_option, option


@command("import", help=L("从其他表格或 CSV 导入并清洗数据", "Import and clean rows from another spreadsheet or CSV"))
@file_argument
@click.argument("source", type=click.Path(path_type=Path))
@option("--sheet", "sheet_key", type=click.Choice(["customers", "contacts", "complaints"]), default="customers",
        help=L("导入到哪张表（默认客户基本信息）", "Target sheet (default: customers)"))
@option("--source-sheet", default=None, help=L("源文件中的工作表名", "Sheet name in the source file"))
@option("--mapping", type=click.Path(path_type=Path), default=None,
        help=L("列映射文件（TOML，[columns] \"源列\" = \"目标列\"）", "Column mapping file (TOML, [columns] \"source\" = \"target\")"))
@option("--overwrite", is_flag=True, help=L("用导入值覆盖已有的非空值", "Replace non-empty values with imported ones"))
@option("--yuan-to-wan", is_flag=True, help=L("源金额单位为元，换算为万元", "Source amounts are in 元; convert to 万元"))
@dry_run_option
@json_option
@limit_option(50)
def import_cmd(file: Path, source: Path, sheet_key: str, source_sheet: str | None, mapping: Path | None,
               overwrite: bool, yuan_to_wan: bool, dry_run: bool, as_json: bool, limit: int) -> None:
    from ..jobs.importing import load_mapping, read_source
    from ..ops.importer import run_import
    from ..schema import SCHEMA

    model = read_model(file)
    user_map = load_mapping(mapping) if mapping else None
    table = read_source(source, SCHEMA.sheet(sheet_key), sheet=source_sheet)
    run_file_action(file, lambda model: run_import(model, table, sheet_key=sheet_key, mapping=user_map,
                                                   overwrite=overwrite, yuan_to_wan=yuan_to_wan),
                    label=L("导入", "Import"), dry_run=dry_run, as_json=as_json, limit=limit, model=model,
                    source=str(source))


commands = [import_cmd]
