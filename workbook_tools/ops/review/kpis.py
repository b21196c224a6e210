"""The monthly review's figures, computed from the model alone (pure, no files, no today).

Every definition is documented in ``docs/review.md``; keep the two in step.
A month is the calendar month ``YYYY-MM``; the *snapshot* is its last day, or ``as_of`` when
that is earlier (a review of the running month). Facts "at month end" are taken at the snapshot;
the previous month's figures are the same definitions applied to the previous month.
"""

from __future__ import annotations

import calendar
import dataclasses
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ...errors import WbtError
from ...i18n import L
from ...model import WorkbookModel
from ...reader.frames import empty_sheet
from ...schema import SCHEMA
from ..ratings import sheet_ratings
from .customers import NO_TIER, TIERS, complaint_open, customer_view, is_churned, link_rows
from .watch import watch_lists

UNASSIGNED = "(未分配)"
LIST_LIMIT = 200  # rows per list on the sheet and in the reports; the full count is kept


@dataclass(frozen=True)
class Month:
    year: int
    month: int

    @classmethod
    def parse(cls, text: str) -> Month:
        m = re.fullmatch(r"\s*(\d{4})[-/.年](\d{1,2})月?\s*", str(text))
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise WbtError(L("月份“{t}”无法识别，请写成 YYYY-MM，如 2024-05",
                             "Month '{t}' not understood; write YYYY-MM, e.g. 2024-05").format(t=text))
        return cls(int(m.group(1)), int(m.group(2)))

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.month, calendar.monthrange(self.year, self.month)[1])

    def shift(self, n: int) -> Month:
        k = self.year * 12 + self.month - 1 + n
        return Month(k // 12, k % 12 + 1)

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"


@dataclass(frozen=True)
class KpiDef:
    key: str
    zh: str
    en: str
    better: int = 1          # +1: up is good, -1: up is bad, 0: neutral
    decimals: int = 0


KPI_DEFS: tuple[KpiDef, ...] = (
    KpiDef("customers_total", "客户总数", "Customers in total", 1),
    KpiDef("new_customers", "新增客户", "New customers", 1),
    KpiDef("churned", "流失客户", "Churned customers", -1),
    KpiDef("contacts_logged", "沟通记录数", "Contacts logged", 1),
    KpiDef("customers_contacted", "沟通客户数", "Customers contacted", 1),
    KpiDef("overdue_followups", "逾期未跟进", "Overdue follow-ups", -1),
    KpiDef("complaints_opened", "新增投诉", "Complaints opened", -1),
    KpiDef("complaints_closed", "解决投诉", "Complaints closed", 1),
    KpiDef("complaints_open", "月末未结投诉", "Open at month end", -1),
    KpiDef("sla_breaches", "响应超时投诉", "SLA breaches", -1),
    KpiDef("avg_hours_to_resolve", "平均解决时长(小时)", "Avg hours to resolve", -1, 1),
    KpiDef("avg_satisfaction", "投诉处理满意度", "Avg satisfaction (complaints)", 1, 2),
    KpiDef("customer_satisfaction", "客户满意度均值", "Avg customer satisfaction", 1, 2),
    KpiDef("contracts_ending_next_month", "下月到期合同", "Contracts ending next month", 0),
    KpiDef("dq_errors", "数据质量错误", "Data-quality errors", -1),
)
# the sheet.column each figure rests on: a figure whose input was not found says so, never 0
KPI_INPUTS: dict[str, tuple[str, ...]] = {
    "customers_total": ("customers",), "new_customers": ("customers.first_contact",),
    "churned": ("customers.stage",), "contacts_logged": ("contacts.contact_date",),
    "customers_contacted": ("contacts.contact_date",), "overdue_followups": ("contacts.contact_date",),
    "complaints_opened": ("complaints.received_at",), "complaints_closed": ("complaints.resolved_at",),
    "complaints_open": ("complaints.received_at",), "sla_breaches": ("complaints.received_at",),
    "avg_hours_to_resolve": ("complaints.resolved_at",), "avg_satisfaction": ("complaints.satisfaction",),
    "customer_satisfaction": ("customers.satisfaction",), "contracts_ending_next_month": ("customers.term",),
}


@dataclass
class Kpi:
    key: str
    label: L
    value: float | int | None
    previous: float | int | None
    better: int
    decimals: int
    missing: L | None = None   # the input this figure needs was not found: shown instead of a value

    def text(self, lang: str | None = None) -> str:
        """The value as a summary line shows it ('未找到“沟通时间”列' when its input was not found)."""
        if self.missing is not None:
            return self.missing.get(lang)
        return "—" if self.value is None else str(self.value)

    @property
    def delta(self) -> float | int | None:
        if self.value is None or self.previous is None:
            return None
        d = self.value - self.previous
        return round(d, self.decimals) if self.decimals else int(d)

    @property
    def trend(self) -> str:
        """good / bad / flat / none: how the change reads for a manager."""
        d = self.delta
        if d is None:
            return "none"
        if d == 0 or self.better == 0:
            return "flat"
        return "good" if (d > 0) == (self.better > 0) else "bad"


@dataclass
class Table:
    key: str
    title: L
    columns: list[L]
    rows: list[list[Any]]
    total: int = 0           # rows before LIST_LIMIT (lists only)


@dataclass
class Review:
    month: str
    snapshot: dt.date
    as_of: dt.date
    source: str
    version: str
    kpis: list[Kpi]
    tables: list[Table]
    lists: list[Table]
    trend: Table
    stats: dict[str, Any] = field(default_factory=dict)
    findings: list[Any] = field(default_factory=list)   # cells the figures could not read (formulas without a value)

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in [*self.tables, *self.lists, self.trend] if t.key == key)


