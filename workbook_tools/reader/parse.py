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

from ..values import display

_SPACES = re.compile(r"\s+")
_TIME = r"(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2}))?)?"
_DATE_PATTERNS = (
    re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})" + _TIME + "$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})[日号]?(?:\s*(\d{1,2})[:：时](\d{2})分?(?::(\d{2}))?)?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
)
# day and month first, year last: 13/3/2024 (day first), 3/13/2024 (month first), 3/5/2024 (either)
_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})" + _TIME + "$")
_MONTHS = {m: i for i, names in enumerate((("jan", "january"), ("feb", "february"), ("mar", "march"),
                                           ("apr", "april"), ("may",), ("jun", "june"), ("jul", "july"),
                                           ("aug", "august"), ("sep", "sept", "september"), ("oct", "october"),
                                           ("nov", "november"), ("dec", "december")), start=1) for m in names}
_MON = r"([A-Za-z]{3,9})"
_NAMED = (  # 5 Mar 2024, 5-Mar-2024 | Mar 5, 2024, March 5 2024
    (re.compile(r"^(\d{1,2})[ \-]" + _MON + r"\.?[ \-,]+(\d{4})$"), (0, 1, 2)),
    (re.compile(r"^" + _MON + r"\.?[ \-](\d{1,2})(?:st|nd|rd|th)?,? (\d{4})$"), (1, 0, 2)),
)


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
    if isinstance(value, dt.date):
        return display(value)
    s = unicodedata.normalize("NFKC", str(value)).replace("\u3000", " ")
    s = _SPACES.sub(" ", s).strip()
    return s or None



EPOCH_1900 = dt.datetime(1899, 12, 30)
EPOCH_1904 = dt.datetime(1904, 1, 1)


def parse_date(value: Any, *, date1904: bool = False, dayfirst: bool | None = None) -> dt.datetime | None:
    """A date or datetime from a real date, an Excel serial (1900 system, or 1904 when
    ``date1904``), or text such as 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305,
    5 Mar 2024, Mar 5, 2024. Day-and-month-first text (13/3/2024, 3/13/2024) is read when it can
    only mean one date, or in the order ``dayfirst`` says (True: day first, False: month first);
    3/5/2024 without an order is ambiguous and gives None. Invalid dates (2023年13月5日) give None."""
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
            return _datetime(*(int(g) if g else 0 for g in m.groups()))
    m = _DMY.match(s)
    if m:
        a, b, y = int(m.group(1)), int(m.group(2)), int(m.group(3))
        order = dm_order_of(a, b) if dayfirst is None else ("dmy" if dayfirst else "mdy")
        if order is None:
            return None
        d, mo = (a, b) if order == "dmy" else (b, a)
        return _datetime(y, mo, d, *(int(g) if g else 0 for g in m.groups()[3:]))
    for pat, (di, mi, yi) in _NAMED:
        m = pat.match(s)
        if m and m.group(mi + 1).lower() in _MONTHS:
            return _datetime(int(m.group(yi + 1)), _MONTHS[m.group(mi + 1).lower()], int(m.group(di + 1)))
    return None


def _datetime(y: int, mo: int, d: int, h: int = 0, mi: int = 0, se: int = 0) -> dt.datetime | None:
    try:
        return dt.datetime(y, mo, d, h, mi, se)
    except ValueError:
        return None


def dm_order_of(a: int, b: int) -> str | None:
    """'dmy' when a/b/yyyy can only be day first (a > 12), 'mdy' when only month first (b > 12);
    'dmy' too when the order does not matter (a == b); None when both orders give a date (3/5/2024)."""
    if a == b or a > 12:
        return "dmy"
    return "mdy" if b > 12 else None


def dm_parts(value: Any) -> tuple[int, int] | None:
    """(first, second) number of a day-and-month-first text date such as 13/3/2024, else None."""
    if not isinstance(value, str):
        return None
    m = _DMY.match(clean_text(value) or "")
    return (int(m.group(1)), int(m.group(2))) if m else None


def parse_year_or_date(value: Any, *, date1904: bool = False, dayfirst: bool | None = None) -> dt.datetime | None:
    """成立时间: a year (2015, '2015', '2015年') or a date."""
    if isinstance(value, int | float) and not isinstance(value, bool) and 1800 <= value <= 2200 \
            and float(value).is_integer():
        return dt.datetime(int(value), 1, 1)
    s = clean_text(value)
    if s:
        m = re.fullmatch(r"(\d{4})年?", s)
        if m and 1800 <= int(m.group(1)) <= 2200:
            return dt.datetime(int(m.group(1)), 1, 1)
    return parse_date(value, date1904=date1904, dayfirst=dayfirst)


def parse_number(value: Any) -> float | None:
    """A plain number from a number or from text ('1,234.5', '1，234', '１２', '1 234'); text that
    names a unit or currency (' 12 万元', '¥5', '15%') is not a plain number: None (see
    :func:`parse_quantity`)."""
    n, unit = parse_quantity(value)
    return n if unit is None else None


_CURRENCY_SIGN = re.compile(r"^(?:¥|rmb|cny|人民币)\s*", re.IGNORECASE)
_QUANTITY = re.compile(r"^([+-]?(?:\d+(?:\.\d*)?|\.\d+))\s*(万元|千元|百万元|亿元|万|千|百万|亿|元|%|w|rmb|cny|人民币)?$",
                       re.IGNORECASE)
_TEXT_UNITS = {"万元": "万元", "万": "万元", "w": "万元", "千元": "千元", "千": "千元", "百万元": "百万元", "百万": "百万元",
               "亿元": "亿元", "亿": "亿元", "元": "元", "rmb": "元", "cny": "元", "人民币": "元", "%": "%"}
_DIGIT_GROUPS = re.compile(r"(?<=\d)[,\s](?=\d{3}(?!\d))")


def parse_quantity(value: Any) -> tuple[float | None, str | None]:
    """(number, unit the text names) from a number or a typed text: '1,234.5' → (1234.5, None),
    '¥12.5万' → (12.5, '万元'), '120000元' / 'RMB 120,000' → (120000.0, '元'), '15%' → (15.0, '%'),
    '１２' → (12.0, None). (None, None) when it is not a number."""
    if value is None or isinstance(value, bool):
        return None, None
    if isinstance(value, int | float):
        f = float(value)
        return (None, None) if math.isnan(f) or math.isinf(f) else (f, None)
    s = clean_text(value)
    if not s:
        return None, None
    sign = _CURRENCY_SIGN.match(s)
    if sign:
        s = s[sign.end():]
    s = _DIGIT_GROUPS.sub("", s)
    m = _QUANTITY.match(s)
    if not m:
        return None, None
    try:
        f = float(m.group(1))
    except ValueError:
        return None, None
    if math.isnan(f) or math.isinf(f):
        return None, None
    unit = _TEXT_UNITS[m.group(2).lower()] if m.group(2) else None
    if sign and unit in (None, "元"):
        unit = "元"
    elif sign and unit == "%":
        return None, None
    return f, unit


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

