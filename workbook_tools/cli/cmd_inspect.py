"""``wbt inspect FILE [--json] [--suggest]``: what the reader found in a workbook and how it read it:
every header → column (how it was matched, its unit), and with ``--suggest`` the 代码表
header-mapping rows to paste for the headers it could not place."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click

from ..i18n import L, current_lang, plural, tr
from ..model import SheetData, WorkbookModel, col_letter
from ..schema import SCHEMA, norm_header
from ..schema.headers import HOW_EN, HOW_ZH
from .common import read_model
from .output import OK, console, emit_json, envelope
from .params import command, file_argument, json_option, option

NOTICE_LIMIT = 60
UNIT_FROM = {"header": ("表头", "header"), "pinned": ("代码表", "pinned"), "default": ("未注明，默认", "unstated: default")}


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
                         "schema_header": spec.column(k).label.get(lang), "how": _how(sh, k),
                         "unit": sh.units.get(k), "unit_from": sh.unit_from.get(k)}
                        for k in sorted(sh.columns, key=lambda k: sh.columns[k])],
            "headers": [_header(sh, m, lang) for m in sh.matches],
            "sub_header_row": sh.sub_header_row, "date_orders": dict(sh.date_orders),
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


def _how(sh: SheetData, key: str) -> str:
    return next((m.how for m in sh.matches if m.key == key and m.how != "duplicate"), "")


def _header(sh: SheetData, m: object, lang: str | None) -> dict[str, Any]:
    """One header cell as inspect shows it: text → column (zh), how matched, unit."""
    from ..schema.headers import HeaderMatch

    assert isinstance(m, HeaderMatch)
    d = m.to_dict()
    d["cell"] = f"{col_letter(m.index)}{sh.header_row}"
    d["field"] = sh.spec.column(m.key).label.get(lang) if m.key else None
    d["candidate_fields"] = [sh.spec.column(k).label.get(lang) for k in m.candidates]
    d["how_label"] = (HOW_EN if lang == "en" else HOW_ZH).get(m.how, m.how)
    if m.key and m.key in sh.units:
        d["unit"], d["unit_from"] = sh.units[m.key], sh.unit_from.get(m.key)
    return d


def _role(name: str) -> str:
    n = norm_header(name)
    for key in ("settings", "instructions"):
        if n in SCHEMA.sheet(key).name_keys():
            return key
    return "other"


def _print(info: dict[str, Any]) -> None:
    from rich.markup import escape
    from rich.table import Table

    from .output import SEVERITY

    con = console()
    con.print(tr("[bold]文件[/bold] {f}（{fmt}{d}）", "[bold]File[/bold] {f} ({fmt}{d})", f=escape(info["file"]),
                 fmt=info["format"], d=tr("，1904 日期系统", ", 1904 date system") if info["date1904"] else ""),
              soft_wrap=True)
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
        con.print(mapping_table(s))
    notices = info["notices"]
    if notices:
        n = Table(title=tr("读取时发现（{c} 条）", "Noticed while reading ({c})", c=len(notices)))
        for h in (tr("级别", "Level"), tr("代码", "Code"), tr("位置", "Where"), tr("说明", "Message")):
            n.add_column(h, overflow="fold")
        colour = {"error": "red", "warning": "yellow", "info": "cyan"}
        for x in notices[:NOTICE_LIMIT]:
            where = "!".join(p for p in (x["sheet"], x["cell"]) if p)
            label = SEVERITY[x["severity"]].get() if x["severity"] in SEVERITY else x["severity"]
            n.add_row(f"[{colour.get(x['severity'], 'white')}]{label}[/]", x["code"], escape(where), escape(x["message"]))
        con.print(n)
        if len(notices) > NOTICE_LIMIT:
            con.print(tr("……另有 {k} 条，用 --json 查看全部", "… {k} more; use --json to see them all",
                         k=len(notices) - NOTICE_LIMIT), soft_wrap=True)
    con.print(counts_text(info["counts"]))


def counts_text(c: dict[str, int]) -> str:
    return L("错误 {e}，警告 {w}，提示 {i}", "{E}, {W}, {I}").format(
        e=c["error"], w=c["warning"], i=c["info"], E=plural(c["error"], "error"), W=plural(c["warning"], "warning"),
        I=plural(c["info"], "note")).get()


def mapping_table(s: dict[str, Any]) -> Any:
    """The header mapping of one sheet: cell, header text → column (key), how matched, unit."""
    from rich.markup import escape
    from rich.table import Table

    title = tr("“{n}”的表头映射（第 {r} 行）", "Header mapping of '{n}' (row {r})", n=s["name"], r=s["header_row"])
    if s.get("sub_header_row"):
        title += tr("，第 {r} 行为第二行表头", "; row {r} is a second header line", r=s["sub_header_row"])
    m = Table(title=title)
    for h in (tr("单元格", "Cell"), tr("表头文字", "Header text"), tr("对应列", "Column"), tr("键", "Key"),
              tr("如何识别", "How"), tr("单位", "Unit")):
        m.add_column(h, overflow="fold")
    colour = {"ambiguous": "red", "unknown": "yellow", "duplicate": "yellow", "ignored": "dim", "content": "cyan",
              "pinned": "green"}
    for h in s["headers"]:
        if h["key"]:
            field = escape(h["field"])
        elif h["how"] == "ambiguous":
            field = "? " + escape(" / ".join(h["candidate_fields"]))
        else:
            field = ""
        how = f"[{colour[h['how']]}]{h['how_label']}[/]" if h["how"] in colour else h["how_label"]
        src = UNIT_FROM.get(h.get("unit_from") or "")
        unit = f"{h['unit']}" + (f"（{tr(*src)}）" if src else "") if h.get("unit") else ""
        m.add_row(h["cell"], escape(h["text"].replace("\n", " / ")), field, h["key"] or "", how, unit)
    return m


def print_suggestions(model: WorkbookModel, as_json: bool) -> None:
    """The 代码表 rows to paste, tab-separated on stdout (they paste into Excel as cells); why each
    is proposed on stderr."""
    from ..ops.needs import has_settings_sheet, paste_instruction, suggest_pins

    found = suggest_pins(model)
    if as_json:
        emit_json(envelope(None, model.path, exit_code=OK, summary={"text": None, "suggestions": len(found)},
                           suggestions=[s.to_dict(current_lang()) for s in found]))
        return
    if not found:
        click.echo(tr("每个表头都已确定，无需映射。", "Every header is placed; nothing to pin."), err=True)
        return
    paste = paste_instruction(has_settings_sheet(model))
    click.echo(L(paste.zh + "，核对“对应列”后保存：", paste.en + ", check the column, and save:").get(), err=True)
    for s in found:
        click.echo(s.row)
        click.echo(f"    ← {s.sheet}!{s.cell}: {s.why.get()}", err=True)


@command("inspect", help=L("查看工作簿被如何读取：工作表、表头映射、行数和发现的问题",
                           "Show how a workbook is read: sheets, header mapping, rows and what was noticed"))
@file_argument
@json_option
@option("--suggest", is_flag=True, help=L("列出要粘贴到代码表表头映射区的行（制表符分隔）",
                                         "Print the 代码表 header-mapping rows to paste (tab-separated)"))
def inspect_cmd(file: Path, as_json: bool, suggest: bool) -> None:
    model = read_model(file)
    if suggest:
        print_suggestions(model, as_json)
        return
    info = inspect_dict(model, current_lang())
    if as_json:
        c = info["counts"]
        emit_json(envelope(None, info.pop("file"), exit_code=OK, summary={
            "text": counts_text(c), "errors": c["error"], "warnings": c["warning"], "infos": c["info"]}, **info))
    else:
        _print(info)


commands = [inspect_cmd]
