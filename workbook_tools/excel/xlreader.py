"""The open Excel workbook (through xlwings) → :class:`~workbook_tools.model.WorkbookModel`.

Each sheet the model needs is read with ONE ``used_range.options(ndim=2).value`` call; the rows
are padded so that ``rows[0]`` is Excel row 1 and ``rows[i][0]`` column A, the shape the file
reader hands to the same code (:func:`workbook_tools.reader.workbook.plan_sheets` finds the sheets,
``assemble_model`` detects the header rows and builds the frames with ``frames.build_sheet`` and
代码表 with ``settings.read_settings``). What Excel cannot tell cheaply is left out: hidden rows
and merged ranges (one call per row/cell) are not reported in live mode; formulas always have a
value in a live workbook.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from ..model import SheetData, WorkbookModel
from ..reader.workbook import add_hidden_notices, assemble_model, plan_sheets
from ..schema import SCHEMA
from .xlutil import formula_rows

USED_API: dict[str, list[str]] = {
    "Book": ["name", "fullname", "sheets"],
    "Sheets": ["__iter__"],
    "Sheet": ["name", "visible", "used_range", "range"],
    "Range": ["row", "column", "options", "value", "formula"],
}
"""Every xlwings attribute the reader touches (checked by tests/test_xlwings_contract.py)."""


def sheet_rows(sheet: Any) -> list[list[Any]]:
    """All values of a sheet from A1 to its last used cell, in one used-range read."""
    ur = sheet.used_range
    top, left = ur.row, ur.column
    block = ur.options(ndim=2).value or []
    rows: list[list[Any]] = [[] for _ in range(top - 1)]
    pad = [None] * (left - 1)
    for row in block:
        rows.append(pad + list(row) if pad else list(row))
    while rows and not any(v is not None and v != "" for v in rows[-1]):
        rows.pop()
    return rows


def read_formulas(xl_sheet: Any, sheet: SheetData) -> None:
    """The formulas of the columns the tool writes as formulas (``Column.formula``), one
    ``Range.formula`` read per column, so an operation sees them as it does in a file."""
    first, last = sheet.header_row + 1, sheet.last_row
    for col in sheet.spec.columns:
        c = sheet.columns.get(col.key)
        if not col.formula or not c or last < first:
            continue
        for i, (f,) in enumerate(formula_rows(xl_sheet.range((first, c), (last, c)), (last - first + 1, 1))):
            if isinstance(f, str) and f.startswith("="):
                sheet.formulas[(first + i, col.key)] = f[1:]


def _visible(value: Any) -> bool:
    # xlwings gives a bool; through COM an XlSheetVisibility int may come back (-1 visible)
    return value is True or value == -1


def read_book(book: Any, *, sheets: list[str] | None = None) -> tuple[WorkbookModel, dict[str, float]]:
    """Build the model of an open workbook. Returns (model, figures: sheets read, seconds)."""
    t0 = time.perf_counter()
    xl_sheets = {s.name: s for s in book.sheets}
    names = list(xl_sheets)
    wanted = [s for s in SCHEMA.data_sheets if sheets is None or s.key in set(sheets)]
    plan = plan_sheets(names, wanted)
    cache: dict[str, list[list[Any]]] = {}

    def load(name: str, nrows: int | None = None) -> list[list[Any]]:
        if name not in cache:
            cache[name] = sheet_rows(xl_sheets[name])
        rows = cache[name]
        return rows[:nrows] if nrows is not None else rows

    full = str(book.fullname or book.name)
    fmt = "xlsm" if full.lower().endswith(".xlsm") else "xlsx"
    model = assemble_model(Path(full), plan, load, lambda n: None, names, {},
                      date1904=False, fmt=fmt)
    for sheet in model.sheets.values():
        read_formulas(xl_sheets[sheet.name], sheet)
    model.hidden_sheets = [n for n, s in xl_sheets.items() if not _visible(s.visible)]
    add_hidden_notices(model)
    return model, {"sheets_read": float(len(cache)), "seconds": time.perf_counter() - t0}
