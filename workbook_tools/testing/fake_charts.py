"""Charts and frozen panes of the xlwings stand-in (:mod:`.xlwings_fake`): what the live review
sheet asks of a sheet besides its cells."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..model import cell_ref
from .fake_cells import FakeRange

if TYPE_CHECKING:
    from .xlwings_fake import FakeSheet

CHART_TYPES = ("column_clustered", "bar_clustered", "pie", "line")

@dataclass
class _ChartState:
    left: float
    top: float
    width: float
    height: float
    chart_type: str = "column_clustered"
    name: str = ""
    source: str = ""


class FakeCharts:
    """``xlwings.main.Charts`` of a sheet."""

    __slots__ = ("_sheet", "wbt_list")

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet
        self.wbt_list: list[FakeChart] = []

    def add(self, left: float = 0, top: float = 0, width: float = 355, height: float = 211, **kw: Any) -> FakeChart:
        self._sheet._book.app.wbt_calls["Charts.add"] += 1
        ch = FakeChart(_ChartState(left, top, width, height))
        self.wbt_list.append(ch)
        return ch


class FakeChart:
    """``xlwings.main.Chart``: type, name, source data."""

    __slots__ = ("wbt_state",)

    def __init__(self, state: _ChartState) -> None:
        self.wbt_state = state

    @property
    def chart_type(self) -> str:
        return self.wbt_state.chart_type

    @chart_type.setter
    def chart_type(self, value: str) -> None:
        if value not in CHART_TYPES:
            raise ValueError(f"unknown chart type {value!r}")
        self.wbt_state.chart_type = value

    @property
    def name(self) -> str:
        return self.wbt_state.name

    @name.setter
    def name(self, value: str) -> None:
        self.wbt_state.name = value

    def set_source_data(self, source: FakeRange) -> None:
        self.wbt_state.source = ",".join(f"{cell_ref(r1, c1)}:{cell_ref(r2, c2)}" for r1, c1, r2, c2 in source._areas)


class FakeFreezePanes:
    """``xlwings.main.FreezePanes``."""

    __slots__ = ("_sheet", "wbt_at")

    def __init__(self, sheet: FakeSheet) -> None:
        self._sheet = sheet
        self.wbt_at: str | None = None

    def freeze_at(self, frozen_range: str | FakeRange) -> None:
        if isinstance(frozen_range, FakeRange):
            frozen_range = cell_ref(frozen_range._r1, frozen_range._c1)
        self.wbt_at = frozen_range
