"""The 说明 sheet and the per-column help texts (input messages, column table), all from the schema."""

from __future__ import annotations

import math
from typing import Any

from ..i18n import L
from ..model import Settings
from ..schema import SCHEMA, Column, CType, Schema
from ..values import display_width
from .codesheet import setting_display

TYPE_LABELS: dict[CType, L] = {
    CType.TEXT: L("文本", "Text"),
    CType.LONGTEXT: L("长文本", "Long text"),
    CType.DATE: L("日期", "Date"),
    CType.DATETIME: L("日期时间", "Date and time"),
    CType.YEAR_OR_DATE: L("年份或日期", "Year or date"),
    CType.INTEGER: L("整数", "Whole number"),
    CType.RATING: L("评分 1–5", "Rating 1–5"),
    CType.AMOUNT: L("金额（万元）", "Amount (10k CNY)"),
    CType.LIST: L("下拉选项", "Dropdown"),
    CType.PHONE: L("电话", "Phone"),
    CType.EMAIL: L("电子邮箱", "E-mail"),
    CType.CUSTOMER_ID: L("客户编号", "Customer ID"),
    CType.TERM: L("合作期限", "Contract term"),
}

TYPE_EXAMPLES: dict[CType, str] = {
    CType.DATE: "2024-03-05", CType.DATETIME: "2024-03-05 14:30", CType.YEAR_OR_DATE: "2015",
    CType.INTEGER: "30", CType.RATING: "4", CType.AMOUNT: "12.50", CType.PHONE: "13800138000",
    CType.EMAIL: "zhang@yunqi-tech.com", CType.CUSTOMER_ID: "2024-IT-001", CType.TERM: "2024.01-2025.12",
}

# Generic help by type, used when a column has no help text of its own.
TYPE_HELP: dict[CType, L] = {
    CType.TEXT: L("文本", "Text"),
    CType.LONGTEXT: L("简要文字", "Short free text"),
    CType.DATE: L("日期，格式 YYYY-MM-DD", "A date, YYYY-MM-DD"),
    CType.DATETIME: L("日期和时间，格式 YYYY-MM-DD hh:mm", "Date and time, YYYY-MM-DD hh:mm"),
    CType.YEAR_OR_DATE: L("年份或日期", "A year or a date"),
    CType.INTEGER: L("整数", "A whole number"),
    CType.RATING: L("1–5 分", "1 to 5"),
    CType.AMOUNT: L("单位：万元", "In 万元 (10,000 CNY)"),
    CType.PHONE: L("只填数字", "Digits only"),
    CType.EMAIL: L("如 zhang@company.com", "e.g. zhang@company.com"),
    CType.CUSTOMER_ID: L("年份-行业代码-序号", "Year-industry-sequence"),
    CType.TERM: L("如 2024.01-2025.12", "e.g. 2024.01-2025.12"),
}


def column_help(col: Column, lang: str, schema: Schema = SCHEMA, *, short: bool = False) -> str:
    """The help text of a column: its own, else one made from its type; computed and required noted.

    ``short`` leaves out where a list's options live (the 说明 table has a column for that)."""
    own = col.help.get(lang)
    text = own or TYPE_HELP.get(col.type, TYPE_HELP[CType.TEXT]).get(lang)
    if col.type == CType.LIST and col.list and not own and col.list != "industry":
        text = " / ".join(schema.list(col.list).values)
    if col.type == CType.LIST and col.list and not short and not col.computed:
        li = schema.list(col.list)
        src = L("从下拉列表选择；选项在“代码表”的“{n}”列，可在那里增加",
                "Pick from the list; the options are in the '{n}' column of the lists sheet").format(
            n=li.label.get(lang) if col.list != "industry" else L("行业名称", "Industry").get(lang))
        text = src.get(lang) + ("。" if lang != "en" else ". ") + text
    if col.max_len and str(col.max_len) not in text:
        text += L("（不超过{n}字）", " (at most {n} characters)").format(n=col.max_len).get(lang)
    if col.required and "必填" not in text and "required" not in text:
        text += L("（必填）", " (required)").get(lang)
    if col.computed:
        text = L("由工具填写，请勿手改。", "Filled by the tool; do not type here. ").get(lang) + text
    return text.strip()[:255]


