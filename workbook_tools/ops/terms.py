"""One reading of 合作期限 (contract term) for every rule: validation, the renewal and risk rules,
the review's list of contracts ending.

A term is written as a span (2024.01-2025.12, 2024-01-01~2025-12-31, 2024年1月至2025年12月,
2024-2025), as the end alone (a real date, or text such as 2026-12-20 or 2025年6月 — what a column
headed 合同到期日 or "Contract end" holds), or as open-ended (长期). A month or a year is widened to
its first day at the start and its last day at the end.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass
from typing import Any

__all__ = ["OPEN_ENDED", "Term", "read_term", "term_end", "term_span"]

OPEN_ENDED = frozenset({"长期", "长期合作", "无固定期限", "不定期"})
_TOKEN = re.compile(r"(\d{4})(?:\s*[年./\-]\s*(\d{1,2})(?!\d)(?:\s*[月./\-]\s*(\d{1,2})(?!\d))?)?\s*[日号月年]?")
_FILLER = re.compile(r"^[\s\-~～—–至到起止toTO,，、]*$")


@dataclass(frozen=True)
class Term:
    start: dt.date | None
    end: dt.date | None
    open_ended: bool = False


def read_term(value: Any) -> Term | None:
    """The term a cell holds; None when it cannot be read (or the cell is empty)."""
    if value is None or value != value:  # None, NaN, NaT
        return None
    if isinstance(value, dt.datetime):
        return Term(None, value.date())
    if isinstance(value, dt.date):
        return Term(None, value)
    s = str(value).strip()
    if not s:
        return None
    if s in OPEN_ENDED:
        return Term(None, None, open_ended=True)
    toks = list(_TOKEN.finditer(s))
    if not 1 <= len(toks) <= 2:
        return None
    rest = s
    for m in reversed(toks):
        rest = rest[:m.start()] + " " + rest[m.end():]
    if not _FILLER.match(rest):
        return None
    if len(toks) == 1:
        if toks[0].group(2) is None:  # a bare year is a number, not an end date
            return None
        end = _date(toks[0], last=True)
        return Term(None, end) if end else None
    start, end = _date(toks[0], last=False), _date(toks[1], last=True)
    return Term(start, end) if start and end else None


def _date(m: re.Match[str], *, last: bool) -> dt.date | None:
    y, mo, d = int(m.group(1)), m.group(2), m.group(3)
    try:
        if mo is None:
            return dt.date(y, 12, 31) if last else dt.date(y, 1, 1)
        month = int(mo)
        if d is None:
            return dt.date(y, month, calendar.monthrange(y, month)[1] if last else 1)
        return dt.date(y, month, int(d))
    except ValueError:
        return None


def term_span(value: Any) -> tuple[dt.date | None, dt.date | None]:
    """(start, end) of a term; (None, None) for an open-ended or unreadable one."""
    t = read_term(value)
    return (t.start, t.end) if t else (None, None)


def term_end(value: Any) -> dt.date | None:
    """The term's end date; None when open-ended or unreadable."""
    return term_span(value)[1]
