"""What the figures of several periods share: the frames, the log and complaint links, list
values read once per distinct value, per-snapshot customer views, and which columns are missing.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ...i18n import L
from ...model import WorkbookModel
from ...schema import SCHEMA
from ...values import unwrap
from ..history import Timeline
from .customers import customer_view, is_churned, link_rows, listed, term_dates

UNASSIGNED = "(未分配)"
BLANK = "(未填)"


def within(series: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    """Dates (or date-times) on a day from ``start`` to ``end``, both included."""
    return (series >= pd.Timestamp(start)) & (series < pd.Timestamp(end) + pd.Timedelta(days=1))


def day_end(day: dt.date) -> pd.Timestamp:
    """The first moment after ``day``."""
    return pd.Timestamp(day) + pd.Timedelta(days=1)


class Ctx:
    """Links and frames shared by the figures of several periods."""

    def __init__(self, model: WorkbookModel, absent: set[str], history: Timeline | None = None) -> None:
        self.model = model
        self.absent = absent                       # data sheets the workbook does not have
        self.history = history or Timeline([], [])  # the grade history up to the review's period
        self.cust = model.sheets["customers"].df
        self.contacts = model.sheets["contacts"].df
        self.comp = model.sheets["complaints"].df
        self.contact_link = link_rows(model, "contacts")
        self.complaint_link = link_rows(model, "complaints")
        self.churned = is_churned(model)
        self.stage = listed(model, "customers", "stage", "stage")
        self.ctype = listed(model, "customers", "customer_type", "customer_type")
        self.grade = listed(model, "customers", "follow_grade", "follow_grade")
        self.source = listed(model, "customers", "source", "source", keep_typed=True)
        self.urgency = listed(model, "complaints", "urgency", "urgency", keep_typed=True)
        self.status = listed(model, "complaints", "status", "complaint_status")
        self.owner = self.cust["owner"].fillna(UNASSIGNED).replace("", UNASSIGNED)
        starts, ends = term_dates(model)
        # 合作期限's end and start as datetime64 (NaT when unreadable)
        self.term_end_at = pd.to_datetime(pd.Series(ends, index=self.cust.index, dtype=object))
        self.term_start_at = pd.to_datetime(pd.Series(starts, index=self.cust.index, dtype=object))
        # when a churned customer left: 最近一次合作时间, else the end of 合作期限 (NaT when neither)
        self.churn_date = self.cust["last_coop"].fillna(self.term_end_at)
        self._views: dict[dt.date, pd.DataFrame] = {}
        self.cache: dict[Any, Any] = {}            # other results shared by the figures, tables and lists

    def shown(self, key: str, list_key: str) -> pd.Series:
        """A customer list column for a table: its list values (制造 as 制造业), else as typed."""
        return listed(self.model, "customers", key, list_key).fillna(self.cust[key])

    def view(self, snap: dt.date) -> pd.DataFrame:
        if snap not in self._views:
            self._views[snap] = customer_view(self.model, snap)
        return self._views[snap]

    def exists(self, snap: dt.date) -> pd.Series:
        """Customers whose 初次接触时间 is on or before ``snap``, or empty."""
        fc = self.cust["first_contact"]
        return fc.isna() | (fc < day_end(snap))

    def gone_before(self, start: dt.date) -> pd.Series:
        """Churned before ``start`` (a churned customer whose churn date is unknown cannot be placed in
        any period, so counts as gone before every one)."""
        return self.churned & (self.churn_date.isna() | (self.churn_date < pd.Timestamp(start)))

    def active_from(self, start: dt.date) -> pd.Series:
        """Customers at the start of a period: existing the day before, not churned before it."""
        return self.exists(start - dt.timedelta(days=1)) & ~self.gone_before(start)

    def in_period(self, start: dt.date, snap: dt.date) -> pd.Series:
        """Customers during a period: existing at the snapshot, not churned before the start."""
        return self.exists(snap) & ~self.gone_before(start)

    def contact_keys(self, mask: pd.Series) -> pd.Series:
        """A customer key per contact row: its linked customer row, else the ID or name as typed."""
        link = self.contact_link[mask]
        typed = self.contacts.loc[mask, "customer_id"].fillna(self.contacts.loc[mask, "customer_name"])
        return link.astype(object).where(link >= 0, "?" + typed.astype(str))

    def missing(self, needs: tuple[tuple[str, ...], ...]) -> list[L]:
        """The needs not met: for each group whose every alternative is missing, its first one,
        as "sheet" or "sheet.column" (in Chinese and English)."""
        out: list[L] = []
        for group in needs:
            if any(self._has(n) for n in group):
                continue
            sheet, _, col = group[0].partition(".")
            spec = SCHEMA.sheet(sheet)
            if sheet in self.absent or not col:
                out.append(L(f"工作表“{spec.zh}”", f"sheet '{spec.en}'"))
            else:
                c = spec.column(col)
                out.append(L(f"{spec.zh}.{c.zh}", f"{spec.en}.{c.en}"))
        return out

    def _has(self, need: str) -> bool:
        sheet, _, col = need.partition(".")
        if sheet in self.absent:
            return False
        return not col or col not in self.model.sheets[sheet].missing_columns


def owner_of(link: pd.Series, owner: pd.Series) -> pd.Series:
    """The owner of each linked row's customer (UNASSIGNED for rows linked to no customer)."""
    return link.map(owner).astype(object).fillna(UNASSIGNED)


def as_date(v: Any) -> dt.date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def as_datetime(v: Any) -> dt.datetime | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()


def plain(v: Any) -> Any:
    """numpy scalars as Python numbers (amounts to 2 decimals)."""
    if isinstance(v, np.floating):
        return round(float(v), 2)
    return unwrap(v)
