"""The grade history: each customer's follow-up grade, stage and value tiers at the end of each
month that had a month end, kept in the workbook itself (docs/review.md#grade-history).

The history lives in the veryHidden sheet ``_wbt_history`` (continued on ``_wbt_history 2`` … when
a sheet holds :data:`ROWS_PER_SHEET` rows): a header row, then one row per record, all text::

    period | customer_id | customer_name | grade | stage | tier | tier_confirmed | change | recorded_on

A month end records its month: one ``period`` row (the month was recorded, and when), then a row
for each customer that is ``new`` to the history, whose recorded values ``changed`` since its
latest record, or that was ``removed`` from the customer sheet. So the first month end stores every
customer and later ones only the changes; the state at the end of a month is, per customer, its
latest record up to that month.

This module is the vocabulary both doors share: the row layout, parsing the stored rows (a row
that does not parse is reported and skipped, never guessed) and replacing one month's rows (the
appliers). Which rows a month end records, and the states at a month's end, are worked out by
:mod:`workbook_tools.ops.history`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from .i18n import L
from .schema import history_sheet_name, history_sheet_number

COLUMNS = ("period", "customer_id", "customer_name", "grade", "stage", "tier", "tier_confirmed", "change",
           "recorded_on")
WIDTHS = (9, 16, 30, 6, 10, 8, 8, 9, 12)
PERIOD, NEW, CHANGED, REMOVED = "period", "new", "changed", "removed"
CHANGES = (PERIOD, NEW, CHANGED, REMOVED)
GRADES = ("A", "B", "C")
ROWS_PER_SHEET = 1_000_000
"""Records per history sheet (under Excel's 1,048,576 rows, with the header); the next records go on
``_wbt_history 2`` …"""

_PERIOD = re.compile(r"(\d{4})-(0[1-9]|1[0-2])")


@dataclass(frozen=True)
class State:
    """What the history keeps of a customer (list values as the 代码表 names them; "" when empty)."""

    grade: str = ""
    stage: str = ""
    tier: str = ""              # 价值等级(系统): proposed from 年度合作金额
    tier_confirmed: str = ""    # 客户等级(主管确认)


@dataclass(frozen=True)
class Entry:
    """One record: a customer's state at the end of ``period`` (``change`` new / changed / removed),
    or the ``period`` row that says the month was recorded."""

    period: str
    customer_id: str = ""
    name: str = ""
    state: State = State()
    change: str = PERIOD
    recorded_on: str = ""

    def row(self) -> list[str]:
        s = self.state
        return [self.period, self.customer_id, self.name, s.grade, s.stage, s.tier, s.tier_confirmed, self.change,
                self.recorded_on]

    def same_record(self, other: Entry) -> bool:
        """The same record, whenever it was made."""
        return self.row()[:-1] == other.row()[:-1]


@dataclass(frozen=True)
class Problem:
    """A stored row that was skipped: where, and why."""

    sheet: str
    cell: str
    message: L


@dataclass
class History:
    """The records read from the workbook, in order, and the rows that could not be read."""

    entries: list[Entry] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    unreadable: list[str] = field(default_factory=list)   # history sheets that could not be read at all

    @property
    def periods(self) -> list[str]:
        """The months recorded (a ``period`` row), in order."""
        return sorted({e.period for e in self.entries if e.change == PERIOD})


def period_text(value: Any) -> str | None:
    """A stored period as ``YYYY-MM``: text of that form, or a date (Excel turns a typed ``2026-10``
    into 2026-10-01); None for anything else."""
    if isinstance(value, dt.date):
        return f"{value.year:04d}-{value.month:02d}"
    if isinstance(value, str):
        m = _PERIOD.fullmatch(value.strip())
        return m.group(0) if m else None
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def read_row(values: Sequence[Any]) -> Entry | tuple[L, int]:
    """One stored record, or why it cannot be read and the column (1-based) that says so."""
    vals = [*values[:len(COLUMNS)], *[None] * (len(COLUMNS) - len(values))]
    period = period_text(vals[0])
    cid, name, grade, stage, tier, confirmed, change, recorded = (_text(v) for v in vals[1:])
    grade, change = grade.upper(), change.casefold()
    if period is None:
        return L(f"期间“{_text(vals[0])}”不是 YYYY-MM", f"period '{_text(vals[0])}' is not YYYY-MM"), 1
    if grade not in ("", *GRADES):
        return L(f"跟进等级“{grade}”不是 A/B/C", f"grade '{grade}' is not A/B/C"), 4
    if change not in CHANGES:
        return L(f"记录类型“{change}”无法识别", f"record kind '{change}' not understood"), 8
    if change != PERIOD and not (cid or name):
        return L("既无客户编号也无客户名称", "neither a customer ID nor a name"), 2
    return Entry(period, cid, name, State(grade, stage, tier, confirmed), change, recorded)


def parse_rows(sheet: str, rows: Sequence[Sequence[Any]], out: History) -> None:
    """Add the records of one history sheet (row 1 = the header) to ``out``; a row whose period,
    grade or kind does not parse, or a customer row without ID and name, is a :class:`Problem`."""
    out.sheets.append(sheet)
    for r, row in enumerate(rows[1:], start=2):
        if all(_text(v) == "" for v in row):
            continue
        got = read_row(row)
        if isinstance(got, Entry):
            out.entries.append(got)
            continue
        msg, col = got
        out.problems.append(Problem(sheet, f"{chr(64 + col)}{r}", L(
            f"等级历史第 {r} 行已跳过：{msg.zh}（该表由月末处理生成，请勿手改）",
            f"Grade history row {r} skipped: {msg.en} (the sheet is written by the month end; do not edit it)")))


def stored_row(values: Sequence[Any]) -> list[Any]:
    """A stored record as the appliers keep it: as wide as the layout, empty cells None, the period
    as ``YYYY-MM`` text when it reads as one, any other date as ISO text (a sheet holds text only)."""
    row = [None if v == "" else v for v in [*values[:len(COLUMNS)], *[None] * (len(COLUMNS) - len(values))]]
    period = period_text(row[0])
    if period is not None:
        row[0] = period
    return [v.isoformat() if isinstance(v, dt.date) else v for v in row]


def per_sheet() -> int:
    """Records per history sheet (:data:`ROWS_PER_SHEET`, read when called so a test can lower it)."""
    return ROWS_PER_SHEET


def replace_period(stored: Iterable[Sequence[Any]], period: str, rows: list[list[str]]) -> list[list[Any]]:
    """The records of every history sheet (headers left out, in order) without ``period``'s, then
    ``rows``. Rows that do not parse are kept as they are (nothing the tool cannot read is dropped,
    nor counted as one of ``period``'s records); empty rows are left out."""
    def replaced(row: list[Any]) -> bool:
        got = read_row(row)
        return isinstance(got, Entry) and got.period == period

    kept = [row for row in map(stored_row, stored) if any(v is not None for v in row) and not replaced(row)]
    return kept + [stored_row(r) for r in rows]


def sheet_chunks(records: list[list[Any]]) -> list[list[list[Any]]]:
    """The records split over the history sheets, at most :func:`per_sheet` on each, each chunk
    under its header row."""
    n = per_sheet()
    parts = [records[i:i + n] for i in range(0, len(records), n)] or [[]]
    return [[list(COLUMNS), *part] for part in parts]


def history_sheets(names: Iterable[str]) -> list[str]:
    """The history sheets among ``names``, in order (_wbt_history, _wbt_history 2 …)."""
    return [n for _, n in sorted((history_sheet_number(n), n) for n in names if history_sheet_number(n))]


def sheet_names(names: list[str], count: int) -> list[str]:
    """``count`` history sheets: the existing ``names`` (in order), then new ones numbered after the last."""
    top = max((history_sheet_number(n) for n in names), default=0)
    return (names + [history_sheet_name(top + k) for k in range(1, count - len(names) + 1)])[:max(count, len(names))]
