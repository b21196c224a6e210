"""Per-customer facts the review needs at a snapshot date: value tier, cadence, last contact,
next follow-up, overdue days and risk reasons.

The review never relies on the computed columns having been written by ``wbt tiers``: it
computes them with the same pure helpers ``wbt tiers`` uses (:mod:`workbook_tools.ops.tiers`,
:mod:`workbook_tools.ops.risk`), as things stood at the snapshot date, so the review and the
tier columns agree.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from ...model import WorkbookModel
from ..links import CLOSED_STATUSES, Facts, facts, owners
from ..matching import list_value
from ..risk import risk_reasons, term_end
from ..tiers import ENDED_STAGES, ENDED_TYPES, KEY, ORDINARY, STRATEGIC, cadence_for, tier_for

TIERS = (STRATEGIC, KEY, ORDINARY)
NO_TIER = "(未定级)"

__all__ = ["CLOSED_STATUSES", "NO_TIER", "TIERS", "complaint_open", "customer_view", "is_churned", "link_rows",
           "term_end"]


def link_rows(model: WorkbookModel, key: str) -> pd.Series:
    """For each row of ``key`` (contacts / complaints): the Excel row of its customer in 客户基本信息,
    or -1. Matched as ``wbt tiers`` does (:mod:`workbook_tools.ops.links`); a 客户编号 that several
    customers share links to the first of them."""
    sheet = model.sheets[key]
    if sheet.df.empty:
        return pd.Series([], index=sheet.df.index, dtype="int64")
    return pd.Series(owners(model, key).first, index=sheet.df.index, dtype="int64")


def is_churned(model: WorkbookModel) -> pd.Series:
    """流失: stage 终止合作 or customer type 流失客户 (list synonyms such as 已终止 count too)."""
    cust = model.sheets["customers"]
    st = model.settings
    lv = _cached_list_value(st)
    stage = pd.Series(_list_values(cust.raw["stage"], "stage", lv), index=cust.df.index)
    ctype = pd.Series(_list_values(cust.raw["customer_type"], "customer_type", lv), index=cust.df.index)
    return (stage.isin(ENDED_STAGES) | ctype.isin(ENDED_TYPES)).astype(bool)


def gather_facts(model: WorkbookModel, snapshot: dt.date) -> dict[int, Facts]:
    """:func:`workbook_tools.ops.links.facts` with the window ``wbt tiers`` uses (risk_complaint_days)."""
    return facts(model, snapshot, int(model.settings.get("risk_complaint_days")))


def customer_view(model: WorkbookModel, snapshot: dt.date) -> pd.DataFrame:
    """One row per customer (index = Excel row) as things stood at the end of ``snapshot``:
    tier (confirmed, else proposed, else NO_TIER), cadence, last_contact, next_follow, overdue_days
    (0 when not overdue), risk_reasons (list of str), term_end, churned. Log and complaint rows
    dated after the snapshot are ignored; churned customers are never overdue nor at risk."""
    cust = model.sheets["customers"]
    st = model.settings
    df, raw = cust.df, cust.raw
    per_customer = gather_facts(model, snapshot)
    smin, kmin = float(st.get("tier_strategic_min")), float(st.get("tier_key_min"))
    churned = is_churned(model)
    rows: dict[str, list] = {k: [] for k in ("tier", "cadence", "last_contact", "next_follow", "overdue_days",
                                             "risk_reasons", "term_end")}
    lv = _cached_list_value(st)
    first = [None if pd.isna(v) else v.date() for v in df["first_contact"]]
    sats = [None if pd.isna(v) else float(v) for v in df["satisfaction"]]
    cols = zip(df.index, df["amount_annual"], raw["tier_confirmed"], raw["follow_grade"], raw["term"], raw["stage"],
               first, sats, churned)
    ends: dict[object, dt.date | None] = {}
    for row, amount, conf, grade, term, stage, fc, sat, gone in cols:
        fa = per_customer[row]
        tier = lv("value_tier", conf) or tier_for(amount, smin, kmin)
        cadence = cadence_for(tier, lv("follow_grade", grade), st)
        base = fa.last_contact or fc
        nxt = base + dt.timedelta(days=cadence) if base is not None else None
        key = term if isinstance(term, str | dt.date | None) else str(term)
        if key not in ends:
            ends[key] = term_end(term)
        end = ends[key]
        if gone:
            overdue, reasons = 0, []
        else:
            overdue = max((snapshot - nxt).days, 0) if nxt is not None else 0
            reasons = risk_reasons(facts=fa, stage=lv("stage", stage), term=end, satisfaction=sat, as_of=snapshot,
                                   settings=st)
        rows["tier"].append(tier or NO_TIER)
        rows["cadence"].append(cadence)
        rows["last_contact"].append(fa.last_contact)
        rows["next_follow"].append(nxt)
        rows["overdue_days"].append(overdue)
        rows["risk_reasons"].append(reasons)
        rows["term_end"].append(end)
    out = pd.DataFrame(rows, index=df.index)
    out["overdue_days"] = out["overdue_days"].astype("int64")
    out["churned"] = churned
    return out


def _cached_list_value(st: object):  # noqa: ANN202 - a small memo around matching.list_value
    memo: dict[tuple[str, object], str | None] = {}

    def get(list_key: str, value: object) -> str | None:
        k = (list_key, value if isinstance(value, str | int | float | None) else str(value))
        if k not in memo:
            memo[k] = list_value(list_key, value, st)  # type: ignore[arg-type]
        return memo[k]

    return get


def _list_values(raw: pd.Series, list_key: str, lv) -> list[str | None]:  # noqa: ANN001
    """list_value for a whole column, computed once per distinct cell value."""
    memo: dict[object, str | None] = {}
    out: list[str | None] = []
    for v in raw:
        k = v if isinstance(v, str | int | float | None) else str(v)
        if k not in memo:
            memo[k] = lv(list_key, v)
        out.append(memo[k])
    return out


def complaint_open(comp: pd.DataFrame, snap: pd.Timestamp) -> pd.Series:
    """Complaints received by the end of ``snap`` and not resolved by then (解决时间 after it or
    empty). One marked 已解决/已关闭 without a 解决时间 counts as closed (we cannot tell when)."""
    end = snap + pd.Timedelta(days=1)
    received = comp["received_at"] < end
    resolved = comp["resolved_at"] < end
    closed_undated = comp["resolved_at"].isna() & comp["status"].isin(CLOSED_STATUSES)
    return received & ~resolved & ~closed_undated
