""":func:`merge_styles` appends the fonts, fills, borders, number formats and cell formats a
scratch sheet (:mod:`.scratch`) uses to a target ``styles.xml`` by splicing bytes: existing entries
keep their index and bytes, counts are fixed, and an entry identical to one already appended by an
earlier run is reused instead of appended again. :func:`remap_styles` then renumbers the sheet.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from xml.sax.saxutils import escape, quoteattr

from ..errors import UnsafeWrite
from ..i18n import L
from .package import NS_MAIN
from .xmlns import unescape

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
