"""The 代码表 sheet: lists block, industry block, settings block (the reader relies on this layout).

Layout (row 1 = headers, values from row 2 down):

* lists block from column A: one column per ``SCHEMA.lists`` entry except ``industry``;
* one empty column;
* industry block: 行业名称 | 行业代码, one row per industry;
* one empty column;
* settings block: 设置项 | 名称 | 值 | 单位 | 说明, one row per setting (booleans as 是/否);
* one empty column;
* header-mapping block: 表头文字 | 对应列 | 表头单位 | 所在工作表 | 映射说明, empty but for a help line in
  映射说明 (the reader honours these rows before anything else; see docs/reader.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..i18n import L
from ..model import Settings, col_letter
from ..schema import MAPPING_BLOCK, SCHEMA, SETTINGS_HEADERS, Schema
from ..styles import text_lines

SETTINGS_VALUE_COL_OFFSET = 2  # 值 is the third column of the settings block


@dataclass
class CodeLayout:
    """Where everything lives in 代码表 (0-based columns, as XlsxWriter counts)."""

    list_cols: dict[str, int] = field(default_factory=dict)   # list key → column (industry → 行业名称)
    industry_col: int = 0
    settings_col: int = 0
    mapping_col: int = 0
    setting_rows: dict[str, int] = field(default_factory=dict)  # setting key → 0-based row

    def list_ref(self, sheet_name: str, key: str) -> str:
        """The dynamic range formula behind the defined name of a list."""
        col = col_letter(self.list_cols[key] + 1)
        q = quote_sheet(sheet_name)
        return f"=OFFSET({q}!${col}$2,0,0,MAX(1,COUNTA({q}!${col}:${col})-1),1)"

    def setting_cell(self, sheet_name: str, key: str) -> str:
        col = col_letter(self.settings_col + SETTINGS_VALUE_COL_OFFSET + 1)
        return f"{quote_sheet(sheet_name)}!${col}${self.setting_rows[key] + 1}"


def quote_sheet(name: str) -> str:
    return "'" + name.replace("'", "''") + "'"


def layout(schema: Schema = SCHEMA) -> CodeLayout:
    lay = CodeLayout()
    col = 0
    for li in schema.lists:
        if li.key == "industry":
            continue
        lay.list_cols[li.key] = col
        col += 1
    lay.industry_col = col + 1
    lay.list_cols["industry"] = lay.industry_col
    lay.settings_col = lay.industry_col + 3
    lay.mapping_col = lay.settings_col + 6
    for i, s in enumerate(schema.settings):
        lay.setting_rows[s.key] = i + 1
    return lay


def setting_display(value: Any, lang: str) -> Any:
    """A setting as written in 代码表: booleans as 是/否 in both languages (like the list values)."""
    del lang
    if isinstance(value, bool):
        return "是" if value else "否"
    return value


MAPPING_HELP = L(
    "本工作簿的表头工具认不出、或可能指两列时，在此登记：表头文字填表头原文；对应列填字段名（如 跟进等级、年度合作金额(万元)，"
    "或填“忽略”表示不读取该列）；表头单位可填 元、千元、万元；所在工作表可空（适用于所有表）。wbt inspect --suggest "
    "会列出可直接粘贴的行。",
    "Register here the headers of this workbook that the tool cannot place, or that could be two columns: the "
    "header text as it is, the column it is (e.g. Follow-up grade, or 忽略 to ignore it), optionally its unit (元, "
    "千元, 万元) and the sheet (empty: every sheet). wbt inspect --suggest prints rows ready to paste.")


def _mapping_block(ws: Any, col: int, head: Any, wrap: Any, lang: str) -> None:
    """The empty header-mapping block: its headers and, in 映射说明, a help line."""
    for i, key in enumerate(MAPPING_BLOCK):
        ws.write_string(0, col + i, L(*SETTINGS_HEADERS[key]).get(lang), head)
    ws.write_string(1, col + len(MAPPING_BLOCK) - 1, MAPPING_HELP.get(lang), wrap)
    for i, w in enumerate((20, 20, 9, 12, 48)):
        ws.set_column(col + i, col + i, w)


def write_code_sheet(wb: Any, ws: Any, fmts: dict[str, Any], settings: Settings, lang: str,
                     schema: Schema = SCHEMA) -> CodeLayout:
    """Write 代码表 into ``ws`` and return its layout."""
    lay = layout(schema)
    head, cell, wrap = fmts["header"], fmts["cell"], fmts["wrap"]
    key_fmt = fmts["code_key"]
    value_fmt = fmts["code_value"]

    for li in schema.lists:
        if li.key == "industry":
            continue
        c = lay.list_cols[li.key]
        ws.write_string(0, c, li.label.get(lang), head)
        values = settings.lists.get(li.key, list(li.values))
        for r, v in enumerate(values, start=1):
            ws.write_string(r, c, str(v), cell)
        ws.set_column(c, c, max(10, min(16, len(li.zh) * 2.5 + 2)))

    ic = lay.industry_col
    ws.write_string(0, ic, L(*SETTINGS_HEADERS["industry_name"]).get(lang), head)
    ws.write_string(0, ic + 1, L(*SETTINGS_HEADERS["industry_code"]).get(lang), head)
    for r, (name, code) in enumerate(settings.industry_codes.items(), start=1):
        ws.write_string(r, ic, name, cell)
        ws.write_string(r, ic + 1, code, key_fmt)
    ws.set_column(ic, ic, 12)
    ws.set_column(ic + 1, ic + 1, 9)

    sc = lay.settings_col
    for i, hk in enumerate(("setting_key", "setting_label", "setting_value", "setting_unit", "setting_help")):
        ws.write_string(0, sc + i, L(*SETTINGS_HEADERS[hk]).get(lang), head)
    for s in schema.settings:
        r = lay.setting_rows[s.key]
        ws.write_string(r, sc, s.key, key_fmt)
        ws.write_string(r, sc + 1, L(s.zh, s.en).get(lang), wrap)
        v = setting_display(settings.values.get(s.key, s.default), lang)
        if isinstance(v, (int, float)):
            ws.write_number(r, sc + 2, v, value_fmt)
        else:
            ws.write_string(r, sc + 2, str(v), value_fmt)
        ws.write_string(r, sc + 3, s.unit, cell)
        help_text = L(s.help_zh, s.help_en).get(lang)
        if s.choices:
            help_text = (help_text + " " if help_text else "") + L("可选：", "Choices: ").get(lang) + " / ".join(s.choices)
        ws.write_string(r, sc + 4, help_text, wrap)
    widths = (26, 22 if lang == "zh" else 30, 16, 7, 44)
    for i, w in enumerate(widths):
        ws.set_column(sc + i, sc + i, w)
    for s in schema.settings:   # wrapped cells: give each settings row the height its longest text needs
        texts = (L(s.zh, s.en).get(lang), str(setting_display(settings.values.get(s.key, s.default), lang)),
                 L(s.help_zh, s.help_en).get(lang) + (" / ".join(s.choices) + "   " if s.choices else ""))
        lines = max(text_lines(t, w) for t, w in zip(texts, (widths[1], widths[2], widths[4])))
        if lines > 1:
            ws.set_row(lay.setting_rows[s.key], 14 * lines + 3)
    _mapping_block(ws, lay.mapping_col, head, wrap, lang)
    # empty separator columns stay narrow
    for c in (ic - 1, sc - 1, lay.mapping_col - 1):
        ws.set_column(c, c, 3)
    ws.freeze_panes(1, 0)
    ws.set_row(0, 30)
    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.repeat_rows(0)
    return lay