def column_type(col: Column, lang: str) -> str:
    t = TYPE_LABELS[col.type].get(lang)
    if col.max_len:
        t += L("（≤{n}字）", " (≤ {n})").format(n=col.max_len).get(lang)
    return t


def column_example(col: Column) -> str:
    if col.example is not None:
        return str(col.example)
    if col.type == CType.LIST and col.list:
        li = SCHEMA.list(col.list)
        if col.list == "industry":
            return SCHEMA.industries[1].name
        return li.values[0] if li.values else ""
    return TYPE_EXAMPLES.get(col.type, "")



def _para_height(text: str, width_chars: float, line_h: float = 15.0) -> float:
    lines = sum(max(1, math.ceil(display_width(part) * 0.95 / max(width_chars, 1))) for part in text.split("\n"))
    return max(line_h, lines * line_h + 4)


def _intro(lang: str) -> list[tuple[str, str]]:
    """(kind, text) paragraphs: kind is section / text / step."""
    zh = lang != "en"
    if zh:
        return [
            ("section", "这个工作簿是什么"),
            ("text", "客户关系管理（CRM）主表：一个工作簿保存全部客户档案（客户基本信息）、每次沟通（沟通记录）"
                     "和投诉（投诉登记）。下拉选项、行业代码和各项阈值都在“代码表”里，工具从那里读取，"
                     "改“代码表”即可调整规则，不必改程序。"),
            ("section", "填写规范（数据标准）"),
            ("step", "1. 客户名称填写工商注册全称（如“杭州云启科技有限公司”），不用简称；个人客户填写姓名。"),
            ("step", "2. 一户一档：每个客户只占一行，不要重复录入；同一客户的多次沟通记在“沟通记录”表。"),
            ("step", "3. 日期统一为 YYYY-MM-DD（如 2024-03-05），请输入真正的日期，不要输入“2024年3月5日”之类的文字。"),
            ("step", "4. 联系方式只填数字：11位手机号或带区号的座机，去掉“-”和空格。客户名称、联系人、联系方式为必填。"),
            ("step", "5. 关键需求、客户反馈等描述简洁明确，不超过200字。"),
            ("step", "6. 金额单位为万元（35 表示 35 万元），不要按元填写。"),
            ("step", "7. 下拉列表列请从列表中选择；需要新选项时，在“代码表”对应列的末尾追加即可。"),
            ("step", "8. 每次沟通后24小时内录入沟通记录；收到投诉后1小时内登记。"),
            ("step", "9. 表头可以改用自己的叫法（中文、英文或中英双语）；工具认不出或拿不准时会停下并说明，"
                     "在“代码表”的表头映射区登记一行即可（wbt inspect --suggest 给出可粘贴的行）。"),
            ("section", "月末工作流程"),
            ("step", "① 录入：各负责人补齐本月的客户信息、沟通记录和投诉。"),
            ("step", "② 校验：运行 wbt validate 文件名.xlsx，按提示逐格修正（--annotate 会在表中标出问题单元格）。"),
            ("step", "③ 编号：运行 wbt ids 为新客户生成客户编号（已有编号不会改动）。"),
            ("step", "④ 分级：运行 wbt tiers 计算价值等级、跟进周期、逾期、风险标记和高潜力；主管每季度确认等级，"
                     "并填写等级确认日期。续约意向、联系人更换、客户下单等情况请写进沟通记录，工具按代码表中的用语识别。"),
            ("step", "⑤ 复盘：运行 wbt review --month YYYY-MM 生成月度复盘表；或一次完成：wbt month-end。"),
            ("text", "也可以在 Excel 中使用“CRM 工具”功能区按钮完成同样的步骤。工具写入前会自动备份原文件。"),
            ("section", "由工具填写的列（绿色表头，请勿手改）"),
        ]
    return [
        ("section", "What this workbook is"),
        ("text", "The customer-relationship (CRM) master table: one workbook holds every customer record (Customers), "
                 "every contact (Contact log) and every complaint (Complaints). Dropdown values, industry codes and "
                 "thresholds live in the lists sheet; the tool reads them from there."),
        ("section", "How to fill it (data standards)"),
        ("step", "1. Customer name: the full registered name, no abbreviations."),
        ("step", "2. One customer, one record: one row per customer; contacts go to the Contact log."),
        ("step", "3. Dates as YYYY-MM-DD (e.g. 2024-03-05), typed as real dates, not as text."),
        ("step", "4. Phones: digits only, an 11-digit mobile or a landline with area code. Name, contact and phone are required."),
        ("step", "5. Needs and feedback: short and clear, at most 200 characters."),
        ("step", "6. Amounts are in 万元 (35 means 350,000 CNY)."),
        ("step", "7. Pick list values from the dropdowns; add new options at the end of the list's column."),
        ("step", "8. Log a contact within 24 hours; register a complaint within 1 hour."),
        ("step", "9. Headers may use your own wording (Chinese, English or both); when the tool cannot place one it "
                 "stops and says so: register it in the header-mapping block of the lists sheet (wbt inspect "
                 "--suggest prints rows to paste)."),
        ("section", "Month-end workflow"),
        ("step", "1. Enter this month's customers, contacts and complaints."),
        ("step", "2. Run wbt validate FILE.xlsx and fix what it reports (--annotate marks the cells)."),
        ("step", "3. Run wbt ids to number new customers (existing IDs never change)."),
        ("step", "4. Run wbt tiers for tiers, cadences, overdue, risk flags and high potential; the supervisor confirms "
                 "tiers every quarter and fills in the confirmation date. Write renewal intent, contact changes and "
                 "orders into the contact log: the tool reads them with the wording lists of the lists sheet."),
        ("step", "5. Run wbt review --month YYYY-MM for the monthly review, or all at once: wbt month-end."),
        ("text", "The CRM 工具 ribbon buttons in Excel do the same. The tool backs the file up before writing."),
        ("section", "Columns the tool fills (green headers, do not type there)"),
    ]


