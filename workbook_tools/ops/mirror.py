"""Mirror a changeset's cell edits in the in-memory model.

The month-end run plans several steps before it writes anything: the tiers step must see the
customer IDs the IDs step is about to write. Rather than writing the IDs and reading the whole
workbook again, the IDs are put into a copy of the model here, exactly as the reader would
return them after the write. Only what can be mirrored exactly is: text values in text-like
columns of existing data rows. Anything else (a new header cell, a date, a number, a row the
model does not hold) makes :func:`with_edits` return ``None``, and the caller writes and
re-reads instead.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from ..changeset import Changeset
from ..model import SheetData, WorkbookModel, split_ref
from ..reader.frames import clean_text_value
from ..schema import CType

# Column types the reader keeps as (clean) text, so a clean text value reads back unchanged.
MIRRORED_TYPES = frozenset({CType.TEXT, CType.LONGTEXT, CType.LIST, CType.CUSTOMER_ID, CType.TERM})


def with_edits(model: WorkbookModel, cs: Changeset) -> WorkbookModel | None:
    """A copy of ``model`` holding the values ``cs`` would write; ``None`` when they cannot be
    mirrored exactly (the caller then writes and reads the workbook again). ``model`` is left as it was."""
    by_name = {s.name: key for key, s in model.sheets.items()}
    planned: dict[str, dict[str, dict[int, str]]] = {}  # sheet key → column key → row → value
    for e in cs.edits:
        key = by_name.get(e.sheet)
        if key is None or not isinstance(e.new, str) or clean_text_value(e.new) != e.new:
            return None
        sheet = model.sheets[key]
        try:
            row, col = split_ref(e.cell)
        except ValueError:
            return None
        column = _column_at(sheet, col)
        if column is None or row not in sheet.df.index or sheet.spec.column(column).type not in MIRRORED_TYPES:
            return None
        cells = planned.setdefault(key, {}).setdefault(column, {})
        if row in cells:
            return None  # two edits of one cell: let the writer decide
        cells[row] = e.new
    if not planned:
        return model
    sheets = dict(model.sheets)
    for key, columns in planned.items():
        sheets[key] = _updated(model.sheets[key], columns)
    return replace(model, sheets=sheets)


def _column_at(sheet: SheetData, col: int) -> str | None:
    for key, index in sheet.columns.items():
        if index == col:
            return key
    return None


def _updated(sheet: SheetData, columns: dict[str, dict[int, str]]) -> SheetData:
    df, raw = sheet.df.copy(), sheet.raw.copy()
    for column, cells in columns.items():
        rows = pd.Index(list(cells), dtype="int64")
        values = pd.Series(list(cells.values()), index=rows, dtype=object)
        df[column] = df[column].astype(object)
        df.loc[rows, column] = values
        raw.loc[rows, column] = values
    # the edited text was checked clean, so it is what the reader would parse; nothing else changes
    return replace(sheet, df=df, raw=raw, text_typed={t for t in sheet.text_typed
                                                      if t[0] not in columns.get(t[1], {})})
