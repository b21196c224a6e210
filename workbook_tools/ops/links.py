"""Which customer each contact-log and complaint row belongs to, and what the log says about
each customer, worked out once per model and shared by the IDs, tiers, review and validation steps.

A month end plans several steps on one read. Each of them used to match the 100k-row contact log
to customers on its own. Here the matching is done once per model, column by column and once per
distinct value, and kept in ``WorkbookModel.memo`` under the identity of the frames it was
computed from. A model with other frames (a mirrored copy, for example) starts with an empty memo.

Matching rule (the same everywhere; names compared by ``matching.name_key``):

* a row with a 客户编号 belongs to the customer row whose 客户编号 equals it (after NFKC, no spaces,
  upper case). When several customer rows share that 客户编号 (a data error), the row's 客户名称
  decides: it belongs to the one of them with that name. Only when the name cannot decide (empty,
  or naming none or several of them) does it belong to all of them, and :attr:`Owners.undecided`
  says so;
* a row without 客户编号 belongs to the one customer whose 客户名称 equals its 客户名称, or to nobody
  when that name names several customers or none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from ..model import SheetData, WorkbookModel
from ..values import empty_mask, per_value
from .matching import list_value, name_key, norm_id
from .phrases import CONTACT_CHANGE, PURCHASE, first_of, phrases_of, renewal_statement

T = TypeVar("T")
CLOSED_STATUSES = ("已解决", "已关闭")


def memoised(model: WorkbookModel, name: str, frames: tuple[pd.DataFrame, ...], build: Callable[[], T]) -> T:
    """``build()``, computed once per model and set of frames (kept alive so their ids stay theirs)."""
    key = (name, *(id(f) for f in frames))
    hit = model.memo.get(key)
    if hit is None:
        hit = model.memo[key] = (frames, build())
    return hit[1]


def listed(model: WorkbookModel, sheet: str, key: str, list_key: str, keep_typed: bool = False) -> pd.Series:
    """A list column as list values (synonyms resolved), unknown values None or, with ``keep_typed``,
    as typed; worked out once per model and column."""
    data = model.sheets[sheet]
    st = model.settings

    def one(v: Any) -> str | None:
        hit = list_value(list_key, v, st)
        if hit is None and keep_typed and isinstance(v, str) and v.strip():
            return v.strip()
        return hit

    def build() -> pd.Series:
        raw = data.raw[key]
        return pd.Series(per_value(raw.to_numpy(dtype=object), one), index=raw.index, dtype=object)

    return memoised(model, f"listed:{sheet}.{key}:{keep_typed}", (data.raw,), build)


@dataclass(frozen=True)
class CustomerIndex:
    by_id: dict[str, list[int]]        # normalised 客户编号 → customer rows
    by_name: dict[str, list[int]]      # name key of 客户名称 → customer rows
    unique_name: dict[str, int]        # name keys that name exactly one customer → its row
    name_of: dict[int, str]            # customer row → its name key


def customer_index(model: WorkbookModel) -> CustomerIndex:
    cust = model.sheets["customers"]

    def build() -> CustomerIndex:
        by_id: dict[str, list[int]] = {}
        for row, n in zip(cust.raw.index.tolist(), per_value(cust.raw["customer_id"].tolist(), norm_id)):
            if n:
                by_id.setdefault(n, []).append(row)
        by_name: dict[str, list[int]] = {}
        name_of = dict(zip(cust.df.index.tolist(), per_value(cust.df["name"].tolist(), name_key)))
        for row, n in name_of.items():
            if n:
                by_name.setdefault(n, []).append(row)
        return CustomerIndex(by_id, by_name, {n: rows[0] for n, rows in by_name.items() if len(rows) == 1}, name_of)

    return memoised(model, "customer_index", (cust.df, cust.raw), build)


@dataclass(frozen=True)
class Owners:
    """The customers of a log sheet's rows, in index order."""

    first: np.ndarray                  # int64 per row: its customer row (the first when several), -1 for none
    extra: list[tuple[int, int]]       # (row position, customer row) for the second and later customers
    # of a row whose 客户编号 several customers share and whose name cannot tell them apart
    undecided: dict[str, list[int]] = field(default_factory=dict)  # shared 客户编号 → those row positions

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
        names = per_value(sheet.df["customer_name"].to_numpy(dtype=object), name_key)
        single = {n: rows[0] for n, rows in idx.by_id.items() if len(rows) == 1}
        by_id = np.array(per_value(ids, lambda n: single.get(n, -1)), dtype=np.int64)
        by_name = np.array(per_value(names, lambda n: idx.unique_name.get(n, -1)), dtype=np.int64)
        has_id = np.array(ids, dtype=object).astype(bool)  # '' when the row has no 客户编号
        first = np.where(has_id, by_id, np.where(np.array(names, dtype=object).astype(bool), by_name, -1))
        shared = {n: rows for n, rows in idx.by_id.items() if len(rows) > 1}
        extra: list[tuple[int, int]] = []
        undecided: dict[str, list[int]] = {}
        if shared:
            for i in np.flatnonzero(np.array(per_value(ids, lambda n: n in shared), dtype=bool)).tolist():
                rows = shared[ids[i]]
                named = [r for r in rows if names[i] and idx.name_of[r] == names[i]]
                if len(named) == 1:  # the name tells the customers sharing the ID apart
                    first[i] = named[0]
                    continue
                first[i] = rows[0]
                extra += [(i, r) for r in rows[1:]]
                undecided.setdefault(ids[i], []).append(i)
        return Owners(first.astype(np.int64), extra, undecided)

    return memoised(model, f"owners:{key}", (cust.df, cust.raw, sheet.df, sheet.raw), build)


