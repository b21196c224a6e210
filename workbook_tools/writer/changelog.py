"""The 变更日志 (change log) sheet: every write appends what it changed (rows: :mod:`.logrows`).

Columns: 时间, 用户, 操作, 单元格, 原值, 新值, 单元格数, 说明, 运行前备份. A log written by an
older version (the first six columns) gets the new headers and widths on its next append.

No log sheet ever passes Excel's last row (1,048,576): a log sheet is filled down to row
1,048,575 (:data:`LAST_ROW`; the reader treats a sheet reaching the very last row as stray cells
and refuses it), and when a run's rows do not fit below the last row of the current log sheet,
they go to a new sheet ``变更日志 2`` (then ``变更日志 3`` …) at the end of the workbook. A run's
rows stay together on one sheet unless they fill a whole sheet themselves. No row is dropped
or moved.
"""

from __future__ import annotations

import datetime as dt
import getpass
import math
import re
from typing import Any

from ..schema import CHANGELOG_SHEET, changelog_sheet_name, changelog_sheet_number
from ..values import display_width
from .append import append_table
from .book import Book
from .cellfind import read_cells
from .cells import CellPatch
from .logrows import action_label, log_rows, show
from .sheetxml import SHEETDATA_RE, is_protected, last_used_row
from .values import MAX_ROW, StoredCell

__all__ = ["HEADERS", "LOG_SHEET", "TIME_FORMAT", "WIDTHS", "action_label", "append_log", "can_log", "chunks",
           "current_user", "log_lang", "log_rows", "log_sheets", "show", "stored_show"]

LOG_SHEET = CHANGELOG_SHEET
HEADERS = ["时间", "用户", "操作", "单元格", "原值", "新值", "单元格数", "说明", "运行前备份"]
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
# characters: the time stamp shows whole, sheet!cell and values mostly fit, 说明 wraps
WIDTHS = [20, 10, 24, 30, 22, 22, 9, 60, 42]
LAST_ROW = MAX_ROW - 1   # the last row a log sheet is filled to
LINE_HEIGHT = 15         # points per wrapped line
MAX_LINES = 8


def stored_show(book: Book, cell: StoredCell) -> str:
    """What a cell held, as text; a number in a date-formatted cell is shown as the date."""
    v = cell.value
    if isinstance(v, float) and not cell.formula and book.styles.is_date_xf(cell.style) and 0 < v < 2958466:
        base = dt.datetime(1904, 1, 1) if book.date1904 else dt.datetime(1899, 12, 30)
        return show(base + dt.timedelta(days=v))
    return show(v)


def log_sheets(names: list[str]) -> list[str]:
    """The log sheets among ``names``, in order: 变更日志, 变更日志 2, …"""
    found = [(changelog_sheet_number(n), n) for n in names]
    return [n for k, n in sorted((k, n) for k, n in found if k)]


def log_lang(names: list[str], lang: str | None) -> str | None:
    """The language of the log's sheet names: the one the workbook's log already uses, else ``lang``."""
    if names:
        return "en" if names[0].isascii() else "zh"
    return lang


def chunks(last_row: int, n_rows: int, limit: int | None = None) -> list[tuple[bool, int, int]]:
    """Where ``n_rows`` new log rows go, given the current log sheet's last used row (0: no sheet):
    ``(new sheet?, first row, how many)`` per sheet. The rows stay on the current sheet when they
    fit below ``last_row``; otherwise they start a new sheet (row 2, under its headers), and only
    rows that fill a whole sheet continue on the next one."""
    limit = LAST_ROW if limit is None else limit
    out: list[tuple[bool, int, int]] = []
    new = last_row == 0
    start = 2 if new else max(last_row, 1) + 1
    if not new and start + n_rows - 1 > limit:
        new, start = True, 2
    left = n_rows
    while left:
        room = limit - start + 1
        take = min(left, room)
        out.append((new, start, take))
        left -= take
        new, start = True, 2
    return out


def can_log(book: Book) -> bool:
    """Whether the log can be written: its sheet exists unprotected, or may be added."""
    names = log_sheets(list(book.refs))
    if names:
        return not is_protected(book.xml(names[-1]))
    return not book.structure_locked


