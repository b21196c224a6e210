"""``wbt import``: bring rows from another xlsx/xls/csv into the workbook, through the changeset writer."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import tr
from ..ops.importer import load_mapping, read_source, run_import
from ..schema import SCHEMA
from .common import (
    apply_result,
    dry_run_option,
    emit_json,
    exit_for,
    file_argument,
    json_option,
    lang,
    read_model,
)


@click.command("import")
@file_argument
@click.argument("source", type=click.Path(path_type=Path))
@click.option("--sheet", "sheet_key", type=click.Choice(["customers", "contacts", "complaints"]), default="customers",
              help=tr("导入到哪张表（默认客户基本信息）", "Target sheet (default: customers)"))
@click.option("--source-sheet", default=None, help=tr("源文件中的工作表名", "Sheet name in the source file"))
@click.option("--mapping", type=click.Path(path_type=Path), default=None,
              help=tr("列映射文件（TOML，[columns] \"源列\" = \"目标列\"）", "Column mapping file (TOML)"))
@click.option("--overwrite", is_flag=True, help=tr("用导入值覆盖已有的非空值", "Replace non-empty values with imported ones"))
@click.option("--yuan-to-wan", is_flag=True, help=tr("源金额单位为元，换算为万元", "Source amounts are in 元; convert to 万元"))
@dry_run_option
@json_option
def import_cmd(file: Path, source: Path, sheet_key: str, source_sheet: str | None, mapping: Path | None,
               overwrite: bool, yuan_to_wan: bool, dry_run: bool, as_json: bool) -> None:
    """从其他表格或 CSV 导入并清洗数据 / import and clean rows from another spreadsheet or CSV."""
    model = read_model(file)
    user_map = load_mapping(mapping) if mapping else None
    table = read_source(source, SCHEMA.sheet(sheet_key), sheet=source_sheet)
    result = run_import(model, table, sheet_key=sheet_key, mapping=user_map, overwrite=overwrite,
                        yuan_to_wan=yuan_to_wan)
    if not as_json:
        for f in result.findings[:50]:
            where = f"{f.sheet}!{f.cell}" if f.cell else f.sheet
            hint = f"（{f.hint.get(lang())}）" if f.hint else ""
            click.echo(f"  [{f.severity}] {where} {f.message.get(lang())}{hint}")
        if len(result.findings) > 50:
            click.echo(tr("  …… 另有 {n} 条", "  … {n} more", n=len(result.findings) - 50))
        if result.summary:
            click.echo(result.summary.get(lang()))
    out = apply_result(file, result, model=model, dry_run=dry_run, as_json=as_json)
    if as_json:
        emit_json(out)
    exit_for(result)


commands = [import_cmd]
