"""An .xlsx/.xlsm opened as the zip package it is, so that a write touches only the parts it must.

Parts are kept as bytes. Untouched parts are written back with the same bytes, in the same
order, with the same compression. Parts that change are patched by splicing bytes (see
``cells.py``); XML is never round-tripped through ElementTree for a user's part, because that
renames namespace prefixes and breaks ``mc:Ignorable`` (Excel then refuses the file).
"""

from __future__ import annotations

import io
import os
import posixpath
import re
import zipfile
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote
from xml.sax.saxutils import escape, quoteattr

from .. import ziplib
from ..errors import UnreadableWorkbook
from ..i18n import L
from ..stamp import SourceStamp
from .xmlns import prefix_of, unescape
from .zipio import MAX_PART_BYTES, Parts, copy_raw, deflate, raw_members, read_stable

CT_PATH = "[Content_Types].xml"
REL_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

_ROOT = re.compile(rb"<(?![?!])[^>]*>")  # the first start tag: the root element
_CT_OVERRIDE = re.compile(rb"<(?:[\w.\-]+:)?Override\b[^>]*>")
_CT_DEFAULT = re.compile(rb"<(?:[\w.\-]+:)?Default\b[^>]*>")
_SHEET = re.compile(rb"<(?:[\w.\-]+:)?sheet\b[^>]*>")
_RELATIONSHIP = re.compile(rb"<(?:[\w.\-]+:)?Relationship\b[^>]*>")

_ATTR = re.compile(rb'([\w:.\-]+)\s*=\s*("([^"]*)"|\'([^\']*)\')')


def attrs(tag: bytes) -> dict[str, str]:
    """Attributes of one start tag given as bytes, by qualified name, their values decoded as an XML
    parser would (``&amp;`` and character references such as ``&#x4E3B;``)."""
    out = {}
    for m in _ATTR.finditer(tag):
        val = m.group(3) if m.group(3) is not None else m.group(4)
        out[m.group(1).decode()] = unescape(val.decode("utf-8"))
    return out


@dataclass
class Rel:
    id: str
    type: str
    target: str
    external: bool = False

    def xml(self) -> str:
        mode = ' TargetMode="External"' if self.external else ""
        return f'<Relationship Id={quoteattr(self.id)} Type={quoteattr(self.type)} Target={quoteattr(self.target)}{mode}/>'


@dataclass
class SheetRef:
    name: str
    sheet_id: int
    rid: str
    part: str          # e.g. xl/worksheets/sheet1.xml
    state: str = "visible"


