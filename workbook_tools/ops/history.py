"""The grade history (docs/review.md#grade-history), pure: which records a month end adds, and
each customer's state at the end of a month, so the review can tell whom grade B turned into A.

Customers are told apart by 客户编号 (compared as ``matching.norm_id``), or by 客户名称 (``name_key``)
when they have no ID. A customer whose ID (or, without an ID, name) another customer row shares
cannot be told apart from it: it is not recorded (validation reports the duplicate) and keeps its
earlier record. The layout of the stored rows is :mod:`workbook_tools.history`.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from ..changeset import ActionResult, Changeset, HistoryWrite
from ..history import CHANGED, NEW, PERIOD, REMOVED, Entry, State
from ..i18n import L
from ..model import WorkbookModel
from ..schema import HISTORY_SHEET
from ..values import per_value
from .followup import tier_for
from .links import listed, memoised
from .matching import name_key, norm_id


def customer_key(customer_id: str, name: str) -> str:
    """Who a record is about: the normalised 客户编号, else the name key ("" for neither)."""
    cid = norm_id(customer_id)
    if cid:
        return cid
    key = name_key(name)
    return "名:" + key if key else ""


@dataclass
class Snapshot:
    """The customers' states as the workbook holds them now, one per customer that can be told apart."""

    states: dict[str, Entry] = field(default_factory=dict)   # key → record (period and change left blank)
    shared: int = 0            # customer rows left out: their ID (or name, without ID) is another row's too
    present: set[str] = field(default_factory=set)            # every key the customer sheet holds
    missing: str = ""          # a column the history cannot do without, when it is not in the workbook


def snapshot(model: WorkbookModel) -> Snapshot:
    """The current state of every customer (worked out once per model)."""
    cust = model.sheets.get("customers")
    if cust is None:
        return Snapshot(missing="客户基本信息")
    if "follow_grade" in cust.missing_columns:
        return Snapshot(missing=f"{cust.name}.{cust.spec.column('follow_grade').zh}")

    def build() -> Snapshot:
        df = cust.df
        st = model.settings
        lo, hi = st.number("tier_strategic_min"), st.number("tier_key_min")
        n = len(df.index)

        def texts(values: Any) -> list[str]:
            return per_value(values, _clean) if values is not None else [""] * n

        def column(key: str, list_key: str) -> list[str]:
            return texts(listed(model, "customers", key, list_key).to_numpy(dtype=object)
                         if key not in cust.missing_columns else None)

        grades, stages = column("follow_grade", "follow_grade"), column("stage", "stage")
        confirmed = column("tier_confirmed", "value_tier")
        tiers = per_value(df["amount_annual"].to_numpy(dtype=object), lambda a: tier_for(a, lo, hi) or "") \
            if "amount_annual" not in cust.missing_columns else [""] * n
        ids = texts(df["customer_id"].to_numpy(dtype=object) if "customer_id" not in cust.missing_columns else None)
        names = texts(df["name"].to_numpy(dtype=object))
        out = Snapshot()
        rows: list[tuple[str, Entry]] = []
        for cid, name, grade, stage, tier, conf in zip(ids, names, grades, stages, tiers, confirmed):
            key = customer_key(cid, name)
            if key:
                rows.append((key, Entry("", cid, name, State(grade, stage, tier=tier, tier_confirmed=conf), "")))
        seen = Counter(k for k, _ in rows)
        out.present = set(seen)
        for key, entry in rows:
            if seen[key] > 1:
                out.shared += 1
            else:
                out.states[key] = entry
        return out

    return memoised(model, "history-snapshot", (cust.df, cust.raw), build)


def _clean(v: object) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    return str(v).strip()


def latest_states(entries: list[Entry], until: str) -> dict[str, Entry]:
    """Per customer, its latest record of a month up to ``until`` (YYYY-MM); removed customers left out."""
    out: dict[str, Entry] = {}
    for e in sorted((e for e in entries if e.change != PERIOD and e.period <= until), key=lambda e: e.period):
        key = customer_key(e.customer_id, e.name)
        if e.change == REMOVED:
            out.pop(key, None)
        else:
            out[key] = e
    return out


def month_rows(model: WorkbookModel, month: str, recorded_on: dt.date) -> list[Entry]:
    """The records a month end of ``month`` writes: its ``period`` row, then each customer that is new
    or whose state changed since its latest record before ``month``, and each recorded customer the
    sheet no longer holds."""
    snap = snapshot(model)
    before = latest_states(model.history.entries, _previous(month))
    on = recorded_on.isoformat()
    out = [Entry(month, change=PERIOD, recorded_on=on)]
    for key, now in snap.states.items():
        was = before.get(key)
        if was is None or was.state != now.state:
            out.append(Entry(month, now.customer_id, now.name, now.state, NEW if was is None else CHANGED, on))
    for key, was in before.items():
        if key not in snap.present:
            out.append(Entry(month, was.customer_id, was.name, State(), REMOVED, on))
    return out


def _previous(month: str) -> str:
    y, m = int(month[:4]), int(month[5:7])
    return f"{y - 1:04d}-12" if m == 1 else f"{y:04d}-{m - 1:02d}"


