"""Formula cells without a saved result: their value is unknown, not empty. The steps that read a
column say so per cell (a finding) instead of counting the cell as empty."""

from __future__ import annotations

from collections.abc import Iterable

from ..i18n import L
from ..model import Finding, SheetData

_RECALC = L("用 Excel 或 WPS 打开文件并保存一次（会重新计算），或改为直接填值",
            "Open and save the file in Excel or WPS (it recalculates), or type the value")


def formula_rows(sheet: SheetData, keys: Iterable[str]) -> dict[int, list[str]]:
    """Rows whose cells in ``keys`` are formulas without a saved result (their value is unknown, not
    empty), with those keys."""
    wanted = set(keys)
    out: dict[int, list[str]] = {}
    for row, key in sorted(sheet.formulas_without_value):
        if key in wanted:
            out.setdefault(row, []).append(key)
    return out


def formula_finding(code: str, sheet: SheetData, row: int, key: str, consequence: L) -> Finding:
    """A step's finding for a formula cell it needed: its value is unknown, and what the step did."""
    col = sheet.spec.column(key)
    return Finding(code, "warning", sheet.name,
                   L(f"“{col.zh}”是没有保存计算结果的公式，值未知：{consequence.zh}",
                     f"{col.en} is a formula without a saved result, so its value is unknown: {consequence.en}"),
                   sheet.cell(row, key), row, key, hint=_RECALC)
