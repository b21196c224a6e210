"""Finding rows and cells in one worksheet part, and what they hold now, without reparsing it.

:func:`read_cells` answers the pre-flight (what each target cell holds, or the style a new cell
would take); :func:`locate` tells :mod:`.cells` where each patched cell goes in its row.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from .package import attrs
from .sheetxml import (
    CELL_RE,
    SHEETDATA_RE,
    START_RE,
    col_number,
    iter_cells,
    iter_rows,
    locate_rows,
    sheet_data_span,
)
from .values import SharedStrings, StoredCell, cell_ref, parse_cell

__all__ = ["col_style", "col_styles", "find_cell", "has_r_less_cell", "locate", "read_cells", "row_style", "target_rows"]


def find_cell(row_blob: bytes, row: int, col: int) -> re.Match[bytes] | None:
    """The ``<c>`` of one cell found directly by its ``r`` attribute (None if not found that way)."""
    pos = row_blob.find(b' r="' + cell_ref(row, col).encode() + b'"')
    if pos < 0:
        return None
    lt = row_blob.rfind(b"<", 0, pos)
    m = CELL_RE.match(row_blob, lt)
    if m is None or row_blob.find(b">", lt) < pos:
        return None
    return m


_R_LESS = re.compile(rb"<(?:\w+:)?c(?=[\s/>])(?![^>]*\sr\s*=)")


def has_r_less_cell(body: bytes) -> bool:
    """Whether some ``<c>`` in a row has no ``r``. When every cell tag starts ``<c r="`` (Excel's
    form and ours), byte counts tell (every ``<c`` is ``<c r="``: another element starting so, such as
    a rich text's ``<color>``, only sends the row to the pattern); otherwise the pattern decides."""
    if b":c" not in body and body.count(b"<c") == body.count(b'<c r="'):
        return False
    return _R_LESS.search(body) is not None


def locate(body: bytes, row: int, cols: list[int], prefix: bytes) -> list[tuple[int, int]] | None:
    """For each target column (ascending): (start, end) of its ``<c>`` in the row body, or
    (pos, pos) where a new cell goes. None when the row is unusual (cells without ``r``, out of order)."""
    if not body.strip():
        return [(len(body), len(body))] * len(cols)
    if has_r_less_cell(body):
        return None
    last = body.rfind(b"<" + prefix + b"c ")
    lm = CELL_RE.match(body, last) if last >= 0 else None
    if lm is None or not lm.group(1):
        return None
    last_col = col_number(lm.group(1))
    out = []
    for c in cols:
        m = find_cell(body, row, c)
        if m is not None:
            out.append((m.start(), m.end()))
            continue
        if c > last_col:
            out.append((lm.end(), lm.end()))
            continue
        nxt = next((n for n in (find_cell(body, row, k) for k in range(c + 1, last_col + 1)) if n is not None), None)
        if nxt is None:
            return None
        out.append((nxt.start(), nxt.start()))
    if any(a[1] > b[0] for a, b in zip(out, out[1:])):
        return None
    return out


def read_cells(xml: bytes, refs: Iterable[tuple[int, int]], sst: SharedStrings) -> dict[tuple[int, int], StoredCell]:
    """What each (row, col) holds now; cells that are absent come back with ``exists=False``."""
    want: dict[int, set[int]] = {}
    for r, c in refs:
        want.setdefault(r, set()).add(c)
    out = {(r, c): StoredCell(r, c) for r, wanted in want.items() for c in wanted}
    lo, hi, prefix, closed = sheet_data_span(xml)
    cols = col_styles(xml)
    rows: dict[int, bytes] = {}
    if not closed:
        for r, row_blob in target_rows(xml, lo, hi, prefix, sorted(want)):
            wanted = want[r]
            rows[r] = row_blob
            found = {c: find_cell(row_blob, r, c) for c in wanted}
            for c, cm in found.items():
                if cm is not None:
                    out[(r, c)] = parse_cell(cm.group(0), r, c, sst)
            if all(found.values()) or not has_r_less_cell(row_blob):
                continue
            left = len(wanted)
            for c, cm in iter_cells(row_blob, r):
                if c in wanted:
                    out[(r, c)] = parse_cell(cm.group(0), r, c, sst)
                    left -= 1
                    if not left:
                        break
    row_styles: dict[int, int | None] = {}
    col_cache: dict[int, int | None] = {}
    for (r, c), cell in out.items():
        if not cell.exists:
            if r not in row_styles:
                row_styles[r] = row_style(rows[r]) if r in rows else None
            s = row_styles[r]
            cell.style = (s if s is not None else col_style(c, cols, col_cache)) or 0
    return out


def target_rows(xml: bytes, lo: int, hi: int, prefix: bytes,
                 targets: list[int]) -> Iterable[tuple[int, bytes]]:
    """(row, its XML) of each target row the sheet holds, in order."""
    spots = locate_rows(xml, lo, hi, prefix, targets)
    if spots is not None:
        yield from ((r, xml[at:end]) for r, at, end in spots if end is not None)
        return
    wanted, last_row = set(targets), targets[-1]
    for r, m in iter_rows(xml, lo, hi):
        if r > last_row:
            break
        if r in wanted:
            yield r, m.group(0)


def row_style(row_blob: bytes) -> int | None:
    start = START_RE.match(row_blob)
    if start is None or b"customFormat" not in start.group(0):
        return None
    a = attrs(start.group(0)) if start else {}
    if a.get("customFormat") in ("1", "true") and a.get("s"):
        return int(a["s"])
    return None


def col_styles(xml: bytes) -> list[tuple[int, int, int]]:
    """(min, max, style) of each ``<col>`` with a style."""
    out = []
    m0 = SHEETDATA_RE.search(xml)
    head = xml[:m0.start()] if m0 else xml
    for m in re.finditer(rb"<(?:\w+:)?col\b[^>]*>", head):
        a = attrs(m.group(0))
        if a.get("style") and a.get("min"):
            out.append((int(a["min"]), int(a.get("max", a["min"])), int(a["style"])))
    return out


def col_style(col: int, cols: list[tuple[int, int, int]], cache: dict[int, int | None] | None = None) -> int | None:
    """The style of column ``col`` (``cache``: answers already found for these ``cols``)."""
    if cache is not None and col in cache:
        return cache[col]
    found = next((s for lo, hi, s in cols if lo <= col <= hi), None)
    if cache is not None:
        cache[col] = found
    return found
