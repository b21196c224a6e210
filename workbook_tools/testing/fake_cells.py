"""The cell side of the xlwings stand-in (:mod:`.xlwings_fake`): ranges (fonts and notes: :mod:`.fake_format`), and how a value
typed into a cell is stored, the way Excel does it (see the module docstring of :mod:`.xlwings_fake`)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import cell_ref, col_index
from .fake_format import FakeFont, FakeNote, rgb

if TYPE_CHECKING:
    from .xlwings_fake import FakeSheet

_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?%?$")
_DATE = re.compile(r"^(\d{4})[-/](\d{1,2})[-/](\d{1,2})$")
_REF = re.compile(r"^\$?([A-Za-z]{1,3})\$?(\d+)$")
_HYPERLINK = re.compile(r'^=HYPERLINK\("((?:[^"]|"")*)",\s*"((?:[^"]|"")*)"\)$', re.I)
MAX_ADDRESS = 255  # Excel's Range("…") refuses a longer address


@dataclass
class _Cell:
    value: Any = None
    formula: str | None = None
    prefix: bool = False
    color: tuple[int, int, int] | None = None
    font_color: tuple[int, int, int] = (0, 0, 0)
    bold: bool = False
    italic: bool = False
    size: float = 11.0
    number_format: str = "General"
    wrap: bool = False
    note: str | None = None
    hyperlink: str | None = None

    @property
    def used(self) -> bool:
        return self.value is not None or self.formula is not None


def _excel_parse(value: Any, number_format: str) -> tuple[Any, str | None, bool]:
    """(value, formula, prefix) stored when ``value`` is written to a cell, as Excel does."""
    if isinstance(value, bool) or value is None:
        return value, None, False
    if isinstance(value, int | float):
        return float(value), None, False
    if isinstance(value, dt.datetime):
        return value, None, False
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day), None, False
    if not isinstance(value, str):
        raise TypeError(f"cannot write {type(value).__name__} to a cell")
    if value.startswith("'"):
        return value[1:], None, True
    if value == "":
        return None, None, False
    if number_format == "@":
        return value, None, False
    s = value.strip()
    if s.startswith("="):
        link = _HYPERLINK.match(s)
        return (link[2].replace('""', '"') if link else "#FORMULA"), s, False
    if _NUMBER.match(s):
        pct = s.endswith("%")
        f = float(s.rstrip("%"))
        return (f / 100 if pct else f), None, False
    m = _DATE.match(s)
    if m:
        try:
            return dt.datetime(int(m[1]), int(m[2]), int(m[3])), None, False
        except ValueError:
            return value, None, False
    if s[:1] in "+-@" and len(s) > 1:
        return "#NAME?", "=" + s[1:], False
    return value, None, False


Area = tuple[int, int, int, int]


def areas_of(address: str) -> list[Area]:
    """``"A1,C3:C9"`` → the areas (r1, c1, r2, c2); Excel's limit of 255 characters applies."""
    if len(address) > MAX_ADDRESS:
        raise ValueError(f"Range('{address[:20]}…'): an address may not exceed {MAX_ADDRESS} characters")
    return [_bounds(part) for part in address.split(",")]


def _bounds(ref: str | tuple[int, int] | FakeRange) -> Area:
    if isinstance(ref, FakeRange):
        return ref._r1, ref._c1, ref._r2, ref._c2
    if isinstance(ref, tuple):
        return ref[0], ref[1], ref[0], ref[1]
    parts = ref.replace("$", "").split(":")
    if len(parts) == 1:
        parts = parts * 2
    pts = []
    for p in parts:
        m = _REF.match(p)
        if not m:
            raise ValueError(f"bad range {ref!r}")
        pts.append((int(m[2]), col_index(m[1])))
    (a, b), (c, d) = pts
    return min(a, c), min(b, d), max(a, c), max(b, d)


