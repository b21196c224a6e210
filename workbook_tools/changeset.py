"""A plain description of everything an action wants to change in a workbook.

Operations build a :class:`Changeset` and never touch files or Excel; an applier
(:mod:`workbook_tools.writer` for files, :mod:`workbook_tools.excel` for the open workbook)
carries it out. ``--dry-run`` prints it with :meth:`Changeset.render`.

Values are plain Python: ``str`` (always written as text, never as a formula, whatever its
first character), ``int``/``float``, ``bool``, ``datetime.date``/``datetime.datetime`` and
``None`` (empty the cell). A formula is its own type, :class:`Formula`, which only the tool's
operations create from a formula they own (never from a cell's text).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from .i18n import L, current_lang, plural
from .model import Finding, col_letter
from .stamp import SourceStamp
from .styles import PALETTE, text_lines, wrapped_height
from .values import display_width, shown, to_json

NOT_CHECKED: Any = type("NotChecked", (), {"__repr__": lambda self: "NOT_CHECKED"})()
"""``CellEdit.old`` default: write without checking what the cell held."""

LOG_CELL = "cell"
"""``CellEdit.log``: the edit gets its own 变更日志 row (a new customer ID, a typed value replaced)."""
LOG_COLUMN = "column"
"""``CellEdit.log``: the edit is counted in its column's one summary row (a recomputed value)."""


@dataclass(frozen=True)
class Formula:
    """An Excel formula the tool writes on purpose, with the value it has on the run date.

    ``text`` is the formula without its leading ``=`` (as stored in the file's ``<f>``);
    ``cached`` is written as the cell's saved result, so a reader that does not calculate
    (calamine, pandas, this tool) reads the same value as Excel shows (``str``, number, bool or
    None for the empty text). Only operations build one, from a formula the schema declares
    (:attr:`workbook_tools.schema.Column.formula`); text from a cell is always a ``str``."""

    text: str
    cached: Any = None

    def __post_init__(self) -> None:
        if not isinstance(self.text, str) or not self.text or self.text.startswith("="):
            raise ValueError("Formula.text is the formula without its leading '='")
        if isinstance(self.cached, Formula):
            raise ValueError("Formula.cached is a value")


@dataclass
class CellEdit:
    """Set one cell. ``old`` is what the action expects to find there (None = empty);
    the applier refuses the whole changeset if the cell holds something else."""

    sheet: str
    cell: str
    new: Any
    old: Any = NOT_CHECKED
    number_format: str | None = None   # e.g. "yyyy-mm-dd" for a date written into an unformatted cell
    style: str | None = None           # a PALETTE name, for new header cells and the like
    action: str | None = None          # the action that planned it, when a changeset merges several
    log: str | None = None             # 变更日志: LOG_CELL, LOG_COLUMN, or None = its own row when it
                                       # replaces a value, else counted with its column's fills


@dataclass
class CellMark:
    """Colour a cell to show a finding. ``tag`` groups marks so a later run can clear them."""

    sheet: str
    cell: str
    severity: str = "error"            # a key of styles.MARKS
    tag: str = "validate"


@dataclass
class CellNote:
    """A note (comment) on a cell; replaces an earlier note by the same author."""

    sheet: str
    cell: str
    text: str
    author: str = "wbt"


@dataclass
class ChartSpec:
    """A chart on a generated sheet. Ranges are A1 ranges on that sheet."""

    kind: str                          # column | bar | pie | line
    title: str
    categories: str                    # e.g. "A6:A12"
    series: list[tuple[str, str]]      # (name, values range)
    anchor: str = "H2"
    width: int = 480
    height: int = 288
    y2: tuple[int, ...] = ()           # series (by position) drawn against a second value axis on the right
    percent: bool = False              # values are shares (0–1): value axis and labels shown in %