# ---------------------------------------------------------------------------------------------
def _in(series: pd.Series, start: dt.date, end: dt.date) -> pd.Series:
    return (series >= pd.Timestamp(start)) & (series < pd.Timestamp(end) + pd.Timedelta(days=1))


class _Ctx:
    """Links and frames shared by the figures of several months."""

    def __init__(self, model: WorkbookModel) -> None:
        self.model = model
        self.cust = model.sheets["customers"].df
        self.contacts = model.sheets["contacts"].df
        self.comp = model.sheets["complaints"].df
        self.contact_link = link_rows(model, "contacts")
        self.complaint_link = link_rows(model, "complaints")
        self.churned = is_churned(model)
        self._views: dict[dt.date, pd.DataFrame] = {}

    def view(self, snap: dt.date) -> pd.DataFrame:
        if snap not in self._views:
            self._views[snap] = customer_view(self.model, snap)
        return self._views[snap]

    def exists(self, snap: dt.date) -> pd.Series:
        fc = self.cust["first_contact"]
        return fc.isna() | (fc < pd.Timestamp(snap) + pd.Timedelta(days=1))

    def contact_keys(self, mask: pd.Series) -> pd.Series:
        """A customer key per contact row: its linked customer row, else the ID or name as typed."""
        link = self.contact_link[mask]
        typed = self.contacts.loc[mask, "customer_id"].fillna(self.contacts.loc[mask, "customer_name"])
        return link.astype(object).where(link >= 0, "?" + typed.astype(str))


def _sla_hours(model: WorkbookModel, urgency: pd.Series) -> pd.Series:
    st = model.settings
    hours = {"紧急": st.get("response_hours_urgent"), "特急": st.get("response_hours_critical")}
    return urgency.map(lambda u: float(hours.get(u, st.get("response_hours_normal")))).astype("float64")


