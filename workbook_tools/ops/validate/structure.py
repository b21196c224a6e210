"""Structure rules: missing sheets and columns, unknown columns, empty sheets, and what the reader
noticed (formulas without a stored value, merged cells, duplicate headers …)."""

from __future__ import annotations

from ...i18n import L
from ...model import Finding, col_letter, split_ref
from ...schema import SCHEMA
from .registry import RULES, Ctx, rule, rule_settings

# Reader notices that a rule reports cell by cell already (COL_UNKNOWN, COL_MISSING, SHEET_MISSING,
# MERGED_CELLS, DATE_AS_TEXT / NUM_AS_TEXT); formulas without value only where FORMULA_NO_VALUE has the cell.
_COVERED_NOTICES = {"R-UNKNOWN-COLUMN", "R-MISSING-COLUMN", "R-MISSING-SHEET", "R-MERGED-CELLS", "R-TEXT-TYPED",
                    "R-AMBIGUOUS-COLUMN"}


@rule("SHEET_MISSING", "error", "structure", ("缺少数据表", "Data sheet missing"),
      ("找不到客户基本信息表（错误）或沟通记录、投诉登记表（提示）。",
       "The customer sheet (error) or the contact-log / complaint sheet (info) was not found."))
def sheet_missing(ctx: Ctx) -> list[Finding]:
    out = []
    for spec in SCHEMA.data_sheets:
        if spec.key in ctx.model.sheets:
            continue
        sev = "error" if spec.key == "customers" else "info"
        out.append(ctx.finding(spec.zh, L(f"找不到工作表“{spec.zh}”", f"Sheet '{spec.zh}' ({spec.en}) "
                               "was not found"), severity=sev,
                               hint=L(f"请从模板复制“{spec.zh}”表，或把现有表改名为“{spec.zh}”",
                                      f"Copy the sheet '{spec.zh}' from the template, or rename yours to it")))
    return out


@rule("SHEET_EMPTY", "warning", "structure", ("数据表为空", "Empty data sheet"),
      ("数据表只有表头，没有数据行（客户表为警告，其他表为提示）。",
       "A data sheet has a header but no rows (warning for customers, info for the others)."))
def sheet_empty(ctx: Ctx) -> list[Finding]:
    out = []
    for key, sheet in ctx.model.sheets.items():
        if sheet.n_rows == 0:
            sev = None if key == "customers" else "info"
            out.append(ctx.finding(sheet, L(f"“{sheet.name}”表没有数据", f"Sheet '{sheet.name}' has no rows"),
                                   severity=sev, hint=L("在表头下方逐行录入数据", "Enter the data below the header row")))
    return out


@rule("COL_MISSING", "error", "structure", ("缺少必填列", "Required column missing"),
      ("数据表缺少必填列（如客户名称、联系人、联系方式），这些列的检查无法进行。",
       "A data sheet lacks a required column (customer name, contact, phone …); its checks cannot run."))
