"""Cell values, once for every floor above: as Python, as JSON, as text, empty or not, and a
function mapped once per distinct value.

A value here is what a cell holds after the reader (``str``, ``float``, ``int``, ``bool``,
``datetime``/``date``, ``None``), or what pandas hands back from a frame (numpy scalars,
``Timestamp``, ``NaN``/``NaT``). Nothing here reads a file or knows a column.
"""

from __future__ import annotations

import datetime as dt
import math
import sys
import unicodedata
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

from .i18n import L

if TYPE_CHECKING:  # numpy and pandas load on first use: a ribbon click or `wbt --help` may need neither
    import numpy as np

T = TypeVar("T")
EMPTY_TEXT = L("(空)", "(empty)")

# what people type for "none yet" (首次合作时间 '-' in 客户关系信息归档及关系管理表): read as empty
EMPTY_MARKS = frozenset({"", "-", "—", "--", "/", "无", "n/a", "na", "none"})


# ---- to Python ------------------------------------------------------------------------------------
def unwrap(value: Any) -> Any:
    """A numpy scalar (from pandas) as the Python value it holds; anything else as it is."""
    if type(value).__module__.startswith("numpy") and hasattr(value, "item"):
        return value.item()
    return value


def is_missing(value: Any) -> bool:
    """None, NaN or NaT: pandas' marks for a cell with nothing in it."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    pd = sys.modules.get("pandas")  # no NaT can exist before pandas is imported
    return pd is not None and value is pd.NaT


def to_python(value: Any) -> Any:
    """A value as plain Python: numpy scalars unwrapped, ``Timestamp`` as ``datetime``, NaN and
    NaT as None."""
    value = unwrap(value)
    if is_missing(value):
        return None
    pd = sys.modules.get("pandas")
    if pd is not None and isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value


def to_json(value: Any) -> Any:
    """A value JSON can hold: :func:`to_python`, dates and times in ISO form, a duration in days."""
    value = to_python(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dt.timedelta):
        return value.total_seconds() / 86400
    return value


# ---- as text ---------------------------------------------------------------------------------------
def display(value: Any, *, seconds: bool = False) -> str:
    """A value as a person reads it in a message, a log or a table: ``""`` when missing, a date as
    2024-03-05 (with 14:30 when it has a time, 14:30:00 with ``seconds``), a whole float without
    ``.0``, a bool as Excel shows it (TRUE/FALSE)."""
    value = to_python(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, dt.datetime):
        if seconds and (value.hour or value.minute or value.second):
            return value.strftime("%Y-%m-%d %H:%M:%S")
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return str(value)


def shown(value: Any, *, seconds: bool = False) -> str:
    """:func:`display` for a console listing, where an empty cell must still show: ``(空)``."""
    return display(value, seconds=seconds) or EMPTY_TEXT.get()


def display_width(text: str) -> int:
    """Columns ``text`` takes in a console or an Excel column: wide and full-width characters
    (CJK, full-width punctuation) count two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


# ---- empty or not ------------------------------------------------------------------------------------
def is_empty(value: Any) -> bool:
    """Nothing in the cell: None, NaN/NaT, or text of spaces only."""
    if isinstance(value, str):
        return not value.strip()
    return is_missing(value)


def is_empty_mark(value: Any) -> bool:
    """Text that stands for "none yet" ('-', '无', 'n/a' …, full-width forms too)."""
    return isinstance(value, str) and unicodedata.normalize("NFKC", value).strip().lower() in EMPTY_MARKS


# ---- once per distinct value ---------------------------------------------------------------------------
def per_value(values: Iterable[Any], func: Callable[[Any], T]) -> list[T]:
    """``[func(v) for v in values]``, calling ``func`` once per distinct value (logs repeat names,
    IDs and list values many times). Empty cells (None, NaN) share ``func(None)``; values of
    different types never share a result (1, 1.0 and True are three values)."""
    import numpy as np
    import pandas as pd

    arr = values if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=object)
    if arr.dtype == object and pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(arr)  # text only: one code per distinct string, -1 for empty
        table = np.empty(len(uniques) + 1, dtype=object)
        for i, u in enumerate(uniques.tolist()):  # one by one: a tuple result must stay one object
            table[i] = func(u)
        table[-1] = func(None)
        return table[codes].tolist()
    memo: dict[Any, T] = {}
    out: list[T] = []
    append = out.append
    for v in arr.tolist():
        k = v if type(v) is str else (type(v), v)
        try:
            r = memo[k]
        except KeyError:
            r = memo[k] = func(v)
        except TypeError:  # unhashable
            r = func(v)
        append(r)
    return out


def empty_mask(values: Iterable[Any]) -> np.ndarray:
    """:func:`is_empty` for each value, as a boolean array."""
    import numpy as np

    return np.array(per_value(values, is_empty), dtype=bool)
