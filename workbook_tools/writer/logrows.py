"""The rows a write adds to 变更日志: what people need to know, not every computed cell.

* A cell edit gets its own row when it assigns a new customer ID or replaces a value a person
  typed (``CellEdit.log`` is ``LOG_CELL``, or None and the cell held a value): 单元格, 原值, 新值.
* Fills of empty cells and recomputed columns (``LOG_COLUMN``) get ONE row per run, step, sheet
  and column: where (a range, or the first few cells), how many, and what changed in aggregate
  (``否→是 40；是→否 3``); the cell-by-cell detail is in the backup the row names (``wbt diff``).
* One row per added, replaced or removed sheet, one for marks, cleared marks and notes.

Both appliers (the file writer and live Excel) build their rows here, so they log alike.
Each row: 操作, 单元格, 原值, 新值, 单元格数, 说明, 运行前备份 (time and user are put in front
by the applier).
"""

from __future__ import annotations

import datetime as dt
import functools
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..changeset import LOG_CELL, LOG_COLUMN, CellEdit, Changeset, Formula
from ..i18n import plural
from ..model import cell_ref, col_letter
from ..schema import HISTORY_SHEET
from ..values import display
from .values import rc_of

EMPTY = "(空)"
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime})
MAX_TRANSITIONS = 6     # distinct old→new pairs listed one by one; beyond it, counts and an example
FIRST_CELLS = 3         # cells named when a column's edits do not form one range


def show(value: Any) -> str:
    """A value as the log shows it; a formula as the value it has on the run date."""
    return display(value.cached if isinstance(value, Formula) else value, seconds=True)


@functools.lru_cache(maxsize=64)
def action_label(action: str) -> str:
    """The 操作 column: a registered action's Chinese name with its key (``生成客户编号 ids``), so
    a user reading the log sees what ran; any other action as it is."""
    from .. import actions

    try:
        return f"{actions.get(action.replace('-', '_')).zh} {action}"
    except KeyError:
        return action


@dataclass
class _Column:
    """The summarised edits of one step in one column of one sheet."""

    action: str
    sheet: str
    col: int
    rows: list[int] = field(default_factory=list)
    changes: Counter[tuple[str, str]] = field(default_factory=Counter)
    example: tuple[int, str, str] | None = None      # (row, old, new) of the first real change
    formula: str | None = None                        # the first formula written, if any

    def add(self, row: int, old: str, e: CellEdit, new: str) -> None:
        self.rows.append(row)
        self.changes[(old, new)] += 1
        if self.example is None and old and new and old != new:
            self.example = (row, old, new)
        if self.formula is None and isinstance(e.new, Formula):
            self.formula = e.new.text


def where(sheet: str, col: int, rows: list[int]) -> str:
    """``sheet!Q2:Q9`` when the rows are one run, else the first few cells and ``…``."""
    letters = col_letter(col)
    lo, hi = min(rows), max(rows)
    if hi - lo + 1 == len(set(rows)):
        return f"{sheet}!{letters}{lo}" + (f":{letters}{hi}" if hi > lo else "")
    distinct = sorted(set(rows))
    return f"{sheet}!" + ",".join(f"{letters}{r}" for r in distinct[:FIRST_CELLS]) + \
        (",…" if len(distinct) > FIRST_CELLS else "")


def _n(k: int) -> str:
    return f"{k:,}"


