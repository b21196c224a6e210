"""Splicing cell values and styles into one worksheet part, byte for byte.

A worksheet part is never reparsed and reserialised: rows and cells are located with regular
expressions inside ``<sheetData>`` and only the rows that change are rebuilt; every other byte
(namespace prefixes, ``mc:Ignorable``, extLst, unknown elements) is kept as it was.

The entry point is :func:`patch_cells` (one pass over the sheet applying every :class:`CellPatch`);
what the targets hold now, for the pre-flight, is :func:`.cellfind.read_cells`.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .cellfind import col_style, col_styles, locate, row_style
from .sheetxml import START_RE, iter_cells, iter_rows, locate_rows, sheet_data_span, update_dimension
from .values import cell_ref, value_xml

__all__ = ["KEEP", "CellPatch", "NewRows", "patch_cells"]

KEEP: Any = type("Keep", (), {"__repr__": lambda self: "KEEP"})()
_MEMO_TYPES = frozenset({str, int, float, bool, dt.date, dt.datetime})


# ---- patching ----------------------------------------------------------------------------------
@dataclass
class CellPatch:
    """A change to one cell: a new value (``KEEP`` = leave it) and/or a new style index."""

    value: Any = KEEP
    style: int | None = None       # None = keep the cell's own (or inherited, for a new cell)


def _render_cell(old: bytes | None, ref: str, patch: CellPatch, inherit: int | None,
                 prefix: bytes, date1904: bool) -> bytes:
    if old is None and patch.value is not KEEP:  # a new cell: build it directly
        style = patch.style if patch.style is not None else inherit
        return b"<" + prefix + b'c r="' + ref.encode() + _new_cell_tail(patch.value, style, prefix, date1904)
    if old is not None:
        start_m = START_RE.match(old)
        start = start_m.group(0) if start_m else b"<c>"
        self_closed = start.endswith(b"/>")
        body = b"" if self_closed else old[start_m.end():old.rfind(b"</")] if start_m else b""
    else:
        start = b"<" + prefix + b'c r="' + ref.encode() + b'"/>'
        body = b""
    head = start[:-2] if start.endswith(b"/>") else start[:-1]
    if patch.style == 0:
        head = _del_attr(head, b"s")
    elif patch.style is not None:
        head = _set_attr(head, b"s", str(patch.style).encode())
    elif old is None and inherit:
        head = _set_attr(head, b"s", str(inherit).encode())
    if not re.search(rb'\sr\s*=\s*"', head):
        head = _set_attr(head, b"r", ref.encode())
    if patch.value is KEEP:
        if not body and re.fullmatch(rb'<[\w:]+ r="[A-Z]+\d+"\s*', head):
            return b""  # an empty, unstyled cell says nothing: drop it
        return head + b"/>" if not body else head + b">" + body + b"</" + prefix + b"c>"
    for name in (b"t", b"cm", b"vm"):
        head = _del_attr(head, name)
    t, inner = value_xml(patch.value, date1904)
    if t:
        head = _set_attr(head, b"t", t.encode())
    if prefix and inner:
        inner = re.sub(rb"<(/?)(f|v|is|t)\b", lambda m: b"<" + m.group(1) + prefix + m.group(2), inner)
    return head + b"/>" if not inner else head + b">" + inner + b"</" + prefix + b"c>"


def _new_cell_tail(value: Any, style: int | None, prefix: bytes, date1904: bool) -> bytes:
    """A new cell's XML after ``<c r="REF``: closing quote, style, type and value."""
    t, inner = value_xml(value, date1904)
    if prefix and inner:
        inner = re.sub(rb"<(/?)(f|v|is|t)\b", lambda m: b"<" + m.group(1) + prefix + m.group(2), inner)
    head = b'"' + (b' s="%d"' % style if style else b"") + (b' t="' + t.encode() + b'"' if t else b"")
    return head + b"/>" if not inner else head + b">" + inner + b"</" + prefix + b"c>"


@functools.lru_cache(maxsize=64)
def _attr_pattern(name: bytes) -> re.Pattern[bytes]:
    return re.compile(rb"(\s" + name + rb'\s*=\s*")[^"]*(")')


