"""Which customer each contact-log and complaint row belongs to, and what the log says about
each customer, worked out once per model and shared by the IDs, tiers and review steps.

A month end plans several steps on one read. Each of them used to match the 100k-row contact log
to customers on its own. Here the matching is done once per model, column by column and once per
distinct value, and kept in ``WorkbookModel.memo`` under the identity of the frames it was
computed from. A model with other frames (a mirrored copy, for example) starts with an empty memo.

Matching rule (the same everywhere): a log row belongs to the customer rows whose 客户编号 equals
its 客户编号 (after NFKC, no spaces, upper case); a row without 客户编号 belongs to the one
customer whose 客户名称 equals its 客户名称 after normalisation, or to nobody when that name
names several customers or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..model import SheetData, WorkbookModel
from ..reader.parse import is_empty
from .matching import list_value, norm, norm_id

T = TypeVar("T")
CLOSED_STATUSES = ("已解决", "已关闭")


def per_value(values: Iterable[Any], func: Callable[[Any], T]) -> list[T]:
    """``[func(v) for v in values]``, calling ``func`` once per distinct value (logs repeat names,
    IDs and list values many times). Empty cells (None, NaN) share ``func(None)``; values of
    different types never share a result (1, 1.0 and True are three values)."""
    arr = values if isinstance(values, np.ndarray) else np.asarray(list(values), dtype=object)
    if arr.dtype == object and pd.api.types.infer_dtype(arr, skipna=True) in ("string", "empty"):
        codes, uniques = pd.factorize(arr)  # text only: one code per distinct string, -1 for empty
        table = np.empty(len(uniques) + 1, dtype=object)
        table[:-1] = [func(u) for u in uniques]
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


def memoised(model: WorkbookModel, name: str, frames: tuple[pd.DataFrame, ...], build: Callable[[], T]) -> T:
    """``build()``, computed once per model and set of frames (kept alive so their ids stay theirs)."""
    key = (name, *(id(f) for f in frames))
    hit = model.memo.get(key)
    if hit is None:
        hit = model.memo[key] = (frames, build())
    return hit[1]


@dataclass(frozen=True)
class CustomerIndex:
    by_id: dict[str, list[int]]        # normalised 客户编号 → customer rows
    by_name: dict[str, list[int]]      # normalised 客户名称 → customer rows
    unique_name: dict[str, int]        # normalised names that name exactly one customer → its row


def customer_index(model: WorkbookModel) -> CustomerIndex:
    cust = model.sheets["customers"]

    def build() -> CustomerIndex:
        by_id: dict[str, list[int]] = {}
        for row, n in zip(cust.raw.index.tolist(), per_value(cust.raw["customer_id"].tolist(), norm_id)):
            if n:
                by_id.setdefault(n, []).append(row)
        by_name: dict[str, list[int]] = {}
        for row, n in zip(cust.df.index.tolist(), per_value(cust.df["name"].tolist(), norm)):
            if n:
                by_name.setdefault(n, []).append(row)
        return CustomerIndex(by_id, by_name, {n: rows[0] for n, rows in by_name.items() if len(rows) == 1})

    return memoised(model, "customer_index", (cust.df, cust.raw), build)


@dataclass(frozen=True)
class Owners:
    """The customers of a log sheet's rows, in index order."""

    first: np.ndarray                  # int64 per row: the first customer row, -1 for none
    extra: list[tuple[int, int]]       # (row position, customer row) for the second and later
    # customers of a row whose 客户编号 several customers share

    def pairs(self) -> tuple[np.ndarray, np.ndarray]:
        """(row positions, customer rows) of every link, sorted by row position."""
        pos = np.flatnonzero(self.first >= 0)
        cust = self.first[pos]
        if self.extra:
            pos = np.concatenate([pos, np.array([p for p, _ in self.extra], dtype=np.int64)])
            cust = np.concatenate([cust, np.array([c for _, c in self.extra], dtype=np.int64)])
            order = np.argsort(pos, kind="stable")
            pos, cust = pos[order], cust[order]
        return pos, cust


