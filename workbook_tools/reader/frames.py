"""From a header row and raw data rows to a :class:`SheetData` (parsed and raw frames).

Used by the file reader, by live mode (values read from Excel through xlwings) and by tests
(:mod:`workbook_tools.testing`), so every path parses cells the same way.
"""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections.abc import Mapping, Sequence
from operator import is_, itemgetter
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import infer_dtype

from ..model import Notice, SheetData, cell_ref
from ..schema import CType, SheetSpec
from ..schema.headers import HeaderPin
from ..schema.units import MONEY_FACTORS, WAN
from ..values import is_empty_mark
from . import parse
from .headermap import (
    SAMPLE,
    HeaderMap,
    column_units,
    combine_rows,
    decide_by_content,
    header_score,
    is_sub_header,
    map_headers,
    pins_for,
)
from .notices import header_notices

__all__ = ["DATE_TYPES", "NUMBER_TYPES", "HeaderMap", "build_sheet", "clean_text_value", "empty_sheet",
           "header_score", "map_headers"]

DATE_TYPES = (CType.DATE, CType.DATETIME, CType.YEAR_OR_DATE)
NUMBER_TYPES = (CType.AMOUNT, CType.INTEGER, CType.RATING)


def build_sheet(spec: SheetSpec, name: str, header_row: int, header_values: Sequence[Any],
                rows: Sequence[Sequence[Any]], first_row: int | None = None,
                hidden_rows: set[int] | None = None, *, date1904: bool = False,
                empty_is_blank_text: bool = False, pins: Sequence[HeaderPin] = (),
                lists: Mapping[str, list[str]] | None = None, sub_header: bool = False,
                shared_texts: bool = False) -> tuple[SheetData, list[Notice]]:
    """Build the frames of one data sheet. ``rows`` are the raw rows below the header; the first
    of them is Excel row ``first_row`` (default header_row + 1). Fully empty rows are dropped.
    ``date1904``: numbers in date columns are serials of the 1904 system. ``empty_is_blank_text``:
    the rows come from calamine, where an empty cell is always '' (never None or NaN).
    ``pins``: 代码表's header-mapping rows; ``lists``: 代码表's lists (a contested header is decided
    by whether its values are entries of a list); ``sub_header``: a second header line right below
    the header (English names, a units row) is read as part of the header. ``shared_texts``: the
    rows already hold one object per distinct text of a column (the file reader's rows); otherwise
    the text columns are made so."""
    first_row = header_row + 1 if first_row is None else first_row
    pin_map = pins_for(spec, name, pins)
    hm = map_headers(spec, header_values, pin_map)
    sub_row = None
    if sub_header and rows and is_sub_header(spec, hm, rows[0], pin_map):
        hm = map_headers(spec, combine_rows(header_values, rows[0]), pin_map)
        sub_row, rows, first_row = first_row, rows[1:], first_row + 1
    n = len(rows)
    wanted = [m.index - 1 for m in hm.matches if m.how != "ignored"]
    arrays_by_pos = dict(zip(wanted, _column_arrays(rows, wanted)))
    if hm.of("contested"):
        decide_by_content(spec, hm, lambda idx: arrays_by_pos[idx - 1].tolist(), lists)
    columns, headers = hm.columns, hm.headers

    # one list per known column, empties as None; keep the rows that hold anything
    positions = [(c.key, columns[c.key] - 1) for c in spec.columns if c.key in columns]
    arrays = [arrays_by_pos[p] for _, p in positions]
    keep = np.zeros(n, dtype=bool)
    for arr in arrays:
        empty = (arr == "") if empty_is_blank_text else (pd.isna(arr) | (arr == ""))
        arr[empty] = None
        keep |= ~empty
    kept = np.flatnonzero(keep)
    if len(kept) < n:
        arrays = [arr[kept] for arr in arrays]
    for arr in arrays if not shared_texts else ():
        _share_texts(arr)
    keep_idx = (kept + first_row).tolist()
    samples = _samples(hm, arrays_by_pos, kept)

    units = column_units(spec, hm)
    index = pd.Index(keep_idx, dtype="int64", name="row")
    raw_cols: dict[str, Any] = {}
    parsed_cols: dict[str, Any] = {}
    text_typed: set[tuple[int, str]] = set()
    slow: list[str] = []
    facts: dict[str, dict[str, Any]] = {}
    for (key, _), arr in zip(positions, arrays):
        col = spec.column(key)
        raw_cols[key] = pd.Series(arr, index=index, dtype=object)
        info = facts.setdefault(key, {"unit": units.get(key, (WAN, ""))[0]})
        parsed, typed = _parse_column(col.type, arr, keep_idx, date1904, slow, info)
        if col.type in DATE_TYPES:
            parsed_cols[key] = _datetimes(parsed, index)
        elif col.type in NUMBER_TYPES:
            values = pd.Series(parsed, index=index, dtype="float64")
            factor = MONEY_FACTORS.get(info["unit"], 1.0) if col.type == CType.AMOUNT else 1.0
            parsed_cols[key] = values * factor if factor != 1.0 else values   # every amount in 万元
        else:
            parsed_cols[key] = pd.Series(parsed, index=index, dtype=object)
        text_typed.update((r, key) for r in typed)
    missing = [c.key for c in spec.columns if c.key not in columns]
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
    last_row = keep_idx[-1] if keep_idx else (sub_row or header_row)
    sheet = SheetData(spec=spec, name=name, df=df, raw=raw_df, header_row=header_row, columns=dict(columns),
                      header_cells={k: cell_ref(header_row, i) for k, i in columns.items()}, headers=dict(headers),
                      unknown_columns=hm.unknown, missing_columns=missing, text_typed=text_typed,
                      hidden_rows=set(hidden_rows or ()), last_row=last_row, matches=list(hm.matches),
                      units={k: u for k, (u, _) in units.items()}, unit_from={k: f for k, (_, f) in units.items()},
                      samples=samples, sub_header_row=sub_row,
                      date_orders={k: f["order"] for k, f in facts.items() if f.get("order")})
    return sheet, header_notices(sheet, facts)


