"""Appending to styles.xml without renumbering anything that is already there.

New number formats, fonts, fills, borders and cell formats (``xf``) are appended at the end of
their sections and the ``count`` attributes updated; every existing byte stays where it was
(``dxfs``, ``tableStyles``, ``colors``, ``extLst`` … are never touched).
"""

from __future__ import annotations

import functools
import posixpath
import re
from typing import Any

from ..styles import FONT, MARKS, PALETTE
from .package import NS_MAIN, REL_STYLES, Package, attrs

CT_STYLES = "application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"
#: the stylesheet a workbook without one gets (Google Sheets exports and hand-made files may lack it):
#: one default font, the two fills every stylesheet starts with, one border and the default format
MINIMAL_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    f'<styleSheet xmlns="{NS_MAIN}"><fonts count="1"><font><sz val="11"/><name val="{FONT}"/></font></fonts>'
    '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill>'
    '</fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>').encode()


def ensure_styles(pkg: Package) -> str:
    """The workbook's styles part, created (:data:`MINIMAL_STYLES`, with its relationship and
    content type) when the workbook has none."""
    part = pkg.styles_part()
    if part is not None and pkg.has(part):
        return part
    wb = pkg.workbook_part
    base = posixpath.dirname(wb)
    if part is None:
        part = posixpath.join(base, "styles.xml")
        if pkg.part_name(part) is not None:
            part = pkg.new_part_name(posixpath.join(base, "styles{}.xml"))
        pkg.add_rel(wb, REL_STYLES, posixpath.relpath(part, base or "."))
    pkg.write(part, MINIMAL_STYLES, CT_STYLES)
    return part


_DATE_IDS = set(range(14, 23)) | set(range(27, 37)) | set(range(45, 48)) | set(range(50, 59))
_SECTIONS = ("numFmts", "fonts", "fills", "borders", "cellXfs")
_CHILD = {"numFmts": "numFmt", "fonts": "font", "fills": "fill", "borders": "border", "cellXfs": "xf"}


@functools.lru_cache(maxsize=1024)
def is_date_code(code: str) -> bool:
    """Whether a number format code shows a date or time."""
    s = re.sub(r'"[^"]*"', "", code)
    s = re.sub(r"\\.", "", s)
    s = re.sub(r"\[(?![hms]+\])[^\]]*\]", "", s, flags=re.I)
    if s.strip().lower() in ("general", "@", ""):
        return False
    return bool(re.search(r"[dmyhs]", s, re.I))


def _argb(color: str) -> str:
    c = color.lstrip("#").upper()
    return c if len(c) == 8 else "FF" + c


