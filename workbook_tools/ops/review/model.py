"""What a review holds: figures (counts, averages and rates, each beside the previous period),
tables, lists and the trend. Pure data; computed in :mod:`.kpis`, shown by :mod:`.sheet`, the
reports and :mod:`.jsonout`.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ...i18n import L
from .period import Period

# why a figure has no value (JSON ``status``); "ok" when it has one
OK = "ok"
NOT_FOUND = "column_not_found"       # a column (or sheet) it needs is not in the workbook
NO_BASE = "no_denominator"           # a rate whose denominator is 0
NO_DATA = "no_values"                # an average over no values
NOT_AVAILABLE = "not_available"      # the workbook cannot support the figure at all (docs say why)
NOT_RUN = "not_run"                  # data-quality errors when no validation ran with the review


class Ratio(float):
    """A share between 0 and 1, shown as a percentage (a float, so it computes and compares as one)."""

    __slots__ = ()


@dataclass(frozen=True)
class KpiDef:
    """One figure. ``needs``: groups of ``sheet.column`` keys; the figure is "column not found" when
    every column of some group is missing (a group lists alternatives)."""

    key: str
    zh: str
    en: str
    better: int = 1          # +1: up is good, -1: up is bad, 0: neutral
    decimals: int = 0
    unit: str = "customers"  # customers | log_rows | complaints | hours | score_1_5 | ratio | errors | mentions
    needs: tuple[tuple[str, ...], ...] = ()
    note_zh: str = ""        # shown when the figure is not available at all
    note_en: str = ""

    @property
    def is_rate(self) -> bool:
        return self.unit == "ratio"


@dataclass
class Value:
    """A figure's value in one period; rates keep their numerator and denominator."""

    value: float | int | None
    status: str = OK
    numerator: int | None = None
    denominator: int | None = None
    left_out: int | None = None      # an average: invalid values not averaged (e.g. a 满意度 of 6)
    note: L | None = None            # why there is no value, when the figure's definition cannot say it


@dataclass
class Kpi:
    key: str
    label: L
    value: float | int | None
    previous: float | int | None
    better: int
    decimals: int
    unit: str = "customers"
    status: str = OK
    previous_status: str = OK
    numerator: int | None = None
    denominator: int | None = None
    previous_numerator: int | None = None
    previous_denominator: int | None = None
    missing: list[L] = field(default_factory=list)   # columns not found, as "sheet.column"
    note: L | None = None
    left_out: int | None = None
    previous_left_out: int | None = None

    @property
    def is_rate(self) -> bool:
        return self.unit == "ratio"

    @property
    def delta(self) -> float | int | None:
        """This period − the previous one (for a rate: in percentage points)."""
        if self.value is None or self.previous is None:
            return None
        if self.is_rate:
            return round((self.value - self.previous) * 100, 1)
        d = self.value - self.previous
        return round(d, self.decimals) if self.decimals else int(d)

    @property
    def trend(self) -> str:
        """good / bad / flat / none: how the change reads for a manager."""
        d = self.delta
        if d is None:
            return "none"
        if d == 0 or self.better == 0:
            return "flat"
        return "good" if (d > 0) == (self.better > 0) else "bad"


@dataclass
class Table:
    key: str
    title: L
    columns: list[L]
    rows: list[list[Any]]
    total: int = 0           # rows before LIST_LIMIT (lists only)
    keys: list[str] = field(default_factory=list)   # stable column keys (JSON), one per column
    note: L | None = None    # a line under the table (how to read it, what is left out)


@dataclass
class Review:
    period: Period
    snapshot: dt.date
    as_of: dt.date
    source: str
    version: str
    kpis: list[Kpi]
    tables: list[Table]
    lists: list[Table]
    trend: Table
    stats: dict[str, Any] = field(default_factory=dict)
    findings: list[Any] = field(default_factory=list)   # cells the figures could not read (formulas without a value)
    book_lang: str = "zh"   # the workbook's own language: names the review sheet (model.lang)

    @property
    def month(self) -> str:
        """The period as text (``2024-05`` or ``2024-Q2``); kept under its old name for templates."""
        return str(self.period)

    def kpi(self, key: str) -> Kpi:
        return next(k for k in self.kpis if k.key == key)

    def table(self, key: str) -> Table:
        return next(t for t in [*self.tables, *self.lists, self.trend] if t.key == key)
