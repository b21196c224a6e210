"""The faster deflate/inflate under the reader and the writer: the same bytes out as zipfile
gives, in the same pieces, and damage refused as zipfile refuses it."""

from __future__ import annotations

import random
import zipfile
import zlib
from pathlib import Path

import pytest

from workbook_tools import ziplib
from workbook_tools.errors import UnreadableWorkbook
from workbook_tools.reader import safety
from workbook_tools.writer.package import Package


def _zip(path: Path, blob: bytes) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", b"<Types/>")
        zf.writestr("xl/part.xml", blob)
    return path


def _blob(n: int = 300_000) -> bytes:
    rnd = random.Random(5)
    return b"".join(b'<row r="%d"><c r="A%d" t="s"><v>%d</v></c></row>' % (i, i, rnd.randrange(10**6))
                    for i in range(n // 40))


def test_deflate_round_trips_through_plain_zlib_at_the_size_of_zlibs_default() -> None:
    blob = _blob()
    raw = ziplib.deflate(blob)
    assert zlib.decompress(raw, -15) == blob
    c = zlib.compressobj(6, zlib.DEFLATED, -15)
    assert len(raw) <= 1.05 * len(c.compress(blob) + c.flush())


@pytest.mark.parametrize("chunk", [1, 7, 4096, 1 << 22])
def test_member_chunks_are_zipfiles_read_pieces(tmp_path: Path, chunk: int) -> None:
    blob = _blob(40_000 if chunk == 1 else 300_000)
    path = _zip(tmp_path / "a.xlsx", blob)
    with zipfile.ZipFile(path) as zf:
        got = list(ziplib.member_chunks(zf, zf.getinfo("xl/part.xml"), chunk))  # type: ignore[arg-type]
        with zf.open("xl/part.xml") as fh:
            want = list(iter(lambda: fh.read(chunk), b""))
    assert got == want


def _damage(path: Path, how: str) -> None:
    data = bytearray(path.read_bytes())
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo("xl/part.xml")
    start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
    if how == "crc":  # the stored CRC no longer fits the content
        at = data.rfind(b"PK\x01\x02")
        while data[at + 46:at + 46 + len(info.filename)] != info.filename.encode():
            at = data.rfind(b"PK\x01\x02", 0, at)
        data[at + 16] ^= 0xFF
        data[info.header_offset + 14] ^= 0xFF
    else:  # the deflate stream is garbage half-way
        mid = start + info.compress_size // 2
        data[mid:mid + 64] = bytes(64)
    path.write_bytes(bytes(data))


@pytest.mark.parametrize("how", ["crc", "stream"])
def test_damage_is_refused_by_the_reader_and_the_writer(tmp_path: Path, how: str) -> None:
    path = _zip(tmp_path / "a.xlsx", _blob())
    _damage(path, how)
    with zipfile.ZipFile(path) as zf, pytest.raises(UnreadableWorkbook):
        b"".join(safety.iter_part(zf, "xl/part.xml", path))
    with pytest.raises(UnreadableWorkbook):
        Package.open(path).read("xl/part.xml")