@dataclass
class GeneratedSheet:
    """A sheet built by the tool (review, validation results). Replaces a sheet of the same name."""

    name: str
    cells: dict[tuple[int, int], tuple[Any, str | None]] = field(default_factory=dict)  # (row, col) → (value, style)
    links: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → "'Sheet'!A1" target
    merges: list[str] = field(default_factory=list)
    col_widths: dict[int, float] = field(default_factory=dict)
    charts: list[ChartSpec] = field(default_factory=list)
    freeze: tuple[int, int] | None = None  # (row, col) of the first unfrozen cell, 1-based
    tab_color: str | None = None
    after: str | None = None               # place after this sheet (default: last)
    hidden: bool = False
    row_heights: dict[int, float] = field(default_factory=dict)  # row (1-based) → height in points

    def fit_wrapped_rows(self) -> None:
        """Give each row the height its wrapped texts need (styles with ``text_wrap``, at the column
        widths), so a long problem or hint is visible without resizing: LibreOffice and WPS do not
        grow rows of a file on their own. Merged cells are left to their own height."""
        merged = {m.split(":")[0] for m in self.merges}
        for (r, c), (value, style) in self.cells.items():
            props = PALETTE.get(style or "", {})
            if not isinstance(value, str) or not props.get("text_wrap") or f"{col_letter(c)}{r}" in merged:
                continue
            size = props.get("font_size", 11)
            lines = text_lines(value, self.col_widths.get(c, 8.43), size)
            if lines > 1:
                self.row_heights[r] = max(self.row_heights.get(r, 0.0), wrapped_height(lines, size))

    def put(self, row: int, col: int, value: Any, style: str | None = None) -> None:
        self.cells[(row, col)] = (value, style)

    def put_row(self, row: int, col: int, values: list[Any], style: str | list[str | None] | None = None) -> None:
        for i, v in enumerate(values):
            st = style[i] if isinstance(style, list) else style
            self.cells[(row, col + i)] = (v, st)

    @property
    def extent(self) -> tuple[int, int]:
        if not self.cells:
            return (0, 0)
        return (max(r for r, _ in self.cells), max(c for _, c in self.cells))


@dataclass
class HistoryWrite:
    """Replace the grade history's records of ``period`` (YYYY-MM) with ``rows`` (the layout of
    :mod:`workbook_tools.history`); every other record stays as stored."""

    period: str
    rows: list[list[str]]
    replaces: int = 0   # records of ``period`` the plan read (0: the rows are only appended)


