"""The grade history in a workbook file: one month's records replaced in the veryHidden sheets
``_wbt_history`` (``_wbt_history 2`` … when a sheet is full; layout: :mod:`workbook_tools.history`).

Every other record stays, in its order, and so does a row the tool cannot read; a history sheet
whose records do not change is not rewritten.
"""

from __future__ import annotations

from typing import Any

from ..changeset import HistoryWrite
from ..history import COLUMNS, WIDTHS, per_sheet, replace_period, sheet_chunks, stored_row
from ..reader.parse import parse_date
from ..schema import history_sheet_name, history_sheet_number
from .book import Book, sheet_xml
from .sheetxml import is_protected, iter_cells, iter_rows, sheet_data_span
from .values import parse_cell

Cells = dict[tuple[int, int], Any]


def history_sheets(book: Book) -> list[str]:
    """The history sheets of the workbook, in order."""
    return [n for _, n in sorted((history_sheet_number(n), n) for n in book.refs if history_sheet_number(n))]


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
    names = history_sheets(book)
    for name in names:
        if is_protected(book.xml(name)):
            return name, "protected"
    if not names and book.structure_locked:
        return history_sheet_name(1), "structure"
    return None


def write_history(book: Book, hw: HistoryWrite) -> dict[str, Cells]:
    """Replace ``hw.period``'s records; returns the cells of the new records by sheet (for the read-back)."""
    names = history_sheets(book)
    old = {name: stored_rows(book, name) for name in names}
    records = replace_period([r for name in names for r in old[name]], hw.period, hw.rows)
    chunks = sheet_chunks(records)
    for i, chunk in enumerate(chunks, start=1):
        name = names[i - 1] if i <= len(names) else history_sheet_name(i)
        if name not in old:
            book.add_sheet(name, chunk, state="veryHidden", widths=list(WIDTHS))
        elif old[name] != chunk[1:]:
            book.set_xml(name, sheet_xml(chunk, widths=list(WIDTHS)))
    for name in names[len(chunks):]:            # fewer records than before: a later sheet keeps its header only
        if old[name]:
            book.set_xml(name, sheet_xml([list(COLUMNS)], widths=list(WIDTHS)))
    return new_cells(len(records), hw.rows, names)


def new_cells(total: int, rows: list[list[str]], names: list[str]) -> dict[str, Cells]:
    """Where the new records ended up: ``{sheet: {(row, col): value}}``."""
    n = per_sheet()
    out: dict[str, Cells] = {}
    for k, row in enumerate(rows, start=total - len(rows)):
        i, r = divmod(k, n)
        name = names[i] if i < len(names) else history_sheet_name(i + 1)
        cells = out.setdefault(name, {})
        for c, v in enumerate(row, start=1):
            cells[(r + 2, c)] = v or None
    return out
