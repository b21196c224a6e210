"""Cells whose value is unknown, not empty: formulas without a saved result, and date cells holding
something that is no date (``5月8日`` without a year, ``上周三``, a day/month order that cannot be told).
The steps that read a column say so (a finding) instead of counting the cell as empty."""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..i18n import L
from ..model import Finding, SheetData
from ..schema import CType
from ..values import empty_mask, is_empty_mark, per_value
from .terms import read_term

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


def unread_rows(sheet: SheetData, key: str) -> list[int]:
    """Rows whose cell in date column ``key`` (or 合作期限) holds something that is no date (no term):
    not empty, not an empty mark ('-', '无'), not a formula without a saved result
    (:func:`formula_rows`), and not read. [] for any other column or one not in the sheet."""
    kind = sheet.spec.column(key).type if key in sheet.columns and sheet.n_rows else None
    if kind not in (CType.DATE, CType.DATETIME, CType.TERM):
        return []
    raw = sheet.raw[key].to_numpy(dtype=object)
    filled = ~empty_mask(raw) & ~np.array(per_value(raw, is_empty_mark), dtype=bool)
    unread = (np.array(per_value(raw, lambda v: read_term(v) is None), dtype=bool) if kind == CType.TERM
              else sheet.df[key].isna().to_numpy())
    formulas = {r for r, k in sheet.formulas_without_value if k == key}
    return [int(r) for r in sheet.df.index[filled & unread] if int(r) not in formulas]
