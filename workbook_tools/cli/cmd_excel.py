"""``wbt excel``: build the CRM工具.xlam ribbon add-in and print its ribbon XML."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, tr


class _ExcelGroup(click.Group):
    """Lists the ribbon buttons (from the actions registry) under the help text."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ..actions import describe

        formatter.write_paragraph()
        formatter.write_text(tr("功能区按钮及对应命令：", "Ribbon buttons and the matching commands:"))
        with formatter.indentation():
            for line in describe().splitlines():
                formatter.write(" " * formatter.current_indent + line + "\n")


@click.group("excel", cls=_ExcelGroup)
def excel_group() -> None:
    """Excel 功能区加载项 / the Excel ribbon add-in."""


@excel_group.command("build-addin")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
              default=Path("dist") / "CRM工具.xlam", show_default=True,
              help="输出文件 / output file")
@click.option("--macros", "macros", type=click.Path(file_okay=False, exists=True, path_type=Path),
              default=None, help="含 .bas 源文件的文件夹 / folder with the .bas sources (default: macros/)")
def build_addin_cmd(output: Path, macros: Path | None) -> None:
    """生成 Excel 加载项 CRM工具.xlam / build the CRM工具.xlam add-in from macros/*.bas."""
    from ..excel.addin.build import build_addin, macros_dir

    folder = macros or macros_dir()
    if not any(folder.glob("*.bas")):
        raise WbtError(L("找不到 VBA 源文件（.bas）：{d}。请在源码目录中运行，或用 --macros 指定文件夹。",
                         "No VBA sources (.bas) in {d}. Run from the source tree or pass --macros.").format(d=folder))
    try:
        path = build_addin(output, folder)
    except (ValueError, UnicodeError) as exc:
        raise WbtError(L("VBA 源文件无法打包：{m}", "Cannot package the VBA sources: {m}").format(m=exc)) from exc
    except OSError as exc:
        raise WbtError(L("无法写入 {p}：{m}", "Cannot write {p}: {m}").format(p=output, m=exc.strerror or exc)) from exc
    click.echo(tr("已生成 {p}（{n} 字节）", "Built {p} ({n} bytes)", p=path, n=path.stat().st_size))


@excel_group.command("ribbon")
@click.option("--write", is_flag=True, help="写入 macros/customUI14.xml / write macros/customUI14.xml")
def ribbon_cmd(write: bool) -> None:
    """打印由动作注册表生成的功能区 XML / print the ribbon XML generated from the actions registry."""
    from ..excel.addin.ribbon import committed_path, customui_xml

    xml = customui_xml()
    if write:
        path = committed_path()
        if path is None:
            raise WbtError(L("--write 只能在源码目录中使用（macros/ 不存在）。",
                             "--write works only in the source tree (there is no macros/ folder)."))
        path.write_text(xml, encoding="utf-8", newline="\n")
        click.echo(tr("已写入 {p}", "Wrote {p}", p=path))
    else:
        click.echo(xml, nl=False)


commands = [excel_group]
