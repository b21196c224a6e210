"""``wbt diff --out diff.xlsx``: the differences between two versions as a NEW workbook.

* 差异清单 (and 差异清单 2 … past Excel's last row): one row per differing cell — sheet, cell
  (linked to its copy), change, old and new value, old and new formula — under a title naming
  both files and the sheets added or removed;
* one copy of every sheet with differences (the new version's values; a removed sheet's old
  ones) in which each differing cell is filled: green added, yellow changed, red cleared (showing
  what was there, struck through), blue a formula changed with its value.

Only a new file is written here (through a temporary file and an atomic rename); the command
refuses to overwrite an existing file or either source.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import xlsxwriter

from ..model import Grid
from ..ops.diff import ADDED, CHANGED, FORMULA, KIND_LABEL, REMOVED, CellChange, WorkbookDiff
from ..styles import FONT, PALETTE
from ..writer.scratch import write_value

LIST_SHEET = "差异清单"
LIST_HEAD = ["工作表", "单元格", "变化", "原值", "新值", "原公式", "新公式"]
LIST_WIDTHS = [18, 10, 8, 30, 30, 30, 30]
HEAD_ROWS = 4                       # title, files, summary, header
LAST_ROW = 1_048_575                # the last row filled (one short of Excel's; see writer.changelog)
MAX_LINKS = 65_000                  # XlsxWriter writes at most 65,530 links per sheet
FILLS = {ADDED: ("#C6EFCE", "#006100"), CHANGED: ("#FFEB9C", "#9C5700"), REMOVED: ("#FFC7CE", "#9C0006"),
         FORMULA: ("#DDEBF7", "#1F3864")}


def write_diff_workbook(diff: WorkbookDiff, grids_old: dict[str, Grid], grids_new: dict[str, Grid],
                        path: Path) -> Path:
    """Write ``path`` (a temp file of :func:`workbook_tools.outputs.write_with`, which moves it into
    place)."""
    book = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False, "constant_memory": True})
    fmt = _Formats(book)
    changed = list(dict.fromkeys(c.sheet for c in diff.changes))
    copies = _copy_names(changed)
    _write_list(book, fmt, diff, copies)
    by_sheet: dict[str, dict[tuple[int, int], CellChange]] = {}
    for c in diff.changes:
        by_sheet.setdefault(c.sheet, {})[(c.row, c.col)] = c
    for name in changed:
        removed = name in diff.sheets_removed
        grid = (grids_old if removed else grids_new).get(name, Grid([]))
        _write_copy(book, fmt, copies[name], grid, by_sheet[name])
    book.close()
    return path


class _Formats:
    def __init__(self, book: Any) -> None:
        base = {"font_name": FONT, "font_size": 10}
        self.book, self.base = book, base
        self.title = book.add_format({**base, **PALETTE["title"]})
        self.note = book.add_format({**base, **PALETTE["subtitle"]})
        self.head = book.add_format({**base, **PALETTE["header"]})
        self.link = book.add_format({**base, "font_color": "#0563C1", "underline": 1})
        self.wrap = book.add_format({**base, "text_wrap": True, "valign": "top"})
        self._cache: dict[tuple[str | None, str], Any] = {}

    def cell(self, kind: str | None, value: Any) -> Any:
        """The format of a copied cell: its highlight (by kind of change) and a date format if needed."""
        shape = "datetime" if isinstance(value, dt.datetime) else "date" if isinstance(value, dt.date) else \
            "time" if isinstance(value, dt.time | dt.timedelta) else ""
        key = (kind, shape)
        if key not in self._cache:
            props: dict[str, Any] = dict(self.base)
            if kind:
                props["bg_color"], props["font_color"] = FILLS[kind]
            if kind == REMOVED:
                props["font_strikeout"] = True
            if shape:
                props["num_format"] = {"datetime": "yyyy-mm-dd hh:mm:ss", "date": "yyyy-mm-dd", "time": "hh:mm:ss"}[shape]
            self._cache[key] = self.book.add_format(props) if (kind or shape) else None
        return self._cache[key]


def _copy_names(sheets: list[str]) -> dict[str, str]:
    """The name of each sheet's copy: its own, unless it collides with the list sheets."""
    taken = {LIST_SHEET.casefold()}
    out = {}
    for name in sheets:
        n, k = name, 1
        while n.casefold() in taken or n.casefold().startswith(LIST_SHEET.casefold()):
            k += 1
            n = f"{name[:27]} ({k})"
        taken.add(n.casefold())
        out[name] = n
    return out


