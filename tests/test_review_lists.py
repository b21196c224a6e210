"""The review's lists and breakdowns read from the seeds' review questions, each on a small hand-built
workbook (June 2024, snapshot 2024-06-30) with the rows worked out by hand."""

from __future__ import annotations

import datetime as dt

from _review_util import cust, review, zh  # noqa: F401 - zh is an autouse fixture

LOG = [
    {"customer_id": "X", "contact_date": "2024-06-02", "feedback": "客户认为报价偏高，希望再给折扣"},
    {"customer_id": "Y", "contact_date": "2024-06-05", "feedback": "担心售后响应速度，要求明确服务承诺"},
    {"customer_id": "X", "contact_date": "2024-06-08", "feedback": "价格无异议，但需要增加数据导出功能"},
    {"customer_id": "Y", "contact_date": "2024-06-20", "feedback": "希望增加培训"},
    {"customer_id": "Z", "contact_date": "2024-06-21"},
    {"customer_id": "X", "contact_date": "2024-05-12", "feedback": "预算有限"},
]
LOG_CUSTOMERS = [cust("X公司", customer_id="X"), cust("Y公司", customer_id="Y"), cust("Z公司", customer_id="Z")]


def test_frequent_objections():
    """Seed 004 "客户疑虑高频点（如价格、功能、服务等方面，针对性优化销售话术）": the log rows of the period
    whose 客户反馈与需求变化 mentions a category of 代码表's 客户疑虑关键词; "价格无异议" is excluded."""
    t = review(LOG_CUSTOMERS, LOG).table("objections")
    # June rows with feedback: 4. 服务: rows 2 and 4 (both Y); 价格: row 1 (row 3 says 价格无异议); 功能: row 3.
    # May: 价格 once (预算有限).  Most mentioned first, ties in the list's order.
    assert t.rows == [["服务", 2, 0, 1, 0.5, "希望增加培训"], ["价格", 1, 1, 1, 0.25, "客户认为报价偏高，希望再给折扣"],
                      ["功能", 1, 0, 1, 0.25, "价格无异议，但需要增加数据导出功能"],
                      ["交付", 0, 0, 0, 0.0, None], ["竞品", 0, 0, 0, 0.0, None]]
    assert t.keys == ["category", "mentions", "previous_mentions", "customers", "share", "latest"]


def test_objection_keywords_come_from_the_code_sheet():
    """The categories are the team's: a 代码表 list replaces the defaults."""
    t = review(LOG_CUSTOMERS, LOG, lists={"objection_keywords": ["培训:培训、课时", "导出:导出"]}).table("objections")
    assert [r[:2] for r in t.rows] == [["培训", 1], ["导出", 1]]


def test_churned_customers_and_their_reasons():
    """Seed 004 "未成交客户流失原因（如预算不足、竞品竞争、需求变化等）" and 000 "梳理 … 流失客户原因": the
    customers lost in the period, with the reasons found in 备注, 潜在风险 and their latest feedback."""
    r = review([
        cust("C1公司", customer_id="C1", stage="终止合作", last_coop="2024-06-05", remarks="客户预算缩减，项目暂缓"),
        cust("C2公司", customer_id="C2", stage="终止合作", last_coop="2024-06-10", risks="竞争对手接触",
             first_coop="2023-01-01"),
        cust("C3公司", customer_id="C3", customer_type="流失客户", last_coop="2024-06-15"),
        cust("C4公司", customer_id="C4", stage="终止合作", last_coop="2024-06-20"),
        cust("C5公司", customer_id="C5", stage="终止合作", last_coop="2024-05-20", remarks="预算不足"),  # May
    ], contacts=[
        {"customer_id": "C2", "contact_date": "2024-06-01", "feedback": "已选择友商方案"},
        {"customer_id": "C4", "contact_date": "2024-03-01", "feedback": "觉得价格太贵"},
        {"customer_id": "C4", "contact_date": "2024-06-10", "feedback": "业务调整，不再需要该系统"},
    ])
    d = dt.date
    assert r.table("churned").rows == [
        ["C1公司", "C1", "(未分配)", d(2024, 6, 5), "否", "预算不足", "备注：客户预算缩减，项目暂缓"],
        ["C2公司", "C2", "(未分配)", d(2024, 6, 10), "是", "竞品竞争", "潜在风险：竞争对手接触"],
        ["C3公司", "C3", "(未分配)", d(2024, 6, 15), "否", "(未注明)", None],
        ["C4公司", "C4", "(未分配)", d(2024, 6, 20), "否", "预算不足、需求变化", "沟通记录 2024-06-10：业务调整，不再需要该系统"],
    ]
    # per reason, of the 4 lost in June: 预算不足 C1 C4; 竞品竞争 C2; 需求变化 C4; (未注明) C3 last
    assert r.table("churn_reasons").rows == [["预算不足", 2, 0.5], ["竞品竞争", 1, 0.25], ["需求变化", 1, 0.25],
                                             ["(未注明)", 1, 0.25]]


