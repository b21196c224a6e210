"""Appending whole rows after the last row of a sheet (the change log), without walking it.

:func:`append_table` gives exactly the bytes :func:`~workbook_tools.writer.cells.patch_cells` would
for the same cells: when every new row lies below every existing row (found as
:func:`~workbook_tools.writer.sheetxml.locate_rows` finds rows), the rows are built in one pass and
put before ``</sheetData>``. Anything else takes the generic pass.
"""

from __future__ import annotations

from .cellfind import col_styles
from .cells import CellPatch, NewRows, patch_cells
from .sheetxml import locate_rows, sheet_data_span, update_dimension

__all__ = ["append_table"]


def append_table(xml: bytes, first_row: int, rows: list[list[CellPatch]], date1904: bool = False) -> bytes:
    """Rows of cells from column A on, from ``first_row`` down, without a patch per cell address (a
    month end logs some 70,000 rows)."""
    if not rows:
        return xml
    lo, hi, prefix, closed = sheet_data_span(xml)
    spots = None if closed else locate_rows(xml, lo, hi, prefix, [first_row])
    if spots is None or spots[0][2] is not None or spots[0][1] != hi:  # not simply below every row
        return patch_cells(xml, {(first_row + i, c): p for i, row in enumerate(rows) for c, p in enumerate(row, 1)},
                           date1904)
    builder = NewRows(col_styles(xml), prefix, date1904)
    new = b"".join(builder.cells(first_row + i, enumerate(row, 1)) for i, row in enumerate(rows))
    corners = [(first_row, 1), (first_row + len(rows) - 1, max(len(row) for row in rows))]
    return update_dimension(xml[:hi] + new + xml[hi:], corners)
