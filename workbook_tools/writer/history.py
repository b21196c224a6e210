"""The grade history in a workbook file: one month's records replaced in the veryHidden sheets
``_wbt_history`` (``_wbt_history 2`` … when a sheet is full; layout: :mod:`workbook_tools.history`).

Every other record stays, in its order, and so does a row the tool cannot read; a history sheet
whose records do not change is not rewritten.
"""

from __future__ import annotations

from typing import Any

from ..changeset import HistoryWrite
from ..history import (
    COLUMNS,
    WIDTHS,
    history_sheets,
    per_sheet,
    replace_period,
    sheet_chunks,
    sheet_names,
    stored_row,
)
from ..reader.parse import parse_date
from .append import append_table
from .book import Book, sheet_xml
from .cells import KEEP, CellPatch
from .sheetxml import is_protected, iter_cells, iter_rows, last_used_row, sheet_data_span
from .values import parse_cell

Cells = dict[tuple[int, int], Any]


def stored_rows(book: Book, name: str) -> list[list[Any]]:
    """The records of one history sheet as stored (header left out), each as wide as the layout."""
    xml = book.xml(name)
    lo, hi, _, closed = sheet_data_span(xml)
    if closed:
        return []
    out: dict[int, list[Any]] = {}
    for r, m in iter_rows(xml, lo, hi):
        if r == 1:
            continue
        row: list[Any] = [None] * len(COLUMNS)
        for c, cm in iter_cells(m.group(0), r):
            if c <= len(COLUMNS):
                cell = parse_cell(cm.group(0), r, c, book.sst)
                v = cell.value
                if isinstance(v, float) and book.styles.is_date_xf(cell.style):   # a date Excel made of a text
                    v = parse_date(v, date1904=book.date1904) or v
                row[c - 1] = v
        out[r] = stored_row(row)
    return [out[r] for r in sorted(out)]


def history_problem(book: Book) -> tuple[str, str] | None:
    """(sheet, why) when the history cannot be written: a protected history sheet, or a new sheet
    needed in a workbook whose structure is protected."""
    names = history_sheets(book.refs)
    for name in names:
        if is_protected(book.xml(name)):
            return name, "protected"
    if not names and book.structure_locked:
        return sheet_names([], 1)[0], "structure"
    return None


def write_history(book: Book, hw: HistoryWrite) -> dict[str, Cells]:
    """Replace ``hw.period``'s records; returns the cells of the new records by sheet (for the read-back).
    A month recorded for the first time is appended below the last record, without reading the others."""
    names = history_sheets(book.refs)
    if names and not hw.replaces:
        return _append(book, names, [stored_row(r) for r in hw.rows])
    old = {name: stored_rows(book, name) for name in names}
    records = replace_period([r for name in names for r in old[name]], hw.period, hw.rows)
    chunks = sheet_chunks(records)
    for name, chunk in zip(sheet_names(names, len(chunks)), chunks):
        if name not in old:
            book.add_sheet(name, chunk, state="veryHidden", widths=list(WIDTHS))
        elif old[name] != chunk[1:]:
            book.set_xml(name, sheet_xml(chunk, widths=list(WIDTHS)))
    for name in names[len(chunks):]:            # fewer records than before: a later sheet keeps its header only
        if old[name]:
            book.set_xml(name, sheet_xml([list(COLUMNS)], widths=list(WIDTHS)))
    return new_cells(len(records), hw.rows, sheet_names(names, len(chunks)))


def _append(book: Book, names: list[str], rows: list[list[Any]]) -> dict[str, Cells]:
    last = names[-1]
    have = max(last_used_row(book.xml(last)) - 1, 0)      # records on the last sheet
    room = max(per_sheet() - have, 0)
    out: dict[str, Cells] = {}
    if rows[:room]:
        table = [[CellPatch(KEEP if v is None else v) for v in row] for row in rows[:room]]
        book.set_xml(last, append_table(book.xml(last), have + 2, table, book.date1904))
        out[last] = _cells(rows[:room], have + 2)
    chunks = sheet_chunks(rows[room:]) if rows[room:] else []
    for name, chunk in zip(sheet_names(names, len(names) + len(chunks))[len(names):], chunks):
        book.add_sheet(name, chunk, state="veryHidden", widths=list(WIDTHS))
        out[name] = _cells(chunk[1:], 2)
    return out


def _cells(rows: list[list[Any]], first: int) -> Cells:
    return {(first + i, c): v for i, row in enumerate(rows) for c, v in enumerate(row, start=1)}


def new_cells(total: int, rows: list[list[str]], names: list[str]) -> dict[str, Cells]:
    """Where the new records ended up (the last of ``total`` records over the sheets ``names``, each
    full but the last): ``{sheet: {(row, col): value}}``."""
    n = per_sheet()
    out: dict[str, Cells] = {}
    for k, row in enumerate(map(stored_row, rows), start=total - len(rows)):
        i, r = divmod(k, n)
        out.setdefault(names[i], {}).update(_cells([row], r + 2))
    return out
