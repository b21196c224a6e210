"""The grade history in the open workbook: one month's records replaced in the veryHidden sheets
``_wbt_history`` … as the file writer does (:mod:`workbook_tools.writer.history`), with few calls:
a new month's records are appended in one block below the last one; a month recorded again has
each history sheet read in one used-range read and written from its first changed row in one
block (rows it no longer needs are emptied in the same block).
"""

from __future__ import annotations

from typing import Any

from ..changeset import HistoryWrite
from ..history import (
    COLUMNS,
    history_sheets,
    per_sheet,
    replace_period,
    sheet_chunks,
    sheet_names,
    stored_row,
)
from .xlutil import Sheets, cell_value


def write_history(sheets: Sheets, hw: HistoryWrite) -> int:
    """Replace ``hw.period``'s records; returns how many were written. A month recorded for the first
    time is appended below the last record (one call for the last row) without reading the others."""
    from .xlreader import sheet_rows  # here: the reader's modules load with a read, not with the applier

    names = history_sheets(sheets.names())
    if names and not hw.replaces:
        _append(sheets, names, [stored_row(r) for r in hw.rows])
        return len(hw.rows)
    old = {name: [stored_row(r) for r in sheet_rows(sheets.get(name))[1:]] for name in names}
    records = replace_period([r for name in names for r in old[name]], hw.period, hw.rows)
    chunks = sheet_chunks(records)
    for name, chunk in zip(sheet_names(names, len(chunks)), chunks):
        if name not in old:
            _put(sheets.add_very_hidden(name), 1, chunk, 0)   # no column widths: a hidden sheet, fewer calls
        else:
            _rewrite(sheets.get(name), old[name], chunk[1:])
    for name in names[len(chunks):]:            # fewer records than before: a later sheet keeps its header only
        _rewrite(sheets.get(name), old[name], [])
    return len(hw.rows)


def _append(sheets: Sheets, names: list[str], rows: list[list[Any]]) -> None:
    sh = sheets.get(names[-1])
    have = max(sh.used_range.last_cell.row - 1, 0)      # records on the last sheet
    room = max(per_sheet() - have, 0)
    _put(sh, have + 2, rows[:room], 0)
    chunks = sheet_chunks(rows[room:]) if rows[room:] else []
    for name, chunk in zip(sheet_names(names, len(names) + len(chunks))[len(names):], chunks):
        _put(sheets.add_very_hidden(name), 1, chunk, 0)


def _rewrite(sh: Any, before: list[list[Any]], after: list[list[Any]]) -> None:
    """Write ``after`` over the records ``before`` from the first row that differs."""
    same = 0
    while same < min(len(before), len(after)) and before[same] == after[same]:
        same += 1
    if same == len(before) == len(after):
        return
    _put(sh, same + 2, after[same:], max(0, len(before) - len(after)))


def _put(sh: Any, first: int, rows: list[list[Any]], blank: int) -> None:
    block = [[cell_value(v) for v in row] for row in rows] + [[None] * len(COLUMNS) for _ in range(blank)]
    if block:
        sh.range((first, 1), (first + len(block) - 1, len(COLUMNS))).value = block