def describe(group: _Column, header: str | None) -> str:
    """What changed in one column, in aggregate: each transition with its count when there are
    few (``否→是 40；是→否 3``), else how many were filled, changed and cleared, with an example."""
    parts = []
    if len(group.rows) == 1 and not group.formula:  # 原值 and 新值 say it all
        return header or ""
    if len(group.changes) <= MAX_TRANSITIONS:
        for (old, new), k in sorted(group.changes.items(), key=lambda kv: (-kv[1], kv[0])):
            parts.append(f"{old or EMPTY}→{new or EMPTY} {_n(k)}")
        text = "；".join(parts)
    else:
        filled = sum(k for (o, n), k in group.changes.items() if not o and n)
        cleared = sum(k for (o, n), k in group.changes.items() if o and not n)
        changed = sum(group.changes.values()) - filled - cleared
        for label, k in (("填入 / filled", filled), ("修改 / changed", changed), ("清空 / cleared", cleared)):
            if k:
                parts.append(f"{label} {_n(k)}")
        text = "；".join(parts)
        if group.example:
            r, old, new = group.example
            text += f"（例 / e.g. {col_letter(group.col)}{r}：{old}→{new}）"
    if group.formula:
        text = f"公式 / formula ={group.formula}；" + text
    return f"{header}：{text}" if header else text


def log_rows(cs: Changeset, old_text: Callable[[str, int, int], str], marks_done: int, cleared: int,
             notes_done: int, added: list[str], removed: list[str], backup: str = "") -> list[list[Any]]:
    """The run's 变更日志 rows (操作, 单元格, 原值, 新值, 单元格数, 说明, 运行前备份), without time
    and user. ``old_text(sheet, row, col)``: what the cell held, as text. ``backup``: the file the
    run's backup was written to ("" when none was kept)."""
    rows: list[list[Any] | _Column] = []
    groups: dict[tuple[str, str, int], _Column] = {}
    act = action_label(cs.action)
    shown: dict[tuple[type, Any], str] = {}  # a column repeats its values (a tier, a date): each shown once

    def show_new(v: Any) -> str:
        if v.__class__ not in _PLAIN:
            return show(v)
        key = (v.__class__, v)
        text = shown.get(key)
        if text is None:
            text = shown[key] = show(v)
        return text
    for e in cs.edits:
        r, c = rc_of(e.cell.upper())
        old = old_text(e.sheet, r, c)
        label = action_label(e.action) if e.action else act
        if e.log == LOG_CELL or (e.log != LOG_COLUMN and old):
            rows.append([label, f"{e.sheet}!{cell_ref(r, c)}", old, show(e.new), 1, ""])
            continue
        key = (label, e.sheet, c)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _Column(label, e.sheet, c)
            rows.append(group)
        group.add(r, old, e, show_new(e.new))
    out: list[list[Any]] = []
    for row in rows:
        if isinstance(row, _Column):
            # one transition (all 空→否, say): its two values in 原值 and 新值 as well
            (old, new), = row.changes if len(row.changes) == 1 else [("", "")]
            row = [row.action, where(row.sheet, row.col, row.rows), old, new, len(row.rows),
                   describe(row, cs.columns.get((row.sheet, row.col)))]
        out.append(row)
    for name in removed:
        out.append([act, name, "", "", None, "删除工作表 / sheet removed"])
    for name in added:
        out.append([act, name, "", "", None, "新增或替换工作表 / sheet added or replaced"])
    if cleared or cs.clear_marks:
        out.append([act, "", "", "", cleared or None, f"清除标记 {', '.join(cs.clear_marks)}：{cleared} 个单元格 / "
                    f"cleared marks on {plural(cleared, 'cell')}"])
    if marks_done:
        tags = sorted({m.tag for m in cs.marks})
        out.append([act, "", "", "", marks_done, f"标记 {marks_done} 个单元格（{', '.join(tags)}）/ marked "
                    f"{plural(marks_done, 'cell')}"])
    if notes_done:
        out.append([act, "", "", "", notes_done, f"添加 {notes_done} 条批注 / added {plural(notes_done, 'note')}"])
    if cs.history:
        h, n = cs.history, len(cs.history.rows)
        out.append([act, HISTORY_SHEET, "", "", n, f"记录 {h.period} 的等级历史（隐藏表）：{n:,} 行 / "
                    f"recorded the grade history of {h.period} (hidden sheet): {plural(n, 'row')}"])
    for row in out:
        row.append(backup)
    return out
