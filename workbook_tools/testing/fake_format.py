"""Fonts and notes of the xlwings stand-in's ranges (:mod:`.fake_cells`), and colour input as
xlwings takes it."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .fake_cells import FakeRange, _Cell


def rgb(value: Any) -> tuple[int, int, int] | None:
    """xlwings colour input (``'#RRGGBB'``, ``(r, g, b)``, an int as in COM) → ``(r, g, b)``."""
    if value is None:
        return None
    if isinstance(value, str):
        h = value.lstrip("#")
        if not re.fullmatch(r"[0-9A-Fa-f]{6}", h):
            raise ValueError(f"bad colour {value!r}")
        return (int(h[0:2], 16), int(h[2:4], 16), int(h[4:6], 16))
    if isinstance(value, int):
        return (value & 0xFF, (value >> 8) & 0xFF, (value >> 16) & 0xFF)
    r, g, b = value
    return (int(r), int(g), int(b))


class FakeFont:
    """``xlwings.main.Font`` of a range."""

    __slots__ = ("_rng",)

    def __init__(self, rng: FakeRange) -> None:
        self._rng = rng

    def _set(self, attr: str, value: Any) -> None:
        self._rng._count(f"Font.{attr}:set")
        for r, c in self._rng._iter():
            setattr(self._rng._cell(r, c), attr, value)

    @property
    def color(self) -> tuple[int, int, int] | None:
        self._rng._count("Font.color:get")
        return self._rng._uniform(lambda c: c.font_color, (0, 0, 0), mixed=TypeError)

    @color.setter
    def color(self, value: Any) -> None:
        self._set("font_color", rgb(value) or (0, 0, 0))

    @property
    def bold(self) -> bool | None:
        return self._rng._uniform(lambda c: c.bold, False)

    @bold.setter
    def bold(self, value: bool) -> None:
        self._set("bold", bool(value))

    @property
    def italic(self) -> bool | None:
        return self._rng._uniform(lambda c: c.italic, False)

    @italic.setter
    def italic(self, value: bool) -> None:
        self._set("italic", bool(value))

    @property
    def size(self) -> float | None:
        return self._rng._uniform(lambda c: c.size, 11.0)

    @size.setter
    def size(self, value: float) -> None:
        self._set("size", float(value))


class FakeNote:
    """``xlwings.main.Note``: text and delete."""

    __slots__ = ("_cell",)

    def __init__(self, cell: _Cell) -> None:
        self._cell = cell

    @property
    def text(self) -> str:
        return self._cell.note or ""

    @text.setter
    def text(self, value: str) -> None:
        self._cell.note = value

    def delete(self) -> None:
        self._cell.note = None
