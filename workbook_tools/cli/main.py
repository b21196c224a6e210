"""``wbt``: the command-line entry point.

Commands live in ``cmd_*.py`` modules beside this one; each exposes ``commands`` (a list of
click commands). Errors a user can act on are printed in their language with exit code 2;
nothing ever ends in a traceback (set ``WBT_DEBUG=1`` to see one).
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import sys
from typing import Any

import click

from .. import __version__
from ..errors import WbtError, error_text
from ..i18n import current_lang, set_lang, tr


class _Group(click.Group):
    def invoke(self, ctx: click.Context) -> Any:
        from ..writer import written

        written.clear()
        try:
            return super().invoke(ctx)
        except WbtError as exc:
            click.echo(error_text(exc, current_lang()), err=True)
            if written.entries():  # a failure after a write: say what was written all the same
                click.echo(written.summary().get(current_lang()), err=True)
            sys.exit(exc.exit_code)
        except (click.exceptions.Exit, click.exceptions.Abort, click.ClickException, SystemExit):
            raise
        except KeyboardInterrupt:
            click.echo(tr("已中断。", "Interrupted. ") + written.summary().get(current_lang()), err=True)
            sys.exit(130)
        except MemoryError:
            click.echo(tr("错误：内存不足，文件过大。", "Error: out of memory; the file is too large. ")
                       + written.summary().get(current_lang()), err=True)
            sys.exit(2)
        except Exception as exc:  # noqa: BLE001 - last resort: a message, never a traceback
            if os.environ.get("WBT_DEBUG"):
                raise
            click.echo(tr("内部错误（{t}）：{m}。{w}设置 WBT_DEBUG=1 可查看详情。",
                          "Internal error ({t}): {m}. {w} Set WBT_DEBUG=1 for details.",
                          t=type(exc).__name__, m=exc, w=written.summary().get(current_lang())), err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--lang", type=click.Choice(["zh", "en"]), default=None,
              help="界面语言 / language (default: $WBT_LANG, then the locale, then zh)")
@click.version_option(__version__, prog_name="wbt")
def cli(lang: str | None) -> None:
    """客户关系管理工作簿工具 / CRM workbook tools."""
    set_lang(lang)


def _load_commands() -> None:
    pkg = importlib.import_module(__package__ or "workbook_tools.cli")
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda m: m.name):
        if info.name.startswith("cmd_"):
            mod = importlib.import_module(f"{pkg.__name__}.{info.name}")
            for cmd in getattr(mod, "commands", []):
                cli.add_command(cmd)


_load_commands()


def main() -> None:
    # The language must be known before click renders --help, so peek at the group's own
    # options (before the sub-command: `wbt template --lang en` is the template's language).
    set_lang(_group_lang(sys.argv[1:]))
    cli(prog_name="wbt")


def _group_lang(argv: list[str]) -> str | None:
    for i, arg in enumerate(argv):
        if arg == "--lang":
            return argv[i + 1] if i + 1 < len(argv) else None
        if arg.startswith("--lang="):
            return arg.split("=", 1)[1]
        if not arg.startswith("-"):
            return None  # the sub-command starts here
    return None


if __name__ == "__main__":
    main()
