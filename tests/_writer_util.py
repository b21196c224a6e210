"""Shared helpers for the writer tests: small XlsxWriter workbooks and part comparisons."""

from __future__ import annotations

import datetime as dt
import re
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import xlsxwriter

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def make_book(path: Path, *, date1904: bool = False, with_log: bool = True) -> Path:
    """数据 (shared strings, numbers, dates, styled cells, empty rows, a merge, a formula,
    a protected-free layout), 其他 (untouched) and optionally an existing 变更日志."""
    wb = xlsxwriter.Workbook(str(path), {"date_1904": date1904})
    bold = wb.add_format({"bold": True, "font_color": "#112233"})
    datef = wb.add_format({"num_format": "yyyy-mm-dd"})
    money = wb.add_format({"num_format": "#,##0.00", "border": 1})
    colfmt = wb.add_format({"num_format": "0.0", "italic": True})
    ws = wb.add_worksheet("数据")
    ws.set_column("H:H", 12, colfmt)
    ws.write_row(0, 0, ["名称", "金额", "日期", "备注"], bold)
    ws.write(1, 0, "杭州云启科技有限公司")
    ws.write(1, 1, 1234.5, money)
    ws.write_datetime(1, 2, dt.datetime(2024, 3, 5), datef)
    ws.write(1, 3, "老客户")
    ws.write(2, 0, "宁波海纳")
    ws.write(2, 1, 7, money)
    # row 4 and 5 empty; row 6 has data
    ws.write(5, 0, "温州")
    ws.write(5, 2, 45000)  # a number in an unformatted cell
    ws.write_formula(6, 1, "=B2+B3", money, 1241.5)
    ws.merge_range("E2:F3", "合并", None)
    ws.write_boolean(7, 0, True)
    ws.write_blank(8, 1, None, money)
    ws.set_row(9, None, bold)  # row 10 has customFormat
    wb.add_worksheet("其他").write(0, 0, "不动")
    if with_log:
        wb.add_worksheet("变更日志").write_row(0, 0, ["时间", "用户", "操作", "单元格", "原值", "新值"])
    wb.close()
    return path


def parts(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as z:
        return {n: z.read(n) for n in z.namelist()}


def sheet_part(path: Path, name: str) -> str:
    """The part name of a sheet (via workbook.xml and its rels)."""
    p = parts(path)
    wb = p["xl/workbook.xml"].decode()
    rid = re.search(r'<sheet [^>]*name="' + re.escape(name) + r'"[^>]*r:id="(rId\d+)"', wb).group(1)
    rels = p["xl/_rels/workbook.xml.rels"].decode()
    target = re.search(r'Id="' + rid + r'"[^>]*Target="([^"]+)"', rels) or \
        re.search(r'Target="([^"]+)"[^>]*Id="' + rid + '"', rels)
    t = target.group(1)
    return t.lstrip("/") if t.startswith("/") else "xl/" + t


def cells(xml: bytes) -> dict[str, tuple[dict, str]]:
    """ref → (attributes, serialised children) of every <c> in a sheet part."""
    root = ET.fromstring(xml)
    out = {}
    for c in root.iter(NS + "c"):
        out[c.get("r")] = (dict(c.attrib), b"".join(ET.tostring(ch) for ch in c).decode())
    return out


def rows(xml: bytes) -> dict[str, dict]:
    root = ET.fromstring(xml)
    return {r.get("r"): dict(r.attrib) for r in root.iter(NS + "row")}


def outside_sheetdata(xml: bytes) -> bytes:
    """The sheet part without <sheetData> and <dimension>: must not change on a cell edit."""
    x = re.sub(rb"<sheetData/>|<sheetData>.*?</sheetData>", b"", xml, flags=re.S)
    return re.sub(rb"<dimension [^>]*/>", b"", x)