def month_figures(ctx: _Ctx, month: Month, snap: dt.date, findings_errors: int | None) -> dict[str, Any]:
    """The KPI values of one month (see KPI_DEFS and docs/review.md)."""
    model, cust, contacts, comp = ctx.model, ctx.cust, ctx.contacts, ctx.comp
    start, end = month.start, month.end
    view = ctx.view(snap)
    exists = ctx.exists(snap)
    new = _in(cust["first_contact"], start, end)
    churn_when = cust["last_coop"].fillna(pd.Series(pd.to_datetime(view["term_end"]), index=cust.index))
    churned = ctx.churned & _in(churn_when, start, end)
    in_month = _in(contacts["contact_date"], start, snap)
    opened = _in(comp["received_at"], start, snap)
    closed = _in(comp["resolved_at"], start, snap)
    open_end = complaint_open(comp, pd.Timestamp(snap))
    # SLA: first response (else resolution) later than the limit for its urgency; no answer by the
    # snapshot counts once the limit has passed
    limit = _sla_hours(model, comp["urgency"])
    answered = comp["responded_at"].fillna(comp["resolved_at"])
    snap_end = pd.Timestamp(snap) + pd.Timedelta(days=1)
    waited = (answered.where(answered < snap_end, snap_end) - comp["received_at"]).dt.total_seconds() / 3600
    breach = opened & (waited > limit)
    hours = ((comp["resolved_at"] - comp["received_at"]).dt.total_seconds() / 3600)[closed]
    hours = hours[hours >= 0]
    # only valid ratings (whole numbers 1–5, source 000 "满意度评分(1-5分)") enter the averages
    sat_c, left_c = sheet_ratings(ctx.model.sheets["complaints"], closed)
    sat, left = sheet_ratings(ctx.model.sheets["customers"], exists & ~ctx.churned)
    nxt = month.shift(1)
    ends = view["term_end"]
    ending = ends.map(lambda e: e is not None and nxt.start <= e <= nxt.end).astype(bool) & ~ctx.churned
    return {
        "customers_total": int(exists.sum()),
        "new_customers": int(new.sum()),
        "churned": int(churned.sum()),
        "contacts_logged": int(in_month.sum()),
        "customers_contacted": int(ctx.contact_keys(in_month).nunique()),
        "overdue_followups": int(((view["overdue_days"] > 0) & exists).sum()),
        "complaints_opened": int(opened.sum()),
        "complaints_closed": int(closed.sum()),
        "complaints_open": int(open_end.sum()),
        "sla_breaches": int(breach.sum()),
        "avg_hours_to_resolve": round(float(hours.mean()), 1) if len(hours) else None,
        "avg_satisfaction": round(float(sat_c.mean()), 2) if len(sat_c) else None,
        "customer_satisfaction": round(float(sat.mean()), 2) if len(sat) else None,
        "contracts_ending_next_month": int(ending.sum()),
        "dq_errors": findings_errors,
        "satisfaction_left_out": left,
        "complaint_satisfaction_left_out": left_c,
        "_masks": {"new": new, "in_month": in_month, "opened": opened, "open_end": open_end,
                   "ending": ending, "exists": exists},
    }


def _owner_of(link: pd.Series, owner: pd.Series) -> pd.Series:
    """The owner of each linked row's customer (UNASSIGNED for rows linked to no customer)."""
    return link.map(owner).fillna(UNASSIGNED).astype(object)


def _owner(series: pd.Series) -> pd.Series:
    return series.fillna(UNASSIGNED).replace("", UNASSIGNED)


def _d(v: Any) -> dt.date | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).date()


def _dt(v: Any) -> dt.datetime | None:
    return None if v is None or pd.isna(v) else pd.Timestamp(v).to_pydatetime()


def _count_table(key: str, title: L, head: list[L], frame: pd.DataFrame, order: list[str] | None = None,
                 ) -> Table:
    if order is not None:
        frame = frame.reindex([o for o in order if o in frame.index] +
                              sorted(o for o in frame.index if o not in order))
    rows = [[idx, *[_plain(v) for v in r]] for idx, r in zip(frame.index, frame.itertuples(index=False))]
    return Table(key, title, head, rows, len(rows))


