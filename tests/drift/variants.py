"""Drifted copies of one CRM workbook, as real teams make them.

Every variant renders the same records (:mod:`.records`) with openpyxl — another program than the
tool's own template builder — in the layout a team might have drifted to: the seed documents'
paper-template wording and sheet names, English, bilingual headers, another column order with
extra columns, amounts in 元, numbers typed as text, dates typed by hand, the 1904 date system,
blank rows, a second header row, formulas without cached values, Excel tables, hidden sheets, a
merged title row. ``build(name, path)`` writes one and returns where each record landed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904
from openpyxl.worksheet.table import Table

from .records import COMPLAINTS, CONTACTS, CUSTOMERS

Fmt = Callable[[str, Any, int], Any]          # (column key, value, record index) → cell value


def plain(key: str, value: Any, i: int) -> Any:
    return value


@dataclass
class Sheet:
    """How one data sheet is laid out: its name, (key or '' for an extra column, header text)
    pairs in column order, how values are typed, and what surrounds the table."""

    name: str
    columns: list[tuple[str, str]]
    fmt: Fmt = plain
    above: list[list[Any]] = field(default_factory=list)       # title rows above the header
    merge_above: list[str] = field(default_factory=list)
    second: dict[str, str] = field(default_factory=dict)       # a second header line: key → text
    blank_every: int = 0                                       # a blank row after every n rows
    extra: Callable[[str, int], Any] | None = None              # values of extra columns
    table: str = ""                                            # an Excel table (ListObject) over it
    state: str = "visible"
    formulas: dict[tuple[int, str], str] = field(default_factory=dict)  # (record, key) → formula, no value


@dataclass
class Variant:
    name: str
    customers: Sheet
    contacts: Sheet
    complaints: Sheet
    date1904: bool = False
    codesheet: list[list[Any]] | None = None                     # 代码表 rows (header-mapping pins)
    doc: str = ""


# -- header wordings ------------------------------------------------------------------------------------
CLEAN_CUST = [("customer_id", "客户编号"), ("name", "客户名称"), ("customer_type", "客户类型"), ("industry", "所属行业"),
              ("company_size", "企业规模"), ("region", "注册区域"), ("source", "客户来源"), ("contact", "联系人"),
              ("title", "职位"), ("phone", "联系方式"), ("email", "电子邮箱"), ("first_contact", "初次接触时间"),
              ("first_coop", "首次合作时间"), ("stage", "当前合作阶段"), ("amount_total", "累计合作金额(万元)"),
              ("amount_annual", "年度合作金额(万元)"), ("last_coop", "最近一次合作时间"), ("term", "合作期限"),
              ("follow_grade", "跟进等级"), ("satisfaction", "满意度"), ("owner", "负责人"), ("remarks", "备注")]
CLEAN_CONT = [("customer_id", "客户编号"), ("customer_name", "客户名称"), ("contact_date", "沟通时间"), ("follower", "跟进人"),
              ("method", "沟通方式"), ("summary", "沟通内容摘要"), ("feedback", "客户反馈与需求变化"),
              ("next_action", "下一步行动")]
CLEAN_COMP = [("complaint_id", "投诉编号"), ("customer_id", "客户编号"), ("customer_name", "客户名称"),
              ("received_at", "投诉时间"), ("registered_at", "登记时间"), ("channel", "投诉渠道"), ("description", "问题描述"),
              ("urgency", "紧急程度"), ("handler", "处理人"), ("status", "处理状态"), ("responded_at", "首次响应时间"),
              ("resolved_at", "解决时间"), ("satisfaction", "客户满意度")]

ENGLISH = {
    "customer_id": "Customer No", "name": "Company Name", "customer_type": "Customer Type", "industry": "Sector",
    "company_size": "Company Size", "region": "City", "source": "Lead Source", "contact": "Contact Name",
    "title": "Job Title", "phone": "Mobile", "email": "Email Address", "first_contact": "First Contact Date",
    "first_coop": "First Deal Date", "stage": "Stage", "amount_total": "Total Amount (10k CNY)",
    "amount_annual": "Annual Amount (10k CNY)", "last_coop": "Last Deal", "term": "Contract Term", "follow_grade": "Grade",
    "satisfaction": "Satisfaction Score", "owner": "Account Manager", "remarks": "Notes",
}
ENGLISH_CONT = {"customer_id": "Customer No", "customer_name": "Client", "contact_date": "Follow-up Date",
                "follower": "Sales Rep", "method": "Contact Method", "summary": "Summary", "feedback": "Customer Feedback",
                "next_action": "Next Step"}
ENGLISH_COMP = {"complaint_id": "Ticket", "customer_id": "Customer No", "customer_name": "Customer",
                "received_at": "Complaint Date", "registered_at": "Registered At", "channel": "Channel",
                "description": "Issue", "urgency": "Priority", "handler": "Assigned To", "status": "Status",
                "responded_at": "Responded At", "resolved_at": "Resolved At", "satisfaction": "Satisfaction"}
# the seeds' own template wording (000 客户关系信息管理表, 003 客户基本信息表 / 沟通记录表, 004 客户跟进记录表, 002 投诉登记表)
SEED_CUST = [("", "序号"), ("customer_id", "客户编号"), ("name", "客户公司名称"), ("customer_type", "客户类型"),
             ("industry", "所属行业"), ("company_size", "企业规模"), ("region", "注册区域"), ("source", "客户来源"),
             ("contact", "联系人"), ("title", "职务"), ("phone", "联系方式"), ("email", "电子邮箱"),
             ("first_contact", "初次接触时间"), ("first_coop", "首次合作时间"), ("stage", "合作阶段"),
             ("amount_total", "累计合作金额(万元)"), ("amount_annual", "年度合作金额(万元)"), ("last_coop", "最近一次合作时间"),
             ("term", "合作期限"), ("follow_grade", "客户等级(A/B/C)"), ("satisfaction", "满意度"), ("owner", "负责人"),
             ("remarks", "备注")]
SEED_CONT = [("", "序号"), ("customer_name", "客户名称(全称)"), ("contact_date", "跟进时间"), ("follower", "跟进人"),
             ("method", "跟进方式"), ("summary", "沟通内容摘要"), ("feedback", "客户反馈与需求变化"), ("next_action", "下一步行动")]
SEED_COMP = [("complaint_id", "投诉编号"), ("customer_name", "客户信息"), ("received_at", "投诉时间"), ("registered_at", "登记时间"),
             ("channel", "投诉渠道"), ("description", "问题描述"), ("urgency", "紧急程度"), ("handler", "处理人"),
             ("status", "处理状态"), ("responded_at", "首次响应时间"), ("resolved_at", "解决时间"), ("satisfaction", "客户满意度")]
BILINGUAL = {"name": "客户名称 Customer Name", "industry": "Industry / 所属行业", "contact": "联系人\nContact",
             "phone": "Phone 联系方式", "amount_annual": "年度合作金额(万元) Annual amount", "first_contact": "初次接触时间\nFirst contact",
             "follow_grade": "跟进等级 Grade", "stage": "Stage / 当前合作阶段", "owner": "负责人 Owner",
             "contact_date": "沟通时间 Date", "customer_name": "客户名称 Customer", "follower": "跟进人 / Followed up by",
             "received_at": "投诉时间 Received", "status": "处理状态\nStatus"}


def cols(base: list[tuple[str, str]], names: dict[str, str] | None = None) -> list[tuple[str, str]]:
    return [(k, (names or {}).get(k, h)) for k, h in base]


def clean(**over: Any) -> Variant:
    v = Variant("clean", Sheet("客户基本信息", list(CLEAN_CUST)), Sheet("沟通记录", list(CLEAN_CONT)),
                Sheet("投诉登记", list(CLEAN_COMP)))
    for k, val in over.items():
        setattr(v, k, val)
    return v


# -- value typing --------------------------------------------------------------------------------------
def yuan(key: str, value: Any, i: int) -> Any:
    return round(value * 10000) if key in ("amount_total", "amount_annual") and value is not None else value


_TEXT_AMOUNTS = ["60.00", "25.5万", "80,000元", "50", "￥120,000", "9.99", "1,000,000元", None, "１０"]


def text_numbers(key: str, value: Any, i: int) -> Any:
    """Numbers typed as text: separators, 万/元, currency signs, full-width digits."""
    if key == "amount_annual":
        return _TEXT_AMOUNTS[i]
    if key == "amount_total" and value is not None:
        return f"{value:,.2f}"
    if key == "satisfaction" and value is not None:
        return chr(0xFF10 + value)            # full-width digit
    if key == "phone":
        return f"{value[:3]}-{value[3:7]}-{value[7:]}"
    return value


_CN = "{y}年{m}月{d}日"


def typed_dates(key: str, value: Any, i: int) -> Any:
    """Dates typed as text in Chinese and western forms; the contact log's d/m/yyyy ones are
    settled by the unambiguous ones in the same column (25/6/2024, 18.06.2024, 28/06/2024)."""
    if not isinstance(value, dt.date):
        return value
    forms = [lambda d: _CN.format(y=d.year, m=d.month, d=d.day), lambda d: f"{d.year}/{d.month}/{d.day}",
             lambda d: f"{d.year}.{d.month:02d}.{d.day:02d}", lambda d: d.strftime("%d %b %Y"),
             lambda d: d.strftime("%b %d, %Y")]
    if key == "contact_date":
        return f"{value.day}/{value.month}/{value.year}" if i % 2 == 0 else f"{value.day:02d}.{value.month:02d}.{value.year}"
    if isinstance(value, dt.datetime):
        return value
    return forms[i % len(forms)](value)


# -- the variants -----------------------------------------------------------------------------------------
def _extra(text: str, i: int) -> Any:
    return {"微信号": f"wx_{i:03d}", "客户生日": dt.date(1980 + i, 1 + i, 10), "内部编码": f"N-{i:03d}"}.get(text)


def variants() -> dict[str, Variant]:
    out: dict[str, Variant] = {}

    def add(v: Variant, name: str, doc: str) -> None:
        v.name, v.doc = name, doc
        out[name] = v

    add(clean(), "clean", "the template's own headers: the twin every variant is compared with")
    add(Variant("", Sheet("客户基本信息表", SEED_CUST), Sheet("客户沟通记录表", SEED_CONT), Sheet("客户投诉登记表", SEED_COMP)),
        "seed_paper", "the seeds' paper-template wording and sheet names (序号, 客户公司名称, 客户等级(A/B/C), 跟进时间 …)")
    add(Variant("", Sheet("Customers", cols(CLEAN_CUST, ENGLISH)), Sheet("Contact Log", cols(CLEAN_CONT, ENGLISH_CONT)),
                Sheet("Complaints", cols(CLEAN_COMP, ENGLISH_COMP))), "english", "English headers and sheet names")
    add(Variant("", Sheet("客户基本信息", cols(CLEAN_CUST, BILINGUAL)), Sheet("沟通记录", cols(CLEAN_CONT, BILINGUAL)),
                Sheet("投诉登记", cols(CLEAN_COMP, BILINGUAL))), "bilingual", "bilingual headers in three shapes")
    shuffled = [CLEAN_CUST[i] for i in (9, 1, 15, 0, 3, 11, 20, 2, 13, 18, 4, 5, 6, 7, 8, 10, 12, 14, 16, 17, 19, 21)]
    add(clean(customers=Sheet("客户基本信息", shuffled[:5] + [("", "微信号")] + shuffled[5:12] + [("", "客户生日")] +
                              shuffled[12:] + [("", "内部编码")], extra=_extra),
              contacts=Sheet("沟通记录", CLEAN_CONT[::-1])),
        "reordered_extra", "another column order with extra columns (微信号, 客户生日, 内部编码)")
    add(clean(customers=Sheet("客户基本信息", cols(CLEAN_CUST, {"amount_total": "累计合作金额(元)",
                                                         "amount_annual": "年度合作金额(元)"}), fmt=yuan)),
        "yuan", "amounts in 元, the header says so")
    add(clean(customers=Sheet("客户基本信息", list(CLEAN_CUST), fmt=text_numbers)), "text_numbers",
        "numbers typed as text: 1,234.5, 25.5万, 80,000元, ￥120,000, full-width digits, 138-0013-8001")
    add(clean(customers=Sheet("客户基本信息", list(CLEAN_CUST), fmt=typed_dates),
              contacts=Sheet("沟通记录", list(CLEAN_CONT), fmt=typed_dates)), "typed_dates",
        "dates typed as text: 2023年3月15日, 2023/8/20, 2024.06.05, 02 Nov 2022, Jan 10, 2023; the log as d/m/yyyy")
    add(clean(date1904=True), "date1904", "the 1904 date system")
    add(clean(customers=Sheet("客户基本信息", list(CLEAN_CUST), blank_every=2),
              contacts=Sheet("沟通记录", list(CLEAN_CONT), blank_every=3)), "blank_rows", "blank rows between the data")
    add(clean(customers=Sheet("客户基本信息", list(CLEAN_CUST), second=dict(ENGLISH)),
              contacts=Sheet("沟通记录", list(CLEAN_CONT), second=dict(ENGLISH_CONT))),
        "english_second_row", "an English header line under the Chinese one")
    add(clean(customers=Sheet("客户基本信息", cols(CLEAN_CUST, {"amount_total": "累计合作金额", "amount_annual": "年度合作金额"}),
                              second={"amount_total": "元", "amount_annual": "(元)"}, fmt=yuan)),
        "units_row", "a units row under the header: 元 for both amount columns")
    add(clean(customers=Sheet("客户基本信息", list(CLEAN_CUST), table="tblCust"),
              contacts=Sheet("沟通记录", list(CLEAN_CONT), table="tblLog")), "excel_table",
        "the data as Excel tables (ListObjects)")
    add(clean(contacts=Sheet("沟通记录", list(CLEAN_CONT), state="hidden"),
              complaints=Sheet("投诉登记", list(CLEAN_COMP), state="veryHidden")), "hidden_sheets",
        "the log hidden, the complaints very hidden")
    add(clean(customers=Sheet("客户基本信息", list(CLEAN_CUST), above=[["2024年客户台账"], []], merge_above=["A1:H1"])),
        "merged_title", "a merged title row and a blank row above the header")
    add(clean(customers=Sheet("客户基本信息", [(k, "客户等级" if k == "follow_grade" else h) for k, h in CLEAN_CUST])),
        "grade_by_content", "a plain 客户等级 column holding A/B/C: the follow-up grade, by its values")
    add(clean(customers=Sheet("客户基本信息", list(CLEAN_CUST), formulas={(1, "amount_annual"): "=25.5*1",
                                                                      (7, "industry"): '="金融"'}),
              contacts=Sheet("沟通记录", list(CLEAN_CONT), formulas={(4, "contact_date"): "=DATE(2024,6,6)"})),
        "formulas_no_value", "formulas without cached values (as other programs write them) in an amount, an "
        "industry and a contact date")
    return out


FORMULA_CELLS = {("customers", 1, "amount_annual"), ("customers", 7, "industry"), ("contacts", 4, "contact_date")}


# variants the gate must refuse, naming the header (and the 代码表 row that fixes each)
def refusals() -> dict[str, tuple[Variant, str, list[list[Any]]]]:
    """name → (variant, header text the refusal must name, 代码表 pin rows that fix it)."""
    mixed = ["A", "战略客户", "B", "重点客户", "C", "A", "B", "C", "A"]
    return {
        "grade_ambiguous": (clean(customers=Sheet("客户基本信息", [(k, "客户等级" if k == "follow_grade" else h)
                                                               for k, h in CLEAN_CUST],
                                                   fmt=lambda k, v, i: mixed[i] if k == "follow_grade" else v)),
                            "客户等级", [["客户等级", "跟进等级", None, None]]),
        "yuan_no_unit": (clean(customers=Sheet("客户基本信息", cols(CLEAN_CUST, {"amount_annual": "年度合作金额"}),
                                               fmt=lambda k, v, i: yuan(k, v, i) if k == "amount_annual" else v)),
                         "年度合作金额", [["年度合作金额", "年度合作金额(万元)", "元", "客户基本信息"]]),
        "unknown_log_date": (clean(contacts=Sheet("沟通记录", cols(CLEAN_CONT, {"contact_date": "When"}))),
                             "When", [["When", "沟通时间", None, "沟通记录"]]),
        # the tiers link the log to customers by ID or name: a name header it cannot place may hide the link
        "unknown_customer_name": (clean(customers=Sheet("客户基本信息", cols(CLEAN_CUST, {"name": "客户名"}))),
                                  "客户名", [["客户名", "客户名称", None, "客户基本信息"]]),
    }


def with_pins(v: Variant, rows: list[list[Any]]) -> Variant:
    """The variant with a 代码表 holding only a header-mapping block."""
    v.codesheet = [["表头文字", "对应列", "表头单位", "所在工作表", "映射说明"], *rows]
    return v


# -- writing -----------------------------------------------------------------------------------------------
def build(v: Variant, path: Path) -> dict[str, dict[int, int]]:
    """Write the variant; return sheet key → {record index → Excel row}."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    if v.date1904:
        wb.epoch = CALENDAR_MAC_1904
    where = {}
    for key, sheet, records in (("customers", v.customers, CUSTOMERS), ("contacts", v.contacts, CONTACTS),
                                ("complaints", v.complaints, COMPLAINTS)):
        where[key] = _sheet(wb, sheet, records)
    if v.codesheet is not None:
        ws = wb.create_sheet("代码表")
        for row in v.codesheet:
            ws.append(row)
    wb.save(path)
    return where


