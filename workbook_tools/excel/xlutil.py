"""Small helpers shared by the live applier and its marks: xlwings colours, sheets, values, runs."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..changeset import Formula


def hex_colour(rgb: Any) -> str:
    """xlwings colour ((r, g, b), '#RRGGBB' or None) → 'RRGGBB' ('' for none)."""
    if rgb is None or rgb == "":
        return ""
    if isinstance(rgb, str):
        return rgb.lstrip("#").upper()
    r, g, b = rgb
    return f"{int(r):02X}{int(g):02X}{int(b):02X}"


def xl_colour(h: str) -> str | None:
    return f"#{h}" if h else None


def cell_value(v: Any) -> Any:
    """A changeset value as written through xlwings: text always gets Excel's apostrophe prefix; only
    a :class:`~workbook_tools.changeset.Formula` (built by an operation) is written as a formula,
    which Excel then calculates."""
    if isinstance(v, str):
        return "'" + v if v else None
    if isinstance(v, Formula):
        return "=" + v.text
    return v


def formula_rows(rng: Any, shape: tuple[int, int]) -> list[tuple[Any, ...]]:
    """``Range.formula`` of a ``shape`` (rows, columns) range as rows of a 2-D block, whatever shape
    xlwings returns it in (the shape is passed: asking the range for it is one more call)."""
    f = rng.formula
    if not isinstance(f, tuple | list):
        return [(f,)]
    if f and not isinstance(f[0], tuple | list):
        return [tuple(f)] if shape[0] == 1 else [(x,) for x in f]
    return [tuple(r) for r in f]


def runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted distinct ints → [(first, last)] of consecutive runs."""
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out


