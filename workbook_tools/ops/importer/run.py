"""``run_import``: a pure operation from a read source to a Changeset on the workbook.

Customers are matched to existing rows by 客户编号, else by 客户名称. A matched row gets only its
EMPTY cells filled; a different non-empty value is a conflict, listed for a person to decide, and
replaced only with ``overwrite=True`` (the edit carries the old value, so the writer refuses it if
the cell changed meanwhile). Unmatched rows are appended below the table (the writer extends the
Excel Table). A name repeated within the source is imported once; the repeats are reported.
Contact-log and complaint rows are appended as they are (no matching).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...changeset import ActionResult, Changeset
from ...i18n import L, plural
from ...model import Finding, WorkbookModel, cell_ref
from ...reader.candidates import pin_row
from ...reader.parse import parse_quantity
from ...schema import SCHEMA, CType, SheetSpec
from ...schema.units import WAN
from ...values import is_missing
from ..matching import name_key, norm_id
from ..needs import ESSENTIAL, Problem, SheetNeed, WriteRefused, problems
from .clean import clean_value, same
from .mapping import SourceMapping, map_source
from .match import CustomerIndex
from .sources import SourceTable

_FORMATS = {CType.DATE: "yyyy-mm-dd", CType.DATETIME: "yyyy-mm-dd hh:mm"}


def _raw(sheet: Any, row: int, key: str) -> Any:
    v = sheet.raw.at[row, key] if key in sheet.raw.columns and row in sheet.raw.index else None
    if is_missing(v):
        return None
    if hasattr(v, "to_pydatetime"):
        v = v.to_pydatetime()
    return None if isinstance(v, str) and not v.strip() else v


def run_import(model: WorkbookModel, source: SourceTable, *, sheet_key: str = "customers",
               mapping: dict[str, str] | None = None, overwrite: bool = False, yuan_to_wan: bool = False,
               as_of: dt.date | None = None) -> ActionResult:
    """Import ``source`` rows into the sheet ``sheet_key`` (customers, contacts or complaints).
    ``yuan_to_wan``: the source's amount columns whose header states no unit are in 元. Raises
    :class:`~workbook_tools.ops.needs.WriteRefused` (nothing planned) when a source or target column
    it would write is not certain: an ambiguous header, an unknown unit, amounts that look like 元
    in a 万元 column."""
    spec = SCHEMA.sheet(sheet_key)
    sheet = model.sheet(sheet_key)
    if sheet is None:
        return ActionResult("import", findings=[Finding(
            "IM-NO-SHEET", "error", spec.zh, L(f"工作簿中没有“{spec.zh}”表", f"The workbook has no {spec.en} sheet"))])
    smap = map_source(spec, source.headers, mapping, pins=model.settings.header_pins, rows=source.rows,
                      lists=model.settings.lists, source_in_yuan=yuan_to_wan, source_name=source.name)
    cols, suggestions = smap.columns, smap.suggestions
    refused = problems(model, needs=[SheetNeed(sheet_key, ESSENTIAL, used=tuple(dict.fromkeys(cols.values())))])
    refused += source_problems(spec, source, smap, model.settings.number("amount_yuan_suspect"))
    if refused:
        raise WriteRefused("import", refused)
    findings: list[Finding] = []
    src = source.name
    if not cols:
        return ActionResult("import", findings=[Finding(
            "IM-NO-HEADER", "error", src, L(f"“{src}”中找不到任何可识别的列名（如 客户名称、联系人、联系方式）",
                                           f"No known column header found in '{src}' (e.g. 客户名称, Contact, Phone)"),
            hint=L("检查表头行，或用 --mapping 指定列映射", "Check the header row, or give a --mapping file"))],
            stats={"source": src, "source_rows": len(source.rows), "new_rows": 0})
    for text, sugg in suggestions.items():
        hint = L("可能是：" + "、".join(sugg), "Maybe: " + ", ".join(sugg)) if sugg else None
        findings.append(Finding("IM-UNMAPPED", "warning", src, L(f"源列“{text}”未对应到任何列，未导入",
                                                                f"Source column '{text}' maps to no column; not imported"),
                                value=text, hint=hint))
    not_in_book = sorted({k for k in cols.values() if k not in sheet.columns})
    for k in not_in_book:
        c = spec.column(k)
        findings.append(Finding("IM-NO-COLUMN", "warning", sheet.name,
                                L(f"工作簿中没有“{c.zh}”列，该列数据未导入", f"The workbook has no '{c.en}' column; not imported"),
                                column=k))
    cs = Changeset("import")
    index = CustomerIndex(sheet) if sheet_key == "customers" else None
    next_row = max(sheet.last_row, sheet.header_row) + 1
    seen_names: dict[str, int] = {}
    conflicts: list[dict[str, Any]] = []
    n_new = n_filled = n_overwritten = n_dup = n_unparsed = n_empty = 0
    for i, row in enumerate(source.rows):
        src_row = source.first_row + i
        rec: dict[str, Any] = {}
        for ci, key in cols.items():
            if key not in sheet.columns or ci >= len(row):
                continue
            col = spec.column(key)
            v, ok = clean_value(col, row[ci], model.settings, source_unit=smap.units.get(ci, (WAN, ""))[0],
                                target_unit=sheet.units.get(key, WAN))
            if v is None:
                continue
            if not ok:
                n_unparsed += 1
                findings.append(Finding("IM-UNPARSED", "warning", src, L(
                    f"第 {src_row} 行“{col.zh}”的值“{v}”无法识别，按原文导入",
                    f"Row {src_row}: '{col.en}' value '{v}' not understood; imported as typed"),
                    row=src_row, column=key, value=v))
            rec[key] = v
        if not rec:
            n_empty += 1
            continue
        target = None
        if index is not None:
            nm = name_key(rec.get("name"))
            if nm and nm in seen_names:
                n_dup += 1
                findings.append(Finding("IM-DUPLICATE", "warning", src, L(
                    f"第 {src_row} 行与第 {seen_names[nm]} 行是同一客户“{rec['name']}”，未重复导入",
                    f"Row {src_row} is the same customer '{rec['name']}' as row {seen_names[nm]}; imported once"),
                    row=src_row, column="name", value=rec.get("name")))
                continue
            if nm:
                seen_names[nm] = src_row
            target = index.find(rec.get("customer_id"), rec.get("name"))
        if target is None:
            for key, v in rec.items():
                col = spec.column(key)
                cs.edit(sheet.name, cell_ref(next_row, sheet.columns[key]), v, None,
                        number_format=_FORMATS.get(col.type))
            if index is not None:
                index.add(next_row, rec.get("customer_id"), rec.get("name"))
            next_row += 1
            n_new += 1
            continue
        for key, v in rec.items():
            old = _raw(sheet, target, key) if target <= sheet.last_row else None
            cell = cell_ref(target, sheet.columns[key])
            col = spec.column(key)
            if old is None:
                cs.edit(sheet.name, cell, v, None, number_format=_FORMATS.get(col.type))
                n_filled += 1
            elif same(old, v) or (key == "customer_id" and norm_id(old) == norm_id(v)):
                continue
            elif overwrite:
                cs.edit(sheet.name, cell, v, old, number_format=_FORMATS.get(col.type))
                n_overwritten += 1
            else:
                conflicts.append({"cell": cell, "row": target, "column": key, "current": old, "imported": v,
                                  "source_row": src_row})
                findings.append(Finding("IM-CONFLICT", "warning", sheet.name, L(
                    f"“{col.zh}”已有值“{old}”，导入值为“{v}”（源第 {src_row} 行）；未覆盖",
                    f"'{col.en}' already holds '{old}', import has '{v}' (source row {src_row}); kept"),
                    cell=cell, row=target, column=key, value=v,
                    hint=L("核对后手工修改，或使用 --overwrite 覆盖", "Check and edit by hand, or use --overwrite")))
    stats = {"source": src, "source_rows": len(source.rows), "header_row": source.header_row,
             "encoding": source.encoding, "mapped": {source.headers[i]: k for i, k in sorted(cols.items())},
             "units": {source.headers[i]: {"unit": u, "from": f, "target_unit": sheet.units.get(cols[i], WAN)}
                       for i, (u, f) in sorted(smap.units.items())},
             "new_rows": n_new, "filled_cells": n_filled, "overwritten_cells": n_overwritten,
             "conflicts": len(conflicts), "duplicates_in_source": n_dup, "unparsed_values": n_unparsed,
             "empty_rows": n_empty, "conflict_list": [{**c, "current": _j(c["current"]), "imported": _j(c["imported"])}
                                                      for c in conflicts]}
    cs.summary = L(f"导入：新增 {n_new} 行，补填 {n_filled} 格，覆盖 {n_overwritten} 格，冲突 {len(conflicts)} 处",
                   f"Import: {plural(n_new, 'new row')}, {plural(n_filled, 'cell')} filled, {n_overwritten} overwritten, "
                   f"{plural(len(conflicts), 'conflict')}")
    return ActionResult("import", findings=findings, changeset=cs, stats=stats, summary=cs.summary)


def source_problems(spec: SheetSpec, source: SourceTable, smap: SourceMapping, limit: float) -> list[Problem]:
    """Why the source's columns cannot be imported with certainty: a header two columns could be,
    an amount column whose unit is unknown, or one read in 万元 (its header states no unit) whose
    values look like 元."""
    out: list[Problem] = []
    name = source.name
    for m in smap.ambiguous:
        names = " / ".join(spec.column(k).zh for k in m.candidates)
        out.append(Problem(name, L(f"源列“{m.text}”可能是 {names}，无法确定。", f"Source column '{m.text}' could be "
                                   f"{names}; it cannot be told."), cell=f"{m.index}",
                           pins=[pin_row(spec.zh, m.text, spec.column(m.candidates[0]).zh)],
                           fix=L("用 --mapping 或代码表的表头映射指定。", "Say which with --mapping or a 代码表 header mapping.")))
    for ci, (unit, source_of) in smap.units.items():
        key, head = smap.columns[ci], source.headers[ci]
        col = spec.column(key)
        if unit == "?":
            out.append(Problem(name, L(f"源列“{head}”的单位不是金额单位。", f"Source column '{head}' states a unit that "
                                       "is not money."), pins=[pin_row(spec.zh, head, col.zh, "元")]))
            continue
        if unit != WAN or source_of != "default":
            continue
        rows = [source.first_row + i for i, r in enumerate(source.rows) if ci < len(r) and _plain_at_least(r[ci], limit)]
        if rows:
            more = "…" if len(rows) > 8 else ""
            where_zh, where_en = "、".join(map(str, rows[:8])) + more, ", ".join(map(str, rows[:8])) + more
            out.append(Problem(name, L(f"源列“{head}”未写单位（按万元读取），但第 {where_zh} 行的值达到 {limit:g} 以上，像是按元填写。",
                                       f"Source column '{head}' states no unit (read in 万元), but rows {where_en} hold "
                                       f"{limit:g} or more, which looks like 元."),
                               pins=[pin_row(spec.zh, head, col.zh, "元")],
                               fix=L("源金额按元填写时加 --yuan-to-wan，或在代码表的表头映射写明单位。",
                                     "If the source is in 元, add --yuan-to-wan or state the unit in the 代码表 header "
                                     "mapping.")))
    return out


def _plain_at_least(value: Any, limit: float) -> bool:
    n, unit = parse_quantity(value)
    return n is not None and unit is None and n >= limit


def _j(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date | dt.datetime) else v