def append_log(book: Book, rows: list[list[Any]], now: dt.datetime, user: str, lang: str | None = None) -> int:
    """Append the rows to the last log sheet (creating 变更日志 — Change log in an English workbook,
    ``lang`` — or a continuation sheet when the rows would pass the last row; a continuation keeps
    the name of the log it continues). Returns the number of rows written."""
    if not rows or not can_log(book):
        return 0
    names = log_sheets(list(book.refs))
    current = names[-1] if names else None
    last = last_used_row(book.xml(current)) if current else 0
    plan = chunks(max(last, 1) if current else 0, len(rows))
    if any(new for new, _, _ in plan) and book.structure_locked:
        from .checks import refuse
        raise refuse("“{s}”已写到 Excel 的最后一行，需要新建“{n}”继续记录，但工作簿结构受保护。请先撤销“保护工作簿”。",
                     "'{s}' has reached Excel's last row and the log continues on a new sheet '{n}', but the "
                     "workbook structure is protected. Unprotect the workbook first.", sheet=current,
                     s=current, n=changelog_sheet_name(len(names) + 1, log_lang(names, lang)))
    cell_style = book.styles.palette_xf("wrap")     # bordered, top-aligned, wrapped: a long 说明 shows whole
    stamp = CellPatch(now.replace(tzinfo=None, microsecond=0), style=book.styles.with_number_format(cell_style,
                                                                                                     TIME_FORMAT))
    who = CellPatch(user, cell_style)
    done = 0
    for new, start, take in plan:
        if new:
            current = changelog_sheet_name(len(log_sheets(list(book.refs))) + 1, log_lang(names, lang))
            book.add_sheet(current, [HEADERS], header_style=book.styles.palette_xf("header"), widths=WIDTHS)
        else:
            assert current is not None
            _upgrade(book, current)
        chunk = rows[done:done + take]
        table = [[stamp, who, *(CellPatch(v, cell_style) for v in row)] for row in chunk]
        xml = append_table(book.xml(current), start, table, book.date1904)
        book.set_xml(current, tall_rows(xml, start, chunk))
        done += take
    return done


def lines_needed(row: list[Any]) -> int:
    """How many lines a log row takes with its cells wrapped in their columns (CJK characters
    count two), at most :data:`MAX_LINES`. ``row`` starts at 操作 (no time and user)."""
    n = max(math.ceil(display_width(show(v)) / max(w - 2, 1)) for v, w in zip(row, WIDTHS[2:]))
    return max(1, min(n, MAX_LINES))


def tall_rows(xml: bytes, first: int, rows: list[list[Any]]) -> bytes:
    """Give the new rows that wrap a height that shows them whole (Excel and LibreOffice do not
    grow a row that a file gives no height)."""
    for i, row in enumerate(rows):
        n = lines_needed(row)
        if n > 1:
            tag = b'row r="%d">' % (first + i)     # <row … or <x:row … as the sheet writes it
            at = xml.rfind(tag)
            if at >= 0:
                xml = xml[:at] + b'row r="%d" ht="%g" customHeight="1">' % (first + i, LINE_HEIGHT * n) + \
                    xml[at + len(tag):]
    return xml


def _upgrade(book: Book, name: str) -> None:
    """A log sheet of an older version (fewer columns): add the missing headers (styled like the
    last one) and column widths. A sheet whose row 1 is not our header row is left alone."""
    xml = book.xml(name)
    head = read_cells(xml, [(1, c) for c in range(1, len(HEADERS) + 1)], book.sst)
    if head[(1, 1)].value != HEADERS[0]:
        return
    missing = [c for c in range(2, len(HEADERS) + 1) if head[(1, c)].value in (None, "")]
    if not missing:
        return
    style = head[(1, min(missing) - 1)].style or None
    book.patch(name, {(1, c): CellPatch(HEADERS[c - 1], style) for c in missing})
    book.set_xml(name, ensure_widths(book.xml(name), {c: WIDTHS[c - 1] for c in missing}))


_COL = re.compile(rb'<(?:\w+:)?col\b[^>]*?\bmin="(\d+)"[^>]*?\bmax="(\d+)"')
_COL2 = re.compile(rb'<(?:\w+:)?col\b[^>]*?\bmax="(\d+)"[^>]*?\bmin="(\d+)"')


def ensure_widths(xml: bytes, widths: dict[int, float]) -> bytes:
    """Give the columns in ``widths`` that no ``<col>`` covers yet a width (``<cols>`` is made
    before ``<sheetData>`` when the sheet has none)."""
    m = SHEETDATA_RE.search(xml)
    if m is None:
        return xml
    prefix = m.group(1)
    head = xml[:m.start()]
    covered = {c for a, b in ((int(x), int(y)) for x, y in _COL.findall(head)) for c in range(a, b + 1)}
    covered |= {c for b, a in ((int(x), int(y)) for x, y in _COL2.findall(head)) for c in range(a, b + 1)}
    new = b"".join(b'<%scol min="%d" max="%d" width="%s" customWidth="1"/>' % (prefix, c, c, f"{w:g}".encode())
                   for c, w in sorted(widths.items()) if c not in covered)
    if not new:
        return xml
    end = head.rfind(b"</" + prefix + b"cols>")
    if end >= 0:
        return xml[:end] + new + xml[end:]
    return xml[:m.start()] + b"<" + prefix + b"cols>" + new + b"</" + prefix + b"cols>" + xml[m.start():]


def current_user() -> str:
    """Who is writing, for the 用户 column of 变更日志."""
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no login name (e.g. a service account): still log the change
        return "?"