class Package:
    """The parts of one workbook file, in order."""

    def __init__(self, infos: list[zipfile.ZipInfo], data: dict[str, bytes], path: Path | None = None,
                 raw: dict[str, bytes] | None = None):
        self._infos = {i.filename: i for i in infos}
        self._order = [i.filename for i in infos]
        self._data = data
        self._raw = raw or {}  # compressed bytes of each part as read: unchanged parts are copied as is
        self.path = path
        self.changed: set[str] = set()
        self._folded: dict[str, str] | None = None  # casefolded part name → stored name
        self.stamp: SourceStamp | None = None       # the file as opened (zip directory)
        self.opened: os.stat_result | None = None   # its stat when it was read
        self.original: bytes | None = None          # its bytes as read (the backup is made from them)

    # ---- reading and writing the file --------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str) -> Package:
        """The package at ``path``. Parts are inflated when first read: a write touches a few of
        them, and the others are copied as they are (the declared sizes are checked for all now)."""
        path = Path(path)
        try:
            whole, st = read_stable(path)
            zf = zipfile.ZipFile(io.BytesIO(whole))
        except (zipfile.BadZipFile, OSError) as exc:
            from ..reader.safety import OLE_MAGIC, not_xlsx_message, xls_hint

            if isinstance(exc, zipfile.BadZipFile) and whole.startswith(OLE_MAGIC):  # a legacy .xls, any name
                raise UnreadableWorkbook(not_xlsx_message(path), hint=xls_hint()) from exc
            raise UnreadableWorkbook(L("无法以 xlsx 格式打开：{e}", "Cannot open as xlsx: {e}").format(e=exc),
                                     sheet=None) from exc
        infos = zf.infolist()
        for info in infos:
            if info.file_size > MAX_PART_BYTES:
                zf.close()
                raise UnreadableWorkbook(L("文件部件 {p} 解压后过大（{n} 字节），疑似压缩炸弹",
                                           "Part {p} inflates to {n} bytes: refusing (zip bomb?)")
                                         .format(p=info.filename, n=info.file_size))
        raw = raw_members(whole, infos)
        pkg = cls(infos, Parts(zf, raw), path, raw)
        pkg.stamp, pkg.opened, pkg.original = SourceStamp.of(path, infos, st), st, whole
        return pkg

    def save(self, target: Path | str) -> None:
        """Write every part: original ones in their order and compression, new ones after.
        Changed parts are deflated on two threads (zlib-ng and zlib work without the GIL), then written in order."""
        names = [n for n in self._order if n in self._data]
        fresh: dict[str, zipfile.ZipInfo] = {}
        for name in names:
            info = self._infos.get(name)
            if name not in self.changed and name in self._raw and info is not None:
                continue
            new = zipfile.ZipInfo(name, date_time=info.date_time if info else (1980, 1, 1, 0, 0, 0))
            new.compress_type = info.compress_type if info else zipfile.ZIP_DEFLATED
            if info is not None:
                new.external_attr, new.create_system = info.external_attr, info.create_system
            fresh[name] = new
        big = [n for n in fresh if fresh[n].compress_type == zipfile.ZIP_DEFLATED and len(self._data[n]) > 1 << 20]
        deflated: dict[str, Future[bytes]] = {}
        with ThreadPoolExecutor(max_workers=2, thread_name_prefix="wbt-deflate") as pool:
            for name in sorted(big, key=lambda n: -len(self._data[n])):
                deflated[name] = pool.submit(deflate, self._data[name])
            with zipfile.ZipFile(target, "w", allowZip64=True) as out:
                for name in names:
                    if name not in fresh:
                        copy_raw(out, self._infos[name], self._raw[name])
                    elif name in deflated:
                        blob = self._data[name]
                        info = fresh[name]
                        info.CRC, info.file_size = ziplib.crc32(blob), len(blob)
                        raw = deflated[name].result()
                        info.compress_size = len(raw)
                        copy_raw(out, info, raw)
                    else:
                        out.writestr(fresh[name], self._data[name])

    # ---- parts ---------------------------------------------------------------------------------
    # Parts are named as OPC names them ("xl/worksheets/sheet1.xml"); the name stored in the zip
    # may differ in letter case or use backslashes (some producers write "xl\\workbook.xml").
    def names(self) -> list[str]:
        return [n.replace("\\", "/") for n in self._order if n in self._data]

    def has(self, name: str) -> bool:
        return self.part_name(name) is not None

    def part_name(self, name: str) -> str | None:
        """The stored name of part ``name``: matched without regard to case, as OPC requires, and
        with either slash."""
        if name in self._data:
            return name
        if self._folded is None:
            self._folded = {n.replace("\\", "/").casefold(): n for n in self._data}
        return self._folded.get(name.replace("\\", "/").casefold())

    def read(self, name: str) -> bytes:
        return self._data[self.part_name(name) or name]

    def write(self, name: str, blob: bytes, content_type: str | None = None) -> None:
        stored = self.part_name(name) or name
        if stored not in self._data and stored not in self._order:
            self._order.append(stored)
            self._folded = None
        self._data[stored] = blob
        self.changed.add(stored)
        if content_type:
            self.set_override("/" + name, content_type)

    def remove(self, name: str) -> None:
        stored = self.part_name(name)
        if stored is not None:
            del self._data[stored]
            self._folded = None
            self.changed.add(stored)
            self.remove_override("/" + name)
            rels = self.part_name(rels_path(name))
            if rels is not None:
                del self._data[rels]
                self.changed.add(rels)

    def new_part_name(self, pattern: str) -> str:
        """The first free name for a pattern with one ``{}``, e.g. ``xl/worksheets/sheet{}.xml``."""
        n = 1
        while self.part_name(pattern.format(n)) is not None:
            n += 1
        return pattern.format(n)

    # ---- content types ---------------------------------------------------------------------------
    def _items(self, name: str, kind: re.Pattern[bytes]) -> tuple[bytes, bytes, list[tuple[int, int, dict[str, str]]]]:
        """(the part, its root's prefix, (start, end, attributes) of each item ``kind`` matches);
        an item written as ``<X …></X>`` spans its end tag too."""
        xml = self.read(name)
        root = _ROOT.search(xml)
        prefix = prefix_of(root.group(0)) if root else b""
        out = []
        for m in kind.finditer(xml):
            end = m.end()
            if not m.group(0).endswith(b"/>"):
                close = xml.find(b"</", end)
                end = xml.find(b">", close) + 1 if close >= 0 else end
            out.append((m.start(), end, attrs(m.group(0))))
        return xml, prefix, out

    def _splice_before_root_end(self, name: str, new: bytes) -> None:
        """Add ``new`` as the last child of the part's root element (a self-closed root is opened)."""
        xml = self.read(name)
        root = _ROOT.search(xml)
        if root is None:
            raise UnreadableWorkbook(L("部件 {p} 无法识别", "Part {p} is not recognised").format(p=name))
        if root.group(0).endswith(b"/>"):
            tag = root.group(0)[1:].split(None, 1)[0].rstrip(b"/>")
            xml = xml[:root.end() - 2] + b">" + new + b"</" + tag + b">" + xml[root.end():]
        else:
            end = xml.rfind(b"</")
            xml = xml[:end] + new + xml[end:]
        self.write(name, xml)

    def set_override(self, part_name: str, content_type: str) -> None:
        xml, p, items = self._items(CT_PATH, _CT_OVERRIDE)
        new = f"<{p.decode()}Override PartName={quoteattr(part_name)} ContentType={quoteattr(content_type)}/>".encode()
        for start, end, a in items:
            if a.get("PartName", "").casefold() == part_name.casefold():
                self.write(CT_PATH, xml[:start] + new + xml[end:])
                return
        self._splice_before_root_end(CT_PATH, new)

    def remove_override(self, part_name: str) -> None:
        if not self.has(CT_PATH):
            return
        xml, _, items = self._items(CT_PATH, _CT_OVERRIDE)
        for start, end, a in items:
            if a.get("PartName", "").casefold() == part_name.casefold():
                self.write(CT_PATH, xml[:start] + xml[end:])
                return

    def ensure_default(self, extension: str, content_type: str) -> None:
        _, p, items = self._items(CT_PATH, _CT_DEFAULT)
        if any(a.get("Extension", "").casefold() == extension.casefold() for _, _, a in items):
            return
        new = f"<{p.decode()}Default Extension={quoteattr(extension)} ContentType={quoteattr(content_type)}/>"
        xml = self.read(CT_PATH)
        root = _ROOT.search(xml)
        if root is None or root.group(0).endswith(b"/>"):
            self._splice_before_root_end(CT_PATH, new.encode())
        else:  # Defaults go first
            self.write(CT_PATH, xml[:root.end()] + new.encode() + xml[root.end():])

    def content_type(self, name: str) -> str | None:
        for _, _, a in self._items(CT_PATH, _CT_OVERRIDE)[2]:
            if a.get("PartName", "").lstrip("/").casefold() == name.casefold():
                return a.get("ContentType")
        ext = name.rsplit(".", 1)[-1].casefold()
        return next((a.get("ContentType") for _, _, a in self._items(CT_PATH, _CT_DEFAULT)[2]
                     if a.get("Extension", "").casefold() == ext), None)

    # ---- relationships ---------------------------------------------------------------------------
    def rels(self, part: str) -> list[Rel]:
        path = self.part_name(rels_path(part))
        if path is None:
            return []
        return [Rel(a.get("Id", ""), a.get("Type", ""), a.get("Target", ""), a.get("TargetMode") == "External")
                for _, _, a in self._items(path, _RELATIONSHIP)[2]]

    def write_rels(self, part: str, rels: list[Rel]) -> None:
        body = "".join(r.xml() for r in rels)
        xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>')
        self.write(self.part_name(rels_path(part)) or rels_path(part), xml.encode("utf-8"))

    def add_rel(self, part: str, rel_type: str, target: str) -> str:
        """Add a relationship from ``part`` and return its new Id. Other rels keep their bytes."""
        rels = self.rels(part)
        used = {r.id for r in rels}
        n = 1
        while f"rId{n}" in used:
            n += 1
        rid = f"rId{n}"
        path = self.part_name(rels_path(part))
        if path is None:
            self.write_rels(part, [Rel(rid, rel_type, target)])
            return rid
        root = _ROOT.search(self.read(path))
        p = prefix_of(root.group(0)).decode() if root else ""
        self._splice_before_root_end(path, f"<{p}{Rel(rid, rel_type, target).xml()[1:]}".encode())
        return rid

    def remove_rel(self, part: str, rid: str) -> None:
        path = self.part_name(rels_path(part))
        if path is None:
            return
        xml, _, items = self._items(path, _RELATIONSHIP)
        for start, end, a in items:
            if a.get("Id") == rid:
                self.write(path, xml[:start] + xml[end:])
                return

    def target(self, part: str, rel: Rel) -> str:
        """The part a relationship of ``part`` points at, by its OPC name (producers write absolute
        targets, backslashes, percent-escapes, and letter case that differs from the part's)."""
        t = rel.target.replace("\\", "/").split("#", 1)[0]
        name = t.lstrip("/") if t.startswith("/") else posixpath.normpath(posixpath.join(posixpath.dirname(part), t))
        found = self.part_name(name) or self.part_name(unquote(name))
        return found.replace("\\", "/") if found else name

    # ---- workbook --------------------------------------------------------------------------------
    @property
    def workbook_part(self) -> str:
        rels = self.rels("")
        for rel in rels:
            if rel.type == REL_OFFICE_DOC:
                return self.target("", rel)
        if any(r.type.startswith("http://purl.oclc.org/ooxml/") for r in rels):
            raise UnreadableWorkbook(L("这是“Strict Open XML 电子表格”格式，本工具不能写入。请在 Excel 中另存为“Excel 工作簿(.xlsx)”。",
                                       "This is a Strict Open XML spreadsheet, which this tool cannot write. Save it as "
                                       "an Excel Workbook (.xlsx) in Excel."))
        raise UnreadableWorkbook(L("文件中没有工作簿部件", "The file holds no workbook part"))

    def sheets(self) -> list[SheetRef]:
        wb = self.workbook_part
        targets = {r.id: self.target(wb, r) for r in self.rels(wb)}
        out = []
        for m in _SHEET.finditer(self.read(wb)):
            a = attrs(m.group(0))
            rid = next((v for k, v in a.items() if k.endswith(":id")), "")
            out.append(SheetRef(a.get("name", ""), int(a.get("sheetId", "0") or 0), rid, targets.get(rid, ""),
                                a.get("state", "visible")))
        return out

    def sheet(self, name: str) -> SheetRef | None:
        for s in self.sheets():
            if s.name == name:
                return s
        return None

    def styles_part(self) -> str | None:
        wb = self.workbook_part
        for rel in self.rels(wb):
            if rel.type == REL_STYLES:
                return self.target(wb, rel)
        return None


def rels_path(part: str) -> str:
    """``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``; ``""`` → ``_rels/.rels``."""
    base, name = posixpath.split(part)
    return posixpath.join(base, "_rels", name + ".rels")


def xml_text(s: str) -> str:
    """Escape text for an XML element, dropping characters XML 1.0 cannot hold."""
    s = "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20)
    return escape(s)
