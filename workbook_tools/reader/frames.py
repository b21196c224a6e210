"""From a header row and raw data rows to a :class:`SheetData` (parsed and raw frames).

Used by the file reader, by live mode (values read from Excel through xlwings) and by tests
(:mod:`workbook_tools.testing`), so every path parses cells the same way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import L
from ..model import Notice, SheetData, cell_ref
from ..schema import CType, SheetSpec, norm_header, strip_unit
from . import parse

DATE_TYPES = (CType.DATE, CType.DATETIME, CType.YEAR_OR_DATE)
NUMBER_TYPES = (CType.AMOUNT, CType.INTEGER, CType.RATING)


def map_headers(spec: SheetSpec, header_values: Sequence[Any]
                ) -> tuple[dict[str, int], dict[str, str], dict[str, int], list[tuple[str, int]]]:
    """Match header cells to schema columns: exact (normalised) spelling first, then without units.

    Returns (columns key→1-based index, headers key→text, unknown text→index, duplicates [(text, index)]).
    """
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.zh, col.en, col.key, *col.aliases):
            n = norm_header(name)
            if n:
                exact.setdefault(n, col.key)
                loose.setdefault(strip_unit(n), col.key)
    columns: dict[str, int] = {}
    headers: dict[str, str] = {}
    unknown: dict[str, int] = {}
    dups: list[tuple[str, int]] = []
    for idx, value in enumerate(header_values, start=1):
        text = parse.clean_text(value)
        if not text:
            continue
        n = norm_header(text)
        key = exact.get(n) or loose.get(strip_unit(n)) or exact.get(strip_unit(n))
        if key is None:
            unknown[text] = idx
        elif key in columns:
            dups.append((text, idx))
        else:
            columns[key] = idx
            headers[key] = text
    return columns, headers, unknown, dups


def header_score(spec: SheetSpec, values: Sequence[Any]) -> int:
    """How many cells of a row are headers of this sheet (to find the header row)."""
    cols, _, _, _ = map_headers(spec, values)
    return len(cols)


def build_sheet(spec: SheetSpec, name: str, header_row: int, header_values: Sequence[Any],
                rows: Sequence[Sequence[Any]], first_row: int | None = None,
                hidden_rows: set[int] | None = None) -> tuple[SheetData, list[Notice]]:
    """Build the frames of one data sheet. ``rows`` are the raw rows below the header; the first
    of them is Excel row ``first_row`` (default header_row + 1). Fully empty rows are dropped."""
    first_row = header_row + 1 if first_row is None else first_row
    columns, headers, unknown, dups = map_headers(spec, header_values)
    notices: list[Notice] = []
    for text, idx in dups:
        notices.append(Notice("R-DUPLICATE-COLUMN", L("表头“{h}”重复出现，只读取第一列", "Header '{h}' appears twice; "
                              "only the first is read").format(h=text), name, cell_ref(header_row, idx)))
    for text, idx in unknown.items():
        notices.append(Notice("R-UNKNOWN-COLUMN", L("未识别的列“{h}”，已保留但不处理", "Unknown column '{h}' kept "
                              "but not used").format(h=text), name, cell_ref(header_row, idx), "info"))
    missing = [c.key for c in spec.columns if c.key not in columns]
    for key in missing:
        col = spec.column(key)
        if col.required:
            notices.append(Notice("R-MISSING-COLUMN", L(f"缺少必填列“{col.zh}”", f"Required column '{col.en}' "
                                  f"({col.zh}) is missing"), name, None, "error"))

    # keep the rows that hold anything in a known column
    keep_idx: list[int] = []
    picked: list[list[Any]] = []
    positions = [(c.key, columns[c.key] - 1) for c in spec.columns if c.key in columns]
    for i, row in enumerate(rows):
        vals = [row[p] if p < len(row) else None for _, p in positions]
        if any(not parse.is_empty(v) for v in vals):
            keep_idx.append(first_row + i)
            picked.append(vals)

    index = pd.Index(keep_idx, dtype="int64", name="row")
    raw_cols: dict[str, Any] = {}
    parsed_cols: dict[str, Any] = {}
    text_typed: set[tuple[int, str]] = set()
    for j, (key, _) in enumerate(positions):
        raw = [r[j] for r in picked]
        raw = [None if parse.is_empty(v) else v for v in raw]
        col = spec.column(key)
        raw_cols[key] = pd.Series(raw, index=index, dtype=object)
        parsed, typed = _parse_column(col.type, raw, keep_idx)
        dtype = None if col.type in DATE_TYPES or col.type in NUMBER_TYPES else object
        parsed_cols[key] = pd.Series(parsed, index=index, dtype=dtype)
        text_typed.update((r, key) for r in typed)
    for c in spec.columns:
        if c.key not in raw_cols:
            raw_cols[c.key] = pd.Series([None] * len(index), index=index, dtype=object)
            parsed_cols[c.key] = _empty(c.type, index)
    order = [c.key for c in spec.columns]
    raw_df = pd.DataFrame({k: raw_cols[k] for k in order}, index=index)
    df = pd.DataFrame({k: parsed_cols[k] for k in order}, index=index)
    last_row = keep_idx[-1] if keep_idx else header_row
    sheet = SheetData(spec=spec, name=name, df=df, raw=raw_df, header_row=header_row, columns=columns,
                      header_cells={k: cell_ref(header_row, i) for k, i in columns.items()}, headers=headers,
                      unknown_columns=unknown, missing_columns=missing, text_typed=text_typed,
                      hidden_rows=set(hidden_rows or ()), last_row=last_row)
    return sheet, notices


def _empty(ctype: CType, index: pd.Index) -> pd.Series:
    if ctype in DATE_TYPES:
        return pd.Series(pd.NaT, index=index, dtype="datetime64[ns]")
    if ctype in NUMBER_TYPES:
        return pd.Series(np.nan, index=index, dtype="float64")
    return pd.Series([None] * len(index), index=index, dtype=object)


def _parse_column(ctype: CType, raw: list[Any], rows: list[int]) -> tuple[Any, list[int]]:
    typed: list[int] = []
    if ctype in DATE_TYPES:
        fn = parse.parse_year_or_date if ctype == CType.YEAR_OR_DATE else parse.parse_date
        out: list[Any] = []
        for r, v in zip(rows, raw):
            if isinstance(v, dt.datetime):
                out.append(v)
                continue
            d = None if v is None or parse.is_empty_mark(v) else fn(v)
            if d is not None and isinstance(v, str):
                typed.append(r)
            out.append(d)
        return pd.to_datetime(pd.Series(out, dtype=object), errors="coerce").astype("datetime64[ns]").values, typed
    if ctype in NUMBER_TYPES:
        nums = np.full(len(raw), np.nan)
        for i, (r, v) in enumerate(zip(rows, raw)):
            if v is None:
                continue
            if isinstance(v, int | float) and not isinstance(v, bool):
                nums[i] = v
                continue
            f = parse.parse_number(v)
            if f is not None:
                nums[i] = f
                if isinstance(v, str):
                    typed.append(r)
        return nums, typed
    if ctype == CType.PHONE:
        return [parse.digits_only(v) for v in raw], typed
    return [_text(v) for v in raw], typed


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str) and v.isascii() and v == v.strip() and "  " not in v:
        return v or None
    return parse.clean_text(v)
