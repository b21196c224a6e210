"""The open package plus what a write needs while it runs: sheet XML being patched, the
stylesheet being appended to, shared strings, the date system.

Sheet parts are patched in memory and written back into the package by :meth:`Book.flush`.
"""

from __future__ import annotations

import posixpath

from ..model import col_letter
from .cells import CellPatch, patch_cells
from .package import CT_WORKSHEET, NS_MAIN, NS_REL, REL_WORKSHEET, Package, SheetRef
from .stylesheet import MINIMAL_STYLES, Stylesheet, ensure_styles
from .values import SharedStrings, value_xml
from .workbookxml import insert_sheet, workbook_flag

REL_SST = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"


class Book:
    def __init__(self, pkg: Package) -> None:
        self.pkg = pkg
        self.wb_part = pkg.workbook_part
        self.date1904 = workbook_flag(pkg, "workbookPr", "date1904")
        self.structure_locked = workbook_flag(pkg, "workbookProtection", "lockStructure")
        sst_part = next((pkg.target(self.wb_part, r) for r in pkg.rels(self.wb_part) if r.type == REL_SST), None)
        self.sst = SharedStrings(pkg.read(sst_part) if sst_part and pkg.has(sst_part) else None)
        self.styles_part = pkg.styles_part()
        self.styles = Stylesheet(pkg.read(self.styles_part) if self.styles_part and pkg.has(self.styles_part)
                                 else MINIMAL_STYLES)
        self._xml: dict[str, bytes] = {}
        self._dirty: set[str] = set()
        self.refresh()

    def refresh(self) -> None:
        """Re-read the sheet list (after sheets were added or removed)."""
        self.refs: dict[str, SheetRef] = {s.name: s for s in self.pkg.sheets()}
        self._xml = {k: v for k, v in self._xml.items() if k in self.refs}

    def has_sheet(self, name: str) -> bool:
        return name in self.refs and self.pkg.has(self.refs[name].part)

    def xml(self, name: str) -> bytes:
        if name not in self._xml:
            self._xml[name] = self.pkg.read(self.refs[name].part)
        return self._xml[name]

    def set_xml(self, name: str, blob: bytes) -> None:
        if blob != self.xml(name):
            self._xml[name] = blob
            self._dirty.add(name)

    def patch(self, name: str, patches: dict[tuple[int, int], CellPatch]) -> None:
        if patches:
            self.set_xml(name, patch_cells(self.xml(name), patches, self.date1904))

    def flush(self) -> None:
        """Write patched sheets and the stylesheet back into the package."""
        for name in sorted(self._dirty):
            if name in self.refs:
                self.pkg.write(self.refs[name].part, self._xml[name])
        self._dirty.clear()
        if self.styles.changed:
            if not (self.styles_part and self.pkg.has(self.styles_part)):  # a workbook without a stylesheet
                self.styles_part = ensure_styles(self.pkg)
            self.pkg.write(self.styles_part, self.styles.to_bytes())
            self.styles = Stylesheet(self.pkg.read(self.styles_part))

    def drop_cache(self) -> None:
        """Forget parsed parts after another module changed the package directly."""
        self.flush()
        self._xml.clear()
        self.styles_part = self.pkg.styles_part()  # another module may have created it
        if self.styles_part and self.pkg.has(self.styles_part):
            self.styles = Stylesheet(self.pkg.read(self.styles_part))

    # ---- a small sheet part of our own (change log, mark records) ----------------------------------
    def add_sheet(self, name: str, rows: list[list[object]], state: str = "visible",
                  header_style: int | None = None, widths: list[float] | None = None) -> SheetRef:
        """Add a new worksheet at the end of the workbook holding ``rows`` (row 1 = headers);
        ``widths``: column widths from column A on, in characters."""
        base = posixpath.dirname(self.wb_part)
        part = self.pkg.new_part_name(posixpath.join(base, "worksheets/sheet{}.xml"))
        self.pkg.write(part, sheet_xml(rows, header_style, widths), CT_WORKSHEET)
        rid = self.pkg.add_rel(self.wb_part, REL_WORKSHEET, posixpath.relpath(part, base or "."))
        insert_sheet(self.pkg, name, rid, state)
        self.refresh()
        return self.refs[name]


def sheet_xml(rows: list[list[object]], header_style: int | None = None, widths: list[float] | None = None) -> bytes:
    """A plain worksheet part with the given values (text as inline strings) and column widths."""
    letters = [col_letter(j) for j in range(1, max(map(len, rows), default=0) + 1)]
    tails: dict[tuple[type, object], bytes] = {}   # a value's attributes and inner XML, made once (logs repeat)

    def tail(v: object, style: str) -> bytes:
        t, inner = value_xml(v)
        tt = f' t="{t}"' if t else ""
        return f"{style}{tt}>".encode() + inner + b"</c>"

    out = []
    for i, row in enumerate(rows, start=1):
        cells = []
        for letter, v in zip(letters, row):
            if v is None:
                continue
            if i == 1 and header_style:
                end = tail(v, f' s="{header_style}"')
            else:
                try:
                    end = tails.get((v.__class__, v)) or tails.setdefault((v.__class__, v), tail(v, ""))
                except TypeError:  # an unhashable value
                    end = tail(v, "")
            cells.append(f'<c r="{letter}{i}"'.encode() + end)
        out.append(f'<row r="{i}">'.encode() + b"".join(cells) + b"</row>")
    body = b"".join(out)
    cols = b"".join(f'<col min="{i}" max="{i}" width="{w:g}" customWidth="1"/>'.encode()
                    for i, w in enumerate(widths or (), start=1))
    return (b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
            b'<worksheet xmlns="' + NS_MAIN.encode() + b'" xmlns:r="' + NS_REL.encode() + b'">'
            + (b"<cols>" + cols + b"</cols>" if cols else b"")
            + (b"<sheetData>" + body + b"</sheetData>" if body else b"<sheetData/>")
            + b"</worksheet>")
