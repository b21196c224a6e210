"""Colouring cells for findings, and taking the colour off again.

A mark gives the cell a clone of its own cell format (same number format, border, alignment)
with the fill and font colour of ``styles.MARKS[severity]``. Every mark is recorded in the
veryHidden sheet ``_wbt_marks`` (tag, sheet, cell, original xf, mark xf) so that
``clear_marks=[tag]`` can restore the original format of each cell that still wears the mark;
a cell the user re-styled meanwhile is left alone.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass

from ..changeset import CellMark
from ..model import cell_ref, split_ref
from ..schema import MARKS_SHEET
from .book import Book, sheet_xml
from .cellfind import read_cells
from .cells import CellPatch
from .sheetxml import iter_cells, iter_rows, sheet_data_span
from .values import SharedStrings, parse_cell, rc_of

HEADERS = ["tag", "sheet", "cell", "original_xf", "mark_xf"]


@dataclass
class MarkRecord:
    tag: str
    sheet: str
    cell: str
    original: int
    mark: int

    def row(self) -> list[object]:
        return [self.tag, self.sheet, self.cell, self.original, self.mark]


def load_records(book: Book) -> list[MarkRecord]:
    if not book.has_sheet(MARKS_SHEET):
        return []
    xml = book.xml(MARKS_SHEET)
    lo, hi, _, closed = sheet_data_span(xml)
    if closed:
        return []
    sst = SharedStrings(None)
    out = []
    for r, m in iter_rows(xml, lo, hi):
        if r == 1:
            continue
        vals = {c: parse_cell(cm.group(0), r, c, sst).value for c, cm in iter_cells(m.group(0), r)}
        try:
            out.append(MarkRecord(str(vals[1]), str(vals[2]), str(vals[3]), int(vals[4]), int(vals[5])))
        except (KeyError, TypeError, ValueError):
            continue  # a damaged record: ignore it rather than guess
    return out


def save_records(book: Book, records: list[MarkRecord]) -> None:
    rows = [list(HEADERS)] + [r.row() for r in records]
    if book.has_sheet(MARKS_SHEET):
        book.set_xml(MARKS_SHEET, sheet_xml(rows))
    else:
        book.add_sheet(MARKS_SHEET, rows, state="veryHidden")


def clear_marks(book: Book, records: list[MarkRecord], tags: Iterable[str]) -> tuple[list[MarkRecord], int]:
    """Restore cells marked under ``tags``; return the remaining records and how many cells were restored."""
    tags = set(tags)
    keep = [r for r in records if r.tag not in tags]
    drop = [r for r in records if r.tag in tags]
    restored = 0
    by_sheet: dict[str, list[MarkRecord]] = {}
    for r in drop:
        if book.has_sheet(r.sheet):
            by_sheet.setdefault(r.sheet, []).append(r)
    for sheet, recs in by_sheet.items():
        refs = {split_ref(r.cell): r for r in recs}
        now = read_cells(book.xml(sheet), refs, book.sst)
        patches = {rc: CellPatch(style=r.original) for rc, r in refs.items()
                   if now[rc].exists and now[rc].style == r.mark}
        book.patch(sheet, patches)
        restored += len(patches)
    return keep, restored


def apply_marks(book: Book, records: list[MarkRecord], marks: list[CellMark]) -> list[MarkRecord]:
    """Colour the cells; return the updated records."""
    existing = {(r.sheet, r.cell): r for r in records}
    by_sheet: dict[str, dict[tuple[int, int], CellMark]] = {}
    for mk in marks:
        by_sheet.setdefault(mk.sheet, {})[split_ref(mk.cell.upper())] = mk
    for sheet, cells in by_sheet.items():
        now = read_cells(book.xml(sheet), cells, book.sst)
        patches = {}
        for rc, mk in cells.items():
            ref = cell_ref(*rc)
            current = now[rc].style
            prev = existing.get((sheet, ref))
            original = prev.original if prev is not None and prev.mark == current else current
            mark_xf = book.styles.mark_xf(original, mk.severity)
            patches[rc] = CellPatch(style=mark_xf)
            existing[(sheet, ref)] = MarkRecord(mk.tag, sheet, ref, original, mark_xf)
        book.patch(sheet, patches)
    return list(existing.values())


@functools.lru_cache(maxsize=1 << 18)
def valid_cell(ref: str) -> bool:
    m = re.fullmatch(r"([A-Za-z]{1,3})([1-9][0-9]{0,6})", ref)
    if not m:
        return False
    r, c = rc_of(ref.upper())
    return r <= 1048576 and c <= 16384