def _plain(v: Any) -> Any:
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, np.floating):
        return round(float(v), 2)
    return v


def _limit(key: str, title: L, head: list[L], rows: list[list[Any]]) -> Table:
    return Table(key, title, head, rows[:LIST_LIMIT], len(rows))


def compute_review(model: WorkbookModel, *, month: str, as_of: dt.date, source: str = "",
                   findings_errors: int | None = None, version: str = "") -> Review:
    """All figures of the review of ``month`` (YYYY-MM) as things stood on ``as_of``.
    A data sheet or column the workbook lacks is not counted as empty: the figures resting on it
    carry ``missing`` ('column not found') instead of a value."""
    from ..needs import NEEDS, formula_finding, formula_rows, missing_label

    not_found = {k: missing_label(model, refs) for k, refs in KPI_INPUTS.items()}
    unread = [formula_finding("REVIEW-FORMULA", model.sheets[need.sheet], row, key, L(
        "不计入复盘的数字", "not counted in the review's figures"))
        for need in NEEDS["review"] if need.sheet in model.sheets
        for row, keys in formula_rows(model.sheets[need.sheet], need.columns).items() for key in keys]
    absent = [s for s in SCHEMA.data_sheets if s.key not in model.sheets]
    if absent:
        model = dataclasses.replace(model, sheets={**model.sheets, **{s.key: empty_sheet(s) for s in absent}})
    m = Month.parse(month)
    snap = min(as_of, m.end)
    if snap < m.start:
        raise WbtError(L("基准日期 {a} 早于复盘月份 {m}，无法复盘", "The as-of date {a} is before the month {m}")
                       .format(a=as_of.isoformat(), m=str(m)))
    ctx = _Ctx(model)
    cur = month_figures(ctx, m, snap, findings_errors)
    prev = month_figures(ctx, m.shift(-1), m.shift(-1).end, None)
    masks = cur.pop("_masks")
    prev.pop("_masks")
    # how many invalid ratings each satisfaction average left out; None, like the average, when its column was not found
    left_out = {k: (None, None) if not_found.get(avg) else (cur[k], prev[k])
                for k, avg in (("satisfaction_left_out", "customer_satisfaction"),
                               ("complaint_satisfaction_left_out", "avg_satisfaction"))}
    kpis = [Kpi(d.key, L(d.zh, d.en), None, None, d.better, d.decimals, not_found[d.key]) if not_found.get(d.key)
            else Kpi(d.key, L(d.zh, d.en), cur[d.key], prev[d.key], d.better, d.decimals) for d in KPI_DEFS]

    cust, contacts = ctx.cust, ctx.contacts
    view = ctx.view(snap)
    exists = masks["exists"]
    owner = _owner(cust["owner"])
    # contacts count for the follower (跟进人), else for the customer's owner
    link = ctx.contact_link
    cust_owner = _owner_of(link, owner)
    follower = contacts["follower"].fillna(cust_owner).replace("", UNASSIGNED)
    comp_owner = _owner_of(ctx.complaint_link, owner)
    overdue = (view["overdue_days"] > 0) & exists
    by_owner = pd.DataFrame({
        "customers": owner[exists].value_counts(),
        "contacts": follower[masks["in_month"]].value_counts(),
        "overdue": owner[overdue].value_counts(),
        "complaints": comp_owner[masks["opened"]].value_counts(),
    }).fillna(0).astype("int64")
    by_owner = by_owner.sort_index().sort_values(["customers", "contacts"], ascending=False, kind="stable")
    tables: list[Table] = []
    tables.append(_count_table("by_owner", L("按负责人", "By owner"),
                               [L("负责人", "Owner"), L("客户数", "Customers"), L("本月沟通", "Contacts"),
                                L("逾期", "Overdue"), L("本月投诉", "Complaints")], by_owner))
    industry = cust["industry"].fillna("(未填)")
    by_ind = pd.DataFrame({
        "customers": industry[exists].value_counts(),
        "new": industry[masks["new"]].value_counts(),
        "amount": cust.loc[exists, "amount_annual"].groupby(industry[exists]).sum(),
    }).fillna(0)
    by_ind[["customers", "new"]] = by_ind[["customers", "new"]].astype("int64")
    by_ind = by_ind.sort_index().sort_values("customers", ascending=False, kind="stable")
    tables.append(_count_table("by_industry", L("按行业", "By industry"),
                               [L("行业", "Industry"), L("客户数", "Customers"), L("本月新增", "New"),
                                L("年度金额(万元)", "Annual amount (10k CNY)")], by_ind))
    contacted_rows = set(link[masks["in_month"] & (link >= 0)])
    tier = view["tier"]
    by_tier = pd.DataFrame({
        "customers": tier[exists].value_counts(),
        "contacted": tier[tier.index.isin(contacted_rows)].value_counts(),
        "overdue": tier[overdue].value_counts(),
        "amount": cust.loc[exists, "amount_annual"].groupby(tier[exists]).sum(),
    }).reindex([*TIERS, *([NO_TIER] if (tier[exists] == NO_TIER).any() else [])]).fillna(0)
    by_tier[["customers", "contacted", "overdue"]] = by_tier[["customers", "contacted", "overdue"]].astype("int64")
    tables.append(_count_table("by_tier", L("按价值等级", "By value tier"),
                               [L("价值等级", "Value tier"), L("客户数", "Customers"), L("本月已沟通", "Contacted"),
                                L("逾期", "Overdue"), L("年度金额(万元)", "Annual amount (10k CNY)")], by_tier))
    stage = cust["stage"].fillna("(未填)")
    by_stage = pd.DataFrame({"customers": stage[exists].value_counts()}).astype("int64")
    tables.append(_count_table("by_stage", L("按合作阶段", "By stage"),
                               [L("合作阶段", "Stage"), L("客户数", "Customers")], by_stage,
                               order=list(model.settings.lists.get("stage", []))))
    source_s = cust["source"].fillna("(未填)")
    by_source = pd.DataFrame({"new": source_s[masks["new"]].value_counts()}).astype("int64")
    by_source = by_source.sort_index().sort_values("new", ascending=False, kind="stable")
    tables.append(_count_table("new_by_source", L("新增客户来源", "New customers by source"),
                               [L("客户来源", "Source"), L("新增客户", "New customers")], by_source))

    lists = _lists(ctx, view, masks, snap, m)
    lists += watch_lists(model, view, masks["exists"] & ~view["churned"], snap, LIST_LIMIT)
    trend = _trend(ctx, m, snap)
    stats = {k.key: k.value for k in kpis}
    stats.update({f"{k.key}_previous": k.previous for k in kpis})
    # invalid 满意度 values (not 1–5) left out of customer_satisfaction / avg_satisfaction
    stats.update({k: cur_prev[0] for k, cur_prev in left_out.items()})
    stats.update({f"{k}_previous": cur_prev[1] for k, cur_prev in left_out.items()})
    stats.update({f"list_{t.key}": t.total for t in lists})
    return Review(str(m), snap, as_of, source, version, kpis, tables, lists, trend, stats, unread)


