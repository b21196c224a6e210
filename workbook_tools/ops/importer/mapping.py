"""Mapping source headers to schema columns, the way the reader maps a workbook's headers
(:mod:`workbook_tools.reader.headermap`): a user mapping file (TOML) and the target workbook's
代码表 pins first, then names, synonyms, units and bilingual headers; a contested header decided by
the source's values; suggestions (difflib) for headers that map to nothing."""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ...errors import WbtError
from ...i18n import L
from ...reader.headermap import column_units, decide_by_content, map_headers, pin_target, pins_for
from ...schema import SheetSpec, norm_header
from ...schema.headers import HeaderMatch, HeaderPin


@dataclass
class SourceMapping:
    """How a source's header row was read: 0-based source column → column key, every header's
    match, and each amount column's unit (with where it came from)."""

    columns: dict[int, str] = field(default_factory=dict)
    matches: list[HeaderMatch] = field(default_factory=list)
    units: dict[int, tuple[str, str]] = field(default_factory=dict)
    suggestions: dict[str, list[str]] = field(default_factory=dict)

    @property
    def ambiguous(self) -> list[HeaderMatch]:
        return [m for m in self.matches if m.how == "ambiguous"]


def map_source(spec: SheetSpec, headers: list[str], user: dict[str, str] | None = None, *,
               pins: Sequence[HeaderPin] = (), rows: Sequence[Sequence[Any]] = (),
               lists: Mapping[str, list[str]] | None = None, source_in_yuan: bool = False,
               source_name: str = "") -> SourceMapping:
    """Map a source's headers. ``user`` (a mapping file) wins over the workbook's ``pins``, which win
    over the schema; a user entry naming no column of the sheet raises. ``source_in_yuan``: amount
    columns whose header states no unit are in 元 (``--yuan-to-wan``); a header stating another unit
    contradicts it and raises."""
    user_pins = [HeaderPin(text, target) for text, target in (user or {}).items()]
    for pin in user_pins:
        if not pin.ignores and pin_target(spec, pin) is None:
            raise WbtError(L(f"映射文件中的目标列“{pin.target}”不是“{spec.zh}”的列",
                             f"Mapping target '{pin.target}' is not a column of {spec.en}"))
    pin_map = {**pins_for(spec, source_name, pins), **{norm_header(p.text): p for p in user_pins}}
    hm = map_headers(spec, headers, pin_map)
    if hm.of("contested"):
        decide_by_content(spec, hm, lambda idx: [r[idx - 1] if idx - 1 < len(r) else None for r in rows], lists)
    out = SourceMapping(columns={i - 1: k for k, i in hm.columns.items()}, matches=hm.matches)
    for key, (unit, source) in column_units(spec, hm).items():
        if source_in_yuan:
            if source == "default":
                unit, source = "元", "--yuan-to-wan"
            elif unit != "元":
                raise WbtError(L(f"源列“{hm.headers[key]}”的表头写明单位是{unit}，与 --yuan-to-wan（元）矛盾",
                                 f"Source column '{hm.headers[key]}' states {unit} in its header, which contradicts "
                                 "--yuan-to-wan (元)"), hint=L("去掉 --yuan-to-wan，或改正表头", "Drop --yuan-to-wan or fix "
                                                               "the header"))
        out.units[hm.columns[key] - 1] = (unit, source)
    out.suggestions = {text: suggest_columns(spec, text) for text in hm.unknown}
    return out


def suggest_columns(spec: SheetSpec, text: str, n: int = 3) -> list[str]:
    """Column names (zh) whose spellings are close to ``text`` (difflib), closest first."""
    spellings: dict[str, str] = {}
    for c in spec.columns:
        for name in (c.zh, c.en, *c.aliases):
            spellings.setdefault(norm_header(name), c.zh)
    names: list[str] = []
    for m in difflib.get_close_matches(norm_header(text), list(spellings), n=n * 2, cutoff=0.5):
        if spellings[m] not in names:
            names.append(spellings[m])
    return names[:n]


def describe(mapping: dict[int, str], headers: list[str]) -> list[dict[str, Any]]:
    return [{"source": headers[i], "column": k} for i, k in sorted(mapping.items())]


__all__ = ["SourceMapping", "describe", "map_source", "suggest_columns"]
