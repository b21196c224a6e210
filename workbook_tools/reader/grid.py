"""Every sheet of a workbook file as a grid of stored values and formulas, for comparing two
versions (``wbt diff``, ``wbt undo``; the comparison itself is :mod:`workbook_tools.ops.diff`).

The file is opened with the reader's checks (:mod:`.safety`: zip bombs, entity bombs, sheets
reaching the last row are refused before calamine allocates them). Values come from calamine
(a formula's cached value), formula texts from the sheet XML (:func:`.xmlscan.formula_texts`).

A sheet that is byte for byte the same part in both files, read with the same shared strings,
the same date system and, for every cell format it can use, the same number format, holds the
same cells: :func:`identical_sheets` finds those without parsing them (a month end leaves the
100,000-row contact log untouched).
"""

from __future__ import annotations

import re
import zipfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import UnreadableWorkbook
from ..i18n import L
from ..model import Grid
from . import safety, xmlscan
from .calamine import get_sheet, open_calamine, sheet_parts, to_rows

_REL = re.compile(rb"<(?:\w+:)?Relationship\b([^>]*)/?>")
_CELL_XFS = re.compile(rb"<(?:\w+:)?cellXfs\b.*?</(?:\w+:)?cellXfs>", re.S)
_XF = re.compile(rb"<(?:\w+:)?xf\b([^>]*)")
_NUMFMT = re.compile(rb"<(?:\w+:)?numFmt\b([^>]*)/?>")
_ID = re.compile(rb'\bnumFmtId="(\d+)"')
_CODE = re.compile(rb'\bformatCode="([^"]*)"')


@dataclass
class BookFile:
    """What is known of a workbook file before any sheet is parsed."""

    path: Path
    sheets: list[str]                      # worksheet names, in workbook order
    parts: dict[str, str]                  # sheet name → part
    date1904: bool
    infos: dict[str, zipfile.ZipInfo] = field(default_factory=dict)
    shared_strings: str | None = None
    formats: list[bytes] = field(default_factory=list)   # number format of each cell format (xf)


def open_book(path: Path) -> BookFile:
    """The sheets of a workbook (.xlsx/.xlsm), checked as the reader checks a file."""
    if safety.sniff(path) == "xls":
        raise UnreadableWorkbook(L(f"“{path.name}”是旧版 .xls 文件，无法比较；请先在 Excel 中另存为 .xlsx",
                                   f"'{path.name}' is a legacy .xls file and cannot be compared; save it as .xlsx"))
    with safety.open_zip(path) as zf:
        small = safety.check_small_parts(zf, path, skip=sheet_parts(zf))
        if "xl/workbook.xml" not in small:
            raise UnreadableWorkbook(L(f"无法读取“{path.name}”：缺少 xl/workbook.xml",
                                       f"Cannot read '{path.name}': xl/workbook.xml is missing"))
        rels = small.get("xl/_rels/workbook.xml.rels", b"")
        info = xmlscan.workbook_info(small["xl/workbook.xml"], rels)
        infos = {i.filename: i for i in zf.infolist()}
        targets = _targets(rels)
        styles = targets.get("styles")
        formats = _formats(safety.read_part(zf, styles, path)) if styles in infos else []
    parts = {e.name: e.part for e in info.sheets if e.part in infos and e.part.startswith("xl/worksheets/")}
    return BookFile(path, [e.name for e in info.sheets if e.name in parts], parts, info.date1904, infos,
                    targets.get("sharedStrings"), formats)


def _targets(rels: bytes) -> dict[str, str]:
    """Relationship type (last part: styles, sharedStrings …) → part name."""
    out = {}
    for m in _REL.finditer(rels):
        a = xmlscan._attrs(m.group(1))
        if "Type" in a and "Target" in a:
            t = a["Target"]
            out[a["Type"].rsplit("/", 1)[-1]] = t.lstrip("/") if t.startswith("/") else "xl/" + t
    return out


def _formats(styles: bytes) -> list[bytes]:
    """The number format code (or built-in id) of each cell format, in index order."""
    codes = {}
    for m in _NUMFMT.finditer(styles):
        i, c = _ID.search(m.group(1)), _CODE.search(m.group(1))
        if i and c:
            codes[i.group(1)] = c.group(1)
    block = _CELL_XFS.search(styles)
    out = []
    for m in _XF.finditer(block.group(0) if block else b""):
        i = _ID.search(m.group(1))
        fid = i.group(1) if i else b"0"
        out.append(codes.get(fid, b"#" + fid))
    return out


def identical_sheets(a: BookFile, b: BookFile) -> set[str]:
    """The sheets certainly holding the same cells in both files (see the module docstring)."""
    if a.date1904 != b.date1904 or b.formats[:len(a.formats)] != a.formats:
        return set()
    if a.shared_strings != b.shared_strings or not _same_part(a, b, a.shared_strings, b.shared_strings):
        return set()
    names = [n for n in a.sheets if n in b.parts and _same_info(a.infos[a.parts[n]], b.infos[b.parts[n]])]
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="wbt-diff-same") as pool:  # zlib frees the GIL
        same = list(pool.map(lambda n: _same_part(a, b, a.parts[n], b.parts[n]), names))
    return {n for n, s in zip(names, same) if s}


def _same_info(x: zipfile.ZipInfo, y: zipfile.ZipInfo) -> bool:
    return x.CRC == y.CRC and x.file_size == y.file_size


def _same_part(a: BookFile, b: BookFile, pa: str | None, pb: str | None) -> bool:
    """Whether two parts inflate to the same bytes (both absent counts as the same)."""
    if pa is None or pb is None or pa not in a.infos or pb not in b.infos:
        return (pa is None or pa not in a.infos) and (pb is None or pb not in b.infos)
    if not _same_info(a.infos[pa], b.infos[pb]):
        return False
    with zipfile.ZipFile(a.path) as za, zipfile.ZipFile(b.path) as zb:
        for x, y in zip(safety.iter_part(za, pa, a.path), safety.iter_part(zb, pb, b.path)):
            if x != y:
                return False
    return True


def read_grids(book: BookFile, names: list[str]) -> dict[str, Grid]:
    """The grids of the named sheets: each sheet scanned first (its extent refused before calamine
    allocates it, its formulas gathered), then its values read."""
    out: dict[str, Grid] = {}
    if not names:
        return out
    wb = open_calamine(book.path)
    with zipfile.ZipFile(book.path) as zf:
        for name in names:
            scan = xmlscan.scan_sheet(zf, book.parts[name], book.path, name)
            values: list[list[Any]] = to_rows(get_sheet(wb, book.path, name), book.path, name, None, {})
            out[name] = Grid(values, scan.formulas)
    return out