class Stylesheet:
    """styles.xml as bytes plus what is to be appended."""

    def __init__(self, blob: bytes) -> None:
        self.blob = blob
        m = re.search(rb"<(\w+:)?styleSheet\b", blob)
        self.prefix = (m.group(1) or b"") if m else b""
        self._items: dict[str, list[bytes]] = {}
        self._new: dict[str, list[bytes]] = {s: [] for s in _SECTIONS}
        self._cache: dict[Any, Any] = {}

    @property
    def changed(self) -> bool:
        return any(self._new.values())

    # ---- reading ---------------------------------------------------------------------------------
    def _span(self, section: str) -> tuple[int, int, int, bool] | None:
        """(tag start, content start, content end, self-closed) of a section."""
        p = re.escape(self.prefix)
        m = re.search(rb"<" + p + section.encode() + rb"\b[^>]*?(/?)>", self.blob)
        if not m:
            return None
        if m.group(1):
            return m.start(), m.end(), m.end(), True
        end = self.blob.find(b"</" + self.prefix + section.encode() + b">", m.end())
        return m.start(), m.end(), end, False

    def items(self, section: str) -> list[bytes]:
        if section not in self._items:
            span = self._span(section)
            found: list[bytes] = []
            if span:
                child = re.escape(self.prefix + _CHILD[section].encode())
                pat = re.compile(rb"<" + child + rb"\b[^>]*?(?:/>|>.*?</" + child + rb">)", re.S)
                found = pat.findall(self.blob, span[1], span[2])
            self._items[section] = found
        return self._items[section] + self._new[section]

    def xf(self, index: int) -> bytes:
        xfs = self.items("cellXfs")
        return xfs[index] if 0 <= index < len(xfs) else (xfs[0] if xfs else b"<xf/>")

    def xf_attrs(self, index: int) -> dict[str, str]:
        return attrs(re.match(rb"<[^>]*>", self.xf(index)).group(0))  # type: ignore[union-attr]

    def num_format(self, index: int) -> tuple[int, str | None]:
        # cached per xf: existing xfs and numFmts never change, new ones are only appended
        key = ("numfmt", index)
        if key not in self._cache:
            fid = int(self.xf_attrs(index).get("numFmtId", "0"))
            code = None
            for blob in self.items("numFmts"):
                a = attrs(blob)
                if a.get("numFmtId") == str(fid):
                    code = a.get("formatCode")
                    break
            self._cache[key] = (fid, code)
        return self._cache[key]

    def is_date_xf(self, index: int) -> bool:
        fid, code = self.num_format(index)
        if code is not None:
            return is_date_code(code)
        return fid in _DATE_IDS

    # ---- appending ---------------------------------------------------------------------------------
    def _append(self, section: str, blob: bytes) -> int:
        n = len(self.items(section))
        self._new[section].append(blob)
        self._items.setdefault(section, [])
        return n

    def _el(self, name: str, rest: str) -> bytes:
        return f"<{self.prefix.decode()}{name}{rest}".encode()

    def num_fmt_id(self, code: str) -> int:
        builtin = {"General": 0, "0": 1, "0.00": 2, "#,##0": 3, "#,##0.00": 4, "0%": 9, "0.00%": 10,
                   "@": 49}
        if builtin.get(code) is not None:
            return builtin[code]  # type: ignore[return-value]
        if ("fmtid", code) in self._cache:
            return self._cache[("fmtid", code)]
        ids = [163]
        for blob in self.items("numFmts"):
            a = attrs(blob)
            if a.get("formatCode") == code:
                self._cache[("fmtid", code)] = int(a["numFmtId"])
                return int(a["numFmtId"])
            ids.append(int(a.get("numFmtId", "0")))
        new_id = max(ids) + 1
        from xml.sax.saxutils import quoteattr
        self._append("numFmts", self._el("numFmt", f' numFmtId="{new_id}" formatCode={quoteattr(code)}/>'))
        self._cache[("fmtid", code)] = new_id
        return new_id

    def clone_xf(self, index: int, **changes: int) -> int:
        """A copy of cellXfs[index] with some of numFmtId/fontId/fillId/borderId changed."""
        key = ("clone", index, tuple(sorted(changes.items())))
        if key in self._cache:
            return self._cache[key]
        blob = self.xf(index)
        head_end = blob.find(b">") + 1
        head, rest = blob[:head_end], blob[head_end:]
        closed = head.endswith(b"/>")
        head = head[:-2] if closed else head[:-1]
        apply = {"numFmtId": "applyNumberFormat", "fontId": "applyFont", "fillId": "applyFill",
                 "borderId": "applyBorder"}
        for name, value in changes.items():
            head = _set(head, name, str(value))
            head = _set(head, apply[name], "1")
        new = head + (b"/>" if closed else b">") + rest
        idx = self._append("cellXfs", new)
        self._cache[key] = idx
        return idx

    def with_number_format(self, index: int, code: str) -> int:
        return self.clone_xf(index, numFmtId=self.num_fmt_id(code))

    def mark_xf(self, index: int, severity: str) -> int:
        """The xf of a cell marked with MARKS[severity]: same format, border, alignment; new fill/font."""
        key = ("mark", index, severity)
        if key in self._cache:
            return self._cache[key]
        spec = MARKS.get(severity, MARKS["error"])
        a = self.xf_attrs(index)
        fonts = self.items("fonts")
        font = fonts[int(a.get("fontId", "0"))] if fonts else self._el("font", "/>")
        font_id = self._font_with_color(font, spec["font"])
        fill_id = self._solid_fill(spec["fill"])
        idx = self.clone_xf(index, fontId=font_id, fillId=fill_id)
        self._cache[key] = idx
        return idx

    def _font_with_color(self, font: bytes, rgb: str) -> int:
        key = ("font", font, rgb)
        if key in self._cache:
            return self._cache[key]
        p = re.escape(self.prefix)
        body = re.sub(rb"<" + p + rb"color\b[^>]*?(?:/>|>.*?</" + p + rb"color>)", b"", font, flags=re.S)
        color = self._el("color", f' rgb="{_argb(rgb)}"/>')
        if body.rstrip().endswith(b"/>") and b"</" not in body:
            body = body.rstrip()[:-2] + b">" + color + b"</" + self.prefix + b"font>"
        else:
            i = body.rfind(b"</")
            body = body[:i] + color + body[i:]
        idx = self._append("fonts", body)
        self._cache[key] = idx
        return idx

    def _solid_fill(self, rgb: str) -> int:
        key = ("fill", rgb)
        if key not in self._cache:
            pf = self.prefix.decode()
            blob = (f'<{pf}fill><{pf}patternFill patternType="solid"><{pf}fgColor rgb="{_argb(rgb)}"/>'
                    f'<{pf}bgColor indexed="64"/></{pf}patternFill></{pf}fill>').encode()
            self._cache[key] = self._append("fills", blob)
        return self._cache[key]

    def palette_xf(self, name: str) -> int:
        """An xf built from a PALETTE entry (for new header cells and the like)."""
        key = ("palette", name)
        if key in self._cache:
            return self._cache[key]
        spec = PALETTE[name]
        pf = self.prefix.decode()
        font = [f'<{pf}name val="{FONT}"/>', f'<{pf}sz val="{spec.get("font_size", 11)}"/>']
        if spec.get("bold"):
            font.insert(0, f"<{pf}b/>")
        if spec.get("italic"):
            font.insert(0, f"<{pf}i/>")
        if spec.get("underline"):
            font.append(f"<{pf}u/>")
        if spec.get("font_color"):
            font.append(f'<{pf}color rgb="{_argb(spec["font_color"])}"/>')
        font_id = self._append("fonts", f"<{pf}font>{''.join(font)}</{pf}font>".encode())
        fill_id = self._solid_fill(spec["bg_color"]) if spec.get("bg_color") else 0
        border_id = 0
        if spec.get("border") or spec.get("bottom"):
            sides = []
            for side in ("left", "right", "top", "bottom"):
                weight = spec.get(side, spec.get("border", 0))
                color = spec.get(f"{side}_color", spec.get("border_color", "#000000"))
                style = {1: "thin", 2: "medium", 5: "thick"}.get(weight)
                sides.append(f'<{pf}{side} style="{style}"><{pf}color rgb="{_argb(color)}"/></{pf}{side}>'
                             if style else f"<{pf}{side}/>")
            border_id = self._append("borders", f"<{pf}border>{''.join(sides)}<{pf}diagonal/></{pf}border>".encode())
        num_id = self.num_fmt_id(spec["num_format"]) if spec.get("num_format") else 0
        align = []
        if spec.get("align"):
            align.append(f'horizontal="{spec["align"]}"')
        if spec.get("valign"):
            align.append(f'vertical="{ {"vcenter": "center"}.get(spec["valign"], spec["valign"]) }"')
        if spec.get("text_wrap"):
            align.append('wrapText="1"')
        head = (f'<{pf}xf numFmtId="{num_id}" fontId="{font_id}" fillId="{fill_id}" borderId="{border_id}" xfId="0"'
                ' applyNumberFormat="1" applyFont="1" applyFill="1" applyBorder="1"')
        xf = head + (f' applyAlignment="1"><{pf}alignment {" ".join(align)}/></{pf}xf>' if align else "/>")
        idx = self._append("cellXfs", xf.encode())
        self._cache[key] = idx
        return idx

    # ---- writing -----------------------------------------------------------------------------------
    def to_bytes(self) -> bytes:
        blob = self.blob
        # from the last section to the first so earlier offsets stay valid
        for section in reversed(_SECTIONS):
            new = self._new[section]
            if not new:
                continue
            old_items = self._items.get(section, [])
            total = len(old_items) + len(new)
            saved, self.blob = self.blob, blob
            span = self._span(section)
            self.blob = saved
            tag = self.prefix + section.encode()
            if span is None:  # only numFmts may be missing: it goes first
                m = re.search(rb"<(?:\w+:)?styleSheet\b[^>]*>", blob)
                assert m
                ins = b"<" + tag + b' count="' + str(total).encode() + b'">' + b"".join(new) + b"</" + tag + b">"
                blob = blob[:m.end()] + ins + blob[m.end():]
                continue
            start, cstart, cend, closed = span
            head = blob[start:cstart]
            if closed:
                head = head[:-2] + b">"
                body = b"".join(new) + b"</" + tag + b">"
                head = _set(head[:-1], "count", str(total)) + b">"
                blob = blob[:start] + head + body + blob[cstart:]
            else:
                head = _set(head[:-1], "count", str(total)) + b">"
                blob = blob[:start] + head + blob[cstart:cend] + b"".join(new) + blob[cend:]
        return blob


def _set(head: bytes, name: str, value: str) -> bytes:
    pat = re.compile(rb"(\s" + name.encode() + rb'\s*=\s*")[^"]*(")')
    if pat.search(head):
        return pat.sub(lambda m: m.group(1) + value.encode() + m.group(2), head, count=1)
    return head.rstrip() + b" " + name.encode() + b'="' + value.encode() + b'"'