@dataclass
class Facts:
    """What the log and complaints say about one customer, up to the run date (rows dated after it
    are ignored). The rules that read them are in :mod:`workbook_tools.ops.risk`."""

    last_contact: dt.date | None = None
    complaints: list[tuple[dt.date, bool]] = field(default_factory=list)  # (received, still open), sheet order
    contact_changed: dt.date | None = None                 # latest log row with 联系人变更 = 是
    contact_text: tuple[dt.date, str] | None = None        # latest log row saying the contact was replaced
    logged_contact: tuple[dt.date, str] | None = None      # latest log row naming the customer's contact
    renewal: tuple[dt.date, str, str] | None = None        # latest renewal statement: (day, phrase kind, words)
    purchases: list[dt.date] = field(default_factory=list)  # days with a purchase in the log, ascending


def facts(model: WorkbookModel, as_of: dt.date) -> dict[int, Facts]:
    """Facts per customer row as of ``as_of``: log and complaint rows dated after it are ignored; a
    complaint is still open unless its status is 已解决/已关闭. Shared by ``wbt tiers`` and the review
    (do not change the returned objects)."""
    cust = model.sheets["customers"]
    log, comp = model.sheets.get("contacts"), model.sheets.get("complaints")
    frames = tuple(f for s in (cust, log, comp) if s is not None for f in (s.df, s.raw))
    return memoised(model, f"facts:{as_of.isoformat()}", frames, lambda: _facts(model, cust, log, comp, as_of))


@dataclass(frozen=True)
class _Linked:
    """The rows of a log sheet linked to customers, with what does not depend on the run date:
    ``pos`` (row positions, sheet order), ``rows`` (their customers) and ``day`` (datetime64[D])."""

    pos: np.ndarray
    rows: np.ndarray
    day: np.ndarray


def _linked(model: WorkbookModel, key: str, date_key: str) -> _Linked:
    """Computed once per model and frames, whatever the run dates asked for."""
    cust, sheet = model.sheets["customers"], model.sheets[key]

    def build() -> _Linked:
        pos, rows = owners(model, key).pairs()
        day = sheet.df[date_key].to_numpy(dtype="datetime64[D]")[pos]
        ok = ~np.isnat(day)
        return _Linked(pos[ok], rows[ok], day[ok])

    return memoised(model, f"linked:{key}", (cust.df, cust.raw, sheet.df, sheet.raw), build)


def _marks(model: WorkbookModel, key: str, mark: Callable[[SheetData], dict[str, Any]]) -> dict[str, Any]:
    """Per-position columns of a log sheet (booleans or per-row values, indexed by row position),
    computed once per model and frames; apart from :func:`_linked` so that what needs the log's
    dates alone (:func:`last_contacts`) does not scan its texts."""
    sheet = model.sheets[key]
    return memoised(model, f"marks:{key}", (sheet.df, sheet.raw), lambda: mark(sheet))


def last_contacts(model: WorkbookModel, as_of: dt.date) -> dict[int, dt.date]:
    """Customer row → the day of its latest linked log row dated on or before ``as_of`` (customers
    with none are absent): :attr:`Facts.last_contact`, without the rest of the facts."""
    log = model.sheets.get("contacts")
    if log is None or not len(log.df):
        return {}

    def build() -> dict[int, dt.date]:
        lk = _linked(model, "contacts", "contact_date")
        ok = lk.day <= np.datetime64(as_of, "D")
        return {int(r): d.date() for r, d in pd.Series(lk.day[ok]).groupby(lk.rows[ok]).max().items()}

    cust = model.sheets["customers"]
    return memoised(model, f"last_contacts:{as_of.isoformat()}", (cust.df, cust.raw, log.df, log.raw), build)


