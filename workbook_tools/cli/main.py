"""``wbt``: the command-line entry point.

Commands live in ``cmd_*.py`` modules beside this one; each exposes ``commands`` (a list of
click commands). Errors a user can act on are printed in their language with exit code 2;
nothing ever ends in a traceback (set ``WBT_DEBUG=1`` to see one). The exit codes and the JSON
envelope are in :mod:`.output` and docs/cli.md.
"""

from __future__ import annotations

import contextlib
import importlib
import os
import pkgutil
import sys
from typing import Any, NoReturn

import click

from .. import __version__
from ..errors import WbtError, error_text
from ..i18n import L, current_lang, set_lang, tr
from . import click_zh
from .output import BROKEN_PIPE, INTERRUPTED, REFUSED, error_envelope
from .params import LANG_META, Grp, Opt, lang_argv, own_args

click_zh.install()


def _fail(exc: BaseException, message: str, exit_code: int) -> None:
    from ..writer import written

    click.echo(message, err=True)
    error_envelope(exc, message, exit_code, written.entries())  # type: ignore[arg-type]
    sys.exit(exit_code)


class _Group(Grp):
    def main(self, *args: Any, **kw: Any) -> Any:
        with click_zh.active():
            return super().main(*args, **kw)

    def make_context(self, *args: Any, **kw: Any) -> click.Context:
        try:   # the group's --help and --version print here
            return super().make_context(*args, **kw)
        except BrokenPipeError:
            quiet_pipe()

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        # wbt's own --lang comes before the sub-command and wins over one after it; it is set before
        # any help is shown (and reset when not given: one process may run several commands)
        chosen = lang_argv(own_args(args))
        set_lang(chosen)
        ctx.meta[LANG_META] = chosen is not None
        return click.Group.parse_args(self, ctx, args)

    def invoke(self, ctx: click.Context) -> Any:
        from ..writer import written

        written.clear()
        try:
            return super().invoke(ctx)
        except WbtError as exc:
            message = error_text(exc, current_lang())
            if written.entries():  # a failure after a write: say what was written all the same
                message += "\n" + written.summary().get(current_lang())
            _fail(exc, message, exc.exit_code)
        except BrokenPipeError:   # the reader of the output went away (| head): stop quietly
            quiet_pipe()
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt as exc:
            _fail(exc, tr("已中断。", "Interrupted. ") + written.summary().get(current_lang()), INTERRUPTED)
        except MemoryError as exc:
            _fail(exc, tr("错误：内存不足，文件过大。", "Error: out of memory; the file is too large. ")
                  + written.summary().get(current_lang()), REFUSED)
        except Exception as exc:  # noqa: BLE001 - last resort: a message, never a traceback
            if os.environ.get("WBT_DEBUG"):
                raise
            _fail(exc, tr("内部错误（{t}）：{m}。{w}设置 WBT_DEBUG=1 可查看详情。",
                          "Internal error ({t}): {m}. {w} Set WBT_DEBUG=1 for details.",
                          t=type(exc).__name__, m=exc, w=written.summary().get(current_lang())), REFUSED)


def _version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(L("wbt，版本 {v}", "wbt, version {v}").format(v=__version__).get())
        ctx.exit()


def _set_group_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None:
        set_lang(value)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]},
             help=L("客户关系管理工作簿工具。退出码：0 完成且无数据错误，1 发现数据错误，2 拒绝执行（原因见提示）。",
                    "CRM workbook tools. Exit codes: 0 done and no errors in the data, 1 errors found in the data, "
                    "2 refused (the message says why)."))
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None, is_eager=True, expose_value=False,
              callback=_set_group_lang, cls=Opt,
              help=L("界面语言（默认：$WBT_LANG，其次系统语言，最后中文）；也可写在命令后",
                     "Interface language (default: $WBT_LANG, then the locale, then zh); also after the command"))
@click.option("--version", "-V", is_flag=True, is_eager=True, expose_value=False, callback=_version, cls=Opt,
              help=L("显示版本并退出", "Show the version and exit"))
def cli() -> None:
    pass


def _load_commands() -> None:
    pkg = importlib.import_module(__package__ or "workbook_tools.cli")
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
            for cmd in getattr(mod, "commands", []):
                cli.add_command(cmd)


_load_commands()


def main() -> None:
    """``wbt``. A closed pipe (``wbt validate … | head``) ends the run quietly with 141, as the shell
    reports any program cut off that way; nothing more is printed."""
    try:
        try:
            cli(prog_name="wbt")
        finally:
            sys.stdout.flush()
    except BrokenPipeError:
        quiet_pipe()


def quiet_pipe() -> NoReturn:
    """Exit 141 without another word: Python flushes stdout at exit, so stdout and stderr are
    pointed at devnull first (nothing more fails or is printed)."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        for stream in (sys.stdout, sys.stderr):
            os.dup2(devnull, stream.fileno())
    sys.exit(BROKEN_PIPE)


if __name__ == "__main__":
    main()
