"""A small writer for compound files ([MS-CFB] version 3: 512-byte sectors).

:func:`build` takes streams by path (``"VBA/dir"``) and returns the file bytes. Streams
smaller than 4096 bytes go to the mini stream (64-byte mini sectors, chained by the mini
FAT); larger ones to regular sectors chained by the FAT. Each storage's children form a
binary search tree in CFB order (shorter name first, then upper-case compare), balanced and
all black, which the format allows. Time stamps and CLSIDs are zero, so the same streams
always give the same bytes. Files are limited to 109 FAT sectors (about 6.8 MB), plenty
for a VBA project.
"""

from __future__ import annotations

import struct
from collections.abc import Mapping
from dataclasses import dataclass, field

SECTOR = 512
MINI_SECTOR = 64
MINI_CUTOFF = 4096
FREESECT = 0xFFFFFFFF
ENDOFCHAIN = 0xFFFFFFFE
FATSECT = 0xFFFFFFFD
NOSTREAM = 0xFFFFFFFF
SIGNATURE = bytes.fromhex("D0CF11E0A1B11AE1")

_STORAGE, _STREAM, _ROOT = 1, 2, 5
_BLACK = 1


@dataclass
class _Entry:
    name: str
    kind: int
    data: bytes = b""
    children: dict[str, _Entry] = field(default_factory=dict)
    sid: int = 0
    left: int = NOSTREAM
    right: int = NOSTREAM
    child: int = NOSTREAM
    start: int = ENDOFCHAIN
    size: int = 0


def _sort_key(name: str) -> tuple[int, str]:
    return (len(name.encode("utf-16-le")), name.upper())


def _tree(entries: list[_Entry]) -> int:
    """Link ``entries`` (sorted) as a balanced binary tree; return the root's stream id."""
    if not entries:
        return NOSTREAM
    mid = len(entries) // 2
    node = entries[mid]
    node.left = _tree(entries[:mid])
    node.right = _tree(entries[mid + 1:])
    return node.sid


def _check_name(name: str) -> None:
    if not name or len(name) > 31 or any(c in name for c in "/\\:!"):
        raise ValueError(f"bad compound-file entry name {name!r}")


def _chain(first: int, count: int, table: list[int]) -> None:
    for i in range(count):
        table[first + i] = first + i + 1 if i + 1 < count else ENDOFCHAIN


def _lookup(parent: _Entry, name: str) -> _Entry | None:
    """The child CFB would consider equal to ``name`` (case-insensitive), if any."""
    return next((e for e in parent.children.values() if e.name.upper() == name.upper()), None)


def _pad(data: bytes, size: int) -> bytes:
    return data + b"\x00" * (-len(data) % size)


def build(streams: Mapping[str, bytes]) -> bytes:
    """The compound file holding ``streams`` (paths use ``/``; storages are created as needed)."""
    root = _Entry("Root Entry", _ROOT)
    for path, data in streams.items():
        parts = path.split("/")
        node = root
        for part in parts[:-1]:
            _check_name(part)
            found = _lookup(node, part)
            if found is None:
                found = node.children[part] = _Entry(part, _STORAGE)
            elif found.kind != _STORAGE or found.name != part:
                raise ValueError(f"{path!r}: {part!r} clashes with the stream or storage {found.name!r}")
            node = found
        _check_name(parts[-1])
        if _lookup(node, parts[-1]) is not None:
            raise ValueError(f"duplicate entry {path!r} (names compare case-insensitively)")
        node.children[parts[-1]] = _Entry(parts[-1], _STREAM, data=bytes(data))

    # Stream ids: breadth-first, root first.
    order: list[_Entry] = [root]
    i = 0
    while i < len(order):
        kids = sorted(order[i].children.values(), key=lambda e: _sort_key(e.name))
        for kid in kids:
            kid.sid = len(order)
            order.append(kid)
        order[i].child = _tree(kids)
        i += 1

    # Mini stream: small streams packed in 64-byte mini sectors.
    mini = bytearray()
    minifat: list[int] = []
    big: list[_Entry] = []
    for e in order:
        if e.kind != _STREAM:
            continue
        e.size = len(e.data)
        if e.size == 0:
            e.start = ENDOFCHAIN
        elif e.size < MINI_CUTOFF:
            e.start = len(minifat)
            count = -(-e.size // MINI_SECTOR)
            minifat += [0] * count
            _chain(e.start, count, minifat)
            mini += _pad(e.data, MINI_SECTOR)
        else:
            big.append(e)

    def nsec(nbytes: int) -> int:
        return -(-nbytes // SECTOR)

    dir_secs = nsec(len(order) * 128)
    minifat_secs = nsec(len(minifat) * 4)
    mini_secs = nsec(len(mini))
    big_secs = sum(nsec(e.size) for e in big)
    fat_secs = 1
    while fat_secs * (SECTOR // 4) < fat_secs + dir_secs + minifat_secs + mini_secs + big_secs:
        fat_secs += 1
    if fat_secs > 109:
        raise ValueError("compound file too large for this writer (needs a DIFAT)")

    total = fat_secs + dir_secs + minifat_secs + mini_secs + big_secs
    fat = [FREESECT] * (fat_secs * (SECTOR // 4))
    for s in range(fat_secs):
        fat[s] = FATSECT
    pos = fat_secs
    dir_start = pos
    _chain(pos, dir_secs, fat)
    pos += dir_secs
    minifat_start = pos if minifat_secs else ENDOFCHAIN
    _chain(pos, minifat_secs, fat)
    pos += minifat_secs
    root.start = pos if mini_secs else ENDOFCHAIN
    root.size = len(mini)
    _chain(pos, mini_secs, fat)
    pos += mini_secs
    body = bytearray()
    for e in big:
        e.start = pos
        count = nsec(e.size)
        _chain(pos, count, fat)
        pos += count
        body += _pad(e.data, SECTOR)
    assert pos == total

    directory = bytearray()
    for e in order:
        name = e.name.encode("utf-16-le") + b"\x00\x00"
        directory += struct.pack(
            "<64sHBBIII16sIQQIQ", name, len(name), e.kind, _BLACK, e.left, e.right,
            e.child if e.kind != _STREAM else NOSTREAM, b"\x00" * 16, 0, 0, 0,
            e.start if e.kind != _STORAGE else 0, e.size if e.kind != _STORAGE else 0)
    empty = struct.pack("<64sHBBIII16sIQQIQ", b"", 0, 0, 0, NOSTREAM, NOSTREAM, NOSTREAM,
                        b"\x00" * 16, 0, 0, 0, 0, 0)
    while len(directory) % SECTOR:
        directory += empty

    difat = list(range(fat_secs)) + [FREESECT] * (109 - fat_secs)
    header = struct.pack(
        "<8s16sHHHHH6sIIIIIIIII", SIGNATURE, b"\x00" * 16, 0x003E, 0x0003, 0xFFFE, 9, 6,
        b"\x00" * 6, 0, fat_secs, dir_start, 0, MINI_CUTOFF, minifat_start, minifat_secs,
        ENDOFCHAIN, 0) + struct.pack("<109I", *difat)
    assert len(header) == SECTOR

    minifat_bytes = struct.pack(f"<{len(minifat)}I", *minifat)
    minifat_bytes += struct.pack("<I", FREESECT) * ((-len(minifat_bytes) % SECTOR) // 4)
    out = bytearray(header)
    out += struct.pack(f"<{len(fat)}I", *fat)
    out += directory
    out += minifat_bytes
    out += _pad(bytes(mini), SECTOR)
    out += body
    assert len(out) == SECTOR * (1 + total)
    return bytes(out)
