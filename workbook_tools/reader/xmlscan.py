"""Facts about a workbook that calamine does not give, read from the raw package XML.

Byte-level regexes on the inflated parts (streamed, capped by :mod:`.safety`), no DOM:

* ``workbook.xml``: sheet names, states (hidden / veryHidden), part paths, ``date1904``;
* each sheet part, in blocks (:func:`iter_blocks`, linear time, bounded memory): how far its
  cells reach (:mod:`.extent`, to refuse a sheet before calamine allocates its range), hidden
  rows, formulas without a cached value, error cells, texts longer than Excel allows
  (:mod:`.longtext`), and the text of every formula (calamine gives only the cached values; :func:`formula_texts`).
"""

from __future__ import annotations

import html
import posixpath
import queue
import re
import threading
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UnreadableWorkbook
from ..i18n import L
from . import extent, safety
from .longtext import CELL_REF, long_text_found, long_texts

#: Excel's limit of characters in one cell; a longer text gets the R-TEXT-TOO-LONG notice
#: a sheet whose last cell lies this far below its rows (stray cells) is refused
SPARSE_MIN_ROW = 100_000
SPARSE_FACTOR = 4
#: most inflated sheet XML kept for a deferred scan (beyond it the facts are gathered at once)
DEFER_MAX_BYTES = 192 << 20

_ATTR = re.compile(rb'([\w:]+)\s*=\s*(?:"([^"]*)"|\'([^\']*)\')')
_SHEET = re.compile(rb"<(?:\w+:)?sheet\b([^>]*)/?>")
_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_WBPR = re.compile(rb"<(?:\w+:)?workbookPr\b([^>]*)/?>")
_ROW_TAG = re.compile(rb"<(?:\w+:)?row\b([^>]*)>")
_HIDDEN_ROW = re.compile(rb'<(?:\w+:)?row\b[^>]*?\bhidden="(?:1|true)"[^>]*>')
_R_ATTR = re.compile(rb'\br="(\d+)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?v>([^<]*)</', re.S)
# a text run after a tag that may hold more than 32,767 characters (at least 32,768 bytes of UTF-8)
_FORMULA_CELL = re.compile(
    rb"<(?:\w+:)?c\b([^>]*)>\s*(?:<(?:\w+:)?f\b[^>]*/>|<(?:\w+:)?f\b[^>]*>[^<]*</(?:\w+:)?f>)\s*"
    rb"(<(?:\w+:)?v\s*/>|<(?:\w+:)?v>\s*</(?:\w+:)?v>)?\s*</(?:\w+:)?c>")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?c\b([^>]*)>\s*<(?:\w+:)?f\b([^>]*?)(?:/>|>([^<]*)</(?:\w+:)?f>)")


def _attrs(tag: bytes) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in _ATTR.finditer(tag):
        val = m.group(2) if m.group(2) is not None else m.group(3)
        key = m.group(1).decode().split(":")[-1] if b"r:id" not in m.group(1) else "rid"
        out[key] = html.unescape(val.decode("utf-8"))  # &amp; &lt; … and &#x4E2D; references
    return out


@dataclass
class SheetEntry:
    name: str
    state: str            # visible | hidden | veryHidden
    part: str | None      # e.g. xl/worksheets/sheet1.xml


@dataclass
class WorkbookInfo:
    sheets: list[SheetEntry]
    date1904: bool


def workbook_info(workbook_xml: bytes, rels_xml: bytes) -> WorkbookInfo:
    targets: dict[str, str] = {}
    for m in _REL.finditer(rels_xml):
        a = _attrs(m.group(1))
        if "Id" in a and "Target" in a:
            t = a["Target"]
            t = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join("xl", t))
            targets[a["Id"]] = t
    sheets = []
    for m in _SHEET.finditer(workbook_xml):
        a = _attrs(m.group(1))
        if "name" not in a:
            continue
        sheets.append(SheetEntry(a["name"], a.get("state", "visible"), targets.get(a.get("rid", ""))))
    date1904 = False
    m = _WBPR.search(workbook_xml)
    if m:
        date1904 = _attrs(m.group(1)).get("date1904", "0").lower() in ("1", "true")
    return WorkbookInfo(sheets, date1904)


