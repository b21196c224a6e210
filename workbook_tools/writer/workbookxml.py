"""Splicing ``workbook.xml``: one ``<sheet>`` element added, removed or changed, ``definedName
localSheetId`` and ``workbookView activeTab/firstSheet`` shifted to keep pointing at the same
sheets. Every other byte of the part stays as it was.

A new ``<sheet>`` takes the prefix of its ``<sheets>`` parent and the prefix bound to the
relationships namespace where it goes; when none is bound there (System.IO.Packaging-based
writers declare ``xmlns:r`` on each ``<sheet>``), it declares its own.
"""

from __future__ import annotations

import re
from xml.sax.saxutils import quoteattr

from ..errors import UnsafeWrite
from ..i18n import L
from .package import NS_REL, Package, SheetRef, attrs
from .xmlns import qualified, scope

_P = r"(?:[\w.\-]+:)?"
_ROOT = re.compile(r"<(?![?!])[^>]*>")
_SHEET_TAG = re.compile(rf"<({_P})sheet\b[^>]*?(?:/>|>\s*</{_P}sheet>)", re.S)
_SHEETS = re.compile(rf"<({_P})sheets\b[^>]*>(.*?)</{_P}sheets>", re.S)
_DEFINED = re.compile(rf"<({_P})definedName\b([^>]*)>(.*?)</{_P}definedName>", re.S)
_VIEW = re.compile(rf"<{_P}workbookView\b[^>]*>")
_LOCAL_ID = re.compile(r"""\blocalSheetId\s*=\s*["'](\d+)["']""")


def _attr_re(name: str) -> re.Pattern[str]:
    return re.compile(rf"""(\s{name}\s*=\s*)("[^"]*"|'[^']*')""")


def workbook_flag(pkg: Package, element: str, attribute: str) -> bool:
    """Whether a boolean attribute of a workbook.xml element is on (``date1904`` of ``workbookPr``,
    ``lockStructure`` of ``workbookProtection``)."""
    m = re.search(rf"<{_P}{element}\b[^>]*>".encode(), pkg.read(pkg.workbook_part))
    return bool(m) and attrs(m.group(0)).get(attribute, "").strip().lower() in ("1", "true")  # type: ignore[union-attr]


def find_sheet(pkg: Package, name: str) -> SheetRef | None:
    """The sheet called ``name`` (Excel sheet names are case-insensitive)."""
    key = name.casefold()
    return next((s for s in pkg.sheets() if s.name.casefold() == key), None)


def sheet_match(xml: str, name: str) -> re.Match[str] | None:
    block = _SHEETS.search(xml)
    if block is None:
        return None
    for m in _SHEET_TAG.finditer(xml, block.start(2), block.end(2)):
        if attrs(m.group(0).encode()).get("name", "").casefold() == name.casefold():
            return m
    return None


def insert_sheet(pkg: Package, name: str, rid: str, state: str = "visible", after: str | None = None) -> None:
    """Add a ``<sheet>`` for relationship ``rid`` after the sheet ``after`` (default: last)."""
    wb = pkg.workbook_part
    xml = pkg.read(wb).decode("utf-8")
    block = _SHEETS.search(xml)
    root = _ROOT.search(xml)
    if block is None or root is None:
        raise UnsafeWrite(L("workbook.xml 中没有 <sheets>", "workbook.xml has no <sheets> element"))
    prefix = block.group(1) or ""
    bindings = scope(root.group(0).encode(), xml[block.start():block.start(2)].encode())
    rid_attr, decl = qualified(bindings, NS_REL, "id", avoid=prefix.rstrip(":"))
    tags = list(_SHEET_TAG.finditer(xml, block.start(2), block.end(2)))
    ids = [int(attrs(t.group(0).encode()).get("sheetId", "0") or 0) for t in tags]
    st = "" if state == "visible" else f' state="{state}"'
    elem = (f"<{prefix}sheet name={quoteattr(name)} sheetId=\"{max(ids, default=0) + 1}\"{st}"
            f"{decl} {rid_attr}={quoteattr(rid)}/>")
    idx = len(tags)
    if after is not None:
        for i, t in enumerate(tags):
            if attrs(t.group(0).encode()).get("name", "").casefold() == after.casefold():
                idx = i + 1
                break
    pos = tags[idx - 1].end() if idx > 0 else block.start(2)
    xml = xml[:pos] + elem + xml[pos:]
    xml = shift_local_ids(xml, idx, +1)
    xml = shift_views(xml, idx, +1)
    pkg.write(wb, xml.encode("utf-8"))


def retag_sheet(pkg: Package, old_name: str, new_name: str, state: str) -> None:
    wb = pkg.workbook_part
    xml = pkg.read(wb).decode("utf-8")
    m = sheet_match(xml, old_name)
    assert m is not None
    tag = m.group(0)
    new = _attr_re("state").sub("", tag)
    new = _attr_re("name").sub(lambda x: x.group(1) + quoteattr(new_name), new, count=1)
    if state != "visible":
        new = re.sub(r"""(\bsheetId\s*=\s*["']\d+["'])""", rf'\1 state="{state}"', new, count=1)
    if new != tag:
        pkg.write(wb, (xml[:m.start()] + new + xml[m.end():]).encode("utf-8"))


def drop_sheet_entry(xml: str, name: str, idx: int) -> str:
    """workbook.xml without the ``<sheet>`` of ``name`` (at position ``idx``) and what pointed at it."""
    m = sheet_match(xml, name)
    assert m is not None
    xml = xml[:m.start()] + xml[m.end():]
    return shift_views(shift_local_ids(xml, idx, -1, name), idx, -1)


def shift_local_ids(xml: str, idx: int, delta: int, removed: str | None = None) -> str:
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
        lm = _LOCAL_ID.search(a)
        if lm:
            n = int(lm.group(1))
            if removed is not None and n == idx:
                return ""
            if n >= idx:
                a = a[:lm.start()] + f'localSheetId="{n + delta}"' + a[lm.end():]
        body = m.group(3)
        if ref is not None:
            body = ref.sub("#REF!", body)
        p = m.group(1) or ""
        return f"<{p}definedName{a}>{body}</{p}definedName>"

    return _DEFINED.sub(one, xml)


def _view_index(tag: str, name: str) -> re.Match[str] | None:
    return re.search(rf"""\b{name}\s*=\s*["'](\d+)["']""", tag)


def shift_views(xml: str, idx: int, delta: int) -> str:
    def one(m: re.Match[str]) -> str:
        tag = m.group(0)
        for name in ("activeTab", "firstSheet"):
            am = _view_index(tag, name)
            if am and (int(am.group(1)) > idx or (delta > 0 and int(am.group(1)) == idx)):
                tag = tag[:am.start()] + f'{name}="{int(am.group(1)) + delta}"' + tag[am.end():]
        return tag

    return _VIEW.sub(one, xml)


def fix_views(pkg: Package) -> None:
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
            am = _view_index(tag, name)
            if am and (int(am.group(1)) >= len(sheets) or sheets[int(am.group(1))].state != "visible"):
                tag = tag[:am.start()] + f'{name}="{visible[0]}"' + tag[am.end():]
        if _view_index(tag, "activeTab") is None and visible[0] != 0:  # default 0 is not visible
            tag = re.sub(rf"(<{_P}workbookView\b)", rf'\1 activeTab="{visible[0]}"', tag, count=1)
        return tag

    new = _VIEW.sub(one, xml)
    if new != xml:
        pkg.write(wb, new.encode("utf-8"))
