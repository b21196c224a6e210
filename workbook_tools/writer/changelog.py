"""The 变更日志 (change log) sheet: every write appends what it changed, enough to undo by hand.

Columns: 时间, 用户, 操作, 单元格, 原值, 新值. One row per cell edit (``sheet!cell``, old → new),
one per added/replaced/removed sheet, one summary row for marks, cleared marks and notes.
Appending rows is just more cell edits on that sheet.
"""

from __future__ import annotations

import datetime as dt
import functools
import getpass
from collections.abc import Callable
from typing import Any

from ..changeset import Changeset
from ..model import cell_ref
from .append import append_table
from .book import Book
from .cells import CellPatch
from .sheetxml import is_protected, last_used_row
from .values import StoredCell, rc_of

LOG_SHEET = "变更日志"
HEADERS = ["时间", "用户", "操作", "单元格", "原值", "新值"]
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
WIDTHS = [20, 10, 20, 24, 28, 28]  # characters: the time stamp shows whole, sheet!cell and values mostly fit


def show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S") if (value.hour or value.minute or value.second) \
            else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


@functools.lru_cache(maxsize=64)
def action_label(action: str) -> str:
    """The 操作 column: a registered action's Chinese name with its key (``生成客户编号 ids``), so
    a user reading the log sees what ran; any other action as it is."""
    from .. import actions

    try:
        return f"{actions.get(action.replace('-', '_')).zh} {action}"
    except KeyError:
        return action


def stored_show(book: Book, cell: StoredCell) -> str:
    """What a cell held, as text; a number in a date-formatted cell is shown as the date."""
    v = cell.value
    if isinstance(v, float) and not cell.formula and book.styles.is_date_xf(cell.style) and 0 < v < 2958466:
        base = dt.datetime(1904, 1, 1) if book.date1904 else dt.datetime(1899, 12, 30)
        return show(base + dt.timedelta(days=v))
    return show(v)


def log_rows(cs: Changeset, old_text: Callable[[str, int, int], str], marks_done: int, cleared: int,
             notes_done: int, added: list[str], removed: list[str]) -> list[list[str]]:
    """(操作, 单元格, 原值, 新值) rows, without time and user; the file and the live applier both
    write these. ``old_text(sheet, row, col)``: what the cell held, as text."""
    rows = []
    act = action_label(cs.action)
    for e in cs.edits:
        r, c = rc_of(e.cell.upper())
        rows.append([action_label(e.action) if e.action else act, f"{e.sheet}!{cell_ref(r, c)}",
                     old_text(e.sheet, r, c), show(e.new)])
    for name in removed:
        rows.append([act, name, "删除工作表 / sheet removed", ""])
    for name in added:
        rows.append([act, name, "", "新增或替换工作表 / sheet added or replaced"])
    if cleared or cs.clear_marks:
        rows.append([act, "", "", f"清除标记 {', '.join(cs.clear_marks)}：{cleared} 个单元格 / "
                     f"cleared marks on {cleared} cells"])
    if marks_done:
        tags = sorted({m.tag for m in cs.marks})
        rows.append([act, "", "", f"标记 {marks_done} 个单元格（{', '.join(tags)}）/ marked {marks_done} cells"])
    if notes_done:
        rows.append([act, "", "", f"添加 {notes_done} 条批注 / added {notes_done} notes"])
    return rows


def can_log(book: Book) -> bool:
    """Whether the log can be written: its sheet exists unprotected, or may be added."""
    if book.has_sheet(LOG_SHEET):
        return not is_protected(book.xml(LOG_SHEET))
    return not book.structure_locked


def append_log(book: Book, rows: list[list[str]], now: dt.datetime, user: str) -> int:
    """Append the rows to 变更日志 (creating it if missing). Returns the number of rows written."""
    if not rows or not can_log(book):
        return 0
    if not book.has_sheet(LOG_SHEET):
        book.add_sheet(LOG_SHEET, [HEADERS], header_style=book.styles.palette_xf("header"), widths=WIDTHS)
    start = max(last_used_row(book.xml(LOG_SHEET)), 1) + 1
    time_style = book.styles.with_number_format(0, TIME_FORMAT)
    stamp = CellPatch(now.replace(tzinfo=None, microsecond=0), style=time_style)
    who = CellPatch(user)
    table = [[stamp, who, *map(CellPatch, row)] for row in rows]
    book.set_xml(LOG_SHEET, append_table(book.xml(LOG_SHEET), start, table, book.date1904))
    return len(rows)


def current_user() -> str:
    """Who is writing, for the 用户 column of 变更日志."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (e.g. a service account): still log the change
        return "?"
