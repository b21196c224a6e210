"""Excel integration: the ribbon add-in (``addin``) and the entry point its buttons call.

A ribbon button runs ``import workbook_tools.excel as x; x.run('<action key>')`` through the
xlwings add-in's RunPython. Live mode (reading and writing the open workbook through xlwings)
lives in ``workbook_tools.excel.live``; it is imported only when a button is pressed.
"""

from __future__ import annotations


def run(action_key: str) -> None:
    """Run one action of :data:`workbook_tools.actions.ACTIONS` on the active Excel workbook."""
    from .live import run as run_live  # type: ignore[import-not-found,unused-ignore]

    run_live(action_key)
