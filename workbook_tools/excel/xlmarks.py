"""Marks in live mode: colour cells for findings and put the original colours back.

Marks are recorded in the veryHidden sheet ``_wbt_marks`` with the file writer's five columns
(``original_xf``/``mark_xf`` are -1: Excel shows no style index) plus the colours the cell had and
the mark's colours, so ``clear_marks`` puts the original colours back.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ..changeset import CellMark
from ..model import cell_ref, split_ref
from ..styles import MARKS
from ..writer.marks import HEADERS as MARK_HEADERS
from ..writer.marks import MARKS_SHEET, valid_cell
from .xlutil import cell_value, find_sheet, hex_colour, runs, xl_colour

MARK_COLUMNS = [*MARK_HEADERS, "original_fill", "original_font", "mark_fill", "mark_font"]
VERY_HIDDEN = 2  # XlSheetVisibility.xlSheetVeryHidden; COM passes the int through Sheet.visible


@dataclass
class MarkRecord:
    tag: str
    sheet: str
    cell: str
    original_xf: int = -1
    mark_xf: int = -1
    original_fill: str = ""
    original_font: str = ""
    mark_fill: str = ""
    mark_font: str = ""

    def row(self) -> list[Any]:
        return [self.tag, self.sheet, self.cell, self.original_xf, self.mark_xf, self.original_fill,
                self.original_font, self.mark_fill, self.mark_font]


def load_records(book: Any) -> list[MarkRecord]:
    sh = find_sheet(book, MARKS_SHEET)
    if sh is None:
        return []
    from .xlreader import sheet_rows

    out = []
    for row in sheet_rows(sh)[1:]:
        vals = [*row, *[None] * (len(MARK_COLUMNS) - len(row))]
        try:
            rec = MarkRecord(str(vals[0]), str(vals[1]), str(vals[2]), int(vals[3]), int(vals[4]),
                             *(str(v or "") for v in vals[5:9]))
        except (TypeError, ValueError):
            continue  # a damaged record: ignore it rather than guess
        if vals[0] is not None and vals[1] is not None and vals[2] is not None:
            out.append(rec)
    return out


def save_records(book: Any, records: list[MarkRecord]) -> None:
    sh = find_sheet(book, MARKS_SHEET)
    if sh is None:
        sh = book.sheets.add(MARKS_SHEET, after=book.sheets[len(book.sheets) - 1])
        try:
            sh.visible = VERY_HIDDEN
        except Exception:  # noqa: BLE001 - an engine that only takes a bool: hidden is the best it can do
            sh.visible = False
        old_height = 0
    else:
        old_height = sh.used_range.last_cell.row
    rows = [list(MARK_COLUMNS)] + [r.row() for r in records]
    width = len(MARK_COLUMNS)
    rows += [[None] * width for _ in range(max(0, old_height - len(rows)))]
    sh.range((1, 1), (len(rows), width)).value = [[cell_value(v) for v in row] for row in rows]


def clear_marks(book: Any, records: list[MarkRecord], tags: Iterable[str]) -> tuple[list[MarkRecord], int]:
    """Restore cells marked under ``tags`` that still wear the mark; return remaining records, count."""
    tags = set(tags)
    keep = [r for r in records if r.tag not in tags]
    restored = 0
    mark_fills = {m["fill"].upper(): m["font"].upper() for m in MARKS.values()}
    for rec in (r for r in records if r.tag in tags):
        sh = find_sheet(book, rec.sheet)
        if sh is None or not valid_cell(rec.cell):
            continue
        rng = sh.range(rec.cell)
        now = hex_colour(rng.color)
        if rec.mark_fill:            # a live mark: put the recorded colours back
            if now != rec.mark_fill.upper():
                continue
            rng.color = xl_colour(rec.original_fill)
            rng.font.color = xl_colour(rec.original_font) or "#000000"
        else:                        # a mark by the file writer (style index only): take the mark off
            if now not in mark_fills or hex_colour(rng.font.color) != mark_fills[now]:
                continue
            rng.color = None
            rng.font.color = "#000000"
        restored += 1
    return keep, restored


def apply_marks(book: Any, records: list[MarkRecord], marks: list[CellMark]) -> list[MarkRecord]:
    """Colour the cells (contiguous runs per column and severity share one call); return the records."""
    existing = {(r.sheet, r.cell): r for r in records}
    todo: dict[tuple[str, str], dict[int, set[int]]] = {}
    for mk in marks:
        sh = find_sheet(book, mk.sheet)
        r, c = split_ref(mk.cell.upper())
        ref = cell_ref(r, c)
        colours = MARKS.get(mk.severity, MARKS["error"])
        rng = sh.range((r, c))
        fill, font = hex_colour(rng.color), hex_colour(rng.font.color)
        prev = existing.get((mk.sheet, ref))
        if prev is not None and prev.mark_fill and prev.mark_fill == fill:
            fill, font = prev.original_fill, prev.original_font
        existing[(mk.sheet, ref)] = MarkRecord(mk.tag, mk.sheet, ref, -1, -1, fill, font,
                                               colours["fill"].upper(), colours["font"].upper())
        todo.setdefault((mk.sheet, mk.severity), {}).setdefault(c, set()).add(r)
    for (name, severity), cols in todo.items():
        sh = find_sheet(book, name)
        colours = MARKS.get(severity, MARKS["error"])
        for c, rows in cols.items():
            for a, b in runs(rows):
                rng = sh.range((a, c), (b, c))
                rng.color = "#" + colours["fill"]
                rng.font.color = "#" + colours["font"]
    return list(existing.values())
