"""What every command's options share: bilingual help rendered in the language of the moment, the
``--lang`` option before or after the command, and the accepted date, month and quarter forms.

Help texts are :class:`~workbook_tools.i18n.L` pairs resolved when help is shown, not when the
module is imported, so ``wbt --lang en validate --help`` and ``wbt validate --help --lang en``
are English whatever ``WBT_LANG`` says. Dates, months and quarters parse in one place
(:class:`DayType`, :class:`PeriodType`, through :class:`~workbook_tools.ops.review.Period`), with
a message in the user's language that names the forms understood.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import click

from ..errors import WbtError
from ..i18n import LANGS, L, set_lang

F = Callable[..., Any]
LANG_META = "wbt.lang_given"   # ctx.meta: the language was given before the command


# ---- help in the language of the moment ----------------------------------------------------------
class _LazyHelp:
    """``help`` may be an :class:`L`: the text shown is rendered when help is formatted."""

    @property
    def help(self) -> str | None:
        h = self.__dict__.get("_wbt_help")
        return h.get() if isinstance(h, L) else h

    @help.setter
    def help(self, value: str | L | None) -> None:
        if value is not None or "_wbt_help" not in self.__dict__:
            self.__dict__["_wbt_help"] = value


HELP_OPTION = L("显示此帮助并退出。", "Show this message and exit.")


class Opt(_LazyHelp, click.Option):
    def __init__(self, *args: Any, help: str | L | None = None, **kw: Any) -> None:  # noqa: A002 - click's name
        super().__init__(*args, **kw)
        self.help = help


def lang_argv(args: list[str]) -> str | None:
    """The value of ``--lang`` among a command's own arguments (before ``--``), if any."""
    for i, arg in enumerate(args):
        if arg == "--":
            return None
        if arg == "--lang" and i + 1 < len(args) and args[i + 1] in LANGS:
            return args[i + 1]
        if arg.startswith("--lang=") and arg.split("=", 1)[1] in LANGS:
            return arg.split("=", 1)[1]
    return None