def _set_attr(head: bytes, name: bytes, value: bytes) -> bytes:
    pat = _attr_pattern(name)
    if name in head and pat.search(head):
        return pat.sub(lambda m: m.group(1) + value + m.group(2), head, count=1)
    # keep r first for readability: insert after the element name
    m = re.match(rb"<[\w:]+", head)
    assert m
    if name == b"r":
        return head[:m.end()] + b' r="' + value + b'"' + head[m.end():]
    return head.rstrip() + b" " + name + b'="' + value + b'"'


def _del_attr(head: bytes, name: bytes) -> bytes:
    if name not in head:
        return head
    return _attr_pattern(name).sub(b"", head, count=1)


def _patch_row(row_blob: bytes, r: int, patches: dict[int, CellPatch], cols: list[tuple[int, int, int]],
               prefix: bytes, date1904: bool, col_cache: dict[int, int | None] | None = None) -> bytes:
    start_m = START_RE.match(row_blob)
    assert start_m
    start = start_m.group(0)
    if start.endswith(b"/>"):
        head, body, tail = start[:-2] + b">", b"", b"</" + prefix + b"row>"
    else:
        head = start
        close = row_blob.rfind(b"</")
        body, tail = row_blob[start_m.end():close], row_blob[close:]
    pieces: list[bytes] = []
    todo = sorted(patches)
    i = 0
    pos = 0
    own_style = row_style(start)

    def inherit(c: int) -> int | None:
        return own_style if own_style is not None else col_style(c, cols, col_cache)

    spots = locate(body, r, todo, prefix)
    if spots is not None:  # splice each target in place (or insert it where it belongs)
        for c, (a, b) in zip(todo, spots):
            pieces.append(body[pos:a])
            old = body[a:b] if b > a else None
            pieces.append(_render_cell(old, cell_ref(r, c), patches[c], None if old else inherit(c), prefix, date1904))
            pos = b
        i = len(todo)
    for c, m in iter_cells(head + body, r) if i < len(todo) else ():
        if i >= len(todo):
            break
        # offsets relative to body
        ms, me = m.start() - len(head), m.end() - len(head)
        while i < len(todo) and todo[i] < c:
            pieces.append(body[pos:ms])
            pos = ms
            pieces.append(_render_cell(None, cell_ref(r, todo[i]), patches[todo[i]], inherit(todo[i]), prefix, date1904))
            i += 1
        if i < len(todo) and todo[i] == c:
            pieces.append(body[pos:ms])
            pieces.append(_render_cell(m.group(0), cell_ref(r, c), patches[c], None, prefix, date1904))
            pos = me
            i += 1
    pieces.append(body[pos:])
    while i < len(todo):
        pieces.append(_render_cell(None, cell_ref(r, todo[i]), patches[todo[i]], inherit(todo[i]), prefix, date1904))
        i += 1
    head = _update_spans(head, min(todo), max(todo))
    if not re.search(rb'\sr\s*=\s*"', head):
        head = _set_attr(head, b"r", str(r).encode())
    content = b"".join(pieces)
    if not content.strip() and re.fullmatch(rb'<[\w:]+ r="\d+">', head):
        return b""  # a row left with nothing in it and no attributes: drop it
    return head + content + tail


def _update_spans(head: bytes, lo: int, hi: int) -> bytes:
    m = re.search(rb'\sspans\s*=\s*"(\d+):(\d+)"', head)
    if not m:
        return head
    a, b = int(m.group(1)), int(m.group(2))
    if lo >= a and hi <= b:
        return head
    return _set_attr(head, b"spans", f"{min(a, lo)}:{max(b, hi)}".encode())


def rows_of(patches: dict[tuple[int, int], CellPatch]) -> dict[int, dict[int, CellPatch]]:
    """Patches by row, then column."""
    by_row: dict[int, dict[int, CellPatch]] = {}
    for (r, c), p in patches.items():
        by_row.setdefault(r, {})[c] = p
    return by_row


