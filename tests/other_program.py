"""Another program editing a workbook while a ``wbt`` command runs (a colleague's save on a shared
drive, a sync client): run as a separate process, ``python tests/other_program.py FILE OP SHEET ARG``.

OP is ``change`` (ARG = ``B3=text``: set one cell), ``insert`` (ARG = row number: a new row there,
the rows below it move down by one) or ``delete`` (ARG = row number: the rows below move up).
The sheet part is rewritten with the new row numbers (cells, rows, dimension, merged ranges,
table ranges) and the package is saved the way office programs save: a new file renamed over the
old one (``--in-place``: the same file truncated and rewritten, as some sync clients do).
"""

from __future__ import annotations

import os
import re
import sys
import zipfile
from pathlib import Path

_REF = re.compile(r'(\b(?:r|ref|sqref)=")([^"]*)(")')
_CELL = re.compile(r"(\$?[A-Z]{1,3}\$?)(\d+)")


def _sheet_part(parts: dict[str, bytes], name: str) -> str:
    wb = parts["xl/workbook.xml"].decode()
    tag = next(t for t in re.findall(r"<(?:\w+:)?sheet\b[^>]*>", wb) if f'name="{name}"' in t)
    rid = re.search(r'\br:id="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
    rels = parts["xl/_rels/workbook.xml.rels"].decode()
    rel = next(t for t in re.findall(r"<Relationship\b[^>]*>", rels) if f'Id="{rid}"' in t)
    target = re.search(r'Target="([^"]+)"', rel).group(1)  # type: ignore[union-attr]
    return target.lstrip("/") if target.startswith("/") else "xl/" + target


def _shift_refs(xml: str, at: int, delta: int) -> str:
    """Every row number ≥ ``at`` in r/ref/sqref attributes moved by ``delta``."""
    def cell(m: re.Match[str]) -> str:
        n = int(m.group(2))
        return m.group(1) + str(n + delta if n >= at else n)

    def attr(m: re.Match[str]) -> str:
        value = m.group(2)
        if value.isdigit():  # <row r="N">
            n = int(value)
            return m.group(1) + str(n + delta if n >= at else n) + m.group(3)
        return m.group(1) + _CELL.sub(cell, value) + m.group(3)

    return _REF.sub(attr, xml)


def _rows(xml: str) -> tuple[int, int]:
    start = xml.index("<sheetData>") + len("<sheetData>")
    return start, xml.index("</sheetData>")


def edit(parts: dict[str, bytes], op: str, sheet: str, arg: str) -> None:
    part = _sheet_part(parts, sheet)
    xml = parts[part].decode()
    if op == "change":
        ref, _, text = arg.partition("=")
        row = int(_CELL.fullmatch(ref).group(2))  # type: ignore[union-attr]
        new = f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'
        m = re.search(rf'<c r="{ref}"[^>]*?(?:/>|>.*?</c>)', xml, re.S)
        if m:
            xml = xml[:m.start()] + new + xml[m.end():]
        else:
            rm = re.search(rf'<row r="{row}"[^>]*>', xml)
            assert rm is not None, f"row {row} not found"
            xml = xml[:rm.end()] + new + xml[rm.end():]  # (cells out of order are still read)
    elif op == "insert":
        at = int(arg)
        xml = _shift_refs(xml, at, +1)
        m = re.search(rf'<row r="{at + 1}"[^>]*>', xml)
        lo, hi = _rows(xml)
        pos = m.start() if m else hi
        xml = xml[:pos] + f'<row r="{at}"><c r="B{at}" t="inlineStr"><is><t>插入的行</t></is></c></row>' + xml[pos:]
        for name in list(parts):
            if name.startswith("xl/tables/"):
                parts[name] = _shift_refs(parts[name].decode(), at, +1).encode()
    elif op == "delete":
        at = int(arg)
        m = re.search(rf'<row r="{at}"[^>]*?(?:/>|>.*?</row>)', xml, re.S)
        assert m is not None, f"row {at} not found"
        xml = xml[:m.start()] + xml[m.end():]
        xml = _shift_refs(xml, at + 1, -1)
    else:
        raise SystemExit(f"unknown operation {op}")
    parts[part] = xml.encode()


def save(path: Path, parts: dict[str, bytes], order: list[str], in_place: bool) -> None:
    tmp = path.with_name(path.name + ".other-program")
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as z:
        for name in order:
            z.writestr(name, parts[name])
    if in_place:
        data = tmp.read_bytes()
        tmp.unlink()
        with open(path, "r+b") as fh:
            fh.write(data)
            fh.truncate()
    else:
        os.replace(tmp, path)


def main(argv: list[str]) -> int:
    in_place = "--in-place" in argv
    path, op, sheet, arg = [a for a in argv[1:] if a != "--in-place"]
    with zipfile.ZipFile(path) as z:
        order = z.namelist()
        parts = {n: z.read(n) for n in order}
    edit(parts, op, sheet, arg)
    save(Path(path), parts, order, in_place)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