@dataclass
class Changeset:
    action: str                                           # e.g. "ids", "tiers", "validate"
    edits: list[CellEdit] = field(default_factory=list)
    marks: list[CellMark] = field(default_factory=list)
    clear_marks: list[str] = field(default_factory=list)  # tags of earlier marks to remove first
    notes: list[CellNote] = field(default_factory=list)
    add_sheets: list[GeneratedSheet] = field(default_factory=list)
    remove_sheets: list[str] = field(default_factory=list)
    summary: L | None = None
    columns: dict[tuple[str, int], str] = field(default_factory=dict)  # (sheet, column) → header, for 变更日志
    source: SourceStamp | None = None   # the file the plan was made from (model.source); None = not checked
    lang: str | None = None             # the workbook's own language (model.lang): names the change log
    history: HistoryWrite | None = None  # a month's records of the grade history (hidden sheet _wbt_history)

    def __bool__(self) -> bool:
        return bool(self.edits or self.marks or self.clear_marks or self.notes or self.add_sheets
                    or self.remove_sheets or self.history)

    @property
    def is_empty(self) -> bool:
        return not self

    def edit(self, sheet: str, cell: str, new: Any, old: Any = NOT_CHECKED, **kw: Any) -> None:
        self.edits.append(CellEdit(sheet, cell, new, old, **kw))

    def extend(self, other: Changeset) -> None:
        """Add ``other``'s changes; its edits keep ``other.action`` as their own, for the change log."""
        self.edits += [e if e.action or other.action == self.action else replace(e, action=other.action)
                       for e in other.edits]
        self.marks += other.marks
        self.clear_marks += [t for t in other.clear_marks if t not in self.clear_marks]
        self.notes += other.notes
        self.add_sheets += other.add_sheets
        self.remove_sheets += other.remove_sheets
        self.columns.update(other.columns)
        self.history = other.history or self.history

    # ---- rendering -------------------------------------------------------------------------
    def to_dict(self) -> dict[str, Any]:
        return {
            "action": self.action,
            "edits": [{"sheet": e.sheet, "cell": e.cell, "old": _plain(e.old), "new": _plain(e.new),
                       **({"action": e.action} if e.action else {})} for e in self.edits],
            "marks": [asdict(m) for m in self.marks],
            "clear_marks": list(self.clear_marks),
            "notes": [asdict(n) for n in self.notes],
            "add_sheets": [{"name": s.name, "cells": len(s.cells), "charts": len(s.charts)} for s in self.add_sheets],
            "remove_sheets": list(self.remove_sheets),
            "history": {"period": self.history.period, "rows": len(self.history.rows)} if self.history else None,
        }

    def to_json(self, **kw: Any) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, **kw)

    def render(self, lang: str | None = None, limit: int = 200) -> str:
        """A readable table for ``--dry-run``."""
        en = (lang or current_lang()) == "en"
        lines: list[str] = []
        if not self:
            return "No changes." if en else "无需修改。"
        head = ("Sheet", "Cell", "Old", "New") if en else ("工作表", "单元格", "原值", "新值")
        lines += text_table(head, [(e.sheet, e.cell, _show(e.old), _show(e.new)) for e in self.edits], limit, en)
        if self.clear_marks:
            lines.append(("Clear earlier marks: " if en else "清除先前标记：") + ", ".join(self.clear_marks))
        if self.marks:
            lines.append(f"Mark {plural(len(self.marks), 'cell')}" if en else f"标记 {len(self.marks)} 个单元格")
        if self.notes:
            lines.append(f"Add {plural(len(self.notes), 'note')}" if en else f"添加 {len(self.notes)} 条批注")
        for s in self.add_sheets:
            lines.append(f"Add or replace sheet {s.name}" if en else f"新增或替换工作表 {s.name}")
        for name in self.remove_sheets:
            lines.append(f"Remove sheet {name}" if en else f"删除工作表 {name}")
        if self.history:
            h = self.history
            lines.append(f"Record the grade history of {h.period}: {plural(len(h.rows), 'row')}" if en
                         else f"记录 {h.period} 的等级历史：{len(h.rows)} 行")
        return "\n".join(lines)


@dataclass
class ActionResult:
    """What an operation returns: its findings, the changeset, and figures for the summary."""

    action: str
    findings: list[Finding] = field(default_factory=list)
    changeset: Changeset | None = None
    stats: dict[str, Any] = field(default_factory=dict)
    summary: L | None = None

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.severity == "error"]


@dataclass(kw_only=True)
class WriteCounts:
    """What an applier wrote besides the cells, the same for the file writer and live mode."""

    cells_written: int = 0
    marks: int = 0
    marks_cleared: int = 0
    notes: int = 0
    sheets_added: int = 0
    sheets_removed: int = 0
    log_rows: int = 0
    history_rows: int = 0       # records of the grade history written (its month's rows)
    seconds: float = 0.0


def _plain(v: Any) -> Any:
    if v is NOT_CHECKED:
        return None
    if isinstance(v, Formula):
        return {"formula": "=" + v.text, "cached": _plain(v.cached)}
    return to_json(v)


def _show(v: Any) -> str:
    if v is NOT_CHECKED:
        return "?"
    if isinstance(v, Formula):
        return f"={v.text} → {_show(v.cached)}"
    return shown(v)


def text_table(head: tuple[str, ...], rows: list[tuple[Any, ...]], limit: int, en: bool) -> list[str]:
    """Console lines of a table (CJK characters count two columns), at most ``limit`` rows, then
    how many more there are."""
    if not rows:
        return []
    first = rows[:limit]
    widths = [max(display_width(str(x)) for x in col) for col in zip(head, *first)]
    lines = ["  ".join(_pad(h, w) for h, w in zip(head, widths)).rstrip(), "  ".join("-" * w for w in widths)]
    lines += ["  ".join(_pad(str(x), w) for x, w in zip(r, widths)).rstrip() for r in first]
    if len(rows) > limit:
        lines.append(f"… {len(rows) - limit} more" if en else f"……另有 {len(rows) - limit} 处")
    return lines


def _pad(s: str, width: int) -> str:
    return s + " " * max(0, width - display_width(s))