def patch_cells(xml: bytes, patches: dict[tuple[int, int], CellPatch], date1904: bool = False) -> bytes:
    """Apply every patch in one pass; rows and cells that do not exist are inserted in order."""
    if not patches:
        return xml
    by_row = rows_of(patches)
    lo, hi, prefix, closed = sheet_data_span(xml)
    cols = col_styles(xml)
    rows_todo = sorted(by_row)
    out: list[bytes | memoryview] = []
    builder = NewRows(cols, prefix, date1904)
    col_cache: dict[int, int | None] = {}
    if closed:
        tag = xml[lo:hi]
        head = tag[:-2] + b">"
        new_rows = b"".join(builder.row(r, by_row[r]) for r in rows_todo)
        result = xml[:lo] + head + new_rows + b"</" + prefix + b"sheetData>" + xml[hi:]
        return update_dimension(result, patches)
    # the kept stretches go in as views (no copies: a 50 MB sheet is not held three times over), and
    # the dimension, which precedes sheetData, is grown in the head alone
    view = memoryview(xml)
    out.append(update_dimension(xml[:lo], patches))
    pos = lo
    spots = locate_rows(xml, lo, hi, prefix, rows_todo)
    if spots is not None:  # the rows found directly; new ones go where the walk below puts them
        for r, at, end in spots:
            out.append(view[pos:at])
            if end is None:
                out.append(builder.row(r, by_row[r]))
                pos = at
            else:
                out.append(_patch_row(xml[at:end], r, by_row[r], cols, prefix, date1904, col_cache))
                pos = end
        out.append(view[pos:])
        return b"".join(out)
    i = 0
    for r, m in iter_rows(xml, lo, hi):
        if i >= len(rows_todo):
            break
        while i < len(rows_todo) and rows_todo[i] < r:
            out.append(view[pos:m.start()])
            pos = m.start()
            out.append(builder.row(rows_todo[i], by_row[rows_todo[i]]))
            i += 1
        if i < len(rows_todo) and rows_todo[i] == r:
            out.append(view[pos:m.start()])
            out.append(_patch_row(m.group(0), r, by_row[r], cols, prefix, date1904, col_cache))
            pos = m.end()
            i += 1
    out.append(view[pos:hi])
    while i < len(rows_todo):
        out.append(builder.row(rows_todo[i], by_row[rows_todo[i]]))
        i += 1
    out.append(view[hi:])
    return b"".join(out)


class NewRows:
    """Builds rows that did not exist, for one sheet. Cells take their column's style.

    A value repeated down a column (a time stamp, a user name) is rendered once: the tail of a new
    cell is kept by (type, value, style). Each column's letters and style are worked out once."""

    def __init__(self, cols: list[tuple[int, int, int]], prefix: bytes, date1904: bool,
                 memo: dict[tuple[Any, Any, int | None], bytes] | None = None) -> None:
        self.cols, self.prefix, self.date1904 = cols, prefix, date1904
        self.memo = {} if memo is None else memo
        self._columns: dict[int, tuple[str, bytes, int | None]] = {}
        self._open = b"<" + prefix + b'row r="'
        self._close = b"</" + prefix + b"row>"

    def _column(self, c: int) -> tuple[str, bytes, int | None]:
        """(letters, the cell's opening bytes up to the row number, the column's style)."""
        hit = self._columns.get(c)
        if hit is None:
            letters = cell_ref(1, c)[:-1]
            inherit = next((s for lo, hi, s in self.cols if lo <= c <= hi), None) if self.cols else None
            hit = self._columns[c] = (letters, b"<" + self.prefix + b'c r="' + letters.encode(), inherit)
        return hit

    def row(self, r: int, patches: dict[int, CellPatch]) -> bytes:
        """Row ``r`` holding the patched cells (by column number)."""
        return self.cells(r, [(c, patches[c]) for c in sorted(patches)])

    def cells(self, r: int, cells: Iterable[tuple[int, CellPatch]]) -> bytes:
        """Row ``r`` holding ``(column, patch)`` pairs, in ascending column order."""
        memo, num = self.memo, b"%d" % r
        out = []
        for c, p in cells:
            v = p.value
            if v is KEEP and not p.style:
                continue
            letters, head, inherit = self._column(c)
            if type(v) in _MEMO_TYPES and getattr(v, "tzinfo", None) is None:
                style = p.style if p.style is not None else inherit
                key = (type(v), v, style)
                tail = memo.get(key)
                if tail is None:
                    tail = memo[key] = _new_cell_tail(v, style, self.prefix, self.date1904)
                out.append(head + num + tail)
                continue
            out.append(_render_cell(None, f"{letters}{r}", p, inherit, self.prefix, self.date1904))
        if not out:
            return b""
        return self._open + num + b'">' + b"".join(out) + self._close
