"""All figures, tables and lists of the review of one period (pure: the model in, a Review out)."""

from __future__ import annotations

import dataclasses
import datetime as dt

from ...errors import WbtError
from ...i18n import L
from ...model import Finding, SheetData, WorkbookModel
from ...reader.frames import empty_sheet
from ...schema import SCHEMA, CType
from .. import needs as gate
from ..formulas import formula_finding, formula_rows, unread_rows
from ..history import month_of, timeline
from .context import Ctx, within
from .kpis import KPI_DEFS, LIST_LIMIT, period_figures
from .lists import build_lists
from .model import NOT_FOUND, Kpi, KpiDef, Review, Table, Value
from .period import TREND_LENGTH, Period
from .reasons import objections
from .tables import breakdowns
from .watch import watch_lists


def as_period(period: str | Period) -> Period:
    return period if isinstance(period, Period) else Period.parse(period)


def compute_review(model: WorkbookModel, *, month: str | Period | None = None, period: str | Period | None = None,
                   as_of: dt.date, source: str = "", findings_errors: int | None = None, version: str = "") -> Review:
    """The review of ``period`` (a month ``YYYY-MM`` or a quarter ``YYYY-Qn``; ``month`` is the same
    argument under its old name) as things stood on ``as_of``. A data sheet the workbook lacks counts
    as empty, and every figure that needs it says so ("column not found")."""
    target = period if period is not None else month
    if target is None:
        raise TypeError("compute_review needs a period (or month)")
    p = as_period(target)
    unread = _unread(model)
    absent = {s.key for s in SCHEMA.data_sheets if s.key not in model.sheets}
    if absent:
        model = dataclasses.replace(model, sheets={**model.sheets, **{k: empty_sheet(SCHEMA.sheet(k)) for k in absent}})
    snap = min(as_of, p.end)
    if snap < p.start:
        raise WbtError(L("基准日期 {a} 早于复盘期间 {m}，无法复盘", "The as-of date {a} is before the period {m}")
                       .format(a=as_of.isoformat(), m=str(p)))
    ctx = Ctx(model, absent, timeline(model, month_of(p.year, p.last_month), snap))
    cur, masks = period_figures(ctx, p, snap, findings_errors)
    prev, _ = period_figures(ctx, p.shift(-1), p.shift(-1).end, None)
    kpis = [_kpi(ctx, d, p, cur[d.key], prev[d.key]) for d in KPI_DEFS]
    lists, extra = build_lists(ctx, p, snap, masks)
    lists += watch_lists(ctx.model, ctx.view(snap), masks["exists"] & ~ctx.churned, snap, LIST_LIMIT)
    tables = [*breakdowns(ctx, p, snap, masks), objections(ctx, p, snap), *extra]
    trend = _trend(ctx, p, snap)
    stats = {k.key: k.value for k in kpis}
    stats.update({f"{k.key}_previous": k.previous for k in kpis})
    # invalid 满意度 values (not 1–5) left out of customer_satisfaction / avg_satisfaction; None (not 0)
    # when the column was not found, like the average itself
    by_key = {k.key: k for k in kpis}
    for key, name in (("customer_satisfaction", "satisfaction_left_out"),
                      ("avg_satisfaction", "complaint_satisfaction_left_out")):
        stats.update({name: by_key[key].left_out, f"{name}_previous": by_key[key].previous_left_out})
    stats.update({f"list_{t.key}": t.total for t in lists})
    return Review(p, snap, as_of, source, version, kpis, tables, lists, trend, stats, unread, model.lang)


def _unread(model: WorkbookModel) -> list[Finding]:
    """What the review reads and cannot: a finding per formula cell without a saved value (its
    value is unknown, not empty); one per date column with filled cells that are no date (a row
    the figures cannot place in time is in none of them) and for 合作期限 cells that cannot be read;
    one for complaints resolved before they were received (no duration to average). None is counted."""
    out = []
    for need in gate.NEEDS["review"]:
        sheet = model.sheets.get(need.sheet)
        if sheet is None:
            continue
        for row, keys in formula_rows(sheet, need.columns).items():
            out += [formula_finding("REVIEW-FORMULA", sheet, row, key, L("不计入复盘的数字", "not counted in the review's "
                                                                        "figures")) for key in keys]
        out += [f for key in dict.fromkeys(need.columns) if (f := _unreadable(sheet, key))]
    comp = model.sheets.get("complaints")
    if comp is not None and (f := _resolved_early(comp)):
        out.append(f)
    return out


