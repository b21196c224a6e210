"""One sheet of any spreadsheet as rows, with every check :func:`read_workbook` makes.

For sources that are not the CRM workbook (``wbt import``): the same sniffing (regular file,
zip/OLE/text, encryption), zip-bomb limits, DOCTYPE/ENTITY refusal and extent check
(:mod:`.extent`) run before calamine ever sees the file, so a source cannot crash or hang the
tool where a workbook could not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import UnreadableWorkbook
from ..i18n import L
from . import safety, xmlscan
from .calamine import get_sheet, open_calamine, sheet_parts


def read_sheet_rows(path: str | Path, sheet: str | None = None) -> list[list[Any]]:
    """The rows of sheet ``sheet`` (by name; default the first) of the .xlsx/.xlsm/.xls at ``path``,
    from row 1 and column A. Raises UnreadableWorkbook (a bilingual message) when the file is
    refused or the sheet does not exist."""
    path = Path(path)
    kind = safety.sniff(path)
    if kind == "xls":
        book = open_calamine(path, by_content=safety.legacy_xls_named_xlsx(path))
        name = _pick(path, list(book.sheet_names), sheet)
    else:
        with safety.open_zip(path) as zf:
            parts = safety.check_small_parts(zf, path, skip=sheet_parts(zf))
            if "xl/workbook.xml" not in parts:
                raise UnreadableWorkbook(L(f"无法读取“{path.name}”：缺少 xl/workbook.xml",
                                           f"Cannot read '{path.name}': xl/workbook.xml is missing"))
            info = xmlscan.workbook_info(parts["xl/workbook.xml"], parts.get("xl/_rels/workbook.xml.rels", b""))
            name = _pick(path, [e.name for e in info.sheets], sheet)
            part = next(e.part for e in info.sheets if e.name == name)
            if part in zf.namelist():
                xmlscan.scan_sheet(zf, part, path, name)  # refuses before calamine allocates the sheet
        book = open_calamine(path)
    try:
        return [list(r) for r in get_sheet(book, path, name).to_python(skip_empty_area=False)]
    except UnreadableWorkbook:
        raise
    except Exception as exc:  # noqa: BLE001 - calamine's own error types for a damaged sheet
        raise UnreadableWorkbook(L(f"无法读取“{path.name}”：工作表“{name}”已损坏（{exc}）",
                                   f"Cannot read '{path.name}': sheet '{name}' is damaged ({exc})"), sheet=name) from exc


def _pick(path: Path, names: list[str], sheet: str | None) -> str:
    if not names:
        raise UnreadableWorkbook(L(f"无法读取“{path.name}”：文件中没有工作表", f"Cannot read '{path.name}': it has no sheet"))
    if sheet is None:
        return names[0]
    if sheet not in names:
        raise UnreadableWorkbook(L(f"“{path.name}”中没有名为“{sheet}”的工作表（有：{'、'.join(names)}）",
                                   f"'{path.name}' has no sheet named '{sheet}' (it has: {', '.join(names)})"))
    return sheet
