"""``wbt excel``: build the CRM工具.xlam ribbon add-in, install it (with the Python xlwings should
use), check an installation, and print the ribbon XML."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, tr
from .common import force_option


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
@force_option
def build_addin_cmd(output: Path, macros: Path | None, force: bool) -> None:
    """生成 Excel 加载项 CRM工具.xlam / build the CRM工具.xlam add-in from macros/*.bas."""
    from ..excel.addin.build import build_addin, macros_dir

    folder = macros or macros_dir()
    if not any(folder.glob("*.bas")):
        raise WbtError(L("找不到 VBA 源文件（.bas）：{d}。请在源码目录中运行，或用 --macros 指定文件夹。",
                         "No VBA sources (.bas) in {d}. Run from the source tree or pass --macros.").format(d=folder))
    try:
        path = build_addin(output, folder, force=force)
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


def _folder(folder: Path | None, what: L) -> Path:
    if folder is None:
        raise WbtError(L("本机找不到 {w}（没有 Excel？）。请用选项指定，或加 --dry-run 只看要做什么。",
                         "{w} was not found on this machine (no Excel?). Name it with the option, or add --dry-run "
                         "to see what would be done.").format(w=what.get()))
    return folder


@excel_group.command("install")
@click.option("--xlstart", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Excel 启动文件夹（默认 %APPDATA%\\Microsoft\\Excel\\XLSTART）/ Excel's start-up folder")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="xlwings 用户设置文件（默认 %USERPROFILE%\\.xlwings\\xlwings.conf）/ xlwings user settings file")
@click.option("--interpreter", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="Excel 要用的 Python（默认当前这个）/ the Python Excel should use (default: this one)")
@click.option("--dry-run", is_flag=True, help="只显示将要做的事 / show what would be done; write nothing")
def install_cmd(xlstart: Path | None, config: Path | None, interpreter: Path | None, dry_run: bool) -> None:
    """安装加载项并告诉 xlwings 用这个 Python / install the add-ins and point xlwings at this Python."""
    from ..excel import install as inst
    from ..excel.addin.build import addin_bytes

    start = xlstart or inst.default_xlstart()
    conf = config or inst.default_config()
    if dry_run and (start is None or conf is None):
        start = start or Path("<XLSTART>")
        conf = conf or Path("<%USERPROFILE%>") / ".xlwings" / inst.CONF_NAME
    start = _folder(start, L("Excel 的 XLSTART 文件夹（--xlstart）", "Excel's XLSTART folder (--xlstart)"))
    conf = _folder(conf, L("xlwings 用户设置文件（--config）", "the xlwings user settings file (--config)"))
    plan = inst.plan_install(xlstart=start, config=conf, interpreter=interpreter or inst.this_interpreter(),
                             addin=addin_bytes())
    if not plan.steps:
        click.echo(tr("已是最新：无需改动。", "Already up to date: nothing to change."))
        return
    for step in plan.steps:
        verb = tr("将写入", "would write") if dry_run else tr("写入", "wrote")
        kept = tr("（原文件另存为 {b}）", " (old file kept as {b})", b=step.backup) if step.backup else ""
        click.echo(f"{verb} {step.what.get()}: {step.path}{kept}")
    if not dry_run:
        inst.carry_out(plan)
        click.echo(tr("完成。请重启 Excel，然后运行 wbt excel doctor 检查。",
                      "Done. Restart Excel, then check with: wbt excel doctor"))


@excel_group.command("doctor")
@click.option("--xlstart", type=click.Path(file_okay=False, path_type=Path), default=None, help="Excel 启动文件夹 / XLSTART")
@click.option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="xlwings 用户设置文件 / xlwings user settings file")
@click.option("--book", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
              help="也检查这个工作簿自己的 xlwings 设置 / also check this workbook's own xlwings settings")
@click.option("--json", "as_json", is_flag=True, help=tr("输出 JSON", "Print JSON"))
def doctor_cmd(xlstart: Path | None, config: Path | None, book: Path | None, as_json: bool) -> None:
    """检查 Excel 会用哪个 Python、加载项是否就位 / what Excel will use and what is wrong."""
    import json
    import sys

    from ..excel import install as inst

    checks = inst.diagnose(xlstart=xlstart or inst.default_xlstart(), config=config or inst.default_config(), book=book)
    problems = sum(1 for c in checks if c.ok is False)
    if as_json:
        click.echo(json.dumps({"command": "excel doctor", "ok": problems == 0, "problems": problems,
                               "checks": [{"ok": c.ok, "text": c.text.to_dict()} for c in checks]},
                              ensure_ascii=False, indent=2))
    else:
        for c in checks:
            mark = {True: "✓", False: "✗", None: "·"}[c.ok]
            click.echo(f"{mark} {c.text.get()}")
        click.echo(tr("发现 {n} 个问题。", "{n} problem(s) found.", n=problems) if problems
                   else tr("一切就绪。", "All set."))
    sys.exit(1 if problems else 0)


commands = [excel_group]
