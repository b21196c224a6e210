"""The annotation changeset of ``wbt validate --annotate``: a fill on every offending cell (by
severity, tag "validate", earlier marks cleared first) and a 校验结果 sheet with one row per finding,
a link to its cell and a stamp of the run."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ... import __version__
from ...changeset import CellMark, Changeset, GeneratedSheet
from ...i18n import L, current_lang, plural
from ...model import Finding, WorkbookModel
from ...schema import validation_sheet_name
from .engine import SEVERITY_ORDER
from .registry import RULES

TAG = "validate"
MAX_ROWS = 50_000          # rows listed on the sheet (XlsxWriter allows 65,530 links per sheet)
HEADER_ROW = 5
SEV_LABEL = {"error": L("错误", "Error"), "warning": L("警告", "Warning"), "info": L("提示", "Info")}
SEV_STYLE = {"error": "bad", "warning": "warn", "info": "cell"}
COLUMNS: list[tuple[L, float]] = [
    (L("严重程度", "Severity"), 9), (L("规则代码", "Code"), 18), (L("规则", "Rule"), 20), (L("工作表", "Sheet"), 12),
    (L("单元格", "Cell"), 9), (L("问题", "Problem"), 60), (L("建议", "How to fix"), 48), (L("原值", "Value"), 24),
]


def marks_for(model: WorkbookModel, findings: list[Finding]) -> list[CellMark]:
    """One mark per offending cell, with the most serious severity found there."""
    best: dict[tuple[str, str], str] = {}
    names = set(model.sheet_names)
    for f in findings:
        if not f.cell or f.sheet not in names:
            continue
        key = (f.sheet, f.cell)
        if key not in best or SEVERITY_ORDER[f.severity] < SEVERITY_ORDER[best[key]]:
            best[key] = f.severity
    return [CellMark(sheet, cell, sev, TAG) for (sheet, cell), sev in best.items()]


def results_sheet(model: WorkbookModel, findings: list[Finding], stats: dict[str, Any], *,
                  now: dt.datetime | None = None, lang: str | None = None) -> GeneratedSheet:
    lang = lang or current_lang()
    now = now or dt.datetime.now()
    gs = GeneratedSheet(validation_sheet_name(model.lang), tab_color="#C00000" if stats.get("errors") else "#70AD47")
    gs.put(1, 1, L("校验结果", "Validation results").get(lang), "title")
    stamp = L(f"基准日 {stats['as_of']} · 文件 {model.path.name} · 校验于 {now:%Y-%m-%d %H:%M} · workbook_tools {__version__}"
              f" · 共运行 {len(stats.get('rules_run', []))} 条规则",
              f"As of {stats['as_of']} · file {model.path.name} · checked {now:%Y-%m-%d %H:%M} · workbook_tools "
              f"{__version__} · {len(stats.get('rules_run', []))} rules run")
    gs.put(2, 1, stamp.get(lang), "subtitle")
    if not findings:
        gs.put(3, 1, L("未发现问题：工作簿通过了全部校验。", "No problems found: the workbook passed every check.").get(lang), "good")
    else:
        counts = L(f"错误 {stats['errors']} 个 · 警告 {stats['warnings']} 个 · 提示 {stats['infos']} 条。点击“单元格”列可跳转；"
                   "改正后重新运行 wbt validate --annotate，本表和单元格底色会整体更新。",
                   f"{plural(stats['errors'], 'error')} · {plural(stats['warnings'], 'warning')} · "
                   f"{plural(stats['infos'], 'note')}. Click a cell "
                   "address to jump there; after fixing, run wbt validate --annotate again to refresh this sheet and "
                   "the fills.")
        gs.put(3, 1, counts.get(lang), "bad" if stats["errors"] else "warn" if stats["warnings"] else "cell")
    last = chr(64 + len(COLUMNS))
    gs.merges += [f"A2:{last}2", f"A3:{last}3"]  # stamp and summary span the table
    gs.put_row(HEADER_ROW, 1, [c[0].get(lang) for c in COLUMNS], "header")
    for i, (_, w) in enumerate(COLUMNS, start=1):
        gs.col_widths[i] = w
    gs.freeze = (HEADER_ROW + 1, 1)
    names = set(model.sheet_names)
    r = HEADER_ROW
    ordered = sorted(findings, key=lambda f: SEVERITY_ORDER.get(f.severity, 3))  # errors first, then sheet/row order
    for f in ordered[:MAX_ROWS]:
        r += 1
        rule = RULES.get(f.code)
        value = f.value
        if isinstance(value, dt.datetime) and not (value.hour or value.minute):
            value = value.date()
        if isinstance(value, bool):
            value = str(value)
        gs.put_row(r, 1, [SEV_LABEL.get(f.severity, SEV_LABEL["info"]).get(lang), f.code,
                          rule.title.get(lang) if rule else f.code, f.sheet, f.cell or "",
                          f.message.get(lang), f.hint.get(lang) if f.hint else "", value],
                   [SEV_STYLE.get(f.severity, "cell"), "cell", "wrap_mid", "cell", "cell", "wrap_mid", "wrap_mid",
                    "date" if isinstance(value, dt.date) else "text" if isinstance(value, str) else "cell"])
        if f.cell and f.sheet in names:
            gs.links[(r, 5)] = f"'{f.sheet}'!{f.cell}"
    gs.fit_wrapped_rows()  # the problem and the hint wrap: each row as tall as its text needs
    if len(findings) > MAX_ROWS:
        gs.put(r + 2, 1, L(f"只列出前 {MAX_ROWS} 条（共 {len(findings)} 条）；完整结果请用 wbt validate --json",
                           f"Only the first {MAX_ROWS} of {len(findings)} findings are listed; use wbt validate "
                           "--json for all").get(lang), "note")
    return gs


def build_annotation(model: WorkbookModel, findings: list[Finding], stats: dict[str, Any], *,
                     now: dt.datetime | None = None) -> Changeset:
    """Marks + results sheet; earlier marks of this tag are cleared first, so a re-run replaces them."""
    cs = Changeset("validate", clear_marks=[TAG])
    cs.marks = marks_for(model, findings)
    cs.add_sheets.append(results_sheet(model, findings, stats, now=now))
    e, w, i = stats["errors"], stats["warnings"], stats["infos"]
    name = cs.add_sheets[-1].name
    cs.summary = L(f"标记 {len(cs.marks)} 个单元格（错误 {e}、警告 {w}、提示 {i}），更新“{name}”表",
                   f"Mark {plural(len(cs.marks), 'cell')} ({plural(e, 'error')}, {plural(w, 'warning')}, "
                   f"{plural(i, 'note')}) and refresh '{name}'")
    return cs
