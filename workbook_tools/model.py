"""What the reader produces and every operation consumes.

A :class:`WorkbookModel` holds one :class:`SheetData` per data sheet. ``SheetData.df`` is a
pandas DataFrame whose **index is the Excel row number** and whose columns are schema keys;
values are parsed (dates as ``Timestamp``/``NaT``, amounts and integers as ``float``/``NaN``,
everything else ``str`` or ``None``). ``SheetData.raw`` has the same shape and holds each cell
as it was stored (str, float, int, bool, datetime or None), so validation can tell a date
typed as text from a real date and report a value that did not parse.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .history import History
from .i18n import L
from .schema import SCHEMA, Schema, SheetSpec
from .schema.headers import HeaderMatch, HeaderPin
from .schema.units import MONEY_FACTORS
from .stamp import SourceStamp

if TYPE_CHECKING:  # pandas loads with the reader, not with the vocabulary (a quick `wbt --help`)
    import pandas as pd


def col_letter(index: int) -> str:
    """1 → A, 27 → AA."""
    out = ""
    while index > 0:
        index, rem = divmod(index - 1, 26)
        out = chr(65 + rem) + out
    return out


def col_index(letters: str) -> int:
    """A → 1, AA → 27."""
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ord(ch) - 64)
    return n


def cell_ref(row: int, col: int) -> str:
    return f"{col_letter(col)}{row}"


def split_ref(ref: str) -> tuple[int, int]:
    """'B12' → (12, 2)."""
    i = 0
    while i < len(ref) and ref[i].isalpha():
        i += 1
    return int(ref[i:]), col_index(ref[:i])


@dataclass(frozen=True)
class Notice:
    """Something the reader noticed (a header it could not map, a formula without a value …)."""

    code: str                 # stable, e.g. R-UNKNOWN-COLUMN
    message: L
    sheet: str | None = None
    cell: str | None = None
    severity: str = "warning"  # error | warning | info

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "message": self.message.get(lang)}


@dataclass
class SheetData:
    spec: SheetSpec
    name: str                                   # the sheet's name in this workbook
    df: pd.DataFrame                            # parsed values, index = Excel row number
    raw: pd.DataFrame                           # values as stored, same index and columns
    header_row: int                             # Excel row number of the header
    columns: dict[str, int]                     # schema key → 1-based column index
    header_cells: dict[str, str]                # schema key → header cell address (e.g. "C3")
    headers: dict[str, str]                     # schema key → header text as found
    unknown_columns: dict[str, int] = field(default_factory=dict)  # header text → column index
    missing_columns: list[str] = field(default_factory=list)        # schema keys not found
    text_typed: set[tuple[int, str]] = field(default_factory=set)  # (row, key): date/number typed as text
    hidden_rows: set[int] = field(default_factory=set)
    formulas_without_value: set[tuple[int, str]] = field(default_factory=set)  # (row, key): formula, no cached value
    # (row, key) → formula text without '=' of each formula cell in the data area ("" for a shared or
    # array formula); the frames hold the cached values, read like any other value
    formulas: dict[tuple[int, str], str] = field(default_factory=dict)
    merged: list[str] = field(default_factory=list)  # merged ranges that reach into the data area
    last_row: int = 0                           # last Excel row of the data area (header_row if empty)
    # how every non-empty header cell was read (mapped, contested → decided, ambiguous, unknown …)
    matches: list[HeaderMatch] = field(default_factory=list)
    units: dict[str, str] = field(default_factory=dict)       # amount column → unit its cells are in (元, 万元 … '?')
    unit_from: dict[str, str] = field(default_factory=dict)   # amount column → header / pinned / default
    samples: dict[int, list[Any]] = field(default_factory=dict)  # unknown/ambiguous column index → first values
    sub_header_row: int | None = None           # a second header line (English, units) below header_row
    date_orders: dict[str, str] = field(default_factory=dict)  # date column → 'dmy' / 'mdy' for 13/3/2024-style text

    @property
    def ambiguous(self) -> list[HeaderMatch]:
        """Header cells two or more columns could be (a finding; a 代码表 pin decides)."""
        return [m for m in self.matches if m.how == "ambiguous"]

    def in_own_unit(self, key: str, wan: float) -> float:
        """An amount in 万元 (as ``df`` holds it) in the unit of the column's cells, for writing back."""
        return wan / MONEY_FACTORS.get(self.units.get(key, "万元"), 1.0)

    def cell(self, row: int, key: str) -> str | None:
        """Address of the cell holding ``key`` in Excel row ``row`` (None if the column is missing)."""
        col = self.columns.get(key)
        return cell_ref(row, col) if col else None

    @property
    def n_rows(self) -> int:
        return len(self.df)


