"""Excel integration: the ribbon add-in (``addin``) and the entry point its buttons call.

A ribbon button runs, through the xlwings add-in's RunPython::

    import workbook_tools.excel as x; x.run('<action key>', book='<hex>', hwnd=<n>, month='<YYYY-MM>')

(see ``macros/CRMTools.bas``). Live mode (reading and writing the open workbook through xlwings)
lives in ``workbook_tools.excel.live``; it is imported only when a button is pressed.
"""

from __future__ import annotations


def run(action_key: str, book: str = "", hwnd: int = 0, month: str = "") -> None:
    """Run one action of :data:`workbook_tools.actions.ACTIONS` on the workbook a button was clicked
    from: ``book`` is its FullName as hex UTF-16 code units, ``hwnd`` its Excel window (0: any),
    ``month`` the review month the user chose. Without ``book``: the active workbook."""
    from . import live

    if book:
        live.run_clicked(action_key, book=book, hwnd=hwnd or None, month=month or None)
    else:
        live.run(action_key, month=month or None)
