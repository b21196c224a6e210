"""Cell notes (legacy comments) added to a sheet of a user's workbook by splicing bytes.

A note lives in two parts: ``xl/commentsN.xml`` holds the text and author, and a legacy VML
drawing (``xl/drawings/vmlDrawingN.vml``) holds one hidden ``ObjectType="Note"`` shape per
commented cell; the sheet points at the VML with ``<legacyDrawing r:id>``. When the sheet
already has comments (Excel, WPS, XlsxWriter) or a VML drawing (form buttons), new notes are
appended to those parts and nothing in them is rewritten.

A note replaces an earlier note on the same cell by the same author. When another author's
note is on the cell, ours is appended to it as a separate run starting ``[author]`` (a cell
holds one comment), so the user's note is kept; a later run replaces only that run.
"""

from __future__ import annotations

import posixpath
import re
from xml.sax.saxutils import quoteattr

from ..changeset import CellNote
from ..errors import UnsafeWrite
from ..i18n import L
from ..model import split_ref
from .package import NS_MAIN, NS_REL, Package, attrs, xml_text
from .xmlns import declared, qualified, scope, unescape

REL_COMMENTS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/comments"
REL_VML = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/vmlDrawing"
CT_COMMENTS = "application/vnd.openxmlformats-officedocument.spreadsheetml.comments+xml"
CT_VML = "application/vnd.openxmlformats-officedocument.vmlDrawing"

# CT_Worksheet children that come after <legacyDrawing> (ECMA-376 Part 1, 18.3.1.99).
_AFTER_LEGACY = {"legacyDrawingHF", "drawingHF", "picture", "oleObjects", "controls", "webPublishItems",
                 "tableParts", "extLst", "AlternateContent"}
_TAG = re.compile(r"<(/?)([\w:.-]+)([^>]*?)(/?)>|<!--.*?-->|<\?.*?\?>|<!\[CDATA\[.*?\]\]>", re.S)

_VML_NS = {"v": "urn:schemas-microsoft-com:vml", "o": "urn:schemas-microsoft-com:office:office",
           "x": "urn:schemas-microsoft-com:office:excel"}
_VML_HEAD = (
    '<xml xmlns:v="urn:schemas-microsoft-com:vml" xmlns:o="urn:schemas-microsoft-com:office:office" '
    'xmlns:x="urn:schemas-microsoft-com:office:excel">'
    '<o:shapelayout v:ext="edit"><o:idmap v:ext="edit" data="{idmap}"/></o:shapelayout>'
    '<v:shapetype id="_x0000_t202" coordsize="21600,21600" o:spt="202" path="m,l,21600r21600,l21600,xe">'
    '<v:stroke joinstyle="miter"/><v:path gradientshapeok="t" o:connecttype="rect"/></v:shapetype>'
)


def apply_notes(pkg: Package, sheet_name: str, notes: list[CellNote]) -> None:
    """Add or replace ``notes`` on cells of ``sheet_name``."""
    if not notes:
        return
    ref = pkg.sheet(sheet_name)
    if ref is None or not pkg.has(ref.part):
        raise UnsafeWrite(L("找不到工作表“{n}”", "Sheet '{n}' not found").format(n=sheet_name), sheet=sheet_name)
    part = ref.part
    sheet_xml = pkg.read(part)
    rels = pkg.rels(part)
    comments = next((pkg.target(part, r) for r in rels if r.type == REL_COMMENTS), None)
    vml = next((pkg.target(part, r) for r in rels if r.type == REL_VML), None)
    base = posixpath.dirname(pkg.workbook_part)
    if comments is None or not pkg.has(comments):
        comments = pkg.new_part_name(posixpath.join(base, "comments{}.xml"))
        pkg.write(comments, (f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<comments xmlns="{NS_MAIN}">'
                             "<authors></authors><commentList></commentList></comments>").encode(), CT_COMMENTS)
        pkg.add_rel(part, REL_COMMENTS, posixpath.relpath(comments, posixpath.dirname(part)))
    if vml is None or not pkg.has(vml):
        vml = pkg.new_part_name(posixpath.join(base, "drawings/vmlDrawing{}.vml"))
        idmap = _free_idmap(pkg)
        pkg.write(vml, (_VML_HEAD.format(idmap=idmap) + "</xml>").encode())
        pkg.ensure_default("vml", CT_VML)
        rid = pkg.add_rel(part, REL_VML, posixpath.relpath(vml, posixpath.dirname(part)))
        pkg.write(part, _insert_legacy_drawing(sheet_xml, rid))
    notes = _last_per_cell(notes)
    pkg.write(comments, _put_comments(pkg.read(comments).decode("utf-8"), notes).encode("utf-8"))
    drawing = pkg.read(vml)
    new_shapes = []
    have = _note_cells(drawing)
    for note in notes:
        rc = split_ref(note.cell.replace("$", "").upper())
        if rc not in have:
            have.add(rc)
            new_shapes.append(rc)
    if new_shapes:
        pkg.write(vml, _add_shapes(drawing, new_shapes))


