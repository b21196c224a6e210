"""Cell and structure rules of wbt validate, each positive and negative, on models built from rows."""

from __future__ import annotations

import datetime as dt

from workbook_tools.ops.validate import run_validate
from workbook_tools.testing import make_model

AS_OF = dt.date(2026, 10, 31)
GOOD = {"customer_id": "2024-IT-001", "name": "杭州云启科技有限公司", "contact": "张伟", "phone": "13800138000",
        "industry": "互联网", "first_contact": dt.datetime(2024, 3, 5), "stage": "接洽中", "follow_grade": "C"}


def cust(**kw):
    return {**GOOD, **kw}


def found(model, code, rules=None):
    r = run_validate(model, as_of=AS_OF, rules=rules or [code])
    return [f for f in r.findings if f.code == code]


def test_clean_row_has_no_cell_findings():
    r = run_validate(make_model(customers=[GOOD]), as_of=AS_OF, rules=["cells", "duplicates"])
    assert r.findings == []


def test_required_values():
    fs = found(make_model(customers=[cust(contact=None, phone="  ")]), "REQ_VALUE")
    assert {(f.cell, f.column) for f in fs} == {("I2", "contact"), ("K2", "phone")}
    assert "联系人" in fs[0].message.zh and fs[0].severity == "error" and fs[0].row == 2
    assert found(make_model(customers=[GOOD]), "REQ_VALUE") == []
    fs = found(make_model(contacts=[{"customer_id": "2024-IT-001", "contact_date": None, "method": "电话"}]), "REQ_VALUE")
    assert [f.column for f in fs] == ["contact_date"]


def test_list_value_near_miss_and_synonym():
    fs = found(make_model(customers=[cust(stage="合作 中"), cust(stage="已合作"), cust(stage="谈判"), GOOD]), "LIST_VALUE")
    assert [f.row for f in fs] == [4]     # 合作 中 and 已合作 are read as 合作中 by every operation
    assert "请从下拉列表中选择" in fs[0].hint.zh and fs[0].severity == "error"
    fs = found(make_model(customers=[cust(stage="合作中中"), GOOD]), "LIST_VALUE")
    assert fs[0].hint.zh == "请改为“合作中”" and fs[0].value == "合作中中"


def test_a_value_the_operations_read_is_info_not_an_error():
    # seed 004 writes 跟进等级 as “B级” and 客户价值等级 as “高价值客户”; 000 has 合作阶段 “已合作”
    m = make_model(customers=[cust(stage="合作 中"), cust(stage="已合作"), cust(follow_grade="B级"),
                              cust(tier_confirmed="高价值客户"), cust(stage="谈判"), GOOD])
    assert found(m, "LIST_VALUE") and all(f.row == 6 for f in found(m, "LIST_VALUE"))
    got = [(f.row, f.column, f.severity, f.message.zh, f.hint.zh) for f in found(m, "LIST_SYNONYM")]
    assert got == [
        (2, "stage", "info", "当前合作阶段“合作 中”按“合作中”读取", "改为“合作中”可保持下拉列表整洁"),
        (3, "stage", "info", "当前合作阶段“已合作”按“合作中”读取", "改为“合作中”可保持下拉列表整洁"),
        (4, "follow_grade", "info", "跟进等级“B级”按“B”读取", "改为“B”可保持下拉列表整洁"),
        (5, "tier_confirmed", "info", "客户等级(主管确认)“高价值客户”按“战略客户”读取", "改为“战略客户”可保持下拉列表整洁"),
    ]


def test_list_value_uses_workbook_lists():
    m = make_model(customers=[cust(stage="洽谈")], lists={"stage": ["洽谈", "签约"]})
    assert found(m, "LIST_VALUE") == []
    m = make_model(customers=[cust(stage="接洽中")], lists={"stage": ["洽谈", "签约"]})
    assert len(found(m, "LIST_VALUE")) == 1