class FakeRange:
    """``xlwings.Range`` over a rectangle ``(r1, c1)..(r2, c2)`` (1-based, inclusive), or over
    several areas (the first one is the rectangle) when made from ``"A1,C3:C9"``."""

    __slots__ = ("_sheet", "_r1", "_c1", "_r2", "_c2", "_ndim", "_areas")

    def __init__(self, sheet: FakeSheet, r1: int, c1: int, r2: int, c2: int, ndim: int | None = None,
                 areas: list[Area] | None = None) -> None:
        self._sheet = sheet
        self._r1, self._c1, self._r2, self._c2 = r1, c1, r2, c2
        self._ndim = ndim
        self._areas = areas or [(r1, c1, r2, c2)]

    def _count(self, what: str) -> None:
        self._sheet._book.app.wbt_calls[what] += 1

    def _iter(self) -> Iterator[tuple[int, int]]:
        seen: set[tuple[int, int]] = set()
        for r1, c1, r2, c2 in self._areas:
            for r in range(r1, r2 + 1):
                for c in range(c1, c2 + 1):
                    if (r, c) not in seen:
                        seen.add((r, c))
                        yield r, c

    def _one_area(self, what: str) -> None:
        if len(self._areas) > 1:
            raise NotImplementedError(f"{what} of a range with several areas is not modelled (Excel uses the first)")

    def _cell(self, r: int, c: int) -> _Cell:
        return self._sheet._cells.setdefault((r, c), _Cell())

    def _peek(self, r: int, c: int) -> _Cell | None:
        return self._sheet._cells.get((r, c))

    def _uniform(self, get: Any, default: Any, *, mixed: Any = None) -> Any:
        """The cells' common ``get`` value; ``mixed`` when they differ (an exception is raised)."""
        vals = {get(self._peek(r, c)) if self._peek(r, c) else default for r, c in self._iter()}
        if len(vals) == 1:
            return vals.pop()
        if isinstance(mixed, type) and issubclass(mixed, Exception):
            raise mixed("int() argument must be a string, a bytes-like object or a real number, not 'NoneType'")
        return mixed

    @property
    def row(self) -> int:
        self._count("Range.row")
        return self._r1

    @property
    def column(self) -> int:
        self._count("Range.column")
        return self._c1

    @property
    def shape(self) -> tuple[int, int]:
        self._count("Range.shape")
        return self._shape()

    def _shape(self) -> tuple[int, int]:
        return (self._r2 - self._r1 + 1, self._c2 - self._c1 + 1)

    @property
    def last_cell(self) -> FakeRange:
        self._count("Range.last_cell")
        return FakeRange(self._sheet, self._r2, self._c2, self._r2, self._c2)

    @property
    def left(self) -> float:
        self._count("Range.left")
        return sum(self._sheet.wbt_widths.get(c, 8.43) * 7.0 for c in range(1, self._c1))

    @property
    def top(self) -> float:
        self._count("Range.top")
        return 15.0 * (self._r1 - 1)

    def options(self, convert: Any = None, **options: Any) -> FakeRange:
        if convert is not None or set(options) - {"ndim", "empty"}:
            raise NotImplementedError("the fake supports options(ndim=…, empty=None) only")
        if options.get("empty") is not None:
            raise NotImplementedError("the fake supports empty=None only")
        return FakeRange(self._sheet, self._r1, self._c1, self._r2, self._c2, options.get("ndim"), self._areas)

    # ---- values ----------------------------------------------------------------------------
    @property
    def value(self) -> Any:
        self._count("Range.value:get")
        self._one_area("value")
        get = self._sheet._cells.get
        cols = range(self._c1, self._c2 + 1)
        rows = [[(c.value if (c := get((r, col))) else None) for col in cols] for r in range(self._r1, self._r2 + 1)]
        if self._ndim == 2:
            return rows
        nr, nc = self._shape()
        if nr == 1 and nc == 1:
            return rows[0][0]
        if nr == 1:
            return rows[0]
        if nc == 1:
            return [r[0] for r in rows]
        return rows

    @value.setter
    def value(self, data: Any) -> None:
        self._count("Range.value:set")
        self._one_area("value")
        if isinstance(data, list | tuple) and data and isinstance(data[0], list | tuple):
            block = [list(r) for r in data]
        elif isinstance(data, list | tuple):
            block = [list(data)]
        else:
            block = [[data] * self._shape()[1] for _ in range(self._shape()[0])]
        for i, row in enumerate(block):
            for j, v in enumerate(row):
                cell = self._cell(self._r1 + i, self._c1 + j)
                cell.value, cell.formula, cell.prefix = _excel_parse(v, cell.number_format)
                if isinstance(cell.value, dt.datetime) and cell.number_format == "General" and not cell.prefix:
                    cell.number_format = "yyyy-mm-dd"

    @property
    def formula(self) -> Any:
        """Like xlwings: the formula, else the constant as text (Excel drops the apostrophe prefix
        here too, so a text cell holding ``=x`` reads back as ``=x``)."""
        self._count("Range.formula:get")
        self._one_area("formula")
        out = []
        for r in range(self._r1, self._r2 + 1):
            row = []
            for col in range(self._c1, self._c2 + 1):
                c = self._peek(r, col)
                if c is None or not c.used:
                    row.append("")
                elif c.formula:
                    row.append(c.formula)
                else:
                    v = c.value
                    row.append(v.isoformat() if isinstance(v, dt.datetime) else
                                                            str(v).removesuffix(".0") if isinstance(v, float) else str(v))
            out.append(tuple(row))
        if self._shape() == (1, 1):
            return out[0][0]
        return tuple(out)

    # ---- formats ---------------------------------------------------------------------------
    @property
    def color(self) -> tuple[int, int, int] | None:
        self._count("Range.color:get")
        return self._uniform(lambda c: c.color, None, mixed=TypeError)

    @color.setter
    def color(self, value: Any) -> None:
        self._count("Range.color:set")
        colour = rgb(value)
        for r, c in self._iter():
            self._cell(r, c).color = colour

    @property
    def font(self) -> FakeFont:
        self._count("Range.font")
        return FakeFont(self)

    @property
    def number_format(self) -> str | None:
        self._count("Range.number_format:get")
        return self._uniform(lambda c: c.number_format, "General")

    @number_format.setter
    def number_format(self, value: str) -> None:
        self._count("Range.number_format:set")
        for r, c in self._iter():
            self._cell(r, c).number_format = value

    @property
    def wrap_text(self) -> bool | None:
        return self._uniform(lambda c: c.wrap, False)

    @wrap_text.setter
    def wrap_text(self, value: bool) -> None:
        self._count("Range.wrap_text:set")
        for r, c in self._iter():
            self._cell(r, c).wrap = bool(value)

    @property
    def column_width(self) -> float:
        return self._sheet.wbt_widths.get(self._c1, 8.43)

    @column_width.setter
    def column_width(self, value: float) -> None:
        self._count("Range.column_width:set")
        for c in sorted({c for _, c in self._iter()}):
            self._sheet.wbt_widths[c] = float(value)

    @property
    def merge_cells(self) -> bool | None:
        """As Excel's MergeCells: True when every cell is in a merged area, False when none, None when some."""
        self._count("Range.merge_cells")
        merged = set()
        for ref in self._sheet.wbt_merges:
            r1, c1, r2, c2 = _bounds(ref)
            merged |= {(r, c) for r in range(r1, r2 + 1) for c in range(c1, c2 + 1)}
        inside = [rc in merged for rc in self._iter()]
        return True if all(inside) else False if not any(inside) else None

    def merge(self, across: bool = False) -> None:
        self._count("Range.merge")
        self._sheet.wbt_merges.append(f"{cell_ref(self._r1, self._c1)}:{cell_ref(self._r2, self._c2)}")

    def add_hyperlink(self, address: str, text_to_display: str | None = None, screen_tip: str | None = None) -> None:
        self._count("Range.add_hyperlink")
        cell = self._cell(self._r1, self._c1)
        cell.hyperlink = address
        if text_to_display is not None:
            cell.value, cell.formula, cell.prefix = text_to_display, None, False

    # ---- notes -----------------------------------------------------------------------------
    @property
    def note(self) -> FakeNote | None:
        self._count("Range.note:get")
        c = self._peek(self._r1, self._c1)
        return FakeNote(c) if c is not None and c.note is not None else None

    def add_note(self, text: str) -> FakeNote:
        self._count("Range.add_note")
        c = self._cell(self._r1, self._c1)
        if c.note is not None:
            raise RuntimeError("the cell already has a note")  # as in Excel: AddComment fails
        c.note = text
        return FakeNote(c)
