"""The one working-day calendar (workbook_tools.workdays), checked against chinese-calendar and by hand."""

from __future__ import annotations

import datetime as dt

from workbook_tools import workdays

D = dt.date


def test_holidays_off_and_make_up_days_on() -> None:
    # 2024 National Day: 10-01..10-07 off; Sunday 09-29 and Saturday 10-12 are make-up working days
    assert not workdays.is_workday(D(2024, 10, 1))
    assert workdays.is_workday(D(2024, 9, 29))
    assert workdays.is_workday(D(2024, 10, 12))
    # Monday 09-30 + 1 working day: the holiday week is skipped → Tuesday 10-08
    assert workdays.add_workdays(D(2024, 9, 30), 1) == (D(2024, 10, 8), False)
    # a change logged on a holiday counts from the first working day (Tue 10-08): + 3 → Friday 10-11
    assert workdays.add_workdays(D(2024, 10, 3), 3) == (D(2024, 10, 11), False)
    assert workdays.next_workday(D(2024, 9, 30)) == D(2024, 10, 8)
    assert workdays.next_workday(D(2024, 10, 11)) == D(2024, 10, 12)


def test_beyond_the_calendar_weekdays_stand_in_and_say_so() -> None:
    far = D(2099, 6, 5)  # a Friday, years past any holiday calendar
    assert not workdays.covered(far)
    assert workdays.add_workdays(far, 1) == (D(2099, 6, 8), True)
    assert workdays.next_workday(far) == D(2099, 6, 8)
    assert workdays.is_workday(D(2099, 6, 8)) and not workdays.is_workday(D(2099, 6, 6))
