"""The pre-flight checks both appliers share (the file writer and live mode): one place for what is
refused and how the refusal reads, so a workbook file and an open workbook refuse alike.

Each check raises :class:`~workbook_tools.errors.UnsafeWrite` naming sheet!cell, before anything
is written.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Container, Iterable
from dataclasses import replace
from typing import Any, TypeVar

from ..changeset import NOT_CHECKED, CellEdit, Changeset, Formula
from ..errors import UnsafeWrite
from ..i18n import L
from ..model import cell_ref
from .changelog import show
from .marks import valid_cell
from .values import MAX_COL, MAX_ROW, StoredCell, bad_value, excel_serial, rc_of

T = TypeVar("T")


def refuse(zh: str, en: str, sheet: str | None = None, cell: str | None = None, **kw: Any) -> UnsafeWrite:
    return UnsafeWrite(L(zh, en).format(**kw), sheet=sheet, cell=cell)


def matches_old(old: Any, cell: StoredCell, date1904: bool) -> bool:
    """Whether a cell still holds the value an action expects (``old``)."""
    if old is NOT_CHECKED:
        return True
    if isinstance(old, Formula):  # a formula the tool wrote: its cached value is what was read
        old = old.cached
    v = cell.value
    if old is None or old == "":
        # the reader reads a cell holding only spaces as empty, so accept that too
        return v is None or (isinstance(v, str) and not v.strip())
    if isinstance(old, bool):
        return isinstance(v, bool) and v == old
    if isinstance(old, dt.date):
        return isinstance(v, float) and math.isclose(v, excel_serial(old, date1904), abs_tol=1e-6)
    if isinstance(old, int | float):
        return isinstance(v, float) and not isinstance(v, bool) and math.isclose(v, float(old), rel_tol=1e-12, abs_tol=1e-12)
    if isinstance(v, str):
        return v == str(old)
    if isinstance(v, float) and isinstance(old, str):  # a number the reader handed over as text
        try:
            return math.isclose(v, float(old.strip()), rel_tol=1e-12)
        except ValueError:
            return False
    return False


def edits_by_cell(cs: Changeset, value: Callable[[Any], Any] = lambda v: v) -> dict[str, dict[tuple[int, int], CellEdit]]:
    """The changeset's edits per sheet and (row, col), each value passed through ``value``.
    Both appliers use it: a cell set twice to the same value is one edit; to two different values,
    an UnsafeWrite naming the cell (which one is meant is unclear)."""
    out: dict[str, dict[tuple[int, int], CellEdit]] = {}
    for e in cs.edits:
        new = value(e.new)
        cells = out.setdefault(e.sheet, {})
        rc = rc_of(e.cell.upper())
        if rc in cells and cells[rc].new != new:
            raise refuse("同一次修改要把单元格写成两个不同的值（{a} 和 {b}），不知该写哪一个。",
                          "One change sets this cell to two different values ({a} and {b}); which one is meant is "
                          "unclear.", sheet=e.sheet, cell=cell_ref(*rc), a=show(cells[rc].new),
                          b=show(new))
        cells[rc] = e if new is e.new else replace(e, new=new)
    return out



def target_sheets(cs: Changeset, find: Callable[[str], T | None]) -> dict[str, T]:
    """Every sheet the changeset touches, as ``find`` gives it; refuses a missing sheet or an invalid
    cell address."""
    found: dict[str, T] = {}
    needs = {e.sheet for e in cs.edits} | {m.sheet for m in cs.marks} | {n.sheet for n in cs.notes} \
        | set(cs.remove_sheets)
    for name in sorted(needs):
        sheet = find(name)
        if sheet is None:
            raise refuse("工作簿中没有名为 {n} 的工作表。", "The workbook has no sheet named {n}.", sheet=name, n=name)
        found[name] = sheet
    for item in [*cs.edits, *cs.marks, *cs.notes]:
        if not valid_cell(item.cell):
            if re.fullmatch(r"[A-Za-z]{1,3}[1-9][0-9]*", item.cell):
                raise past_limit(item.sheet, item.cell)
            raise refuse("无效的单元格地址 {c}。", "Invalid cell address {c}.", sheet=item.sheet, cell=item.cell,
                         c=item.cell)
    check_sizes(cs)
    return found


def past_limit(sheet: str, cell: str | None = None) -> UnsafeWrite:
    """The refusal for a write that would pass Excel's last row (1,048,576) or column (XFD)."""
    return refuse("{s} 的 {c} 超出 Excel 工作表的范围（最多 {r:,} 行、{k:,} 列），Excel 或 LibreOffice 下次保存时会丢弃它。"
                  "工作簿未被修改；请把数据拆分到另一个工作簿。",
                  "{c} on {s} lies past the end of an Excel sheet ({r:,} rows, {k:,} columns); Excel or LibreOffice "
                  "would drop it the next time the file is saved. The workbook was not changed; split the data "
                  "into another workbook.", sheet=sheet, cell=cell, s=sheet, c=cell or "", r=MAX_ROW, k=MAX_COL)


