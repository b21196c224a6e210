"""Value tiers and follow-up cadences (docs/domain.md: value tiers, cadences), and one reading of
each customer's follow-up as of a day: what ``wbt tiers`` writes (跟进周期, 下次跟进日期, 是否逾期),
what the review counts as overdue and what validation's OVERDUE_FOLLOWUP reports. The three read
the same :class:`FollowUp`, so they cannot disagree about who is overdue.

A customer's list cells are read as list values (synonyms such as 已终止 or A级 understood), its
annual amount as the column shows it (2 decimals), and its last contact from the log rows linked to
it by the matching rule and dated on or before the day (:func:`workbook_tools.ops.links.last_contacts`,
which :attr:`~workbook_tools.ops.links.Facts.last_contact` is too).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

import pandas as pd

from ..model import WorkbookModel
from ..values import is_missing
from .links import last_contacts, listed, memoised
from .matching import column_values

__all__ = ["ENDED_STAGES", "ENDED_TYPES", "KEY", "ORDINARY", "STRATEGIC", "FollowUp", "amount_for_tier", "cadence_for",
           "cadence_of", "ended_customers", "follow_ups", "tier_for"]

STRATEGIC, KEY, ORDINARY = "战略客户", "重点客户", "普通客户"
ENDED_STAGES = ("终止合作",)
ENDED_TYPES = ("流失客户",)
_TIER_CADENCE = {STRATEGIC: "cadence_strategic_days", KEY: "cadence_key_days", ORDINARY: "cadence_ordinary_days"}
_GRADE_CADENCE = {"A": "cadence_grade_a_days", "B": "cadence_grade_b_days", "C": "cadence_grade_c_days"}


def amount_for_tier(value: Any) -> Decimal | None:
    """The annual amount as compared with the thresholds: rounded half-up to 2 decimals, i.e. the
    value the column shows (format #,##0.00). 49.995 shows as 50.00 and counts as 50."""
    if is_missing(value):
        return None
    try:
        return Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        return None


def tier_for(amount: Any, strategic_min: float, key_min: float) -> str | None:
    """战略客户 when amount ≥ strategic_min, 重点客户 when ≥ key_min, else 普通客户; None when missing."""
    a = amount_for_tier(amount)
    if a is None:
        return None
    if a >= _dec(strategic_min):
        return STRATEGIC
    if a >= _dec(key_min):
        return KEY
    return ORDINARY


def cadence_of(tier: str | None, grade: str | None, settings: Any) -> tuple[int, str]:
    """(days, what sets them): the stricter (shorter) of the tier cadence (ordinary when no tier) and
    the A/B/C cadence; the tier (战略客户 …) when it is at least as strict, else the grade (A级 …)."""
    days = int(settings.number(_TIER_CADENCE[tier or ORDINARY]))
    if grade in _GRADE_CADENCE:
        by_grade = int(settings.number(_GRADE_CADENCE[grade]))
        if by_grade < days:
            return by_grade, f"{grade}级"
    return days, tier or ORDINARY


def cadence_for(tier: str | None, grade: str | None, settings: Any) -> int:
    """The stricter (shorter) of the tier cadence (ordinary when no tier) and the A/B/C cadence."""
    return cadence_of(tier, grade, settings)[0]


@dataclass(frozen=True)
class FollowUp:
    """One customer's follow-up as of a day."""

    proposed: str | None           # the tier its annual amount gives (None when the amount is missing or unreadable)
    confirmed: str | None          # 客户等级(主管确认) as a list value
    grade: str | None              # 跟进等级 as a list value (A/B/C)
    cadence: int                   # days: the stricter of the tier's (confirmed, else proposed) and the grade's
    cadence_by: str                # what sets the cadence: the tier (普通客户 when none) or the grade (A级 …)
    last_contact: dt.date | None   # its latest log row dated on or before the day
    base: dt.date | None           # the last contact, else 初次接触时间
    next_follow: dt.date | None    # base + cadence
    ended: bool                    # 终止合作 or 流失客户: no longer followed up
    overdue_days: int              # days past next_follow on the day; 0 when not overdue, ended or no base

    @property
    def tier(self) -> str | None:
        return self.confirmed or self.proposed


def ended_customers(model: WorkbookModel) -> pd.Series:
    """Per customer row: stage 终止合作 or customer type 流失客户 (list synonyms such as 已终止 count too)."""
    stage = listed(model, "customers", "stage", "stage")
    ctype = listed(model, "customers", "customer_type", "customer_type")
    return (stage.isin(ENDED_STAGES) | ctype.isin(ENDED_TYPES)).astype(bool)


def follow_ups(model: WorkbookModel, as_of: dt.date) -> dict[int, FollowUp]:
    """A :class:`FollowUp` per customer row as of ``as_of`` (computed once per model, frames and day)."""
    cust = model.sheets["customers"]
    log = model.sheets.get("contacts")
    frames = (cust.df, cust.raw, *((log.df, log.raw) if log is not None else ()))

    def build() -> dict[int, FollowUp]:
        st = model.settings
        df = cust.df
        smin, kmin = st.number("tier_strategic_min"), st.number("tier_key_min")
        last_contact = last_contacts(model, as_of)
        ended = ended_customers(model).tolist()
        first = [v if v == v else None for v in column_values(df["first_contact"])]  # NaN (no date) → None
        cadences: dict[tuple[str | None, str | None], tuple[int, str]] = {}
        out = {}
        cols = zip(df.index.tolist(), df["amount_annual"].tolist(),
                   listed(model, "customers", "tier_confirmed", "value_tier").tolist(),
                   listed(model, "customers", "follow_grade", "follow_grade").tolist(), first, ended)
        for row, amount, confirmed, grade, fc, gone in cols:
            proposed = tier_for(amount, smin, kmin)
            tier = confirmed or proposed
            cadence = cadences.get((tier, grade))
            if cadence is None:
                cadence = cadences[(tier, grade)] = cadence_of(tier, grade, st)
            last = last_contact.get(row)
            base = last or fc
            nxt = base + dt.timedelta(days=cadence[0]) if base is not None else None
            overdue = 0 if gone or nxt is None else max((as_of - nxt).days, 0)
            out[row] = FollowUp(proposed, confirmed, grade, cadence[0], cadence[1], last, base, nxt, bool(gone), overdue)
        return out

    return memoised(model, f"follow_ups:{as_of.isoformat()}", frames, build)


def _dec(value: float) -> Decimal:
    return Decimal(repr(float(value)))