def _sheet(wb: openpyxl.Workbook, s: Sheet, records: list[dict[str, Any]]) -> dict[int, int]:
    ws = wb.create_sheet(s.name)
    for row in s.above:
        ws.append(row)
    for ref in s.merge_above:
        ws.merge_cells(ref)
    ws.append([h for _, h in s.columns])
    header_row = ws.max_row
    if s.second:
        ws.append([s.second.get(k) if k else None for k, _ in s.columns])
    rows: dict[int, int] = {}
    for i, rec in enumerate(records):
        values = []
        for k, h in s.columns:
            if not k:
                values.append(s.extra(h, i) if s.extra else i + 1)
            elif (i, k) in s.formulas:
                values.append(s.formulas[(i, k)])
            else:
                values.append(s.fmt(k, rec.get(k), i))
        ws.append(values)
        rows[i] = ws.max_row
        if s.blank_every and (i + 1) % s.blank_every == 0:
            ws.append([])
            ws.append(["   "] + [None] * (len(s.columns) - 1))   # a row holding nothing but spaces
    for col in range(1, len(s.columns) + 1):
        ws.column_dimensions[get_column_letter(col)].width = 14
    if s.table:
        ref = f"A{header_row}:{get_column_letter(len(s.columns))}{ws.max_row}"
        ws.add_table(Table(displayName=s.table, ref=ref))
    ws.sheet_state = s.state
    return rows
