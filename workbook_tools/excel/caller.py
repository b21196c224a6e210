"""Which open workbook a ribbon click means.

What xlwings does (read in its 0.37 source, ``xlwings/addin/Main.bas`` and ``main.py``): the
add-in's ``RunPython`` starts Python with ``--wb=<ActiveWorkbook.Name> --hwnd=<Application.Hwnd>``
on the command line (with "USE UDF SERVER" it sets ``BOOK_CALLER`` to ``ActiveWorkbook``), and
``xw.Book.caller()`` returns ``App(hwnd).books[name]``. So for our ribbon, which calls
``'xlwings.xlam'!RunPython``, ``caller()`` is the workbook the user clicked from, not the add-in.
Only the stand-alone module (``xlwings.bas`` imported into a workbook or add-in) passes
``ThisWorkbook``, i.e. the file that holds the VBA. ``xw.books.active`` would be the active book
of the topmost Excel window, which with two Excel instances need not be the one clicked.

The CRM add-in does not depend on any of that: its VBA passes ``ActiveWorkbook.FullName`` (as hex
UTF-16 code units, so quotes, ``%`` and Chinese letters survive the command line) and
``Application.Hwnd`` explicitly, and :func:`find_book` looks for exactly that book in exactly that
Excel instance, by name (Excel never has two open books of one name in an instance; the name
also matches when ``FullName`` is a OneDrive URL that xlwings turns into a local path). The
instance is matched by its window handle or, since Excel 2013 gives each workbook window its own
top-level handle while ``xw.apps`` lists one window per process, by the process that owns the
window (``App.pid``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable
from typing import Any

from ..errors import WbtError
from ..i18n import L

USED_API: dict[str, list[str]] = {
    "Apps": ["__iter__"],
    "App": ["hwnd", "pid", "books"],
    "Books": ["__iter__"],
    "Book": ["name", "fullname"],
}
"""xlwings used to find the clicked book (checked by tests/test_xlwings_contract.py)."""

_HEX = re.compile(r"(?:[0-9A-Fa-f]{4})*")


def decode_name(text: str) -> str:
    """The hex UTF-16 code units the VBA sends (``HexText``) → the text."""
    if not _HEX.fullmatch(text):
        raise WbtError(L("加载项传来的工作簿名称无法识别：{t}", "The add-in sent a workbook name that cannot be read: {t}")
                       .format(t=text[:80]),
                       hint=L("请用当前版本重新生成加载项：wbt excel build-addin",
                              "Rebuild the add-in with this version: wbt excel build-addin"))
    return bytes.fromhex(text).decode("utf-16-be", errors="replace")


def base_name(fullname: str) -> str:
    """The file name of a full name: a Windows or POSIX path, or a URL."""
    return re.split(r"[\\/]", fullname.rstrip("\\/"))[-1]


def _fullname(book: Any) -> str | None:
    try:
        return str(book.fullname)
    except Exception:  # noqa: BLE001 - e.g. a OneDrive URL xlwings cannot map to a local path
        return None


def window_pid(hwnd: int | None) -> int | None:
    """The id of the process that owns window ``hwnd`` (Windows only; None elsewhere)."""
    if not hwnd or sys.platform != "win32":
        return None
    import ctypes
    from ctypes import wintypes

    pid = wintypes.DWORD()
    try:
        ctypes.windll.user32.GetWindowThreadProcessId(wintypes.HWND(hwnd), ctypes.byref(pid))  # type: ignore[attr-defined]
    except Exception:  # noqa: BLE001 - no such window any more: matched by handle only
        return None
    return int(pid.value) or None


def same_excel(app: Any, hwnd: int | None, pid: int | None) -> bool:
    """Is ``app`` the Excel of window ``hwnd`` (owned by process ``pid``)? Any Excel for no handle."""
    return not hwnd or app.hwnd == hwnd or (pid is not None and app.pid == pid)


def find_book(apps: Iterable[Any], fullname: str, hwnd: int | None, pid: int | None = None) -> Any:
    """The open book named by ``fullname`` in the Excel whose window handle is ``hwnd`` or whose
    process is ``pid`` (any Excel when ``hwnd`` is 0 or None). Refuses (WbtError) rather than guess."""
    name = base_name(fullname)
    pool = [a for a in apps if same_excel(a, hwnd, pid)]
    if not pool:
        raise WbtError(L("找不到点击按钮的 Excel 窗口（句柄 {h}）。", "The Excel window the button was clicked in "
                         "(handle {h}) cannot be found.").format(h=hwnd),
                       hint=L("请在要处理的工作簿中再点一次按钮。", "Click the button again in the workbook to process."))
    found = [b for a in pool for b in a.books if str(b.name).casefold() == name.casefold()]
    if len(found) > 1:  # the same name open in several Excel instances and no handle to tell them apart
        found = [b for b in found if _fullname(b) == fullname]
    if len(found) == 1:
        return found[0]
    raise WbtError(L("找不到工作簿“{f}”，或有多个同名工作簿，无法确定要处理哪一个。",
                     "Workbook '{f}' cannot be found, or several are open under that name; not sure which to "
                     "process.").format(f=fullname),
                   hint=L("请只打开要处理的那一个，切换到它后再点按钮。",
                          "Keep only the one to process open, switch to it and click the button again."))
