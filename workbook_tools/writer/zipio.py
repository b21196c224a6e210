"""The zip layer under :class:`~.package.Package`: reading a file whole (and noticing when another
program writes it meanwhile), inflating parts when first needed, and copying unchanged parts into
the new file with their compressed bytes as they were."""

from __future__ import annotations

import os
import struct
import zipfile
from pathlib import Path

from .. import ziplib
from ..errors import SourceChanged, UnreadableWorkbook
from ..i18n import L

MAX_PART_BYTES = 1 << 30  # 1 GiB uncompressed for one part: beyond that we refuse (zip bomb)


class Parts(dict):  # type: ignore[type-arg]
    """Part name → bytes, inflating a part of the opened file the first time it is read."""

    _UNREAD = object()

    def __init__(self, zf: zipfile.ZipFile, raw: dict[str, bytes] | None = None) -> None:
        super().__init__((info.filename, self._UNREAD) for info in zf.infolist())
        self._zf = zf
        self._raw = raw or {}  # compressed bytes of the members: deflated ones are inflated from them

    def __getitem__(self, name: str) -> bytes:
        blob = super().__getitem__(name)
        if blob is self._UNREAD:
            blob = self._inflate(name)
            super().__setitem__(name, blob)
        return blob  # type: ignore[no-any-return]

    def _inflate(self, name: str) -> bytes:
        try:
            info = self._zf.getinfo(name)
            if info.compress_type == zipfile.ZIP_DEFLATED and name in self._raw:
                blob = _inflate_raw(self._raw[name], info)
            else:
                with self._zf.open(name) as fh:
                    blob = fh.read(MAX_PART_BYTES + 1)
        except (zipfile.BadZipFile, *ziplib.ERRORS, OSError, EOFError, ValueError) as exc:  # bad CRC, torn data
            raise UnreadableWorkbook(L("文件部件 {p} 已损坏：{e}", "Part {p} is damaged: {e}").format(p=name, e=exc)) \
                from exc
        if len(blob) > MAX_PART_BYTES:
            raise UnreadableWorkbook(L("文件部件 {p} 解压后过大，疑似压缩炸弹",
                                       "Part {p} inflates too far: refusing (zip bomb?)").format(p=name))
        return blob


def _inflate_raw(raw: bytes, info: zipfile.ZipInfo) -> bytes:
    """A deflated member from its compressed bytes (faster than zipfile's inflate), at most
    MAX_PART_BYTES + 1 bytes, its CRC checked as zipfile checks it."""
    pieces, size = [], 0
    for piece in ziplib.inflate_chunks(raw, 16 << 20):
        pieces.append(piece)
        size += len(piece)
        if size > MAX_PART_BYTES:
            break
    blob = b"".join(pieces)
    if size <= MAX_PART_BYTES and ziplib.crc32(blob) != info.CRC:
        raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
    return blob


def stat_key(st: os.stat_result) -> tuple[int, ...]:
    """What changes when a file is rewritten in place or replaced (ctime cannot be set back)."""
    return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def read_stable(path: Path) -> tuple[bytes, os.stat_result]:
    """The file's bytes and its stat, refusing a file that changed while it was being read."""
    with open(path, "rb") as fh:
        before = os.fstat(fh.fileno())
        data = fh.read()
        after = os.fstat(fh.fileno())
    if stat_key(before) != stat_key(after) or len(data) != after.st_size:
        raise SourceChanged(L("工作簿 {n} 正在被其他程序写入，未做任何修改。请等它保存完毕后重新运行。",
                              "Workbook {n} is being written by another program; nothing was changed. "
                              "Run again when it has finished saving.").format(n=path.name))
    return data, before


def raw_members(whole: bytes, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
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


deflate = ziplib.deflate


def copy_raw(out: zipfile.ZipFile, old: zipfile.ZipInfo, raw: bytes) -> None:
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