def _rows(frame: pd.DataFrame, cols: list[pd.Series | list[Any]]) -> tuple[list[list[Any]], int]:
    """The first LIST_LIMIT rows of ``frame`` (already sorted) as lists of the given per-row columns
    (Series aligned on the customer row, or callables of the row)."""
    head = frame.index[:LIST_LIMIT]
    out = [[c[r] if isinstance(c, pd.Series) else c(r) for c in cols] for r in head]
    return out, len(frame)


def _lists(ctx: _Ctx, view: pd.DataFrame, masks: dict[str, pd.Series], snap: dt.date, m: Month) -> list[Table]:
    cust, comp = ctx.cust, ctx.comp
    owner = _owner(cust["owner"])
    name, cid = cust["name"], cust["customer_id"]
    last = view["last_contact"]
    out: list[Table] = []

    def add(key: str, title: L, head: list[L], frame: pd.DataFrame, cols: list[Any]) -> None:
        rows, total = _rows(frame, cols)
        out.append(Table(key, title, head, rows, total))

    od = view[(view["overdue_days"] > 0) & masks["exists"]].sort_values("overdue_days", ascending=False, kind="stable")
    add("overdue", L("逾期未跟进客户", "Overdue follow-ups"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("价值等级", "Tier"),
         L("最近沟通", "Last contact"), L("应跟进日期", "Due"), L("逾期天数", "Days overdue")],
        od, [name, cid, owner, view["tier"], last, view["next_follow"], lambda r: int(view.at[r, "overdue_days"])])
    link = ctx.contact_link
    contacted = set(link[masks["in_month"] & (link >= 0)])
    important = view["tier"].isin(TIERS[:2]) & masks["exists"] & ~view["churned"] & ~view.index.isin(contacted)
    imp = view[important]
    imp = imp.assign(_o=imp["tier"].map({TIERS[0]: 0, TIERS[1]: 1}),
                     _l=pd.to_datetime(imp["last_contact"]))
    imp = imp.sort_values(["_o", "_l"], kind="stable", na_position="first")
    add("not_contacted", L("本月未沟通的战略/重点客户", "Strategic and key customers not contacted"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("价值等级", "Tier"), L("负责人", "Owner"),
         L("最近沟通", "Last contact")], imp, [name, cid, view["tier"], owner, last])
    risky = view[(view["risk_reasons"].map(len) > 0) & masks["exists"]]
    add("at_risk", L("风险客户", "At-risk customers"),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("价值等级", "Tier"),
         L("风险原因", "Reasons")], risky, [name, cid, owner, view["tier"], lambda r: "；".join(view.at[r, "risk_reasons"])])
    op = comp[masks["open_end"]].sort_values("received_at", kind="stable")
    snap_end = pd.Timestamp(snap) + pd.Timedelta(days=1)

    def comp_name(r: int) -> Any:
        lr = ctx.complaint_link[r]
        return name[lr] if lr >= 0 else (comp.at[r, "customer_name"] or comp.at[r, "customer_id"])

    add("open_complaints", L("未结投诉", "Open complaints"),
        [L("客户", "Customer"), L("投诉编号", "Complaint"), L("紧急程度", "Urgency"),
         L("投诉时间", "Received"), L("处理人", "Handler"), L("处理状态", "Status"), L("已等待(天)", "Days open")],
        op, [comp_name, comp["complaint_id"], comp["urgency"], lambda r: _dt(comp.at[r, "received_at"]),
             comp["handler"], comp["status"],
             lambda r: int((snap_end - comp.at[r, "received_at"]).total_seconds() // 86400)])
    nxt = m.shift(1)
    ending = view[masks["ending"]]
    ending = ending.assign(_e=pd.to_datetime(ending["term_end"])).sort_values("_e", kind="stable")
    add("contracts_ending", L("下月到期合同 ({m})", "Contracts ending in {m}").format(m=str(nxt)),
        [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("合作期限", "Term"),
         L("到期日", "Ends"), L("最近沟通", "Last contact")],
        ending, [name, cid, owner, cust["term"], view["term_end"], last])
    return out


def _trend(ctx: _Ctx, m: Month, snap: dt.date) -> Table:
    rows = []
    for i in range(5, -1, -1):
        mm = m.shift(-i)
        end = min(mm.end, snap)
        contacts = int(_in(ctx.contacts["contact_date"], mm.start, end).sum())
        complaints = int(_in(ctx.comp["received_at"], mm.start, end).sum())
        rows.append([str(mm), contacts, complaints])
    return Table("trend", L("近六个月趋势", "Six-month trend"),
                 [L("月份", "Month"), L("沟通记录", "Contacts"), L("投诉", "Complaints")], rows, 6)