def owners(model: WorkbookModel, key: str) -> Owners:
    """Customers of each row of the ``key`` sheet (contacts / complaints), by the matching rule."""
    cust, sheet = model.sheets["customers"], model.sheets[key]

    def build() -> Owners:
        idx = customer_index(model)
        ids = per_value(sheet.raw["customer_id"].to_numpy(dtype=object), norm_id)
        names = per_value(sheet.df["customer_name"].to_numpy(dtype=object), norm)
        first_by_id = {n: rows[0] for n, rows in idx.by_id.items()}
        by_id = np.array(per_value(ids, lambda n: first_by_id.get(n, -1)), dtype=np.int64)
        by_name = np.array(per_value(names, lambda n: idx.unique_name.get(n, -1)), dtype=np.int64)
        has_id = np.array(ids, dtype=object).astype(bool)  # '' when the row has no 客户编号
        first = np.where(has_id, by_id, np.where(np.array(names, dtype=object).astype(bool), by_name, -1))
        shared = {n: rows[1:] for n, rows in idx.by_id.items() if len(rows) > 1}
        extra = [(i, r) for i, n in enumerate(ids) if n in shared for r in shared[n]] if shared else []
        return Owners(first.astype(np.int64), extra)

    return memoised(model, f"owners:{key}", (cust.df, cust.raw, sheet.df, sheet.raw), build)


@dataclass
class Facts:
    """What the log and complaints say about one customer (as of the run date)."""

    last_contact: dt.date | None = None
    contact_changed: dt.date | None = None      # latest 联系人变更 = 是
    complaints: list[tuple[dt.date, bool]] = field(default_factory=list)  # (received, still open), sheet order


def facts(model: WorkbookModel, as_of: dt.date, window_days: int) -> dict[int, Facts]:
    """Facts per customer row as of ``as_of``: log rows dated after it are ignored; a 联系人变更
    counts within ``window_days``; a complaint is still open unless its status is 已解决/已关闭.
    Shared by ``wbt tiers`` and the review (do not change the returned objects)."""
    cust = model.sheets["customers"]
    log, comp = model.sheets.get("contacts"), model.sheets.get("complaints")
    frames = tuple(f for s in (cust, log, comp) if s is not None for f in (s.df, s.raw))
    return memoised(model, f"facts:{as_of.isoformat()}:{window_days}", frames,
                    lambda: _facts(model, cust, log, comp, as_of, window_days))


def _facts(model: WorkbookModel, cust: SheetData, log: SheetData | None, comp: SheetData | None,
           as_of: dt.date, window_days: int) -> dict[int, Facts]:
    out = {row: Facts() for row in cust.df.index.tolist()}
    limit = np.datetime64(as_of, "D")
    st = model.settings
    if log is not None and len(log.df):
        pos, rows = owners(model, "contacts").pairs()
        day = log.df["contact_date"].to_numpy(dtype="datetime64[D]")[pos]
        ok = ~np.isnat(day) & (day <= limit)
        pos, rows, day = pos[ok], rows[ok], day[ok]
        for r, d in pd.Series(day).groupby(rows).max().items():
            out[int(r)].last_contact = d.date()
        changed = np.array(per_value(log.raw["contact_changed"].tolist(),
                                     lambda v: list_value("yes_no", v, st) == "是"), dtype=bool)[pos]
        recent = changed & ((limit - day).astype(np.int64) <= window_days)
        for r, d in pd.Series(day[recent]).groupby(rows[recent]).max().items():
            out[int(r)].contact_changed = d.date()
    if comp is not None and len(comp.df):
        pos, rows = owners(model, "complaints").pairs()
        day = comp.df["received_at"].to_numpy(dtype="datetime64[D]")[pos]
        ok = ~np.isnat(day) & (day <= limit)
        still = np.array(per_value(comp.raw["status"].tolist(),
                                   lambda v: list_value("complaint_status", v, st) not in CLOSED_STATUSES),
                         dtype=bool)[pos]
        for r, d, o in zip(rows[ok].tolist(), day[ok].astype(object).tolist(), still[ok].tolist()):
            out[r].complaints.append((d, o))
    return out


def empty_mask(values: Iterable[Any]) -> np.ndarray:
    """``is_empty`` for each value, as a boolean array."""
    return np.array(per_value(values, is_empty), dtype=bool)
