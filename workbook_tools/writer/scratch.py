"""A generated sheet rendered on its own with XlsxWriter, and its styles merged into a target.

:func:`render` builds a one-sheet scratch workbook in memory (values, PALETTE styles, merges,
widths, freeze panes, tab colour, internal links, charts) and returns its parts. Strings are
written as inline strings (never shared strings, never formulas), so the sheet XML can be
moved into another workbook without touching that workbook's shared-string table.

:func:`merge_styles` appends the fonts, fills, borders, number formats and cell formats the
scratch sheet uses to a target ``styles.xml`` by splicing bytes: existing entries keep their
index and bytes, counts are fixed, and an entry identical to one already appended by an
earlier run is reused instead of appended again.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import xml.etree.ElementTree as ET
import zipfile
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import xlsxwriter
from xlsxwriter.exceptions import XlsxWriterException

from ..changeset import ChartSpec, GeneratedSheet
from ..errors import UnsafeWrite
from ..i18n import L
from ..model import split_ref
from ..styles import FONT, PALETTE
from .package import NS_MAIN
from .xmlns import unescape

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
        _write(ws, r - 1, c - 1, value, fmt(style, _kind(value)))
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


def _write(ws: Any, r: int, c: int, value: Any, cell_fmt: Any) -> None:
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


# ---- merging styles ------------------------------------------------------------------------------
_SECTIONS = ["numFmts", "fonts", "fills", "borders", "cellStyleXfs", "cellXfs", "cellStyles", "dxfs",
             "tableStyles", "colors", "extLst"]
_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}


def _ser(el: ET.Element, prefix: str) -> str:
    """Serialise a scratch element with the target's prefix for the main namespace."""
    tag = el.tag.split("}", 1)[-1]
    attrs = "".join(f" {k}={quoteattr(v)}" for k, v in el.attrib.items())
    kids = "".join(_ser(k, prefix) for k in el)
    text = escape((el.text or "").strip())
    if not kids and not text:
        return f"<{prefix}{tag}{attrs}/>"
    return f"<{prefix}{tag}{attrs}>{text}{kids}</{prefix}{tag}>"


class _Styles:
    """A target styles.xml edited by splicing: sections located by regex, children appended."""

    def __init__(self, xml: bytes):
        self.xml = xml.decode("utf-8")
        m = re.search(r"<(\w+:)?styleSheet\b", self.xml)
        if m is None:
            raise UnsafeWrite(L("styles.xml 无法识别", "styles.xml is not a stylesheet"))
        self.prefix = m.group(1) or ""
        self._kids: dict[str, list[str]] = {}
        self._index: dict[str, dict[str, int]] = {}
        self._pending: dict[str, list[str]] = {}

    def _section(self, name: str) -> tuple[int, int, int] | None:
        """(start of start tag, end of start tag, start of end tag) or None; self-closed → end tag at start."""
        p = re.escape(self.prefix)
        m = re.search(rf"<{p}{name}\b[^>]*?(/?)>", self.xml)
        if m is None:
            return None
        if m.group(1):
            return (m.start(), m.end(), m.end())
        end = self.xml.index(f"</{self.prefix}{name}>", m.end())
        return (m.start(), m.end(), end)

    def children(self, name: str) -> list[str]:
        sec = self._section(name)
        if sec is None:
            return []
        body = self.xml[sec[1]:sec[2]]
        child = re.escape(self.prefix + _CHILD[name])
        return [m.group(0) for m in re.finditer(rf"<{child}\b[^>]*?(?:/>|>.*?</{child}>)", body, re.S)]

    def append(self, name: str, items: list[str]) -> None:
        if not items:
            return
        sec = self._section(name)
        if sec is None:
            self._create(name)
            sec = self._section(name)
            assert sec is not None
        count = len(self.children(name)) + len(items)
        start, head_end, end = sec
        head = self.xml[start:head_end]
        tag = f"</{self.prefix}{name}>"
        if head.endswith("/>"):
            head = head[:-2].rstrip() + ">"
            new = head + "".join(items) + tag
            self.xml = self.xml[:start] + new + self.xml[head_end:]
        else:
            self.xml = self.xml[:start] + head + self.xml[head_end:end] + "".join(items) + self.xml[end:]
        self._set_count(name, count)

    def _set_count(self, name: str, count: int) -> None:
        sec = self._section(name)
        assert sec is not None
        head = self.xml[sec[0]:sec[1]]
        if re.search(r'\bcount="\d*"', head):
            new = re.sub(r'\bcount="\d*"', f'count="{count}"', head, count=1)
        else:
            new = head.replace(f"<{self.prefix}{name}", f'<{self.prefix}{name} count="{count}"', 1)
        self.xml = self.xml[:sec[0]] + new + self.xml[sec[1]:]

    def _create(self, name: str) -> None:
        later = _SECTIONS[_SECTIONS.index(name) + 1:]
        for nxt in later:
            sec = self._section(nxt)
            if sec is not None:
                pos = sec[0]
                break
        else:
            pos = self.xml.index(f"</{self.prefix}styleSheet>")
        self.xml = self.xml[:pos] + f'<{self.prefix}{name} count="0"></{self.prefix}{name}>' + self.xml[pos:]

    def kids(self, name: str) -> list[str]:
        """The children of a section, parsed once (a bloated styles.xml can hold 60,000 formats)."""
        if name not in self._kids:
            self._kids[name] = self.children(name)
            index: dict[str, int] = {}
            for i, raw in enumerate(self._kids[name]):
                index.setdefault(raw, i)
            self._index[name] = index
        return self._kids[name]

    def index_of(self, name: str, item: str) -> int:
        """Index of an identical existing child, else append it (on :meth:`result`) and return its index."""
        kids = self.kids(name)
        index = self._index[name]
        if item not in index:
            index[item] = len(kids)
            kids.append(item)
            self._pending.setdefault(name, []).append(item)
        return index[item]

    def numfmt_id(self, code: str) -> int:
        used = []
        for raw in self.kids("numFmts"):
            m_id = re.search(r'numFmtId="(\d+)"', raw)
            m_code = re.search(r'formatCode=("[^"]*"|\'[^\']*\')', raw)
            if m_id is None:
                continue
            used.append(int(m_id.group(1)))
            if m_code and unescape(m_code.group(1)[1:-1]) == code:
                return int(m_id.group(1))
        new_id = max([163, *used]) + 1
        self.index_of("numFmts", f"<{self.prefix}numFmt numFmtId=\"{new_id}\" formatCode={quoteattr(code)}/>")
        return new_id

    def result(self) -> str:
        """The stylesheet with every pending entry spliced in, one splice per section."""
        for name in _SECTIONS:
            if self._pending.get(name):
                self.append(name, self._pending.pop(name))
        return self.xml


