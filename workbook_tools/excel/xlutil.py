"""Small helpers shared by the live applier and its marks: xlwings colours, sheets, values, runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


def hex_colour(rgb: Any) -> str:
    """xlwings colour ((r, g, b), '#RRGGBB' or None) → 'RRGGBB' ('' for none)."""
    if rgb is None or rgb == "":
        return ""
    if isinstance(rgb, str):
        return rgb.lstrip("#").upper()
    r, g, b = rgb
    return f"{int(r):02X}{int(g):02X}{int(b):02X}"


def xl_colour(h: str) -> str | None:
    return f"#{h}" if h else None


def cell_value(v: Any) -> Any:
    """A changeset value as written through xlwings: text always gets Excel's apostrophe prefix."""
    if isinstance(v, str):
        return "'" + v if v else None
    return v


def find_sheet(book: Any, name: str) -> Any | None:
    for s in book.sheets:
        if s.name.casefold() == name.casefold():
            return s
    return None


def runs(rows: Iterable[int]) -> list[tuple[int, int]]:
    """Sorted distinct ints → [(first, last)] of consecutive runs."""
    out: list[tuple[int, int]] = []
    for r in sorted(set(rows)):
        if out and r == out[-1][1] + 1:
            out[-1] = (out[-1][0], r)
        else:
            out.append((r, r))
    return out
