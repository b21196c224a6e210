"""An .xlsx/.xlsm opened as the zip package it is, so that a write touches only the parts it must.

Parts are kept as bytes. Untouched parts are written back with the same bytes, in the same
order, with the same compression. Parts that change are patched by splicing bytes (see
``cells.py``); XML is never round-tripped through ElementTree for a user's part, because that
renames namespace prefixes and breaks ``mc:Ignorable`` (Excel then refuses the file).
"""

from __future__ import annotations

import io
import posixpath
import re
import struct
import zipfile
import zlib
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape, quoteattr

from ..errors import UnreadableWorkbook
from ..i18n import L

CT_PATH = "[Content_Types].xml"
REL_OFFICE_DOC = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
REL_WORKSHEET = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
REL_STYLES = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"
CT_WORKSHEET = "application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"
NS_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
NS_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
NS_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"

MAX_PART_BYTES = 1 << 30  # 1 GiB uncompressed for one part: beyond that we refuse (zip bomb)

_ATTR = re.compile(rb'([\w:]+)\s*=\s*("([^"]*)"|\'([^\']*)\')')


def attrs(tag: bytes) -> dict[str, str]:
    """Attributes of one start tag given as bytes (entities left as they are, except &amp; etc.)."""
    out = {}
    for m in _ATTR.finditer(tag):
        val = m.group(3) if m.group(3) is not None else m.group(4)
        out[m.group(1).decode()] = unescape_attr(val.decode("utf-8"))
    return out