def test_dates_invalid_future_and_text():
    m = make_model(customers=[cust(first_contact="2023年13月5日"), cust(first_contact=dt.datetime(2026, 11, 2)),
                              cust(first_contact="2024/3/5"), cust(first_coop="-"), GOOD])
    assert [(f.row, f.value) for f in found(m, "DATE_INVALID")] == [(2, "2023年13月5日")]
    fut = found(m, "DATE_FUTURE")
    assert [f.row for f in fut] == [3] and "2026-10-31" in fut[0].message.zh
    txt = found(m, "DATE_AS_TEXT")
    assert [(f.row, f.hint.zh) for f in txt] == [(4, "请改为日期格式：2024-03-05")]


def test_due_date_may_be_in_the_future_and_as_of_day_is_not_future():
    m = make_model(contacts=[{"customer_id": "2024-IT-001", "contact_date": dt.datetime(2026, 10, 31, 15, 0),
                              "due": dt.datetime(2026, 12, 1)}])
    assert found(m, "DATE_FUTURE") == []


def test_phone_rules_and_privacy_mode():
    rows = [cust(phone="138001380"), cust(phone="138-0013-8000"), cust(phone="021-12345678"),
            cust(phone="138****8000"), cust(phone="13800138000/13900139000"), cust(phone="4008001234"),
            cust(phone="166O3466119")]
    fs = found(make_model(customers=rows), "PHONE")
    assert [f.row for f in fs] == [2, 5, 6, 8]
    assert fs[3].hint.zh.endswith("应为 16603466119")
    assert fs[0].message.zh == "联系方式“138001380”不是11位手机号或带区号的座机号"
    assert fs[0].hint.zh.startswith("请填写11位手机号，只填数字")
    assert "隐私模式" in fs[1].hint.zh and "只填一个号码" in fs[2].hint.zh
    fs = found(make_model(customers=rows, settings={"privacy_mode": True}), "PHONE")
    assert [f.row for f in fs] == [2, 6, 8]


def test_email():
    rows = [cust(email="zhang@company.com"), cust(email="zhang@company"), cust(email="a b@c.com"), cust(email="@company.com")]
    assert [f.row for f in found(make_model(customers=rows), "EMAIL")] == [3, 4, 5]
    assert [f.row for f in found(make_model(customers=rows, settings={"privacy_mode": True}), "EMAIL")] == [3, 4]


def test_amounts():
    rows = [cust(amount_annual=-3), cust(amount_total="十二万"), cust(amount_total=350000), cust(amount_annual=12.5),
            cust(amount_total="12万"), cust(amount_total="120,000元")]
    m = make_model(customers=rows)
    fs = found(m, "AMOUNT")
    assert [(f.row, f.column) for f in fs] == [(2, "amount_annual"), (3, "amount_total")]
    # text that names its unit is read in that unit (a 万元 column): 12万 → 12, 120,000元 → 12
    assert m.sheets["customers"].df.loc[[6, 7], "amount_total"].tolist() == [12.0, 12.0]
    y = found(m, "AMOUNT_YUAN")
    assert [(f.row, f.column) for f in y] == [(4, "amount_total")] and "35" in y[0].hint.zh
    assert found(make_model(customers=rows, settings={"amount_yuan_suspect": 1e6}), "AMOUNT_YUAN") == []


def test_rating():
    rows = [cust(satisfaction=0), cust(satisfaction=6), cust(satisfaction=3.5), cust(satisfaction="好"), cust(satisfaction=5)]
    assert [f.row for f in found(make_model(customers=rows), "RATING")] == [2, 3, 4, 5]


def test_text_long_uses_setting():
    m = make_model(customers=[cust(needs="需" * 201), cust(needs="需" * 200)])
    fs = found(m, "TEXT_LONG")
    assert [f.row for f in fs] == [2] and "201" in fs[0].message.zh
    m = make_model(customers=[cust(needs="需" * 150)], settings={"text_max_len": 100})
    assert len(found(m, "TEXT_LONG")) == 1


def test_name_short():
    rows = [cust(name="华为"), cust(name="杭州云启科技"), cust(name="北京协和医院"), cust(name="ACME Co., Ltd."), GOOD]
    assert [f.row for f in found(make_model(customers=rows), "NAME_SHORT")] == [2, 3]


