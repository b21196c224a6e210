"""Deflate and inflate for zip parts: zlib-ng when it is installed (a drop-in that deflates about
2.3× and inflates about 2× faster than zlib), else the standard zlib.

zlib-ng's level 5 gives the same size as zlib's default level 6 on sheet XML (within 1 %, measured
on the 10k sample's parts), so a written workbook does not grow. Both produce standard raw deflate
that every zip reader inflates.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from collections.abc import Iterator
from typing import Any

try:  # pragma: no cover - which one depends on the environment
    from zlib_ng import zlib_ng as _z

    LEVEL = 5
    ENGINE = "zlib-ng"
except ImportError:  # pragma: no cover
    _z = zlib  # type: ignore[assignment]
    LEVEL = 6
    ENGINE = "zlib"

#: the errors either library raises for damaged data
ERRORS: tuple[type[BaseException], ...] = tuple({zlib.error, _z.error})


def deflate(blob: bytes) -> bytes:
    """Raw deflate (what a zip member of ZIP_DEFLATED holds)."""
    c = _z.compressobj(LEVEL, zlib.DEFLATED, -15)
    return c.compress(blob) + c.flush()


def crc32(blob: bytes, value: int = 0) -> int:
    return _z.crc32(blob, value) & 0xFFFFFFFF


def inflate_chunks(raw: bytes | memoryview, chunk: int) -> Iterator[bytes]:
    """Inflate raw deflate data ``chunk`` bytes of output at a time (bounded memory whatever the
    data claims); raises one of ERRORS, or ValueError when the data ends before its last block."""
    d: Any = _z.decompressobj(-15)
    data = memoryview(raw)
    while True:
        out = d.decompress(data, chunk)
        if out:
            yield out
        data = d.unconsumed_tail
        if d.eof:
            return
        if not out and not data:
            raise ValueError("deflate data ends early")


def member_chunks(zf: zipfile.ZipFile, info: zipfile.ZipInfo, chunk: int) -> Iterator[bytes] | None:
    """The member's content, inflated from its compressed bytes read straight from the file, in
    pieces of exactly ``chunk`` bytes but the last (as zipfile's ``read(chunk)`` gives them), its
    CRC checked at the end (zipfile.BadZipFile); None when zipfile must do it (not deflated,
    encrypted, or the zip is not a file on disk)."""
    if info.compress_type != zipfile.ZIP_DEFLATED or info.flag_bits & 0x1 or not isinstance(zf.filename, str):
        return None
    return _even(_member_chunks(zf.filename, info, chunk), chunk)


def _even(pieces: Iterator[bytes], size: int) -> Iterator[bytes]:
    buf: list[bytes] = []
    have = 0
    for piece in pieces:
        if not buf and len(piece) == size:
            yield piece
            continue
        buf.append(piece)
        have += len(piece)
        if have >= size:
            joined = b"".join(buf)
            for at in range(0, len(joined) - size + 1, size):
                yield joined[at:at + size]
            rest = joined[len(joined) - len(joined) % size:]
            buf, have = ([rest], len(rest)) if rest else ([], 0)
    if buf:
        yield b"".join(buf)


def _member_chunks(filename: str, info: zipfile.ZipInfo, chunk: int) -> Iterator[bytes]:
    with open(filename, "rb") as fh:
        fh.seek(info.header_offset)
        head = fh.read(30)
        if len(head) != 30 or head[:4] != b"PK\x03\x04":
            raise zipfile.BadZipFile(f"Bad magic number for file header of {info.filename!r}")
        n, e = struct.unpack("<HH", head[26:30])
        fh.seek(info.header_offset + 30 + n + e)
        left = info.compress_size
        d: Any = _z.decompressobj(-15)
        crc = 0
        while True:
            data = d.unconsumed_tail
            if not data and left:
                data = fh.read(min(chunk, left))
                if not data:
                    raise EOFError(f"{info.filename!r} ends early")
                left -= len(data)
            out = d.decompress(data, chunk)
            if out:
                crc = _z.crc32(out, crc)
                yield out
            if d.eof:
                break
            if not out and not left and not d.unconsumed_tail:
                raise EOFError(f"{info.filename!r}: deflate data ends early")
        if crc & 0xFFFFFFFF != info.CRC:
            raise zipfile.BadZipFile(f"Bad CRC-32 for file {info.filename!r}")
