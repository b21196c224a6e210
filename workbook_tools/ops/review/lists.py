"""The review's lists (清单): customers and complaints to act on, at most LIST_LIMIT rows each (the
full count is kept). A list is ``add(key, title, head, keys, frame, cols)``: ``frame`` holds the rows in
order (its index is the Excel row), ``cols`` one value per row each (a Series on that index, or a
function of the row). Definitions in ``docs/review.md``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import pandas as pd

from ...i18n import L
from .context import Ctx, as_date, as_datetime, day_end
from .customers import NO_TIER, TIERS
from .kpis import LIST_LIMIT
from .model import Table
from .period import Period
from .reasons import churn_reasons, latest_feedback, reason_table

Column = pd.Series | Callable[[int], Any]
GRADES = {"A": 0, "B": 1, "C": 2}


def rows_of(frame: pd.DataFrame, cols: list[Column]) -> tuple[list[list[Any]], int]:
    """The first LIST_LIMIT rows of ``frame`` (already sorted) as lists of the given per-row columns."""
    head = frame.index[:LIST_LIMIT]
    columns = [_values(c.reindex(head)) if isinstance(c, pd.Series) else [c(r) for r in head] for c in cols]
    return [list(row) for row in zip(*columns)] if columns else [], len(frame)


def _values(series: pd.Series) -> list[Any]:
    """A column's values as plain Python objects, empty (NaN, NaT) as None."""
    v = series.astype(object)
    return v.where(v.notna(), None).tolist()


