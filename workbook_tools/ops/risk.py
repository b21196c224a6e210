"""Per-customer facts from the contact log and the complaint register, and the risk rules.

Log and complaint rows belong to a customer by 客户编号, or — when their 客户编号 is empty — by
a 客户名称 that names exactly one customer (after NFKC / space normalisation). Rows dated after
``as_of`` are ignored, so a run "as of" a past date sees the workbook as it was then.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from typing import Any

from ..reader.parse import clean_text
from .links import Facts

__all__ = ["Facts", "risk_reasons", "term_end"]

_TERM_DATE = re.compile(r"(\d{4})\s*[.\-/年]\s*(\d{1,2})(?!\d)(?:\s*[.\-/月]\s*(\d{1,2})(?!\d))?")


def term_end(value: Any) -> dt.date | None:
    """End date of a contract term: '2024.01-2025.12' → 2025-12-31, '2024/01/01至2025/06/30' →
    2025-06-30, '2024年1月-2025年12月' → 2025-12-31; a real date is its own end. None if unreadable."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    s = clean_text(value)
    if not s:
        return None
    found = _TERM_DATE.findall(s)
    if not found:
        return None
    y, m, d = found[-1]
    year, month = int(y), int(m)
    if not 1 <= month <= 12:
        return None
    last = calendar.monthrange(year, month)[1]
    day = int(d) if d else last
    if not 1 <= day <= last:
        return None
    return dt.date(year, month, day)


def risk_reasons(*, facts: Facts, stage: str | None, term: dt.date | None, satisfaction: float | None,
                 as_of: dt.date, settings: Any) -> list[str]:
    """The reasons (Chinese, as written into 风险原因) why a customer is 重点关注; [] if none."""
    get = settings.get
    complaint_days = int(get("risk_complaint_days"))
    reasons: list[str] = []
    recent = [d for d, _ in facts.complaints if (as_of - d).days <= complaint_days]
    still_open = [d for d, o in facts.complaints if o]
    if recent:
        reasons.append(f"近{complaint_days}天内投诉{len(recent)}次")
    if still_open:
        reasons.append(f"投诉未解决{len(still_open)}件")
    if stage == "暂停合作":
        reasons.append("暂停合作")
    end_days = int(get("risk_contract_end_days"))
    quiet_days = int(get("risk_no_contact_days"))
    if term is not None and 0 <= (term - as_of).days <= end_days:
        quiet = facts.last_contact is None or (as_of - facts.last_contact).days > quiet_days
        if quiet:
            reasons.append(f"合同{term.isoformat()}到期且{quiet_days}天内未沟通")
    if satisfaction is not None and satisfaction <= float(get("risk_satisfaction_max")):
        reasons.append(f"满意度{satisfaction:g}分")
    if facts.contact_changed is not None:
        reasons.append(f"联系人变更（{facts.contact_changed.isoformat()}）")
    return reasons
