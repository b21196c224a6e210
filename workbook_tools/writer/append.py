"""Appending whole new rows after the last row of a sheet (the change log), without walking it.

:func:`append_rows` gives exactly the bytes :func:`~workbook_tools.writer.cells.patch_cells` would:
when every patched row lies below every existing row, the generic pass only copies the sheet and
adds the new rows before ``</sheetData>``. Anything else falls back to the generic pass.
"""

from __future__ import annotations

import re

from .cells import CellPatch, NewRows, col_styles, patch_cells
from .sheetxml import sheet_data_span, update_dimension

__all__ = ["append_rows"]

_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b")
_ROW_NUM = re.compile(rb'<(?:\w+:)?row\b[^>]*?\sr\s*=\s*"(\d+)"')


def append_rows(xml: bytes, patches: dict[tuple[int, int], CellPatch], date1904: bool = False) -> bytes:
    """``patch_cells(xml, patches, date1904)``, fast when the patches only add rows at the end."""
    if not patches:
        return xml
    lo, hi, prefix, closed = sheet_data_span(xml)
    by_row: dict[int, dict[int, CellPatch]] = {}
    for (r, c), p in patches.items():
        by_row.setdefault(r, {})[c] = p
    rows = sorted(by_row)
    if closed:
        return patch_cells(xml, patches, date1904)
    # every existing row must say its number (else the generic pass counts them) and lie above.
    # Fast path for a long change log: rows written as <row r="N" (Excel's and our own form) are
    # counted with bytes.count and one literal-led pattern; anything else takes the full pattern.
    tag = b"<" + prefix + b"row"
    nums = re.compile(re.escape(tag) + rb' r="(\d+)"').findall(xml, lo, hi)
    if len(nums) != xml.count(tag, lo, hi):
        nums = _ROW_NUM.findall(xml, lo, hi)
        if len(nums) != len(_ROW_TAG.findall(xml, lo, hi)):
            return patch_cells(xml, patches, date1904)
    if nums and max(map(int, nums)) >= rows[0]:
        return patch_cells(xml, patches, date1904)
    cols = col_styles(xml)
    builder = NewRows(cols, prefix, date1904)
    new = b"".join(builder.row(r, by_row[r]) for r in rows)
    return update_dimension(xml[:hi] + new + xml[hi:], patches)
