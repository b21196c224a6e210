"""``wbt template``: write the empty master workbook built from the schema."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, current_lang, tr
from ..template import build_workbook


@click.command("template")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("CRM_master.xlsx"), show_default=True, help="输出文件 / output file")
@click.option("--lang", "tlang", type=click.Choice(["zh", "en"]), default=None,
              help="模板语言 / template language (default: the interface language)")
@click.option("--force", is_flag=True, help="覆盖已有文件 / overwrite an existing file")
def template_cmd(output: Path, tlang: str | None, force: bool) -> None:
    """生成空白客户关系管理主表 / write the empty CRM master workbook."""
    if output.exists() and not force:
        raise WbtError(L("文件已存在：{p}。如需覆盖请加 --force。", "The file exists: {p}. Use --force to overwrite it.")
                       .format(p=output))
    if output.suffix.lower() not in (".xlsx", ".xlsm"):
        raise WbtError(L("输出文件须以 .xlsx 结尾：{p}", "The output file must end in .xlsx: {p}").format(p=output))
    if not output.parent.exists():
        raise WbtError(L("目录不存在：{p}", "The folder does not exist: {p}").format(p=output.parent))
    build_workbook(output, lang=tlang or current_lang())
    click.echo(tr("已生成模板：{p}", "Template written: {p}", p=output))


commands = [template_cmd]
