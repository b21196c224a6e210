"""Styles, notes and the sheets the tool builds (validation results, reviews), through xlwings, in
few calls: one value block per sheet, one call per style property and union of areas, one per
column width, links as ``=HYPERLINK()`` formulas inside the value block (one ``add_hyperlink``
call per link only for a text or target too long for a formula)."""

from __future__ import annotations

import contextlib
import time
from typing import Any

from ..changeset import CellNote, ChartSpec, GeneratedSheet
from ..model import cell_ref
from ..styles import PALETTE
from .xlutil import Sheets, cell_value, each_union, rectangles

CHART_TYPES = {"column": "column_clustered", "bar": "bar_clustered", "pie": "pie", "line": "line"}
MAX_FORMULA_TEXT = 255  # Excel's limit for a text constant inside a formula


def style_range(rng: Any, style: str) -> None:
    """Map a PALETTE style onto an xlwings range (fill, font, number format, wrap)."""
    props = PALETTE.get(style)
    if props is None:
        return
    if "bg_color" in props:
        rng.color = props["bg_color"]
    font = None
    for prop, attr in (("bold", "bold"), ("italic", "italic"), ("font_size", "size"), ("font_color", "color")):
        value = props.get(prop)
        if value:
            font = font or rng.font
            setattr(font, attr, value if prop in ("font_size", "font_color") else True)
    if "num_format" in props:
        rng.number_format = props["num_format"]
    if props.get("text_wrap"):
        rng.wrap_text = True


def _sets_anything(style: str) -> bool:
    """Whether :func:`style_range` sets anything for ``style`` (borders and alignment it leaves alone)."""
    props = PALETTE.get(style) or {}
    return "bg_color" in props or "num_format" in props or any(
        props.get(k) for k in ("bold", "italic", "font_size", "font_color", "text_wrap"))


def style_cells(sheet: Any, cells_by_style: dict[str, set[tuple[int, int]]]) -> None:
    """Each style on its cells: one union of areas at a time; a style that sets nothing here costs no call."""
    for style, cells in cells_by_style.items():
        if not _sets_anything(style):
            continue
        for rng in each_union(sheet, rectangles(cells)):
            style_range(rng, style)


def column_widths(sheet: Any, widths: dict[int, float]) -> None:
    """One call per distinct width (the columns of a union take it at once)."""
    by_width: dict[float, set[tuple[int, int]]] = {}
    for c, w in widths.items():
        by_width.setdefault(float(w), set()).add((1, c))
    for w, cells in sorted(by_width.items()):
        for rng in each_union(sheet, rectangles(cells)):
            rng.column_width = w


# ---- notes -----------------------------------------------------------------------------------
def note_text(existing: str | None, note: CellNote) -> str:
    """Our run ``[author] text``; another author's text before it is kept (as the file writer does)."""
    ours = f"[{note.author}] {note.text}"
    if not existing:
        return ours
    marker = f"[{note.author}] "
    keep = existing.split(marker, 1)[0].rstrip()
    return f"{keep}\n{ours}" if keep else ours


def apply_notes(sheets: Sheets, notes: list[CellNote]) -> int:
    last: dict[tuple[str, str, str], CellNote] = {}
    for n in notes:
        last[(n.sheet, n.cell.replace("$", "").upper(), n.author)] = n
    for (name, ref, _), n in last.items():
        rng = sheets.get(name).range(ref)
        old = rng.note
        text = note_text(old.text if old is not None else None, n)
        if old is not None:
            old.delete()
        rng.add_note(text)
    return len(last)


# ---- generated sheets ------------------------------------------------------------------------
def _link_formula(target: str, text: str) -> str | None:
    """``=HYPERLINK("#target","text")`` (a jump inside the workbook), or None when too long."""
    target = "#" + target.lstrip("#")
    if len(target) > MAX_FORMULA_TEXT or len(text) > MAX_FORMULA_TEXT:
        return None
    return '=HYPERLINK("{}","{}")'.format(target.replace('"', '""'), text.replace('"', '""'))


def write_generated(sheets: Sheets, gen: GeneratedSheet) -> None:
    """Add or replace a sheet built by the tool: values and links in one block, styles, merges,
    widths, freeze panes and charts."""
    old = sheets.get(gen.name)
    if old is not None:
        temp = f"wbt-{int(time.time() * 1000) % 10**9}"
        sh = sheets.add(temp, after=old)
        sheets.delete(gen.name)
        sh.name = gen.name
        sheets.renamed(temp, gen.name)
    else:
        after = sheets.get(gen.after) if gen.after else None
        sh = sheets.add(gen.name, after=after)
    nr, nc = gen.extent
    slow_links = []
    if nr and nc:
        block: list[list[Any]] = [[None] * nc for _ in range(nr)]
        for (r, c), (v, _) in gen.cells.items():
            block[r - 1][c - 1] = cell_value(v)
        for (r, c), target in gen.links.items():
            v = gen.cells.get((r, c), (None, None))[0]
            formula = _link_formula(target, str(v) if v is not None else target)
            if formula is None:
                slow_links.append((r, c, target, v))
            else:
                block[r - 1][c - 1] = formula
        sh.range((1, 1), (nr, nc)).value = block
    by_style: dict[str, set[tuple[int, int]]] = {}
    for rc, (_, st) in gen.cells.items():
        if st:
            by_style.setdefault(st, set()).add(rc)
    style_cells(sh, by_style)
    for ref in gen.merges:
        sh.range(ref).merge()
    column_widths(sh, gen.col_widths)
    for r, c, target, v in slow_links:
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
    # the categories and each series as one range of several areas, in one call: only those columns
    # are drawn (the box around them would draw the columns between them as series too)
    ch.set_source_data(sh.range(",".join([spec.categories, *(rng for _, rng in spec.series)])))
    ch.name = spec.title

