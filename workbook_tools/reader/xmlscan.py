"""Facts about a workbook that calamine does not give, read from the raw package XML.

Byte-level regexes on the inflated parts (streamed, capped by :mod:`.safety`), no DOM:

* ``workbook.xml``: sheet names, states (hidden / veryHidden), part paths, ``date1904``;
* each sheet part: the last row holding a cell (to refuse sheets reaching row 1,048,576 before
  calamine allocates the range), hidden rows, formulas without a cached value, and the text of
  every formula (calamine gives only the cached values).
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import UnreadableWorkbook
from ..i18n import L
from . import safety

EXCEL_MAX_ROW = 1_048_576
#: a sheet whose last cell lies beyond this row is refused (WBT_MAX_ROWS overrides)
MAX_ROWS = EXCEL_MAX_ROW - 1
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
_CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_ERROR_CELL = re.compile(rb'<(?:\w+:)?c\b([^>]*\bt="e"[^>]*)>(?:(?!</(?:\w+:)?c>).)*?<(?:\w+:)?v>([^<]*)</', re.S)
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
    last_row: int = 0                                   # last Excel row holding a cell
    n_rows: int = 0                                     # row elements holding cells
    hidden_rows: set[int] = field(default_factory=set)
    formulas_without_value: list[tuple[int, int]] = field(default_factory=list)  # (row, col) 1-based
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → text, see formula_texts
    errors: list[tuple[int, int, str]] = field(default_factory=list)  # (row, col, '#DIV/0!'): error values
    blocks: list[bytes] = field(default_factory=list, repr=False)  # kept for finish_facts (deferred)


def _col_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


def _scan_block(buf: bytes, out: SheetScan, facts: bool = True) -> None:
    out.n_rows += buf.count(b"row ")  # <row … and <x:row … (one pass; only a heuristic needs it)
    _last_cell(buf, out)
    if facts:
        _facts(buf, out)


def _facts(buf: bytes, out: SheetScan) -> None:
    if b't="e"' in buf:
        for m in _ERROR_CELL.finditer(buf):
            ref = _CELL_REF.search(m.group(1))
            if ref:
                out.errors.append((int(ref.group(2)), _col_index(ref.group(1)), m.group(2).decode("utf-8", "replace")))
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
            ref = _CELL_REF.search(attrs)
            if ref:
                out.formulas_without_value.append((int(ref.group(2)), _col_index(ref.group(1))))


def has_formula(buf: bytes) -> bool:
    return (b"<f" in buf and (b"<f>" in buf or b"<f " in buf)) or b":f>" in buf or b":f " in buf


def formula_texts(buf: bytes) -> dict[tuple[int, int], str]:
    """(row, col) → the formula of each formula cell, without '=' and unescaped. A cell sharing
    another's formula (``t="shared"`` without text) or part of an array gets ``""``: only a plain
    formula has a text that is its own."""
    out: dict[tuple[int, int], str] = {}
    for m in _FORMULA_TEXT.finditer(buf):
        ref = _CELL_REF.search(m.group(1))
        if ref is None:
            continue
        plain = b"t=" not in m.group(2) and m.group(3) is not None
        text = _unescape_formula(m.group(3)) if plain else ""
        out[(int(ref.group(2)), _col_index(ref.group(1)))] = text
    return out


def _unescape_formula(raw: bytes) -> str:
    text = html.unescape(raw.decode("utf-8", "replace"))
    return re.sub(r"_x([0-9A-Fa-f]{4})_", lambda m: chr(int(m.group(1), 16)), text) if "_x" in text else text


def _last_cell(buf: bytes, out: SheetScan) -> None:
    pos = buf.rfind(b"<c ")
    if pos < 0:
        pos = buf.rfind(b":c ")
    if pos >= 0:
        ref = _CELL_REF.search(buf, pos, buf.find(b">", pos) + 1)
        if ref:
            out.last_row = max(out.last_row, int(ref.group(2)))
        else:
            start = max(buf.rfind(b"<row", 0, pos), buf.rfind(b":row", 0, pos))
            m = _ROW_TAG.match(buf, start if buf[start:start + 1] == b"<" else start - 1) if start >= 0 else None
            r = _R_ATTR.search(m.group(1)) if m else None
            if r:
                out.last_row = max(out.last_row, int(r.group(1)))


def scan_sheet(zf: zipfile.ZipFile, part: str, path: Path, sheet_name: str, *, check: bool = True,
               defer_facts: bool = False) -> SheetScan:
    """Stream one sheet part: check it for DOCTYPE/ENTITY, find its last row and (``check``)
    refuse a sheet reaching row 1,048,576 (or with stray cells far below its data); gather hidden
    rows and formulas without a value now, or later with :func:`finish_facts` (``defer_facts``:
    the inflated blocks are kept, so the extent is known as early as possible)."""
    out = SheetScan()
    tail = b""
    kept = 0
    for chunk in safety.iter_part(zf, part, path):
        buf = tail + chunk if tail else chunk
        cut = buf.rfind(b"</row>")
        if cut < 0:
            cut = buf.rfind(b"row>")
        if cut < 0:
            tail = buf
            continue
        cut = buf.index(b">", cut) + 1
        block, tail = buf[:cut], buf[cut:]
        safety.check_xml(block, part, path)
        _scan_block(block, out, not defer_facts)
        if defer_facts:
            out.blocks.append(block)
            kept += len(block)
            if kept > DEFER_MAX_BYTES:  # bounded memory: gather the facts now instead
                finish_facts(out)
                defer_facts = False
    if tail:
        safety.check_xml(tail, part, path)
        _scan_block(tail, out, not defer_facts)
        if defer_facts:
            out.blocks.append(tail)
    if check:
        check_extent(out, sheet_name, path)
    return out


def finish_facts(scan: SheetScan) -> SheetScan:
    """Hidden rows and formulas without a value from the blocks a deferred scan kept."""
    for block in scan.blocks:
        _facts(block, scan)
    scan.blocks = []
    return scan


def max_rows() -> int:
    val = os.environ.get("WBT_MAX_ROWS", "").strip()
    return int(val) if val.isdigit() else MAX_ROWS


def check_extent(scan: SheetScan, sheet_name: str, path: Path) -> None:
    last = scan.last_row
    stray = last > SPARSE_MIN_ROW and last > SPARSE_FACTOR * max(1, scan.n_rows)
    if last > max_rows() or stray:
        raise UnreadableWorkbook(
            L(f"无法读取“{path.name}”：工作表“{sheet_name}”的内容一直延伸到第 {last:,} 行"
              f"（实际只有约 {scan.n_rows:,} 行有单元格），读取会耗尽内存，已拒绝",
              f"Cannot read '{path.name}': sheet '{sheet_name}' reaches row {last:,} "
              f"(only about {scan.n_rows:,} rows hold cells); reading it would exhaust memory, refused"),
            sheet=sheet_name, cell=f"A{last}",
            hint=L(f"请在 Excel 中选中数据下方的多余行（直到第 {last:,} 行），右键“删除”后保存",
                   f"In Excel, select the stray rows below the data (down to row {last:,}), "
                   "delete them and save"))
