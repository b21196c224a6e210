"""Growing Excel Tables (ListObjects) when edits add rows right below them or header cells
right of them, so the new rows and columns join the table (filters, banding, structured refs)."""

from __future__ import annotations

import re
from typing import Any
from xml.sax.saxutils import quoteattr

from ..model import col_letter, split_ref
from .package import Package, attrs

REL_TABLE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/table"


def _ref(ref: str) -> tuple[int, int, int, int]:
    a, _, b = ref.replace("$", "").partition(":")
    r1, c1 = split_ref(a)
    r2, c2 = split_ref(b or a)
    return r1, c1, r2, c2


def extend_tables(pkg: Package, sheet_part: str, values: dict[tuple[int, int], Any]) -> int:
    """Extend each table of the sheet; returns how many tables changed."""
    changed = 0
    for rel in pkg.rels(sheet_part):
        if rel.type != REL_TABLE or rel.external:
            continue
        part = pkg.target(sheet_part, rel)
        if not pkg.has(part):
            continue
        xml = pkg.read(part)
        new = _extend(xml, values)
        if new != xml:
            pkg.write(part, new)
            changed += 1
    return changed


def _extend(xml: bytes, values: dict[tuple[int, int], Any]) -> bytes:
    m = re.search(rb"<(?:\w+:)?table\b[^>]*>", xml)
    if not m:
        return xml
    a = attrs(m.group(0))
    r1, c1, r2, c2 = _ref(a["ref"])
    header = a.get("headerRowCount", "1") != "0"
    totals = int(a.get("totalsRowCount", "0") or 0) > 0
    # rows directly below
    if not totals:
        while any(values.get((r2 + 1, c)) not in (None, "") for c in range(c1, c2 + 1)):
            r2 += 1
    # header cells directly right
    names = [attrs(t).get("name", "") for t in re.findall(rb"<(?:\w+:)?tableColumn\b[^>]*>", xml)]
    new_cols: list[str] = []
    if header:
        while isinstance(values.get((r1, c2 + 1)), str) and values[(r1, c2 + 1)].strip():
            name = values[(r1, c2 + 1)].strip()
            base, n = name, 2
            while name in names:
                name, n = f"{base}{n}", n + 1
            names.append(name)
            new_cols.append(name)
            c2 += 1
    new_ref = f"{col_letter(c1)}{r1}:{col_letter(c2)}{r2}"
    if new_ref == a["ref"] and not new_cols:
        return xml
    xml = xml[:m.start()] + re.sub(rb'(\sref\s*=\s*")[^"]*(")', lambda x: x.group(1) + new_ref.encode() + x.group(2),
                                   m.group(0), count=1) + xml[m.end():]
    xml = re.sub(rb'(<(?:\w+:)?autoFilter\b[^>]*?\sref\s*=\s*")[^"]*(")',
                 lambda x: x.group(1) + new_ref.encode() + x.group(2), xml, count=1)
    if new_cols:
        cm = re.search(rb"<((?:\w+:)?)tableColumns\b[^>]*>", xml)
        if cm:
            pfx = cm.group(1)
            ids = [int(i) for i in re.findall(rb'<(?:\w+:)?tableColumn\b[^>]*?\sid="(\d+)"', xml)]
            els = b"".join(b"<" + pfx + f'tableColumn id="{max(ids, default=0) + i + 1}" name={quoteattr(n)}/>'.encode()
                           for i, n in enumerate(new_cols))
            end = xml.find(b"</" + pfx + b"tableColumns>", cm.end())
            xml = xml[:end] + els + xml[end:]
            head = re.sub(rb'(\scount\s*=\s*")\d+(")', lambda x: x.group(1) + str(len(names)).encode() + x.group(2),
                          cm.group(0), count=1)
            xml = xml[:cm.start()] + head + xml[cm.end():]
    return xml

