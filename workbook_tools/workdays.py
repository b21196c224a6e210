"""Chinese working days: public holidays off, make-up working days (调休) on, from the
chinese-calendar package; plain Monday–Friday where it has no data (a year it does not cover, or
the package missing), and the caller is told so.

Used where a deadline is given in working days (需求变化 3 个工作日内跟进, see
docs/domain.md#deadlines) and by the sample generator, which plans follow-ups on working days.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

DAY = dt.timedelta(days=1)


@lru_cache(maxsize=1)
def _calendar() -> tuple[frozenset[dt.date], frozenset[dt.date], int, int] | None:
    """(public holidays, make-up working days, first year, last year) of chinese-calendar."""
    try:
        import chinese_calendar as cc
    except ImportError:
        return None
    hol, work = frozenset(cc.holidays), frozenset(cc.workdays)
    years = [d.year for d in hol | work]
    return hol, work, min(years), max(years)


def covered(day: dt.date) -> bool:
    """Whether the holiday calendar has data for ``day``'s year."""
    cal = _calendar()
    return cal is not None and cal[2] <= day.year <= cal[3]


def is_workday(day: dt.date) -> bool:
    """A working day: by the holiday calendar where it covers ``day``, else Monday–Friday."""
    cal = _calendar()
    if cal is None or not cal[2] <= day.year <= cal[3]:
        return day.weekday() < 5
    return day in cal[1] or (day.weekday() < 5 and day not in cal[0])


@lru_cache(maxsize=4096)
def add_workdays(day: dt.date, n: int) -> tuple[dt.date, bool]:
    """``day`` + ``n`` working days, and whether plain weekdays stood in for the calendar on the
    way. A day off counts from the next working day (as chinese-calendar's ``find_workday``)."""
    fallback = False
    d = day
    while True:
        fallback |= not covered(d)
        if is_workday(d):
            break
        d += DAY
    left = n
    while left > 0:
        d += DAY
        fallback |= not covered(d)
        left -= is_workday(d)
    return d, fallback


def next_workday(day: dt.date) -> dt.date:
    """The first working day after ``day``."""
    day += DAY
    while not is_workday(day):
        day += DAY
    return day
