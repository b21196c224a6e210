"""The review's lists of customers the rules single out for a manager: high potential
(docs/domain.md#high-potential) and the quarterly tier review (docs/domain.md#value-tiers: a
supervisor confirms each tier, and reviews it every quarter). The at-risk list
(docs/domain.md#risk-customers) is built with the other lists in :mod:`.lists`.

Data only: each list is a :class:`~.model.Table` the sheet and the reports render like the others.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd

from ...i18n import L
from ...model import WorkbookModel
from ..followup import KEY, ORDINARY, STRATEGIC
from ..matching import column_values
from .model import Table
from .period import MONTH, Period

TIER_ORDER = {STRATEGIC: 0, KEY: 1, ORDINARY: 2}
DIFFERS = "系统建议与主管确认不一致"
UNCONFIRMED = "未经主管确认"
NO_DATE = "未填等级确认日期"
STALE = "本季度未复核（上次{d}）"


def quarter_start(day: dt.date) -> dt.date:
    """First day of the calendar quarter of ``day``."""
    return _quarter(day).start


def quarter_label(day: dt.date) -> str:
    return str(_quarter(day))


def _quarter(day: dt.date) -> Period:
    return Period(MONTH, day.year, day.month).quarter_of()


def tier_review_reasons(proposed: str | None, confirmed: str | None, confirmed_on: dt.date | None,
                        snapshot: dt.date, dated: bool) -> list[str]:
    """Why a customer's tier needs the supervisor this quarter ([] when it does not): the proposal
    differs from the confirmed tier; there is no confirmed tier; or (when the sheet has the
    等级确认日期 column, ``dated``) it was not confirmed between the quarter's first day and the
    snapshot. A customer with neither a proposal (no annual amount) nor a confirmed tier has nothing
    to review."""
    if proposed is None and confirmed is None:
        return []
    out = []
    if confirmed is None:
        out.append(UNCONFIRMED)
    elif proposed is not None and proposed != confirmed:
        out.append(DIFFERS)
    if dated and confirmed is not None:
        if confirmed_on is None:
            out.append(NO_DATE)
        elif not quarter_start(snapshot) <= confirmed_on <= snapshot:
            out.append(STALE.format(d=confirmed_on.isoformat()))
    return out


def _text(v: Any) -> str | None:
    return v if isinstance(v, str) and v else None


def watch_lists(model: WorkbookModel, view: pd.DataFrame, shown: pd.Series, snapshot: dt.date,
                limit: int) -> list[Any]:
    """The high-potential and tier-review lists of the customers in ``shown`` (existing, not
    churned), as of ``snapshot``; at most ``limit`` rows each (the total is kept)."""
    cust = model.sheets["customers"]
    df = cust.df
    owner = df["owner"].fillna("(未分配)").replace("", "(未分配)")
    out = []

    pot = view.loc[shown & view["high_potential"].notna(), "high_potential"]
    order = sorted(pot.index, key=lambda r: (-pot[r].growth_pct, -pot[r].recent, r))[:limit]
    months = int(model.settings.number("high_potential_months"))
    pct = model.settings.number("high_potential_growth_pct")
    rows = [[df.at[r, "name"], df.at[r, "customer_id"], owner[r], view.at[r, "tier"], pot[r].previous, pot[r].recent,
             f"+{pot[r].growth_pct:.0f}%"] for r in order]
    total = len(pot)
    out.append(Table("high_potential", L("高潜力客户（近{m}个月采购频次增长≥{p:g}%）",
                                         "High-potential customers (purchases up ≥{p:g}% over {m} months)").format(
        m=months, p=pct), [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"), L("价值等级", "Tier"),
                           L("之前{m}个月采购", "Purchases, {m} months before").format(m=months),
                           L("近{m}个月采购", "Purchases, last {m} months").format(m=months),
                           L("增长", "Growth")], rows, total,
                   ["name", "customer_id", "owner", "tier", "purchases_before", "purchases_recent", "growth"]))

    dated = "tier_confirmed_on" in cust.columns
    rows_shown = view.index[shown]
    when = column_values(df.loc[rows_shown, "tier_confirmed_on"])
    due: list[tuple[tuple[Any, ...], int, list[Any]]] = []
    cols = zip(rows_shown.tolist(), view.loc[rows_shown, "proposed"].tolist(), view.loc[rows_shown, "confirmed"].tolist(),
               when)
    for r, p, c, on in cols:
        proposed, confirmed = _text(p), _text(c)
        reasons = tier_review_reasons(proposed, confirmed, on if on == on else None, snapshot, dated)
        if reasons:
            key = (reasons[0] != DIFFERS, TIER_ORDER.get(proposed or confirmed or "", 3), r)
            due.append((key, r, [proposed, confirmed, on if on == on else None, "；".join(reasons)]))
    due.sort(key=lambda x: x[0])
    due_rows = [[df.at[r, "name"], df.at[r, "customer_id"], owner[r], *rest] for _, r, rest in due[:limit]]
    title = L("价值等级复核（{q}）", "Tier review ({q})").format(q=quarter_label(snapshot))
    if not dated:
        title = L(title.zh + "：未找到“等级确认日期”列，未检查本季度是否复核",
                  title.en + ": no 'tier confirmed on' column, so the quarterly re-confirmation was not checked")
    out.append(Table("tier_review", title,
                     [L("客户名称", "Customer"), L("客户编号", "ID"), L("负责人", "Owner"),
                      L("系统建议", "Proposed"), L("主管确认", "Confirmed"), L("确认日期", "Confirmed on"),
                      L("需复核原因", "Why")], due_rows, len(due),
                     ["name", "customer_id", "owner", "proposed", "confirmed", "confirmed_on", "why"]))
    return out