@dataclass
class SheetScan:
    last_row: int = 0                                   # last Excel row holding a cell (heuristic)
    n_rows: int = 0                                     # row elements holding cells (counted with the facts)
    hidden_rows: set[int] = field(default_factory=set)
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)  # (row, col) 1-based
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → text, see formula_texts
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, '#DIV/0!'): error values
    long_texts: list[tuple[int, int, int]] = field(default_factory=list)  # (row, col, characters) > 32,767
    extent: extent.Extent | None = None                 # the exact extent, when the fast bound was not enough
    blocks: list[bytes] = field(default_factory=list, repr=False)  # kept for finish_facts (deferred)
    last_ref: tuple[int, int] = (0, 0)                  # the last cell seen (a long text's cell)
    rows_total: int = 0                                 # row elements, counted when last_row > SPARSE_MIN_ROW
    long_shared: dict[int, int] = field(default_factory=dict, repr=False)  # shared strings too long (index: chars)
    open_run: tuple[int, int, int] | None = None        # a long text the last block ended in (row, col, chars)

    def row_count(self) -> int:
        """Row elements, counting the blocks kept for the deferred facts too."""
        return self.n_rows + sum(_count_rows(b) for b in self.blocks)


def _count_rows(buf: bytes) -> int:
    return buf.count(b"row ")  # <row … and <x:row … (one pass; only a heuristic needs it)


def iter_blocks(zf: zipfile.ZipFile, part: str, path: Path) -> Iterator[bytes]:
    """The part's XML, inflated with the caps of :mod:`.safety`, in blocks that end right after a
    tag (after a ``</row>`` if the chunk has one, else a ``</c>``, else any ``>``), each checked
    for DOCTYPE/ENTITY. Linear: a chunk is searched only for its own last cut and joined once
    (a run of more than MAX_TAG_BYTES without any ``>`` is passed on as text, or refused when it
    is inside a tag), so memory stays within a few chunks."""
    pending: list[bytes] = []
    size = 0
    for chunk in _prefetch(safety.iter_part(zf, part, path)):
        cut = _cut(chunk)
        if cut < 0:
            pending.append(chunk)
            size += len(chunk)
            if size > extent.MAX_TAG_BYTES:
                joined = b"".join(pending)
                gt, lt = joined.rfind(b">"), joined.rfind(b"<")
                if lt > gt and len(joined) - lt > extent.MAX_TAG_BYTES:
                    raise _giant_tag(path, part)
                end = lt if lt > gt else len(joined)  # keep an unfinished tag; a long text needs no cut
                for piece in (joined[:gt + 1], joined[gt + 1:end]):  # the tags, then the text alone
                    if piece:
                        safety.check_xml(piece, part, path)
                        yield piece
                pending, size = ([joined[end:]], len(joined) - end) if end < len(joined) else ([], 0)
            continue
        block = b"".join([*pending, chunk[:cut]]) if pending else chunk[:cut]
        pending, size = ([chunk[cut:]], len(chunk) - cut) if cut < len(chunk) else ([], 0)
        safety.check_xml(block, part, path)
        yield block
    if pending:
        tail = b"".join(pending)
        safety.check_xml(tail, part, path)
        yield tail


