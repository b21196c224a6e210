"""The grade history in the open workbook: one month's records replaced in the veryHidden sheets
``_wbt_history`` … as the file writer does (:mod:`workbook_tools.writer.history`), with few calls:
each history sheet is read in one used-range read and written from its first changed row in one
block (rows it no longer needs are emptied in the same block).
"""

from __future__ import annotations

from typing import Any

from ..changeset import HistoryWrite
from ..history import COLUMNS, replace_period, sheet_chunks, stored_row
from ..schema import history_sheet_name, history_sheet_number
from .xlutil import Sheets, cell_value


def write_history(sheets: Sheets, hw: HistoryWrite) -> int:
    """Replace ``hw.period``'s records; returns how many were written."""
    from .xlreader import sheet_rows  # here: the reader's modules load with a read, not with the applier

    names = [n for _, n in sorted((history_sheet_number(n), n) for n in sheets.names() if history_sheet_number(n))]
    old = {name: [stored_row(r) for r in sheet_rows(sheets.get(name))[1:]] for name in names}
    records = replace_period([r for name in names for r in old[name]], hw.period, hw.rows)
    chunks = sheet_chunks(records)
    for i, chunk in enumerate(chunks, start=1):
        name = names[i - 1] if i <= len(names) else history_sheet_name(i)
        if name not in old:
            _put(sheets.add_very_hidden(name), 1, chunk, 0)   # no column widths: a hidden sheet, fewer calls
            continue
        _rewrite(sheets.get(name), old[name], chunk[1:])
    for name in names[len(chunks):]:            # fewer records than before: a later sheet keeps its header only
        _rewrite(sheets.get(name), old[name], [])
    return len(hw.rows)


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
