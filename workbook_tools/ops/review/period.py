"""The period a review covers: a calendar month (``2024-05``) or a calendar quarter (``2024-Q2``).

Every figure of the review is defined on a period; the same definitions give the previous
period (``shift(-1)``: the month or the quarter before) and the trend (the last few periods).
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from ...errors import WbtError
from ...i18n import L

MONTH, QUARTER = "month", "quarter"
_MONTH = re.compile(r"\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*月?(?:份)?\s*")
_QUARTER = re.compile(r"\s*(\d{4})\s*(?:年)?\s*[-/.]?\s*(?:[Qq]\s*([1-4])|第\s*([1-4一二三四])\s*季度?)\s*")
_CN_DIGIT = {"一": 1, "二": 2, "三": 3, "四": 4}
# how a period is named in labels: (zh unit, en unit)
UNITS = {MONTH: ("月", "month"), QUARTER: ("季度", "quarter")}
TREND_LENGTH = {MONTH: 6, QUARTER: 4}    # periods in the trend table and chart


def previous_month(day: dt.date) -> str:
    """``YYYY-MM`` of the month before ``day``'s: the month a month end run in the first days of a
    month closes (the default of ``wbt month-end`` and of the Excel buttons' month picker)."""
    last = day.replace(day=1) - dt.timedelta(days=1)
    return f"{last.year:04d}-{last.month:02d}"


@dataclass(frozen=True, order=True)
class Period:
    """``kind`` is "month" (``n`` 1–12) or "quarter" (``n`` 1–4)."""

    kind: str
    year: int
    n: int

    # ---- parsing -------------------------------------------------------------------------------
    @classmethod
    def month(cls, text: str) -> Period:
        m = _MONTH.fullmatch(str(text))
        if not m or not 1 <= int(m.group(2)) <= 12:
            raise WbtError(L("月份“{t}”无法识别，请写成 YYYY-MM，如 2024-05",
                             "Month '{t}' not understood; write YYYY-MM, e.g. 2024-05").format(t=text))
        return cls(MONTH, int(m.group(1)), int(m.group(2)))

    @classmethod
    def quarter(cls, text: str) -> Period:
        m = _QUARTER.fullmatch(str(text))
        if not m:
            raise WbtError(L("季度“{t}”无法识别，请写成 YYYY-Qn，如 2026-Q3",
                             "Quarter '{t}' not understood; write YYYY-Qn, e.g. 2026-Q3").format(t=text))
        q = m.group(2) or m.group(3)
        return cls(QUARTER, int(m.group(1)), int(_CN_DIGIT.get(q, q)))

    @classmethod
    def parse(cls, text: str) -> Period:
        """A month (``2024-05``, ``2024年5月``) or a quarter (``2024-Q2``, ``2024年第二季度``)."""
        if _QUARTER.fullmatch(str(text)):
            return cls.quarter(text)
        return cls.month(text)

    # ---- dates ---------------------------------------------------------------------------------
    @property
    def first_month(self) -> int:
        return self.n if self.kind == MONTH else 3 * self.n - 2

    @property
    def last_month(self) -> int:
        return self.n if self.kind == MONTH else 3 * self.n

    @property
    def start(self) -> dt.date:
        return dt.date(self.year, self.first_month, 1)

    @property
    def end(self) -> dt.date:
        return dt.date(self.year, self.last_month, calendar.monthrange(self.year, self.last_month)[1])

    def shift(self, k: int) -> Period:
        """The period ``k`` periods later (negative: earlier), of the same kind."""
        size = 12 if self.kind == MONTH else 4
        i = self.year * size + self.n - 1 + k
        return Period(self.kind, i // size, i % size + 1)

    def quarter_of(self) -> Period:
        """The quarter a month belongs to (a quarter is its own)."""
        return self if self.kind == QUARTER else Period(QUARTER, self.year, (self.n - 1) // 3 + 1)

    @property
    def ends_quarter(self) -> bool:
        """A month that closes a quarter (03, 06, 09, 12), or a quarter."""
        return self.kind == QUARTER or self.n % 3 == 0

    # ---- words ---------------------------------------------------------------------------------
    def words(self, zh: str, en: str) -> L:
        """``zh``/``en`` with ``{u}`` replaced by the unit: '本{u}' → 本月 / 本季度, 'this {u}' → this month."""
        uz, ue = UNITS[self.kind]
        return L(zh.replace("{u}", uz), en.replace("{u}", ue))

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.n:02d}" if self.kind == MONTH else f"{self.year:04d}-Q{self.n}"
