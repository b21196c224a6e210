"""Finding rows, cells and whole-sheet facts in a worksheet part's XML, without parsing it.

Rows and cells are located with regular expressions inside ``<sheetData>``. The whole-sheet facts
(``<dimension>``, merged ranges, sheet protection, the last used row) are looked up where the file
format puts them, so a sheet of many thousand rows (a long change log) is not walked for them.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from ..model import col_letter, split_ref
from .package import attrs

# a row: the body up to the first ``</row>``, unrolled (``[^<]*`` runs) rather than a lazy ``.*?``: same match, faster
ROW_RE = re.compile(rb'<(?:\w+:)?row\b(?:[^>]*?\sr\s*=\s*"(\d+)")?[^>]*?'
                  rb'(?:/>|>[^<]*(?:<(?!/(?:\w+:)?row>)[^<]*)*</(?:\w+:)?row>)', re.S)
CELL_RE = re.compile(rb'<(?:\w+:)?c\b(?:[^>]*?\sr\s*=\s*"\$?([A-Za-z]+)\$?\d+")?[^>]*?(?:/>|>.*?</(?:\w+:)?c>)', re.S)
START_RE = re.compile(rb"<[^>]*?>", re.S)
SHEETDATA_RE = re.compile(rb"<((?:\w+:)?)sheetData\b[^>]*?(/>|>)")
_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\b[^>]*?\sref\s*=\s*"([^"]*)"')
_PROTECTION = re.compile(rb"<(?:\w+:)?sheetProtection\b[^>]*>")
_MERGE = re.compile(rb'<(?:\w+:)?mergeCell\b[^>]*?\sref\s*=\s*"([^"]+)"')
_VALUE = re.compile(rb"<(?:\w+:)?(?:v|is|f)\b")


def sheet_data_span(xml: bytes) -> tuple[int, int, bytes, bool]:
    """(start of content, end of content, namespace prefix, self-closed) of ``<sheetData>``."""
    m = SHEETDATA_RE.search(xml)
    if not m:
        raise ValueError("no sheetData")
    prefix = m.group(1)
    if m.group(2) == b"/>":
        return m.start(), m.end(), prefix, True
    end = xml.find(b"</" + prefix + b"sheetData>", m.end())
    return m.end(), end, prefix, False


def iter_rows(xml: bytes, lo: int, hi: int) -> Iterable[tuple[int, re.Match[bytes]]]:
    last = 0
    for m in ROW_RE.finditer(xml, lo, hi):
        r = m.group(1)
        last = int(r) if r else last + 1
        yield last, m


def iter_cells(row_blob: bytes, row: int) -> Iterable[tuple[int, re.Match[bytes]]]:
    head = START_RE.match(row_blob)
    pos = head.end() if head else 0
    last = 0
    for m in CELL_RE.finditer(row_blob, pos):
        letters = m.group(1)
        last = col_number(letters) if letters else last + 1
        yield last, m


@functools.lru_cache(maxsize=4096)
def col_number(letters: bytes) -> int:
    n = 0
    for ch in letters.upper():
        n = n * 26 + (ch - 64)
    return n


def update_dimension(xml: bytes, patches: Iterable[tuple[int, int]]) -> bytes:
    """Grow ``<dimension ref>`` to cover the patched cells (it never shrinks)."""
    m = _DIMENSION.search(xml, 0, _before_sheet_data(xml))  # it precedes sheetData: never scan the rows
    if not m:
        return xml
    ref = m.group(1).decode()
    keys = list(patches)
    rmin, rmax = min(r for r, _ in keys), max(r for r, _ in keys)
    cmin, cmax = min(c for _, c in keys), max(c for _, c in keys)
    a, _, b = ref.partition(":")
    try:
        r1, c1 = split_ref(a.replace("$", ""))
        r2, c2 = split_ref((b or a).replace("$", ""))
    except ValueError:
        return xml
    if ref == "A1" and not b:  # an empty sheet says A1
        r1 = c1 = 10**9
        r2 = c2 = 0
    n1, nc1 = min(r1, rmin), min(c1, cmin)
    n2, nc2 = max(r2, rmax), max(c2, cmax)
    new = f"{col_letter(nc1)}{n1}" + ("" if (n1, nc1) == (n2, nc2) else f":{col_letter(nc2)}{n2}")
    if new == ref:
        return xml
    return xml[:m.start(1)] + new.encode() + xml[m.end(1):]


def merged_ranges(xml: bytes) -> list[tuple[str, int, int, int, int]]:
    """(ref, r1, c1, r2, c2) of every merged range; ``<mergeCells>`` follows sheetData."""
    out = []
    for m in _MERGE.finditer(xml, _after_sheet_data(xml)):
        ref = m.group(1).decode()
        a, _, b = ref.partition(":")
        r1, c1 = split_ref(a.replace("$", ""))
        r2, c2 = split_ref((b or a).replace("$", ""))
        out.append((ref, r1, c1, r2, c2))
    return out


_F_TAG = re.compile(rb"<(?:[\w.\-]+:)?f\b[^>]*>")


def formula_ranges(xml: bytes) -> list[tuple[str, int, int, int, int]]:
    """(ref, r1, c1, r2, c2) of every array formula (``<f t="array" ref=…>``, also a dynamic-array
    spill) and data table: each cell of the range shows a computed value, though only the first
    holds the ``<f>``."""
    if b"array" not in xml and b"dataTable" not in xml:
        return []
    out = []
    for m in _F_TAG.finditer(xml):
        a = attrs(m.group(0))
        if a.get("t") in ("array", "dataTable") and a.get("ref"):
            ref = a["ref"].replace("$", "")
            try:
                first, _, last = ref.partition(":")
                r1, c1 = split_ref(first)
                r2, c2 = split_ref(last or first)
            except ValueError:
                continue
            out.append((ref, r1, c1, r2, c2))
    return out


def is_protected(xml: bytes) -> bool:
    m = _PROTECTION.search(xml, _after_sheet_data(xml))  # it follows sheetData: never scan the rows
    return bool(m and attrs(m.group(0)).get("sheet") in ("1", "true"))


def last_used_row(xml: bytes) -> int:
    """The last row holding a cell with a value (0 if none). Walks back from the end (a change log
    of many thousand rows is not read through); a row without ``r`` sends it through every row."""
    lo, hi, prefix, closed = sheet_data_span(xml)
    if closed:
        return 0
    end = hi
    while True:
        start = xml.rfind(b"<" + prefix + b"row", lo, end)
        if start < 0:
            return 0
        m = ROW_RE.match(xml, start, hi)
        if m is None or m.end() > end:  # not a row tag (or a row inside a row): the careful way
            break
        if m.group(1) is None:
            break
        if _VALUE.search(m.group(0)):
            return int(m.group(1))
        end = start
    last = 0
    for r, m in iter_rows(xml, lo, hi):
        if _VALUE.search(m.group(0)):
            last = r
    return last


def _before_sheet_data(xml: bytes) -> int:
    m = SHEETDATA_RE.search(xml)
    return m.start() if m else len(xml)


def _after_sheet_data(xml: bytes) -> int:
    try:
        return sheet_data_span(xml)[1]
    except ValueError:  # no sheetData: look everywhere
        return 0


RowSpot = tuple[int, int, int | None]


def locate_rows(xml: bytes, lo: int, hi: int, prefix: bytes, targets: list[int]) -> list[RowSpot] | None:
    """For each target row number (ascending): (row, start of its ``<row>``, end of its ``</row>``),
    or (row, where it would be inserted, None) when the sheet has no such row.

    Rows are found by searching for ``<row r="N"`` directly instead of matching every row before
    them (a 100k-row contact log in which a few thousand rows change), and a row ends at the first
    ``</row>`` after it (rows do not nest). That is only sound when every row tag of the sheet starts
    with its ``r`` attribute (Excel's form and ours), which two byte counts check. None when they do
    not, or when a missing row lies among existing ones: the caller then walks the rows with
    :func:`iter_rows`, which gives the same answer."""
    tag = b"<" + prefix + b"row"
    if xml.count(tag, lo, hi) != xml.count(tag + b' r="', lo, hi):
        return None
    close = b"</" + prefix + b"row>"
    last_start = xml.rfind(tag + b' r="', lo, hi)
    last = int(xml[last_start + len(tag) + 4:xml.index(b'"', last_start + len(tag) + 4)]) if last_start >= 0 else 0
    out: list[RowSpot] = []
    pos = lo
    for r in targets:
        if r > last:
            out.append((r, hi, None))
            continue
        at = xml.find(tag + b' r="%d"' % r, pos, hi)
        if at < 0:
            return None
        gt = xml.find(b">", at, hi)
        if gt < 0:
            return None
        if xml[gt - 1:gt] == b"/":
            end = gt + 1
        else:
            end = xml.find(close, gt, hi)
            if end < 0:
                return None
            end += len(close)
        out.append((r, at, end))
        pos = end
    return out
