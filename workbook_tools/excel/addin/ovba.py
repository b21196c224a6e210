"""The VBA project streams of a ``vbaProject.bin``, per [MS-OVBA], storing source only.

What is written (all inside the compound file built by :mod:`.cfb`):

* ``VBA/_VBA_PROJECT``: version ``0xFFFF`` and no performance cache, so Office ignores any
  compiled state and compiles the module source when the file is opened (MS-OVBA 2.3.4.1).
* ``VBA/dir``: the compressed project information, references and module records (2.3.4.2).
* ``VBA/<module>``: per module, the compressed source text (no performance cache, offset 0).
* ``PROJECT``: the text project properties (2.3.1), ``PROJECTwm``: module name map (2.3.3).

Only ASCII-safe Windows-1252 sources are supported (the code page is recorded as 1252).
"""

from __future__ import annotations

import struct
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

CODEPAGE = 1252
ENCODING = "cp1252"
LCID = 0x0409

# The two references every Excel VBA project carries. The paths are hints: VBA finds the type
# libraries by GUID and major version (2) and takes the highest installed minor version.
STDOLE = ("stdole",
          "*\\G{00020430-0000-0000-C000-000000000046}#2.0#0#C:\\Windows\\System32\\stdole2.tlb"
          "#OLE Automation")
OFFICE = ("Office",
          "*\\G{2DF8D04C-5BFA-101B-BDE5-00AA0044DE52}#2.0#0#C:\\Program Files\\Common Files"
          "\\Microsoft Shared\\OFFICE16\\MSO.DLL#Microsoft Office 16.0 Object Library")

_DOC_BASES = {
    "workbook": "0{00020819-0000-0000-C000-000000000046}",
    "worksheet": "0{00020820-0000-0000-C000-000000000046}",
}


# --------------------------------------------------------------------------- compression (2.4.1)

def _bit_count(pos: int) -> int:
    """Bits used for the offset of a copy token at ``pos`` bytes into the chunk (>= 4)."""
    bits = 4
    while (1 << bits) < pos:
        bits += 1
    return bits


def _compress_chunk(chunk: bytes) -> bytes:
    out = bytearray()
    heads: dict[bytes, list[int]] = {}
    pos, n = 0, len(chunk)

    def remember(upto: int, start: int) -> None:
        for i in range(start, upto):
            if i + 3 <= n:
                heads.setdefault(chunk[i:i + 3], []).append(i)

    done = 0
    while pos < n:
        flag_at = len(out)
        out.append(0)
        flags = 0
        for bit in range(8):
            if pos >= n:
                break
            remember(pos, done)
            done = pos
            best_len, best_off = 0, 0
            if pos > 0 and pos + 3 <= n:
                bits = _bit_count(pos)
                max_len = min((0xFFFF >> bits) + 3, n - pos)
                # Nearest candidates first; 256 of them bound the time on repetitive input.
                for cand in islice(reversed(heads.get(chunk[pos:pos + 3], ())), 256):
                    length = 3
                    while length < max_len and chunk[cand + length] == chunk[pos + length]:
                        length += 1
                    if length > best_len:
                        best_len, best_off = length, pos - cand
                        if length == max_len:
                            break
            if best_len >= 3:
                bits = _bit_count(pos)
                token = ((best_off - 1) << (16 - bits)) | (best_len - 3)
                out += struct.pack("<H", token)
                flags |= 1 << bit
                pos += best_len
            else:
                out.append(chunk[pos])
                pos += 1
        out[flag_at] = flags
    return bytes(out)


def compress(data: bytes) -> bytes:
    """MS-OVBA CompressedContainer for ``data`` (signature byte, then 4096-byte chunks)."""
    out = bytearray(b"\x01")
    for start in range(0, len(data), 4096):
        chunk = data[start:start + 4096]
        packed = _compress_chunk(chunk)
        if len(packed) <= 4096:
            out += struct.pack("<H", 0xB000 | (len(packed) + 2 - 3))
            out += packed
        else:  # raw chunk: flag bit clear, always 4096 bytes (a short last one is NUL-padded,
            # as MS-OVBA 2.4.1.3.10 says; VBA source text never gets here)
            out += struct.pack("<H", 0x3000 | 0x0FFF)
            out += chunk.ljust(4096, b"\x00")
    return bytes(out)


def decompress(data: bytes) -> bytes:
    """Inverse of :func:`compress` (any valid CompressedContainer)."""
    if not data or data[0] != 1:
        raise ValueError("not an MS-OVBA compressed container")
    out = bytearray()
    pos = 1
    while pos < len(data):
        (header,) = struct.unpack_from("<H", data, pos)
        size = (header & 0x0FFF) + 3
        end = min(pos + size, len(data))
        pos += 2
        start = len(out)
        if not header & 0x8000:
            out += data[pos:pos + 4096]
            pos += 4096
            continue
        while pos < end:
            flags = data[pos]
            pos += 1
            for bit in range(8):
                if pos >= end:
                    break
                if flags & (1 << bit):
                    (token,) = struct.unpack_from("<H", data, pos)
                    pos += 2
                    bits = _bit_count(len(out) - start)
                    length = (token & (0xFFFF >> bits)) + 3
                    offset = (token >> (16 - bits)) + 1
                    for _ in range(length):
                        out.append(out[-offset])
                else:
                    out.append(data[pos])
                    pos += 1
    return bytes(out)


