"""Building blocks of the declarative workbook schema.

The schema is data, not code: the template builder, the reader, validation and the docs
all walk the same objects defined in :mod:`workbook_tools.schema.crm`.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from ..i18n import L


class CType(StrEnum):
    """The type of a column; it decides parsing, validation, format and width."""

    TEXT = "text"
    LONGTEXT = "longtext"          # free text with a length limit (关键需求 …)
    DATE = "date"
    DATETIME = "datetime"
    YEAR_OR_DATE = "year_or_date"  # 成立时间: a year such as 2015, or a date
    INTEGER = "integer"
    RATING = "rating"              # 1–5 (满意度)
    AMOUNT = "amount"              # 万元 (10,000 CNY)
    LIST = "list"                  # one value of a list kept in 代码表
    PHONE = "phone"
    EMAIL = "email"
    CUSTOMER_ID = "customer_id"    # 2024-IT-001
    TERM = "term"                  # contract term, 2024.01-2025.12


# Number formats per type (Excel format codes).
DEFAULT_FORMATS: dict[CType, str] = {
    CType.DATE: "yyyy-mm-dd",
    CType.DATETIME: "yyyy-mm-dd hh:mm",
    CType.AMOUNT: "#,##0.00",
    CType.INTEGER: "0",
    CType.RATING: "0",
    CType.PHONE: "@",
    CType.CUSTOMER_ID: "@",
}

_WS = re.compile(r"\s+")
# an opening bracket, then no bracket at all, then a closing one: each bracket starts at most one
# try that stops at the next bracket, so a text of many "(" is scanned once (linear), not n² times
_UNIT = re.compile(r"[(（\[【][^()（）\[\]【】]*[)）\]】]")


def norm_header(text: Any) -> str:
    """Normalise a header for matching: NFKC (full-width → half-width), no spaces or line
    breaks, lower case. Units in brackets are kept; see :func:`strip_unit`."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text))
    return _WS.sub("", s).lower()


def strip_unit(normed: str) -> str:
    """Drop bracketed parts such as （万元） or (days) from a normalised header."""
    return _UNIT.sub("", normed)


@dataclass(frozen=True)
class Column:
    key: str
    zh: str
    en: str
    type: CType = CType.TEXT
    required: bool = False
    list: str | None = None            # key of a ListSpec for CType.LIST
    aliases: tuple[str, ...] = ()
    fmt: str | None = None             # Excel number format; default by type
    width: float | None = None         # character units; default by type
    help_zh: str = ""
    help_en: str = ""
    computed: bool = False             # filled by the tool, not typed by people
    max_len: int | None = None
    min_value: float | None = None
    max_value: float | None = None
    example: Any = None                # shown in 说明
    # computed columns only: the Excel formula the tool writes (without '='), with {key} standing for
    # the same row's cell of column ``key``; Excel shows its value on the day the file is opened
    formula: str | None = None

    @property
    def label(self) -> L:
        return L(self.zh, self.en)

    def formula_at(self, row: int, letters: dict[str, str]) -> str:
        """The column's formula for one row, given the column letters of the keys it names."""
        assert self.formula is not None
        return re.sub(r"\{(\w+)\}", lambda m: f"{letters[m.group(1)]}{row}", self.formula)

    def formula_keys(self) -> list[str]:
        """The keys the column's formula names."""
        return re.findall(r"\{(\w+)\}", self.formula or "")

    @property
    def help(self) -> L:
        return L(self.help_zh, self.help_en)

    @property
    def number_format(self) -> str | None:
        return self.fmt or DEFAULT_FORMATS.get(self.type)

    @property
    def col_width(self) -> float:
        if self.width:
            return self.width
        return {
            CType.DATE: 12, CType.DATETIME: 17, CType.YEAR_OR_DATE: 11, CType.AMOUNT: 14,
            CType.RATING: 8, CType.INTEGER: 10, CType.PHONE: 15, CType.EMAIL: 24,
            CType.CUSTOMER_ID: 14, CType.LONGTEXT: 36, CType.LIST: 12, CType.TERM: 18,
        }.get(self.type, max(12.0, min(30.0, len(self.zh) * 2.2 + 2)))

    def match_keys(self) -> set[str]:
        """Every normalised spelling that maps a header to this column."""
        keys: set[str] = set()
        for name in (self.zh, self.en, self.key, *self.aliases):
            n = norm_header(name)
            if n:
                keys.add(n)
                keys.add(strip_unit(n))
        keys.discard("")
        return keys


@dataclass(frozen=True)
class ListSpec:
    """A dropdown list kept as one column of 代码表."""

    key: str
    zh: str
    en: str
    values: tuple[str, ...]
    synonyms: dict[str, str] = field(default_factory=dict)  # typed variant → list value
    help_zh: str = ""
    help_en: str = ""

    @property
    def label(self) -> L:
        return L(self.zh, self.en)

    @property
    def defined_name(self) -> str:
        """The workbook-level name the dropdowns refer to (ASCII, Excel-safe)."""
        return "list_" + self.key


@dataclass(frozen=True)
class Industry:
    name: str
    code: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class SettingSpec:
    """A threshold or switch kept in the settings block of 代码表."""

    key: str
    zh: str
    en: str
    default: Any
    unit: str = ""
    help_zh: str = ""
    help_en: str = ""
    choices: tuple[str, ...] = ()

    @property
    def kind(self) -> type:
        return type(self.default)


@dataclass(frozen=True)
class SheetSpec:
    key: str
    zh: str
    en: str
    kind: str = "data"                 # data | settings | doc
    columns: tuple[Column, ...] = ()
    aliases: tuple[str, ...] = ()
    table_name: str = ""               # Excel Table (ListObject) name, ASCII
    help_zh: str = ""
    help_en: str = ""

    @property
    def label(self) -> L:
        return L(self.zh, self.en)

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(f"{self.key}.{key}")

    def has(self, key: str) -> bool:
        return any(c.key == key for c in self.columns)

    @property
    def input_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if not c.computed)

    @property
    def computed_columns(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.computed)

    @property
    def required(self) -> tuple[Column, ...]:
        return tuple(c for c in self.columns if c.required)

    def name_keys(self) -> set[str]:
        return {norm_header(n) for n in (self.zh, self.en, self.key, *self.aliases)}


@dataclass(frozen=True)
class Schema:
    sheets: tuple[SheetSpec, ...]
    lists: tuple[ListSpec, ...]
    industries: tuple[Industry, ...]
    settings: tuple[SettingSpec, ...]
    version: str = "1"

    def sheet(self, key: str) -> SheetSpec:
        for s in self.sheets:
            if s.key == key:
                return s
        raise KeyError(key)

    def list(self, key: str) -> ListSpec:
        for li in self.lists:
            if li.key == key:
                return li
        raise KeyError(key)

    def setting(self, key: str) -> SettingSpec:
        for s in self.settings:
            if s.key == key:
                return s
        raise KeyError(key)

    @property
    def data_sheets(self) -> tuple[SheetSpec, ...]:
        return tuple(s for s in self.sheets if s.kind == "data")
