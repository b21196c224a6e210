"""Value tiers, follow-up cadences, overdue and risk flags, high potential, management bands
(docs/domain.md: value tiers, cadences, risk customers, high potential).

Fills the computed columns of the customers sheet (declared ``computed=True`` in the schema),
creating any that the file lacks. Every threshold comes from 代码表 (``model.settings``). Only
cells whose value changes get an edit, so a second run plans nothing. The rules are written
out for users in ``docs/ids-and-tiers.md``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..changeset import LOG_COLUMN, ActionResult, Changeset, Formula
from ..i18n import L, plural
from ..model import Finding, SheetData, WorkbookModel, cell_ref, col_letter
from ..reader.parse import clean_text
from ..schema import SCHEMA, CType
from ..values import empty_mask, is_empty
from .followup import KEY, ORDINARY, STRATEGIC, FollowUp, amount_for_tier, cadence_for, follow_ups, tier_for
from .formulas import formula_finding, formula_rows, unread_rows
from .ids import ensure_column
from .links import facts as customer_facts
from .links import owners
from .matching import norm_id, records
from .risk import Facts, Profile, Thresholds, high_potential, profiles, risk_reasons, thresholds

# the tier and cadence rules live in ops.followup since the review and validation read them too
__all__ = ["BAND_FOLLOW", "BAND_MAINTAIN", "BAND_WATCH", "COMPUTED", "KEY", "ORDINARY", "RISK_FLAG", "STRATEGIC",
           "amount_for_tier", "band_for", "cadence_for", "run_tiers", "shared_id_findings", "tier_for"]

RISK_FLAG = "重点关注"
BAND_MAINTAIN, BAND_FOLLOW, BAND_WATCH = "重点维护", "一般跟进", "观察预警"
COMPUTED = ("tier", "cadence_days", "last_contact", "next_follow", "overdue", "risk_flag", "risk_reasons", "band",
            "high_potential")
_DATE_FMT = "yyyy-mm-dd"


def band_for(tier: str | None, at_risk: bool) -> str:
    """观察预警 when at risk; else 重点维护 for strategic/key; else 一般跟进."""
    if at_risk:
        return BAND_WATCH
    if tier in (STRATEGIC, KEY):
        return BAND_MAINTAIN
    return BAND_FOLLOW


def run_tiers(model: WorkbookModel, *, as_of: dt.date | None = None) -> ActionResult:
    """Compute the tier columns of every customer row as of ``as_of`` (default today)."""
    as_of = as_of or dt.date.today()
    result = ActionResult("tiers")
    cust = model.sheet("customers")
    if cust is None:
        result.findings.append(Finding("TIER-NO-SHEET", "error", SCHEMA.sheet("customers").zh,
                                       L("找不到客户基本信息表", "The customers sheet was not found")))
        return result
    st = model.settings
    f = result.findings
    cs = Changeset("tiers")
    created = [k for k in COMPUTED if k not in cust.columns]
    cols = {k: ensure_column(cust, cs, k) for k in COMPUTED}
    facts = customer_facts(model, as_of)
    follow = follow_ups(model, as_of)
    profile = profiles(model)
    rules = thresholds(st)
    stats: dict[str, Any] = {"customers": len(cust.df), "columns_created": created, "changed_cells": 0,
                             "tiers": {STRATEGIC: 0, KEY: 0, ORDINARY: 0, "": 0}, "overdue": 0, "at_risk": 0,
                             "high_potential": 0, "ended": 0, "tier_differs": 0,
                             "bands": {BAND_MAINTAIN: 0, BAND_FOLLOW: 0, BAND_WATCH: 0}, "as_of": as_of.isoformat(),
                             "at_risk_customers": [], "high_potential_customers": []}
    f.extend(shared_id_findings(model))
    if "amount_annual" in cust.missing_columns:
        f.append(Finding("TIER-NO-AMOUNT-COLUMN", "warning", cust.name, L(
            "缺少“年度合作金额(万元)”列，无法建议价值等级", "No annual-amount column; no tier can be proposed")))
    # plain dicts: per-cell DataFrame access is ~100 times slower
    df = records(cust.df[["name", *COMPUTED]])
    raw = records(cust.raw[["customer_id", "amount_annual", "term", *COMPUTED]])
    blank = _blank_rows(cust)
    letters = {key: col_letter(cols[key]) for key in COMPUTED}
    unsure = _unknown_inputs(model, f)
    formulas = {key: cust.spec.column(key) for key in COMPUTED if cust.spec.column(key).formula}
    for key in COMPUTED:
        cs.columns[(cust.name, cols[key])] = cust.headers.get(key) or cust.spec.column(key).zh
    for i, row in enumerate(cust.df.index.tolist()):
        if blank[i] or row in unsure:
            continue
        values = _compute_row(cust, (df, raw), row, (follow[row], profile[row], facts[row], rules), as_of, f, stats)
        changed: set[str] = set()
        for key in COMPUTED:
            new = values[key]
            held = None if key in created else cust.formulas.get((row, key))
            same = key not in created and _same(raw[row][key], df[row][key], new)
            if key in formulas:
                text = formulas[key].formula_at(row, letters)
                if held == text:  # the formula is there: its value follows the day the file is opened
                    if same or not changed & set(formulas[key].formula_keys()):
                        continue
                    new = Formula(text, new)  # what it reads changes now: its cached value too
                elif new is not None:
                    new = Formula(text, new)
                elif same:
                    continue
            elif same:
                continue
            if held is not None and held != getattr(new, "text", None):
                f.append(Finding("TIER-FORMULA", "warning", cust.name, L(
                    "该单元格是公式，未覆盖", "This cell holds a formula; not overwritten"),
                    cell_ref(row, cols[key]), row, key))
                continue
            if key in created and new is None:
                continue
            old = None if key in created else _old(raw[row][key])
            fmt = _DATE_FMT if isinstance(new, dt.date) else None
            cs.edit(cust.name, f"{letters[key]}{row}", new, old=old, number_format=fmt, log=LOG_COLUMN)
            changed.add(key)
            stats["changed_cells"] += 1
    result.changeset = cs
    result.stats = stats
    result.summary = L("战略 {s}、重点 {k}、普通 {o}；逾期 {d}（截至 {a}）；重点关注 {r}；高潜力 {p}；修改 {c} 个单元格",
                       "strategic {s}, key {k}, ordinary {o}; overdue {d} (as of {a}); at risk {r}; high potential {p}; "
                       "{C} changed").format(a=as_of.isoformat(),
        s=stats["tiers"][STRATEGIC], k=stats["tiers"][KEY], o=stats["tiers"][ORDINARY], d=stats["overdue"],
        r=stats["at_risk"], p=stats["high_potential"], c=stats["changed_cells"], C=plural(stats["changed_cells"], "cell"))
    cs.summary = result.summary
    return result


def _compute_row(cust: SheetData, frames: tuple[dict[int, dict[str, Any]], dict[int, dict[str, Any]]], row: int,
                 about: tuple[FollowUp, Profile, Facts, Thresholds], as_of: dt.date, f: list[Finding],
                 stats: dict[str, Any]) -> dict[str, Any]:
    """The computed columns of one row. ``about``: its follow-up, profile and facts, and the rules'
    thresholds."""
    df, raw = frames
    fu, pr, fa, rules = about
    proposed = fu.proposed
    if proposed is None and "amount_annual" not in cust.missing_columns:
        raw_amount = raw[row]["amount_annual"]
        if is_empty(raw_amount):
            f.append(Finding("TIER-NO-AMOUNT", "info", cust.name, L(
                "未填年度合作金额，不建议价值等级（跟进周期按普通客户与跟进等级计算）",
                "No annual amount: no tier proposed (cadence uses the ordinary tier and the grade)"),
                cust.cell(row, "amount_annual"), row, "amount_annual"))
        else:
            f.append(Finding("TIER-BAD-AMOUNT", "warning", cust.name, L(
                "年度合作金额“{v}”不是数字，不建议价值等级", "Annual amount '{v}' is not a number; no tier proposed"
            ).format(v=raw_amount), cust.cell(row, "amount_annual"), row, "amount_annual", raw_amount,
                L("只填数字，单位万元", "A number only, in 万元")))
    stats["tiers"][proposed or ""] += 1
    confirmed = fu.confirmed
    if confirmed and proposed and confirmed != proposed:
        stats["tier_differs"] += 1
        f.append(Finding("TIER-DIFFERS", "warning", cust.name, L(
            "主管确认等级为“{c}”，系统按年度金额建议“{p}”，请主管复核",
            "The confirmed tier is '{c}' but the annual amount suggests '{p}'; for the supervisor to review"
        ).format(c=confirmed, p=proposed), cust.cell(row, "tier_confirmed"), row, "tier_confirmed", confirmed))
    tier = fu.tier
    out: dict[str, Any] = dict.fromkeys(COMPUTED)
    out["tier"] = proposed
    out["last_contact"] = fu.last_contact
    if fu.ended:
        stats["ended"] += 1
        return out
    out["cadence_days"] = fu.cadence
    if fu.next_follow is not None:
        out["next_follow"] = fu.next_follow
        out["overdue"] = "是" if fu.overdue_days > 0 else "否"
        stats["overdue"] += out["overdue"] == "是"
    reasons = risk_reasons(pr, fa, as_of, rules)
    if pr.term_end is None and not is_empty(raw[row]["term"]):
        f.append(Finding("TIER-BAD-TERM", "info", cust.name, L(
            "合作期限“{v}”无法识别到期日，未检查合同到期风险",
            "Contract term '{v}' has no readable end date; the renewal risk was not checked").format(
            v=raw[row]["term"]), cust.cell(row, "term"), row, "term", raw[row]["term"],
            L("如 2024.01-2025.12", "e.g. 2024.01-2025.12")))
    who = {"row": row, "customer_id": _old(raw[row]["customer_id"]), "name": df[row]["name"]}
    if reasons:
        out["risk_flag"] = RISK_FLAG
        out["risk_reasons"] = "；".join(reasons)
        stats["at_risk"] += 1
        stats["at_risk_customers"].append({**who, "reasons": reasons})
    potential = high_potential(fa, as_of, rules)
    if potential is not None:
        out["high_potential"] = potential.text()
        stats["high_potential"] += 1
        stats["high_potential_customers"].append({**who, "months": potential.months, "previous": potential.previous,
                                                  "recent": potential.recent,
                                                  "growth_pct": round(potential.growth_pct, 1)})
    out["band"] = band_for(tier, bool(reasons))
    stats["bands"][out["band"]] += 1
    return out


def shared_id_findings(model: WorkbookModel) -> list[Finding]:
    """One warning per 客户编号 that several customers share and under which log or complaint rows
    were counted for all of them, because their 客户名称 could not tell the customers apart."""
    cust = model.sheets["customers"]
    out: list[Finding] = []
    for key in ("contacts", "complaints"):
        sheet = model.sheet(key)
        if sheet is None or not len(sheet.df):
            continue
        for cid, positions in owners(model, key).undecided.items():
            rows = [int(r) for r in sheet.df.index[positions]]
            shared = [r for r in cust.df.index[cust.raw["customer_id"].map(norm_id) == cid].tolist()]
            names = "、".join(f"第{r}行“{cust.df.at[r, 'name']}”" for r in shared)
            first = rows[0]
            out.append(Finding("TIER-SHARED-ID", "warning", sheet.name, L(
                "客户编号 {i} 被多个客户共用（{n}），{s}中有 {k} 行无法按客户名称区分，已同时计入这些客户",
                "Customer ID {i} is shared by several customers ({n}); {k} rows of {s} could not be told apart by "
                "name and count for all of them").format(i=cid, n=names, s=sheet.name, k=len(rows)),
                sheet.cell(first, "customer_id"), first, "customer_id", sheet.raw.at[first, "customer_id"],
                L("给重复的客户重新编号（清空后运行 wbt ids），并在这些行填写客户全称",
                  "Give the duplicate customer a new ID (clear it and run wbt ids) and fill the full name in these rows")))
    return out


def _inputs(sheet_key: str) -> tuple[str, ...]:
    """What the tier columns are computed from on one sheet: the columns the write gate checks for ``tiers``."""
    from .needs import NEEDS  # at run time: the gate's module reads the review's, which reads this one

    return next((tuple(k for k in n.columns if k not in COMPUTED) for n in NEEDS["tiers"] if n.sheet == sheet_key), ())


def _unknown_inputs(model: WorkbookModel, f: list[Finding]) -> set[int]:
    """Customer rows whose tier columns cannot be computed because an input's value is unknown — a
    formula without a saved result, or a date cell that holds no date (a log row on an unreadable day
    may be the last contact) — in the row itself, or in a log or complaint row that belongs to it (to
    every customer it counts for when they share its 客户编号). Each such cell gets a finding; the
    rows are left as they are."""
    cust = model.sheets["customers"]
    rows: set[int] = set()
    for row, keys in _unknown_cells(cust, _inputs("customers")).items():
        rows.add(row)
        f += [_unknown_finding(cust, row, key, L("该客户的等级与跟进未计算",
                                                 "this customer's tier and follow-up were not computed")) for key in keys]
    for key in ("contacts", "complaints"):
        sheet = model.sheets.get(key)
        if sheet is None:
            continue
        bad = _unknown_cells(sheet, _inputs(key))
        if not bad:
            continue
        index = sheet.df.index.tolist()
        links: dict[int, list[int]] = {}
        for p, c in zip(*(a.tolist() for a in owners(model, key).pairs())):
            links.setdefault(index[p], []).append(c)
        for row, keys in bad.items():
            mine = links.get(row, [])
            rows.update(mine)
            named = "、".join(str(c) for c in mine)
            what = L(f"所属客户（第 {named} 行）的等级与跟进未计算", f"the tier and follow-up of its customer (row {named}) "
                     "were not computed") if mine else L("无法确定所属客户，未计入", "its customer is unknown; not counted")
            f += [_unknown_finding(sheet, row, k, what) for k in keys]
    return rows


def _unknown_cells(sheet: SheetData, keys: tuple[str, ...]) -> dict[int, list[str]]:
    """Row → the input keys whose value is unknown there: formulas without a result, and date cells
    holding no date (合作期限 is not among them: a term that cannot be read only skips the contract
    checks, TIER-BAD-TERM)."""
    out = formula_rows(sheet, keys)
    for key in keys:
        if key in sheet.columns and sheet.spec.column(key).type != CType.TERM:
            for row in unread_rows(sheet, key):
                out.setdefault(row, []).append(key)
    return out


def _unknown_finding(sheet: SheetData, row: int, key: str, consequence: L) -> Finding:
    if (row, key) in sheet.formulas_without_value:
        return formula_finding("TIER-FORMULA-INPUT", sheet, row, key, consequence)
    col, value = sheet.spec.column(key), sheet.raw.at[row, key]
    return Finding("TIER-DATE-INPUT", "warning", sheet.name,
                   L(f"“{col.zh}”“{value}”不是日期，值未知：{consequence.zh}",
                     f"{col.en} '{value}' is no date, so its value is unknown: {consequence.en}"),
                   sheet.cell(row, key), row, key, value,
                   L("写成 YYYY-MM-DD，如 2026-03-02", "Write YYYY-MM-DD, e.g. 2026-03-02"))


def _blank_rows(cust: SheetData) -> list[bool]:
    """Per row (index order): it holds only computed values (left over after a customer was cleared)."""
    blank = np.ones(len(cust.raw), dtype=bool)
    for c in cust.spec.columns:  # the first columns (name, ID) settle nearly every row
        left = np.flatnonzero(blank)
        if not len(left):
            break
        if not c.computed and c.key in cust.raw.columns:
            blank[left] = empty_mask(cust.raw[c.key].to_numpy(dtype=object)[left])
    return blank.tolist()


def _same(raw: Any, parsed: Any, new: Any) -> bool:
    if new is None:
        return is_empty(raw)
    if is_empty(raw):
        return False
    if type(raw) is str and raw == new:
        return True
    if isinstance(new, dt.date):
        return _date(parsed) == new
    if isinstance(new, int):
        return isinstance(parsed, float) and parsed == new
    return clean_text(raw) == clean_text(new)


def _old(raw: Any) -> Any:
    return None if is_empty(raw) else raw


def _date(value: Any) -> dt.date | None:
    if value is None or pd.isna(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    return value if isinstance(value, dt.date) else None
