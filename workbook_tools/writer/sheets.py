"""Adding, replacing and removing a generated sheet inside a user's workbook package.

The sheet is rendered on its own by :mod:`.scratch` (XlsxWriter), then transplanted: its sheet
XML, drawing, charts and their relationships become new parts of the target package, its
styles are appended to the target's styles.xml (existing entries never renumbered) and the
``s="…"`` indexes of the transplanted sheet are remapped. ``workbook.xml`` is patched by
splicing bytes: one ``<sheet>`` element added, removed or changed, ``definedName
localSheetId`` and ``workbookView activeTab/firstSheet`` shifted to keep pointing at the same
sheets. calcChain.xml is dropped when a sheet goes away (Excel rebuilds it).
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from xml.sax.saxutils import quoteattr

from ..changeset import GeneratedSheet
from ..errors import UnsafeWrite
from ..i18n import L
from . import scratch
from .package import CT_WORKSHEET, NS_REL, REL_WORKSHEET, Package, Rel, attrs, rels_path

REL_CALC_CHAIN = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/calcChain"
STATES = ("visible", "hidden", "veryHidden")
_SHEET_TAG = re.compile(r"<(\w+:)?sheet\b[^>]*?(?:/>|>\s*</(?:\w+:)?sheet>)", re.S)
_SHEETS = re.compile(r"<(\w+:)?sheets\b[^>]*>(.*?)</(?:\w+:)?sheets>", re.S)


# ---- public entry points ---------------------------------------------------------------------
def add_or_replace_sheet(pkg: Package, sheet: GeneratedSheet, state: str | None = None) -> None:
    """Render ``sheet`` and put it into ``pkg``; a sheet of the same name is replaced in place.

    ``state`` overrides ``sheet.hidden``: "visible", "hidden" or "veryHidden" (only reachable
    through VBA, e.g. the ``_wbt_marks`` bookkeeping sheet).
    """
    state = state or ("hidden" if sheet.hidden else "visible")
    if state not in STATES:
        raise ValueError(f"state must be one of {STATES}, not {state!r}")
    styles = pkg.styles_part()
    if styles is None or not pkg.has(styles):
        raise UnsafeWrite(L("工作簿缺少样式部件（styles.xml）", "The workbook has no styles part (styles.xml)"))
    src = _scratch_package(scratch.render(sheet, scratch.default_font(pkg.read(styles))))
    sheet_xml = src.read("xl/worksheets/sheet1.xml").replace(b' tabSelected="1"', b"")
    new_styles, mapping = scratch.merge_styles(pkg.read(styles), src.read("xl/styles.xml"),
                                               scratch.used_styles(sheet_xml))
    if new_styles != pkg.read(styles):
        pkg.write(styles, new_styles)
    sheet_xml = scratch.remap_styles(sheet_xml, mapping)

    wb = pkg.workbook_part
    existing = _find(pkg, sheet.name)
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
        _retag_sheet(pkg, existing.name, sheet.name, state)
    else:
        rid = pkg.add_rel(wb, REL_WORKSHEET, posixpath.relpath(part, posixpath.dirname(wb)))
        _insert_sheet(pkg, sheet.name, rid, state, sheet.after)
    _fix_views(pkg)


def remove_sheet(pkg: Package, name: str) -> None:
    """Remove a sheet, its part and the parts only it used. Refuses to remove the last visible sheet."""
    ref = _find(pkg, name)
    if ref is None:
        return
    sheets = pkg.sheets()
    if ref.state == "visible" and sum(s.state == "visible" for s in sheets) <= 1:
        raise UnsafeWrite(L("不能删除唯一可见的工作表“{n}”", "Cannot remove '{n}': it is the only visible sheet")
                          .format(n=ref.name), sheet=ref.name)
    idx = [s.name for s in sheets].index(ref.name)
    wb = pkg.workbook_part
    xml = pkg.read(wb).decode("utf-8")
    m = _sheet_match(xml, ref.name)
    assert m is not None
    xml = xml[:m.start()] + xml[m.end():]
    xml = _shift_local_ids(xml, idx, -1, ref.name)
    xml = _shift_views(xml, idx, -1)
    pkg.write(wb, xml.encode("utf-8"))
    pkg.remove_rel(wb, ref.rid)
    _drop_part(pkg, ref.part)
    _drop_calc_chain(pkg)
    _fix_views(pkg)


# ---- workbook.xml splicing ---------------------------------------------------------------------
def _find(pkg: Package, name: str):  # -> SheetRef | None (Excel sheet names are case-insensitive)
    key = name.casefold()
    return next((s for s in pkg.sheets() if s.name.casefold() == key), None)


def _sheet_match(xml: str, name: str) -> re.Match[str] | None:
    block = _SHEETS.search(xml)
    if block is None:
        return None
    for m in _SHEET_TAG.finditer(xml, block.start(2), block.end(2)):
        if attrs(m.group(0).encode()).get("name", "").casefold() == name.casefold():
            return m
    return None


def _rel_prefix(xml: str) -> tuple[str, str]:
    """The prefix bound to the relationships namespace in workbook.xml, and a declaration if none."""
    m = re.search(r'xmlns:(\w+)="' + re.escape(NS_REL) + '"', xml)
    if m:
        return m.group(1), ""
    return "r", f' xmlns:r="{NS_REL}"'


def _insert_sheet(pkg: Package, name: str, rid: str, state: str, after: str | None) -> None:
    wb = pkg.workbook_part
    xml = pkg.read(wb).decode("utf-8")
    block = _SHEETS.search(xml)
    if block is None:
        raise UnsafeWrite(L("workbook.xml 中没有 <sheets>", "workbook.xml has no <sheets> element"))
    prefix = block.group(1) or ""
    tags = list(_SHEET_TAG.finditer(xml, block.start(2), block.end(2)))
    ids = [int(attrs(t.group(0).encode()).get("sheetId", "0")) for t in tags]
    rp, decl = _rel_prefix(xml)
    st = "" if state == "visible" else f' state="{state}"'
    elem = (f"<{prefix}sheet name={quoteattr(name)} sheetId=\"{max(ids, default=0) + 1}\"{st}"
            f"{decl} {rp}:id={quoteattr(rid)}/>")
    idx = len(tags)
    if after is not None:
        for i, t in enumerate(tags):
            if attrs(t.group(0).encode()).get("name", "").casefold() == after.casefold():
                idx = i + 1
                break
    pos = tags[idx - 1].end() if idx > 0 else block.start(2)
    xml = xml[:pos] + elem + xml[pos:]
    xml = _shift_local_ids(xml, idx, +1)
    xml = _shift_views(xml, idx, +1)
    pkg.write(wb, xml.encode("utf-8"))


def _retag_sheet(pkg: Package, old_name: str, new_name: str, state: str) -> None:
    wb = pkg.workbook_part
    xml = pkg.read(wb).decode("utf-8")
    m = _sheet_match(xml, old_name)
    assert m is not None
    tag = m.group(0)
    new = re.sub(r'\sstate="[^"]*"', "", tag)
    new = re.sub(r'\bname="[^"]*"', lambda _: "name=" + quoteattr(new_name), new, count=1)
    if state != "visible":
        new = re.sub(r"(\bsheetId=\"\d+\")", rf'\1 state="{state}"', new, count=1)
    if new != tag:
        pkg.write(wb, (xml[:m.start()] + new + xml[m.end():]).encode("utf-8"))


_DEFINED = re.compile(r"<(\w+:)?definedName\b([^>]*)>(.*?)</(?:\w+:)?definedName>", re.S)


def _shift_local_ids(xml: str, idx: int, delta: int, removed: str | None = None) -> str:
    """Shift ``localSheetId`` ≥ idx by delta; when a sheet is removed drop its local names and
    turn references to it into ``#REF!`` (what Excel itself does)."""
    ref = None
    if removed is not None:
        quoted = "'" + re.escape(removed.replace("'", "''")) + "'"
        bare = re.escape(removed) if re.fullmatch(r"[\w.]+", removed) else "(?!x)x"
        ref = re.compile("(?:" + quoted + "|" + bare + ")!"
                         r"\$?[A-Za-z]{1,3}\$?\d+(?::\$?[A-Za-z]{1,3}\$?\d+)?", re.I)

    def one(m: re.Match[str]) -> str:
        a = m.group(2)
        lm = re.search(r'localSheetId="(\d+)"', a)
        if lm:
            n = int(lm.group(1))
            if removed is not None and n == idx:
                return ""
            if n >= idx:
                a = a.replace(lm.group(0), f'localSheetId="{n + delta}"')
        body = m.group(3)
        if ref is not None:
            body = ref.sub("#REF!", body)
        p = m.group(1) or ""
        return f"<{p}definedName{a}>{body}</{p}definedName>"

    return _DEFINED.sub(one, xml)


