"""The review's figures: counts, averages and rates of one period, computed from the model alone
(pure: no files, no today). Every definition is documented in ``docs/review.md``; keep the two in step.

A period is a calendar month or quarter (:mod:`.period`); the *snapshot* is its last day, or
``as_of`` when that is earlier (a review of the running period). The previous period's figures are
the same definitions applied to the period before, with its last day as the snapshot.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ..ratings import sheet_ratings
from ..rule_columns import RISK_CUSTOMERS, RISK_LOG
from .context import Ctx, day_end, within
from .customers import complaint_open
from .model import NO_DATA, NOT_AVAILABLE, NOT_RUN, OK, KpiDef, Value
from .period import Period
from .rates import RATE_DEFS, rate_values, sla_parts

LIST_LIMIT = 200  # rows per list on the sheet and in the reports; the full count is kept

_C, _L, _P = "customers", "contacts", "complaints"
_LOG = ((f"{_L}.contact_date",), (f"{_L}.customer_id", f"{_L}.customer_name"))
_CHURN = ((f"{_C}.stage", f"{_C}.customer_type"), (f"{_C}.last_coop", f"{_C}.term"))

COUNT_DEFS: tuple[KpiDef, ...] = (
    KpiDef("customers_total", "客户总数", "Customers in total", 1, needs=((_C,),)),
    KpiDef("new_customers", "新增客户", "New customers", 1, needs=((f"{_C}.first_contact",),)),
    KpiDef("churned", "流失客户", "Churned customers", -1, needs=_CHURN),
    KpiDef("contacts_logged", "沟通记录数", "Contacts logged", 1, unit="log_rows", needs=_LOG[:1]),
    KpiDef("customers_contacted", "沟通客户数", "Customers contacted", 1, needs=_LOG),
    KpiDef("overdue_followups", "逾期未跟进", "Overdue follow-ups", -1, needs=_LOG),
    KpiDef("open_opportunities", "未转化商机", "Open opportunities", 0,
           needs=((f"{_C}.first_coop",), (f"{_C}.stage", f"{_C}.customer_type"))),
    KpiDef("complaints_opened", "新增投诉", "Complaints opened", -1, unit="complaints",
           needs=((f"{_P}.received_at",),)),
    KpiDef("complaints_closed", "解决投诉", "Complaints closed", 1, unit="complaints",
           needs=((f"{_P}.resolved_at",),)),
    KpiDef("complaints_open", "{u}末未结投诉", "Open at {u} end", -1, unit="complaints",
           needs=((f"{_P}.received_at",), (f"{_P}.resolved_at", f"{_P}.status"))),
    KpiDef("sla_breaches", "响应超时投诉", "SLA breaches", -1, unit="complaints",
           needs=((f"{_P}.received_at",), (f"{_P}.responded_at", f"{_P}.resolved_at"))),
    KpiDef("avg_hours_to_resolve", "平均解决时长(小时)", "Avg hours to resolve", -1, 1, unit="hours",
           needs=((f"{_P}.received_at",), (f"{_P}.resolved_at",))),
    KpiDef("avg_satisfaction", "投诉处理满意度", "Avg satisfaction (complaints)", 1, 2, unit="score_1_5",
           needs=((f"{_P}.satisfaction",), (f"{_P}.resolved_at",))),
    KpiDef("customer_satisfaction", "客户满意度均值", "Avg customer satisfaction", 1, 2, unit="score_1_5",
           needs=((f"{_C}.satisfaction",),)),
    KpiDef("nps", "净推荐值 NPS", "Net promoter score", 1, unit="nps",
           note_zh="需要 0–10 分的推荐意愿评分，工作簿只有 1–5 分满意度", note_en="Needs 0–10 likelihood-to-recommend "
           "scores; the workbook holds 1–5 satisfaction only"),
    KpiDef("contracts_ending_next", "下{u}到期合同", "Contracts ending next {u}", 0, needs=((f"{_C}.term",),)),
    KpiDef("dq_errors", "数据质量错误", "Data-quality errors", -1, unit="errors"),
)
KPI_DEFS: tuple[KpiDef, ...] = COUNT_DEFS + RATE_DEFS
# what the review's tables and lists read besides its figures' columns: the at-risk and high-potential
# lists read the rules' columns (RISK_CUSTOMERS, RISK_LOG), the others these
TABLE_READS: dict[str, tuple[str, ...]] = {
    _C: ("customer_id", "owner", "industry", "company_size", "amount_annual", "tier_confirmed", "tier_confirmed_on",
         *RISK_CUSTOMERS),
    _L: ("follower", *RISK_LOG),
    _P: ("complaint_id", "urgency", "handler"),
}


def review_reads(sheet: str) -> tuple[str, ...]:
    """Every column of ``sheet`` the review reads: its figures' needs (KPI_DEFS) and TABLE_READS.
    The write gate (ops.needs.NEEDS["review"]) is built from it, so the two cannot drift."""
    cols = [k.partition(".")[2] for d in KPI_DEFS for group in d.needs for k in group if k.startswith(sheet + ".")]
    return tuple(dict.fromkeys([*cols, *TABLE_READS.get(sheet, ())]))


def period_figures(ctx: Ctx, p: Period, snap: dt.date, findings_errors: int | None) -> tuple[
        dict[str, Value], dict[str, Any]]:
    """The values of every figure in period ``p`` up to ``snap`` (see KPI_DEFS and docs/review.md), and
    the row masks the tables and lists reuse."""
    cust, contacts, comp = ctx.cust, ctx.contacts, ctx.comp
    start = p.start
    view = ctx.view(snap)
    exists = ctx.exists(snap)
    new = within(cust["first_contact"], start, snap)
    churned = ctx.churned & within(ctx.churn_date, start, snap)
    in_period = within(contacts["contact_date"], start, snap)
    opened = within(comp["received_at"], start, snap)
    closed = within(comp["resolved_at"], start, snap)
    open_end = complaint_open(comp, ctx.status, pd.Timestamp(snap))
    sla = sla_parts(ctx, opened, snap)
    hours = ((comp["resolved_at"] - comp["received_at"]).dt.total_seconds() / 3600)[closed]
    hours = hours[hours >= 0]
    # only valid ratings (whole numbers 1–5, docs/domain.md#customers) enter the averages
    sat_c, left_c = sheet_ratings(ctx.model.sheets["complaints"], closed)
    sat, left = sheet_ratings(ctx.model.sheets["customers"], exists & ~ctx.churned)
    nxt = p.shift(1)
    ending = within(ctx.term_end_at, nxt.start, nxt.end) & ~ctx.churned
    opportunities = open_opportunities(ctx, snap)
    values: dict[str, Value] = {
        "customers_total": Value(int(exists.sum())),
        "new_customers": Value(int(new.sum())),
        "churned": Value(int(churned.sum())),
        "contacts_logged": Value(int(in_period.sum())),
        "customers_contacted": Value(int(ctx.contact_keys(in_period).nunique())),
        "overdue_followups": Value(int(((view["overdue_days"] > 0) & exists).sum())),
        "open_opportunities": Value(int(opportunities.sum())),
        "complaints_opened": Value(int(opened.sum())),
        "complaints_closed": Value(int(closed.sum())),
        "complaints_open": Value(int(open_end.sum())),
        "sla_breaches": Value(int(sla["breach"].sum())),
        "avg_hours_to_resolve": _mean(hours, 1),
        "avg_satisfaction": _mean(sat_c, 2, left_c),
        "customer_satisfaction": _mean(sat, 2, left),
        "nps": Value(None, NOT_AVAILABLE),
        "contracts_ending_next": Value(int(ending.sum())),
        "dq_errors": Value(findings_errors, OK if findings_errors is not None else NOT_RUN),
    }
    values.update(rate_values(ctx, p, snap, sla))
    masks = {"new": new, "churned": churned, "in_period": in_period, "opened": opened, "open_end": open_end,
             "ending": ending, "exists": exists, "opportunities": opportunities, "sla": sla}
    return values, masks


def open_opportunities(ctx: Ctx, snap: dt.date) -> pd.Series:
    """潜在/意向 customers with no deal yet: existing at ``snap``, not churned, no 首次合作时间, and
    neither a stage (合作中, 暂停合作) nor a type (老客户) that says they have bought."""
    bought = ctx.stage.isin(("合作中", "暂停合作")) | ctx.ctype.isin(("老客户",))
    no_deal = ctx.cust["first_coop"].isna() | (ctx.cust["first_coop"] >= day_end(snap))
    return ctx.exists(snap) & ~ctx.churned & no_deal & ~bought


def _mean(values: pd.Series, decimals: int, left_out: int | None = None) -> Value:
    """The mean of ``values``; ``left_out``: how many invalid values were not averaged."""
    if not len(values):
        return Value(None, NO_DATA, left_out=left_out)
    return Value(round(float(values.mean()), decimals), left_out=left_out)
