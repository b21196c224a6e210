"""From a header row and raw data rows to a :class:`SheetData` (parsed and raw frames).

Used by the file reader, by live mode (values read from Excel through xlwings) and by tests
(:mod:`workbook_tools.testing`), so every path parses cells the same way.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Sequence
from operator import is_, itemgetter
from typing import Any

import numpy as np
import pandas as pd

from ..i18n import L
from ..model import Notice, SheetData, cell_ref
from ..schema import CType, SheetSpec, norm_header, strip_unit
from . import parse

DATE_TYPES = (CType.DATE, CType.DATETIME, CType.YEAR_OR_DATE)
NUMBER_TYPES = (CType.AMOUNT, CType.INTEGER, CType.RATING)


_LOOKUPS: dict[int, tuple[SheetSpec, dict[str, str], dict[str, str]]] = {}


def _header_lookup(spec: SheetSpec) -> tuple[dict[str, str], dict[str, str]]:
    """Normalised spelling → column key (exact, and without units), computed once per spec."""
    hit = _LOOKUPS.get(id(spec))
    if hit is not None and hit[0] is spec:
        return hit[1], hit[2]
    exact: dict[str, str] = {}
    loose: dict[str, str] = {}
    for col in spec.columns:
        for name in (col.zh, col.en, col.key, *col.aliases):
            n = norm_header(name)
            if n:
                exact.setdefault(n, col.key)
                loose.setdefault(strip_unit(n), col.key)
    _LOOKUPS[id(spec)] = (spec, exact, loose)
    return exact, loose


def map_headers(spec: SheetSpec, header_values: Sequence[Any]
                ) -> tuple[dict[str, int], dict[str, str], dict[str, int], list[tuple[str, int]]]:
    """Match header cells to schema columns: exact (normalised) spelling first, then without units.

    Returns (columns key→1-based index, headers key→text, unknown text→index, duplicates [(text, index)]).
    """
    exact, loose = _header_lookup(spec)
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
                hidden_rows: set[int] | None = None, *, date1904: bool = False,
                empty_is_blank_text: bool = False) -> tuple[SheetData, list[Notice]]:
    """Build the frames of one data sheet. ``rows`` are the raw rows below the header; the first
    of them is Excel row ``first_row`` (default header_row + 1). Fully empty rows are dropped.
    ``date1904``: numbers in date columns are serials of the 1904 system. ``empty_is_blank_text``:
    the rows come from calamine, where an empty cell is always '' (never None or NaN)."""
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

    # one list per known column, empties as None; keep the rows that hold anything
    positions = [(c.key, columns[c.key] - 1) for c in spec.columns if c.key in columns]
    n = len(rows)
    arrays = _column_arrays(rows, [p for _, p in positions])
    keep = np.zeros(n, dtype=bool)
    for arr in arrays:
        empty = (arr == "") if empty_is_blank_text else (pd.isna(arr) | (arr == ""))
        arr[empty] = None
        keep |= ~empty
    kept = np.flatnonzero(keep)
    if len(kept) < n:
        arrays = [arr[kept] for arr in arrays]
    keep_idx = (kept + first_row).tolist()

    index = pd.Index(keep_idx, dtype="int64", name="row")
    raw_cols: dict[str, Any] = {}
    parsed_cols: dict[str, Any] = {}
    text_typed: set[tuple[int, str]] = set()
    slow: list[str] = []
    for (key, _), arr in zip(positions, arrays):
        col = spec.column(key)
        raw_cols[key] = pd.Series(arr, index=index, dtype=object)
        parsed, typed = _parse_column(col.type, arr, keep_idx, date1904, slow)
        if col.type in DATE_TYPES:
            parsed_cols[key] = _datetimes(parsed, index)
        elif col.type in NUMBER_TYPES:
            parsed_cols[key] = pd.Series(parsed, index=index, dtype="float64")
        else:
            parsed_cols[key] = pd.Series(parsed, index=index, dtype=object)
        text_typed.update((r, key) for r in typed)
    for c in spec.columns:
        if c.key not in raw_cols:
            raw_cols[c.key] = pd.Series([None] * len(index), index=index, dtype=object)
            parsed_cols[c.key] = _empty(c.type, index)
    order = [c.key for c in spec.columns]
    raw_df = pd.DataFrame({k: raw_cols[k] for k in order}, index=index)
    df = pd.DataFrame({k: parsed_cols[k] for k in order}, index=index)
    blank = ~df.notna().any(axis=1) if slow else None
    if blank is not None and blank.any():  # rows holding nothing but spaces
        drop = [r for r in df.index[blank.to_numpy()]
                if all(v is None or (isinstance(v, str) and not v.strip()) for v in raw_df.loc[r])]
        if drop:
            df, raw_df = df.drop(index=drop), raw_df.drop(index=drop)
            keep_idx = df.index.tolist()
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


_MISS = object()
try:  # pandas' list-of-lists → 2-D object array (private but stable since pandas 1.x)
    from pandas._libs.lib import to_object_array as _to_object_array
except ImportError:  # pragma: no cover - a future pandas without it: the Python path below
    _to_object_array = None


def _datetimes(values: list[Any], index: pd.Index) -> pd.Series:
    """date/datetime/None → datetime64[ns]; dates a datetime64[ns] cannot hold (typos such as
    year 9999) become NaT (the raw frame keeps them)."""
    s = pd.to_datetime(pd.Series(values, index=index, dtype=object), errors="coerce")
    if len(s) and s.notna().any():
        s = s.mask((s < _MIN_DT) | (s >= _MAX_DT))
    return s.astype("datetime64[ns]")


def _column_arrays(rows: Sequence[Sequence[Any]], cols: list[int]) -> list[np.ndarray]:
    """One 1-D object array per wanted column; short rows give None (or NaN)."""
    n = len(rows)
    if _to_object_array is not None and n and isinstance(rows, list):
        try:
            table = _to_object_array(rows)  # C loop: ~8x faster than a column-by-column Python pass
        except (TypeError, ValueError):
            table = None
        if table is not None:
            out = []
            for p in cols:
                if p < table.shape[1]:
                    out.append(table[:, p])  # a view: the table is ours, frames copy on construction
                else:
                    out.append(np.full(n, None, dtype=object))
            return out
    width = min(map(len, rows), default=0)
    out = []
    for p in cols:
        if p < width:
            out.append(np.fromiter(map(itemgetter(p), rows), dtype=object, count=n))
        else:
            arr = np.empty(n, dtype=object)
            arr[:] = [r[p] if p < len(r) else None for r in rows]
            out.append(arr)
    return out


# a datetime64[ns] holds 1677-09-21 .. 2262-04-11; later or earlier dates are typos, kept raw
_MIN_DT, _MAX_DT = dt.datetime(1678, 1, 1), dt.datetime(2262, 1, 1)
_TEXT_NORMALISED = (CType.LIST, CType.CUSTOMER_ID, CType.EMAIL, CType.TERM)


_type_of = np.frompyfunc(type, 1, 1)
_SPACES = (" ", "\u3000", "\t", "\n", "\r", "\xa0", "\f", "\v")
_NONE_TYPE = type(None)


def _needs_clean(joined: str) -> bool:
    """Would :func:`parse.clean_text` change any value of a NUL-joined column (values already
    stripped)?"""
    if "  " in joined or any(w in joined for w in _SPACES[1:]):
        return True
    return not joined.isascii() and unicodedata.normalize("NFKC", joined) != joined


def _text_values(arr: np.ndarray, filled: np.ndarray) -> list[str] | None:
    """The column's non-empty values when every one is text, else None."""
    values = arr[filled]
    if len(values) and not (_type_of(values) == str).all():  # noqa: E721 - elementwise on an array
        return None
    return values.tolist()