def _shift_views(xml: str, idx: int, delta: int) -> str:
    def one(m: re.Match[str]) -> str:
        tag = m.group(0)
        for name in ("activeTab", "firstSheet"):
            am = re.search(rf'\b{name}="(\d+)"', tag)
            if am and (int(am.group(1)) > idx or (delta > 0 and int(am.group(1)) == idx)):
                tag = tag.replace(am.group(0), f'{name}="{int(am.group(1)) + delta}"')
        return tag

    return re.sub(r"<(?:\w+:)?workbookView\b[^>]*>", one, xml)


def _fix_views(pkg: Package) -> None:
    """activeTab and firstSheet must point at an existing, visible sheet."""
    sheets = pkg.sheets()
    visible = [i for i, s in enumerate(sheets) if s.state == "visible"]
    if not visible:
        return
    wb = pkg.workbook_part
    xml = pkg.read(wb).decode("utf-8")

    def one(m: re.Match[str]) -> str:
        tag = m.group(0)
        for name in ("activeTab", "firstSheet"):
            am = re.search(rf'\b{name}="(\d+)"', tag)
            if am and (int(am.group(1)) >= len(sheets) or sheets[int(am.group(1))].state != "visible"):
                tag = tag.replace(am.group(0), f'{name}="{visible[0]}"')
        if not re.search(r'\bactiveTab="', tag) and visible[0] != 0:  # default 0 is not visible
            tag = re.sub(r"(<(?:\w+:)?workbookView\b)", rf'\1 activeTab="{visible[0]}"', tag, count=1)
        return tag

    new = re.sub(r"<(?:\w+:)?workbookView\b[^>]*>", one, xml)
    if new != xml:
        pkg.write(wb, new.encode("utf-8"))


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
