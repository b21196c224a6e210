"""What an unplaced header could be, and the 代码表 row that would place it.

Used by the write gate (which refuses when a column it needs may hide behind a header the
reader could not place), by ``wbt inspect --suggest`` and by ``wbt import``. A header "could
be" a column when its text is close to one of the column's spellings, or when its values are
clearly of the column's kind (dates for a date column, list entries for a list column …).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any

from ..model import SheetData
from ..schema import MAPPING_BLOCK, CType, SheetSpec, norm_header, strip_unit
from ..schema.headers import HeaderMatch
from .headermap import STRONG_FIT, fit

NAME_CUTOFF = 0.6


def name_closeness(spec: SheetSpec, key: str, text: str) -> float:
    """How close ``text`` is to the column's names and synonyms (0–1; containment counts fully)."""
    n = strip_unit(norm_header(text))
    if not n:
        return 0.0
    col = spec.column(key)
    best = 0.0
    for name in (col.zh, col.en, *col.aliases):
        s = strip_unit(norm_header(name))
        if not s:
            continue
        if len(s) >= 2 and len(n) >= 2 and (s in n or n in s):
            return 1.0
        best = max(best, difflib.SequenceMatcher(None, n, s).ratio())
    return best


def could_be(sheet: SheetData, key: str, lists: Mapping[str, list[str]] | None = None, *,
             any_content: bool = True) -> list[HeaderMatch]:
    """The unknown headers of ``sheet`` that could be the (missing) column ``key``: by their text,
    or by their values. Values of a list column (its entries) say a lot; dates or numbers say little
    (a 客户生日 column is full of dates too): ``any_content=False`` counts only list entries."""
    out = []
    col = sheet.spec.column(key)
    for m in sheet.matches:
        if m.how != "unknown":
            continue
        if name_closeness(sheet.spec, key, m.text) >= NAME_CUTOFF:
            out.append(m)
            continue
        if not any_content and col.type != CType.LIST:
            continue
        share = fit(sheet.spec, key, sheet.samples.get(m.index, []), lists)
        if share is not None and share >= STRONG_FIT:
            out.append(m)
    return out


def likely(sheet: SheetData, m: HeaderMatch, lists: Mapping[str, list[str]] | None = None) -> list[str]:
    """Columns an ambiguous or unknown header most likely is, best first: an ambiguous header's
    candidates ordered by how well its values fit; an unknown header's missing columns it could be."""
    values = sheet.samples.get(m.index, [])
    if m.how == "ambiguous":
        scored = [(fit(sheet.spec, k, values, lists) or 0.0, -i, k) for i, k in enumerate(m.candidates)]
        return [k for _, _, k in sorted(scored, reverse=True)]
    scored2: list[tuple[float, str]] = []
    for key in sheet.missing_columns:
        if sheet.spec.column(key).computed:
            continue
        close = name_closeness(sheet.spec, key, m.text)
        share = fit(sheet.spec, key, values, lists)
        score = max(close, share if share is not None and share >= STRONG_FIT else 0.0)
        if score >= NAME_CUTOFF:
            scored2.append((score, key))
    return [k for _, k in sorted(scored2, key=lambda t: -t[0])]


def pin_row(sheet_name: str, text: str, target: str, unit: str | None = None) -> str:
    """A header-mapping row for 代码表, tab-separated so it pastes into Excel as cells, in the
    block's column order (表头文字, 对应列, 表头单位, 所在工作表)."""
    cells = {"map_text": text.replace("\n", " ").replace("\t", " "), "map_target": target, "map_unit": unit or "",
             "map_sheet": sheet_name}
    return "\t".join(cells[k] for k in MAPPING_BLOCK[:4])


def samples_text(values: list[Any], n: int = 3) -> str:
    return "、".join(str(v) for v in values[:n])
