"""Appending whole new rows after the last row of a sheet (the change log), without walking it.

:func:`append_rows` gives exactly the bytes :func:`~workbook_tools.writer.cells.patch_cells` would:
when every patched row lies below every existing row, the generic pass only copies the sheet and
adds the new rows before ``</sheetData>``. Anything else falls back to the generic pass.
"""

from __future__ import annotations

import re

from .cells import CellPatch, NewRows, col_styles, patch_cells, rows_of
from .sheetxml import sheet_data_span, update_dimension

__all__ = ["append_rows", "append_table"]

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")
_ROW_NUM = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr\s*=\s*"(\d+)"')


def append_rows(xml: bytes, patches: dict[tuple[int, int], CellPatch], date1904: bool = False) -> bytes:
    """``patch_cells(xml, patches, date1904)``, fast when the patches only add rows at the end."""
    if not patches:
        return xml
    by_row = rows_of(patches)
    rows = sorted(by_row)
    span = _below_every_row(xml, rows[0])
    if span is None:
        return patch_cells(xml, patches, date1904)
    hi, prefix = span
    builder = NewRows(col_styles(xml), prefix, date1904)
    new = b"".join(builder.row(r, by_row[r]) for r in rows)
    return update_dimension(xml[:hi] + new + xml[hi:], patches)


def append_table(xml: bytes, first_row: int, rows: list[list[CellPatch]], date1904: bool = False) -> bytes:
    """Rows of cells from column A on, from ``first_row`` down: the bytes of :func:`append_rows`
    for the same cells, without a patch per cell address (a month end logs some 70,000 rows)."""
    if not rows:
        return xml
    span = _below_every_row(xml, first_row)
    if span is None:
        return patch_cells(xml, {(first_row + i, c): p for i, row in enumerate(rows) for c, p in enumerate(row, 1)},
                           date1904)
    hi, prefix = span
    builder = NewRows(col_styles(xml), prefix, date1904)
    new = b"".join(builder.cells(first_row + i, enumerate(row, 1)) for i, row in enumerate(rows))
    corners = [(first_row, 1), (first_row + len(rows) - 1, max(len(row) for row in rows))]
    return update_dimension(xml[:hi] + new + xml[hi:], corners)


def _below_every_row(xml: bytes, first: int) -> tuple[int, bytes] | None:
    """(end of the rows, namespace prefix) when every existing row says its number and lies above
    ``first``, so new rows simply go before ``</sheetData>``; None otherwise (the generic pass)."""
    lo, hi, prefix, closed = sheet_data_span(xml)
    if closed:
        return None
    # Fast path for a long change log: rows written as <row r="N" (Excel's and our own form) are
    # counted with bytes.count and one literal-led pattern; anything else takes the full pattern.
    tag = b"<" + prefix + b"row"
    n = xml.count(tag, lo, hi)
    if n and n == xml.count(tag + b' r="', lo, hi):  # rows ascend: the last one has the highest number
        at = xml.rfind(tag + b' r="', lo, hi) + len(tag) + 4
        last = int(xml[at:xml.index(b'"', at)])
    else:
        nums = _ROW_NUM.findall(xml, lo, hi)
        if len(nums) != len(_ROW_TAG.findall(xml, lo, hi)):
            return None
        last = max(map(int, nums), default=0)
    return (hi, prefix) if last < first else None