def _unreadable(sheet: SheetData, key: str) -> Finding | None:
    """One finding for the cells of date column ``key`` (or 合作期限) that hold something other than a
    date (a term) or an empty mark ('-', '无'): how many, the first few cells, and that those rows are
    not counted."""
    rows = unread_rows(sheet, key)
    if not rows:
        return None
    col = sheet.spec.column(key)
    kind = col.type
    cells = _cells(sheet, rows, key)
    s = "s" if len(rows) != 1 else ""
    if kind == CType.TERM:
        what = L(f"“{col.zh}”有 {len(rows)} 个单元格无法识别（{cells}），这些行的合作期限不计入复盘的数字",
                 f"{col.en}: {len(rows)} cell{s} cannot be read ({cells}); those terms are not counted in the review's "
                 "figures")
        hint = L("写成起止年月（如 2024.01-2025.12）或到期日（如 2026-12-20）（wbt validate 逐个列出）",
                 "Write the start and end (e.g. 2024.01-2025.12) or the end date (e.g. 2026-12-20) (wbt validate "
                 "lists each)")
        return Finding("REVIEW-TERM", "warning", sheet.name, what, sheet.cell(rows[0], key), rows[0], key,
                       sheet.raw.at[rows[0], key], hint)
    return Finding("REVIEW-DATE", "warning", sheet.name, L(
        f"“{col.zh}”有 {len(rows)} 个单元格不是日期（{cells}），这些行不计入复盘的数字",
        f"{col.en}: {len(rows)} cell{s} hold no date ({cells}); those rows are not "
        "counted in the review's figures"), sheet.cell(rows[0], key), rows[0], key, sheet.raw.at[rows[0], key],
        L("写成 YYYY-MM-DD，如 2026-10-05（wbt validate 逐个列出）",
          "Write YYYY-MM-DD, e.g. 2026-10-05 (wbt validate lists each)"))


def _resolved_early(comp: SheetData) -> Finding | None:
    """One finding for the complaints whose 解决时间 is before their 投诉时间: 平均解决时长 leaves them out."""
    df = comp.df
    rows = [int(r) for r in df.index[(df["resolved_at"] < df["received_at"]).to_numpy()]]
    if not rows:
        return None
    n, cells = len(rows), _cells(comp, rows, "resolved_at")
    return Finding("REVIEW-RESOLVED", "warning", comp.name, L(
        f"{n} 件投诉的解决时间早于投诉时间（{cells}），不计入平均解决时长",
        f"{n} complaint{'s' if n != 1 else ''} resolved before received ({cells}); left out of the average hours "
        "to resolve"), comp.cell(rows[0], "resolved_at"), rows[0], "resolved_at", comp.raw.at[rows[0], "resolved_at"],
        L("核对投诉时间和解决时间（wbt validate 的 ORDER_RESOLVED 逐个列出）",
          "Check both times (wbt validate's ORDER_RESOLVED lists each)"))


def _cells(sheet: SheetData, rows: list[int], key: str) -> str:
    """The first five cells of ``rows`` in column ``key`` (… when there are more)."""
    return "、".join(sheet.cell(r, key) or "" for r in rows[:5]) + ("…" if len(rows) > 5 else "")


def _kpi(ctx: Ctx, d: KpiDef, p: Period, cur: Value, prev: Value) -> Kpi:
    label = p.words(d.zh, d.en)
    missing = ctx.missing(d.needs)
    note = cur.note or prev.note or (L(d.note_zh, d.note_en) if d.note_zh else None)
    if missing:
        return Kpi(d.key, label, None, None, d.better, d.decimals, d.unit, NOT_FOUND, NOT_FOUND, missing=missing,
                   note=_not_found(missing))
    return Kpi(d.key, label, cur.value, prev.value, d.better, d.decimals, d.unit, cur.status, prev.status,
               cur.numerator, cur.denominator, prev.numerator, prev.denominator, note=note, left_out=cur.left_out,
               previous_left_out=prev.left_out)


def _not_found(missing: list[L]) -> L:
    return L("未找到：" + "、".join(m.zh for m in missing), "Not found: " + ", ".join(m.en for m in missing))


def _trend(ctx: Ctx, p: Period, snap: dt.date) -> Table:
    """Contacts logged and complaints opened in each of the last periods (6 months or 4 quarters)."""
    rows = []
    n = TREND_LENGTH[p.kind]
    for i in range(n - 1, -1, -1):
        q = p.shift(-i)
        end = min(q.end, snap)
        contacts = int(within(ctx.contacts["contact_date"], q.start, end).sum())
        complaints = int(within(ctx.comp["received_at"], q.start, end).sum())
        rows.append([str(q), contacts, complaints])
    title = L("近六个月趋势", "Six-month trend") if p.kind == "month" else L("近四个季度趋势", "Four-quarter trend")
    head = L("月份", "Month") if p.kind == "month" else L("季度", "Quarter")
    return Table("trend", title, [head, L("沟通记录", "Contacts"), L("投诉", "Complaints")], rows, n,
                 ["period", "contacts_logged", "complaints_opened"])
