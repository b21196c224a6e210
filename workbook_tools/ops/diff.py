"""What differs between two versions of a workbook, cell by cell: values and formulas, on every
sheet, and which sheets were added or removed. Pure: the grids come from the reader
(:mod:`workbook_tools.reader.grid`); ``wbt diff`` and ``wbt undo`` print or save the result.

Values are compared as the file stores them (a formula by its cached value and its text), a whole
row at a time: a cell differs when its value differs (``1`` and ``TRUE`` differ, ``1`` and ``1.0``
do not) or its formula does. A cell of an added sheet counts as added, of a removed
sheet as removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from .. import values
from ..changeset import text_table
from ..i18n import current_lang
from ..model import Grid, cell_ref

ADDED, REMOVED, CHANGED, FORMULA = "added", "removed", "changed", "formula"


class CellChange(NamedTuple):
    sheet: str
    row: int
    col: int
    old: Any
    new: Any
    old_formula: str | None = None
    new_formula: str | None = None

    @property
    def cell(self) -> str:
        return cell_ref(self.row, self.col)

    @property
    def kind(self) -> str:
        """added (was empty), removed (now empty), formula (same value, other formula) or changed."""
        was = not _blank(self.old) or self.old_formula is not None
        now = not _blank(self.new) or self.new_formula is not None
        if not was:
            return ADDED
        if not now:
            return REMOVED
        if _same(self.old, self.new):
            return FORMULA
        return CHANGED

    def to_dict(self) -> dict[str, Any]:
        return {"sheet": self.sheet, "cell": self.cell, "row": self.row, "col": self.col, "kind": self.kind,
                "old": values.to_json(self.old), "new": values.to_json(self.new),
                "old_formula": _eq(self.old_formula), "new_formula": _eq(self.new_formula)}


@dataclass
class WorkbookDiff:
    old: str
    new: str
    sheets_added: list[str] = field(default_factory=list)
    sheets_removed: list[str] = field(default_factory=list)
    sheets_unchanged: list[str] = field(default_factory=list)
    changes: list[CellChange] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes or self.sheets_added or self.sheets_removed)

    def counts(self) -> dict[str, dict[str, int]]:
        """Per sheet: how many cells of each kind."""
        out: dict[str, dict[str, int]] = {}
        for c in self.changes:
            per = out.setdefault(c.sheet, {})
            per[c.kind] = per.get(c.kind, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        return {"old": self.old, "new": self.new, "same": not self, "sheets_added": self.sheets_added,
                "sheets_removed": self.sheets_removed, "sheets_unchanged": self.sheets_unchanged,
                "cells": len(self.changes), "by_sheet": self.counts(), "changes": [c.to_dict() for c in self.changes]}

    def render(self, limit: int = 50, lang: str | None = None) -> str:
        en = (lang or current_lang()) == "en"
        if not self:
            return "The two workbooks hold the same cells." if en else "两个工作簿的单元格完全相同。"
        lines = []
        for name in self.sheets_added:
            lines.append(f"+ sheet {name} added" if en else f"+ 新增工作表 {name}")
        for name in self.sheets_removed:
            lines.append(f"- sheet {name} removed" if en else f"- 删除工作表 {name}")
        for sheet, per in self.counts().items():
            kinds = ", ".join(f"{KIND_LABEL[k][en]} {n:,}" for k, n in sorted(per.items()))
            lines.append(f"{sheet}: {kinds}")
        head = ("Sheet", "Cell", "Change", "Old", "New") if en else ("工作表", "单元格", "变化", "原值", "新值")
        rows = [(c.sheet, c.cell, KIND_LABEL[c.kind][en], shown(c.old, c.old_formula), shown(c.new, c.new_formula))
                for c in self.changes]
        return "\n".join([*lines, "", *text_table(head, rows, limit, en)])


KIND_LABEL = {ADDED: ("新增", "added"), REMOVED: ("清空", "cleared"), CHANGED: ("修改", "changed"),
              FORMULA: ("公式", "formula")}


def diff_workbooks(old: str, new: str, old_sheets: list[str], new_sheets: list[str], grids_old: dict[str, Grid],
                   grids_new: dict[str, Grid], unchanged: Iterable[str] = ()) -> WorkbookDiff:
    """Compare two versions. ``*_sheets``: sheet names in workbook order; ``grids_*``: the grids of
    the sheets to compare (a sheet in ``unchanged`` is known to be identical and needs none)."""
    same = set(unchanged)
    out = WorkbookDiff(old, new)
    olds = set(old_sheets)
    out.sheets_added = [n for n in new_sheets if n not in olds]
    out.sheets_removed = [n for n in old_sheets if n not in set(new_sheets)]
    empty = Grid([])
    for name in [*new_sheets, *out.sheets_removed]:
        if name in same:
            out.sheets_unchanged.append(name)
            continue
        found = compare_grids(name, grids_old.get(name, empty) if name in olds else empty,
                              grids_new.get(name, empty) if name not in out.sheets_removed else empty)
        if not found and name not in out.sheets_added:
            out.sheets_unchanged.append(name)
        out.changes += found
    return out


def compare_grids(sheet: str, old: Grid, new: Grid) -> list[CellChange]:
    """Every cell whose value or formula differs, in row then column order. Whole rows are compared
    first (list equality runs in C; most rows of a version are equal), with their value types, so
    ``TRUE`` and ``1`` differ; only the rows that differ are looked at cell by cell."""
    a, b = old.values, new.values
    cells: set[tuple[int, int]] = set()
    for r in range(max(len(a), len(b))):
        ra = a[r] if r < len(a) else _NONE
        rb = b[r] if r < len(b) else _NONE
        if ra == rb and (not (True in ra or False in ra) or list(map(type, ra)) == list(map(type, rb))):
            continue
        for c in range(max(len(ra), len(rb))):
            x = ra[c] if c < len(ra) else ""
            y = rb[c] if c < len(rb) else ""
            if not _same(x, y):
                cells.add((r + 1, c + 1))
    cells |= {rc for rc in set(old.formulas) | set(new.formulas) if old.formulas.get(rc) != new.formulas.get(rc)}
    return [CellChange(sheet, r, c, _at(a, r, c), _at(b, r, c), old.formulas.get((r, c)), new.formulas.get((r, c)))
            for r, c in sorted(cells)]


_NONE: list[Any] = []


def _at(rows: list[list[Any]], r: int, c: int) -> Any:
    return rows[r - 1][c - 1] if r - 1 < len(rows) and c - 1 < len(rows[r - 1]) else ""


def _blank(v: Any) -> bool:
    return v is None or v == ""


def _same(a: Any, b: Any) -> bool:
    """Equal values; a bool equals only a bool (``TRUE`` is not ``1``); empty is ``""`` or None."""
    if _blank(a) or _blank(b):
        return _blank(a) and _blank(b)
    return a == b and (type(a) is bool) == (type(b) is bool)


def _eq(formula: str | None) -> str | None:
    return None if formula is None else "=" + formula


def shown(v: Any, formula: str | None = None) -> str:
    """A cell for the console: its value (``(空)`` when empty), and its formula when it has one."""
    text = values.shown(v, seconds=True)
    if formula is not None:
        text = f"={formula} → {text}"
    return text if len(text) <= 60 else text[:57] + "…"