COL_HEADERS = (L("工作表", "Sheet"), L("列名", "Column"), L("类型", "Type"), L("必填", "Required"),
               L("下拉列表", "List"), L("填写说明", "Help"), L("示例", "Example"))
COL_WIDTHS = (13, 20, 14, 7, 12, 50, 22)


def _section(ws: Any, r: int, last: int, title: str, fmts: dict[str, Any]) -> int:
    """A section heading across the sheet on row ``r``; returns the row after it."""
    ws.merge_range(r, 0, r, last, title, fmts["section"])
    ws.set_row(r, 22)
    return r + 1


def write_instructions(ws: Any, fmts: dict[str, Any], settings: Settings, lang: str,
                       schema: Schema = SCHEMA) -> None:
    """Write the 说明 sheet: intro, workflow, computed columns, then every column, list and setting."""
    last = len(COL_WIDTHS) - 1
    for i, w in enumerate(COL_WIDTHS):
        ws.set_column(i, i, w)
    total_w = sum(COL_WIDTHS)
    ws.hide_gridlines(2)
    yes, no = L("是", "Yes").get(lang), ""
    ws.merge_range(0, 0, 0, last, L("客户关系管理主表 · 使用说明", "CRM master workbook · instructions").get(lang),
                   fmts["title"])
    ws.set_row(0, 30)
    ws.merge_range(1, 0, 1, last, L("本页由 wbt template 根据表结构自动生成。", "Generated by wbt template from the schema.")
                   .get(lang), fmts["subtitle"])
    r = 3
    for kind, text in _intro(lang):
        if kind == "section":
            r += 1 if r > 3 else 0
            ws.merge_range(r, 0, r, last, text, fmts["section"])
            ws.set_row(r, 22)
        else:
            ws.merge_range(r, 0, r, last, text, fmts["para"])
            ws.set_row(r, _para_height(text, total_w))
        r += 1
    for spec in schema.data_sheets:
        for col in spec.computed_columns:
            sep = ": " if lang == "en" else "："
            text = f"{spec.label.get(lang)} · {col.label.get(lang)}{sep}{column_help(col, lang, schema, short=True)}"
            ws.merge_range(r, 0, r, last, text, fmts["para"])
            ws.set_row(r, _para_height(text, total_w))
            r += 1

    r = _section(ws, r + 1, last, L("各列说明", "Every column").get(lang), fmts)
    for i, h in enumerate(COL_HEADERS):
        ws.write_string(r, i, h.get(lang), fmts["header"])
    r += 1
    for spec in schema.data_sheets:
        for col in spec.columns:
            lst = ""
            if col.list:
                lst = schema.list(col.list).label.get(lang)
            help_text = column_help(col, lang, schema, short=True)
            cells = (spec.label.get(lang), col.label.get(lang), column_type(col, lang),
                     yes if col.required else no, lst, help_text, column_example(col))
            for i, v in enumerate(cells):
                fmt = fmts["header_computed_cell"] if (i == 1 and col.computed) else fmts["wrap"]
                ws.write_string(r, i, v, fmt)
            ws.set_row(r, _para_height(help_text, COL_WIDTHS[5] - 1))
            r += 1

    r = _section(ws, r + 1, last, L("下拉列表（在“代码表”中维护）", "Dropdown lists (kept in the lists sheet)").get(lang), fmts)
    for li in schema.lists:
        values = settings.lists.get(li.key, list(li.values))
        if li.key == "industry":
            values = [f"{n}（{c}）" if lang != "en" else f"{n} ({c})" for n, c in settings.industry_codes.items()]
        text = " / ".join(values) or L("（空，按需填写）", "(empty, fill as needed)").get(lang)
        help_text = L(li.help_zh, li.help_en).get(lang)
        if help_text:
            text += ("\n" + help_text)
        ws.write_string(r, 0, li.label.get(lang), fmts["wrap"])
        ws.merge_range(r, 1, r, last, text, fmts["wrap"])
        ws.set_row(r, _para_height(text, total_w - COL_WIDTHS[0]))
        r += 1

    r = _section(ws, r + 1, last, L("设置项（在“代码表”右侧修改）", "Settings (edit them in the lists sheet)").get(lang),
                 fmts)
    heads = (L("设置项", "Key"), L("名称", "Name"), L("默认值", "Default"), L("说明", "Notes"))
    spans = ((0, 1), (2, 3), (4, 4), (5, last))
    for h, (a, b) in zip(heads, spans):
        if a == b:
            ws.write_string(r, a, h.get(lang), fmts["header"])
        else:
            ws.merge_range(r, a, r, b, h.get(lang), fmts["header"])
    r += 1
    for s in schema.settings:
        v = setting_display(settings.values.get(s.key, s.default), lang)
        cells = (s.key, L(s.zh, s.en).get(lang), f"{v} {s.unit}".strip(), L(s.help_zh, s.help_en).get(lang))
        for v_, (a, b) in zip(cells, spans):
            if a == b:
                ws.write_string(r, a, v_, fmts["wrap"])
            else:
                ws.merge_range(r, a, r, b, v_, fmts["wrap"])
        ws.set_row(r, max(_para_height(cells[1], COL_WIDTHS[2] + COL_WIDTHS[3]), _para_height(cells[3], 70)))
        r += 1

    ws.set_landscape()
    ws.set_paper(9)
    ws.fit_to_pages(1, 0)
    ws.set_footer("&L&A&R&P / &N")
