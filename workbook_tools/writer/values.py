"""Cell values: what a cell holds in the XML (read) and how a Python value is stored (written).

Text is always written as an inline string, never as a formula; dates become serial numbers in
the workbook's date system. A :class:`~workbook_tools.changeset.Formula` (built only by the tool's
operations) is written as ``<f>`` with its cached result (``t="str"`` for text).
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from ..changeset import Formula
from ..model import col_letter, split_ref
from .package import attrs
from .xmlns import unescape as xml_unescape

_START = re.compile(rb"<[^>]*?>", re.S)
_ESC_X = re.compile(r"_(x[0-9A-Fa-f]{4})_")
_BAD_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")
MAX_TEXT = 32767
MAX_ROW = 1_048_576   # Excel's last row: a row past it is dropped the next time Excel or LibreOffice saves
MAX_COL = 16_384      # column XFD


# ---- stored values ---------------------------------------------------------------------------
@dataclass
class StoredCell:
    """What one cell holds in the XML (before any change)."""

    row: int
    col: int
    style: int = 0
    t: str = "n"
    value: Any = None           # str / float / bool / None; shared strings resolved; errors as "#N/A"
    formula: bool = False
    exists: bool = False        # a <c> element is present
    formula_text: str | None = None  # a plain formula without '='; "" for a shared or array formula


@functools.lru_cache(maxsize=65536)
def cell_ref(row: int, col: int) -> str:
    return f"{_letters(col)}{row}"


@functools.lru_cache(maxsize=1 << 18)
def rc_of(ref: str) -> tuple[int, int]:
    """``split_ref`` remembered: the same refs are split by the pre-flight and the change log."""
    return split_ref(ref)


@functools.lru_cache(maxsize=16384)
def _letters(col: int) -> str:
    return col_letter(col)


def _unescape_ooxml(s: str) -> str:
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), s)


_T_RUN = re.compile(rb"<(?:\w+:)?t\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?t>)", re.S)
_RPH = re.compile(rb"<(?:\w+:)?rPh\b.*?</(?:\w+:)?rPh>", re.S)


def rich_text(inner: bytes) -> str:
    """The text of an ``<si>`` or ``<is>`` body: all ``<t>`` runs except phonetic ones."""
    inner = _RPH.sub(b"", inner)
    return _unescape_ooxml(xml_unescape(b"".join(m.group(1) or b"" for m in _T_RUN.finditer(inner))
                                        .decode("utf-8")))


class SharedStrings:
    """sharedStrings.xml, parsed lazily (only read, never written)."""

    def __init__(self, blob: bytes | None) -> None:
        self._blob = blob
        self._items: list[bytes] | None = None

    def get(self, index: int) -> str:
        if self._items is None:
            self._items = re.findall(rb"<(?:\w+:)?si\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?si>)", self._blob or b"", re.S)
        if not 0 <= index < len(self._items):
            return ""
        return rich_text(self._items[index])


_V = re.compile(rb"<(?:\w+:)?v\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?v>)", re.S)
_IS = re.compile(rb"<(?:\w+:)?is\b[^>]*?(?:/>|>(.*?)</(?:\w+:)?is>)", re.S)
_F = re.compile(rb"<(?:\w+:)?f\b")
_F_TEXT = re.compile(rb"<(?:\w+:)?f(\s[^>]*?)?(?:/>|>(.*?)</(?:\w+:)?f>)", re.S)


# the shape Excel, XlsxWriter and this writer give a plain cell: r, s, t in that order, no formula,
# one <v> or one inline <t>; anything else takes the general path below
_PLAIN = re.compile(rb'<c r="[A-Z]{1,3}\d+"(?: s="(\d+)")?(?: t="(s|n|b|str|e|inlineStr)")?'
                    rb'(?:/>|>(?:<v>([^<]+)</v>|<is><t(?: xml:space="preserve")?>([^<]+)</t></is>)?</c>)')


def _plain_cell(m: re.Match[bytes], row: int, col: int, sst: SharedStrings) -> StoredCell | None:
    s, tb, v, text = m.groups()
    t = tb.decode() if tb else "n"
    out = StoredCell(row, col, int(s) if s else 0, t, None, False, True)
    if text is not None:
        if t != "inlineStr":
            return None
        out.value = _unescape_ooxml(xml_unescape(text.decode("utf-8")))
    elif v is not None:
        if t == "inlineStr":
            return None
        out.value = _typed(xml_unescape(v.decode("utf-8")), t, sst)
    return out


def parse_cell(blob: bytes, row: int, col: int, sst: SharedStrings) -> StoredCell:
    m = _PLAIN.fullmatch(blob)
    if m is not None:
        plain = _plain_cell(m, row, col, sst)
        if plain is not None:
            return plain
    return parse_any_cell(blob, row, col, sst)


def parse_any_cell(blob: bytes, row: int, col: int, sst: SharedStrings) -> StoredCell:
    """:func:`parse_cell` for a cell of any shape (attributes in any order, prefixes, formulas)."""
    start = _START.match(blob)
    a = attrs(start.group(0)) if start else {}
    t = a.get("t", "n")
    out = StoredCell(row, col, int(a.get("s", "0") or 0), t, None, bool(_F.search(blob)), True)
    if out.formula:
        fm = _F_TEXT.search(blob)
        plain_f = fm is not None and not (fm.group(1) and b"t=" in fm.group(1))  # not shared, not an array
        out.formula_text = _unescape_ooxml(xml_unescape((fm.group(2) or b"").decode("utf-8"))) if plain_f else ""
    if t == "inlineStr":
        m = _IS.search(blob)
        out.value = rich_text(m.group(1) or b"") if m else None
        return out
    m = _V.search(blob)
    raw = xml_unescape((m.group(1) or b"").decode("utf-8")) if m else None
    if raw is not None:
        out.value = _typed(raw, t, sst)
    return out


def _typed(raw: str, t: str, sst: SharedStrings) -> Any:
    """A cell's ``<v>`` text (unescaped) as the value its type ``t`` says."""
    if t == "s":
        return sst.get(int(raw))
    if t == "b":
        return raw.strip() in ("1", "true")
    if t in ("str", "e"):
        return _unescape_ooxml(raw)
    if t == "d":
        return raw
    try:
        return float(raw)
    except ValueError:
        return raw


