"""What the review reads from free text (docs/domain.md#reviews: 客户疑虑高频点, 未成交客户流失原因): objections
counted from the log's 客户反馈与需求变化, churn reasons from 备注, 潜在风险 and the log. The
keyword categories are the 代码表 lists 客户疑虑关键词 and 流失原因关键词 (:mod:`.keywords`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ...i18n import L
from ...schema import SCHEMA
from ...values import per_value
from ..links import owners
from .context import Ctx, within
from .keywords import Category, categories, matches
from .model import Table
from .period import Period
from .tables import ratio_cell

UNSTATED = "(未注明)"
CHURN_FEEDBACK = 5   # newest feedback entries of a churned customer searched for a reason


def _cats(ctx: Ctx, key: str) -> list[Category]:
    entries = ctx.model.settings.lists.get(key)
    return categories(entries if entries is not None else SCHEMA.list(key).values)


def feedback_log(ctx: Ctx, snap: dt.date, customers: pd.Index) -> pd.DataFrame:
    """The non-empty 客户反馈与需求变化 of the log rows linked to ``customers`` (Excel rows), dated up to
    ``snap``: columns row (customer), day, feedback; newest first (then later sheet rows first)."""
    log = ctx.contacts
    if log.empty or not len(customers):
        return pd.DataFrame({"row": [], "day": [], "feedback": []})
    pos, rows = owners(ctx.model, "contacts").pairs()
    feedback = log["feedback"].to_numpy(dtype=object)
    day = log["contact_date"].to_numpy(dtype="datetime64[ns]")
    keep = np.isin(rows, customers.to_numpy()) & (day[pos] <= np.datetime64(snap, "D"))
    pos, rows = pos[keep], rows[keep]
    keep = pd.notna(feedback[pos])
    frame = pd.DataFrame({"row": rows[keep], "day": day[pos[keep]], "feedback": feedback[pos[keep]],
                          "order": pos[keep]})
    return frame.sort_values(["day", "order"], ascending=False, kind="stable")


def objections(ctx: Ctx, p: Period, snap: dt.date) -> Table:
    """客户疑虑高频点: per category, the log rows of the period whose feedback mentions it, the customers
    they belong to, the same count in the previous period and the latest such feedback."""
    cats = _cats(ctx, "objection_keywords")
    prev = p.shift(-1)
    everything = ctx.contacts
    now_all = within(everything["contact_date"], p.start, snap)
    keys = ctx.contact_keys(now_all)
    log = everything[(now_all | within(everything["contact_date"], prev.start, prev.end)) & everything["feedback"].notna()]
    now = now_all[log.index]
    found = per_value(log["feedback"].to_numpy(dtype=object), lambda t: frozenset(matches(t, cats)))
    newest = log["contact_date"].where(now).sort_values(ascending=False, kind="stable", na_position="last").index
    rows: list[list[Any]] = []
    for c in cats:
        has = pd.Series([c.name in f for f in found], index=log.index, dtype=bool)
        mine = now & has
        n = int(mine.sum())
        hits = newest[mine[newest].to_numpy()]
        latest = log.at[hits[0], "feedback"] if len(hits) else None
        rows.append([c.name, n, int((~now & has).sum()), int(keys[mine[mine].index].nunique()),
                     ratio_cell(n, int(now.sum())), latest])
    rows.sort(key=lambda r: -r[1])
    w = p.words
    return Table("objections", L("客户疑虑高频点", "Frequent objections"),
                 [L("类别", "Category"), w("本{u}提及", "Mentions this {u}"), w("上{u}提及", "Mentions last {u}"),
                  L("涉及客户", "Customers"), L("占有反馈的沟通", "Share of feedback"), L("最近一条", "Latest")],
                 rows, len(rows), ["category", "mentions", "previous_mentions", "customers", "share", "latest"],
                 note=L("统计“客户反馈与需求变化”；关键词在代码表“客户疑虑关键词”中维护",
                        "Counted from the feedback column; keywords are kept in the 代码表 list 客户疑虑关键词"))


def churn_reasons(ctx: Ctx, snap: dt.date, churned: pd.Series) -> dict[int, tuple[list[str], str | None]]:
    """For each churned customer row: (reason categories, evidence "source：text"). Looked for in
    备注, then 潜在风险, then the customer's CHURN_FEEDBACK newest 客户反馈与需求变化 entries."""
    cats = _cats(ctx, "churn_reason_keywords")
    rows = churned[churned].index.tolist()
    if not rows:
        return {}
    cust = ctx.cust
    log = feedback_log(ctx, snap, pd.Index(rows)).groupby("row", sort=False).head(CHURN_FEEDBACK)
    texts: dict[int, list[tuple[str, Any]]] = {
        r: [("备注", remark), ("潜在风险", risk)]
        for r, remark, risk in zip(rows, cust.loc[rows, "remarks"].tolist(), cust.loc[rows, "risks"].tolist())}
    for r, fb, day in zip(log["row"].tolist(), log["feedback"].tolist(), log["day"].tolist()):
        texts[int(r)].append((f"沟通记录 {day:%Y-%m-%d}", fb))
    out: dict[int, tuple[list[str], str | None]] = {}
    for r in rows:
        names: list[str] = []
        evidence = ""
        for where, text in texts[r]:
            hit = matches(text, cats)
            if hit and not evidence:
                evidence = f"{where}：{text}"
            names += [h for h in hit if h not in names]
        if not evidence:
            evidence = next((f"{where}：{t}" for where, t in texts[r] if isinstance(t, str) and t.strip()), "")
        order = [c.name for c in cats]
        out[r] = (sorted(names, key=order.index) or [UNSTATED], evidence or None)
    return out


def reason_table(ctx: Ctx, reasons: dict[int, tuple[list[str], str | None]], p: Period) -> Table:
    """流失原因: churned customers of the period per reason (a customer with two reasons counts in both),
    most frequent first, then in the order of the keyword list; (未注明) last."""
    counts: dict[str, int] = {}
    for names, _ in reasons.values():
        for n in names:
            counts[n] = counts.get(n, 0) + 1
    order = [c.name for c in _cats(ctx, "churn_reason_keywords")] + [UNSTATED]
    total = len(reasons)
    rows = [[n, k, ratio_cell(k, total)] for n, k in sorted(counts.items(), key=lambda kv: (
        kv[0] == UNSTATED, -kv[1], order.index(kv[0])))]
    return Table("churn_reasons", p.words("本{u}流失原因", "Churn reasons this {u}"),
                 [L("原因", "Reason"), L("客户数", "Customers"), L("占流失客户", "Share of churned")],
                 rows, len(rows), ["reason", "customers", "share"],
                 note=L("从备注、潜在风险和沟通记录中按代码表“流失原因关键词”归类；一户可有多个原因",
                        "Found in remarks, risks and the log with the 代码表 list 流失原因关键词; a customer may "
                        "have several reasons"))


def latest_feedback(ctx: Ctx, snap: dt.date, customers: pd.Index) -> pd.Series:
    """Per customer row of ``customers``: the newest non-empty 客户反馈与需求变化 up to ``snap``."""
    log = feedback_log(ctx, snap, customers)
    if log.empty:
        return pd.Series([], dtype=object)
    first = log.drop_duplicates("row", keep="first")
    return pd.Series(first["feedback"].to_numpy(dtype=object), index=first["row"].astype(np.int64).to_numpy())
