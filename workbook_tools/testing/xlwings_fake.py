"""An in-memory stand-in for the small part of the xlwings API that live mode uses.

``FakeApp`` / ``FakeBook`` / ``FakeSheet`` / ``FakeRange`` … (ranges, fonts and notes live in
:mod:`.fake_cells`) behave like their xlwings
counterparts for exactly the attributes listed in :data:`workbook_tools.excel.xlapply.USED_API`
and nothing else: every class has ``__slots__``, so touching any other attribute raises
``AttributeError`` (that is how the tests prove the adapter stays inside its declared subset).
Helpers meant for tests only start with ``wbt_`` and are never used by the adapter.

What it models of Excel, because live mode depends on it:

- a string written to a cell is *parsed* the way Excel parses typed input: ``=…`` becomes a
  formula, ``+1``/``-1``/``001``/``1e3`` become numbers, ``2024-01-05`` a date, ``@x`` a formula
  (``#NAME?``) — unless it starts with an apostrophe, which Excel keeps as the cell's prefix
  character and does not store in the value; a text-formatted cell (``@``) keeps numbers as text;
- values read back are what xlwings returns: numbers as ``float``, dates as ``datetime``,
  empty cells as ``None``; ``Range.value`` is a scalar, a list or a list of lists by shape
  (``options(ndim=2)`` always gives a list of lists);
- a ``datetime`` written into a ``General`` cell gets a date number format, as in Excel;
- ``color`` / ``font.color`` read back as ``(r, g, b)`` tuples (``None`` for no fill); on a range
  whose cells differ they raise ``TypeError``, as xlwings does (Excel answers Null there and
  xlwings' ``int_to_rgb(None)`` fails);
- an address may list several areas (``"A1,C3:C9"``, as Excel's ``Range("…")``) for formats,
  colours and widths; values of such a range are not modelled (Excel writes only the first area);
- ``=HYPERLINK("target","text")`` evaluates to its text.

Every call that would cross into Excel (a COM call on Windows) is counted in ``app.wbt_calls``
(e.g. ``"Range.value:get"``, ``"Sheets.item"`` for each sheet an iteration hands out) for the
batching tests. ``FakeApps`` stands for ``xlwings.apps`` (every running Excel, with its ``hwnd``).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

from ..model import split_ref
from .fake_cells import FakeFont, FakeNote, FakeRange, _bounds, _Cell, areas_of
from .fake_charts import CHART_TYPES, FakeChart, FakeCharts, FakeFreezePanes

__all__ = ["FakeApps", "FakeApp", "FakeBooks", "FakeBook", "FakeSheets", "FakeSheet", "FakeRange", "FakeFont", "FakeNote",
           "FakeCharts", "FakeChart", "FakeFreezePanes", "book_from_file", "CHART_TYPES"]

"""The xlwings chart type names live mode uses (checked against ``xlwings.constants.chart_types``)."""



class FakeApps:
    """``xlwings.apps``: the running Excel instances."""

    __slots__ = ("_apps",)

    def __init__(self, *apps: FakeApp) -> None:
        self._apps = list(apps)

    def __iter__(self) -> Iterator[FakeApp]:
        for app in self._apps:
            app.wbt_calls["Apps.item"] += 1
            yield app


class FakeApp:
    """``xlwings.App``: its books, window handle, screen updating, status bar and alert dialogs."""

    __slots__ = ("books", "_hwnd", "_pid", "_screen_updating", "_status_bar", "wbt_alerts", "wbt_answers", "wbt_calls",
                 "wbt_screen_log", "wbt_status_log")

    def __init__(self, hwnd: int = 0x1A2B, pid: int = 4242) -> None:
        self.books = FakeBooks(self)
        self._hwnd = hwnd
        self._pid = pid
        self._screen_updating = True
        self._status_bar: str | bool = False                      # False: Excel's own status bar
        self.wbt_alerts: list[tuple[str, str | None, str]] = []   # (prompt, title, buttons) shown
        self.wbt_answers: list[str] = []                           # answers to give, in order
        self.wbt_calls: Counter[str] = Counter()
        self.wbt_screen_log: list[bool] = []
        self.wbt_status_log: list[str | bool] = []

    @property
    def hwnd(self) -> int:
        self.wbt_calls["App.hwnd"] += 1
        return self._hwnd

    @property
    def pid(self) -> int:
        return self._pid

    @property
    def status_bar(self) -> str | bool:
        self.wbt_calls["App.status_bar:get"] += 1
        return self._status_bar

    @status_bar.setter
    def status_bar(self, value: str | bool) -> None:
        self.wbt_calls["App.status_bar:set"] += 1
        self._status_bar = value
        self.wbt_status_log.append(value)

    @property
    def screen_updating(self) -> bool:
        return self._screen_updating

    @screen_updating.setter
    def screen_updating(self, value: bool) -> None:
        self._screen_updating = bool(value)
        self.wbt_screen_log.append(bool(value))

    def alert(self, prompt: str, title: str | None = None, buttons: str = "ok", mode: str | None = None,
              callback: str | None = None) -> str | None:
        self.wbt_alerts.append((prompt, title, buttons))
        if self.wbt_answers:
            return self.wbt_answers.pop(0)
        return {"ok": "ok", "ok_cancel": "ok", "yes_no": "yes", "yes_no_cancel": "yes"}.get(buttons, "ok")


class FakeBooks:
    """``xlwings.main.Books``: the open books of an app; ``active`` is the last one opened."""

    __slots__ = ("_app", "_books", "_active")

    def __init__(self, app: FakeApp) -> None:
        self._app = app
        self._books: list[FakeBook] = []
        self._active: FakeBook | None = None

    @property
    def active(self) -> FakeBook:
        if self._active is None:
            raise RuntimeError("no workbook is open")
        return self._active

    def __iter__(self) -> Iterator[FakeBook]:
        for book in list(self._books):
            self._app.wbt_calls["Books.item"] += 1
            yield book

    def wbt_add(self, book: FakeBook) -> None:
        self._books.append(book)
        self._active = book


class FakeBook:
    """``xlwings.Book``: name, full name, sheets, app."""

    __slots__ = ("app", "name", "fullname", "sheets")

    def __init__(self, name: str = "CRM.xlsx", app: FakeApp | None = None, *, fullname: str | None = None) -> None:
        self.app = app or FakeApp()
        self.name = name
        self.fullname = fullname or name
        self.sheets = FakeSheets(self)
        self.app.books.wbt_add(self)

    def wbt_add_sheet(self, name: str, rows: Sequence[Sequence[Any]] = (), *, visible: bool | int = True,
                      number_formats: dict[str, str] | None = None) -> FakeSheet:
        """Test helper: a sheet holding ``rows`` from A1, stored as given (no parsing)."""
        sh = self.sheets.wbt_append(name)
        for fmt_ref, fmt in (number_formats or {}).items():
            sh.wbt_cell(fmt_ref).number_format = fmt
        for r, row in enumerate(rows, start=1):
            for c, v in enumerate(row, start=1):
                if v is None or v == "":
                    continue
                cell = sh._cells.setdefault((r, c), _Cell())
                if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
                    v = dt.datetime(v.year, v.month, v.day)
                elif isinstance(v, int) and not isinstance(v, bool):
                    v = float(v)
                cell.value = v
                if isinstance(v, dt.datetime) and cell.number_format == "General":
                    cell.number_format = "yyyy-mm-dd"
        sh.visible = visible
        return sh


class FakeSheets:
    """``xlwings.main.Sheets``: by name or index, ``add(name, before, after)``."""

    __slots__ = ("_book", "_list")

    def __init__(self, book: FakeBook) -> None:
        self._book = book
        self._list: list[FakeSheet] = []

    def __len__(self) -> int:
        return len(self._list)

    def __iter__(self) -> Iterator[FakeSheet]:
        calls = self._book.app.wbt_calls
        calls["Sheets.iter"] += 1
        for sh in list(self._list):
            calls["Sheets.item"] += 1
            yield sh

    def __getitem__(self, key: int | str) -> FakeSheet:
        self._book.app.wbt_calls["Sheets.getitem"] += 1
        if isinstance(key, int):
            return self._list[key]
        for s in self._list:
            if s._name.casefold() == key.casefold():
                return s
        raise KeyError(key)

    def add(self, name: str | None = None, before: FakeSheet | None = None, after: FakeSheet | None = None) -> FakeSheet:
        self._book.app.wbt_calls["Sheets.add"] += 1
        name = name or f"Sheet{len(self._list) + 1}"
        if any(s._name.casefold() == name.casefold() for s in self._list):
            raise ValueError(f"a sheet named {name!r} exists")
        sh = FakeSheet(self._book, name)
        if before is not None:
            self._list.insert(self._list.index(before), sh)
        elif after is not None:
            self._list.insert(self._list.index(after) + 1, sh)
        else:
            self._list.insert(0, sh)  # like Excel: a new sheet goes before the active (first) one
        return sh

    def wbt_append(self, name: str) -> FakeSheet:
        sh = FakeSheet(self._book, name)
        self._list.append(sh)
        return sh

    def wbt_names(self) -> list[str]:
        return [s._name for s in self._list]


class FakeSheet:
    """``xlwings.Sheet``."""

    __slots__ = ("_book", "_name", "_visible", "_cells", "charts", "freeze_panes", "wbt_merges", "wbt_widths")

    def __init__(self, book: FakeBook, name: str) -> None:
        self._book = book
        self._name = name
        self._visible: bool | int = True
        self._cells: dict[tuple[int, int], _Cell] = {}
        self.charts = FakeCharts(self)
        self.freeze_panes = FakeFreezePanes(self)
        self.wbt_merges: list[str] = []
        self.wbt_widths: dict[int, float] = {}

    @property
    def name(self) -> str:
        self._book.app.wbt_calls["Sheet.name:get"] += 1
        return self._name

    @name.setter
    def name(self, value: str) -> None:
        self._name = value

    @property
    def visible(self) -> bool | int:
        self._book.app.wbt_calls["Sheet.visible:get"] += 1
        return self._visible

    @visible.setter
    def visible(self, value: bool | int) -> None:
        # Excel's XlSheetVisibility: -1 visible, 0 hidden, 2 veryHidden (COM passes ints through)
        self._visible = 2 if value == 2 else bool(value) and value != 0

    @property
    def used_range(self) -> FakeRange:
        self._book.app.wbt_calls["Sheet.used_range"] += 1
        rows = cols = None
        for (r, c), cell in self._cells.items():
            if cell.value is None and cell.formula is None:
                continue
            if rows is None:
                rows, cols = [r, r], [c, c]
            else:
                rows[0], rows[1] = min(rows[0], r), max(rows[1], r)
                cols[0], cols[1] = min(cols[0], c), max(cols[1], c)
        if rows is None or cols is None:
            return FakeRange(self, 1, 1, 1, 1)
        return FakeRange(self, rows[0], cols[0], rows[1], cols[1])

    def range(self, cell1: str | tuple[int, int] | FakeRange, cell2: str | tuple[int, int] | FakeRange | None = None
              ) -> FakeRange:
        self._book.app.wbt_calls["Sheet.range"] += 1
        if isinstance(cell1, str) and "," in cell1:
            if cell2 is not None:
                raise ValueError("a range of several areas takes one address")
            areas = areas_of(cell1)
            return FakeRange(self, *areas[0], areas=areas)
        if isinstance(cell1, str):
            areas_of(cell1)  # the length limit
        r1, c1, r2, c2 = _bounds(cell1)
        if cell2 is not None:
            s1, d1, s2, d2 = _bounds(cell2)
            r1, c1, r2, c2 = min(r1, s1), min(c1, d1), max(r2, s2), max(c2, d2)
        return FakeRange(self, r1, c1, r2, c2)

    def delete(self) -> None:
        self._book.app.wbt_calls["Sheet.delete"] += 1
        self._book.sheets._list.remove(self)

    # ---- test helpers ----------------------------------------------------------------------
    def wbt_cell(self, ref: str) -> _Cell:
        return self._cells.setdefault(split_ref(ref.upper()), _Cell())

    def wbt_value(self, ref: str) -> Any:
        c = self._cells.get(split_ref(ref.upper()))
        return c.value if c else None

    def wbt_rows(self) -> list[list[Any]]:
        """Every value from A1 to the last used cell."""
        used = [rc for rc, c in self._cells.items() if c.used]
        if not used:
            return []
        nr, nc = max(r for r, _ in used), max(c for _, c in used)
        return [[self._cells[(r, c)].value if (r, c) in self._cells else None for c in range(1, nc + 1)]
                for r in range(1, nr + 1)]


def book_from_file(path: str | Any, app: FakeApp | None = None) -> FakeBook:
    """A fake book holding the values and sheet visibility of a workbook file, as Excel shows them
    to xlwings: numbers as float, date cells as datetime, text as text (read with calamine)."""
    from pathlib import Path

    import python_calamine as pc

    path = Path(path)
    wb = pc.CalamineWorkbook.from_path(str(path))
    book = FakeBook(path.name, app, fullname=str(path))
    states = {m.name: m.visible for m in wb.sheets_metadata}
    for name in wb.sheet_names:
        rows = wb.get_sheet_by_name(name).to_python(skip_empty_area=False)
        vis = states.get(name)
        visible: bool | int = (True if vis == pc.SheetVisibleEnum.Visible else
                               2 if vis == pc.SheetVisibleEnum.VeryHidden else False)
        book.wbt_add_sheet(name, rows, visible=visible)
    return book
