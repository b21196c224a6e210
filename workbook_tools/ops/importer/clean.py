"""Cleaning one imported value the way the data standards (docs/domain.md#data-standards) ask: phones digits only,
dates as dates, amounts as numbers (optionally 元 → 万元), list values by their synonyms."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...model import Settings
from ...reader.parse import (
    clean_text,
    digits_only,
    parse_date,
    parse_number,
    parse_quantity,
    parse_year_or_date,
)
from ...schema import Column, CType
from ...schema.units import MONEY_FACTORS, WAN
from ...values import is_empty_mark
from ..matching import list_value


def clean_value(col: Column, value: Any, settings: Settings, *, source_unit: str = WAN,
                target_unit: str = WAN) -> tuple[Any, bool]:
    """(value to write, understood). A value that does not parse is kept as typed text and
    ``understood`` is False, so validation can point at it later; nothing is dropped. An amount is
    read in ``source_unit`` (or the unit its text names: '12万', '120000元') and written in the
    target column's own ``target_unit``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, True
    text = clean_text(value)
    if text is None or (col.type != CType.TEXT and is_empty_mark(text)):
        return None, True
    t = col.type
    if t == CType.PHONE:
        d = digits_only(value) or ""
        return (d, True) if d.isdigit() and 7 <= len(d) <= 12 else (text, False)
    if t in (CType.DATE, CType.DATETIME):
        d = parse_date(value)
        if d is None:
            return text, False
        return (d.date() if t == CType.DATE else d), True
    if t == CType.YEAR_OR_DATE:
        d = parse_year_or_date(value)
        if d is None:
            return text, False
        return (d.year if (d.month, d.day, d.hour) == (1, 1, 0) and len(text) <= 5 else d.date()), True
    if t == CType.AMOUNT:
        n, unit = parse_quantity(value)
        factor = MONEY_FACTORS.get(unit or source_unit)
        target = MONEY_FACTORS.get(target_unit)
        if n is None or factor is None or target is None:
            return text, False
        return round(n * factor / target, 6), True
    if t in (CType.INTEGER, CType.RATING):
        n = parse_number(value)
        if n is None:
            return text, False
        if float(n).is_integer():
            return int(n), True
        return n, True
    if t == CType.LIST and col.list:
        v = list_value(col.list, text, settings)
        return (v, True) if v is not None else (text, False)
    if t == CType.EMAIL:
        return text.replace(" ", "").lower() if "@" in text else text, "@" in text
    return text, True


def same(a: Any, b: Any) -> bool:
    """Do two cell values mean the same (text after cleaning, numbers, dates by day)?"""
    if isinstance(a, dt.datetime) and isinstance(b, dt.date) and not isinstance(b, dt.datetime):
        a = a.date()
    if isinstance(b, dt.datetime) and isinstance(a, dt.date) and not isinstance(a, dt.datetime):
        b = b.date()
    if isinstance(a, int | float) and isinstance(b, int | float) and not isinstance(a, bool):
        return abs(float(a) - float(b)) < 1e-9
    return (clean_text(a) or "") == (clean_text(b) or "")
