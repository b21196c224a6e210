"""The check after a write, which can fail: the written file is opened again from disk, every part
the write changed is inflated from it (zip CRC checked) and parsed with a strict XML parser
(well-formed, every namespace prefix bound), and the changed cells are read back from those same
bytes. Anything wrong puts the backup back and refuses.

The cells are read with the pre-flight's cell reader (:func:`~.cellfind.read_cells`: it finds each
``<c>`` by its reference and decodes shared, inline and formula strings, numbers and booleans on
its own, apart from the code that rendered them), so the check costs one inflate and one expat
pass per changed part plus the changed cells: no full re-read of the sheets.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import zipfile
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from ..errors import UnsafeWrite
from ..i18n import L
from .book import Book
from .cellfind import read_cells
from .package import Package
from .safety import restore
from .values import excel_serial
from .xmlns import xml_problem

XML_SUFFIXES = (".xml", ".rels", ".vml")
Cells = dict[tuple[int, int], Any]


def read_back(source: Path | Package, wanted: dict[str, Cells]) -> dict[str, Cells]:
    """What the written file holds at the given (row, col) of each sheet: a number as float, a
    text as str, a boolean as bool, an empty or absent cell as None (a formula: its cached value)."""
    pkg = source if isinstance(source, Package) else Package.open(source)
    book = Book(pkg)
    out: dict[str, Cells] = {}
    for sheet, cells in wanted.items():
        stored = read_cells(book.xml(sheet), cells, book.sst) if book.has_sheet(sheet) else {}
        out[sheet] = {rc: stored[rc].value if rc in stored else None for rc in cells}
    return out


def same_value(meant: Any, got: Any, date1904: bool = False) -> bool:
    """Whether the value read back from a cell (:func:`read_back`) is what was written."""
    if meant is None:
        return got in (None, "")
    if isinstance(meant, bool):
        return got is meant or got == meant
    if isinstance(meant, dt.datetime | dt.date):
        if isinstance(got, dt.datetime | dt.date):
            a = meant if isinstance(meant, dt.datetime) else dt.datetime(meant.year, meant.month, meant.day)
            b = got if isinstance(got, dt.datetime) else dt.datetime(got.year, got.month, got.day)
            return abs((a - b).total_seconds()) < 1
        if isinstance(got, int | float):
            return math.isclose(excel_serial(meant, date1904), float(got), abs_tol=1e-5)
        return False
    if isinstance(meant, int | float):
        if isinstance(got, dt.timedelta):  # a number shown with a time format
            got = got.total_seconds() / 86400
        elif isinstance(got, dt.date):     # a number in a date-formatted cell
            got = excel_serial(got, date1904)
        if isinstance(got, bool) or not isinstance(got, int | float):
            return False
        return math.isclose(float(meant), float(got), rel_tol=1e-12, abs_tol=1e-12)
    return isinstance(got, str) and got == str(meant)


def xml_parts_problem(source: Path | Package, parts: Iterable[str], before: Callable[[str], bytes | None]) -> str | None:
    """The first changed XML part of the written file that a strict parser refuses, as
    ``part: reason``; ``before(name)`` gives the part as it was (a part that was already broken
    before the write is not held against it)."""
    names = [n for n in parts if n.lower().endswith(XML_SUFFIXES)]
    if not names:
        return None
    pkg = source if isinstance(source, Package) else Package.open(source)
    for name in names:
        if not pkg.has(name):
            continue
        why = xml_problem(pkg.read(name))
        if why is None:
            continue
        old = before(name)
        if old is not None and xml_problem(old) is not None:
            continue
        return f"{name}: {why}"
    return None


def part_reader(original: bytes | None) -> Callable[[str], bytes | None]:
    """``before(name)`` for :func:`xml_parts_problem`: a part of the file as it was read."""
    def before(name: str) -> bytes | None:
        if original is None:
            return None
        with zipfile.ZipFile(io.BytesIO(original)) as zf:
            try:
                return zf.read(name)
            except KeyError:
                return None
    return before


def verify_or_restore(path: Path, meant: dict[str, Cells], backup: Path | None, date1904: bool = False,
                      *, parts: Iterable[str] = (), before: Callable[[str], bytes | None] = lambda _: None) -> None:
    """Parse the changed ``parts`` again and re-read the changed cells; if anything is wrong,
    restore the backup and refuse."""
    from ..model import cell_ref

    sheet = None
    try:
        pkg = Package.open(path)  # the file as it now is on disk: each part inflated once, CRC checked
        problem = xml_parts_problem(pkg, parts, before)
        if problem is None and meant:
            values = read_back(pkg, meant)
            bad = next(((s, rc) for s, cells in meant.items() for rc, v in cells.items()
                        if not same_value(v, values[s][rc], date1904)), None)
            if bad is not None:
                sheet, problem = bad[0], f"{bad[0]}!{cell_ref(*bad[1])}"
    except Exception as exc:  # noqa: BLE001 - the new file cannot even be read
        problem = f"{type(exc).__name__}: {exc}"
    if problem is None:
        return
    if backup is not None:
        restore(backup, path)
    raise UnsafeWrite(L("写入后复查失败（{p}），已恢复原文件。", "Check after writing failed ({p}); the original was restored.")
                      .format(p=problem), sheet=sheet)