def _prefetch(chunks: Iterator[bytes], depth: int = 2) -> Iterator[bytes]:
    """``chunks``, produced one step ahead by a helper thread: inflating (zlib and the CRC release
    the GIL) overlaps with the regex scans of the chunk before. Errors come through in order."""
    q: queue.Queue[Any] = queue.Queue(maxsize=depth)
    stop = threading.Event()
    end = object()

    def put(item: Any) -> bool:
        while not stop.is_set():
            try:
                q.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def run() -> None:
        try:
            for chunk in chunks:
                if not put(chunk):
                    return
            put(end)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, raised there
            put(exc)

    worker = threading.Thread(target=run, name="wbt-inflate", daemon=True)
    worker.start()
    try:
        while (item := q.get()) is not end:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _cut(chunk: bytes) -> int:
    """Where to end a block in ``chunk``: after its last row, else cell, else tag; -1 if none."""
    if chunk.rfind(b">") < 0:
        return -1
    for needle in (b"row>", b"c>", b">"):
        i = chunk.rfind(needle)
        if i >= 0:
            return i + len(needle)
    return -1


def _giant_tag(path: Path, part: str) -> UnreadableWorkbook:
    return UnreadableWorkbook(L(f"无法读取“{path.name}”：部件 {part} 中有一个超过 {extent.MAX_TAG_BYTES >> 20} MB 的标签，"
                                "疑似恶意文件，已拒绝", f"Cannot read '{path.name}': part {part} holds a tag of more than "
                                f"{extent.MAX_TAG_BYTES >> 20} MB; looks hostile, refused"))


def _facts(buf: bytes, out: SheetScan) -> None:
    if b"<" not in buf:  # a piece of a long text: nothing but its length to count
        long_texts(buf, out)
        return
    out.n_rows += _count_rows(buf)
    if b't="e"' in buf:
        for m in _ERROR_CELL.finditer(buf):
            ref = CELL_REF.search(m.group(1))
            if ref:
                out.errors.append((int(ref.group(2)), extent.col_index(ref.group(1)),
                                   m.group(2).decode("utf-8", "replace")))
    if b'hidden="' in buf:
        for m in _HIDDEN_ROW.finditer(buf):
            r = _R_ATTR.search(m.group(0))
            if r:
                out.hidden_rows.add(int(r.group(1)))
    if has_formula(buf):
        out.formulas.update(formula_texts(buf))
        for m in _FORMULA_CELL.finditer(buf):
            attrs = m.group(1)
            if m.group(2) and b't="str"' in attrs:
                continue  # a formula whose cached value is the empty text ""
            ref = CELL_REF.search(attrs)
            if ref:
                out.formulas_without_value.append((int(ref.group(2)), extent.col_index(ref.group(1))))
    long_texts(buf, out)


def has_formula(buf: bytes) -> bool:
    """Whether ``buf`` may hold a formula element: ``<f>``, ``</f>`` and ``</x:f>`` all hold ``f>``,
    a formula without text ``<f t="shared" si="0"/>`` holds ``<f `` (or ``:f ``). Three passes over
    the bytes (a false alarm only costs the formula patterns a look)."""
    return b"f>" in buf or b"<f " in buf or b":f " in buf


def formula_texts(buf: bytes) -> dict[tuple[int, int], str]:
    """(row, col) → the formula of each formula cell, without '=' and unescaped. A cell sharing
    another's formula (``t="shared"`` without text) or part of an array gets ``""``: only a plain
    formula has a text that is its own."""
    out: dict[tuple[int, int], str] = {}
    for m in _FORMULA_TEXT.finditer(buf):
        ref = CELL_REF.search(m.group(1))
        if ref is None:
            continue
        plain = b"t=" not in m.group(2) and m.group(3) is not None
        text = _unescape_formula(m.group(3)) if plain else ""
        out[(int(ref.group(2)), extent.col_index(ref.group(1)))] = text
    return out


def _unescape_formula(raw: bytes) -> str:
    text = html.unescape(raw.decode("utf-8", "replace"))
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _last_cell(buf: bytes, out: SheetScan) -> None:
    pos = buf.rfind(b"<c ")
    if pos < 0:
        pos = buf.rfind(b":c ")
    if pos >= 0:
        ref = CELL_REF.search(buf, pos, buf.find(b">", pos) + 1)
        if ref:
            out.last_row = max(out.last_row, int(ref.group(2)))
        else:
            start = max(buf.rfind(b"<row", 0, pos), buf.rfind(b":row", 0, pos))
            m = _ROW_TAG.match(buf, start if buf[start:start + 1] == b"<" else start - 1) if start >= 0 else None
            r = _R_ATTR.search(m.group(1)) if m else None
            if r:
                out.last_row = max(out.last_row, int(r.group(1)))