def refuse_history(problem: tuple[str, str] | None) -> None:
    """Refuse a grade-history write that cannot be made (``problem``: the sheet and why, or None)."""
    if problem is None:
        return
    sheet, why = problem
    if why == "structure":
        raise refuse("需要新建等级历史表“{s}”，但工作簿结构受保护。请先撤销“保护工作簿”。",
                     "The grade history needs a new sheet '{s}', but the workbook structure is protected. "
                     "Unprotect the workbook first.", sheet=sheet, s=sheet)
    raise refuse("等级历史表“{s}”受保护，不能记录。请先撤销该表的保护。",
                 "The grade history sheet '{s}' is protected and cannot be written. Unprotect it first.",
                 sheet=sheet, s=sheet)


def check_sizes(cs: Changeset) -> None:
    """Refuse a generated sheet that would pass the last row or column, and marks whose records
    (one row each in the hidden ``_wbt_marks`` sheet) would."""
    for gs in cs.add_sheets:
        rows, cols = gs.extent
        if rows > MAX_ROW or cols > MAX_COL:
            raise past_limit(gs.name, cell_ref(min(rows, MAX_ROW + 1), min(cols, MAX_COL)))
    if len(cs.marks) + 1 > MAX_ROW:
        from ..schema import MARKS_SHEET
        raise past_limit(MARKS_SHEET, f"A{len(cs.marks) + 1}")


def check_edit(sheet: str, r: int, c: int, e: CellEdit, now: StoredCell, *, formula: bool, date1904: bool,
               found: Callable[[], str], merges: Iterable[tuple[str, int, int, int, int]] = (),
               styles: Container[str] | None = None, formula_text: str | None = None,
               arrays: Iterable[tuple[str, int, int, int, int]] = ()) -> None:
    """Refuse writing ``e`` into a cell that holds ``now``: a value that cannot be written (or a style
    not in ``styles``, when given), a formula (unless ``e`` writes that same formula again, with a new
    cached value: ``formula_text`` is the cell's formula without '='), a cell in the range of an array
    formula or data table (``arrays``: only the range's first cell holds the ``<f>``), a cell inside a
    merged range, or a cell changed since the action read it (``found``: what it holds, as the message
    shows it)."""
    ref = cell_ref(r, c)
    why = bad_value(e.new) or (f"unknown style {e.style}" if styles is not None and e.style and e.style not in styles
                               else None)
    if why:
        raise refuse("无法写入该值（{w}）。", "Cannot write this value ({w}).", sheet=sheet, cell=ref, w=why)
    if formula and not (isinstance(e.new, Formula) and formula_text == e.new.text):
        raise refuse("单元格含有公式，本工具不会覆盖公式。", "The cell holds a formula; it will not be overwritten.",
                     sheet=sheet, cell=ref)
    for aref, r1, c1, r2, c2 in arrays:
        if r1 <= r <= r2 and c1 <= c <= c2:
            raise refuse("单元格属于数组公式 {m} 的结果区域，本工具不会覆盖公式。",
                         "The cell lies in the range of the array formula {m}; a formula will not be overwritten.",
                         sheet=sheet, cell=ref, m=aref)
    for mref, r1, c1, r2, c2 in merges:
        if r1 <= r <= r2 and c1 <= c <= c2:
            raise refuse("单元格位于合并区域 {m} 内，无法写入。请先取消合并。",
                         "The cell lies inside merged range {m}; unmerge it first.", sheet=sheet, cell=ref, m=mref)
    if not matches_old(e.old, now, date1904):
        raise refuse("单元格的内容已改变（应为 {o}，现为 {v}），请重新运行以读取最新内容。",
                     "The cell has changed (expected {o}, found {v}); run again on the current workbook.",
                     sheet=sheet, cell=ref, o=show(e.old), v=found())