def unescape_attr(s: str) -> str:
    return (s.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')
            .replace("&apos;", "'").replace("&amp;", "&"))


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

    # ---- reading and writing the file --------------------------------------------------------
    @classmethod
    def open(cls, path: Path | str) -> Package:
        """The package at ``path``. Parts are inflated when first read: a write touches a few of
        them, and the others are copied as they are (the declared sizes are checked for all now)."""
        path = Path(path)
        try:
            whole = path.read_bytes()
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
        return cls(infos, _Parts(zf), path, _raw_members(whole, infos))

    def save(self, target: Path | str) -> None:
        """Write every part: original ones in their order and compression, new ones after.
        Changed parts are deflated on two threads (zlib works without the GIL), then written in order."""
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
                deflated[name] = pool.submit(_deflate, self._data[name])
            with zipfile.ZipFile(target, "w", allowZip64=True) as out:
                for name in names:
                    if name not in fresh:
                        _copy_raw(out, self._infos[name], self._raw[name])
                    elif name in deflated:
                        blob = self._data[name]
                        info = fresh[name]
                        info.CRC, info.file_size = zlib.crc32(blob), len(blob)
                        raw = deflated[name].result()
                        info.compress_size = len(raw)
                        _copy_raw(out, info, raw)
                    else:
                        out.writestr(fresh[name], self._data[name])

    # ---- parts ---------------------------------------------------------------------------------
    def names(self) -> list[str]:
        return [n for n in self._order if n in self._data]

    def has(self, name: str) -> bool:
        return name in self._data

    def read(self, name: str) -> bytes:
        return self._data[name]

    def write(self, name: str, blob: bytes, content_type: str | None = None) -> None:
        if name not in self._data and name not in self._order:
            self._order.append(name)
        self._data[name] = blob
        self.changed.add(name)
        if content_type:
            self.set_override("/" + name, content_type)

    def remove(self, name: str) -> None:
        if name in self._data:
            del self._data[name]
            self.changed.add(name)
            self.remove_override("/" + name)
            rels = rels_path(name)
            if rels in self._data:
                del self._data[rels]
                self.changed.add(rels)

    def new_part_name(self, pattern: str) -> str:
        """The first free name for a pattern with one ``{}``, e.g. ``xl/worksheets/sheet{}.xml``."""
        n = 1
        while pattern.format(n) in self._data:
            n += 1
        return pattern.format(n)

    # ---- content types ---------------------------------------------------------------------------
    def set_override(self, part_name: str, content_type: str) -> None:
        ct = self._data[CT_PATH].decode("utf-8")
        pat = re.compile(r'<Override\b[^>]*PartName="' + re.escape(part_name) + r'"[^>]*/>')
        new = f'<Override PartName={quoteattr(part_name)} ContentType={quoteattr(content_type)}/>'
        ct = pat.sub(new, ct, count=1) if pat.search(ct) else ct.replace("</Types>", new + "</Types>")
        self.write(CT_PATH, ct.encode("utf-8"))

    def remove_override(self, part_name: str) -> None:
        if CT_PATH not in self._data:
            return
        ct = self._data[CT_PATH].decode("utf-8")
        pat = re.compile(r'<Override\b[^>]*PartName="' + re.escape(part_name) + r'"[^>]*/>')
        if pat.search(ct):
            self.write(CT_PATH, pat.sub("", ct, count=1).encode("utf-8"))

    def ensure_default(self, extension: str, content_type: str) -> None:
        ct = self._data[CT_PATH].decode("utf-8")
        if re.search(r'<Default\b[^>]*Extension="' + re.escape(extension) + '"', ct, re.I):
            return
        new = f'<Default Extension={quoteattr(extension)} ContentType={quoteattr(content_type)}/>'
        self.write(CT_PATH, re.sub(r"(<Types\b[^>]*>)", lambda m: m.group(1) + new, ct, count=1).encode("utf-8"))

    def content_type(self, name: str) -> str | None:
        ct = self._data[CT_PATH].decode("utf-8")
        m = re.search(r'<Override\b[^>]*PartName="/' + re.escape(name) + r'"[^>]*ContentType="([^"]+)"', ct)
        if m:
            return m.group(1)
        ext = name.rsplit(".", 1)[-1]
        m = re.search(r'<Default\b[^>]*Extension="' + re.escape(ext) + r'"[^>]*ContentType="([^"]+)"', ct, re.I)
        return m.group(1) if m else None

    # ---- relationships ---------------------------------------------------------------------------
    def rels(self, part: str) -> list[Rel]:
        path = rels_path(part)
        if path not in self._data:
            return []
        out = []
        for m in re.finditer(rb"<Relationship\b[^>]*>", self._data[path]):
            a = attrs(m.group(0))
            out.append(Rel(a["Id"], a["Type"], a["Target"], a.get("TargetMode") == "External"))
        return out

    def write_rels(self, part: str, rels: list[Rel]) -> None:
        body = "".join(r.xml() for r in rels)
        xml = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
               f'<Relationships xmlns="{NS_PKG_REL}">{body}</Relationships>')
        self.write(rels_path(part), xml.encode("utf-8"))

    def add_rel(self, part: str, rel_type: str, target: str) -> str:
        """Add a relationship from ``part`` and return its new Id. Other rels keep their bytes."""
        rels = self.rels(part)
        used = {r.id for r in rels}
        n = 1
        while f"rId{n}" in used:
            n += 1
        rid = f"rId{n}"
        path = rels_path(part)
        new = Rel(rid, rel_type, target).xml()
        if path in self._data:
            xml = self._data[path].decode("utf-8")
            if "</Relationships>" in xml:
                xml = xml.replace("</Relationships>", new + "</Relationships>")
            else:  # <Relationships .../> (empty, self-closed)
                xml = re.sub(r"<Relationships\b([^>]*)/>", r"<Relationships\1>" + new + "</Relationships>", xml)
            self.write(path, xml.encode("utf-8"))
        else:
            self.write_rels(part, [Rel(rid, rel_type, target)])
        return rid

    def remove_rel(self, part: str, rid: str) -> None:
        path = rels_path(part)
        if path in self._data:
            xml = self._data[path].decode("utf-8")
            xml = re.sub(r'<Relationship\b[^>]*Id="' + re.escape(rid) + r'"[^>]*/>', "", xml, count=1)
            self.write(path, xml.encode("utf-8"))

    def target(self, part: str, rel: Rel) -> str:
        """The absolute part name a relationship of ``part`` points at."""
        if rel.target.startswith("/"):
            return rel.target.lstrip("/")
        base = posixpath.dirname(part)
        return posixpath.normpath(posixpath.join(base, rel.target))

    # ---- workbook --------------------------------------------------------------------------------
    @property
    def workbook_part(self) -> str:
        for rel in self.rels(""):
            if rel.type == REL_OFFICE_DOC:
                return self.target("", rel)
        raise UnreadableWorkbook(L("文件中没有工作簿部件", "The file holds no workbook part"))

    def sheets(self) -> list[SheetRef]:
        wb = self.workbook_part
        targets = {r.id: self.target(wb, r) for r in self.rels(wb)}
        out = []
        for m in re.finditer(rb"<(?:\w+:)?sheet\b[^>]*>", self._data[wb]):
            a = attrs(m.group(0))
            rid = next((v for k, v in a.items() if k.endswith(":id") or k == "r:id"), "")
            out.append(SheetRef(a["name"], int(a.get("sheetId", "0")), rid, targets.get(rid, ""),
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


class _Parts(dict):  # type: ignore[type-arg]
    """Part name → bytes, inflating a part of the opened file the first time it is read."""

    _UNREAD = object()

    def __init__(self, zf: zipfile.ZipFile) -> None:
        super().__init__((info.filename, self._UNREAD) for info in zf.infolist())
        self._zf = zf

    def __getitem__(self, name: str) -> bytes:
        blob = super().__getitem__(name)
        if blob is self._UNREAD:
            blob = self._inflate(name)
            super().__setitem__(name, blob)
        return blob  # type: ignore[no-any-return]

    def _inflate(self, name: str) -> bytes:
        try:
            with self._zf.open(name) as fh:
                blob = fh.read(MAX_PART_BYTES + 1)
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, ValueError) as exc:  # bad CRC, torn data
            raise UnreadableWorkbook(L("文件部件 {p} 已损坏：{e}", "Part {p} is damaged: {e}").format(p=name, e=exc)) \
                from exc
        if len(blob) > MAX_PART_BYTES:
            raise UnreadableWorkbook(L("文件部件 {p} 解压后过大，疑似压缩炸弹",
                                       "Part {p} inflates too far: refusing (zip bomb?)").format(p=name))
        return blob


def _raw_members(whole: bytes, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """The compressed bytes of each member, found through its local header."""
    out = {}
    for info in infos:
        off = info.header_offset
        if whole[off:off + 4] != b"PK\x03\x04" or info.flag_bits & 0x1:  # odd or encrypted: recompress
            continue
        n, e = struct.unpack("<HH", whole[off + 26:off + 30])
        start = off + 30 + n + e
        raw = whole[start:start + info.compress_size]
        if len(raw) == info.compress_size:
            out[info.filename] = raw
    return out


def _deflate(blob: bytes) -> bytes:
    """Raw deflate at zlib's default level: the bytes ``zipfile`` writes for ZIP_DEFLATED."""
    c = zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)
    return c.compress(blob) + c.flush()


def _copy_raw(out: zipfile.ZipFile, old: zipfile.ZipInfo, raw: bytes) -> None:
    """Append one member with its compressed bytes unchanged (no recompression)."""
    info = zipfile.ZipInfo(old.filename, date_time=old.date_time)
    info.compress_type = old.compress_type
    info.external_attr = old.external_attr
    info.create_system = old.create_system
    info.flag_bits = old.flag_bits & ~0x08  # sizes go in the local header: no data descriptor
    info.CRC = old.CRC
    info.compress_size = old.compress_size
    info.file_size = old.file_size
    zip64 = info.file_size > zipfile.ZIP64_LIMIT or info.compress_size > zipfile.ZIP64_LIMIT
    info.header_offset = out.fp.tell()  # type: ignore[union-attr]
    out.fp.write(info.FileHeader(zip64))  # type: ignore[union-attr]
    out.fp.write(raw)  # type: ignore[union-attr]
    out.filelist.append(info)
    out.NameToInfo[info.filename] = info
    out.start_dir = out.fp.tell()  # type: ignore[union-attr]
    out._didModify = True


def rels_path(part: str) -> str:
    """``xl/workbook.xml`` → ``xl/_rels/workbook.xml.rels``; ``""`` → ``_rels/.rels``."""
    base, name = posixpath.split(part)
    return posixpath.join(base, "_rels", name + ".rels")


def xml_text(s: str) -> str:
    """Escape text for an XML element, dropping characters XML 1.0 cannot hold."""
    s = "".join(ch for ch in s if ch in "\t\n\r" or ord(ch) >= 0x20)
    return escape(s)
