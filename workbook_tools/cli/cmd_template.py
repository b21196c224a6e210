"""``wbt template``: write the empty master workbook built from the schema."""

from __future__ import annotations

from pathlib import Path

import click

from ..i18n import L, current_lang
from .output import OK, emit_json, envelope
from .params import command, json_option, new_workbook_path, option


@command("template", help=L("生成空白客户关系管理主表", "Write the empty CRM master workbook"))
@option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
        default=Path("CRM_master.xlsx"), show_default=True, help=L("输出文件", "Output file"))
@option("--lang", "tlang", type=click.Choice(["zh", "en"]), default=None,
        help=L("模板语言（默认：界面语言）；写在命令后时也设界面语言",
               "Template language (default: the interface language); after the command it sets the interface "
               "language too"))
@option("--force", is_flag=True, help=L("覆盖已有文件", "Overwrite an existing file"))
@json_option
def template_cmd(output: Path, tlang: str | None, force: bool, as_json: bool) -> None:
    from ..template import build_workbook

    new_workbook_path(output, force, (".xlsx", ".xlsm"))
    lang = tlang or current_lang()
    build_workbook(output, lang=lang)
    text = L("已生成模板：{p}", "Template written: {p}").format(p=output).get()
    if as_json:
        emit_json(envelope(None, output, exit_code=OK, summary={"text": text}, lang=lang))
    else:
        click.echo(text)


commands = [template_cmd]
