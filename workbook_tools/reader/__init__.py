"""Workbook file → :class:`~workbook_tools.model.WorkbookModel` (see ``docs/reader.md``).

``read_workbook`` loads on first use (PEP 562): importing a light module of this package (the
safety checks, the grid of ``wbt diff``) does not pull in pandas, so ``wbt --help`` stays quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .workbook import read_workbook

__all__ = ["read_workbook"]


def __getattr__(name: str) -> Any:
    if name == "read_workbook":
        from .workbook import read_workbook

        return read_workbook
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
