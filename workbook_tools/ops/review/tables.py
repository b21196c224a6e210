"""The review's breakdowns (分组统计): by owner, industry, tier, stage, channel and grade, complaint
response by urgency, and the profile of strategic customers. Definitions in ``docs/review.md``."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ...i18n import L
from ..deadlines import CRITICAL, NORMAL, URGENT, response_hours
from ..followup import STRATEGIC
from .context import BLANK, Ctx, owner_of, plain, within
from .customers import NO_TIER, TIERS
from .model import Ratio, Table
from .period import Period
from .rates import conversion_by_grade, rate

DASH = "—"   # a rate whose denominator is 0


def ratio_cell(numerator: int, denominator: int) -> Ratio | str:
    v = rate(numerator, denominator).value
    return DASH if v is None else v


def count_table(key: str, title: L, head: list[L], keys: list[str], frame: pd.DataFrame,
                order: list[str] | None = None) -> Table:
    if order is not None:
        frame = frame.reindex([o for o in order if o in frame.index] +
                              sorted(o for o in frame.index if o not in order))
    rows = [[idx, *[plain(v) for v in r]] for idx, r in zip(frame.index, frame.itertuples(index=False))]
    return Table(key, title, head, rows, len(rows), keys)


def breakdowns(ctx: Ctx, p: Period, snap: dt.date, masks: dict[str, Any]) -> list[Table]:
    cust, contacts = ctx.cust, ctx.contacts
    view = ctx.view(snap)
    exists = masks["exists"]
    owner = ctx.owner
    w = p.words
    # contacts count for the follower (跟进人), else for the customer's owner
    follower = contacts["follower"].fillna(owner_of(ctx.contact_link, owner)).replace("", "(未分配)")
    comp_owner = owner_of(ctx.complaint_link, owner)
    overdue = (view["overdue_days"] > 0) & exists
    tables: list[Table] = []
    by_owner = pd.DataFrame({
        "customers": owner[exists].value_counts(),
        "contacts": follower[masks["in_period"]].value_counts(),
        "overdue": owner[overdue].value_counts(),
        "complaints": comp_owner[masks["opened"]].value_counts(),
    }).fillna(0).astype("int64")
    by_owner = by_owner.sort_index().sort_values(["customers", "contacts"], ascending=False, kind="stable")
    tables.append(count_table("by_owner", L("按负责人", "By owner"),
                              [L("负责人", "Owner"), L("客户数", "Customers"), w("本{u}沟通", "Contacts this {u}"),
                               L("逾期", "Overdue"), w("本{u}投诉", "Complaints this {u}")],
                              ["owner", "customers", "contacts", "overdue", "complaints"], by_owner))
    industry = ctx.shown("industry", "industry").fillna(BLANK)
    by_ind = pd.DataFrame({
        "customers": industry[exists].value_counts(),
        "new": industry[masks["new"]].value_counts(),
        "amount": cust.loc[exists, "amount_annual"].groupby(industry[exists]).sum(),
    }).fillna(0)
    by_ind[["customers", "new"]] = by_ind[["customers", "new"]].astype("int64")
    by_ind = by_ind.sort_index().sort_values("customers", ascending=False, kind="stable")
    tables.append(count_table("by_industry", L("按行业", "By industry"),
                              [L("行业", "Industry"), L("客户数", "Customers"), w("本{u}新增", "New this {u}"),
                               L("年度金额(万元)", "Annual amount (10k CNY)")],
                              ["industry", "customers", "new", "amount_annual"], by_ind))
    contacted_rows = set(ctx.contact_link[masks["in_period"] & (ctx.contact_link >= 0)])
    tier = view["tier"]
    by_tier = pd.DataFrame({
        "customers": tier[exists].value_counts(),
        "contacted": tier[tier.index.isin(contacted_rows)].value_counts(),
        "overdue": tier[overdue].value_counts(),
        "amount": cust.loc[exists, "amount_annual"].groupby(tier[exists]).sum(),
    }).reindex([*TIERS, *([NO_TIER] if (tier[exists] == NO_TIER).any() else [])]).fillna(0)
    by_tier[["customers", "contacted", "overdue"]] = by_tier[["customers", "contacted", "overdue"]].astype("int64")
    tables.append(count_table("by_tier", L("按价值等级", "By value tier"),
                              [L("价值等级", "Value tier"), L("客户数", "Customers"), w("本{u}已沟通", "Contacted this {u}"),
                               L("逾期", "Overdue"), L("年度金额(万元)", "Annual amount (10k CNY)")],
                              ["tier", "customers", "contacted", "overdue", "amount_annual"], by_tier))
    stage = ctx.shown("stage", "stage").fillna(BLANK)
    by_stage = pd.DataFrame({"customers": stage[exists].value_counts()}).astype("int64")
    tables.append(count_table("by_stage", L("按合作阶段", "By stage"), [L("合作阶段", "Stage"), L("客户数", "Customers")],
                              ["stage", "customers"], by_stage, order=list(ctx.model.settings.lists.get("stage", []))))
    tables.append(by_channel(ctx, p, snap, masks))
    tables.append(grade_table(ctx, p, snap))
    tables.append(sla_table(ctx, masks))
    tables.append(high_value_profile(ctx, snap, exists))
    return tables


def by_channel(ctx: Ctx, p: Period, snap: dt.date, masks: dict[str, Any]) -> Table:
    """渠道有效性 (docs/domain.md#reviews): per 客户来源, customers and new ones, those who have bought (a
    首次合作时间 by the snapshot) and the share they are of the channel's customers."""
    cust, exists = ctx.cust, masks["exists"]
    source = ctx.source.fillna(BLANK)
    first = cust["first_coop"]
    dealt = exists & first.notna() & (first <= pd.Timestamp(snap))
    frame = pd.DataFrame({
        "customers": source[exists].value_counts(),
        "new": source[masks["new"]].value_counts(),
        "deals": source[dealt].value_counts(),
        "deals_now": source[exists & within(first, p.start, snap)].value_counts(),
        "amount": cust.loc[exists, "amount_annual"].groupby(source[exists]).sum(),
    }).fillna(0)
    cols = ["customers", "new", "deals", "deals_now"]
    frame[cols] = frame[cols].astype("int64")
    frame = frame.sort_index().sort_values("customers", ascending=False, kind="stable")
    rows = [[idx, int(r.customers), int(r.new), int(r.deals_now), int(r.deals), ratio_cell(int(r.deals), int(r.customers)),
             plain(r.amount)] for idx, r in zip(frame.index, frame.itertuples(index=False))]
    w = p.words
    return Table("by_channel", L("渠道有效性（按客户来源）", "Channel effectiveness (by lead source)"),
                 [L("客户来源", "Source"), L("客户数", "Customers"), w("本{u}新增", "New this {u}"),
                  w("本{u}成交", "Deals this {u}"), L("累计成交", "Customers who bought"), L("成交率", "Conversion"),
                  L("年度金额(万元)", "Annual amount (10k CNY)")],
                 rows, len(rows), ["source", "customers", "new", "deals", "customers_bought", "conversion_rate",
                                   "amount_annual"],
                 note=L("成交率 = 已有首次合作时间的客户 ÷ 该来源客户数", "Conversion = customers with a first cooperation "
                        "date ÷ the source's customers"))


