"""Texts longer than Excel allows in a cell (32,767 characters), found on the raw sheet XML.

Counted on the bytes, block by block, without decoding: an inline text or a shared string may be
huge, and may run over the end of one block into the next (:attr:`SheetScan.open_run`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from . import extent

if TYPE_CHECKING:
    from .xmlscan import SheetScan

MAX_CELL_TEXT = 32_767
CELL_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TEXT_OPEN = rb"<(?:[\w.-]+:)?[tv](?:\s[^>]*)?>"  # a cell's <v> or a string's <t>: its text follows
_LONG_RUN = re.compile(_TEXT_OPEN + rb"([^<]{%d,})" % (MAX_CELL_TEXT + 1))
_TEXT_OPEN_AT_END = re.compile(_TEXT_OPEN + rb"\Z")
_SI_END = re.compile(rb"</(?:[\w.-]+:)?si>")
_TEXT_RUN = re.compile(rb"<(?:[\w.-]+:)?t(?:\s[^>]*)?>([^<]*)<")
_SHARED_CELL = re.compile(rb'<(?:[\w.-]+:)?c\b[^>]*?\br="([A-Za-z]{1,3})(\d+)"[^>]*>\s*<(?:[\w.-]+:)?v>\s*(\d+)\s*<')


def long_shared_strings(sst: bytes) -> dict[int, int]:
    """{index: characters} of the shared strings longer than Excel's 32,767 characters per cell
    (split at each ``</si>``: the strings longer than 32,767 bytes are looked at, all their runs)."""
    out = {}
    for i, item in enumerate(_SI_END.split(sst) if b":si>" in sst else sst.split(b"</si>")):
        if len(item) > MAX_CELL_TEXT:
            n = sum(text_length(t) for t in _TEXT_RUN.findall(item))
            if n > MAX_CELL_TEXT:
                out[i] = n
    return out


def long_texts(buf: bytes, out: SheetScan) -> None:
    """Inline texts (one text node) and shared strings longer than Excel's 32,767 characters per
    cell, with their cell."""
    if out.long_shared:
        for m in _SHARED_CELL.finditer(buf):
            n = out.long_shared.get(int(m.group(3)))
            if n is not None and b't="s"' in m.group(0)[:m.group(0).find(b">")]:
                out.long_texts.append((int(m.group(2)), extent.col_index(m.group(1)), n))
    lead = buf.find(b"<")
    lead = len(buf) if lead < 0 else lead
    if lead and out.open_run is not None:  # the block goes on with the text the last one ended in
        row, col, n = out.open_run
        out.open_run = (row, col, n + text_length(buf[:lead]))
        if lead < len(buf):
            long_text_found(out, *out.open_run)
            out.open_run = None
    if lead == len(buf):
        return
    for m in _LONG_RUN.finditer(buf) if _has_long_run(buf) else ():
        cell = buf.rfind(b"<c", 0, m.start())
        if cell < 0:
            cell = buf.rfind(b":c", 0, m.start())
        ref = CELL_REF.search(buf, cell, buf.find(b">", cell) + 1) if cell >= 0 else None
        row, col = (int(ref.group(2)), extent.col_index(ref.group(1))) if ref else out.last_ref
        if m.end() == len(buf):  # the text goes on in the next block
            out.open_run = (row, col, text_length(m.group(1)))
        else:
            long_text_found(out, row, col, text_length(m.group(1)))
    _last_ref(buf, out)
    if out.open_run is None and _TEXT_OPEN_AT_END.search(buf, max(0, len(buf) - 512)):
        out.open_run = (*out.last_ref, 0)  # the block ends with <t> or <v>: the text follows


def long_text_found(out: SheetScan, row: int, col: int, n: int) -> None:
    if n > MAX_CELL_TEXT:
        out.long_texts.append((row, col, n))


def _has_long_run(buf: bytes, window: int = (MAX_CELL_TEXT + 1) // 2) -> bool:
    """Whether ``buf`` may hold a run of more than 32,767 bytes without ``<``: such a run covers a
    whole aligned window of half its length, so looking for ``<`` in each window is enough."""
    return any(buf.find(b"<", k, k + window) < 0 for k in range(0, len(buf) - window + 1, window))


_UTF8_CONTINUATION = bytes(range(0x80, 0xC0))
_ENTITY = re.compile(rb"&(?:#x([0-9a-fA-F]{1,8})|#(\d{1,10})|[A-Za-z]{1,10});")


def text_length(raw: bytes) -> int:
    """Characters of XML text (UTF-8) as Excel counts them: UTF-16 units, an entity as the
    character it stands for. Counted on the bytes, without decoding (texts can be huge)."""
    n = len(raw)
    if not raw.isascii():
        n = len(raw.translate(None, _UTF8_CONTINUATION))             # code points
        n += sum(raw.count(lead) for lead in (b"\xf0", b"\xf1", b"\xf2", b"\xf3", b"\xf4"))  # astral: two units
    if b"&" in raw:
        for m in _ENTITY.finditer(raw):
            code = int(m.group(1), 16) if m.group(1) else int(m.group(2)) if m.group(2) else 0
            n += (2 if code > 0xFFFF else 1) - len(m.group(0))
    return n


def _last_ref(buf: bytes, out: SheetScan) -> None:
    pos = buf.rfind(b"<c ")
    if pos < 0:
        pos = buf.rfind(b":c ")
    ref = CELL_REF.search(buf, pos, buf.find(b">", pos) + 1) if pos >= 0 else None
    if ref:
        out.last_ref = (int(ref.group(2)), extent.col_index(ref.group(1)))