def col_missing(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet in ctx.model.sheets.values():
        for key in sheet.missing_columns:
            col = sheet.spec.column(key)
            if not col.required:
                continue
            out.append(ctx.finding(sheet, L(f"缺少必填列“{col.zh}”", f"Required column '{col.en}' ({col.zh}) "
                                   "is missing"), column=key, row=sheet.header_row,
                                   hint=L(f"在表头行添加一列，标题为“{col.zh}”", f"Add a column headed '{col.zh}'")))
    return out


@rule("COL_UNKNOWN", "info", "structure", ("未识别的列", "Unknown column"),
      ("表头不是模板中的列名，也不是已知的别名；该列会保留，但工具不处理。",
       "A header is neither a template column nor a known alias; the column is kept but not used."))
def col_unknown(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet in ctx.model.sheets.values():
        for text, idx in sheet.unknown_columns.items():
            cell = f"{col_letter(idx)}{sheet.header_row}"
            out.append(ctx.finding(sheet, L(f"未识别的列“{text}”，工具不会处理它",
                                                           f"Column '{text}' is not recognised; the tool ignores it"),
                                   cell=cell, row=sheet.header_row, value=text,
                                   hint=L("如果它是模板中的某一列，在代码表的表头映射区登记它（wbt inspect --suggest "
                                          "给出可粘贴的行），或改用模板中的列名",
                                          "If it is a template column, register it in the 代码表 header mapping (wbt "
                                          "inspect --suggest prints the row), or use the template's header")))
    return out


@rule("COL_AMBIGUOUS", "error", "structure", ("表头有歧义", "Ambiguous header"),
      ("一个表头可能指两列（如“客户等级”：A/B/C 跟进等级，还是主管确认的价值等级？），按内容也无法判定；该列不读取，"
       "写入类操作会被拦下，直到在代码表的表头映射区指定。",
       "A header could be two columns (客户等级: the A/B/C follow-up grade or the confirmed value tier?) and its "
       "values do not tell; the column is not read and writing actions are refused until a 代码表 header mapping "
       "says which."))
def col_ambiguous(ctx: Ctx) -> list[Finding]:
    from ...reader.candidates import likely, pin_row

    out = []
    for sheet in ctx.model.sheets.values():
        for m in sheet.ambiguous:
            ranked = likely(sheet, m, ctx.model.settings.lists)
            names = [sheet.spec.column(k) for k in ranked]
            row = pin_row(sheet.name, m.text, names[0].zh).replace("\t", " | ") if names else ""
            out.append(ctx.finding(sheet, L(
                f"表头“{m.text}”可能是 " + " 或 ".join(f"“{c.zh}”" for c in names) + "，无法确定，未读取",
                f"Header '{m.text}' could be " + " or ".join(c.en for c in names) + "; it cannot be told, not read"),
                cell=f"{col_letter(m.index)}{sheet.header_row}", row=sheet.header_row, value=m.text,
                hint=L(f"在代码表的表头映射区添加一行：{row}", f"Add a row to the 代码表 header mapping: {row}")))
    return out


@rule("FORMULA_NO_VALUE", "warning", "structure", ("公式没有计算结果", "Formula without a stored value"),
      ("单元格是公式，但文件里没有保存计算结果（多由其他程序生成），工具读到的是空值。",
       "A formula cell has no stored result (often written by another program); the tool sees it as empty."))
def formula_no_value(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet in ctx.model.sheets.values():
        for row, key in sorted(sheet.formulas_without_value):
            out.append(ctx.finding(sheet, L("公式没有保存计算结果，按空值处理",
                                                                "The formula has no stored result; read as empty"),
                                   row=row, column=key,
                                   hint=L("用 Excel 或 WPS 打开文件并保存一次（会重新计算），或改为直接填值",
                                          "Open and save the file in Excel or WPS (it recalculates), or type the value")))
    return out


@rule("MERGED_CELLS", "warning", "structure", ("数据区有合并单元格", "Merged cells in the data"),
      ("数据区内的合并单元格只有左上角有值，其余行会被当作空值，也会妨碍排序和筛选。",
       "Merged cells in the data area hold a value only in their first cell; the other rows read as empty."))
def merged_cells(ctx: Ctx) -> list[Finding]:
    out = []
    for sheet in ctx.model.sheets.values():
        for rng in sheet.merged:
            first = rng.split(":")[0].replace("$", "")
            try:
                row, _ = split_ref(first)
            except ValueError:
                row = None
            out.append(ctx.finding(sheet, L(f"数据区有合并单元格 {rng}", f"Merged cells {rng} in the data area"),
                                   cell=first, row=row, value=rng,
                                   hint=L("取消合并，并在每一行填上各自的值", "Unmerge them and fill every row")))
    return out


@rule("READER_NOTICE", "warning", "structure", ("读取时发现的问题", "Noticed while reading"),
      ("读取文件时发现的其他问题，如表头重复、隐藏的数据表等；严重程度沿用读取器的判断。",
       "Other things noticed while reading (duplicate headers, hidden sheets …), with the reader's severity."))
def reader_notice(ctx: Ctx) -> list[Finding]:
    out = []
    formula_cells = {(s.name, s.cell(r, k)) for s in ctx.model.sheets.values() for r, k in s.formulas_without_value}
    for n in ctx.model.notices:
        if n.code in _COVERED_NOTICES or (n.code == "R-FORMULA-NO-VALUE" and (n.sheet, n.cell) in formula_cells):
            continue
        row = None
        if n.cell:
            try:
                row, _ = split_ref(n.cell.replace("$", ""))
            except ValueError:
                row = None
        out.append(ctx.finding(n.sheet or "", n.message, cell=n.cell, row=row, severity=n.severity,
                               value=n.code))
    return out




@rule("RULE_SETTING", "warning", "structure", ("代码表中的规则设置无效", "Invalid rule setting"),
      ("代码表设置区中 rule.<规则代码> 行的规则代码不存在，或值不是 error / warning / info / off（错误 / 警告 / 提示 / 关闭）。",
       "A rule.<CODE> row in the 代码表 settings names no rule, or its value is not error / warning / info / off."))
def rule_setting(ctx: Ctx) -> list[Finding]:
    out = []
    sheet = next((n for n in ctx.model.sheet_names if n in SCHEMA.sheet("settings").name_keys() or n == "代码表"), "代码表")
    for code, sev, key in rule_settings(ctx.model):
        if code in RULES and sev is not None:
            continue
        value = ctx.model.settings.values.get(key)
        what = (L(f"没有名为 {code} 的规则", f"there is no rule {code}") if code not in RULES else
                L(f"值“{value}”应为 error / warning / info / off（或 错误 / 警告 / 提示 / 关闭）",
                  f"value '{value}' should be error / warning / info / off"))
        out.append(ctx.finding(sheet, L(f"设置项 {key} 无效：{what.zh}", f"Setting {key} is invalid: {what.en}"),
                               cell=ctx.model.settings.cells.get(key), value=value,
                               hint=L("改正或删除这一行；可用的规则见 wbt rules", "Fix or delete the row; wbt rules lists the rules")))
    return out