def default_font(styles_xml: bytes) -> tuple[str, float] | None:
    """(name, size) of the first font of a stylesheet (the workbook's default), if readable."""
    try:
        fonts = _Styles(styles_xml).children("fonts")
    except (UnsafeWrite, UnicodeDecodeError):
        return None
    if not fonts:
        return None
    name = re.search(r'<(?:\w+:)?name\b[^>]*\bval="([^"]+)"', fonts[0])
    size = re.search(r'<(?:\w+:)?sz\b[^>]*\bval="([\d.]+)"', fonts[0])
    if name is None:
        return None
    return unescape(name.group(1)), float(size.group(1)) if size else 11.0


def merge_styles(target: bytes, scratch: bytes, used: set[int]) -> tuple[bytes, dict[int, int]]:
    """Append the scratch cell formats in ``used`` to ``target``; return new bytes and the xf map."""
    ns = {"m": NS_MAIN}
    src = ET.fromstring(scratch)
    tgt = _Styles(target)
    p = tgt.prefix

    def items(section: str, child: str) -> list[ET.Element]:
        sec = src.find(f"m:{section}", ns)
        return [] if sec is None else list(sec.findall(f"m:{child}", ns))

    codes = {int(e.get("numFmtId", "0")): e.get("formatCode", "") for e in items("numFmts", "numFmt")}
    fonts, fills, borders = items("fonts", "font"), items("fills", "fill"), items("borders", "border")
    xfs = items("cellXfs", "xf")
    mapping: dict[int, int] = {0: 0}
    for i in sorted(used - {0}):
        xf = xfs[i]
        attrs = dict(xf.attrib)
        nf = int(attrs.get("numFmtId", "0"))
        if nf in codes:
            attrs["numFmtId"] = str(tgt.numfmt_id(codes[nf]))
        attrs["fontId"] = str(tgt.index_of("fonts", _ser(fonts[int(attrs.get("fontId", "0"))], p)))
        attrs["fillId"] = str(tgt.index_of("fills", _ser(fills[int(attrs.get("fillId", "0"))], p)))
        attrs["borderId"] = str(tgt.index_of("borders", _ser(borders[int(attrs.get("borderId", "0"))], p)))
        attrs["xfId"] = "0"
        new = ET.Element(xf.tag, attrs)
        new.extend(list(xf))
        mapping[i] = tgt.index_of("cellXfs", _ser(new, p))
    return tgt.result().encode("utf-8"), mapping


_S_ATTR = re.compile(rb'(<(?:c|row)\b[^>]*?\ss=")(\d+)(")')
_STYLE_ATTR = re.compile(rb'(<col\b[^>]*?\sstyle=")(\d+)(")')


def used_styles(sheet_xml: bytes) -> set[int]:
    return ({int(m.group(2)) for m in _S_ATTR.finditer(sheet_xml)}
            | {int(m.group(2)) for m in _STYLE_ATTR.finditer(sheet_xml)})


def remap_styles(sheet_xml: bytes, mapping: dict[int, int]) -> bytes:
    def one(m: re.Match[bytes]) -> bytes:
        return m.group(1) + str(mapping.get(int(m.group(2)), 0)).encode() + m.group(3)

    return _STYLE_ATTR.sub(one, _S_ATTR.sub(one, sheet_xml))