def build_lists(ctx: Ctx, p: Period, snap: dt.date, masks: dict[str, Any]) -> tuple[list[Table], list[Table]]:
    """(lists, extra tables): the extra tables are the churn reasons (counted from the churned list)."""
    cust, comp, view = ctx.cust, ctx.comp, ctx.view(snap)
    owner, name, cid = ctx.owner, cust["name"], cust["customer_id"]
    last = view["last_contact"]
    exists = masks["exists"]
    w = p.words
    out: list[Table] = []

    def add(key: str, title: L, head: list[L], keys: list[str], frame: pd.DataFrame, cols: list[Column]) -> None:
        rows, total = rows_of(frame, cols)
        out.append(Table(key, title, head, rows, total, keys))

    # overdue: the valued customers first by tier, annual amount and days overdue; prospects with no tier apart
    od = view[(view["overdue_days"] > 0) & exists]
    od = od.assign(_t=od["tier"].map({t: i for i, t in enumerate(TIERS)}), _a=cust.loc[od.index, "amount_annual"])
    tiered = od[od["tier"] != NO_TIER].sort_values(["_t", "_a", "overdue_days"], ascending=[True, False, False],
                                                  kind="stable", na_position="last")
    days = view["overdue_days"]
    add("overdue", L("逾期未跟进客户（按价值）", "Overdue follow-ups (by value)"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("价值等级", "Tier"),
         L("年度金额(万元)", "Annual amount (10k CNY)"), L("最近沟通", "Last contact"), L("应跟进日期", "Due"),
         L("逾期天数", "Days overdue")],
        ["name", "customer_id", "owner", "tier", "amount_annual", "last_contact", "due", "days_overdue"],
        tiered, [name, cid, owner, view["tier"], cust["amount_annual"], last, view["next_follow"],
                 days])
    prospects = od[od["tier"] == NO_TIER].sort_values("overdue_days", ascending=False, kind="stable")
    add("overdue_prospects", L("逾期未跟进的未定级客户", "Overdue customers with no tier"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("最近沟通", "Last contact"),
         L("应跟进日期", "Due"), L("逾期天数", "Days overdue")],
        ["name", "customer_id", "owner", "last_contact", "due", "days_overdue"],
        prospects, [name, cid, owner, last, view["next_follow"], days])
    contacted = set(ctx.contact_link[masks["in_period"] & (ctx.contact_link >= 0)])
    important = view["tier"].isin(TIERS[:2]) & exists & ~view["churned"] & ~view.index.isin(contacted)
    imp = view[important]
    imp = imp.assign(_o=imp["tier"].map({TIERS[0]: 0, TIERS[1]: 1}), _l=pd.to_datetime(imp["last_contact"]))
    imp = imp.sort_values(["_o", "_l"], kind="stable", na_position="first")
    add("not_contacted", w("本{u}未沟通的战略/重点客户", "Strategic and key customers not contacted this {u}"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("价值等级", "Tier"), L("负责人", "Owner"),
         L("最近沟通", "Last contact")], ["name", "customer_id", "tier", "owner", "last_contact"],
        imp, [name, cid, view["tier"], owner, last])
    risky = view[(view["risk_reasons"].map(len) > 0) & exists]
    add("at_risk", L("风险客户", "At-risk customers"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("价值等级", "Tier"),
         L("风险原因", "Reasons")], ["name", "customer_id", "owner", "tier", "reasons"],
        risky, [name, cid, owner, view["tier"], risky["risk_reasons"].map("；".join)])
    op = comp[masks["open_end"]].sort_values("received_at", kind="stable")
    snap_end = day_end(snap)

    def comp_name(r: int) -> Any:
        lr = ctx.complaint_link[r]
        return name[lr] if lr >= 0 else (comp.at[r, "customer_name"] or comp.at[r, "customer_id"])

    add("open_complaints", L("未结投诉", "Open complaints"),
        [L("客户", "Customer"), L("投诉编号", "Complaint"), L("紧急程度", "Urgency"), L("投诉时间", "Received"),
         L("处理人", "Handler"), L("处理状态", "Status"), L("已等待(天)", "Days open")],
        ["customer", "complaint_id", "urgency", "received_at", "handler", "status", "days_open"],
        op, [comp_name, comp["complaint_id"], comp["urgency"], op["received_at"].map(as_datetime),
             comp["handler"], comp["status"],
             ((snap_end - op["received_at"]).dt.total_seconds() // 86400).astype("int64")])
    nxt = p.shift(1)
    ending = view[masks["ending"]]
    ending = ending.assign(_e=pd.to_datetime(ending["term_end"])).sort_values("_e", kind="stable")
    add("contracts_ending", w("下{u}到期合同 ({n})", "Contracts ending next {u} ({n})").format(n=str(nxt)),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("合作期限", "Term"),
         L("到期日", "Ends"), L("最近沟通", "Last contact")],
        ["name", "customer_id", "owner", "term", "ends", "last_contact"],
        ending, [name, cid, owner, cust["term"], view["term_end"], last])
    reasons = churn_reasons(ctx, snap, masks["churned"])
    gone = cust[masks["churned"]]
    gone = gone.assign(_d=ctx.churn_date[gone.index]).sort_values("_d", kind="stable")
    add("churned", w("本{u}流失客户及原因", "Customers lost this {u} and why"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("流失日期", "Lost on"),
         L("曾合作", "Had bought"), L("流失原因", "Reasons"), L("依据", "Found in")],
        ["name", "customer_id", "owner", "lost_on", "had_bought", "reasons", "evidence"],
        gone, [name, cid, owner, lambda r: as_date(ctx.churn_date[r]),
               lambda r: "是" if pd.notna(cust.at[r, "first_coop"]) else "否",
               lambda r: "、".join(reasons[r][0]), lambda r: reasons[r][1]])
    opp = cust[masks["opportunities"]]
    first = cust["first_contact"]
    opp = opp.assign(_g=ctx.grade[opp.index].map(GRADES).fillna(len(GRADES)), _a=first[opp.index])
    opp = opp.sort_values(["_g", "_a"], kind="stable", na_position="last")
    feedback = latest_feedback(ctx, snap, opp.index)
    add("open_opportunities", L("未转化商机（潜在/意向客户）", "Open opportunities (prospects with no deal)"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("跟进等级", "Grade"),
         L("客户来源", "Source"), L("初次接触", "First contact"), L("已跟进(天)", "Days since first contact"),
         L("最近沟通", "Last contact"), L("最近反馈", "Latest feedback")],
        ["name", "customer_id", "owner", "grade", "source", "first_contact", "days_open", "last_contact",
         "latest_feedback"],
        opp, [name, cid, owner, ctx.grade, ctx.source, first[opp.index].dt.date,
              (pd.Timestamp(snap) - first[opp.index]).dt.days.astype("Int64"), last, feedback])
    return out, [reason_table(ctx, reasons, p)]