@dataclass
class Timeline:
    """The history as a review reads it: the stored records plus, for the review's own month when the
    history holds nothing later, the states the workbook holds now (what its month end records)."""

    entries: list[Entry]
    periods: list[str]
    problem: L | None = None       # why the history cannot be used at all

    def state_at(self, month: str) -> dict[str, Entry]:
        return latest_states(self.entries, month)


def timeline(model: WorkbookModel, month: str, as_of: dt.date) -> Timeline:
    """The history the review of the period ending in ``month`` reads (see :class:`Timeline`)."""
    h = model.history
    if h.unreadable:
        return Timeline([], [], L(f"等级历史表“{h.unreadable[0]}”无法读取", f"grade history sheet '{h.unreadable[0]}' "
                                  "cannot be read"))
    periods = h.periods
    if snapshot(model).missing or (periods and periods[-1] > month):
        return Timeline(h.entries, periods)
    pending = month_rows(model, month, as_of)
    return Timeline([e for e in h.entries if e.period != month] + pending, sorted({*periods, month}))


def month_of(year: int, month: int) -> str:
    """A month as the history names it (YYYY-MM)."""
    return f"{year:04d}-{month:02d}"


def transition(tl: Timeline, before: str, after: str, was: str, now: str) -> tuple[int, int] | L:
    """(customers whose grade is ``now`` at the end of ``after`` among those whose grade was ``was``
    at the end of ``before``, those) — customers no longer in the sheet at ``after`` left out — or,
    when the history holds no record of either month, why."""
    if tl.problem is not None:
        return tl.problem
    for month in (before, after):
        if month in tl.periods:
            continue
        if not tl.periods:
            return L("尚无等级历史（每次月末处理时记录）", "no grade history yet (recorded at each month end)")
        if month < tl.periods[0]:
            return L(f"等级历史始于 {tl.periods[0]}", f"history starts {tl.periods[0]}")
        return L(f"等级历史没有 {month} 的记录（当月未做月末处理）",
                 f"history has no record for {month} (no month end was run for it)")
    then, end = tl.state_at(before), tl.state_at(after)
    base = [k for k, e in then.items() if e.state.grade == was and k in end]
    return sum(1 for k in base if end[k].state.grade == now), len(base)


def run_history(model: WorkbookModel, month: str, as_of: dt.date) -> ActionResult:
    """Record the customers' state at the end of ``month`` (the month end's history step). A re-run
    of the same month replaces its records; when they are the same as stored, nothing is written.
    A month before the latest one recorded is not recorded (today's values are not that month's)."""
    res = ActionResult("history")
    h, snap = model.history, snapshot(model)
    res.stats.update(history_rows=0, history_changes=0, history_shared=snap.shared, history_skipped=len(h.problems))
    periods = h.periods
    if h.unreadable:
        res.summary = L(f"未记录：等级历史表“{h.unreadable[0]}”无法读取", f"Not recorded: the grade history sheet "
                        f"'{h.unreadable[0]}' cannot be read")
        return res
    if snap.missing:
        res.summary = L(f"未记录：未找到列 {snap.missing}", f"Not recorded: column {snap.missing} not found")
        return res
    if periods and periods[-1] > month:
        res.summary = L(f"未记录：等级历史已有更晚的 {periods[-1]}，今天的数据不是 {month} 月末的状态",
                        f"Not recorded: the history already holds the later {periods[-1]}; today's values are not "
                        f"the state at the end of {month}")
        return res
    rows = month_rows(model, month, as_of)
    stored = [e for e in h.entries if e.period == month]
    changes = len(rows) - 1
    res.stats.update(history_rows=len(rows), history_changes=changes)
    skipped = L(f"；跳过无法读取的历史记录 {len(h.problems)} 行", f"; {len(h.problems)} unreadable history rows "
                "skipped") if h.problems else L("", "")
    shared = L(f"；{snap.shared} 户客户编号或名称重复，未记录", f"; {snap.shared} customers sharing an ID or name not "
               "recorded") if snap.shared else L("", "")
    if len(stored) == len(rows) and all(a.same_record(b) for a, b in zip(stored, rows)):
        res.summary = _join(L(f"{month} 的等级历史已记录，无变化", f"The grade history of {month} is recorded "
                                "already; nothing changed"), skipped, shared)
        res.stats["history_rows"] = 0
        return res
    first = not any(e.period < month for e in h.entries)
    what = (L(f"{month} 首次记录 {changes:,} 户客户", f"{month}: first record of {changes:,} customers") if first else
            L(f"{month} 记录 {changes:,} 户变化", f"{month}: {changes:,} customers changed"))
    res.summary = _join(what, L("（替换本月旧记录）", " (replacing this month's records)") if stored else L("", ""),
                        skipped, shared)
    res.changeset = Changeset("history", history=HistoryWrite(month, [e.row() for e in rows], len(stored)),
                              summary=res.summary)
    res.stats["history_sheet"] = HISTORY_SHEET
    return res


def _join(*parts: L) -> L:
    return L("".join(p.zh for p in parts), "".join(p.en for p in parts))
