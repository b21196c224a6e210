"""A :class:`~workbook_tools.changeset.Changeset` carried out on the open workbook through xlwings.

Same order and refusals as the file writer (:mod:`workbook_tools.writer.apply`), as far as
Excel lets a script see them: pre-flight (sheets exist, addresses valid, values writable, no
formula overwritten, every ``old`` still there) → clear marks → cell edits → marks → notes →
remove/add sheets → change log. Cell edits go out in batches: one ``Range.value`` write per
contiguous run of rows in a column. Text is always written with a leading apostrophe, which
Excel keeps as the cell's prefix character, so ``=HYPERLINK(…)``, ``+1``, ``@x`` or ``001`` stay
text. Marks: see :mod:`.xlmarks`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import time
from dataclasses import asdict, dataclass, field
from typing import Any

from ..changeset import CellEdit, CellNote, Changeset, ChartSpec, GeneratedSheet
from ..model import cell_ref
from ..styles import PALETTE
from ..writer.changelog import HEADERS as LOG_HEADERS
from ..writer.changelog import LOG_SHEET, TIME_FORMAT, current_user, log_rows, show
from ..writer.changelog import WIDTHS as LOG_WIDTHS
from ..writer.checks import check_edit, edits_by_cell, target_sheets
from ..writer.values import StoredCell, excel_serial
from .xlmarks import apply_marks, clear_marks, load_records, save_records
from .xlutil import cell_value, find_sheet, runs

USED_API: dict[str, list[str]] = {
    "App": ["screen_updating", "alert"],
    "Book": ["app", "name", "fullname", "sheets"],
    "Sheets": ["__getitem__", "__iter__", "__len__", "add"],
    "Sheet": ["name", "visible", "used_range", "range", "delete", "charts", "freeze_panes"],
    "Range": ["row", "column", "shape", "last_cell", "options", "value", "formula", "color", "font",
              "number_format", "wrap_text", "column_width", "merge", "add_hyperlink", "note", "add_note",
              "left", "top"],
    "Font": ["color", "bold", "italic", "size"],
    "Note": ["text", "delete"],
    "Charts": ["add"],
    "Chart": ["chart_type", "name", "set_source_data"],
    "FreezePanes": ["freeze_at"],
}
"""Every xlwings attribute the applier, its marks (:mod:`.xlmarks`) and live mode touch; see
tests/test_xlwings_contract.py."""

CHART_TYPES = {"column": "column_clustered", "bar": "bar_clustered", "pie": "pie", "line": "line"}


@dataclass
class LiveReport:
    """What was written, with figures for the summary dialog and the benchmark."""

    cells_written: int = 0
    value_writes: int = 0       # Range.value write calls for the edits (batches)
    marks: int = 0
    marks_cleared: int = 0
    notes: int = 0
    sheets_added: int = 0
    sheets_removed: int = 0
    log_rows: int = 0
    seconds: float = 0.0
    added: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


# ---- small helpers ---------------------------------------------------------------------------
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


def _as_stored(v: Any, r: int, c: int) -> StoredCell:
    """An xlwings value as the file writer's StoredCell (dates as serials) for ``matches_old``."""
    if isinstance(v, dt.datetime | dt.date):
        v = excel_serial(v)
    elif isinstance(v, int) and not isinstance(v, bool):
        v = float(v)
    return StoredCell(r, c, value=v, exists=v is not None)


def _block(rng: Any) -> list[list[Any]]:
    return rng.options(ndim=2).value or []


def _formulas(rng: Any) -> list[tuple[Any, ...]]:
    f = rng.formula
    if not isinstance(f, tuple | list):
        return [(f,)]
    if f and not isinstance(f[0], tuple | list):
        return [tuple(f)] if rng.shape[0] == 1 else [(x,) for x in f]
    return [tuple(r) for r in f]


# ---- pre-flight ------------------------------------------------------------------------------
@dataclass
class _Plan:
    edits: dict[str, dict[tuple[int, int], CellEdit]] = field(default_factory=dict)
    olds: dict[tuple[str, int, int], Any] = field(default_factory=dict)
    sheets: dict[str, Any] = field(default_factory=dict)