@dataclass
class Grid:
    """Every cell of one sheet as a file stores it (for comparing two versions of a workbook):
    ``values[r][c]`` is the value of Excel row r+1, column c+1 (a formula's cached value; ``""``
    for an empty cell), ``formulas`` the formula text without '=' by 1-based (row, col)."""

    values: list[list[Any]]
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass
class Settings:
    """Lists, industry codes and thresholds as read from 代码表 (schema defaults where missing)."""

    lists: dict[str, list[str]]
    industry_codes: dict[str, str]              # industry name → code
    values: dict[str, Any]
    from_workbook: set[str] = field(default_factory=set)  # keys whose value came from the workbook
    cells: dict[str, str] = field(default_factory=dict)   # setting key → cell address of its value
    header_pins: list[HeaderPin] = field(default_factory=list)  # 代码表's header-mapping rows

    def get(self, key: str) -> Any:
        return self.values[key]

    def number(self, key: str) -> float:
        """A numeric setting; the schema default when the value is not a number (the reader already
        keeps the default for an unreadable cell, but a model built in code may hold anything)."""
        try:
            return float(self.values[key])
        except (TypeError, ValueError):
            return float(SCHEMA.setting(key).default)

    @classmethod
    def defaults(cls, schema: Schema = SCHEMA) -> Settings:
        lists = {li.key: list(li.values) for li in schema.lists}
        lists["industry"] = [i.name for i in schema.industries]
        return cls(lists=lists, industry_codes={i.name: i.code for i in schema.industries},
                   values={s.key: s.default for s in schema.settings})


@dataclass
class WorkbookModel:
    path: Path
    sheets: dict[str, SheetData]                 # schema sheet key → data ('customers', 'contacts', 'complaints')
    settings: Settings
    sheet_names: list[str]                       # every sheet, workbook order
    hidden_sheets: list[str] = field(default_factory=list)
    notices: list[Notice] = field(default_factory=list)
    date1904: bool = False
    format: str = "xlsx"                         # xlsx | xlsm | xls
    # a data sheet not found → the sheets that might hold it (a header of it, but too few to be sure)
    unplaced: dict[str, list[str]] = field(default_factory=dict)
    source: SourceStamp | None = None            # the file as read (a write proves it patches that file)
    history: History = field(default_factory=History)  # the grade history (_wbt_history), as read
    # results derived from this model's frames, shared by the steps of one run (see ops.links);
    # not an __init__ field, so ``dataclasses.replace`` gives a copy an empty memo
    memo: dict[Any, Any] = field(default_factory=dict, init=False, repr=False, compare=False)

    def sheet(self, key: str) -> SheetData | None:
        return self.sheets.get(key)

    @property
    def lang(self) -> str:
        """The workbook's own language, ``"zh"`` or ``"en"``: the majority of its data sheets' names
        and the headers the reader matched (a word with a Chinese character counts for Chinese, a
        word of Latin letters for English; Chinese when tied or none). The sheets the tool adds
        (change log, validation results, reviews) are named in it."""
        zh = en = 0
        for sheet in self.sheets.values():
            for text in (sheet.name, *sheet.headers.values()):
                if any("\u4e00" <= ch <= "\u9fff" for ch in text):
                    zh += 1
                elif any(ch.isascii() and ch.isalpha() for ch in text):
                    en += 1
        return "en" if en > zh else "zh"


@dataclass(frozen=True)
class Finding:
    """One problem (or remark) about one cell, row or sheet, with a fix hint."""

    code: str
    severity: str              # error | warning | info
    sheet: str
    message: L
    cell: str | None = None
    row: int | None = None
    column: str | None = None  # schema key
    value: Any = None
    hint: L | None = None

    def to_dict(self, lang: str | None = None) -> dict[str, Any]:
        v = self.value
        if isinstance(v, dt.datetime | dt.date):  # pandas' Timestamp (and NaT) are datetimes
            v = v.isoformat()
        elif isinstance(v, float) and v != v:  # NaN
            v = None
        return {"code": self.code, "severity": self.severity, "sheet": self.sheet, "cell": self.cell,
                "row": self.row, "column": self.column, "value": v, "message": self.message.get(lang),
                "hint": self.hint.get(lang) if self.hint else None}
