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
from ..links import CLOSED_STATUSES, facts, listed, owners
from ..matching import column_values
from ..risk import high_potential, profiles, risk_reasons, thresholds
from ..tiers import ENDED_STAGES, ENDED_TYPES, KEY, ORDINARY, STRATEGIC, cadence_for, tier_for

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
    stage = listed(model, "customers", "stage", "stage")
    ctype = listed(model, "customers", "customer_type", "customer_type")
    return (stage.isin(ENDED_STAGES) | ctype.isin(ENDED_TYPES)).astype(bool)


def customer_view(model: WorkbookModel, snapshot: dt.date) -> pd.DataFrame:
    """One row per customer (index = Excel row) as things stood at the end of ``snapshot``:
    tier (confirmed, else proposed, else NO_TIER), cadence, last_contact, next_follow, overdue_days
    (0 when not overdue), risk_reasons (list of str), high_potential (a ``risk.Potential`` or None),
    proposed (the tier the annual amount gives, or None), confirmed (客户等级(主管确认) or None),
    term_end, churned. Log and complaint rows dated after the snapshot are ignored; churned
    customers are never overdue, at risk nor high potential."""
    cust = model.sheets["customers"]
    st = model.settings
    df = cust.df
    per_customer = facts(model, snapshot)  # as wbt tiers
    profile = profiles(model)
    rules = thresholds(st)
    smin, kmin = st.number("tier_strategic_min"), st.number("tier_key_min")
    churned = is_churned(model)
    rows: dict[str, list] = {k: [] for k in ("tier", "cadence", "last_contact", "next_follow", "overdue_days",
                                             "risk_reasons", "high_potential", "proposed", "confirmed", "term_end")}

    def column(key: str, list_key: str) -> list[str | None]:
        return listed(model, "customers", key, list_key).tolist()

    first = [v if v == v else None for v in column_values(df["first_contact"])]  # NaN (no date) → None
    cadences: dict[tuple[str | None, str | None], int] = {}
    cols = zip(df.index.tolist(), df["amount_annual"].tolist(), column("tier_confirmed", "value_tier"),
               column("follow_grade", "follow_grade"), first, churned.tolist())
    for row, amount, conf, grade, fc, gone in cols:
        fa, pr = per_customer[row], profile[row]
        proposed = tier_for(amount, smin, kmin)
        tier = conf or proposed
        cadence = cadences.get((tier, grade))
        if cadence is None:
            cadence = cadences[(tier, grade)] = cadence_for(tier, grade, st)
        base = fa.last_contact or fc
        nxt = base + dt.timedelta(days=cadence) if base is not None else None
        if gone:
            overdue, reasons, potential = 0, [], None
        else:
            overdue = max((snapshot - nxt).days, 0) if nxt is not None else 0
            reasons = risk_reasons(pr, fa, snapshot, rules)
            potential = high_potential(fa, snapshot, rules)
        rows["tier"].append(tier or NO_TIER)
        rows["cadence"].append(cadence)
        rows["last_contact"].append(fa.last_contact)
        rows["next_follow"].append(nxt)
        rows["overdue_days"].append(overdue)
        rows["risk_reasons"].append(reasons)
        rows["high_potential"].append(potential)
        rows["proposed"].append(proposed)
        rows["confirmed"].append(conf)
        rows["term_end"].append(pr.term_end)
    out = pd.DataFrame(rows, index=df.index)
    out["overdue_days"] = out["overdue_days"].astype("int64")
    out["churned"] = churned
    return out


def complaint_open(comp: pd.DataFrame, snap: pd.Timestamp) -> pd.Series:
    """Complaints received by the end of ``snap`` and not resolved by then (解决时间 after it or
    empty). One marked 已解决/已关闭 without a 解决时间 counts as closed (we cannot tell when)."""
    end = snap + pd.Timedelta(days=1)
    received = comp["received_at"] < end
    resolved = comp["resolved_at"] < end
    closed_undated = comp["resolved_at"].isna() & comp["status"].isin(CLOSED_STATUSES)
    return received & ~resolved & ~closed_undated