def _unchanged_by_strip(vals: list[str]) -> bool:
    return all(map(is_, map(str.strip, vals), vals))


def _parse_column(ctype: CType, arr: np.ndarray, rows: list[int], date1904: bool = False,
                  slow: list[str] | None = None) -> tuple[Any, list[int]]:
    """Parse one column (``arr``: stored values as an object array, None for empty). Returns the
    parsed values and the Excel rows whose date/number was typed as text. The values a reader
    returns (datetime, date, float, clean text) take vectorised paths; the rest goes through
    :mod:`.parse` one by one (and the column's type is appended to ``slow``)."""
    slow = [] if slow is None else slow
    typed: list[int] = []
    n = len(arr)
    if ctype in DATE_TYPES or ctype in NUMBER_TYPES:
        types = _type_of(arr) if n else np.empty(0, dtype=object)
        is_none = types == _NONE_TYPE
        if ctype in DATE_TYPES:
            ok = is_none | (types == dt.datetime) | (types == dt.date)
            if ctype == CType.YEAR_OR_DATE:  # 2015 typed as a number: a year, the common case
                years = np.flatnonzero(types == float).tolist()  # noqa: E721 - elementwise
                out = arr.copy()
                for i in years:
                    v = arr[i]
                    if 1800 <= v <= 2200 and v.is_integer():
                        out[i] = dt.datetime(int(v), 1, 1)
                        ok[i] = True
                arr, raw_arr = out, arr
            else:
                raw_arr = arr
        else:
            ok = is_none | (types == float) | (types == int)  # noqa: E721 - elementwise on an array
        if ctype not in DATE_TYPES:
            raw_arr = arr
        out = arr.copy()
        fn: Any = (parse.parse_year_or_date if ctype == CType.YEAR_OR_DATE else parse.parse_date) \
            if ctype in DATE_TYPES else parse.parse_number
        odd = np.flatnonzero(~ok).tolist()
        if odd:
            slow.append(ctype)
        for i in odd:
            x = raw_arr[i]
            if ctype in DATE_TYPES:
                v = None if parse.is_empty_mark(x) else fn(x, date1904=date1904)
            else:
                v = fn(x)
            if v is not None and isinstance(x, str):
                typed.append(rows[i])
            out[i] = v
        if ctype in DATE_TYPES:
            return out, typed
        out[is_none] = np.nan
        out[pd.isna(out)] = np.nan
        return out.astype("float64"), typed
    filled = arr != None  # noqa: E711 - elementwise; empties are None here
    vals = _text_values(arr, filled)
    if ctype == CType.PHONE:
        if vals is not None and all(map(str.isdigit, vals)) and all(map(str.isascii, vals)):
            return arr, typed
        slow.append(ctype)
        return [None if v is None else parse.digits_only(v) for v in arr.tolist()], typed
    if ctype in _TEXT_NORMALISED:
        if vals is not None and _unchanged_by_strip(vals) and not _needs_clean("\x00".join(vals)):
            return arr, typed
        slow.append(ctype)
        memo = {u: _text(u) for u in set(arr.tolist())}
        return [memo[v] for v in arr.tolist()], typed
    if vals is not None and _unchanged_by_strip(vals):
        return arr, typed
    slow.append(ctype)
    return [(v.strip() or None) if v.__class__ is str else None if v is None else _text(v) for v in arr.tolist()], typed


def clean_text_value(v: Any) -> str | None:
    """What the reader makes of a value in a text column (stripped, cleaned; None for empty)."""
    return _text(v)


def _text(v: Any) -> str | None:
    if v is None:
        return None
    if isinstance(v, str) and v.isascii() and v == v.strip() and "  " not in v:
        return v or None
    return parse.clean_text(v)


def empty_sheet(spec: SheetSpec) -> SheetData:
    """A data sheet with no rows and every column empty, for a sheet the workbook does not have."""
    sheet, _ = build_sheet(spec, spec.zh, 1, [], [])
    return sheet
