"""A generated sheet rendered on its own with XlsxWriter, and its styles merged into a target.

:func:`render` builds a one-sheet scratch workbook in memory (values, PALETTE styles, merges,
widths, freeze panes, tab colour, internal links, charts) and returns its parts. Strings are
written as inline strings (never shared strings, never formulas), so the sheet XML can be
moved into another workbook without touching that workbook's shared-string table.

:func:`.scratchstyles.merge_styles` then brings the styles it uses into the target.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zipfile
from decimal import Decimal
from typing import Any

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from ..changeset import ChartSpec, GeneratedSheet
from ..errors import UnsafeWrite
from ..i18n import L
from ..model import split_ref
from ..styles import FONT, PALETTE

_DATE_FMT = {"num_format": "yyyy-mm-dd"}
_DATETIME_FMT = {"num_format": "yyyy-mm-dd hh:mm"}
CHART_KINDS = {"column", "bar", "pie", "line"}


# ---- rendering ---------------------------------------------------------------------------------
def render(sheet: GeneratedSheet, base_font: tuple[str, float] | None = None, *,
           date1904: bool = False) -> dict[str, bytes]:
    """The parts of a one-sheet XlsxWriter workbook holding ``sheet`` (strings inlined).

    ``base_font`` (name, size) is the target workbook's default font: styled cells use it
    unless their PALETTE style says otherwise, so a generated sheet looks like the rest.
    """
    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "date_1904": date1904,
                                   "strings_to_numbers": False, "strings_to_urls": False})
    try:
        ws = wb.add_worksheet(sheet.name)
    except XlsxWriterException as exc:
        raise UnsafeWrite(L("工作表名称“{n}”无效：{e}", "Invalid sheet name '{n}': {e}")
                          .format(n=sheet.name, e=exc), sheet=sheet.name) from exc
    formats: dict[tuple[str | None, str | None], Any] = {}

    def fmt(style: str | None, extra: str | None = None) -> Any:
        key = (style, extra)
        if key not in formats:
            if style is None and extra is None:
                formats[key] = None
            else:
                if style is not None and style not in PALETTE:
                    raise UnsafeWrite(L("未知样式名：{s}", "Unknown style name: {s}").format(s=style),
                                      sheet=sheet.name)
                props = dict(PALETTE.get(style or "", {}))
                if base_font is not None:
                    props.setdefault("font_name", base_font[0])
                    props.setdefault("font_size", base_font[1])
                if extra == "date" and "num_format" not in props:
                    props.update(_DATE_FMT)
                elif extra == "datetime" and "num_format" not in props:
                    props.update(_DATETIME_FMT)
                formats[key] = wb.add_format(props)
        return formats[key]

    merged_tl: dict[tuple[int, int], str] = {}
    for rng in sheet.merges:
        a, _, b = rng.partition(":")
        (r1, c1), (r2, c2) = split_ref(a), split_ref(b or a)
        merged_tl[(r1, c1)] = rng
        value, style = sheet.cells.get((r1, c1), (None, None))
        ws.merge_range(r1 - 1, c1 - 1, r2 - 1, c2 - 1, "", fmt(style, _kind(value)))
    for (r, c), (value, style) in sorted(sheet.cells.items()):
        link = sheet.links.get((r, c))
        if link is not None:
            target = link if "://" in link or link.startswith("mailto:") else "internal:" + link
            ws.write_url(r - 1, c - 1, target, fmt(style or "link"), string=_text(value))
            continue
        write_value(ws, r - 1, c - 1, value, fmt(style, _kind(value)))
    for (r, c), link in sheet.links.items():
        if (r, c) not in sheet.cells:
            target = link if "://" in link else "internal:" + link
            ws.write_url(r - 1, c - 1, target, fmt("link"), string=link)
    for col, width in sheet.col_widths.items():
        ws.set_column(col - 1, col - 1, width)
    for row, height in sheet.row_heights.items():
        ws.set_row(row - 1, height)
    if sheet.freeze:
        ws.freeze_panes(sheet.freeze[0] - 1, sheet.freeze[1] - 1)
    if sheet.tab_color:
        ws.set_tab_color(sheet.tab_color)
    for spec in sheet.charts:
        ws.insert_chart(spec.anchor, add_chart(wb, sheet.name, spec, base_font[0] if base_font else FONT))
    ws.hide_gridlines(2)
    ws.set_landscape()
    ws.set_paper(9)  # A4
    ws.fit_to_pages(1, 0)
    wb.close()
    with zipfile.ZipFile(io.BytesIO(buf.getvalue())) as zf:
        parts = {n: zf.read(n) for n in zf.namelist()}
    for name in parts:
        if name.startswith("xl/charts/chart"):
            parts[name] = explicit_label_flags(parts[name])
    return inline_strings(parts)


_FLAGS = ["showLegendKey", "showVal", "showCatName", "showSerName", "showPercent", "showBubbleSize"]
_DLBLS = re.compile(rb"<c:dLbls>(.*?)</c:dLbls>", re.S)


def explicit_label_flags(chart_xml: bytes) -> bytes:
    """Write all six ``show*`` flags of every ``<c:dLbls>``: XlsxWriter writes only the true ones,
    and LibreOffice and WPS take a missing flag as true (labels then show series and category)."""
    def one(m: re.Match[bytes]) -> bytes:
        body = m.group(1)
        if b"<c:dLbl>" in body:
            return m.group(0)
        found = {f: re.search(rb"<c:" + f.encode() + rb' val="1"/>', body) is not None for f in _FLAGS}
        first = min((body.find(b"<c:" + f.encode()) for f in _FLAGS if b"<c:" + f.encode() in body), default=-1)
        rest = re.sub(rb"<c:(?:" + "|".join(_FLAGS).encode() + rb')\b[^>]*/>', b"", body)
        if first < 0:
            tail = re.search(rb"<c:separator|<c:showLeaderLines|<c:extLst", rest)
            first = tail.start() if tail else len(rest)
        else:
            first = len(re.sub(rb"<c:(?:" + "|".join(_FLAGS).encode() + rb')\b[^>]*/>', b"", body[:first]))
        flags = b"".join(b"<c:" + f.encode() + b' val="' + (b"1" if found[f] else b"0") + b'"/>' for f in _FLAGS)
        return b"<c:dLbls>" + rest[:first] + flags + rest[first:] + b"</c:dLbls>"

    return _DLBLS.sub(one, chart_xml)


def _kind(value: Any) -> str | None:
    if isinstance(value, dt.datetime):
        return "datetime" if (value.hour or value.minute or value.second) else "date"
    if isinstance(value, dt.date):
        return "date"
    return None


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def write_value(ws: Any, r: int, c: int, value: Any, cell_fmt: Any) -> None:
    if value is None or value == "":
        if cell_fmt is not None:
            ws.write_blank(r, c, None, cell_fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, cell_fmt)
    elif isinstance(value, int | float | Decimal):
        ws.write_number(r, c, float(value), cell_fmt)
    elif isinstance(value, dt.datetime | dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime(value.year, value.month, value.day)
        ws.write_datetime(r, c, value.replace(tzinfo=None), cell_fmt)
    else:
        ws.write_string(r, c, str(value), cell_fmt)


def add_chart(wb: Any, sheet_name: str, spec: ChartSpec, font: str = FONT) -> Any:
    """The XlsxWriter chart for ``spec`` (values with data labels, markers on lines, pie shares).
    Series listed in ``spec.y2`` go on a second value axis; ``spec.percent`` shows values in %."""
    if spec.kind not in CHART_KINDS:
        raise UnsafeWrite(L("不支持的图表类型：{k}", "Unsupported chart kind: {k}").format(k=spec.kind),
                          sheet=sheet_name)
    chart = wb.add_chart({"type": spec.kind})
    for i, (name, values) in enumerate(spec.series):
        series: dict[str, Any] = {"name": name, "categories": _range(sheet_name, spec.categories),
                                  "values": _range(sheet_name, values)}
        if spec.kind in ("column", "bar"):
            series["data_labels"] = {"value": True, **({"num_format": "0.0%"} if spec.percent else {})}
        elif spec.kind == "pie":
            series["data_labels"] = {"percentage": True, "category": True, "leader_lines": True}
        else:
            series["marker"] = {"type": "circle"}
        if i in spec.y2 and spec.kind in ("line", "column"):
            series["y2_axis"] = True
        chart.add_series(series)
    chart.set_title({"name": spec.title, "name_font": {"name": font, "size": 11, "bold": True}})
    chart.set_size({"width": spec.width, "height": spec.height})
    if spec.kind == "bar":  # categories top-down in the order of the table, not bottom-up
        chart.set_y_axis({"reverse": True, "crossing": "max"})
        chart.set_x_axis({"num_format": "0%"} if spec.percent else {})
    elif spec.percent and spec.kind != "pie":
        chart.set_y_axis({"num_format": "0%"})
    if spec.kind != "pie":
        chart.set_legend({"position": "bottom"} if len(spec.series) > 1 else {"none": True})
    return chart


def _range(sheet_name: str, rng: str) -> list[Any]:
    a, _, b = rng.replace("$", "").partition(":")
    (r1, c1), (r2, c2) = split_ref(a), split_ref(b or a)
    return [sheet_name, r1 - 1, c1 - 1, r2 - 1, c2 - 1]


_SI = re.compile(rb"<si>(.*?)</si>|<si/>", re.S)
_SCELL = re.compile(rb'<c ([^>]*?)t="s"([^>]*)><v>(\d+)</v></c>')


def inline_strings(parts: dict[str, bytes]) -> dict[str, bytes]:
    """Turn the scratch sheet's shared-string cells into inline strings; drop sharedStrings.xml."""
    sst_blob = parts.pop("xl/sharedStrings.xml", b"")
    table = [m.group(1) or b"" for m in _SI.finditer(sst_blob)]

    def one(m: re.Match[bytes]) -> bytes:
        return b'<c ' + m.group(1) + b't="inlineStr"' + m.group(2) + b"><is>" + table[int(m.group(3))] + b"</is></c>"

    sheet = "xl/worksheets/sheet1.xml"
    parts[sheet] = _SCELL.sub(one, parts[sheet])
    return parts