def _set_lang(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    if value is not None and not ctx.meta.get(LANG_META):
        set_lang(value)


LANG_HELP = L("界面语言 zh|en（也可写在命令前：wbt --lang en …）",
              "Interface language zh|en (also before the command: wbt --lang en …)")


def own_args(args: list[str]) -> list[str]:
    """A group's own arguments: those before its sub-command (the first word that is no option's value)."""
    for i, a in enumerate(args):
        if not a.startswith("-") and (i == 0 or args[i - 1] != "--lang"):
            return args[:i]
    return args


class _Command(_LazyHelp):
    """What commands and groups share: lazy bilingual help (the help option's own text too: click
    makes that option once and keeps it), a ``--lang`` option, and that option read before the
    other arguments, so ``--help`` and every message come in its language."""

    def __init__(self, *args: Any, **kw: Any) -> None:
        help_text = kw.pop("help", None)
        super().__init__(*args, **kw)
        self.help = help_text
        if not any("--lang" in getattr(p, "opts", ()) for p in self.params):  # type: ignore[attr-defined]
            self.params.append(Opt(["--lang"], type=click.Choice(LANGS), default=None,  # type: ignore[attr-defined]
                                   expose_value=False, is_eager=True, callback=_set_lang, help=LANG_HELP))

    def lang_args(self, args: list[str]) -> list[str]:
        """The arguments that may hold this command's own ``--lang``."""
        return args

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        chosen = lang_argv(self.lang_args(args))
        if chosen and not ctx.meta.get(LANG_META):
            set_lang(chosen)
        from .output import note_command

        note_command(ctx)
        return super().parse_args(ctx, args)  # type: ignore[misc]

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        opt = super().get_help_option(ctx)  # type: ignore[misc]
        if opt is not None:
            opt.help = HELP_OPTION.get()
        return opt


class Cmd(_Command, click.Command):
    """A ``wbt`` command (see :class:`_Command`)."""


class Grp(_Command, click.Group):
    """A group of ``wbt`` commands (``--lang`` before its sub-command too); its sub-commands are
    :class:`Cmd` by default."""

    command_class = Cmd

    def lang_args(self, args: list[str]) -> list[str]:
        return own_args(args)


def command(name: str, help: L, **kw: Any) -> Callable[[F], Cmd]:  # noqa: A002 - click's name
    return click.command(name, cls=Cmd, help=help, **kw)  # type: ignore[return-value]


def option(*decls: str, help: L | None = None, **kw: Any) -> Callable[[F], F]:  # noqa: A002 - click's name
    return click.option(*decls, cls=Opt, help=help, **kw)


# ---- dates, months, quarters -------------------------------------------------------------------
_DAY = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*")
DAY_FORMS = "2026-10-31, 2026/10/31, 2026.10.31, 2026年10月31日"
MONTH_FORMS = "2026-10, 2026/10, 2026年10月"
QUARTER_FORMS = "2026-Q3, 2026Q3"


def parse_day(text: str) -> dt.date:
    """A date in any of :data:`DAY_FORMS`; :class:`WbtError` naming the forms otherwise."""
    m = _DAY.fullmatch(str(text))
    try:
        if m:
            return dt.date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        pass
    raise WbtError(L(f"日期“{text}”无法识别，请写成 {DAY_FORMS} 之一",
                     f"Date '{text}' not understood; write it as one of {DAY_FORMS}"))


class DayType(click.ParamType):
    """A date (``--as-of``, ``--end``): YYYY-MM-DD with -, / or . between, or 2026年10月31日."""

    name = "date"

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM-DD"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.date:
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_day(value)
        except WbtError as exc:
            self.fail(exc.message.get(), param, ctx)


class PeriodType(click.ParamType):
    """A month (``2026-10``, ``2026/10``, ``2026年10月``) or a quarter (``2026-Q3``, ``2026Q3``), as
    :class:`~workbook_tools.ops.review.Period` reads them; the value is its canonical text."""

    def __init__(self, kind: str) -> None:
        self.kind = kind
        self.name = kind

    def get_metavar(self, param: click.Parameter, ctx: click.Context | None = None) -> str:
        return "YYYY-MM" if self.kind == "month" else "YYYY-Qn"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> str:
        from ..ops.review.period import Period

        try:
            return str(Period.month(value) if self.kind == "month" else Period.quarter(value))
        except WbtError as exc:
            self.fail(exc.message.get(), param, ctx)


DAY = DayType()
MONTH = PeriodType("month")
QUARTER = PeriodType("quarter")


# ---- the options every command spells the same way --------------------------------------------------
def file_argument(f: F) -> F:
    from .output import note_file

    return click.argument("file", type=click.Path(path_type=Path), callback=note_file)(f)


def as_of_option(f: F) -> F:
    return option("--as-of", "as_of", type=DAY, default=None, help=L(
        f"基准日期（默认今天），如 {DAY_FORMS}", f"Reference date (default today), e.g. {DAY_FORMS}"))(f)


def month_option(help_zh: str = "", help_en: str = "") -> Callable[[F], F]:
    """``--month``, optional: each command says what it does without one (``help_zh``/``help_en``)."""
    return option("--month", type=MONTH, help=L(f"月份，如 {MONTH_FORMS}{help_zh}", f"Month, e.g. {MONTH_FORMS}{help_en}"))


def json_option(f: F) -> F:
    from .output import note_json

    return option("--json", "as_json", is_flag=True, callback=note_json, help=L(
        "输出 JSON（统一格式，见 docs/cli.md）", "Print JSON (one envelope for every command, see docs/cli.md)"))(f)


def dry_run_option(f: F) -> F:
    return option("--dry-run", is_flag=True, help=L("只显示将要做的修改，不写文件",
                                                    "Show the planned changes; write nothing"))(f)


def force_option(f: F) -> F:
    return option("--force", is_flag=True, help=L(
        "允许替换已存在的输出文件（默认只替换本工具先前写入且未被改动的同类输出）",
        "Replace an existing output file (by default only the tool's own unchanged earlier output of the same "
        "kind is replaced)"))(f)


def as_date(value: dt.date | None) -> dt.date:
    return value or dt.date.today()


def limit_option(default: int) -> Callable[[F], F]:
    return option("--limit", default=default, show_default=True, type=click.IntRange(min=0), help=L(
        "屏幕上最多列出多少条（0 = 全部，包括提示）", "Most items listed on screen (0 = all, notes included)"))


def new_workbook_path(output: Path, force: bool, suffixes: tuple[str, ...]) -> None:
    """Refuse (exit 2) an output workbook that exists (unless ``force``), has another suffix, or
    whose folder is missing."""
    if output.exists() and not force:
        raise WbtError(L("文件已存在：{p}。如需覆盖请加 --force。", "The file exists: {p}. Use --force to overwrite it.")
                       .format(p=output))
    if output.suffix.lower() not in suffixes:
        raise WbtError(L("输出文件须以 {s} 结尾：{p}", "The output file must end in {s}: {p}")
                       .format(s=" / ".join(suffixes), p=output))
    if not output.parent.exists():
        raise WbtError(L("目录不存在：{p}", "The folder does not exist: {p}").format(p=output.parent))
