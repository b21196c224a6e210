"""Fast data rows for NEW sample workbooks.

XlsxWriter spends ~10 µs per cell (write call, cell tuple, XML serialisation); a 10,000-customer
sample has ~1.5 million cells. For samples the builder therefore lets XlsxWriter write
everything except the data cells (headers, tables, validations, formats, 代码表, 说明), then
this module streams the data rows straight into the sheet XML (shared strings, the XlsxWriter
style indexes of the column formats) and stretches the tables over them. Only ever used on a
file the builder has just created, never on a user's workbook.
"""

from __future__ import annotations

import math
import os
import re
import tempfile
import zipfile
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from ..model import col_letter
from ..schema import Column, CType

_EPOCH = datetime(1899, 12, 30)
_EPOCH_D = _EPOCH.date()
_FIRST_VALID = date(1900, 3, 1)          # serials are exact from here on (Excel's 1900 leap-year bug)
_CTRL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
_FIXED_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass
class PendingSheet:
    """Rows to add to ``xl/worksheets/sheet{index}.xml`` (and its table ``xl/tables/table{table}.xml``)."""

    index: int
    table: int
    rows: Sequence[Mapping[str, Any]]
    columns: Sequence[Column]
    col_formats: list[Any]                 # XlsxWriter Format per column
    date_format: Any
    datetime_format: Any


def _xml_text(s: str) -> str:
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    if _CTRL.search(s):
        s = _CTRL.sub(lambda m: f"_x{ord(m.group()):04X}_", s)
    return s


def _si(s: str) -> str:
    if s != s.strip():
        return f'<si><t xml:space="preserve">{_xml_text(s)}</t></si>'
    return f"<si><t>{_xml_text(s)}</t></si>"


def _serial(v: datetime) -> float:
    delta = v.replace(tzinfo=None) - _EPOCH
    return delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6


class _Strings:
    def __init__(self, existing: list[str]) -> None:
        self.index = {s: i for i, s in enumerate(existing)}
        self.new: list[str] = []
        self.refs = 0
        self.base = len(existing)

    def get(self, s: str) -> int:
        self.refs += 1
        i = self.index.get(s)
        if i is None:
            i = self.index[s] = self.base + len(self.new)
            self.new.append(s)
        return i


def _rows_xml(p: PendingSheet, sst: _Strings, chunk: int = 4000) -> Iterator[str]:
    """The ``<row>`` elements of the data, in chunks of ``chunk`` rows (keeps memory flat)."""
    keys = [c.key for c in p.columns]
    letters = [col_letter(i + 1) for i in range(len(keys))]
    xf = [f._get_xf_index() for f in p.col_formats]
    date_xf = [x if c.type in (CType.DATE, CType.YEAR_OR_DATE) else p.date_format._get_xf_index()
               for c, x in zip(p.columns, xf)]
    dt_xf = [x if c.type == CType.DATETIME else p.datetime_format._get_xf_index() for c, x in zip(p.columns, xf)]
    by_key = dict(zip(keys, letters))
    # a column the tool writes as a formula (是否逾期) gets it, with the row's value cached, wherever it
    # holds one: a copy shows the value of the day it is opened, like the workbook it came from
    formula = [c if c.formula and all(k in by_key for k in c.formula_keys()) else None for c in p.columns]
    out: list[str] = []
    get = sst.get
    for r, row in enumerate(p.rows, start=2):
        rs = str(r)
        cells: list[str] = []
        for c, key in enumerate(keys):
            v = row.get(key)
            if v is None:
                continue
            t = type(v)
            if formula[c] is not None and t is str:
                f = _xml_text(formula[c].formula_at(r, by_key))  # type: ignore[union-attr]
                cells.append(f'<c r="{letters[c]}{rs}" s="{xf[c]}" t="str"><f>{f}</f><v>{_xml_text(v)}</v></c>')
            elif t is str:
                if v:
                    cells.append(f'<c r="{letters[c]}{rs}" s="{xf[c]}" t="s"><v>{get(v)}</v></c>')
            elif t is date and v >= _FIRST_VALID:
                cells.append(f'<c r="{letters[c]}{rs}" s="{date_xf[c]}"><v>{(v - _EPOCH_D).days}</v></c>')
            elif t is datetime and v.date() >= _FIRST_VALID:
                cells.append(f'<c r="{letters[c]}{rs}" s="{dt_xf[c]}"><v>{_serial(v)!r}</v></c>')
            elif t is int:
                cells.append(f'<c r="{letters[c]}{rs}" s="{xf[c]}"><v>{v}</v></c>')
            elif t is float and math.isfinite(v):
                cells.append(f'<c r="{letters[c]}{rs}" s="{xf[c]}"><v>{v!r}</v></c>')
            else:
                text = ("是" if v else "否") if t is bool else str(v)
                cells.append(f'<c r="{letters[c]}{rs}" s="{xf[c]}" t="s"><v>{get(text)}</v></c>')
        if cells:
            out.append(f'<row r="{rs}">{"".join(cells)}</row>')
        if len(out) >= chunk:
            yield "".join(out)
            out.clear()
    if out:
        yield "".join(out)


