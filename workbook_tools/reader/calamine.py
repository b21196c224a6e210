"""calamine (python-calamine) behind the reader: opening a workbook, getting a sheet, its rows,
with calamine's errors told as the user's (an encrypted workbook, a damaged file or sheet)."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import python_calamine as pc

from ..errors import UnreadableWorkbook
from ..i18n import L


def sheet_parts(zf: zipfile.ZipFile) -> set[str]:
    return {n for n in zf.namelist() if n.startswith(("xl/worksheets/", "xl/chartsheets/"))
            and n.endswith(".xml") and "/_rels/" not in n}


def open_calamine(path: Path, *, by_content: bool = False) -> Any:
    """calamine's workbook; ``by_content``: its format from the bytes, not the name (a legacy .xls
    named .xlsx)."""
    def open_() -> Any:
        if not by_content:
            return pc.CalamineWorkbook.from_path(str(path))
        with path.open("rb") as fh:
            return pc.CalamineWorkbook.from_filelike(fh)

    return _guarded(open_, path, "文件已损坏", "the file is damaged",
                     hint=L("请在 Excel 中打开修复后另存为 .xlsx", "Let Excel repair it and save it as .xlsx"))


def get_sheet(book: Any, path: Path, name: str) -> Any:
    return _guarded(lambda: book.get_sheet_by_name(name), path, f"工作表“{name}”已损坏",
                     f"sheet '{name}' is damaged", sheet=name)


def _guarded(call: Callable[[], Any], path: Path, zh: str, en: str, *, sheet: str | None = None,
              hint: L | None = None) -> Any:
    """``call()``, with calamine's errors told as the user's: an encrypted workbook, or damage."""
    try:
        return call()
    except pc.PasswordError as exc:
        raise UnreadableWorkbook(L(f"无法读取“{path.name}”：工作簿设置了打开密码（已加密）",
                                   f"Cannot read '{path.name}': the workbook is password-protected")) from exc
    except Exception as exc:  # noqa: BLE001 - calamine raises several types for damaged files and sheets
        raise UnreadableWorkbook(L(f"无法读取“{path.name}”：{zh}（{exc}）", f"Cannot read '{path.name}': {en} ({exc})"),
                                 sheet=sheet, hint=hint) from exc


def to_rows(sheet: Any, path: Path, name: str, nrows: int | None, merged: dict[str, list[Any]]) -> list[list[Any]]:
    """The sheet's rows from row 1 and column A; its merged ranges go into ``merged``."""
    try:
        merged[name] = list(sheet.merged_cell_ranges or [])
    except Exception:  # noqa: BLE001 - merged ranges are a nicety; never fail the read on them
        merged[name] = []
    try:
        if nrows is None:
            return shared_rows(sheet)
        return sheet.to_python(skip_empty_area=False, nrows=nrows)
    except Exception as exc:  # noqa: BLE001
        raise UnreadableWorkbook(L(f"无法读取“{path.name}”：工作表“{name}”已损坏（{exc}）",
                                   f"Cannot read '{path.name}': sheet '{name}' is damaged ({exc})"),
                                 sheet=name) from exc


def shared_rows(sheet: Any) -> list[list[Any]]:
    """``sheet.to_python(skip_empty_area=False)``, with one object per distinct text of each column:
    rows are taken one at a time and their texts swapped for the column's first copy at once, so
    the sheet never stands in memory twice over (calamine's copy and a new object per cell: about
    100 MB for the 10k sample's contact log) and each text's hash is computed once."""
    start = sheet.start
    if start is None:
        return sheet.to_python(skip_empty_area=False)
    pad = [""] * start[1]  # iter_rows starts at the range's first column, to_python at column A
    memos: list[dict[str, str]] = [{} for _ in range(start[1] + sheet.width)]
    width = len(memos)
    out = []
    for row in sheet.iter_rows():
        if pad:
            row = pad + row
        if len(row) != width:  # never seen; a row must not lose cells to zip below
            memos += [{} for _ in range(len(row) - width)]
            width = len(memos)
        out.append([m.setdefault(v, v) if v.__class__ is str else v for m, v in zip(memos, row)])
    return out