def _log_marks(model: WorkbookModel) -> Callable[[SheetData], dict[str, Any]]:
    def mark(log: SheetData) -> dict[str, Any]:
        st = model.settings
        ph = phrases_of(st)
        summary = per_value(log.df["summary"].to_numpy(dtype=object), ph.scan)
        feedback = per_value(log.df["feedback"].to_numpy(dtype=object), ph.scan)
        named = log.df["customer_contact"].to_numpy(dtype=object)
        return {"changed": np.array(per_value(log.raw["contact_changed"].tolist(),
                                              lambda v: list_value("yes_no", v, st) == "是"), dtype=bool),
                "hits": [a + b for a, b in zip(summary, feedback)],
                "said": np.array([bool(a) or bool(b) for a, b in zip(summary, feedback)], dtype=bool),
                "named": named, "has_name": ~empty_mask(named)}
    return mark


def _complaint_marks(model: WorkbookModel) -> Callable[[SheetData], dict[str, Any]]:
    def mark(comp: SheetData) -> dict[str, Any]:
        st = model.settings
        return {"open": np.array(per_value(comp.raw["status"].tolist(),
                                           lambda v: list_value("complaint_status", v, st) not in CLOSED_STATUSES),
                                 dtype=bool)}
    return mark


def _facts(model: WorkbookModel, cust: SheetData, log: SheetData | None, comp: SheetData | None,
           as_of: dt.date) -> dict[int, Facts]:
    out = {row: Facts() for row in cust.df.index.tolist()}
    limit = np.datetime64(as_of, "D")
    if log is not None and len(log.df):
        lk, marks = _linked(model, "contacts", "contact_date"), _marks(model, "contacts", _log_marks(model))
        ok = lk.day <= limit
        pos, rows, day = lk.pos[ok], lk.rows[ok], lk.day[ok]
        for r, d in last_contacts(model, as_of).items():
            out[r].last_contact = d
        changed = marks["changed"][pos]
        for r, d in pd.Series(day[changed]).groupby(rows[changed]).max().items():
            out[int(r)].contact_changed = d.date()
        _log_signals(marks, out, pos, rows, day)
    if comp is not None and len(comp.df):
        lk = _linked(model, "complaints", "received_at")
        ok = lk.day <= limit
        still = _marks(model, "complaints", _complaint_marks(model))["open"][lk.pos[ok]]
        for r, d, o in zip(lk.rows[ok].tolist(), lk.day[ok].astype(object).tolist(), still.tolist()):
            out[r].complaints.append((d, o))
    return out


def _log_signals(marks: dict[str, Any], out: dict[int, Facts], pos: np.ndarray, rows: np.ndarray,
                 day: np.ndarray) -> None:
    """The latest renewal statement, contact-change wording and named contact per customer, and its
    purchase days, from the log rows at ``pos`` (linked to ``rows``, dated ``day``, in sheet order)."""
    named, hits_of, said = marks["named"], marks["hits"], marks["said"]
    k = np.flatnonzero(marks["has_name"][pos])  # the latest row naming a contact, per customer (ties: the later row)
    if len(k):
        order = np.lexsort((pos[k], day[k], rows[k]))
        r_sorted = rows[k][order]
        last = order[np.append(r_sorted[1:] != r_sorted[:-1], True)]
        for r, d, p in zip(rows[k][last].tolist(), day[k][last].astype(object).tolist(), pos[k][last].tolist()):
            out[r].logged_contact = (d, str(named[p]))
    purchases: dict[int, set[dt.date]] = {}
    for i in np.flatnonzero(said[pos]).tolist():
        p, r, d = int(pos[i]), int(rows[i]), day[i].astype(object)
        f = out[r]
        hits = hits_of[p]
        said_renewal = renewal_statement(hits)
        if said_renewal is not None and (f.renewal is None or d >= f.renewal[0]):
            f.renewal = (d, said_renewal.kind, said_renewal.text)
        change = first_of(hits, CONTACT_CHANGE)
        if change is not None and (f.contact_text is None or d >= f.contact_text[0]):
            f.contact_text = (d, change.text)
        if first_of(hits, PURCHASE) is not None:
            purchases.setdefault(r, set()).add(d)
    for r, days in purchases.items():
        out[r].purchases = sorted(days)

