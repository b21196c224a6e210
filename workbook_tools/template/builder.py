"""Build a NEW CRM workbook from the schema with XlsxWriter: the master template (no data) and
sample workbooks (with data) come out of the same function, so a sample looks exactly like
the template. Never used on a user's existing workbook.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

import xlsxwriter

from ..i18n import L
from ..model import Settings, col_letter
from ..schema import SCHEMA, Column, CType, Schema, SheetSpec
from ..styles import FONT, PALETTE
from .codesheet import CodeLayout, layout, write_code_sheet
from .fastrows import PendingSheet, inject_rows
from .instructions import column_help, write_instructions

TEMPLATE_ROWS = 2000             # validations and formats reach this row in the template
SAMPLE_EXTRA_ROWS = 500          # … and this many rows below the data in a sample
FIXED_CREATED = datetime(2026, 1, 1, 0, 0, 0)
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2100, 12, 31)
TABLE_STYLE = "Table Style Light 9"

# The number-format style of each column type (keys of PALETTE, plus a few local ones).
_TYPE_STYLE = {
    CType.DATE: "date", CType.DATETIME: "datetime", CType.AMOUNT: "amount", CType.INTEGER: "int",
    CType.RATING: "int", CType.PHONE: "text", CType.CUSTOMER_ID: "text", CType.LONGTEXT: "cell",
}


def _fmt(wb: xlsxwriter.Workbook, props: dict[str, Any]) -> Any:
    return wb.add_format({"font_name": FONT, "font_size": 10, **props})


def _formats(wb: xlsxwriter.Workbook) -> dict[str, Any]:
    f = {name: _fmt(wb, props) for name, props in PALETTE.items()}
    f["para"] = _fmt(wb, {"text_wrap": True, "valign": "top"})
    f["header_computed_cell"] = _fmt(wb, {**PALETTE["header_computed"], "align": "left", "valign": "top"})
    f["code_key"] = _fmt(wb, {**PALETTE["cell"], "font_name": "Consolas", "font_color": "#595959"})
    f["code_value"] = _fmt(wb, {**PALETTE["cell"], "bold": True, "bg_color": "#FFF2CC", "align": "center",
                                "text_wrap": True})
    f["title"] = _fmt(wb, {**PALETTE["title"], "valign": "vcenter"})
    f["para"].set_font_size(10)
    return f


def _col_formats(wb: xlsxwriter.Workbook, spec: SheetSpec) -> list[Any]:
    out = []
    for col in spec.columns:
        base = dict(PALETTE[_TYPE_STYLE.get(col.type, "cell")])
        if col.number_format and col.number_format != "General":
            base["num_format"] = col.number_format
        if col.computed:
            base["bg_color"] = "#F2F8EE"
        out.append(_fmt(wb, base))
    return out


def _validation(col: Column, lang: str, schema: Schema) -> dict[str, Any]:
    title = col.label.get(lang)[:32]
    opts: dict[str, Any] = {"input_title": title, "input_message": column_help(col, lang, schema)[:255]}
    warn_title = L("请检查", "Please check").get(lang)
    if col.type == CType.LIST and col.list:
        li = schema.list(col.list)
        opts.update(validate="list", source="=" + li.defined_name, error_type="stop",
                    error_title=L("不在下拉列表中", "Not in the list").get(lang),
                    error_message=L("请从下拉列表中选择；需要新选项请先在“代码表”的“{n}”列末尾添加。",
                                    "Pick a value from the list; add new options to the lists sheet first.")
                    .format(n=li.label.get(lang)).get(lang))
    elif col.type == CType.DATE:
        opts.update(validate="date", criteria="between", minimum=DATE_MIN, maximum=DATE_MAX, error_type="warning",
                    error_title=warn_title,
                    error_message=L("请输入日期，格式 YYYY-MM-DD，例如 2024-03-05。",
                                    "Enter a date as YYYY-MM-DD, e.g. 2024-03-05.").get(lang))
    elif col.type == CType.DATETIME:
        opts.update(validate="decimal", criteria="between", minimum=1.0, maximum=73051.0, error_type="warning",
                    error_title=warn_title,
                    error_message=L("请输入日期时间，格式 YYYY-MM-DD hh:mm。",
                                    "Enter a date and time as YYYY-MM-DD hh:mm.").get(lang))
    elif col.type == CType.AMOUNT:
        opts.update(validate="decimal", criteria=">=", value=0, error_type="warning", error_title=warn_title,
                    error_message=L("金额单位为万元，须为不小于 0 的数字（35 表示 35 万元）。",
                                    "Amounts are in 万元 and must be a number ≥ 0.").get(lang))
    elif col.type in (CType.RATING, CType.INTEGER):
        lo = int(col.min_value) if col.min_value is not None else 0
        if col.max_value is not None:
            crit: dict[str, Any] = {"criteria": "between", "minimum": lo, "maximum": int(col.max_value)}
        else:
            crit = {"criteria": ">=", "value": lo}
        rng = f"{lo}–{int(col.max_value)}" if col.max_value is not None else f"≥ {lo}"
        opts.update(validate="integer", error_type="warning", error_title=warn_title,
                    error_message=L("请输入整数 {r}。", "Enter a whole number {r}.").format(r=rng).get(lang), **crit)
    elif col.max_len:
        opts.update(validate="length", criteria="<=", value=col.max_len, error_type="warning", error_title=warn_title,
                    error_message=L("不超过{n}字，请精简。", "At most {n} characters.").format(n=col.max_len).get(lang))
    else:
        opts["validate"] = "any"
    return opts


def _conditional_formats(wb: xlsxwriter.Workbook, ws: Any, spec: SheetSpec, last_row: int,
                         fmts: dict[str, Any], code_sheet: str, lay: CodeLayout) -> None:
    """Sober highlights a manager expects: overdue in red, at-risk in orange, low satisfaction."""
    idx = {c.key: i for i, c in enumerate(spec.columns)}

    def rng(key: str) -> tuple[int, int, int, int]:
        return (1, idx[key], last_row, idx[key])

    def ref(key: str) -> str:
        return f"${col_letter(idx[key] + 1)}2"

    red = wb.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006"})
    orange = wb.add_format({"bg_color": "#FCE4D6", "font_color": "#C65911", "bold": True})
    yellow = wb.add_format({"bg_color": "#FFEB9C", "font_color": "#9C5700"})
    grey = wb.add_format({"font_color": "#808080"})
    if spec.key == "customers":
        # red exactly when the cell's own formula says 是 on the day the file is opened (the same
        # expression, so the highlight and the value never disagree, whatever the cached value)
        overdue = spec.column("overdue")
        letters = {k: "$" + col_letter(idx[k] + 1) for k in overdue.formula_keys()}
        ws.conditional_format(*rng("overdue"), {"type": "formula", "criteria": f'={overdue.formula_at(2, letters)}="是"',
                                                "format": red})
        ws.conditional_format(*rng("next_follow"), {
            "type": "formula", "criteria": f'=AND(ISNUMBER({ref("next_follow")}),{ref("next_follow")}<TODAY())',
            "format": red})
        ws.conditional_format(*rng("risk_flag"), {"type": "formula", "criteria": f'=LEN({ref("risk_flag")})>0',
                                                  "format": orange})
        sat_max = lay.setting_cell(code_sheet, "risk_satisfaction_max")
        ws.conditional_format(*rng("satisfaction"), {
            "type": "formula", "criteria": f'=AND(ISNUMBER({ref("satisfaction")}),{ref("satisfaction")}<={sat_max})',
            "format": yellow})
        for key in ("amount_total", "amount_annual"):
            ws.conditional_format(*rng(key), {
                "type": "formula", "criteria": f'=AND(ISNUMBER({ref(key)}),{ref(key)}<0)', "format": red})
        ws.conditional_format(*rng("stage"), {"type": "cell", "criteria": "==", "value": '"终止合作"', "format": grey})
    elif spec.key == "contacts":
        ws.conditional_format(*rng("due"), {
            "type": "formula", "criteria": f'=AND({ref("due")}<>"",{ref("due")}<TODAY())', "format": red})
        ws.conditional_format(*rng("contact_changed"), {"type": "cell", "criteria": "==", "value": '"是"',
                                                        "format": orange})
    elif spec.key == "complaints":
        st, urg = ref("status"), ref("urgency")
        ws.conditional_format(*rng("urgency"), {
            "type": "formula", "criteria": f'=AND(OR({urg}="特急",{urg}="紧急"),OR({st}="待处理",{st}="处理中"))',
            "format": red})
        ws.conditional_format(*rng("status"), {
            "type": "formula", "criteria": f'=OR({st}="待处理",{st}="处理中")', "format": yellow})


def _data_sheet(wb: xlsxwriter.Workbook, spec: SheetSpec, rows: Sequence[Mapping[str, Any]], lang: str,
                fmts: dict[str, Any], schema: Schema, code_sheet: str, lay: CodeLayout, n_valid: int,
                position: int) -> PendingSheet:
    """Write one data sheet without its data cells; return them as pending rows for :mod:`fastrows`."""
    ws = wb.add_worksheet(spec.label.get(lang))
    col_fmts = _col_formats(wb, spec)
    n = len(spec.columns)
    last_data = max(1, len(rows))          # a table needs at least one body row
    columns = []
    for i, col in enumerate(spec.columns):
        ws.set_column(i, i, col.col_width, col_fmts[i])
        columns.append({"header": col.label.get(lang),
                        "header_format": fmts["header_computed" if col.computed else "header"]})
    # The table is written over one body row and stretched over the data by fastrows.inject_rows.
    ws.add_table(0, 0, 1, n - 1, {"name": spec.table_name, "columns": columns, "style": TABLE_STYLE})
    ws.set_row(0, 36)
    last_valid = max(n_valid, last_data)
    for i, col in enumerate(spec.columns):
        ws.data_validation(1, i, last_valid, i, _validation(col, lang, schema))
    _conditional_formats(wb, ws, spec, last_valid, fmts, code_sheet, lay)
    ws.freeze_panes(1, 2 if spec.key == "customers" else 0)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    ws.set_margins(left=0.4, right=0.4, top=0.5, bottom=0.6)
    ws.set_footer(L("&L&A&R第 &P 页，共 &N 页", "&L&A&RPage &P of &N").get(lang))
    return PendingSheet(index=position, table=position, rows=rows, columns=spec.columns, col_formats=col_fmts,
                        date_format=fmts["date"], datetime_format=fmts["datetime"])


def _settings(settings: Settings | Mapping[str, Any] | None, schema: Schema) -> Settings:
    base = Settings.defaults(schema)
    if settings is None:
        return base
    if isinstance(settings, Settings):
        return settings
    base.values.update(dict(settings))
    return base


def build_workbook(path: str | Path, *, lang: str = "zh", data: Mapping[str, Sequence[Mapping[str, Any]]] | None = None,
                   settings: Settings | Mapping[str, Any] | None = None, schema: Schema = SCHEMA) -> Path:
    """Write a NEW workbook at ``path``: 客户基本信息, 沟通记录, 投诉登记, 代码表, 说明.

    ``data`` maps a data-sheet key to its rows (dicts keyed by column key); without it the
    result is the empty master template. ``settings`` overrides the 代码表 values (a
    :class:`Settings` or a ``{setting key: value}`` dict). Same input, same bytes.
    """
    lang = "en" if lang == "en" else "zh"
    path = Path(path)
    st = _settings(settings, schema)
    wb = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False, "strings_to_formulas": False,
                                         "strings_to_urls": False})
    wb.set_properties({
        "title": L("客户关系管理主表", "CRM master workbook").get(lang), "subject": "CRM",
        "author": "workbook_tools", "company": "", "created": FIXED_CREATED,
        "comments": f"schema version {schema.version}",
    })
    wb.set_calc_mode("auto")
    fmts = _formats(wb)
    code_name = schema.sheet("settings").label.get(lang)
    # 代码表 layout must be known before the data sheets refer to it; its sheet is added later.
    lay = layout(schema)
    pending: list[PendingSheet] = []
    for pos, spec in enumerate(schema.data_sheets, start=1):
        rows = list((data or {}).get(spec.key, ()))
        n_valid = TEMPLATE_ROWS - 1 if data is None else len(rows) + SAMPLE_EXTRA_ROWS
        pending.append(_data_sheet(wb, spec, rows, lang, fmts, schema, code_name, lay, n_valid, pos))
    if any(p.rows for p in pending):
        # The data cells are added after close(): their styles must be registered now.
        for p in pending:
            for f in (*p.col_formats, p.date_format, p.datetime_format):
                f._get_xf_index()
    ws_codes = wb.add_worksheet(code_name)
    write_code_sheet(wb, ws_codes, fmts, st, lang, schema)
    ws_doc = wb.add_worksheet(schema.sheet("instructions").label.get(lang))
    write_instructions(ws_doc, fmts, st, lang, schema)
    for li in schema.lists:
        wb.define_name(li.defined_name, lay.list_ref(code_name, li.key))
    wb.close()
    if any(p.rows for p in pending):
        inject_rows(path, pending)
    return path