# --------------------------------------------------------------------------- modules

@dataclass(frozen=True)
class Module:
    """A VBA module: its name, source text (with its ``Attribute`` lines) and kind."""

    name: str
    source: str
    kind: str = "standard"  # "standard" (.bas) or "document" (ThisWorkbook, a sheet)

    @property
    def is_document(self) -> bool:
        return self.kind == "document"

    def encoded_source(self) -> bytes:
        text = self.source.replace("\r\n", "\n").replace("\r", "\n")
        if not text.endswith("\n"):
            text += "\n"
        return text.replace("\n", "\r\n").encode(ENCODING)


def module_from_bas(text: str) -> Module:
    """A standard module from the text of an exported ``.bas`` file (needs ``Attribute VB_Name``)."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("Attribute VB_Name"):
            name = stripped.split("=", 1)[1].strip().strip('"')
            if not name.isidentifier() or not name.isascii():
                raise ValueError(f"bad module name {name!r}")
            return Module(name, text)
    raise ValueError("a .bas file must start with: Attribute VB_Name = \"<name>\"")


def document_module(name: str, base: str) -> Module:
    """An empty document module (``base`` is ``"workbook"`` or ``"worksheet"``)."""
    attrs = [
        f'Attribute VB_Name = "{name}"',
        f'Attribute VB_Base = "{_DOC_BASES[base]}"',
        "Attribute VB_GlobalNameSpace = False",
        "Attribute VB_Creatable = False",
        "Attribute VB_PredeclaredId = True",
        "Attribute VB_Exposed = True",
        "Attribute VB_TemplateDerived = False",
        "Attribute VB_Customizable = True",
    ]
    return Module(name, "\n".join(attrs) + "\n", kind="document")


# --------------------------------------------------------------------------- dir stream (2.3.4.2)

def _rec(rec_id: int, data: bytes) -> bytes:
    return struct.pack("<HI", rec_id, len(data)) + data


def _mbcs(text: str) -> bytes:
    return text.encode(ENCODING)


def _utf16(text: str) -> bytes:
    return text.encode("utf-16-le")


def _reference(name: str, libid: str) -> bytes:
    out = _rec(0x0016, _mbcs(name)) + _rec(0x003E, _utf16(name))
    lib = _mbcs(libid)
    body = struct.pack("<I", len(lib)) + lib + struct.pack("<IH", 0, 0)
    return out + _rec(0x000D, body)


def dir_stream(project_name: str, modules: Iterable[Module],
               references: Iterable[tuple[str, str]] = (STDOLE, OFFICE)) -> bytes:
    """The uncompressed ``dir`` stream (compress it with :func:`compress` before storing)."""
    out = bytearray()
    out += _rec(0x0001, struct.pack("<I", 1))            # PROJECTSYSKIND: 32-bit Windows
    out += _rec(0x0002, struct.pack("<I", LCID))         # PROJECTLCID
    out += _rec(0x0014, struct.pack("<I", LCID))         # PROJECTLCIDINVOKE
    out += _rec(0x0003, struct.pack("<H", CODEPAGE))     # PROJECTCODEPAGE
    out += _rec(0x0004, _mbcs(project_name))             # PROJECTNAME
    out += _rec(0x0005, b"") + _rec(0x0040, b"")         # PROJECTDOCSTRING (+ unicode)
    out += _rec(0x0006, b"") + _rec(0x003D, b"")         # PROJECTHELPFILEPATH (1 and 2)
    out += _rec(0x0007, struct.pack("<I", 0))            # PROJECTHELPCONTEXT
    out += _rec(0x0008, struct.pack("<I", 0))            # PROJECTLIBFLAGS
    out += struct.pack("<HIIH", 0x0009, 4, 1, 0)         # PROJECTVERSION (major 1, minor 0)
    out += _rec(0x000C, b"") + _rec(0x003C, b"")         # PROJECTCONSTANTS (+ unicode)
    for name, libid in references:
        out += _reference(name, libid)
    mods = list(modules)
    out += _rec(0x000F, struct.pack("<H", len(mods)))    # PROJECTMODULES
    out += _rec(0x0013, struct.pack("<H", 0xFFFF))       # PROJECTCOOKIE
    for m in mods:
        out += _rec(0x0019, _mbcs(m.name))               # MODULENAME
        out += _rec(0x0047, _utf16(m.name))              # MODULENAMEUNICODE
        out += _rec(0x001A, _mbcs(m.name)) + _rec(0x0032, _utf16(m.name))  # MODULESTREAMNAME
        out += _rec(0x001C, b"") + _rec(0x0048, b"")     # MODULEDOCSTRING
        out += _rec(0x0031, struct.pack("<I", 0))        # MODULEOFFSET: source starts at 0
        out += _rec(0x001E, struct.pack("<I", 0))        # MODULEHELPCONTEXT
        out += _rec(0x002C, struct.pack("<H", 0xFFFF))   # MODULECOOKIE
        out += _rec(0x0022 if m.is_document else 0x0021, b"")  # MODULETYPE
        out += _rec(0x002B, b"")                         # module terminator
    out += _rec(0x0010, b"")                             # dir terminator
    return bytes(out)


# --------------------------------------------------------------------------- PROJECT stream (2.3.1)

def encrypt(project_id: str, data: bytes, seed: int) -> str:
    """MS-OVBA 2.4.3 data encryption, used for the CMG, DPB and GC properties (hex text)."""
    version = 2
    proj_key = sum(project_id.encode("ascii")) & 0xFF
    out = bytearray([seed, seed ^ version, seed ^ proj_key])
    unenc1, enc1, enc2 = proj_key, seed ^ proj_key, seed ^ version
    ignored = bytes([seed] * ((seed & 6) // 2))
    for byte in ignored + struct.pack("<I", len(data)) + data:
        enc = byte ^ ((enc2 + unenc1) & 0xFF)
        out.append(enc)
        enc2, enc1, unenc1 = enc1, enc, byte
    return out.hex().upper()


def decrypt(text: str) -> bytes:
    """Inverse of :func:`encrypt` (returns the data)."""
    raw = bytes.fromhex(text)
    seed, ver_enc, key_enc = raw[0], raw[1], raw[2]
    unenc1, enc1, enc2 = seed ^ key_enc, key_enc, ver_enc
    plain = bytearray()
    for enc in raw[3:]:
        byte = enc ^ ((enc2 + unenc1) & 0xFF)
        plain.append(byte)
        enc2, enc1, unenc1 = enc1, enc, byte
    plain = plain[(seed & 6) // 2:]
    (length,) = struct.unpack_from("<I", plain, 0)
    if length != len(plain) - 4:
        raise ValueError("encrypted length does not match")
    return bytes(plain[4:])


def project_id(modules: Iterable[Module]) -> str:
    """A stable project GUID derived from the module names (same sources, same file)."""
    names = ",".join(m.name for m in modules)
    return "{" + str(uuid.uuid5(uuid.NAMESPACE_URL, "workbook_tools:vba:" + names)).upper() + "}"


def project_stream(project_name: str, modules: Iterable[Module]) -> bytes:
    """The ``PROJECT`` stream: unprotected, no password, visible."""
    mods = list(modules)
    pid = project_id(mods)
    cmg = encrypt(pid, struct.pack("<I", 0), 0x30)  # ProjectProtectionState: not protected
    dpb = encrypt(pid, bytes([0x00]), 0x32)         # ProjectPassword: none
    gc = encrypt(pid, bytes([0xFF]), 0x34)          # ProjectVisibilityState: visible
    lines = [f'ID="{pid}"']
    for m in mods:
        lines.append(f"Document={m.name}/&H00000000" if m.is_document else f"Module={m.name}")
    lines += [
        f'Name="{project_name}"',
        'HelpContextID="0"',
        'VersionCompatible32="393222000"',
        f'CMG="{cmg}"',
        f'DPB="{dpb}"',
        f'GC="{gc}"',
        "",
        "[Host Extender Info]",
        "&H00000001={3832D640-CF90-11CF-8E43-00A0C911005A};VBE;&H00000000",
        "",
        "[Workspace]",
    ]
    lines += [f"{m.name}=0, 0, 0, 0, C" for m in mods]
    return ("\r\n".join(lines) + "\r\n").encode(ENCODING)


def projectwm_stream(modules: Iterable[Module]) -> bytes:
    """The ``PROJECTwm`` stream: each module name in MBCS and UTF-16, then a terminator."""
    out = bytearray()
    for m in modules:
        out += _mbcs(m.name) + b"\x00" + _utf16(m.name) + b"\x00\x00"
    return bytes(out + b"\x00\x00")


# Reserved1 0x61CC, Version 0xFFFF (no compiled state), Reserved2 0x00, Reserved3 (ignored by
# the spec) 0x0001 as in the source-only add-ins xlwings ships and Excel users open every day.
VBA_PROJECT_STREAM = struct.pack("<HHBH", 0x61CC, 0xFFFF, 0x00, 0x0001)


def vba_streams(project_name: str, modules: Iterable[Module]) -> dict[str, bytes]:
    """All streams of the project by path (``"VBA/dir"`` …), ready for :func:`.cfb.build`."""
    mods = list(modules)
    names = [m.name.upper() for m in mods]
    if len(set(names)) != len(names) or project_name.upper() in names:
        raise ValueError("module names must be unique and differ from the project name")
    streams = {
        "PROJECT": project_stream(project_name, mods),
        "PROJECTwm": projectwm_stream(mods),
        "VBA/_VBA_PROJECT": VBA_PROJECT_STREAM,
        "VBA/dir": compress(dir_stream(project_name, mods)),
    }
    for m in mods:
        streams[f"VBA/{m.name}"] = compress(m.encoded_source())
    return streams
