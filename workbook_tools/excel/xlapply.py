"""A :class:`~workbook_tools.changeset.Changeset` carried out on the open workbook through xlwings.

Same order and refusals as the file writer (:mod:`workbook_tools.writer.apply`), as far as
Excel lets a script see them: pre-flight (sheets exist, addresses valid, values writable, no
formula overwritten, every ``old`` still there) → clear marks → cell edits → marks → notes →
remove/add sheets → grade history → change log.

Every call into Excel is a round trip between processes, so the applier makes few: each run of
neighbouring edited columns is read with one ``value`` and one ``formula`` call (pre-flight) and
written back as ONE block from its first to its last edited row; the cells in between keep the
value just read (written back as it was: a number, a date, text, an empty cell). A cell that
cannot be written back exactly — a formula, an error value, a time finer than a second — is
never part of a block: the rows around it go out as blocks of their own; a box that touches a
merged area writes its edited cells only (runs down each column). Number formats, styles
and mark colours go out once per union of areas (``Range("A1,C3:C9")``, :mod:`.xlutil`).

Text is always written with a leading apostrophe, which Excel keeps as the cell's prefix
character, so ``=HYPERLINK(…)``, ``+1``, ``@x`` or ``001`` stay text (a text cell written back in a
block gets the prefix too; its value does not change). Marks: see :mod:`.xlmarks`; generated
sheets and notes: :mod:`.xlsheets`; the grade history: :mod:`.xlhistory`.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..changeset import CellEdit, Changeset, WriteCounts
from ..schema import changelog_sheet_name
from ..writer.changelog import HEADERS as LOG_HEADERS
from ..writer.changelog import TIME_FORMAT, chunks, current_user, log_lang, log_rows, log_sheets, show
from ..writer.changelog import WIDTHS as LOG_WIDTHS
from ..writer.checks import check_edit, edits_by_cell, target_sheets
from ..writer.values import StoredCell, date_format, excel_serial
from .xlhistory import write_history
from .xlmarks import apply_marks, clear_marks, load_records, mark_fills, save_records
from .xlsheets import apply_notes, column_widths, style_cells, style_range, write_generated
from .xlutil import Sheets, cell_value, each_union, formula_rows, number_format_of, probe, rectangles, runs

USED_API: dict[str, list[str]] = {
    "App": ["screen_updating", "alert"],
    "Book": ["app", "name", "fullname", "sheets"],
    "Sheets": ["__getitem__", "__iter__", "__len__", "add"],
    "Sheet": ["name", "visible", "used_range", "range", "delete", "charts", "freeze_panes"],
    "Range": ["row", "column", "shape", "last_cell", "options", "value", "formula", "color", "font",
              "number_format", "wrap_text", "column_width", "merge", "merge_cells", "add_hyperlink", "note",
              "add_note", "left", "top"],
    "Font": ["color", "bold", "italic", "size"],
    "Note": ["text", "delete"],
    "Charts": ["add"],
    "Chart": ["chart_type", "name", "set_source_data"],
    "FreezePanes": ["freeze_at"],
}
"""Every xlwings attribute the applier, its marks (:mod:`.xlmarks`), its sheets (:mod:`.xlsheets`)
and live mode touch; see tests/test_xlwings_contract.py."""


@dataclass
class LiveReport(WriteCounts):
    """What was written, with figures for the summary dialog and the benchmark."""

    value_writes: int = 0       # Range.value write calls for the edits (blocks)
    added: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def _as_stored(v: Any, r: int, c: int) -> StoredCell:
    """An xlwings value as the file writer's StoredCell (dates as serials) for ``matches_old``."""
    if isinstance(v, dt.datetime | dt.date):
        v = excel_serial(v)
    elif isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    return StoredCell(r, c, value=v, exists=v is not None)


def _block(rng: Any) -> list[list[Any]]:
    return rng.options(ndim=2).value or []


def _is_formula(value: Any, formula: Any) -> bool:
    return isinstance(formula, str) and formula.startswith("=") and formula != value


def _kept_as_is(value: Any, formula: Any) -> bool:
    """Can the cell be written back with what was read, changing nothing? Not a formula, not an
    error value (xlwings reads it as empty while its formula text is not), no sub-second time."""
    if _is_formula(value, formula):
        return False
    if value is None:
        return formula in (None, "")
    return not (isinstance(value, dt.datetime) and value.microsecond)


