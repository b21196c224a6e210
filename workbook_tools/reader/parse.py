"""Turning cell values typed by people into typed values, without losing what they typed.

Every function takes the raw cell value (as a reader returns it: str, int, float, bool,
datetime/date/time or None) and returns the parsed value, or ``None`` when the value is empty
or cannot be parsed. ``is_text`` tells whether a date or number arrived as text.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from typing import Any

_SPACES = re.compile(r"\s+")
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*(\d{1,2})[:：时](\d{2})分?(?::(\d{2}))?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
_EMPTY_MARKS = {"", "-", "—", "--", "/", "无", "n/a", "na", "none"}


def clean_text(value: Any) -> str | None:
    """Text as a person meant it: NFKC (full-width digits/letters → half-width), no stray spaces.
    Numbers become their plain text (13800138000.0 → '13800138000')."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        if math.isnan(value):
            return None
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour or value.minute) else value.strftime("%Y-%m-%d")
    if isinstance(value, dt.date):
        return value.isoformat()
    s = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    s = _SPACES.sub(" ", s).strip()
    return s or None


def is_empty(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, float) and math.isnan(value):
        return True
    return isinstance(value, str) and not value.strip()


EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)


def parse_date(value: Any, *, date1904: bool = False) -> dt.datetime | None:
    """A date or datetime from a real date, an Excel serial (1900 system, or 1904 when
    ``date1904``), or text such as 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305.
    Invalid dates (2023年13月5日) give None."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, dt.datetime):
        return value
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    if isinstance(value, dt.time):
        return None
    if isinstance(value, int | float):
        if isinstance(value, float) and math.isnan(value):
            return None
        if 1 <= value < 2958466:  # Excel serial, 1900-01-01 .. 9999-12-31
            return (EPOCH_1904 if date1904 else EPOCH_1900) + dt.timedelta(days=float(value))
        return None
    s = clean_text(value)
    if not s:
        return None
    for pat in _DATE_PATTERNS:
        m = pat.match(s)
        if m:
            parts = [int(g) if g else 0 for g in m.groups()]
            parts += [0] * (6 - len(parts))
            y, mo, d, h, mi, se = parts[:6]
            try:
                return dt.datetime(y, mo, d, h, mi, se)
            except ValueError:
                return None
    return None


def parse_year_or_date(value: Any, *, date1904: bool = False) -> dt.datetime | None:
    """成立时间: a year (2015, '2015', '2015年') or a date."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1800 <= value <= 2200 \
            and float(value).is_integer():
        return dt.datetime(int(value), 1, 1)
    s = clean_text(value)
    if s:
        m = re.fullmatch(r"(\d{4})年?", s)
        if m and 1800 <= int(m.group(1)) <= 2200:
            return dt.datetime(int(m.group(1)), 1, 1)
    return parse_date(value, date1904=date1904)


def parse_number(value: Any) -> float | None:
    """A number from a number or from text ('1,234.5', '１２', ' 12 万元' is not a number: None)."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        f = float(value)
        return None if math.isnan(f) else f
    s = clean_text(value)
    if not s:
        return None
    s = s.replace(",", "").replace("，", "")
    try:
        f = float(s)
    except ValueError:
        return None
    return None if math.isnan(f) or math.isinf(f) else f


def digits_only(value: Any) -> str | None:
    """Phone numbers: drop '-', spaces, brackets and a leading +86."""
    s = clean_text(value)
    if s is None:
        return None
    s = re.sub(r"[\s\-()（）]", "", s)
    if s.startswith("+86"):
        s = s[3:]
    elif s.startswith("0086"):
        s = s[4:]
    return s


def is_text(value: Any) -> bool:
    return isinstance(value, str)


def is_empty_mark(value: Any) -> bool:
    """'-' and similar stand for 'none yet' (首次合作时间 '-' in source 000)."""
    s = clean_text(value)
    return s is not None and s.lower() in _EMPTY_MARKS
