"""The review's rates (docs/domain.md#reviews): each a numerator over a
denominator in one period, "—" when the denominator is 0. Definitions in ``docs/review.md``.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd

from ..deadlines import deadline, first_response, response_hours
from ..history import month_of, transition
from ..links import owners
from .context import Ctx, day_end, within
from .model import NO_BASE, NOT_AVAILABLE, OK, KpiDef, Ratio, Value
from .period import Period

_C, _L, _P = "customers", "contacts", "complaints"
_LOG = ((f"{_L}.contact_date",), (f"{_L}.customer_id", f"{_L}.customer_name"))
REFERRAL = "转介绍"

RATE_DEFS: tuple[KpiDef, ...] = (
    KpiDef("churn_rate", "流失率", "Churn rate", -1, unit="ratio",
           needs=((f"{_C}.stage", f"{_C}.customer_type"), (f"{_C}.last_coop", f"{_C}.term"))),
    KpiDef("complaint_rate", "投诉率", "Complaint rate", -1, unit="ratio",
           needs=((f"{_P}.received_at",), (f"{_P}.customer_id", f"{_P}.customer_name"))),
    KpiDef("renewal_rate", "续约率", "Renewal rate", 1, unit="ratio",
           needs=((f"{_C}.term",), (f"{_C}.first_coop",))),
    KpiDef("repurchase_rate", "复购率", "Repurchase rate", 1, unit="ratio",
           needs=((f"{_C}.first_coop",), (f"{_C}.last_coop",))),
    KpiDef("referral_rate", "转介绍率", "Referral rate", 1, unit="ratio",
           needs=((f"{_C}.first_contact",), (f"{_C}.source",))),
    KpiDef("a_to_deal_rate", "A级意向转成交率", "Grade A → deal", 1, unit="ratio",
           needs=((f"{_C}.follow_grade",), (f"{_C}.first_coop",))),
    KpiDef("b_to_a_rate", "B级升A级比例", "Grade B → A", 1, unit="ratio", needs=((f"{_C}.follow_grade",),)),
    KpiDef("on_time_followup_rate", "按时跟进率", "On-time follow-up rate", 1, unit="ratio", needs=_LOG),
    KpiDef("sla_compliance_rate", "投诉按时响应率", "Complaint SLA compliance", 1, unit="ratio",
           needs=((f"{_P}.received_at",), (f"{_P}.responded_at", f"{_P}.resolved_at"))),
)


def rate(numerator: int, denominator: int) -> Value:
    """numerator / denominator as a Ratio (4 decimals); no value when the denominator is 0."""
    if not denominator:
        return Value(None, NO_BASE, numerator, denominator)
    return Value(Ratio(round(numerator / denominator, 4)), OK, numerator, denominator)


def count(mask: pd.Series | np.ndarray) -> int:
    return int(np.count_nonzero(mask))


def rate_values(ctx: Ctx, p: Period, snap: dt.date, sla: dict[str, pd.Series]) -> dict[str, Value]:
    cust, start = ctx.cust, p.start
    active = ctx.active_from(start)
    churned_in = ctx.churned & within(ctx.churn_date, start, snap)
    in_period = ctx.in_period(start, snap)
    complained = cust.index.isin(ctx.complaint_link[within(ctx.comp["received_at"], start, snap)])
    new = within(cust["first_contact"], start, snap)
    renewed, due = renewals(ctx, start, snap)
    first, last = cust["first_coop"], cust["last_coop"]
    bought_before = active & (first < pd.Timestamp(start))
    again = bought_before & within(last, start, snap) & (last > first)
    grade = conversion_by_grade(ctx, start, snap)
    on_time, due_followups = followups(ctx, start, snap)
    return {
        "churn_rate": rate(count(churned_in & active), count(active)),
        "complaint_rate": rate(count(in_period & complained), count(in_period)),
        "renewal_rate": rate(count(renewed), count(due)),
        "repurchase_rate": rate(count(again), count(bought_before)),
        "referral_rate": rate(count(new & (ctx.source == REFERRAL)), count(new)),
        "a_to_deal_rate": grade.get("A", rate(0, 0)),
        "b_to_a_rate": b_to_a(ctx, p),
        "on_time_followup_rate": rate(on_time, due_followups),
        "sla_compliance_rate": rate(count(sla["in_time"]), count(sla["in_time"] | sla["breach"])),
    }


def b_to_a(ctx: Ctx, p: Period) -> Value:
    """Of the customers whose grade was B at the end of the period before ``p`` (from the grade
    history), the share whose grade is A at the end of ``p``; not available, with the reason, when
    the history holds no record of either month (docs/review.md#grade-history)."""
    before = p.shift(-1)
    got = transition(ctx.history, month_of(before.year, before.last_month), month_of(p.year, p.last_month), "B", "A")
    if isinstance(got, tuple):
        return rate(*got)
    return Value(None, NOT_AVAILABLE, note=got)


def renewals(ctx: Ctx, start: dt.date, snap: dt.date) -> tuple[pd.Series, pd.Series]:
    """(renewed, due) in the period. Renewed: a 合作期限 that starts in the period more than
    ``renewal_gap_days`` after 首次合作时间 (so it follows an earlier term). Due: those, plus every
    customer whose 合作期限 ends in the period (the sheet still shows the term that ended)."""
    gap = pd.Timedelta(days=ctx.model.settings.number("renewal_gap_days"))
    renewed = within(ctx.term_start_at, start, snap) & ((ctx.term_start_at - ctx.cust["first_coop"]) > gap)
    ended = within(ctx.term_end_at, start, snap)
    return renewed, renewed | ended


def conversion_by_grade(ctx: Ctx, start: dt.date, snap: dt.date) -> dict[str, Value]:
    """Per follow-up grade (A/B/C as they stand): customers with no deal at the start of the period
    (active, no 首次合作时间 before it) → those whose 首次合作时间 falls in the period."""
    key = ("conversion_by_grade", start, snap)
    if key not in ctx.cache:
        first = ctx.cust["first_coop"]
        open_at_start = ctx.active_from(start) & (first.isna() | (first >= pd.Timestamp(start)))
        deal = within(first, start, snap)
        out = {}
        for g in ("A", "B", "C"):
            mine = open_at_start & (ctx.grade == g)
            out[g] = rate(count(mine & deal), count(mine))
        ctx.cache[key] = out
    return ctx.cache[key]


def followups(ctx: Ctx, start: dt.date, snap: dt.date) -> tuple[int, int]:
    """(on time, due) follow-ups in the period. Each contact in the period that follows an earlier
    contact (or the 初次接触时间) of the same customer is a follow-up; it is on time when the gap is
    at most the customer's cadence. Customers still overdue at the snapshot count as due, not on time.
    Churned customers and several contacts on one day (counted once) are left out."""
    view = ctx.view(snap)
    live = ~ctx.churned
    overdue = count((view["overdue_days"] > 0) & ctx.exists(snap) & live)
    rows, days = contact_days(ctx)
    keep = (days <= np.datetime64(snap, "D")) & live.reindex(rows).to_numpy(dtype=bool)
    rows, days = rows[keep], days[keep].astype(np.int64)
    follows = np.zeros(len(rows), dtype=bool)
    follows[1:] = rows[1:] == rows[:-1]             # sorted by customer, then day: the one before is the previous
    gap = np.zeros(len(rows), dtype=np.int64)
    gap[1:] = days[1:] - days[:-1]
    first, last = np.datetime64(start, "D").astype(np.int64), np.datetime64(snap, "D").astype(np.int64)
    now = follows & (days >= first) & (days <= last)
    cadence = view["cadence"].reindex(rows[now]).to_numpy(dtype=np.int64)
    return count(gap[now] <= cadence), count(now) + overdue


def contact_days(ctx: Ctx) -> tuple[np.ndarray, np.ndarray]:
    """(customer row, day) of every linked contact and every 初次接触时间, one per customer and day,
    sorted by customer, then day (worked out once per review)."""
    if "contact_days" not in ctx.cache:
        if len(ctx.contacts):
            pos, linked = owners(ctx.model, "contacts").pairs()
            logged = ctx.contacts["contact_date"].to_numpy(dtype="datetime64[D]")[pos]
        else:
            linked, logged = np.array([], dtype=np.int64), np.array([], dtype="datetime64[D]")
        rows = np.concatenate([linked, ctx.cust.index.to_numpy(dtype=np.int64)])
        days = np.concatenate([logged, ctx.cust["first_contact"].to_numpy(dtype="datetime64[D]")])
        ok = ~np.isnat(days)
        rows, days = rows[ok], days[ok]
        order = np.lexsort((days, rows))
        rows, days = rows[order], days[order]
        new = np.ones(len(rows), dtype=bool)
        new[1:] = (rows[1:] != rows[:-1]) | (days[1:] != days[:-1])
        ctx.cache["contact_days"] = (rows[new], days[new])
    return ctx.cache["contact_days"]


def sla_limits(ctx: Ctx) -> pd.Series:
    """Response limit in hours per complaint: 紧急 / 特急 by their settings, anything else 一般."""
    st = ctx.model.settings
    return ctx.urgency.map(lambda u: response_hours(u, st)).astype("float64")


def sla_parts(ctx: Ctx, opened: pd.Series, snap: dt.date) -> dict[str, pd.Series]:
    """Complaints opened in the period, split by their first response (首次响应时间, else 解决时间):
    ``in_time`` within the limit of their urgency, ``breach`` later or still unanswered once the limit
    passed, ``pending`` unanswered with the limit not yet passed at the end of the snapshot. A complaint
    received on a date without a time counts from the end of that day, as validation counts it."""
    comp = ctx.comp
    limit = sla_limits(ctx)
    due = deadline(comp["received_at"], limit)
    answered = first_response(comp)
    end = day_end(snap)
    by_snap = answered < end
    breach = opened & (answered.where(by_snap, end) > due)
    return {"in_time": opened & ~breach & by_snap, "breach": breach, "pending": opened & ~breach & ~by_snap,
            "limit": limit}