def test_customer_id_format_and_missing():
    rows = [cust(customer_id="2024IT01"), cust(customer_id="2024-ZZ-001"), cust(customer_id="1024-IT-001"),
            cust(customer_id="2024-it-001"), cust(customer_id=None), GOOD]
    fs = found(make_model(customers=rows), "ID_FORMAT")
    assert [f.row for f in fs] == [2, 3, 4, 5]
    assert "行业代码 ZZ" in fs[1].message.zh
    assert [f.row for f in found(make_model(customers=rows), "ID_MISSING")] == [6]
    # industry codes come from 代码表
    m = make_model(customers=[cust(customer_id="2024-ZZ-001")], industry_codes={"互联网": "ZZ"})
    assert found(m, "ID_FORMAT") == []


def test_structure_missing_and_unknown_columns_and_empty_sheets():
    m = make_model(customers=[{"name": "杭州云启科技有限公司", "contact": "张伟"}],
                   columns={"customers": ["name", "contact"]})
    fs = found(m, "COL_MISSING")
    assert [f.column for f in fs] == ["phone"] and fs[0].severity == "error"
    r = run_validate(m, as_of=AS_OF, rules=["SHEET_EMPTY"])
    assert {f.sheet for f in r.findings} == {"沟通记录", "投诉登记"} and {f.severity for f in r.findings} == {"info"}
    sheet = m.sheets["customers"]
    sheet.unknown_columns["客户心情"] = 5
    sheet.formulas_without_value.add((2, "name"))
    sheet.merged.append("B2:B3")
    assert [f.cell for f in found(m, "COL_UNKNOWN")] == ["E1"]
    assert [f.cell for f in found(m, "FORMULA_NO_VALUE")] == ["A2"]
    assert [f.cell for f in found(m, "MERGED_CELLS")] == ["B2"]


def test_reader_notices_surface_unless_a_rule_reports_them():
    from workbook_tools.i18n import L
    from workbook_tools.model import Notice

    m = make_model(customers=[GOOD])
    m.notices += [Notice("R-HIDDEN-SHEET", L("隐藏的工作表“旧表”", "Hidden sheet"), "旧表", None, "info"),
                  Notice("R-DUPLICATE-COLUMN", L("表头“电话”重复出现", "Duplicate header"), "客户基本信息", "M1", "warning"),
                  Notice("R-TEXT-TYPED", L("文本日期", "text dates"), "客户基本信息", "N2", "info"),
                  Notice("R-MERGED-CELLS", L("合并单元格", "merged"), "客户基本信息", "B2", "warning"),
                  Notice("R-EXTRA-SHEET", L("工作表“旧数据”不属于本模板", "extra"), "旧数据", None, "info")]
    fs = found(m, "READER_NOTICE")
    assert sorted((f.sheet, f.cell or "", f.severity, f.value) for f in fs) == [
        ("客户基本信息", "M1", "warning", "R-DUPLICATE-COLUMN"), ("旧数据", "", "info", "R-EXTRA-SHEET"),
        ("旧表", "", "info", "R-HIDDEN-SHEET")]
    dup = next(f for f in fs if f.cell == "M1")
    assert dup.row == 1 and dup.message.zh == "表头“电话”重复出现"


def test_numbers_typed_as_text():
    m = make_model(customers=[cust(amount_annual="12.5"), cust(amount_annual=12.5), cust(satisfaction="4")])
    fs = found(m, "NUM_AS_TEXT")
    assert [(f.row, f.column) for f in fs] == [(2, "amount_annual"), (4, "satisfaction")]
    assert fs[0].hint.zh == "请改为数字格式：12.5"
    assert found(m, "DATE_AS_TEXT") == []


def test_missing_sheets():
    m = make_model(customers=[GOOD])
    del m.sheets["complaints"]
    fs = found(m, "SHEET_MISSING")
    assert [(f.sheet, f.severity) for f in fs] == [("投诉登记", "info")]
    del m.sheets["customers"]
    fs = found(m, "SHEET_MISSING")
    assert [(f.sheet, f.severity) for f in fs] == [("客户基本信息", "error"), ("投诉登记", "info")]
    r = run_validate(m, as_of=AS_OF)  # every rule copes with the missing sheets
    assert {f.code for f in r.errors} == {"SHEET_MISSING"}