def grade_table(ctx: Ctx, p: Period, snap: dt.date) -> Table:
    """各级客户跟进转化率 (docs/domain.md#reviews): per grade, open opportunities at the period start and their deals."""
    rows = []
    for g, v in conversion_by_grade(ctx, p.start, snap).items():
        rows.append([g, v.denominator, v.numerator, DASH if v.value is None else v.value])
    w = p.words
    return Table("conversion_by_grade", L("按跟进等级转化", "Conversion by follow-up grade"),
                 [L("跟进等级", "Grade"), w("{u}初未成交客户", "Open at the start of the {u}"),
                  w("本{u}成交", "Deals this {u}"), L("转化率", "Conversion")],
                 rows, len(rows), ["grade", "open_at_start", "deals", "conversion_rate"],
                 note=L("等级按当前填写；B级升A级比例见“比率”，按等级历史计算",
                        "Grades as they stand now; B → A is under the rates, from the grade history"))


def sla_table(ctx: Ctx, masks: dict[str, Any]) -> Table:
    """投诉响应 by urgency (docs/domain.md#deadlines): the list's urgencies, each with its limit from 代码表."""
    parts = masks["sla"]
    urgency = ctx.urgency.where(ctx.urgency.isin((URGENT, CRITICAL)), NORMAL)
    rows: list[list[Any]] = []
    for u in (NORMAL, URGENT, CRITICAL):
        mine = urgency == u
        opened = int((masks["opened"] & mine).sum())
        in_time = int((parts["in_time"] & mine).sum())
        late = int((parts["breach"] & mine).sum())
        pending = int((parts["pending"] & mine).sum())
        hours = float(parts["limit"][mine].iloc[0]) if mine.any() else response_hours(u, ctx.model.settings)
        rows.append([u, int(hours) if hours.is_integer() else hours, opened, in_time, late, pending,
                     ratio_cell(in_time, in_time + late)])
    return Table("sla_by_urgency", L("投诉响应时效（按紧急程度）", "Complaint response by urgency"),
                 [L("紧急程度", "Urgency"), L("时限(小时)", "Limit (h)"), L("新增投诉", "Opened"),
                  L("按时响应", "In time"), L("超时", "Late"), L("待响应", "Waiting"), L("按时率", "In-time rate")],
                 rows, len(rows), ["urgency", "limit_hours", "opened", "in_time", "late", "waiting", "in_time_rate"],
                 note=L("紧急程度未填或不在列表中的按“一般”计", "A blank or unknown urgency counts as 一般 (normal)"))


def high_value_profile(ctx: Ctx, snap: dt.date, exists: pd.Series) -> Table:
    """高价值客户特征 (docs/domain.md#reviews): industry, size and source of the strategic customers
    (existing, not churned), each value's share of them beside its share of all customers."""
    base = exists & ~ctx.churned
    top = base & (ctx.view(snap)["tier"] == STRATEGIC)
    n_top, n_all = int(top.sum()), int(base.sum())
    rows: list[list[Any]] = []
    dims = ((L("行业", "Industry"), ctx.shown("industry", "industry")),
            (L("企业规模", "Company size"), ctx.shown("company_size", "company_size")),
            (L("客户来源", "Source"), ctx.source))
    for label, series in dims:
        s = series.fillna(BLANK)
        counts = s[top].value_counts()
        overall = s[base].value_counts()
        for value in sorted(counts.index, key=lambda v: (-counts[v], str(v))):
            rows.append([label, value, int(counts[value]),
                         ratio_cell(int(counts[value]), n_top), ratio_cell(int(overall.get(value, 0)), n_all)])
    return Table("high_value_profile", L("战略客户画像", "Profile of strategic customers"),
                 [L("维度", "Dimension"), L("取值", "Value"), L("战略客户数", "Strategic customers"),
                  L("占战略客户", "Share of strategic"), L("占全部客户", "Share of all")],
                 rows, len(rows), ["dimension", "value", "customers", "share_of_strategic", "share_of_all"],
                 note=L("与“占全部客户”相差越大，越是战略客户的特征", "The further a share is from its share of all "
                        "customers, the more it marks out the strategic customers"))