# ---- values as XML ---------------------------------------------------------------------------
def excel_serial(value: dt.date | dt.datetime, date1904: bool = False) -> float:
    """A date or datetime as an Excel serial number in the workbook's date system."""
    if isinstance(value, dt.datetime):
        base = dt.datetime(1904, 1, 1) if date1904 else dt.datetime(1899, 12, 30)
        delta = value.replace(tzinfo=None) - base
        serial = delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6
    else:
        base_d = dt.date(1904, 1, 1) if date1904 else dt.date(1899, 12, 30)
        serial = float((value - base_d).days)
    if not date1904 and serial < 61:
        serial -= 1  # Excel's phantom 1900-02-29
    return serial


def number_text(value: float | int | Decimal) -> str:
    if isinstance(value, int):
        return str(value)
    f = float(value)
    if f.is_integer() and abs(f) < 1e15:
        return str(int(f))
    return repr(f)


def escape_text(s: str) -> str:
    """Text for a ``<t>``: XML-escaped, and a literal ``_xHHHH_`` protected so it stays literal."""
    if "_x" in s or "_X" in s:
        s = _ESC_X.sub(r"_x005F_\1_", s)
    if _BAD_XML.search(s):
        s = _BAD_XML.sub("", s)
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def text_units(s: str) -> int:
    """The length of a text as Excel counts it (UTF-16 code units: an emoji counts two)."""
    return len(s) if s.isascii() else len(s.encode("utf-16-le", "surrogatepass")) // 2


def fit_text(s: str) -> str:
    """``s`` cut to Excel's 32,767 characters per cell, ending in "…" when cut."""
    if len(s) <= MAX_TEXT // 2 or text_units(s) <= MAX_TEXT:  # short: no need to count
        return s
    out, units = [], 0
    for ch in s:
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > MAX_TEXT - 1:
            break
        out.append(ch)
    return "".join(out) + "…"


def date_format(value: dt.date, wanted: str | None = None) -> str:
    """The number format a date gets when it is written into a cell that has no date format (a cell
    that has one keeps it): the edit's own, else ``yyyy-mm-dd``, with ``hh:mm`` for a time of day."""
    timed = isinstance(value, dt.datetime) and bool(value.hour or value.minute or value.second)
    return wanted or ("yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd")


def value_xml(value: Any, date1904: bool = False) -> tuple[str | None, bytes]:
    """(``t`` attribute, inner XML) for a Python value; text is always an inline string;
    None and "" empty the cell; a Formula is ``<f>`` plus its cached result. No text longer than
    Excel's 32,767 characters is ever written: an edit that long is refused by the pre-flight
    (:func:`bad_value`); derived text (change log, generated sheets) is cut with "…"."""
    if isinstance(value, Formula):
        return formula_xml(value, date1904)
    if value is None or value == "":
        return None, b""
    if isinstance(value, bool):
        return "b", b"<v>" + (b"1" if value else b"0") + b"</v>"
    if isinstance(value, int | float | Decimal):
        return None, b"<v>" + number_text(value).encode() + b"</v>"
    if isinstance(value, dt.date):
        return None, b"<v>" + number_text(excel_serial(value, date1904)).encode() + b"</v>"
    text = fit_text(str(value))
    return "inlineStr", b'<is><t xml:space="preserve">' + escape_text(text).encode("utf-8") + b"</t></is>"


def formula_xml(value: Formula, date1904: bool = False) -> tuple[str | None, bytes]:
    """A formula cell: ``<f>`` and its cached result in ``<v>``; text results are ``t="str"``
    (the empty text too: ``<v></v>``, as Excel writes it)."""
    f = b"<f>" + escape_text(value.text).encode("utf-8") + b"</f>"
    v = value.cached
    if v is None or isinstance(v, str):
        return "str", f + b"<v>" + escape_text(v or "").encode("utf-8") + b"</v>"
    t, inner = value_xml(v, date1904)
    return t, f + inner


MAX_FORMULA = 8192


def bad_value(value: Any) -> str | None:
    """Why a value cannot be written, or None."""
    if isinstance(value, Formula):
        if len(value.text) > MAX_FORMULA:
            return f"formula longer than {MAX_FORMULA}"
        if _BAD_XML.search(value.text):
            return "control character in a formula"
        return bad_value(value.cached)
    if type(value).__name__ == "NaTType":
        return "NaT"
    if isinstance(value, float) and not math.isfinite(value):
        return "NaN/inf"
    if isinstance(value, str) and text_units(value) > MAX_TEXT:
        return f"text longer than {MAX_TEXT} characters (Excel's limit per cell)"
    if isinstance(value, dt.datetime) and value.year < 1900:
        return "date before 1900"
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime) and value.year < 1900:
        return "date before 1900"
    return None