def _last_per_cell(notes: list[CellNote]) -> list[CellNote]:
    out: dict[tuple[str, str], CellNote] = {}
    for n in notes:
        out[(n.cell.replace("$", "").upper(), n.author)] = n
    return list(out.values())


# ---- comments part ------------------------------------------------------------------------------
def _prefix(text: str) -> str:
    m = re.search(r"<(\w+:)?comments\b", text)
    return (m.group(1) or "") if m else ""


def _author_id(text: str, author: str) -> tuple[str, int]:
    p = _prefix(text)
    block = re.search(rf"<{p}authors\b[^>]*?(/>|>(.*?)</{p}authors>)", text, re.S)
    if block is None:  # no <authors> at all: add one at the start of <comments>
        head = re.search(rf"<{p}comments\b[^>]*>", text)
        assert head is not None
        text = text[:head.end()] + f"<{p}authors></{p}authors>" + text[head.end():]
        block = re.search(rf"<{p}authors\b[^>]*?(/>|>(.*?)</{p}authors>)", text, re.S)
        assert block is not None
    names = [_unxml(m.group(2)) for m in re.finditer(rf"<{p}author\b[^>]*?(/>|>(.*?)</{p}author>)",
                                                   block.group(2) or "", re.S)] if block.group(2) else []
    names = [n or "" for n in names]
    if author in names:
        return text, names.index(author)
    new = f"<{p}author>{xml_text(author)}</{p}author>"
    if block.group(1) == "/>":
        repl = f"<{p}authors>{new}</{p}authors>"
        text = text[:block.start()] + repl + text[block.end():]
    else:
        end = block.end() - len(f"</{p}authors>")
        text = text[:end] + new + text[end:]
    return text, len(names)


def _unxml(s: str | None) -> str | None:
    if s is None:
        return None
    return unescape(re.sub(r"<[^>]+>", "", s))


def _put_comments(text: str, notes: list[CellNote]) -> str:
    """Add or replace every note in one pass over the comments part (it may hold thousands)."""
    p = _prefix(text)
    aids: dict[str, int] = {}
    for note in notes:
        if note.author not in aids:
            text, aids[note.author] = _author_id(text, note.author)
    spans: dict[str, tuple[int, int]] = {}
    current: dict[str, tuple[str, str]] = {}      # cell → (authorId, comment XML)
    for m in re.finditer(rf"<{p}comment\b[^>]*?(?:/>|>.*?</{p}comment>)", text, re.S):
        head = m.group(0)[:m.group(0).index(">") + 1]
        a = attrs(head.encode())
        cell = a.get("ref", "").upper()
        spans[cell] = (m.start(), m.end())
        current[cell] = (a.get("authorId", ""), m.group(0))
    added: list[str] = []
    for note in notes:
        cell = note.cell.replace("$", "").upper()
        aid = str(aids[note.author])
        new = (f'<{p}comment ref="{cell}" authorId="{aid}"><{p}text><{p}t xml:space="preserve">'
               f"{xml_text(note.text)}</{p}t></{p}text></{p}comment>")
        if cell not in current:
            added.append(cell)
            current[cell] = (aid, new)
        elif current[cell][0] == aid:       # ours (same author): replace
            current[cell] = (aid, new)
        else:                               # another author's: keep theirs, add our run
            current[cell] = (current[cell][0], _add_run(current[cell][1], p, note))
    pieces, pos = [], 0
    for cell, (start, end) in sorted(spans.items(), key=lambda kv: kv[1][0]):
        pieces += [text[pos:start], current[cell][1]]
        pos = end
    text = "".join(pieces) + text[pos:]
    if not added:
        return text
    body = "".join(current[c][1] for c in added)
    cl = re.search(rf"<{p}commentList\b[^>]*?(/>|>)", text)
    if cl is None:
        end = text.rindex(f"</{p}comments>")
        return text[:end] + f"<{p}commentList>{body}</{p}commentList>" + text[end:]
    if cl.group(1) == "/>":
        return text[:cl.start()] + f"<{p}commentList>{body}</{p}commentList>" + text[cl.end():]
    end = text.index(f"</{p}commentList>", cl.end())
    return text[:end] + body + text[end:]


def _add_run(comment: str, p: str, note: CellNote) -> str:
    """Another author's comment on the cell: add (or replace) our own run, keep theirs."""
    marker = xml_text(f"[{note.author}] ")
    run = f'<{p}r><{p}t xml:space="preserve">\n{marker}{xml_text(note.text)}</{p}t></{p}r>'
    mine = re.compile(rf"<{p}r>(?:<{p}rPr>.*?</{p}rPr>)?<{p}t[^>]*>\n{re.escape(marker)}.*?</{p}t></{p}r>", re.S)
    if mine.search(comment):
        return mine.sub(lambda _: run, comment, count=1)
    # a plain <text><t>…</t></text> becomes a run so that runs can follow it
    comment = re.sub(rf"(<{p}text>)(<{p}t\b[^>]*>.*?</{p}t>)", rf"\1<{p}r>\2</{p}r>", comment, count=1, flags=re.S)
    end = comment.rindex(f"</{p}text>")
    return comment[:end] + run + comment[end:]