def preflight(book: Any, cs: Changeset) -> _Plan:
    """Every refusal before anything is changed (UnsafeWrite naming sheet!cell): the file writer's
    checks (:mod:`workbook_tools.writer.checks`) on what the open workbook holds."""
    plan = _Plan()
    plan.sheets = target_sheets(cs, lambda name: find_sheet(book, name))
    plan.edits = edits_by_cell(cs)
    for name, cells in plan.edits.items():
        rows = [r for r, _ in cells]
        cols = [c for _, c in cells]
        r1, c1, r2, c2 = min(rows), min(cols), max(rows), max(cols)
        rng = plan.sheets[name].range((r1, c1), (r2, c2))
        values = _block(rng)
        formulas = _formulas(rng)
        for (r, c), e in cells.items():
            v = values[r - r1][c - c1]
            f = formulas[r - r1][c - c1]
            check_edit(name, r, c, e, _as_stored(v, r, c), formula=isinstance(f, str) and f.startswith("=") and f != v,
                       date1904=False, found=lambda v=v: show(v))
            plan.olds[(name, r, c)] = v
    return plan


# ---- edits -----------------------------------------------------------------------------------
def _is_date_format(fmt: Any) -> bool:
    return isinstance(fmt, str) and any(ch in fmt.lower() for ch in "yd") and fmt != "General"


def write_edits(sheet: Any, cells: dict[tuple[int, int], CellEdit], report: LiveReport) -> None:
    """One ``value`` write per contiguous run of rows in a column; formats per run where needed."""
    by_col: dict[int, dict[int, CellEdit]] = {}
    for (r, c), e in cells.items():
        by_col.setdefault(c, {})[r] = e
    for c, col in sorted(by_col.items()):
        for a, b in runs(col):
            run = [col[r] for r in range(a, b + 1)]
            rng = sheet.range((a, c), (b, c))
            rng.value = [[cell_value(e.new)] for e in run]
            report.value_writes += 1
            report.cells_written += len(run)
            dates = [e for e in run if isinstance(e.new, dt.date)]
            if dates and not _is_date_format(rng.number_format):
                for r in range(a, b + 1):
                    e = col[r]
                    if isinstance(e.new, dt.date):
                        timed = isinstance(e.new, dt.datetime) and (e.new.hour or e.new.minute or e.new.second)
                        sheet.range((r, c)).number_format = e.number_format or (
                            "yyyy-mm-dd hh:mm" if timed else "yyyy-mm-dd")
            for r in range(a, b + 1):
                e = col[r]
                if e.number_format and not isinstance(e.new, str | dt.date):
                    sheet.range((r, c)).number_format = e.number_format
                if e.style:
                    style_range(sheet.range((r, c)), e.style)


def style_range(rng: Any, style: str) -> None:
    """Map a PALETTE style onto an xlwings range (fill, font, number format, wrap)."""
    props = PALETTE.get(style)
    if props is None:
        return
    if "bg_color" in props:
        rng.color = props["bg_color"]
    font = rng.font
    if props.get("bold"):
        font.bold = True
    if props.get("italic"):
        font.italic = True
    if "font_size" in props:
        font.size = props["font_size"]
    if "font_color" in props:
        font.color = props["font_color"]
    if "num_format" in props:
        rng.number_format = props["num_format"]
    if props.get("text_wrap"):
        rng.wrap_text = True


# ---- notes -----------------------------------------------------------------------------------
def note_text(existing: str | None, note: CellNote) -> str:
    """Our run ``[author] text``; another author's text before it is kept (as the file writer does)."""
    ours = f"[{note.author}] {note.text}"
    if not existing:
        return ours
    marker = f"[{note.author}] "
    keep = existing.split(marker, 1)[0].rstrip()
    return f"{keep}\n{ours}" if keep else ours


def apply_notes(book: Any, notes: list[CellNote]) -> int:
    last: dict[tuple[str, str, str], CellNote] = {}
    for n in notes:
        last[(n.sheet, n.cell.replace("$", "").upper(), n.author)] = n
    for (name, ref, _), n in last.items():
        rng = find_sheet(book, name).range(ref)
        old = rng.note
        text = note_text(old.text if old is not None else None, n)
        if old is not None:
            old.delete()
        rng.add_note(text)
    return len(last)


