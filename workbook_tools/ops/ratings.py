"""Satisfaction ratings ("满意度评分(1-5分)", docs/domain.md#customers): which values count.

One definition for the RATING validation rule, every average of the review and the
low-satisfaction risk rule: a rating counts when it is a whole number within its column's bounds
(1–5). Anything else typed into the column (0, 6, 4.5, 满意 …) is an error finding and never enters
an average or a rule; the review says how many such values it left out. Empty cells and 'none'
marks ('-', 无) are simply empty.
"""

from __future__ import annotations

import pandas as pd

from ..model import SheetData
from ..schema import Column
from ..values import is_empty, is_empty_mark, per_value


def bounds(column: Column) -> tuple[float, float]:
    """(lowest, highest) rating of a column (1, 5 unless the schema says otherwise)."""
    return (column.min_value if column.min_value is not None else 1.0,
            column.max_value if column.max_value is not None else 5.0)


def rating_masks(raw: pd.Series, parsed: pd.Series, column: Column) -> tuple[pd.Series, pd.Series]:
    """(valid, left out): per cell, whether it holds a rating that counts, and whether it holds
    something that is not one (an error)."""
    lo, hi = bounds(column)
    valid = parsed.notna() & (parsed >= lo) & (parsed <= hi) & (parsed % 1 == 0)
    present = pd.Series(per_value(raw.to_numpy(dtype=object), lambda v: not is_empty(v) and not is_empty_mark(v)),
                        index=raw.index, dtype=bool)
    return valid.astype(bool), (present & ~valid).astype(bool)


def sheet_ratings(sheet: SheetData, rows: pd.Series, key: str = "satisfaction") -> tuple[pd.Series, int]:
    """The ratings of column ``key`` on the rows selected by ``rows`` that count (invalid ones
    dropped), and how many values were left out."""
    raw, parsed = sheet.raw.loc[rows, key], sheet.df.loc[rows, key]
    valid, left_out = rating_masks(raw, parsed, sheet.spec.column(key))
    return parsed[valid], int(left_out.sum())