def _samples(hm: HeaderMap, arrays_by_pos: dict[int, np.ndarray], kept: np.ndarray) -> dict[int, list[Any]]:
    """First values of each unknown or ambiguous column (to tell what it could be)."""
    out: dict[int, list[Any]] = {}
    for m in hm.matches:
        if m.how in ("unknown", "ambiguous"):
            arr = arrays_by_pos[m.index - 1]
            vals = [v for v in arr[kept[: SAMPLE * 4]].tolist() if v is not None and v == v and v != ""]
            out[m.index] = vals[:SAMPLE]
    return out


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


def _all_text(values: np.ndarray) -> bool:
    """Whether every value of an object array is a ``str`` (pandas' C-level type scan)."""
    return not len(values) or infer_dtype(values, skipna=False) == "string"


def _share_texts(arr: np.ndarray) -> None:
    """One object per distinct text in a text column (``None`` for empty), in place: the reader
    hands over a new object per cell, and a column repeats its values (names, owners, list
    entries): a tenth of the memory, and each text's hash is computed once for every later lookup."""
    filled = arr != None  # noqa: E711 - elementwise; empties are None here
    values = arr[filled]
    if len(values) < 2 or not _all_text(values):
        return
    codes, uniques = pd.factorize(values)
    arr[filled] = uniques.take(codes)


def _text_values(arr: np.ndarray, filled: np.ndarray) -> list[str] | None:
    """The column's non-empty values when every one is text, else None."""
    values = arr[filled]
    return values.tolist() if _all_text(values) else None


def _unchanged_by_strip(vals: list[str]) -> bool:
    return all(map(is_, map(str.strip, vals), vals))


def _parse_column(ctype: CType, arr: np.ndarray, rows: list[int], date1904: bool = False,
                  slow: list[str] | None = None, info: dict[str, Any] | None = None) -> tuple[Any, list[int]]:
    """Parse one column (``arr``: stored values as an object array, None for empty). Returns the
    parsed values and the Excel rows whose date/number was typed as text. The values a reader
    returns (datetime, date, float, clean text) take vectorised paths; the rest goes through
    :mod:`.parse` one by one (and the column's type is appended to ``slow``). ``info`` (in/out):
    'unit' of an amount column in; out: 'order' of day-first/month-first text dates, 'ambiguous'
    rows of such dates that could be either, 'units' rows of amounts whose text names another unit."""
    slow = [] if slow is None else slow
    info = {} if info is None else info
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
        odd = np.flatnonzero(~ok).tolist()
        if odd:
            slow.append(ctype)
        if ctype in DATE_TYPES:
            convert = _date_converter(ctype, [raw_arr[i] for i in odd], date1904, info)
        else:
            convert = _number_converter(ctype, info)
        for i in odd:
            x = raw_arr[i]
            v = convert(x)
            if v is None and ctype in DATE_TYPES and parse.dm_parts(x) and info.get("order") is None \
                    and not is_empty_mark(x):
                info.setdefault("ambiguous", []).append(rows[i])
            if v is not None and isinstance(x, str):
                typed.append(rows[i])
                if info.pop("_other_unit", False):
                    info.setdefault("units", []).append(rows[i])
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


def _date_converter(ctype: CType, odd: list[Any], date1904: bool, info: dict[str, Any]) -> Any:
    """Parse one odd date cell. Text dates written day and month first (13/3/2024, 3/13/2024) are
    read in the order the column's unambiguous ones show; when they show none or both, the ones
    that could be either stay unread (and are listed in ``info['ambiguous']``)."""
    parts = [p for p in map(parse.dm_parts, odd) if p]
    orders = {"dmy" if a > 12 else "mdy" for a, b in parts if (a > 12) != (b > 12) and min(a, b) <= 12}
    order = next(iter(orders)) if len(orders) == 1 else None
    if order:
        info["order"] = order
    dayfirst = None if order is None else order == "dmy"
    fn = parse.parse_year_or_date if ctype == CType.YEAR_OR_DATE else parse.parse_date

    def convert(x: Any) -> Any:
        if is_empty_mark(x):
            return None
        return fn(x, date1904=date1904, dayfirst=dayfirst)

    return convert


def _number_converter(ctype: CType, info: dict[str, Any]) -> Any:
    """Parse one odd number cell. In an amount column, text may name its unit ('12万', '120000元',
    '¥1,200'): it is read in that unit and converted to the column's (and noted)."""
    if ctype != CType.AMOUNT:
        return parse.parse_number
    col_factor = MONEY_FACTORS.get(info.get("unit", WAN))

    def convert(x: Any) -> Any:
        n, unit = parse.parse_quantity(x)
        if n is None or unit is None:
            return n
        factor = MONEY_FACTORS.get(unit)
        if factor is None:          # '15%' is not an amount
            return None
        if col_factor is None:      # the column's own unit is unknown: kept as typed
            return n
        if factor != col_factor:
            info["_other_unit"] = True
        return n * factor / col_factor

    return convert


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
