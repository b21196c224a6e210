"""Deadlines counted in hours (docs/domain.md#deadlines): one reading for validation's timeliness
rules and the review's complaint-response figures, so the two agree on which complaint was late.

A start without a time of day (a date alone) counts from the end of that day: the tool cannot tell
when in the day it was, and does not report as late what may have been in time.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

__all__ = ["CRITICAL", "NORMAL", "URGENCY_SETTING", "URGENT", "deadline", "first_response", "response_hours"]

NORMAL, URGENT, CRITICAL = "一般", "紧急", "特急"
URGENCY_SETTING = {NORMAL: "response_hours_normal", URGENT: "response_hours_urgent", CRITICAL: "response_hours_critical"}


def response_hours(urgency: Any, settings: Any) -> float:
    """The response limit in hours of a 紧急程度 (a list value); blank or unknown ones as 一般."""
    return settings.number(URGENCY_SETTING.get(urgency, URGENCY_SETTING[NORMAL]))


def deadline(start: pd.Series, hours: float | pd.Series) -> pd.Series:
    """start + hours; a start without a time of day counts from the end of that day."""
    date_only = start.notna() & (start == start.dt.normalize())
    base = start + pd.to_timedelta(date_only.astype(int), unit="D")
    return base + pd.to_timedelta(hours, unit="h")


def first_response(complaints: pd.DataFrame) -> pd.Series:
    """When each complaint was first answered: 首次响应时间, else 解决时间 (NaT when neither)."""
    return complaints["responded_at"].fillna(complaints["resolved_at"])
