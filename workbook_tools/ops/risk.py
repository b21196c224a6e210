"""The risk rules (重点关注客户, docs/domain.md#risk-customers) and the high-potential rule
(docs/domain.md#high-potential), per customer.

The rules read a customer's :class:`Profile` (what 客户基本信息 says) and its
:class:`~workbook_tools.ops.links.Facts` (what the log and the complaints say up to the run date).
Every threshold and phrase list comes from 代码表. The rules are written out for users in
docs/ids-and-tiers.md §2.4–2.6; keep the two in step.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from typing import Any

from ..model import WorkbookModel
from ..values import per_value
from .links import Facts, memoised
from .matching import column_values, list_value, same_person
from .phrases import (
    CONTACT_CHANGE,
    RENEWAL_CONFIRMED,
    RENEWAL_UNCLEAR,
    Hit,
    first_of,
    phrases_of,
    renewal_statement,
)
from .ratings import rating_masks
from .terms import term_end, term_span

__all__ = ["Facts", "Potential", "Profile", "Thresholds", "high_potential", "months_back", "profiles", "risk_reasons",
           "term_end", "term_span", "thresholds"]

RENEWAL_STAGE = "续约期"
PAUSED_STAGE = "暂停合作"
NOTE_COLUMNS = ("remarks", "risks")  # 备注, 潜在风险: free text the renewal and contact rules read
def months_back(day: dt.date, n: int) -> dt.date:
    """The date ``n`` months before ``day``; a month's last day maps to the last day of the earlier
    month (2025-06-30 → 3 months → 2025-03-31), other days are clamped (2025-05-31 → 2025-02-28)."""
    k = day.year * 12 + day.month - 1 - n
    year, month = divmod(k, 12)
    month += 1
    days = calendar.monthrange(year, month)[1]
    if day.day == calendar.monthrange(day.year, day.month)[1]:
        return dt.date(year, month, days)
    return dt.date(year, month, min(day.day, days))


@dataclass(frozen=True)
class Profile:
    """What 客户基本信息 says about one customer that the rules need."""

    stage: str | None = None                     # 当前合作阶段 as a list value (synonyms understood)
    term_start: dt.date | None = None
    term_end: dt.date | None = None
    first_coop: dt.date | None = None            # 首次合作时间
    satisfaction: float | None = None            # 满意度, only when it is a valid rating (1–5)
    contact: str | None = None                   # 联系人
    notes: tuple[tuple[str, tuple[Hit, ...]], ...] = ()  # (column name, phrases found) of 备注 and 潜在风险


def profiles(model: WorkbookModel) -> dict[int, Profile]:
    """A :class:`Profile` per customer row (computed once per model and frames)."""
    cust = model.sheets["customers"]

    def build() -> dict[int, Profile]:
        st = model.settings
        df, raw = cust.df, cust.raw
        ph = phrases_of(st)
        stages = per_value(raw["stage"].to_numpy(dtype=object), lambda v: list_value("stage", v, st))
        spans = per_value(raw["term"].to_numpy(dtype=object), term_span)
        first = [v if v == v else None for v in column_values(df["first_coop"])]  # NaN → None
        valid, _ = rating_masks(raw["satisfaction"], df["satisfaction"], cust.spec.column("satisfaction"))
        sats = df["satisfaction"].where(valid).astype("float64").tolist()
        notes = [(cust.spec.column(k).zh, per_value(df[k].to_numpy(dtype=object), ph.scan)) for k in NOTE_COLUMNS]
        contacts = df["contact"].tolist()
        out = {}
        for i, row in enumerate(df.index.tolist()):
            said = tuple((label, hits[i]) for label, hits in notes if hits[i])
            out[row] = Profile(stages[i], spans[i][0], spans[i][1], first[i], None if sats[i] != sats[i] else sats[i],
                               contacts[i], said)
        return out

    return memoised(model, "profiles", (cust.df, cust.raw), build)


@dataclass(frozen=True)
class Thresholds:
    """The 代码表 settings the rules read, read once per run (:func:`thresholds`)."""

    complaint_days: int
    contract_end_days: int
    no_contact_days: int
    contact_change_days: int
    satisfaction_max: float
    growth_pct: float
    months: int


def thresholds(settings: Any) -> Thresholds:
    num = settings.number
    return Thresholds(int(num("risk_complaint_days")), int(num("risk_contract_end_days")),
                      int(num("risk_no_contact_days")), int(num("risk_contact_change_days")),
                      num("risk_satisfaction_max"), num("high_potential_growth_pct"),
                      max(1, int(num("high_potential_months"))))


def risk_reasons(profile: Profile, fa: Facts, as_of: dt.date, t: Thresholds) -> list[str]:
    """The reasons (Chinese, as written into 风险原因) why a customer is 重点关注; [] if none."""
    reasons: list[str] = []
    if fa.complaints:
        complaints = _complaint_reason(profile, fa, as_of, t.complaint_days)
        if complaints:
            reasons.append(complaints)
        still_open = sum(1 for _, o in fa.complaints if o)
        if still_open:
            reasons.append(f"投诉未解决{still_open}件")
    if profile.stage == PAUSED_STAGE:
        reasons.append(PAUSED_STAGE)
    term = profile.term_end
    ending = term is not None and 0 <= (term - as_of).days <= t.contract_end_days
    if ending:
        quiet = fa.last_contact is None or (as_of - fa.last_contact).days > t.no_contact_days
        if quiet:
            reasons.append(f"合同{term.isoformat()}到期且{t.no_contact_days}天内未沟通")
    renewal = _renewal_reason(profile, fa, ending)
    if renewal:
        reasons.append(renewal)
    if profile.satisfaction is not None and profile.satisfaction <= t.satisfaction_max:
        reasons.append(f"满意度{profile.satisfaction:g}分")
    if fa.contact_changed or fa.contact_text or fa.logged_contact or profile.notes:
        contact = _contact_reason(profile, fa, as_of, t.contact_change_days)
        if contact:
            reasons.append(contact)
    return reasons


def _since(profile: Profile, as_of: dt.date, days: int) -> dt.date | None:
    """Start of a rule's window: the last ``days`` days, or (0) the cooperation since 首次合作时间
    (None: everything up to the run date)."""
    return as_of - dt.timedelta(days=days) if days > 0 else profile.first_coop


def _complaint_reason(profile: Profile, fa: Facts, as_of: dt.date, days: int) -> str | None:
    since = _since(profile, as_of, days)
    counted = sorted(d for d, _ in fa.complaints if since is None or d >= since)
    if not counted:
        return None
    if days > 0:
        return f"近{days}天内投诉{len(counted)}次"
    where = "合作期间" if since is not None else ""
    return f"{where}投诉{len(counted)}次（最近{counted[-1].isoformat()}）"


def _renewal_reason(profile: Profile, fa: Facts, ending: bool) -> str | None:
    """续约意向不明: said so in the log (the latest renewal statement of the current term) or in 备注 /
    潜在风险; or the customer is in 续约期 / its contract ends within the renewal window and nothing
    confirms the renewal."""
    if fa.renewal is None and not profile.notes and not ending and profile.stage != RENEWAL_STAGE:
        return None
    log = fa.renewal if fa.renewal and (profile.term_start is None or fa.renewal[0] >= profile.term_start) else None
    if log is not None and log[1] == RENEWAL_UNCLEAR:
        return f"续约意向不明（{log[0].isoformat()}沟通记录：“{log[2]}”）"
    said = [(label, renewal_statement(hits)) for label, hits in profile.notes]
    unclear = next(((label, h) for label, h in said if h is not None and h.kind == RENEWAL_UNCLEAR), None)
    if unclear is not None:
        return f"续约意向不明（{unclear[0]}：“{unclear[1].text}”）"
    confirmed = (log is not None and log[1] == RENEWAL_CONFIRMED) or any(
        h is not None and h.kind == RENEWAL_CONFIRMED for _, h in said)
    if confirmed:
        return None
    if profile.stage == RENEWAL_STAGE:
        return f"{RENEWAL_STAGE}，续约意向未确认"
    if ending and profile.term_end is not None:
        return f"合同{profile.term_end.isoformat()}到期，续约意向未确认"
    return None


def _contact_reason(profile: Profile, fa: Facts, as_of: dt.date, days: int) -> str | None:
    """联系人变更: the latest sign within the window (联系人变更 = 是, the log's wording, the log naming
    another contact than the record), else wording in 备注 / 潜在风险."""
    since = _since(profile, as_of, days)

    def within(d: dt.date) -> bool:
        return since is None or d >= since

    signs: list[tuple[dt.date, int, str]] = []
    if fa.contact_changed is not None and within(fa.contact_changed):
        signs.append((fa.contact_changed, 2, f"联系人变更（{fa.contact_changed.isoformat()}）"))
    if fa.contact_text is not None and within(fa.contact_text[0]):
        d, words = fa.contact_text
        signs.append((d, 1, f"联系人变更（{d.isoformat()}沟通记录：“{words}”）"))
    if fa.logged_contact is not None and within(fa.logged_contact[0]) and \
            same_person(fa.logged_contact[1], profile.contact) is False:
        d, name = fa.logged_contact
        signs.append((d, 0, f"联系人变更（{d.isoformat()}沟通记录联系人为{name}，档案为{profile.contact}）"))
    if signs:
        return max(signs)[2]
    for label, hits in profile.notes:
        h = first_of(hits, CONTACT_CHANGE)
        if h is not None:
            return f"联系人变更（{label}：“{h.text}”）"
    return None


@dataclass(frozen=True)
class Potential:
    """Purchases counted for the high-potential rule."""

    months: int
    previous: int        # purchase days in the months before
    recent: int          # purchase days in the recent months (up to the run date)
    growth_pct: float

    def text(self) -> str:
        """As written into 高潜力."""
        return (f"近{self.months}个月采购{self.recent}次，之前{self.months}个月{self.previous}次"
                f"（+{self.growth_pct:.0f}%）")


def high_potential(fa: Facts, as_of: dt.date, t: Thresholds) -> Potential | None:
    """"近3个月采购频次增长30%" (docs/domain.md#high-potential): purchase days in the last ``high_potential_months`` months
    (up to the run date) against as many months before, at least one before, growth at least
    ``high_potential_growth_pct`` %. None when the customer does not qualify."""
    if not fa.purchases:
        return None
    months, pct = t.months, t.growth_pct
    mid, start = months_back(as_of, months), months_back(as_of, 2 * months)
    recent = sum(1 for d in fa.purchases if mid < d <= as_of)
    previous = sum(1 for d in fa.purchases if start < d <= mid)
    if previous < 1 or recent * 100 < previous * (100 + pct):
        return None
    return Potential(months, previous, recent, (recent - previous) * 100 / previous)