def _write_list(book: Any, fmt: _Formats, diff: WorkbookDiff, copies: dict[str, str]) -> None:
    per_sheet = LAST_ROW - HEAD_ROWS
    chunks = [diff.changes[i:i + per_sheet] for i in range(0, len(diff.changes), per_sheet)] or [[]]
    for n, chunk in enumerate(chunks, start=1):
        ws = book.add_worksheet(LIST_SHEET if n == 1 else f"{LIST_SHEET} {n}")
        for i, w in enumerate(LIST_WIDTHS):
            ws.set_column(i, i, w)
        ws.write_string(0, 0, "工作簿比较 / Workbook comparison", fmt.title)
        ws.write_string(1, 0, f"原 / old: {diff.old}    新 / new: {diff.new}", fmt.note)
        ws.write_string(2, 0, _summary(diff), fmt.note)
        ws.write_row(3, 0, LIST_HEAD, fmt.head)
        ws.freeze_panes(HEAD_ROWS, 0)
        for i, c in enumerate(chunk):
            r = HEAD_ROWS + i
            ws.write_string(r, 0, c.sheet)
            target = f"'{copies[c.sheet].replace(chr(39), chr(39) * 2)}'!{c.cell}"
            if i < MAX_LINKS:
                ws.write_url(r, 1, "internal:" + target, fmt.link, string=c.cell)
            else:
                ws.write_string(r, 1, c.cell)
            ws.write_string(r, 2, KIND_LABEL[c.kind][0], fmt.cell(c.kind, None))
            _put(ws, r, 3, c.old, fmt.cell(None, c.old))
            _put(ws, r, 4, c.new, fmt.cell(None, c.new))
            if c.old_formula is not None:
                ws.write_string(r, 5, "=" + c.old_formula)
            if c.new_formula is not None:
                ws.write_string(r, 6, "=" + c.new_formula)


def _summary(diff: WorkbookDiff) -> str:
    parts = [f"{len(diff.changes):,} 个单元格不同 / cells differ"]
    if diff.sheets_added:
        parts.append("新增工作表 / sheets added: " + "、".join(diff.sheets_added))
    if diff.sheets_removed:
        parts.append("删除工作表 / sheets removed: " + "、".join(diff.sheets_removed))
    return "；".join(parts)


def _write_copy(book: Any, fmt: _Formats, name: str, grid: Grid, marks: dict[tuple[int, int], CellChange]) -> None:
    ws = book.add_worksheet(name)
    rows = grid.values
    marked: dict[int, set[int]] = {}
    for r, c in marks:
        marked.setdefault(r, set()).add(c)
    for r in range(1, max(len(rows), max(marked, default=0)) + 1):
        row = rows[r - 1] if r - 1 < len(rows) else []
        cols = [c for c, v in enumerate(row, start=1) if v != "" and v is not None]
        if r in marked:
            cols = sorted(set(cols) | marked[r])
        for c in cols:
            change = marks.get((r, c))
            value = row[c - 1] if c - 1 < len(row) else ""
            if change is not None and change.kind == REMOVED:
                value = change.old   # what was there, struck through
            _put(ws, r - 1, c - 1, value, fmt.cell(change.kind if change else None, value))


def _put(ws: Any, r: int, c: int, value: Any, cell_format: Any) -> None:
    """A value as calamine read it: a time of day or a duration as Excel stores them, the rest as
    a generated sheet writes its values."""
    if isinstance(value, dt.time):
        ws.write_datetime(r, c, value, cell_format)
    elif isinstance(value, dt.timedelta):
        ws.write_number(r, c, value.total_seconds() / 86400, cell_format)
    else:
        write_value(ws, r, c, value, cell_format)
