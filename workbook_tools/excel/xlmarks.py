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
from .xlutil import (
    Sheets,
    cell_value,
    colours_of,
    each_union,
    fill_of,
    font_colour_of,
    probe,
    rectangles,
    xl_colour,
)

MARK_COLUMNS = [*MARK_HEADERS, "original_fill", "original_font", "mark_fill", "mark_font"]


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


def load_records(sheets: Sheets) -> list[MarkRecord]:
    sh = sheets.get(MARKS_SHEET)
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


def save_records(sheets: Sheets, records: list[MarkRecord]) -> None:
    sh = sheets.get(MARKS_SHEET)
    if sh is None:
        sh = sheets.add_very_hidden(MARKS_SHEET)
        old_height = 0
    else:
        old_height = sh.used_range.last_cell.row
    rows = [list(MARK_COLUMNS)] + [r.row() for r in records]
    width = len(MARK_COLUMNS)
    rows += [[None] * width for _ in range(max(0, old_height - len(rows)))]
    sh.range((1, 1), (len(rows), width)).value = [[cell_value(v) for v in row] for row in rows]


Cell = tuple[str, tuple[int, int]]  # (sheet name casefolded, (row, column))


def mark_fills(marks: list[CellMark]) -> dict[Cell, str]:
    """The fill each mark will give its cell."""
    return {(mk.sheet.casefold(), split_ref(mk.cell.upper())): MARKS.get(mk.severity, MARKS["error"])["fill"].upper()
            for mk in marks}


def clear_marks(sheets: Sheets, records: list[MarkRecord], tags: Iterable[str],
                remarked: dict[Cell, str] | None = None) -> tuple[list[MarkRecord], int, dict[Cell, MarkRecord]]:
    """Restore cells marked under ``tags`` that still wear the mark; return the remaining records,
    the count, and the records of cells left as they are because ``remarked`` gives them the same
    mark again (a second click changes nothing there, so nothing is written there). Colours are
    read per union of areas (:func:`.xlutil.probe`) and put back per original colour."""
    tags = set(tags)
    remarked = remarked or {}
    still: dict[Cell, MarkRecord] = {}
    keep = [r for r in records if r.tag not in tags]
    mark_fonts = {m["fill"].upper(): m["font"].upper() for m in MARKS.values()}
    restored = 0
    by_sheet: dict[str, dict[tuple[int, int], MarkRecord]] = {}
    for rec in records:
        if rec.tag in tags and valid_cell(rec.cell):
            by_sheet.setdefault(rec.sheet, {})[split_ref(rec.cell.upper())] = rec
    for name, cells in by_sheet.items():
        sh = sheets.get(name)
        if sh is None:
            continue
        fills: dict[tuple[int, int], Any] = {}
        for expected in {rec.mark_fill for rec in cells.values()}:  # each group should read as one colour
            group = {rc for rc, rec in cells.items() if rec.mark_fill == expected}
            fills.update(probe(sh, group, fill_of))
        by_writer = {rc for rc, rec in cells.items() if not rec.mark_fill and fills[rc] in mark_fonts}
        fonts = probe(sh, by_writer, font_colour_of) if by_writer else {}
        restore: dict[tuple[str, str], set[tuple[int, int]]] = {}
        for rc, rec in cells.items():
            now = fills[rc]
            if rec.mark_fill:            # a live mark: put the recorded colours back
                if now != rec.mark_fill.upper():
                    continue
                restored += 1
                if remarked.get((name.casefold(), rc)) == now:
                    still[(name.casefold(), rc)] = rec
                    continue
                target = (rec.original_fill, rec.original_font or "000000")
            else:                        # a mark by the file writer (style index only): take the mark off
                if now not in mark_fonts or fonts.get(rc) != mark_fonts[now]:
                    continue
                target = ("", "000000")
                restored += 1
            restore.setdefault(target, set()).add(rc)
        for (fill, font), rcs in restore.items():
            for rng in each_union(sh, rectangles(rcs)):
                rng.color = xl_colour(fill)
                rng.font.color = "#" + font
    return keep, restored, still


def apply_marks(sheets: Sheets, records: list[MarkRecord], marks: list[CellMark],
                still: dict[Cell, MarkRecord] | None = None) -> list[MarkRecord]:
    """Colour the cells (one call per union of areas and colour) and return the records, with the
    colours each cell had before (read per union of areas, split where cells differ). Cells in
    ``still`` already wear this mark: their record keeps its originals and nothing is written."""
    existing = {(r.sheet, r.cell): r for r in records}
    still = still or {}
    by_sheet: dict[str, dict[tuple[int, int], CellMark]] = {}
    for mk in marks:
        by_sheet.setdefault(mk.sheet, {})[split_ref(mk.cell.upper())] = mk
    for name, cells in by_sheet.items():
        sh = sheets.get(name)
        now = probe(sh, [rc for rc in cells if (name.casefold(), rc) not in still], colours_of)
        by_severity: dict[str, set[tuple[int, int]]] = {}
        for rc, mk in cells.items():
            ref = cell_ref(*rc)
            colours = MARKS.get(mk.severity, MARKS["error"])
            kept = still.get((name.casefold(), rc))
            if kept is not None:
                existing[(name, ref)] = MarkRecord(mk.tag, name, ref, -1, -1, kept.original_fill, kept.original_font,
                                                   colours["fill"].upper(), colours["font"].upper())
                continue
            fill, font = now[rc] or ("", "")
            prev = existing.get((name, ref))
            if prev is not None and prev.mark_fill and prev.mark_fill == fill:
                fill, font = prev.original_fill, prev.original_font
            existing[(name, ref)] = MarkRecord(mk.tag, name, ref, -1, -1, fill, font,
                                               colours["fill"].upper(), colours["font"].upper())
            by_severity.setdefault(mk.severity if mk.severity in MARKS else "error", set()).add(rc)
        for severity, rcs in by_severity.items():
            colours = MARKS[severity]
            for rng in each_union(sh, rectangles(rcs)):
                rng.color = "#" + colours["fill"]
                rng.font.color = "#" + colours["font"]
    return list(existing.values())
