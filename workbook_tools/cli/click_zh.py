"""click's own messages in Chinese ("Usage:", "Error: Invalid value for '--as-of': …", "Missing
argument …"), while ``wbt`` runs in Chinese.

click marks its messages for gettext (``from gettext import gettext as _``) but ships no
catalogue. :func:`install` points the ``_``/``ngettext`` names of click's modules at
:func:`gettext`/:func:`ngettext` here, which translate while a ``wbt`` command runs in Chinese
(:func:`active`) and pass every message through unchanged otherwise (English, or another click
program in the same process). tests/test_cli_contract.py checks that every message below still
exists in the installed click.
"""

from __future__ import annotations

import contextlib
import contextvars
import importlib
from collections.abc import Iterator

from ..i18n import current_lang

MODULES = ("click.core", "click.decorators", "click.exceptions", "click.formatting", "click.parser", "click.types",
           "click.termui")

ZH: dict[str, str] = {
    "Usage:": "用法:",
    "Options": "选项",
    "Commands": "命令",
    "Positional arguments": "位置参数",
    "Show this message and exit.": "显示此帮助并退出。",
    "Show the version and exit.": "显示版本并退出。",
    "%(prog)s, version %(version)s": "%(prog)s，版本 %(version)s",
    "default: {default}": "默认：{default}",
    "env var: {var}": "环境变量：{var}",
    "Aborted!": "已中止！",
    "Error: {message}": "错误：{message}",
    "Try '{command} {option}' for help.": "运行“{command} {option}”查看帮助。",
    "Invalid value for {param_hint}: {message}": "{param_hint} 的值无效：{message}",
    "Invalid value: {message}": "值无效：{message}",
    "Missing argument": "缺少参数",
    "Missing option": "缺少选项",
    "Missing parameter": "缺少参数",
    "Missing parameter: {param_name}": "缺少参数：{param_name}",
    "Missing {param_type}": "缺少{param_type}",
    "Missing command.": "缺少命令。",
    "No such option {name!r}.": "没有选项 {name!r}。",
    "No such command {name!r}.": "没有命令 {name!r}。",
    "Option {name!r} does not take a value.": "选项 {name!r} 不带值。",
    "Argument {name!r} takes {nargs} values.": "参数 {name!r} 需要 {nargs} 个值。",
    "Could not open file {filename!r}: {message}": "无法打开文件 {filename!r}：{message}",
    "{value} is not in the range {range}.": "{value} 不在范围 {range} 内。",
    "{value!r} is not a valid {number_type}.": "{value!r} 不是有效的{number_type}。",
    "{value!r} is not a valid boolean. Recognized values: {states}": "{value!r} 不是有效的布尔值。可用的值：{states}",
    "{name} {filename!r} does not exist.": "{name} {filename!r} 不存在。",
    "{name} {filename!r} is a file.": "{name} {filename!r} 是文件。",
    "{name} {filename!r} is a directory.": "{name} {filename!r} 是文件夹。",
    "{name} {filename!r} is not readable.": "{name} {filename!r} 不可读。",
    "{name} {filename!r} is not writable.": "{name} {filename!r} 不可写。",
    "file": "文件",
    "directory": "文件夹",
    "path": "路径",
    "unknown error": "未知错误",
}
"""click's message → Chinese (placeholders kept)."""

ZH_PLURAL: dict[str, str] = {
    "Got unexpected extra argument ({args})": "多余的参数（{args}）",
    "Option {name!r} requires an argument.": "选项 {name!r} 需要一个值。",
    "{value!r} is not {choice}.": "{value!r} 不是 {choice}。",
    "{value!r} does not match the format {format}.": "{value!r} 不符合格式 {format}。",
    "Did you mean {possibility}?": "您是不是要用 {possibility}？",
    "Takes {nargs} values but 1 was given.": "需要 {nargs} 个值，但只给了 1 个。",
}
"""click's singular message → Chinese, for one."""

ZH_MANY: dict[str, str] = {
    "Option {name!r} requires {nargs} arguments.": "选项 {name!r} 需要 {nargs} 个值。",
    "{value!r} is not one of {choices}.": "{value!r} 不是以下之一：{choices}。",
    "{value!r} does not match the formats {formats}.": "{value!r} 不符合以下格式：{formats}。",
    "(Did you mean one of: {possibilities}?)": "（您是不是要用以下之一：{possibilities}？）",
    "Takes {nargs} values but {len} were given.": "需要 {nargs} 个值，但给了 {len} 个。",
    "Got unexpected extra arguments ({args})": "多余的参数（{args}）",
}

_active: contextvars.ContextVar[bool] = contextvars.ContextVar("wbt_click_zh", default=False)


def _chinese() -> bool:
    return _active.get() and current_lang() == "zh"


def gettext(message: str) -> str:
    return ZH.get(message, message) if _chinese() else message


def ngettext(singular: str, plural: str, n: int) -> str:
    if not _chinese():
        return singular if n == 1 else plural
    if n == 1:
        return ZH_PLURAL.get(singular, singular)
    return ZH_MANY.get(plural, ZH_PLURAL.get(singular, plural))


@contextlib.contextmanager
def active() -> Iterator[None]:
    """click's messages follow wbt's language inside this block."""
    token = _active.set(True)
    try:
        yield
    finally:
        _active.reset(token)


def install() -> None:
    """Route click's message lookups through this module (idempotent)."""
    for name in MODULES:
        mod = importlib.import_module(name)
        if hasattr(mod, "_"):
            mod._ = gettext  # type: ignore[attr-defined]
        if hasattr(mod, "ngettext"):
            mod.ngettext = ngettext  # type: ignore[attr-defined]
