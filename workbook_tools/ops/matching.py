"""Matching typed names, IDs, industries and list values the way a person means them.

Shared by ``ops.ids`` and ``ops.tiers``: NFKC (full-width → half-width), no spaces, and list
synonyms from the schema, so "ＩＴ服务 ", "IT 服务" and "信息技术服务" all mean IT服务.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from ..model import Settings
from ..reader.lists import list_lookup, norm
from ..schema import SCHEMA

__all__ = ["column_values", "industry_code", "list_value", "norm", "norm_id", "records"]


def norm_id(value: Any) -> str:
    """A customer ID as compared: NFKC, no spaces, upper case ('' for empty)."""
    return norm(value).upper()


def list_value(list_key: str, value: Any, settings: Settings | None = None) -> str | None:
    """The list value a typed cell means (exact after normalisation, else a schema synonym), or None."""
    n = norm(value)
    if not n:
        return None
    values = tuple(settings.lists.get(list_key, [])) if settings else ()
    return list_lookup(list_key, values).get(n)


def industry_code(value: Any, settings: Settings) -> tuple[str | None, str | None]:
    """(industry name, code) for a typed industry, using 代码表's industry→code table, the industry
    list's synonyms and the schema's industry aliases. (None, None) when it matches nothing."""
    n = norm(value)
    if not n:
        return None, None
    codes = {norm(name): (name, code) for name, code in settings.industry_codes.items()}
    if n in codes:
        return codes[n]
    candidates: list[str] = []
    for syn, target in SCHEMA.list("industry").synonyms.items():
        if norm(syn) == n:
            candidates.append(target)
    for ind in SCHEMA.industries:
        if any(norm(a) == n for a in ind.aliases):
            candidates.append(ind.name)
    for name in candidates:
        if norm(name) in codes:
            return codes[norm(name)]
    return None, None


def records(frame: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """Excel row → {column key → value}: plain dicts, because per-cell DataFrame access is ~100× slower.
    Date columns become ``datetime.date`` (None for empty)."""
    cols = {k: column_values(frame[k]) for k in frame.columns}
    keys = list(cols)
    return {row: dict(zip(keys, vals)) for row, vals in zip(frame.index.tolist(), zip(*cols.values()))}


def column_values(series: pd.Series) -> list[Any]:
    """A column as a list of plain Python values; datetime columns as ``datetime.date`` / None."""
    if series.dtype.kind == "M":
        return series.to_numpy(dtype="datetime64[D]").astype(object).tolist()
    return series.tolist()