# ---- VML ------------------------------------------------------------------------------------------
def _free_idmap(pkg: Package) -> int:
    used = {0}
    for name in pkg.names():
        if name.endswith(".vml"):
            for m in re.finditer(rb'<o:idmap\b[^>]*data="([\d,\s]+)"', pkg.read(name)):
                used |= {int(x) for x in re.split(r"[,\s]+", m.group(1).decode()) if x}
    return max(used) + 1


def _note_cells(vml: bytes) -> set[tuple[int, int]]:
    out = set()
    for m in re.finditer(rb'<x:ClientData\b[^>]*ObjectType="Note".*?</x:ClientData>', vml, re.S):
        r = re.search(rb"<x:Row>\s*(\d+)\s*</x:Row>", m.group(0))
        c = re.search(rb"<x:Column>\s*(\d+)\s*</x:Column>", m.group(0))
        if r and c:
            out.add((int(r.group(1)) + 1, int(c.group(1)) + 1))
    return out


def _add_shapes(vml: bytes, cells: list[tuple[int, int]]) -> bytes:
    ids = [int(x) for x in re.findall(rb"_x0000_s(\d+)", vml)]
    idmap = re.search(rb'<o:idmap\b[^>]*data="(\d+)', vml)
    start = max([*ids, (int(idmap.group(1)) if idmap else 1) * 1024]) + 1
    root = re.search(rb"<xml\b[^>]*>", vml)
    bound = declared(root.group(0)) if root else {}
    # the prefixes the new shapes use, declared on each of them when the root does not bind them
    decl = "".join(f' xmlns:{p}="{uri}"' for p, uri in _VML_NS.items() if bound.get(p) != uri)
    shapes = []
    if b'id="_x0000_t202"' not in vml:
        shapes.append(_VML_HEAD.split("</o:shapelayout>", 1)[1].replace("<v:shapetype ", f"<v:shapetype{decl} ", 1))
    for i, (r, c) in enumerate(cells):
        anchor = f"{c}, 15, {max(r - 2, 0)}, 10, {c + 2}, 15, {max(r - 2, 0) + 4}, 4"
        shapes.append(
            f'<v:shape{decl} id="_x0000_s{start + i}" type="#_x0000_t202" style="position:absolute;'
            f'margin-left:59.25pt;margin-top:1.5pt;width:108pt;height:59.25pt;z-index:{start + i};'
            'visibility:hidden" fillcolor="#ffffe1" o:insetmode="auto"><v:fill color2="#ffffe1"/>'
            '<v:shadow on="t" color="black" obscured="t"/><v:path o:connecttype="none"/>'
            '<v:textbox style="mso-direction-alt:auto"><div style="text-align:left"></div></v:textbox>'
            '<x:ClientData ObjectType="Note"><x:MoveWithCells/><x:SizeWithCells/>'
            f"<x:Anchor>{anchor}</x:Anchor><x:AutoFill>False</x:AutoFill>"
            f"<x:Row>{r - 1}</x:Row><x:Column>{c - 1}</x:Column></x:ClientData></v:shape>")
    end = vml.rfind(b"</xml>")
    if end < 0:
        raise UnsafeWrite(L("批注的 VML 绘图部件无法识别", "The notes' VML drawing part is not recognised"))
    return vml[:end] + "".join(shapes).encode() + vml[end:]


# ---- the sheet's <legacyDrawing> ------------------------------------------------------------------
def _insert_legacy_drawing(xml: bytes, rid: str) -> bytes:
    """Insert ``<legacyDrawing r:id>`` where CT_Worksheet wants it (top level, before what follows it)."""
    text = xml.decode("utf-8")
    root = re.search(r"<([\w.\-]+:)?worksheet\b([^>]*)>", text)
    if root is None:
        raise UnsafeWrite(L("工作表部件无法识别", "The worksheet part is not recognised"))
    p = root.group(1) or ""
    rattr, decl = qualified(scope(root.group(0).encode()), NS_REL, "id", avoid=p.rstrip(":"))
    elem = f"<{p}legacyDrawing{decl} {rattr}={quoteattr(rid)}/>"
    end_sd = re.search(rf"</{p}sheetData>|<{p}sheetData\b[^>]*/>", text)
    pos = end_sd.end() if end_sd else root.end()
    depth = 0
    insert_at = None
    for t in _TAG.finditer(text, pos):
        if t.group(2) is None:
            continue
        closing, name, selfclose = t.group(1), t.group(2), t.group(4)
        if closing:
            if depth == 0:  # </worksheet>
                insert_at = t.start()
                break
            depth -= 1
            continue
        if depth == 0 and name.split(":")[-1] in _AFTER_LEGACY:
            insert_at = t.start()
            break
        if not selfclose:
            depth += 1
    if insert_at is None:
        raise UnsafeWrite(L("工作表部件无法识别", "The worksheet part is not recognised"))
    return (text[:insert_at] + elem + text[insert_at:]).encode("utf-8")