# ---- generated sheets ------------------------------------------------------------------------
def write_generated(book: Any, gen: GeneratedSheet) -> None:
    """Add or replace a sheet built by the tool: values in one block, styles, merges, widths,
    freeze panes, links and charts."""
    old = find_sheet(book, gen.name)
    sheets = book.sheets
    if old is not None:
        sh = sheets.add(f"wbt-{int(time.time() * 1000) % 10**9}", after=old)
        old.delete()
        sh.name = gen.name
    else:
        after = find_sheet(book, gen.after) if gen.after else None
        sh = sheets.add(gen.name, after=after if after is not None else sheets[len(sheets) - 1])
    nr, nc = gen.extent
    if nr and nc:
        block: list[list[Any]] = [[None] * nc for _ in range(nr)]
        for (r, c), (v, _) in gen.cells.items():
            block[r - 1][c - 1] = cell_value(v)
        sh.range((1, 1), (nr, nc)).value = block
    by_style: dict[str, set[tuple[int, int]]] = {}
    for rc, (_, st) in gen.cells.items():
        if st:
            by_style.setdefault(st, set()).add(rc)
    for st, cells in by_style.items():
        for r1, c1, r2, c2 in rectangles(cells):
            style_range(sh.range((r1, c1), (r2, c2)), st)
    for ref in gen.merges:
        sh.range(ref).merge()
    for c, w in sorted(gen.col_widths.items()):
        sh.range((1, c)).column_width = w
    for (r, c), target in gen.links.items():
        v = gen.cells.get((r, c), (None, None))[0]
        sh.range((r, c)).add_hyperlink("#" + target.lstrip("#"), str(v) if v is not None else target)
    if gen.freeze:
        with contextlib.suppress(Exception):  # freeze panes need a window; never fail the run on them
            sh.freeze_panes.freeze_at(cell_ref(*gen.freeze))
    for chart in gen.charts:
        _chart(sh, chart)
    if gen.hidden:
        sh.visible = False


def _chart(sh: Any, spec: ChartSpec) -> None:
    anchor = sh.range(spec.anchor)
    ch = sh.charts.add(anchor.left, anchor.top, spec.width * 0.75, spec.height * 0.75)
    ch.chart_type = CHART_TYPES.get(spec.kind, "column_clustered")
    refs = [spec.categories, *(rng for _, rng in spec.series)]
    first = sh.range(refs[0])
    for ref in refs[1:]:
        first = sh.range(first, sh.range(ref))
    ch.set_source_data(first)
    ch.name = spec.title


# ---- change log ------------------------------------------------------------------------------
def append_log(book: Any, rows: list[list[str]], now: dt.datetime, user: str) -> int:
    if not rows:
        return 0
    sh = find_sheet(book, LOG_SHEET)
    if sh is None:
        sh = book.sheets.add(LOG_SHEET, after=book.sheets[len(book.sheets) - 1])
        sh.range((1, 1), (1, len(LOG_HEADERS))).value = [[cell_value(h) for h in LOG_HEADERS]]
        style_range(sh.range((1, 1), (1, len(LOG_HEADERS))), "header")
        for c, w in enumerate(LOG_WIDTHS, start=1):
            sh.range((1, c)).column_width = w
        start = 2
    else:
        ur = sh.used_range
        start = max(ur.last_cell.row, 1) + 1
    stamp = now.replace(tzinfo=None, microsecond=0)
    block = [[stamp, cell_value(user), *(cell_value(v) for v in row)] for row in rows]
    sh.range((start, 1), (start + len(block) - 1, len(LOG_HEADERS))).value = block
    sh.range((start, 1), (start + len(block) - 1, 1)).number_format = TIME_FORMAT
    return len(block)


# ---- the whole changeset ---------------------------------------------------------------------
def apply_live(book: Any, cs: Changeset, *, now: dt.datetime | None = None, user: str | None = None) -> LiveReport:
    """Carry out ``cs`` on the open workbook ``book`` (an xlwings Book or the fake)."""
    t0 = time.perf_counter()
    report = LiveReport()
    if not cs:
        return report
    plan = preflight(book, cs)
    records = load_records(book) if (cs.marks or cs.clear_marks) else []
    if cs.clear_marks:
        records, report.marks_cleared = clear_marks(book, records, cs.clear_marks)
    for name, cells in plan.edits.items():
        write_edits(plan.sheets[name], cells, report)
    if cs.marks:
        records = apply_marks(book, records, cs.marks)
        report.marks = len(cs.marks)
    if cs.marks or cs.clear_marks:
        save_records(book, records)
    if cs.notes:
        report.notes = apply_notes(book, cs.notes)
    removed = []
    for name in cs.remove_sheets:
        sh = find_sheet(book, name)
        if sh is not None:
            sh.delete()
            removed.append(name)
    for gen in cs.add_sheets:
        write_generated(book, gen)
        report.added.append(gen.name)
    report.sheets_added, report.sheets_removed = len(report.added), len(removed)
    rows = log_rows(cs, lambda sheet, r, c: show(plan.olds.get((sheet, r, c))), report.marks,
                    report.marks_cleared, report.notes, report.added, removed)
    report.log_rows = append_log(book, rows, now or dt.datetime.now(), user or current_user())
    report.seconds = time.perf_counter() - t0
    return report

