"""What the reader tells about a sheet's header row and its columns: duplicates, unknown and
ambiguous headers, headers settled by content, missing required columns, units and text dates
whose day/month order is unclear. Each notice names its cell."""

from __future__ import annotations

from typing import Any

from ..i18n import L
from ..model import Notice, SheetData, cell_ref
from ..schema.headers import shown
from ..schema.units import DISAGREE, WAN
from .headermap import TAKEN

_MAX_CELLS = 8
UNIT_FROM = {"header": ("表头注明", "stated in the header"), "pinned": ("代码表映射指定", "pinned in 代码表"),
             "default": ("表头未注明，按模板单位", "the header states none; the template's unit")}


def _cells(sheet: SheetData, key: str, rows: list[int]) -> str:
    refs = [sheet.cell(r, key) or "" for r in sorted(rows)[:_MAX_CELLS]]
    return "、".join(refs) + ("…" if len(rows) > _MAX_CELLS else "")


def _names(sheet: SheetData, keys: Any) -> tuple[str, str]:
    cols = [sheet.spec.column(k) for k in keys]
    return "、".join(c.zh for c in cols), ", ".join(f"{c.en} ({c.zh})" for c in cols)


def unit_problem(sheet: SheetData, key: str) -> L:
    """Why an amount column's unit is unknown: the header states two units, or one that is not money."""
    head = shown(sheet.headers[key])
    stated = next((m.unit for m in sheet.matches if m.key == key and m.how != "duplicate"), None) or "?"
    if DISAGREE in stated:
        return L(f"表头“{head}”写了互相矛盾的单位（{stated}），无法确定该列的单位",
                 f"Header '{head}' states units that contradict each other ({stated}); the column's unit is unknown")
    return L(f"表头“{head}”写的单位“{stated}”不是金额单位，无法换算为万元",
             f"Header '{head}' states '{stated}', which is not a money unit; it cannot be converted to 万元")


def header_notices(sheet: SheetData, facts: dict[str, dict[str, Any]]) -> list[Notice]:
    name, hr = sheet.name, sheet.header_row
    out: list[Notice] = []
    for m in sheet.matches:
        ref = cell_ref(hr, m.index)
        if m.how == "duplicate":
            out.append(Notice("R-DUPLICATE-COLUMN", L("表头“{h}”与另一列对应同一字段，只读取更确定的那一列",
                                                      "Header '{h}' names the same column as another header; "
                                                      "only the surer one is read").format(h=shown(m.text)), name, ref))
        elif m.how == "unknown":
            out.append(Notice("R-UNKNOWN-COLUMN", L("未识别的列“{h}”，已保留但不处理", "Unknown column '{h}' kept "
                                                    "but not used").format(h=shown(m.text)), name, ref, "info"))
        elif m.how == "ambiguous":
            zh, en = _names(sheet, m.candidates)
            out.append(Notice("R-AMBIGUOUS-COLUMN", L(f"表头“{shown(m.text)}”可能是 {zh}，无法确定，未读取；请在代码表的表头映射区指定",
                                                      f"Header '{shown(m.text)}' could be {en}; not read until a 代码表 "
                                                      "header-mapping row says which"), name, ref, "error"))
        elif m.how == "content" and m.key:
            col = sheet.spec.column(m.key)
            if m.note == TAKEN:
                msg = L(f"表头“{shown(m.text)}”识别为“{col.zh}”（其他可能的列已有各自的表头）",
                        f"Header '{shown(m.text)}' read as {col.en} ({col.zh}): the other columns it could be have "
                        "their own headers")
            else:
                msg = L(f"表头“{shown(m.text)}”按该列内容识别为“{col.zh}”",
                        f"Header '{shown(m.text)}' read as {col.en} ({col.zh}) from its values")
            out.append(Notice("R-COLUMN-BY-CONTENT", msg, name, ref, "info"))
    for key in sheet.missing_columns:
        col = sheet.spec.column(key)
        if col.required:
            out.append(Notice("R-MISSING-COLUMN", L(f"缺少必填列“{col.zh}”", f"Required column '{col.en}' "
                                                    f"({col.zh}) is missing"), name, None, "error"))
    for key, unit in sheet.units.items():
        col, ref = sheet.spec.column(key), sheet.header_cells[key]
        if unit == "?":
            out.append(Notice("R-UNIT-UNKNOWN", unit_problem(sheet, key), name, ref, "error"))
        elif unit != WAN:
            zh, en = UNIT_FROM.get(sheet.unit_from.get(key, ""), ("", ""))
            head = shown(sheet.headers[key])
            out.append(Notice("R-UNIT", L(f"“{head}”按{unit}读取（{zh}），计算时换算为万元",
                                          f"'{head}' ({col.en}) read in {unit} ({en}), converted to 万元 for every rule"),
                              name, ref, "info"))
    for key, f in facts.items():
        col = sheet.spec.column(key)
        if f.get("units"):
            out.append(Notice("R-UNIT-MIXED", L(f"“{col.zh}”列的单位是{f['unit']}，但 {_cells(sheet, key, f['units'])} "
                                                "的文字写了其他单位，已按文字中的单位换算",
                                                f"{col.en} is in {f['unit']}, but {_cells(sheet, key, f['units'])} "
                                                "name another unit in their text; converted by that unit"),
                              name, sheet.cell(min(f["units"]), key), "warning"))
        if f.get("order"):
            zh, en = ("日在前（日/月/年）", "day first (d/m/y)") if f["order"] == "dmy" else \
                ("月在前（月/日/年）", "month first (m/d/y)")
            out.append(Notice("R-DATE-ORDER", L(f"“{col.zh}”列中形如 13/3/2024 的日期按{zh}读取",
                                                f"{col.en}: dates such as 13/3/2024 are read {en}"),
                              name, sheet.header_cells[key], "info"))
        if f.get("ambiguous"):
            out.append(Notice("R-DATE-AMBIGUOUS", L(f"“{col.zh}”列中 {_cells(sheet, key, f['ambiguous'])} 既可能是日/月也可能是"
                                                    "月/日，未读取；请写成 YYYY-MM-DD",
                                                    f"{col.en}: {_cells(sheet, key, f['ambiguous'])} could be day/month "
                                                    "or month/day; not read. Write them as YYYY-MM-DD"),
                              name, sheet.cell(min(f["ambiguous"]), key), "warning"))
    return out