# ---- pre-flight ------------------------------------------------------------------------------
@dataclass
class _Box:
    """A run of neighbouring edited columns, from the first to the last edited row, as read."""

    r1: int
    c1: int
    r2: int
    c2: int
    values: list[list[Any]]
    formulas: list[tuple[Any, ...]]
    merged: bool = False   # some cell lies in a merged area: write the edited cells only

    def value(self, r: int, c: int) -> Any:
        return self.values[r - self.r1][c - self.c1]

    def formula(self, r: int, c: int) -> Any:
        return self.formulas[r - self.r1][c - self.c1]


@dataclass
class _Plan:
    edits: dict[str, dict[tuple[int, int], CellEdit]] = field(default_factory=dict)
    olds: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    sheets: dict[str, Any] = field(default_factory=dict)
    boxes: dict[str, list[_Box]] = field(default_factory=dict)


def preflight(book: Any, cs: Changeset, sheets: Sheets | None = None) -> _Plan:
    """Every refusal before anything is changed (UnsafeWrite naming sheet!cell): the file writer's
    checks (:mod:`workbook_tools.writer.checks`) on what the open workbook holds."""
    sheets = sheets or Sheets(book)
    plan = _Plan()
    plan.sheets = target_sheets(cs, sheets.get)
    plan.edits = edits_by_cell(cs)
    for name, cells in plan.edits.items():
        plan.boxes[name] = []
        for c1, c2 in runs(c for _, c in cells):
            rows = [r for r, c in cells if c1 <= c <= c2]
            r1, r2 = min(rows), max(rows)
            rng = plan.sheets[name].range((r1, c1), (r2, c2))
            box = _Box(r1, c1, r2, c2, _block(rng), formula_rows(rng, (r2 - r1 + 1, c2 - c1 + 1)),
                       merged=rng.merge_cells is not False)
            plan.boxes[name].append(box)
            for (r, c), e in cells.items():
                if c1 <= c <= c2:
                    v, f = box.value(r, c), box.formula(r, c)
                    check_edit(name, r, c, e, _as_stored(v, r, c), formula=_is_formula(v, f), date1904=False,
                               found=lambda v=v: show(v), formula_text=f[1:] if _is_formula(v, f) else None)
                    plan.olds[(name, r, c)] = v
    return plan


# ---- edits -----------------------------------------------------------------------------------
def _is_date_format(fmt: Any) -> bool:
    return isinstance(fmt, str) and any(ch in fmt.lower() for ch in "yd") and fmt != "General"


def _bands(box: _Box, cells: dict[tuple[int, int], CellEdit]) -> list[tuple[int, int, int, int]]:
    """The rectangles of ``box`` to write: whole rows where every cell can be written back, and in
    rows holding a cell that cannot, the runs of edited cells beside it. A box touching a merged
    area (Excel refuses to write part of one) writes runs of edited cells only."""
    if box.merged:
        return [(a, c, b, c) for c in range(box.c1, box.c2 + 1)
                for a, b in runs(r for r, cc in cells if cc == c and box.r1 <= r <= box.r2)]
    blocked = {r for r in range(box.r1, box.r2 + 1) for c in range(box.c1, box.c2 + 1)
               if (r, c) not in cells and not _kept_as_is(box.value(r, c), box.formula(r, c))}
    out = [(a, box.c1, b, box.c2) for a, b in runs(set(range(box.r1, box.r2 + 1)) - blocked)]
    for r in sorted(blocked):
        out += [(r, a, r, b) for a, b in runs(c for rr, c in cells if rr == r and box.c1 <= c <= box.c2)]
    return out


def write_edits(sheet: Any, box: _Box, cells: dict[tuple[int, int], CellEdit], report: LiveReport) -> None:
    """The box's edits as few value blocks, then number formats and styles per union of areas."""
    for r1, c1, r2, c2 in _bands(box, cells):
        block = [[cell_value(cells[(r, c)].new) if (r, c) in cells else cell_value(box.value(r, c))
                  for c in range(c1, c2 + 1)] for r in range(r1, r2 + 1)]
        sheet.range((r1, c1), (r2, c2)).value = block
        report.value_writes += 1
    report.cells_written += sum(1 for r, c in cells if box.c1 <= c <= box.c2)
    mine = {rc: e for rc, e in cells.items() if box.c1 <= rc[1] <= box.c2}
    formats: dict[str, set[tuple[int, int]]] = {}
    dates = {rc: e for rc, e in mine.items() if isinstance(e.new, dt.date)}
    if dates:  # a date goes into a cell without a date format: give it one (keep the user's otherwise)
        now = probe(sheet, dates, number_format_of)
        for rc, e in dates.items():
            if not _is_date_format(now.get(rc)):
                formats.setdefault(date_format(e.new, e.number_format), set()).add(rc)
    for rc, e in mine.items():
        if e.number_format and not isinstance(e.new, str | dt.date):
            formats.setdefault(e.number_format, set()).add(rc)
    for fmt, rcs in formats.items():
        for rng in each_union(sheet, rectangles(rcs)):
            rng.number_format = fmt
    styles: dict[str, set[tuple[int, int]]] = {}
    for rc, e in mine.items():
        if e.style:
            styles.setdefault(e.style, set()).add(rc)
    style_cells(sheet, styles)