_SST_HEAD = re.compile(r'<sst [^>]*count="(\d+)" uniqueCount="(\d+)">')
_SI = re.compile(r"<si><t(?: xml:space=\"preserve\")?>(.*?)</t></si>", re.S)


def _unescape(s: str) -> str:
    return s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"').replace("&amp;", "&")


def inject_rows(path: Path, pending: list[PendingSheet]) -> None:
    """Add the pending rows to the workbook XlsxWriter has just written at ``path``.

    The sheets are streamed into a new zip (XlsxWriter puts them before sharedStrings.xml, so
    every string is known by the time the string table is written)."""
    by_sheet = {f"xl/worksheets/sheet{p.index}.xml": p for p in pending if p.rows}
    by_table = {f"xl/tables/table{p.table}.xml": p for p in pending if p.rows}
    sst_name = "xl/sharedStrings.xml"
    fd, tmp = tempfile.mkstemp(prefix=".wbt-", suffix=".xlsx", dir=str(path.parent))
    os.close(fd)
    try:
        with zipfile.ZipFile(path) as zin, zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as zout:
            names = zin.namelist()
            if any(names.index(n) > names.index(sst_name) for n in by_sheet):
                raise RuntimeError("unexpected part order from XlsxWriter")
            sst_xml = zin.read(sst_name).decode("utf-8")
            head = _SST_HEAD.search(sst_xml)
            if head is None:
                raise RuntimeError("unexpected sharedStrings.xml from XlsxWriter")
            existing = [_unescape(m.group(1)) for m in _SI.finditer(sst_xml)]
            if len(existing) != int(head.group(2)):
                raise RuntimeError("could not parse XlsxWriter's shared strings")
            sst = _Strings(existing)
            for n in names:
                info = zipfile.ZipInfo(n, _FIXED_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                if n in by_sheet:
                    p = by_sheet[n]
                    xml = zin.read(n).decode("utf-8")
                    last = f"{col_letter(len(p.columns))}{len(p.rows) + 1}"
                    xml = re.sub(r'<dimension ref="[^"]*"/>', f'<dimension ref="A1:{last}"/>', xml, count=1)
                    cut = xml.find("</sheetData>")
                    if cut < 0:
                        raise RuntimeError(f"no sheetData in {n}")
                    with zout.open(info, "w") as out:
                        out.write(xml[:cut].encode("utf-8"))
                        for chunk in _rows_xml(p, sst):
                            out.write(chunk.encode("utf-8"))
                        out.write(xml[cut:].encode("utf-8"))
                elif n in by_table:
                    txml = zin.read(n).decode("utf-8")
                    txml = re.sub(r'ref="A1:([A-Z]+)2"', rf'ref="A1:\g<1>{len(by_table[n].rows) + 1}"', txml)
                    zout.writestr(info, txml.encode("utf-8"))
                elif n == sst_name:
                    counts = head.group(0).replace(
                        f'count="{head.group(1)}" uniqueCount="{head.group(2)}"',
                        f'count="{int(head.group(1)) + sst.refs}" uniqueCount="{sst.base + len(sst.new)}"')
                    body = sst_xml[head.end():sst_xml.rindex("</sst>")]
                    with zout.open(info, "w") as out:
                        out.write((sst_xml[:head.start()] + counts + body).encode("utf-8"))
                        for i in range(0, len(sst.new), 5000):
                            out.write("".join(_si(x) for x in sst.new[i:i + 5000]).encode("utf-8"))
                        out.write(b"</sst>")
                else:
                    zout.writestr(info, zin.read(n))
        os.chmod(tmp, os.stat(path).st_mode & 0o777)   # mkstemp makes 0600; keep XlsxWriter's mode
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
