"""Header texts people write, and how each one is matched to a schema column.

Pure functions on strings (no frames, no files): the reader, ``wbt import`` and ``wbt inspect``
all go through :func:`match_header`, so a header is read the same way everywhere.

A header cell is matched in this order, and the first step that places it says how:

1. ``pinned``: a row of the header-mapping block in 代码表 (see :class:`HeaderPin`);
2. ``exact``: the column's Chinese or English name or key, after :func:`norm_header`
   (case, full/half width, spaces, line breaks, punctuation, bracket shapes);
3. ``alias``: one of the column's synonyms (the wordings of the five source documents (docs/domain.md#sources) and
   the English people write);
4. ``normalised``: the same after dropping bracketed qualifiers and units ("客户名称(全称)",
   "年度合作金额(元)") and a unit written at the end ("年度金额 万元");
5. ``bilingual``: the cell holds two labels ("客户名称 Customer name", "Customer name / 客户名称",
   "客户名称\\nCustomer name"); either half may match; halves naming different columns make the
   header ambiguous.

A header several columns could be (declared in ``SheetSpec.contested``, or one spelling shared by
two columns) is *contested*: the reader decides by the column's content, else it is ambiguous — a
finding, never a coin toss. Units are parsed from brackets or the end of the header.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from typing import Any

from .normalise import _CLOSE, _OPEN, norm_header, strip_unit
from .units import DISAGREE, agree, header_unit, split_trailing_unit, unit_word

__all__ = ["CONFIDENT", "HOW_EN", "HOW_ZH", "HeaderMatch", "HeaderPin", "Lookup", "build_lookup", "halves",
           "match_header", "norm_header", "shown", "strip_unit"]


# -- bilingual halves -----------------------------------------------------------------------------
def _is_cjk(ch: str) -> bool:
    return "\u4e00" <= ch <= "\u9fff" or "\u3400" <= ch <= "\u4dbf" or "\uf900" <= ch <= "\ufaff"


def halves(text: str) -> list[str]:
    """The labels one header cell holds: split at line breaks, at '/' or '|' outside brackets, and
    where Chinese turns into an English word (or back) outside brackets. Acronyms such as ID, IT or
    CRM stay with their Chinese ("客户ID"). One item when there is nothing to split."""
    s = unicodedata.normalize("NFKC", str(text)).strip()
    runs: list[str] = []
    cur, depth = "", 0
    for ch in s:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "\r\n/|":
            runs.append(cur)
            cur = ""
            continue
        cur += ch
    runs.append(cur)
    out: list[str] = []
    for run in runs:
        out += _script_runs(run)
    out = [p.strip(" :-") for p in out]
    return [p for p in out if p]


_WORD = re.compile(r"[A-Za-z]+")


def _english_word(run: str) -> bool:
    """Does a Latin run read as an English label rather than an acronym (ID, IT, CRM, VIP)?"""
    return any(len(w) >= 4 or (len(w) >= 3 and not w.isupper()) for w in _WORD.findall(run))


def _script_runs(chunk: str) -> list[str]:
    """Split where the letters change script (CJK ↔ Latin), outside brackets; a Latin run is only
    split off when it holds an English word."""
    runs: list[tuple[str, str | None]] = []
    cur, script, depth = "", None, 0
    for ch in chunk:
        if ch in _OPEN:
            depth += 1
        elif ch in _CLOSE:
            depth = max(0, depth - 1)
        kind = "cjk" if _is_cjk(ch) else "latin" if ch.isascii() and ch.isalpha() else None
        if kind and depth == 0 and script and kind != script:
            runs.append((cur, script))
            cur = ""
        if kind and depth == 0:
            script = kind
        cur += ch
    runs.append((cur, script))
    if len(runs) == 1 or not any(k == "latin" and _english_word(r) for r, k in runs):
        return [chunk]
    merged: list[str] = []
    for r, k in runs:   # acronym runs stay glued to the run before them
        if merged and k == "latin" and not _english_word(r):
            merged[-1] += r
        else:
            merged.append(r)
    return merged


def shown(text: str) -> str:
    """A header as messages show it: a two-line header on one line ('客户名称 / Customer name')."""
    return " / ".join(part.strip() for part in str(text).splitlines() if part.strip()) or str(text)


# -- pins ----------------------------------------------------------------------------------------
IGNORE_WORDS = ("忽略", "不读取", "不处理", "ignore", "ignored", "skip", "-", "—", "无")


@dataclass(frozen=True)
class HeaderPin:
    """One row of the header-mapping block in 代码表: this header text is that column (in that unit).
    ``target`` as typed (a column key, its Chinese or English name, or 忽略 to ignore the column);
    ``sheet`` optional (schema key, template sheet name or the workbook's sheet name)."""

    text: str
    target: str
    unit: str | None = None
    sheet: str | None = None
    cell: str | None = None          # 代码表 address of the row's header-text cell

    @property
    def ignores(self) -> bool:
        return norm_header(self.target) in {norm_header(w) for w in IGNORE_WORDS} or self.target.strip() in IGNORE_WORDS


# -- match results -------------------------------------------------------------------------------
HOW_ZH = {"pinned": "代码表映射", "exact": "完全一致", "alias": "别名", "normalised": "规范化后一致",
          "bilingual": "双语表头", "content": "按内容判定", "ignored": "按规定忽略", "ambiguous": "有歧义",
          "unknown": "未识别", "duplicate": "重复"}
HOW_EN = {"pinned": "pinned in 代码表", "exact": "exact", "alias": "alias", "normalised": "normalised",
          "bilingual": "bilingual", "content": "by content", "ignored": "ignored", "ambiguous": "ambiguous",
          "unknown": "unknown", "duplicate": "duplicate"}
CONFIDENT = frozenset({"pinned", "exact", "alias", "normalised", "bilingual", "content"})


@dataclass
class HeaderMatch:
    """How one header cell was read. ``key`` is None for unknown, ambiguous and ignored headers;
    ``candidates`` lists the columns an ambiguous or contested header could be; ``unit`` is what
    the header (or its pin) states, ``unit_from`` where the unit came from (header / pinned /
    second header row / default)."""

    index: int                        # 1-based column
    text: str
    key: str | None
    how: str
    candidates: tuple[str, ...] = ()
    unit: str | None = None
    unit_from: str | None = None
    default: str | None = None        # contested: the column an exact name points at, if any
    note: str = ""
    pin_cell: str | None = None
    was: str = ""                     # a duplicate: how it was matched before another header won

    @property
    def confident(self) -> bool:
        return self.key is not None and self.how in CONFIDENT

    def to_dict(self) -> dict[str, Any]:
        return {"index": self.index, "text": self.text, "key": self.key, "how": self.how,
                "candidates": list(self.candidates), "unit": self.unit, "unit_from": self.unit_from,
                "note": self.note, "pin_cell": self.pin_cell}


@dataclass
class Lookup:
    """Normalised spellings of one sheet's columns, built once per SheetSpec."""

    exact: dict[str, set[str]] = field(default_factory=dict)
    alias: dict[str, set[str]] = field(default_factory=dict)
    loose: dict[str, set[str]] = field(default_factory=dict)
    contested: dict[str, tuple[str, ...]] = field(default_factory=dict)   # loose spelling → candidates
    ignore: set[str] = field(default_factory=set)
    names: dict[str, str] = field(default_factory=dict)                   # key → zh name
    memo: dict[str, tuple[str, set[str], str | None]] = field(default_factory=dict)  # normalised label → _one()
    whole: dict[str, HeaderMatch] = field(default_factory=dict)   # header text → its match without pins


def build_lookup(spec: Any) -> Lookup:
    lk = Lookup()
    for col in spec.columns:
        lk.names[col.key] = col.zh
        for table, names in ((lk.exact, (col.zh, col.en, col.key)), (lk.alias, col.aliases)):
            for name in names:
                n = norm_header(name)
                if n:
                    table.setdefault(n, set()).add(col.key)
                    lk.loose.setdefault(strip_unit(n), set()).add(col.key)
    for text, keys in getattr(spec, "contested", ()):
        lk.contested[strip_unit(norm_header(text))] = tuple(keys)
    lk.ignore = {strip_unit(norm_header(t)) for t in getattr(spec, "ignore", ())}
    return lk


def _one(lk: Lookup, normed: str) -> tuple[str, set[str], str | None]:
    """(how, candidate keys, unit) for one label (already normalised); how '' when nothing fits.
    Remembered per lookup: the header scan meets the same texts on every sheet it tries."""
    hit = lk.memo.get(normed)
    if hit is None:
        if len(lk.memo) > 4096:
            lk.memo.clear()
        hit = lk.memo[normed] = _one_uncached(lk, normed)
    return hit


def _one_uncached(lk: Lookup, normed: str) -> tuple[str, set[str], str | None]:
    unit = header_unit(normed)
    base = strip_unit(normed)
    # a declared contested header is decided by content, unless a bracketed qualifier makes the
    # spelling specific ("客户等级(A/B/C)" is the grade, "客户等级(主管确认)" the confirmed tier)
    specific = normed != base and (normed in lk.exact or normed in lk.alias)
    if base in lk.contested and not specific:
        return "contested", set(lk.contested[base]), unit
    for how, table, probe in (("exact", lk.exact, normed), ("alias", lk.alias, normed),
                              ("normalised", lk.loose, base)):
        keys = table.get(probe)
        if keys:
            return how, set(keys), unit
    head, tail_unit = split_trailing_unit(base)
    if tail_unit and head in lk.loose:
        return "normalised", set(lk.loose[head]), agree([u for u in (unit, tail_unit) if u])
    if base in lk.ignore:
        return "ignored", set(), None
    return "", set(), unit


def match_header(lk: Lookup, index: int, text: str, pins: dict[str, HeaderPin] | None = None,
                 resolve_pin: Any = None) -> HeaderMatch:
    """How the header ``text`` in column ``index`` is read (see the module doc for the order).
    ``pins``: normalised header text → pin (already limited to this sheet); ``resolve_pin(pin)``
    gives the pin's column key or None."""
    if not pins:   # the header scan meets the same texts on every sheet it tries: remembered
        hit = lk.whole.get(text)
        if hit is None:
            if len(lk.whole) > 4096:
                lk.whole.clear()
            hit = lk.whole[text] = _match(lk, 0, text, None, None)
        return replace(hit, index=index, candidates=tuple(hit.candidates))
    return _match(lk, index, text, pins, resolve_pin)


def _match(lk: Lookup, index: int, text: str, pins: dict[str, HeaderPin] | None, resolve_pin: Any) -> HeaderMatch:
    normed = norm_header(text)
    parts = halves(text) if pins or not (normed in lk.exact or normed in lk.alias) else [text]
    if pins:
        for probe in (normed, *(norm_header(p) for p in parts if len(parts) > 1)):
            pin = pins.get(probe)
            if pin is not None:
                if pin.ignores:
                    return HeaderMatch(index, text, None, "ignored", pin_cell=pin.cell, note="pin")
                key = resolve_pin(pin) if resolve_pin else None
                if key is not None:
                    unit = unit_word(pin.unit) if pin.unit else None
                    stated = header_unit(normed)
                    return HeaderMatch(index, text, key, "pinned", unit=unit or stated,
                                       unit_from="pinned" if unit else ("header" if stated else None), pin_cell=pin.cell)
    how, keys, unit = _one(lk, normed)
    if how == "" and len(parts) > 1:
        return _bilingual(lk, index, text, parts)
    return _result(lk, index, text, how, keys, unit, normed)


def _result(lk: Lookup, index: int, text: str, how: str, keys: set[str], unit: str | None, normed: str) -> HeaderMatch:
    if how == "ignored":
        return HeaderMatch(index, text, None, "ignored", note="schema")
    if not keys:
        return HeaderMatch(index, text, None, "unknown", unit=unit, unit_from="header" if unit else None)
    from_ = "header" if unit else None
    if len(keys) == 1 and how != "contested":
        return HeaderMatch(index, text, next(iter(keys)), how, unit=unit, unit_from=from_)
    ordered = tuple(k for k in lk.names if k in keys)
    default = next((k for k in ordered if k in lk.exact.get(normed, ()) or k in lk.exact.get(strip_unit(normed), ())),
                   None)
    return HeaderMatch(index, text, None, "contested", candidates=ordered, unit=unit, unit_from=from_, default=default)


def _bilingual(lk: Lookup, index: int, text: str, parts: list[str]) -> HeaderMatch:
    found: list[HeaderMatch] = []
    units: list[str] = []
    for p in parts:
        n = norm_header(p)
        u = unit_word(n)
        if u:                          # a half that is only a unit: "年度金额 / 元"
            units.append(u)
            continue
        how, keys, unit = _one(lk, n)
        if unit:
            units.append(unit)
        if how and how != "ignored":
            found.append(_result(lk, index, text, how, keys, unit, n))
    unit = agree(units)
    note = f"units disagree: {unit}" if unit and DISAGREE in unit else ""
    from_ = "header" if unit else None
    if not found:
        return HeaderMatch(index, text, None, "unknown", unit=unit, unit_from=from_, note=note)
    unique = {m.key for m in found if m.key}
    contested = [set(m.candidates) for m in found if m.how == "contested"]
    order = list(lk.names)
    if len(unique) == 1:
        key = next(iter(unique))
        if all(key in c for c in contested):
            return HeaderMatch(index, text, key, "bilingual", unit=unit, unit_from=from_, note=note)
    elif not unique:
        common = set.intersection(*contested)
        if len(common) == 1:
            return HeaderMatch(index, text, next(iter(common)), "bilingual", unit=unit, unit_from=from_, note=note)
        if common:
            default = next((m.default for m in found if m.default in common), None)
            return HeaderMatch(index, text, None, "contested", candidates=tuple(k for k in order if k in common),
                               unit=unit, unit_from=from_, default=default, note=note)
    # halves that name different columns: the header could be any of them
    every = unique.union(*contested)
    return HeaderMatch(index, text, None, "ambiguous", candidates=tuple(k for k in order if k in every),
                       unit=unit, unit_from=from_, note="halves name different columns")