# ---- change log ------------------------------------------------------------------------------
def _log_sheet(sheets: Sheets, name: str) -> Any:
    """A new log sheet at the end, with its headers and column widths."""
    sh = sheets.add(name)
    header = sh.range((1, 1), (1, len(LOG_HEADERS)))
    header.value = [[cell_value(h) for h in LOG_HEADERS]]
    style_range(header, "header")
    column_widths(sh, dict(enumerate(LOG_WIDTHS, start=1)))
    return sh


def _upgrade_log(sh: Any) -> None:
    """A log sheet of an older version (six columns): the new headers and widths (as the file writer)."""
    header = sh.range((1, 1), (1, len(LOG_HEADERS)))
    head = header.value
    if not head or head[0] != LOG_HEADERS[0]:
        return
    missing = {c: w for c, w in enumerate(LOG_WIDTHS, start=1) if c > 1 and head[c - 1] in (None, "")}
    if missing:
        header.value = [[cell_value(h) for h in LOG_HEADERS]]
        style_range(header, "header")
        column_widths(sh, missing)


def append_log(sheets: Sheets, rows: list[list[Any]], now: dt.datetime, user: str, lang: str | None = None) -> int:
    """The rows below the last log sheet's last row, or on a new 变更日志 n (see writer.changelog)."""
    if not rows:
        return 0
    names = log_sheets(sheets.names())
    sh = sheets.get(names[-1]) if names else None
    plan = chunks(max(sh.used_range.last_cell.row, 1) if sh is not None else 0, len(rows))
    stamp = now.replace(tzinfo=None, microsecond=0)
    done = 0
    for new, start, take in plan:
        if new:
            sh = _log_sheet(sheets, changelog_sheet_name(len(log_sheets(sheets.names())) + 1, log_lang(names, lang)))
        else:
            _upgrade_log(sh)
        block = [[stamp, cell_value(user), *(cell_value(v) for v in row)] for row in rows[done:done + take]]
        rows_range = sh.range((start, 1), (start + take - 1, len(LOG_HEADERS)))
        rows_range.value = block
        rows_range.wrap_text = True   # Excel grows the rows to show a long 说明 whole
        sh.range((start, 1), (start + take - 1, 1)).number_format = TIME_FORMAT
        done += take
    return done


# ---- the whole changeset ---------------------------------------------------------------------
def apply_live(book: Any, cs: Changeset, *, now: dt.datetime | None = None, user: str | None = None) -> LiveReport:
    """Carry out ``cs`` on the open workbook ``book`` (an xlwings Book or the fake)."""
    t0 = time.perf_counter()
    report = LiveReport()
    if not cs:
        return report
    sheets = Sheets(book)
    plan = preflight(book, cs, sheets)
    records = load_records(sheets) if (cs.marks or cs.clear_marks) else []
    still: dict[Any, Any] = {}
    if cs.clear_marks:
        records, report.marks_cleared, still = clear_marks(sheets, records, cs.clear_marks, mark_fills(cs.marks))
    for name, cells in plan.edits.items():
        for box in plan.boxes[name]:
            write_edits(plan.sheets[name], box, cells, report)
    if cs.marks:
        records = apply_marks(sheets, records, cs.marks, still)
        report.marks = len(cs.marks)
    if cs.marks or cs.clear_marks:
        save_records(sheets, records)
    if cs.notes:
        report.notes = apply_notes(sheets, cs.notes)
    removed = [name for name in cs.remove_sheets if sheets.delete(name)]
    for gen in cs.add_sheets:
        write_generated(sheets, gen)
        report.added.append(gen.name)
    report.sheets_added, report.sheets_removed = len(report.added), len(removed)
    if cs.history:
        report.history_rows = write_history(sheets, cs.history)
    rows = log_rows(cs, lambda sheet, r, c: show(plan.olds.get((sheet, r, c))), report.marks,
                    report.marks_cleared, report.notes, report.added, removed)
    report.log_rows = append_log(sheets, rows, now or dt.datetime.now(), user or current_user(), cs.lang)
    report.seconds = time.perf_counter() - t0
    return report