# ---- rectangles ------------------------------------------------------------------------------
def _rects(cells: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Runs along the second coordinate, then equal runs of neighbouring first coordinates joined."""
    by_first: dict[int, set[int]] = {}
    for a, b in cells:
        by_first.setdefault(a, set()).add(b)
    spans: dict[tuple[int, int], list[int]] = {}
    for a, bs in by_first.items():
        for lo, hi in runs(bs):
            spans.setdefault((lo, hi), []).append(a)
    return [(a1, lo, a2, hi) for (lo, hi), firsts in spans.items() for a1, a2 in runs(firsts)]


def rectangles(cells: set[tuple[int, int]]) -> list[tuple[int, int, int, int]]:
    """Cover (row, col) cells with few rectangles (r1, c1, r2, c2): row-wise or column-wise, fewer wins."""
    by_rows = _rects(cells)
    by_cols = [(r1, c1, r2, c2) for c1, r1, c2, r2 in _rects({(c, r) for r, c in cells})]
    return by_rows if len(by_rows) <= len(by_cols) else by_cols



VERY_HIDDEN = 2  # XlSheetVisibility.xlSheetVeryHidden; COM passes the int through Sheet.visible


# ---- few calls: sheets looked up once, cells addressed as unions of areas ----------------------
class Sheets:
    """The book's sheets by name, listed once (each sheet handed out by xlwings is a COM call);
    kept up to date by the applier as it adds and removes sheets."""

    def __init__(self, book: Any) -> None:
        self.book = book
        self._by_name = {s.name.casefold(): s for s in book.sheets}

    def get(self, name: str) -> Any | None:
        return self._by_name.get(name.casefold())

    def added(self, name: str, sheet: Any) -> None:
        self._by_name[name.casefold()] = sheet

    def add(self, name: str, after: Any = None) -> Any:
        """A new sheet, after ``after`` (default: after the last sheet)."""
        sheets = self.book.sheets
        sh = sheets.add(name, after=after if after is not None else sheets[len(sheets) - 1])
        self._by_name[name.casefold()] = sh
        return sh

    def add_very_hidden(self, name: str) -> Any:
        """A new bookkeeping sheet at the end, veryHidden (only reachable through VBA)."""
        sh = self.add(name)
        try:
            sh.visible = VERY_HIDDEN
        except Exception:  # noqa: BLE001 - an engine that only takes a bool: hidden is the best it can do
            sh.visible = False
        return sh

    def names(self) -> list[str]:
        """The sheet names, case-folded (as :meth:`get` takes them; Chinese names are unchanged)."""
        return list(self._by_name)

    def delete(self, name: str) -> bool:
        sh = self._by_name.pop(name.casefold(), None)
        if sh is None:
            return False
        sh.delete()
        return True

    def renamed(self, old: str, new: str) -> None:
        sh = self._by_name.pop(old.casefold())
        self._by_name[new.casefold()] = sh


Rect = tuple[int, int, int, int]
MAX_ADDRESS = 255
"""Excel's ``Range("…")`` takes an address of at most 255 characters."""


def address(rect: Rect) -> str:
    from ..model import cell_ref

    r1, c1, r2, c2 = rect
    a = cell_ref(r1, c1)
    return a if (r1, c1) == (r2, c2) else f"{a}:{cell_ref(r2, c2)}"


def unions(rects: Iterable[Rect]) -> list[list[Rect]]:
    """The rectangles in groups whose comma-joined address fits :data:`MAX_ADDRESS`."""
    out: list[list[Rect]] = []
    size = 0
    for rect in rects:
        n = len(address(rect)) + 1
        if not out or size + n > MAX_ADDRESS + 1:
            out.append([])
            size = 0
        out[-1].append(rect)
        size += n
    return out


def union_range(sheet: Any, group: list[Rect]) -> Any:
    """One xlwings range over several areas (one ``Sheet.range`` call)."""
    return sheet.range(",".join(address(r) for r in group))


def each_union(sheet: Any, rects: Iterable[Rect]) -> Iterator[Any]:
    for group in unions(rects):
        yield union_range(sheet, group)


MIXED = object()
"""What a probe's reader returns when the cells of a range differ."""


def _halves(rect: Rect) -> tuple[Rect, Rect]:
    r1, c1, r2, c2 = rect
    if r2 - r1 >= c2 - c1:
        mid = (r1 + r2) // 2
        return (r1, c1, mid, c2), (mid + 1, c1, r2, c2)
    mid = (c1 + c2) // 2
    return (r1, c1, r2, mid), (r1, mid + 1, r2, c2)


class _Cells:
    """Requested cells by column (sorted rows), to find those inside an area quickly."""

    def __init__(self, cells: Iterable[tuple[int, int]]) -> None:
        self.rows: dict[int, list[int]] = {}
        for r, c in cells:
            self.rows.setdefault(c, []).append(r)
        for rows in self.rows.values():
            rows.sort()

    def inside(self, rect: Rect) -> list[tuple[int, int]]:
        r1, c1, r2, c2 = rect
        out = []
        for c in range(c1, c2 + 1):
            rows = self.rows.get(c, [])
            out += [(r, c) for r in rows[bisect_left(rows, r1):bisect_right(rows, r2)]]
        return out


def probe(sheet: Any, cells: Iterable[tuple[int, int]], read: Callable[[Any, bool], Any]) -> dict[tuple[int, int], Any]:
    """A cell property (a colour, a number format) of each of ``cells``, in few calls. First each
    column is asked from its first to its last requested row, several columns per call (a union of
    areas): an unformatted sheet answers at once. Where that area's cells differ (``read`` returns
    :data:`MIXED`), the requested cells themselves are asked, a union of areas at a time, and a
    union or rectangle that still differs is halved until it does not. ``read(range, single_cell)``
    may call an answer ambiguous."""
    want = _Cells(cells)
    out: dict[tuple[int, int], Any] = {}
    spans = [(rows[0], c, rows[-1], c) for c, rows in sorted(want.rows.items())]
    todo = [(group, True) for group in unions(spans)]
    while todo:
        group, cover = todo.pop()
        single = len(group) == 1 and group[0][0] == group[0][2] and group[0][1] == group[0][3]
        value = read(union_range(sheet, group), single)
        if value is not MIXED or single:
            for rect in group:
                for rc in want.inside(rect):
                    out[rc] = None if value is MIXED else value
        elif cover:  # the spans hold other cells too: ask the requested cells themselves
            inside = {rc for rect in group for rc in want.inside(rect)}
            todo += [(g, False) for g in unions(rectangles(inside))]
        elif len(group) > 1:
            todo += [(group[: len(group) // 2], False), (group[len(group) // 2:], False)]
        else:
            todo += [([half], False) for half in _halves(group[0])]
    return out


def fill_of(rng: Any, single: bool) -> Any:
    """A range's fill as 'RRGGBB' ('' none), :data:`MIXED` when its cells differ. Excel reads an
    unfilled cell mixed with white ones as white, so white over several cells counts as mixed."""
    try:
        h = hex_colour(rng.color)
    except (TypeError, ValueError):  # Excel's Null for differing cells: xlwings fails to convert it
        return MIXED
    return MIXED if h == "FFFFFF" and not single else h


def font_colour_of(rng: Any, single: bool) -> Any:
    try:
        return hex_colour(rng.font.color)
    except (TypeError, ValueError):
        return MIXED


def colours_of(rng: Any, single: bool) -> Any:
    """(fill, font colour) of a range, read on one range object; :data:`MIXED` when either differs."""
    fill = fill_of(rng, single)
    if fill is MIXED:
        return MIXED
    font = font_colour_of(rng, single)
    return MIXED if font is MIXED else (fill, font)


def number_format_of(rng: Any, single: bool) -> Any:
    fmt = rng.number_format
    return MIXED if fmt is None else fmt
