"""``wbt excel``: build the CRM工具.xlam ribbon add-in, install it (with the Python xlwings should
use), check an installation, and print the ribbon XML."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import WbtError
from ..i18n import L, plural, tr
from .output import FOUND_ERRORS, OK, emit_json, envelope
from .params import Grp, force_option, json_option, option


def _done(as_json: bool, file: Path | str | None, text: str, **rest: object) -> None:
    """Print ``text``, or the envelope with ``rest`` under --json."""
    if as_json:
        emit_json(envelope(None, file, exit_code=OK, summary={"text": text}, **rest))
    else:
        click.echo(text)


class _ExcelGroup(Grp):
    """Lists the ribbon buttons (from the actions registry) under the help text."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ..actions import describe

        formatter.write_paragraph()
        formatter.write_text(tr("功能区按钮及对应命令：", "Ribbon buttons and the matching commands:"))
        with formatter.indentation():
            for line in describe().splitlines():
                formatter.write(" " * formatter.current_indent + line + "\n")


@click.group("excel", cls=_ExcelGroup, help=L("Excel 功能区加载项", "The Excel ribbon add-in"))
def excel_group() -> None:
    pass


@excel_group.command("build-addin", help=L("由 macros/*.bas 生成 Excel 加载项 CRM工具.xlam",
                                                     "Build the CRM工具.xlam add-in from macros/*.bas"))
@option("-o", "--output", "output", type=click.Path(dir_okay=False, path_type=Path),
        default=Path("dist") / "CRM工具.xlam", show_default=True, help=L("输出文件", "Output file"))
@option("--macros", "macros", type=click.Path(file_okay=False, exists=True, path_type=Path),
        default=None, help=L("含 .bas 源文件的文件夹（默认 macros/）", "Folder with the .bas sources (default: macros/)"))
@force_option
@json_option
def build_addin_cmd(output: Path, macros: Path | None, force: bool, as_json: bool) -> None:
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
    size = path.stat().st_size
    _done(as_json, path, tr("已生成 {p}（{n} 字节）", "Built {p} ({n} bytes)", p=path, n=size), bytes=size)


@excel_group.command("ribbon", help=L("打印由动作注册表生成的功能区 XML",
                                      "Print the ribbon XML generated from the actions registry"))
@option("--write", is_flag=True, help=L("写入 macros/customUI14.xml", "Write macros/customUI14.xml"))
@json_option
def ribbon_cmd(write: bool, as_json: bool) -> None:
    from ..excel.addin.ribbon import committed_path, customui_xml

    xml = customui_xml()
    if write:
        path = committed_path()
        if path is None:
            raise WbtError(L("--write 只能在源码目录中使用（macros/ 不存在）。",
                             "--write works only in the source tree (there is no macros/ folder)."))
        path.write_text(xml, encoding="utf-8", newline="\n")
        _done(as_json, path, tr("已写入 {p}", "Wrote {p}", p=path), xml=xml)
    elif as_json:
        _done(True, None, tr("功能区 XML", "The ribbon XML"), xml=xml)
    else:
        click.echo(xml, nl=False)


def _folder(folder: Path | None, what: L) -> Path:
    if folder is None:
        raise WbtError(L("本机找不到 {w}（没有 Excel？）。请用选项指定，或加 --dry-run 只看要做什么。",
                         "{w} was not found on this machine (no Excel?). Name it with the option, or add --dry-run "
                         "to see what would be done.").format(w=what.get()))
    return folder


@excel_group.command("install", help=L("安装加载项并告诉 xlwings 用这个 Python",
                                       "Install the add-ins and point xlwings at this Python"))
@option("--xlstart", type=click.Path(file_okay=False, path_type=Path), default=None,
        help=L("Excel 启动文件夹（默认 %APPDATA%\\Microsoft\\Excel\\XLSTART）",
               "Excel's start-up folder (default %APPDATA%\\Microsoft\\Excel\\XLSTART)"))
@option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=L("xlwings 用户设置文件（默认 %USERPROFILE%\\.xlwings\\xlwings.conf）",
               "xlwings user settings file (default %USERPROFILE%\\.xlwings\\xlwings.conf)"))
@option("--interpreter", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=L("Excel 要用的 Python（默认当前这个）", "The Python Excel should use (default: this one)"))
@option("--dry-run", is_flag=True, help=L("只显示将要做的事", "Show what would be done; write nothing"))
@json_option
def install_cmd(xlstart: Path | None, config: Path | None, interpreter: Path | None, dry_run: bool,
                as_json: bool) -> None:
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
    if not dry_run:
        inst.carry_out(plan)
    lines = []
    for step in plan.steps:
        verb = tr("将写入", "would write") if dry_run else tr("写入", "wrote")
        kept = tr("（原文件另存为 {b}）", " (old file kept as {b})", b=step.backup) if step.backup else ""
        lines.append(f"{verb} {step.what.get()}: {step.path}{kept}")
    if not plan.steps:
        text = tr("已是最新：无需改动。", "Already up to date: nothing to change.")
    elif dry_run:
        text = "\n".join(lines)
    else:
        text = "\n".join([*lines, tr("完成。请重启 Excel，然后运行 wbt excel doctor 检查。",
                                     "Done. Restart Excel, then check with: wbt excel doctor")])
    _done(as_json, None, text, dry_run=dry_run, steps=[{"what": st.what.get(), "path": str(st.path),
                                                       "backup": str(st.backup) if st.backup else None}
                                                      for st in plan.steps])


@excel_group.command("doctor", help=L("检查 Excel 会用哪个 Python、加载项是否就位（退出码 1：发现问题）",
                                      "What Excel will use and what is wrong (exit 1: problems found)"))
@option("--xlstart", type=click.Path(file_okay=False, path_type=Path), default=None,
        help=L("Excel 启动文件夹", "Excel's start-up folder (XLSTART)"))
@option("--config", "config", type=click.Path(dir_okay=False, path_type=Path), default=None,
        help=L("xlwings 用户设置文件", "xlwings user settings file"))
@option("--book", type=click.Path(dir_okay=False, exists=True, path_type=Path), default=None,
        help=L("也检查这个工作簿自己的 xlwings 设置", "Also check this workbook's own xlwings settings"))
@json_option
def doctor_cmd(xlstart: Path | None, config: Path | None, book: Path | None, as_json: bool) -> None:
    import sys

    from ..excel import install as inst

    checks = inst.diagnose(xlstart=xlstart or inst.default_xlstart(), config=config or inst.default_config(), book=book)
    problems = sum(1 for c in checks if c.ok is False)
    text = (L("发现 {n} 个问题。", "{N} found.").format(n=problems, N=plural(problems, "problem")).get() if problems
            else tr("一切就绪。", "All set."))
    code = FOUND_ERRORS if problems else OK
    if as_json:
        emit_json(envelope(None, book, exit_code=code, summary={"text": text, "problems": problems}, problems=problems,
                           checks=[{"ok": c.ok, "text": c.text.to_dict()} for c in checks]))
    else:
        for c in checks:
            mark = {True: "✓", False: "✗", None: "·"}[c.ok]
            click.echo(f"{mark} {c.text.get()}")
        click.echo(text)
    sys.exit(code)


commands = [excel_group]
