"""Per-customer facts the review needs at a snapshot date: value tier (proposed and confirmed),
cadence, last contact, next follow-up, overdue days, risk reasons and high potential.

The review never relies on the computed columns having been written by ``wbt tiers``: it
computes them with the same pure helpers ``wbt tiers`` uses (:mod:`workbook_tools.ops.tiers`,
:mod:`workbook_tools.ops.risk`), as things stood at the snapshot date, so the review and the
tier columns agree.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ...model import WorkbookModel
from ..followup import KEY, ORDINARY, STRATEGIC, ended_customers, follow_ups
from ..links import CLOSED_STATUSES, facts, listed, owners
from ..risk import high_potential, profiles, risk_reasons, thresholds

TIERS = (STRATEGIC, KEY, ORDINARY)
NO_TIER = "(未定级)"

__all__ = ["CLOSED_STATUSES", "NO_TIER", "TIERS", "complaint_open", "customer_view", "is_churned", "link_rows",
           "listed", "term_dates"]


def link_rows(model: WorkbookModel, key: str) -> pd.Series:
    """For each row of ``key`` (contacts / complaints): the Excel row of its customer in 客户基本信息,
    or -1. Matched as ``wbt tiers`` does (:mod:`workbook_tools.ops.links`); a 客户编号 that several
    customers share links to the first of them."""
    sheet = model.sheets[key]
    if sheet.df.empty:
        return pd.Series([], index=sheet.df.index, dtype="int64")
    return pd.Series(owners(model, key).first, index=sheet.df.index, dtype="int64")


def term_dates(model: WorkbookModel) -> tuple[list[dt.date | None], list[dt.date | None]]:
    """(start, end) of each customer's 合作期限, in row order (from the rules' profiles, once per model)."""
    prof = profiles(model)
    rows = model.sheets["customers"].df.index.tolist()
    return [prof[r].term_start for r in rows], [prof[r].term_end for r in rows]


def is_churned(model: WorkbookModel) -> pd.Series:
    """流失: stage 终止合作 or customer type 流失客户 (list synonyms such as 已终止 count too)."""
    return ended_customers(model)


def customer_view(model: WorkbookModel, snapshot: dt.date) -> pd.DataFrame:
    """One row per customer (index = Excel row) as things stood at the end of ``snapshot``:
    tier (confirmed, else proposed, else NO_TIER), cadence, last_contact, next_follow, overdue_days
    (0 when not overdue), risk_reasons (list of str), high_potential (a ``risk.Potential`` or None),
    proposed (the tier the annual amount gives, or None), confirmed (客户等级(主管确认) or None),
    term_end, churned. Log and complaint rows dated after the snapshot are ignored; churned
    customers are never overdue, at risk nor high potential."""
    df = model.sheets["customers"].df
    per_customer = facts(model, snapshot)  # as wbt tiers
    follow = follow_ups(model, snapshot)
    profile = profiles(model)
    rules = thresholds(model.settings)
    churned = is_churned(model)
    rows: dict[str, list] = {k: [] for k in ("tier", "cadence", "last_contact", "next_follow", "overdue_days",
                                             "risk_reasons", "high_potential", "proposed", "confirmed", "term_end")}
    for row, gone in zip(df.index.tolist(), churned.tolist()):
        fa, fu, pr = per_customer[row], follow[row], profile[row]
        if gone:
            reasons, potential = [], None
        else:
            reasons = risk_reasons(pr, fa, snapshot, rules)
            potential = high_potential(fa, snapshot, rules)
        rows["tier"].append(fu.tier or NO_TIER)
        rows["cadence"].append(fu.cadence)
        rows["last_contact"].append(fu.last_contact)
        rows["next_follow"].append(fu.next_follow)
        rows["overdue_days"].append(fu.overdue_days)
        rows["risk_reasons"].append(reasons)
        rows["high_potential"].append(potential)
        rows["proposed"].append(fu.proposed)
        rows["confirmed"].append(fu.confirmed)
        rows["term_end"].append(pr.term_end)
    out = pd.DataFrame(rows, index=df.index)
    out["overdue_days"] = out["overdue_days"].astype("int64")
    out["churned"] = churned
    return out


def complaint_open(comp: pd.DataFrame, status: pd.Series, snap: pd.Timestamp) -> pd.Series:
    """Complaints received by the end of ``snap`` and not resolved by then (解决时间 after it or
    empty). One marked 已解决/已关闭 (``status``: 处理状态 as list values, so 结案 too) without a 解决时间
    counts as closed (we cannot tell when)."""
    end = snap + pd.Timedelta(days=1)
    received = comp["received_at"] < end
    resolved = comp["resolved_at"] < end
    closed_undated = comp["resolved_at"].isna() & status.isin(CLOSED_STATUSES)
    return received & ~resolved & ~closed_undated
