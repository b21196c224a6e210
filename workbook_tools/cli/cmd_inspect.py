"""``wbt inspect FILE [--json]``: what the reader found in a workbook and how it read it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..i18n import current_lang, tr
from ..model import WorkbookModel, col_letter
from ..schema import SCHEMA, norm_header
from .common import emit_json, file_argument, json_option, read_model

NOTICE_LIMIT = 60


def inspect_dict(model: WorkbookModel, lang: str | None = None) -> dict[str, Any]:
    """Everything ``wbt inspect`` shows, as plain data (also the --json output)."""
    sheets = []
    used = set()
    for key, sh in model.sheets.items():
        used.add(sh.name)
        spec = sh.spec
        sheets.append({
            "name": sh.name, "schema_sheet": key, "schema_name": spec.label.get(lang),
            "header_row": sh.header_row, "rows": sh.n_rows, "last_row": sh.last_row,
            "columns": [{"cell": sh.header_cells[k], "text": sh.headers[k], "key": k,
                         "schema_header": spec.column(k).label.get(lang)}
                        for k in sorted(sh.columns, key=lambda k: sh.columns[k])],
            "unknown_columns": [{"cell": f"{col_letter(i)}{sh.header_row}", "text": t}
                                for t, i in sh.unknown_columns.items()],
            "missing_columns": list(sh.missing_columns),
            "missing_required": [c.key for c in spec.required if c.key in sh.missing_columns],
            "text_typed": len(sh.text_typed), "hidden_rows": sorted(sh.hidden_rows),
            "formulas_without_value": sorted(sh.cell(r, k) or "" for r, k in sh.formulas_without_value),
            "merged": list(sh.merged),
        })
    st = model.settings
    return {
        "file": str(model.path), "format": model.format, "date1904": model.date1904,
        "sheet_names": list(model.sheet_names), "hidden_sheets": list(model.hidden_sheets),
        "sheets": sheets,
        "other_sheets": [{"name": n, "role": _role(n)} for n in model.sheet_names if n not in used],
        "settings": {"from_workbook": sorted(st.from_workbook), "lists": {k: len(v) for k, v in st.lists.items()},
                     "industry_codes": dict(st.industry_codes), "values": dict(st.values)},
        "notices": [n.to_dict(lang) for n in model.notices],
        "counts": {sev: sum(1 for n in model.notices if n.severity == sev) for sev in ("error", "warning", "info")},
    }


def _role(name: str) -> str:
    n = norm_header(name)
    for key in ("settings", "instructions"):
        if n in SCHEMA.sheet(key).name_keys():
            return key
    return "other"


def _print(info: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    con = Console(highlight=False, soft_wrap=False)
    con.print(tr("[bold]文件[/bold] {f}（{fmt}{d}）", "[bold]File[/bold] {f} ({fmt}{d})", f=info["file"],
                 fmt=info["format"], d=tr("，1904 日期系统", ", 1904 date system") if info["date1904"] else ""))
    t = Table(title=tr("工作表", "Sheets"))
    for h in (tr("工作表", "Sheet"), tr("对应", "Schema sheet"), tr("表头行", "Header row"), tr("数据行数", "Rows"),
              tr("已识别列", "Mapped"), tr("未识别列", "Unknown"), tr("缺少必填列", "Missing required")):
        t.add_column(h)
    for s in info["sheets"]:
        hidden = tr("（隐藏）", " (hidden)") if s["name"] in info["hidden_sheets"] else ""
        t.add_row(s["name"] + hidden, s["schema_name"], str(s["header_row"]), f"{s['rows']:,}", str(len(s["columns"])),
                  ", ".join(u["text"] for u in s["unknown_columns"]) or "-", ", ".join(s["missing_required"]) or "-")
    roles = {"settings": tr("代码表（设置）", "lists & settings"), "instructions": tr("说明", "instructions"),
             "other": tr("（未读取）", "(not read)")}
    for other in info["other_sheets"]:
        t.add_row(other["name"], roles[other["role"]], "", "", "", "", "")
    con.print(t)
    for s in info["sheets"]:
        m = Table(title=tr("“{n}”的表头映射", "Header mapping of '{n}'", n=s["name"]))
        for h in (tr("单元格", "Cell"), tr("表头文字", "Header text"), tr("字段", "Field"), tr("键", "Key")):
            m.add_column(h)
        for c in s["columns"]:
            m.add_row(c["cell"], c["text"], c["schema_header"], c["key"])
        for u in s["unknown_columns"]:
            m.add_row(u["cell"], u["text"], tr("[yellow]未识别[/yellow]", "[yellow]unknown[/yellow]"), "")
        con.print(m)
    notices = info["notices"]
    if notices:
        n = Table(title=tr("读取时发现（{c} 条）", "Noticed while reading ({c})", c=len(notices)))
        for h in (tr("级别", "Level"), tr("代码", "Code"), tr("位置", "Where"), tr("说明", "Message")):
            n.add_column(h, overflow="fold")
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}
        for x in notices[:NOTICE_LIMIT]:
            where = "!".join(p for p in (x["sheet"], x["cell"]) if p)
            n.add_row(f"[{colour.get(x['severity'], 'white')}]{x['severity']}[/]", x["code"], where, x["message"])
        con.print(n)
        if len(notices) > NOTICE_LIMIT:
            con.print(tr("……另有 {k} 条，用 --json 查看全部", "… {k} more; use --json to see them all",
                         k=len(notices) - NOTICE_LIMIT))
    c = info["counts"]
    con.print(tr("错误 {e}，警告 {w}，提示 {i}", "{e} errors, {w} warnings, {i} notes", e=c["error"], w=c["warning"],
                 i=c["info"]))


@click.command("inspect")
@file_argument
@json_option
def inspect_cmd(file: Path, as_json: bool) -> None:
    """查看工作簿被如何读取：工作表、表头映射、行数和发现的问题 / show how a workbook is read."""
    model = read_model(file)
    info = inspect_dict(model, current_lang())
    if as_json:
        emit_json(info)
    else:
        _print(info)


commands = [inspect_cmd]
