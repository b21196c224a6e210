"""Adding, replacing and removing a generated sheet inside a user's workbook package.

The sheet is rendered on its own by :mod:`.scratch` (XlsxWriter), then transplanted: its sheet
XML, drawing, charts and their relationships become new parts of the target package, its
styles are appended to the target's styles.xml (existing entries never renumbered) and the
``s="…"`` indexes of the transplanted sheet are remapped. ``workbook.xml`` is patched by
splicing bytes (:mod:`.workbookxml`). calcChain.xml is dropped when a sheet goes away (Excel rebuilds it).
"""

from __future__ import annotations

import posixpath
import re
import zipfile

from ..changeset import GeneratedSheet
from ..errors import UnsafeWrite
from ..i18n import L
from . import scratch, scratchstyles
from .package import CT_WORKSHEET, REL_WORKSHEET, Package, Rel, rels_path
from .stylesheet import ensure_styles
from .workbookxml import drop_sheet_entry, find_sheet, fix_views, insert_sheet, retag_sheet, workbook_flag

REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
STATES = ("visible", "hidden", "veryHidden")


# ---- public entry points ---------------------------------------------------------------------
def add_or_replace_sheet(pkg: Package, sheet: GeneratedSheet, state: str | None = None) -> None:
    """Render ``sheet`` and put it into ``pkg``; a sheet of the same name is replaced in place.

    ``state`` overrides ``sheet.hidden``: "visible", "hidden" or "veryHidden" (only reachable
    through VBA, e.g. the ``_wbt_marks`` bookkeeping sheet).
    """
    state = state or ("hidden" if sheet.hidden else "visible")
    if state not in STATES:
        raise ValueError(f"state must be one of {STATES}, not {state!r}")
    styles = ensure_styles(pkg)
    src = _scratch_package(scratch.render(sheet, scratchstyles.default_font(pkg.read(styles)),
                                          date1904=workbook_flag(pkg, "workbookPr", "date1904")))
    sheet_xml = src.read("xl/worksheets/sheet1.xml").replace(b' tabSelected="1"', b"")
    new_styles, mapping = scratchstyles.merge_styles(pkg.read(styles), src.read("xl/styles.xml"),
                                               scratchstyles.used_styles(sheet_xml))
    if new_styles != pkg.read(styles):
        pkg.write(styles, new_styles)
    sheet_xml = scratchstyles.remap_styles(sheet_xml, mapping)

    wb = pkg.workbook_part
    existing = find_sheet(pkg, sheet.name)
    if existing is not None:
        if pkg.content_type(existing.part) != CT_WORKSHEET:
            raise UnsafeWrite(L("“{n}”不是普通工作表（图表工作表等），不能替换",
                                "'{n}' is not a worksheet (a chart sheet?): not replacing it").format(n=existing.name),
                              sheet=existing.name)
        part = existing.part
        _drop_part(pkg, part)
        _drop_calc_chain(pkg)
    else:
        part = pkg.new_part_name(posixpath.join(posixpath.dirname(wb), "worksheets/sheet{}.xml"))
    rels = []
    for rel in src.rels("xl/worksheets/sheet1.xml"):
        if rel.external:
            rels.append(rel)
        else:
            new = _transplant(src, pkg, src.target("xl/worksheets/sheet1.xml", rel))
            rels.append(Rel(rel.id, rel.type, posixpath.relpath(new, posixpath.dirname(part))))
    pkg.write(part, sheet_xml, CT_WORKSHEET)
    if rels:
        pkg.write_rels(part, rels)
    if existing is not None:
        retag_sheet(pkg, existing.name, sheet.name, state)
    else:
        rid = pkg.add_rel(wb, REL_WORKSHEET, posixpath.relpath(part, posixpath.dirname(wb)))
        insert_sheet(pkg, sheet.name, rid, state, sheet.after)
    fix_views(pkg)


def remove_sheet(pkg: Package, name: str) -> None:
    """Remove a sheet, its part and the parts only it used. Refuses to remove the last visible sheet."""
    ref = find_sheet(pkg, name)
    if ref is None:
        return
    sheets = pkg.sheets()
    if ref.state == "visible" and sum(s.state == "visible" for s in sheets) <= 1:
        raise UnsafeWrite(L("不能删除唯一可见的工作表“{n}”", "Cannot remove '{n}': it is the only visible sheet")
                          .format(n=ref.name), sheet=ref.name)
    idx = [s.name for s in sheets].index(ref.name)
    wb = pkg.workbook_part
    pkg.write(wb, drop_sheet_entry(pkg.read(wb).decode("utf-8"), ref.name, idx).encode("utf-8"))
    pkg.remove_rel(wb, ref.rid)
    _drop_part(pkg, ref.part)
    _drop_calc_chain(pkg)
    fix_views(pkg)


# ---- parts -----------------------------------------------------------------------------------------
def _scratch_package(parts: dict[str, bytes]) -> Package:
    return Package([zipfile.ZipInfo(n) for n in parts], parts)


def _transplant(src: Package, pkg: Package, part: str) -> str:
    """Copy a scratch part (and, recursively, what it points at) into ``pkg`` under a free name."""
    base = posixpath.dirname(pkg.workbook_part)
    rel_name = part[3:] if part.startswith("xl/") else part
    pattern = posixpath.join(base, re.sub(r"\d*(\.\w+)$", r"{}\1", rel_name))
    new = pkg.new_part_name(pattern)
    ctype = src.content_type(part)
    ext = part.rsplit(".", 1)[-1]
    src_ct = src.read("[Content_Types].xml").decode("utf-8")
    if f'PartName="/{part}"' in src_ct:
        pkg.write(new, src.read(part), ctype)
    else:
        pkg.write(new, src.read(part))
        if ctype:
            pkg.ensure_default(ext, ctype)
    rels = []
    for rel in src.rels(part):
        if rel.external:
            rels.append(rel)
        else:
            child = _transplant(src, pkg, src.target(part, rel))
            rels.append(Rel(rel.id, rel.type, posixpath.relpath(child, posixpath.dirname(new))))
    if rels:
        pkg.write_rels(new, rels)
    return new


def _referenced(pkg: Package) -> set[str]:
    """Every part some relationship in the package points at."""
    out: set[str] = set()
    for name in pkg.names():
        if not name.endswith(".rels"):
            continue
        d, f = posixpath.split(name)
        source = posixpath.join(posixpath.dirname(d), f[:-5]) if d.endswith("_rels") else ""
        if d == "_rels":
            source = ""
        for rel in pkg.rels(source):
            if not rel.external:
                out.add(pkg.target(source, rel))
    return out


def _drop_part(pkg: Package, part: str) -> None:
    """Remove ``part`` and, recursively, every part it pointed at that nothing else points at."""
    children = [pkg.target(part, r) for r in pkg.rels(part) if not r.external]
    pkg.remove(part)
    if pkg.has(rels_path(part)):
        pkg.remove(rels_path(part))
    still = _referenced(pkg)
    for child in children:
        if pkg.has(child) and child not in still:
            _drop_part(pkg, child)


def _drop_calc_chain(pkg: Package) -> None:
    wb = pkg.workbook_part
    for rel in pkg.rels(wb):
        if rel.type == REL_CALC_CHAIN:
            pkg.remove_rel(wb, rel.id)
            target = pkg.target(wb, rel)
            if pkg.has(target):
                pkg.remove(target)