def test_open_opportunities():
    """Seed 000 "梳理 … 未转化商机瓶颈" and 004 "意向客户：需求明确，正在对比方案": prospects with no deal yet,
    grade A first, oldest first contact first, with their latest feedback (the bottleneck)."""
    r = review([
        cust("O1", customer_id="O1", stage="接洽中", follow_grade="B", first_contact="2024-03-01", source="行业展会"),
        cust("O2", customer_id="O2", customer_type="潜在客户", follow_grade="A", first_contact="2024-05-01"),
        cust("O3", customer_id="O3", stage="合作中"),                       # bought, date not typed
        cust("O4", customer_id="O4", first_coop="2024-01-01"),
        cust("O5", customer_id="O5", stage="接洽中", customer_type="流失客户"),
        cust("O6", customer_id="O6", stage="接洽中", first_contact="2024-07-05"),  # after the snapshot
    ], contacts=[
        {"customer_id": "O1", "contact_date": "2024-04-01", "feedback": "在对比三家方案"},
        {"customer_id": "O1", "contact_date": "2024-06-11", "feedback": "需要对比方案报价"},
        {"customer_id": "O1", "contact_date": "2024-06-20"},
    ])
    d = dt.date
    assert r.table("open_opportunities").rows == [
        ["O2", "O2", "(未分配)", "A", None, d(2024, 5, 1), 60, None, None],
        ["O1", "O1", "(未分配)", "B", "行业展会", d(2024, 3, 1), 121, d(2024, 6, 20), "需要对比方案报价"],
    ]
    assert (r.kpi("open_opportunities").value, r.kpi("open_opportunities").previous) == (2, 2)


def test_channel_effectiveness():
    """Seed 004 "客户来源：明确客户获取渠道（如行业展会、转介绍、线上推广、陌生拜访等）" and DOMAIN §6 "channel
    effectiveness": per source, customers, new ones, deals and the share that has bought."""
    r = review([
        cust("A1", source="转介绍", first_contact="2023-01-01", first_coop="2023-02-01", amount_annual=30),
        cust("A2", source="推荐", first_contact="2024-06-03", first_coop="2024-06-20", amount_annual=10),
        cust("A3", source="转介绍", first_contact="2024-01-01"),
        cust("B1", source="行业展会", first_contact="2024-02-01"),
        cust("B2", source="展会", first_contact="2024-06-10"),
        cust("B3", source="行业展会", first_contact="2024-03-01"),
        cust("B4", source="行业展会", first_contact="2024-03-02", first_coop="2024-07-02"),  # after the snapshot
        cust("C1", source="抖音直播", first_contact="2024-01-01", first_coop="2024-01-15", amount_annual=5),
    ])
    # 转介绍 (推荐 is its synonym): 3 customers, new A2, deal this month A2, bought A1 A2 → 2/3
    # 行业展会 (展会): 4, new B2, none bought by 06-30 → 0/4; 抖音直播 (not in the list, kept as typed): 1/1
    assert r.table("by_channel").rows == [["行业展会", 4, 1, 0, 0, 0.0, 0.0], ["转介绍", 3, 1, 1, 2, 0.6667, 40.0],
                                          ["抖音直播", 1, 0, 0, 1, 1.0, 5.0]]


def test_high_value_customer_profile():
    """Seed 000 "定期复盘 … 梳理高价值客户特征": industry, size and source of the strategic customers
    (annual amount ≥ tier_strategic_min), each beside its share of all customers."""
    r = review([
        cust("S1", industry="制造业", company_size="500人以上", source="转介绍", amount_annual=80),
        cust("S2", industry="制造业", company_size="200-500人", source="行业展会", amount_annual=55),
        cust("S3", industry="互联网", company_size="500人以上", source="转介绍", amount_annual=60, stage="终止合作"),
        cust("K1", industry="互联网", company_size="50人以下", source="转介绍", amount_annual=20),
        cust("K2", industry="制造业", company_size="50人以下", source="电话营销", amount_annual=1),
    ])
    rows = [[str(row[0].zh), *row[1:]] for row in r.table("high_value_profile").rows]
    # strategic and not lost: S1 S2 (S3 lost); all not lost: S1 S2 K1 K2
    assert rows == [["行业", "制造业", 2, 1.0, 0.75],
                    ["企业规模", "200-500人", 1, 0.5, 0.25], ["企业规模", "500人以上", 1, 0.5, 0.25],
                    ["客户来源", "行业展会", 1, 0.5, 0.25], ["客户来源", "转介绍", 1, 0.5, 0.5]]


def test_overdue_list_by_value_with_untiered_customers_apart():
    """The overdue list ordered by value (tier, amount) and days overdue; customers with no
    tier (no amount, no confirmed tier) listed apart. Seed 002: tiers by 年度合作金额."""
    base = {"first_contact": "2024-01-01"}
    r = review([
        cust("普通-久", amount_annual=5, **base, follow_grade="C"),           # 30 days: due 01-31, 151 overdue
        cust("重点-小", amount_annual=12, **base),                           # 45 days: due 02-15, 136
        cust("重点-大", amount_annual=40, **base),                           # 45 days: 136
        cust("战略", amount_annual=60, **base),                              # 30 days: 151
        cust("未定级-久", follow_grade="C", first_contact="2023-06-01"),        # no amount: 30 days, 365
        cust("未定级", follow_grade="C", **base),                             # 151
        cust("确认战略", tier_confirmed="战略客户", **base),                     # confirmed tier, no amount: 151
    ])
    assert [(row[0], row[3], row[7]) for row in r.table("overdue").rows] == [
        ("战略", "战略客户", 151), ("确认战略", "战略客户", 151), ("重点-大", "重点客户", 136),
        ("重点-小", "重点客户", 136), ("普通-久", "普通客户", 151)]
    assert [(row[0], row[5]) for row in r.table("overdue_prospects").rows] == [("未定级-久", 365), ("未定级", 151)]