def scan_sheet(zf: zipfile.ZipFile, part: str, path: Path, sheet_name: str, *, check: bool = True,
               defer_facts: bool = False, long_shared: dict[int, int] | None = None) -> SheetScan:
    """Stream one sheet part: check it for DOCTYPE/ENTITY, find how far its cells reach
    (:mod:`.extent`: the fast bound, and the precise pass when the bound is not enough) and
    (``check``) refuse a sheet beyond the limits; gather hidden rows, formulas without a value,
    error cells and over-long texts now, or later with :func:`finish_facts` (``defer_facts``: the
    blocks are kept, at most DEFER_MAX_BYTES, so the extent is known as early as possible)."""
    out = SheetScan(long_shared=long_shared or {})
    fast = extent.Fast()
    kept, whole = 0, defer_facts
    for block in iter_blocks(zf, part, path):
        if b"<" in block:  # else a piece of a long text: no cell in it
            fast.feed(block)
            _last_cell(block, out)
        if defer_facts:
            out.blocks.append(block)
            kept += len(block)
            if kept > DEFER_MAX_BYTES:  # bounded memory: gather the facts now instead
                finish_facts(out, final=False)
                defer_facts = whole = False
        else:
            _facts(block, out)
    if not defer_facts:
        _end_facts(out)
    out.last_row = max(out.last_row, fast.far.rows)
    if out.last_row > SPARSE_MIN_ROW:  # counted here, in this thread (the facts may run concurrently later)
        out.rows_total = out.row_count()
    if not fast.sure():
        blocks = out.blocks if whole else iter_blocks(zf, part, path)
        out.extent = extent.precise(blocks, path, part)
        out.last_row = max(out.last_row, out.extent.rows)
    if check:
        check_extent(out, sheet_name, path)
    return out


def finish_facts(scan: SheetScan, *, final: bool = True) -> SheetScan:
    """Hidden rows, formulas without a value, error cells and long texts from the kept blocks."""
    for block in scan.blocks:
        _facts(block, scan)
    scan.blocks = []
    if final:
        _end_facts(scan)
    return scan


def _end_facts(scan: SheetScan) -> None:
    if scan.open_run is not None:  # the part ended inside a long text
        long_text_found(scan, *scan.open_run)
        scan.open_run = None


def check_extent(scan: SheetScan, sheet_name: str, path: Path) -> None:
    """Refuse a sheet calamine cannot load safely: beyond the limits of :mod:`.extent`, or with
    stray cells far below its rows (last cell beyond row 100,000 and 4× the rows holding cells)."""
    if scan.extent is not None:
        extent.check(scan.extent, sheet_name, path)
    last, n = scan.last_row, scan.rows_total
    if last > SPARSE_MIN_ROW and last > SPARSE_FACTOR * max(1, n):
        raise UnreadableWorkbook(
            L(f"无法读取“{path.name}”：工作表“{sheet_name}”的内容一直延伸到第 {last:,} 行"
              f"（实际只有约 {n:,} 行有单元格），读取会耗尽内存，已拒绝",
              f"Cannot read '{path.name}': sheet '{sheet_name}' reaches row {last:,} "
              f"(only about {n:,} rows hold cells); reading it would exhaust memory, refused"),
            sheet=sheet_name, cell=f"A{last}",
            hint=L(f"请在 Excel 中选中数据下方的多余行（直到第 {last:,} 行），右键“删除”后保存",
                   f"In Excel, select the stray rows below the data (down to row {last:,}), "
                   "delete them and save"))
