"""A sheet's header row → which column is which, how each was matched, and in what unit.

The matching of one header text is :func:`workbook_tools.schema.headers.match_header`; here it is
applied to a whole row: the header-mapping pins of 代码表 first, a column matched twice kept
where it was matched with most confidence, a contested header (客户等级: grade or tier?) decided
by the values below it, a second header row (an English line, a units row) read together with
the first, and each amount column's unit settled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ..schema import CType, SheetSpec, norm_header, strip_unit
from ..schema.headers import HeaderMatch, HeaderPin, Lookup, build_lookup, match_header
from ..schema.units import MONEY_FACTORS, WAN, unit_word
from ..values import is_empty
from . import parse
from .lists import list_fit

# how sure each way of matching is (a column matched twice keeps its surest header)
RANK = {"pinned": 0, "exact": 1, "alias": 2, "normalised": 3, "bilingual": 4, "content": 5}
STRONG_FIT = 0.8       # share of a column's values that must fit a candidate to decide by content
TAKEN = "the other candidate columns are taken by other headers"   # a contested header decided without its values
DEFAULT_FIT = 0.5      # share that keeps a contested header on the column its exact name names
SAMPLE = 200           # values kept of an unknown or ambiguous column, to say what it could be
MAX_HEADER = 80        # longer cells are text, not headers
MAX_LOOKED_AT = 1000   # longer cells are not even cleaned to be compared (a 100 MB cell in the header
                       # window would cost seconds of normalising): a header is never that long


def _too_long(value: Any) -> bool:
    return isinstance(value, str) and len(value) > MAX_LOOKED_AT

_LOOKUPS: dict[int, tuple[SheetSpec, Lookup]] = {}


def lookup(spec: SheetSpec) -> Lookup:
    hit = _LOOKUPS.get(id(spec))
    if hit is None or hit[0] is not spec:
        hit = _LOOKUPS[id(spec)] = (spec, build_lookup(spec))
    return hit[1]


@dataclass
class HeaderMap:
    """The outcome for one header row. ``columns``/``headers`` hold the confidently mapped columns;
    ``matches`` every non-empty header cell in column order."""

    matches: list[HeaderMatch] = field(default_factory=list)
    columns: dict[str, int] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def unknown(self) -> dict[str, int]:
        return {m.text: m.index for m in self.matches if m.how == "unknown"}

    @property
    def dups(self) -> list[tuple[str, int]]:
        return [(m.text, m.index) for m in self.matches if m.how == "duplicate"]

    def of(self, how: str) -> list[HeaderMatch]:
        return [m for m in self.matches if m.how == how]

    @property
    def score(self) -> int:
        """Cells that are headers of this sheet (mapped, contested or ambiguous)."""
        return sum(1 for m in self.matches if m.key or m.how in ("contested", "ambiguous", "duplicate"))


# -- pins -------------------------------------------------------------------------------------------
def pin_target(spec: SheetSpec, pin: HeaderPin) -> str | None:
    """The column of ``spec`` a pin's target names (key, Chinese or English name, with or without
    its unit), or None."""
    n = norm_header(pin.target)
    for c in spec.columns:
        names = {norm_header(c.key), norm_header(c.zh), norm_header(c.en)}
        if n in names or n in {strip_unit(x) for x in names}:
            return c.key
    return None


def pins_for(spec: SheetSpec, sheet_name: str, pins: Iterable[HeaderPin]) -> dict[str, HeaderPin]:
    """The pins that apply to this sheet, by normalised header text: pins without a sheet apply
    wherever their target is a column (ignore-pins everywhere); a sheet named by its schema key,
    template name, alias or its name in the workbook limits a pin to it. Later rows win."""
    out: dict[str, HeaderPin] = {}
    own = spec.name_keys() | {norm_header(sheet_name)}
    for pin in pins:
        if pin.sheet and norm_header(pin.sheet) not in own:
            continue
        if pin.ignores or pin_target(spec, pin) is not None:
            out[norm_header(pin.text)] = pin
    return out


# -- one header row ------------------------------------------------------------------------------
def map_headers(spec: SheetSpec, header_values: Sequence[Any], pins: Mapping[str, HeaderPin] | None = None
                ) -> HeaderMap:
    """Match the cells of a header row to the sheet's columns (contested headers stay undecided
    here; :func:`decide_by_content` settles them once the values are known)."""
    lk = lookup(spec)
    hm = HeaderMap()
    for idx, value in enumerate(header_values, start=1):
        if not isinstance(value, str) or _too_long(value):   # a header is short text; numbers and dates are data
            continue
        text = value.strip()
        if not text or len(text) > MAX_HEADER:
            continue
        hm.matches.append(match_header(lk, idx, text, dict(pins or {}), lambda p: pin_target(spec, p)))
    settle(hm)
    return hm


def settle(hm: HeaderMap) -> None:
    """Fill ``columns``/``headers`` from the matches: a column matched by several headers keeps
    the surest (then the first); the others become duplicates."""
    hm.columns.clear()
    hm.headers.clear()
    best: dict[str, HeaderMatch] = {}
    for m in hm.matches:
        if m.how == "duplicate":
            m.how = m.was
        if m.key is None:
            continue
        cur = best.get(m.key)
        if cur is None or RANK.get(m.how, 9) < RANK.get(cur.how, 9):
            best[m.key] = m
    for m in hm.matches:
        if m.key is not None and best[m.key] is not m:
            m.was, m.how = m.how, "duplicate"
    for key, m in sorted(best.items(), key=lambda kv: kv[1].index):
        hm.columns[key] = m.index
        hm.headers[key] = m.text


def header_score(spec: SheetSpec, values: Sequence[Any], pins: Mapping[str, HeaderPin] | None = None) -> int:
    """How many cells of a row are headers of this sheet (to find the header row)."""
    return map_headers(spec, values, pins).score


# -- contested headers, decided by the values below them ---------------------------------------------
def fit(spec: SheetSpec, key: str, values: list[Any], lists: Mapping[str, list[str]] | None) -> float | None:
    """Share of ``values`` (non-empty) that fit column ``key``; None when its type says nothing
    (free text). Each distinct value is looked at once."""
    col = spec.column(key)
    counts = _counts(values)
    total = sum(counts.values())
    if not total:
        return None
    if col.type == CType.LIST and col.list:
        hits, _ = list_fit(col.list, counts, lists, counts)
    elif col.type in (CType.DATE, CType.DATETIME, CType.YEAR_OR_DATE):
        hits = sum(n for v, n in counts.items() if parse.parse_date(v) is not None)
    elif col.type in (CType.AMOUNT, CType.INTEGER, CType.RATING):
        hits = sum(n for v, n in counts.items() if parse.parse_quantity(v)[0] is not None)
    else:
        return None
    return hits / total


def _counts(values: list[Any]) -> Counter[Any]:
    try:
        counts = Counter(values)
    except TypeError:   # unhashable values: none in a sheet, but never fail on them
        counts = Counter(map(repr, values))
    for v in [v for v in counts if is_empty(v)]:
        del counts[v]
    return counts


def decide_by_content(spec: SheetSpec, hm: HeaderMap, values_of: Any,
                      lists: Mapping[str, list[str]] | None) -> None:
    """Settle each contested header: on the column its exact name names when the values fit it (or
    there are none), else on the one candidate the values clearly fit; otherwise it is ambiguous."""
    for m in hm.matches:
        if m.how != "contested":
            continue
        taken = set(hm.columns)
        cands = [k for k in m.candidates if k not in taken]
        default = m.default if m.default in cands else (cands[0] if len(cands) == 1 else None)
        values = values_of(m.index)
        fits = {k: fit(spec, k, values, lists) for k in cands}
        chosen, why = _choose(cands, default, fits, sum(_counts(values).values()))
        if chosen is not None and chosen != m.default and why == "fits its exact name":
            why = TAKEN
        if chosen is None:
            m.how, m.candidates = "ambiguous", tuple(cands) or m.candidates
            m.note = why
        else:
            m.key, m.note = chosen, why
            m.how = "exact" if chosen == m.default and why == "fits its exact name" else "content"
        settle(hm)


def _choose(cands: list[str], default: str | None, fits: dict[str, float | None], n: int) -> tuple[str | None, str]:
    if not cands:
        return None, "every candidate column is taken by another header"
    if n == 0:
        return (default, "fits its exact name") if default else (None, "no values to decide by")
    if default is not None and (fits[default] or 0) >= DEFAULT_FIT:
        return default, "fits its exact name"
    strong = [k for k in cands if (fits[k] or 0) >= STRONG_FIT]
    if len(strong) == 1:
        return strong[0], f"{round(100 * (fits[strong[0]] or 0))}% of the values fit"
    if default is not None and all(f is None for f in fits.values()):
        return default, "fits its exact name"
    shares = ", ".join(f"{k} {round(100 * f)}%" for k, f in fits.items() if f is not None)
    return None, f"values fit no single column ({shares})" if shares else "values fit no single column"


# -- a second header row ----------------------------------------------------------------------------
def is_sub_header(spec: SheetSpec, hm: HeaderMap, row: Sequence[Any], pins: Mapping[str, HeaderPin] | None) -> bool:
    """Is ``row`` (just below the header) a second header line: an English line under the Chinese
    one, or a units row ("万元", "(元)")? Every non-empty cell must be a unit or a header of the
    sheet, and at least one must be a header of the same column as the cell above, or a unit."""
    above = {m.index: m for m in hm.matches}
    lk = lookup(spec)
    same = other = 0
    for idx, value in enumerate(row, start=1):
        if _too_long(value):
            return False          # long text is data
        text = parse.clean_text(value) if not isinstance(value, str) else value.strip()
        if not text:
            continue
        if not isinstance(value, str):
            return False          # a number or a date is data
        if unit_word(text):
            same += 1
            continue
        m = match_header(lk, idx, text, dict(pins or {}), lambda p: pin_target(spec, p))
        if m.how == "unknown":
            return False
        up = above.get(idx)
        if up is not None and (m.key is not None and (m.key == up.key or m.key in up.candidates)):
            same += 1
        else:
            other += 1
    return same >= 1 and other <= same // 3


def combine_rows(first: Sequence[Any], second: Sequence[Any]) -> list[Any]:
    """Header texts of a two-line header: 'first\\nsecond' per column (either alone when the other is
    empty), matched like one bilingual cell."""
    n = max(len(first), len(second))
    out: list[Any] = []
    for i in range(n):
        a, b = (row[i] if i < len(row) else None for row in (first, second))
        if _too_long(a) or _too_long(b):  # no header: passed on as it is, for map_headers to skip
            out.append(a if _too_long(a) else b)
            continue
        a, b = parse.clean_text(a), parse.clean_text(b)
        out.append("\n".join(x for x in (a, b) if x) or None)
    return out


# -- units --------------------------------------------------------------------------------------------
def column_units(spec: SheetSpec, hm: HeaderMap) -> dict[str, tuple[str, str]]:
    """Amount column key → (unit its values are in, where that came from). A header (or pin) that
    states no unit: 万元, the template's unit (source 'default'); one that states a unit that is not
    money (天, a disagreement): '?' — the unit is unknown."""
    out: dict[str, tuple[str, str]] = {}
    by_key = {m.key: m for m in hm.matches if m.key and m.how != "duplicate"}
    for key in hm.columns:
        if spec.column(key).type != CType.AMOUNT:
            continue
        m = by_key[key]
        if m.unit is None:
            out[key] = (WAN, "default")
        elif m.unit in MONEY_FACTORS:
            out[key] = (m.unit, m.unit_from or "header")
        else:
            out[key] = ("?", m.unit_from or "header")
    return out


def doubt_rows(values: Any, unit: str, limit: float) -> list[int]:
    """Rows (index labels) of a 万元 column holding a value at or above ``limit``: such an amount was
    most likely typed in 元. ``values``: the column in 万元 (a Series indexed by row)."""
    if unit != WAN:
        return []
    bad = values.notna() & (values >= limit)
    return [int(r) for r in values.index[bad.to_numpy()]]
