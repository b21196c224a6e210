"""The grade history read with the workbook (both readers: a file and the open workbook), into
``WorkbookModel.history``; layout and parsing in :mod:`workbook_tools.history`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..errors import UnreadableWorkbook
from ..history import History, history_sheets, parse_rows
from ..i18n import L
from ..model import Notice


def read_history(sheet_names: list[str], load: Callable[[str], list[list[Any]]], notices: list[Notice]) -> History:
    """The grade history from its hidden sheets (``_wbt_history``, ``_wbt_history 2`` …, in order);
    each row it skips is a notice (R-HISTORY-ROW), never a guess."""
    history = History()
    for name in history_sheets(sheet_names):
        try:
            rows = load(name)
        except UnreadableWorkbook as e:
            notices.append(Notice("R-HISTORY-ROW", L(f"等级历史表“{name}”无法读取，未使用：{e.message.zh}",
                                                     f"Grade history sheet '{name}' cannot be read; not used: "
                                                     f"{e.message.en}"), name, None, "warning"))
            history.unreadable.append(name)
            continue
        parse_rows(name, rows, history)
    notices += [Notice("R-HISTORY-ROW", p.message, p.sheet, p.cell, "warning") for p in history.problems]
    return history
