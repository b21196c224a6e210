"""One set of CRM records, and what the tool must make of them — worked out here by hand from the
records and the rules of the source documents (docs/ids-and-tiers.md, docs/review.md), not by
the tool.

Review month 2024-06, as of 2024-06-30. Nine customers, twelve contacts, four complaints. Every
value is valid (validation must find no error on any row of a clean variant). The records carry a
sign of each risk rule and of the high-potential rule (docs/domain.md#risk-customers): a
complaint during the cooperation and one before it, a customer in 续约期 whose 备注 says the renewal
is undecided, a log saying the contact person was replaced, a customer buying more often.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

AS_OF = dt.date(2024, 6, 30)
MONTH = "2024-06"
D = dt.date

CUSTOMERS: list[dict[str, Any]] = [
    dict(name="杭州云启科技有限公司", customer_type="老客户", industry="互联网", company_size="200-500人", region="浙江杭州",
         source="转介绍", contact="张伟", title="采购经理", phone="13800138001", email="zhangwei@yunqi.com",
         first_contact=D(2023, 3, 15), first_coop=D(2023, 6, 1), stage="合作中", amount_total=120.0, amount_annual=60.0,
         last_coop=D(2024, 5, 10), term="2023.06-2025.12", follow_grade="A", satisfaction=5, owner="李娜", remarks="年度框架合作"),
    dict(name="上海华信贸易有限公司", customer_type="老客户", industry="零售业", company_size="50-200人", region="上海",
         source="行业展会", contact="王芳", title="运营经理", phone="13900139002", email="wangfang@huaxin.cn",
         first_contact=D(2023, 8, 20), first_coop=D(2023, 10, 8), stage="续约期", amount_total=30.5, amount_annual=25.5,
         last_coop=D(2024, 4, 1), term="2024.01-2025.12", follow_grade="B", satisfaction=4, owner="王强",
         remarks="2024年续约意向待确认"),   # source 003's own sample row: 续约期 … 2024年续约意向待确认
    dict(name="宁波海泰制造有限公司", customer_type="新客户", industry="制造业", company_size="500人以上", region="浙江宁波",
         source="陌生拜访", contact="孙立", title="设备部经理", phone="13700137003", email="sunli@haitai.com",
         first_contact=D(2024, 6, 5), first_coop=None, stage="接洽中", amount_total=8.0, amount_annual=8.0,
         last_coop=None, term=None, follow_grade="C", satisfaction=4, owner="李娜", remarks=None),
    dict(name="北京博远教育科技有限公司", customer_type="老客户", industry="教育", company_size="50-200人", region="北京",
         source="线上推广", contact="周洁", title="校长助理", phone="13600136004", email="zhoujie@boyuan.edu.cn",
         first_contact=D(2022, 11, 2), first_coop=D(2023, 1, 9), stage="暂停合作", amount_total=95.0, amount_annual=50.0,
         last_coop=D(2024, 1, 5), term="2023.01-2025.06", follow_grade="B", satisfaction=4, owner="王强", remarks=None),
    dict(name="深圳智联医疗器械有限公司", customer_type="老客户", industry="医疗", company_size="200-500人", region="广东深圳",
         source="电话营销", contact="陈静", title="采购总监", phone="13500135005", email="chenjing@zhilian-med.com",
         first_contact=D(2023, 1, 10), first_coop=D(2023, 2, 20), stage="合作中", amount_total=20.0, amount_annual=12.0,
         last_coop=D(2024, 3, 3), term="2023.02-2026.02", follow_grade="C", satisfaction=2, owner="赵敏", remarks=None),
    dict(name="成都恒通物流有限公司", customer_type="新客户", industry="物流", company_size="50人以下", region="四川成都",
         source="转介绍", contact="刘洋", title="总经理", phone="13400134006", email="liuyang@hengtong56.com",
         first_contact=D(2024, 2, 14), first_coop=D(2024, 3, 1), stage="合作中", amount_total=9.99, amount_annual=9.99,
         last_coop=D(2024, 3, 1), term="2024.03-2026.03", follow_grade="A", satisfaction=5, owner="赵敏", remarks=None),
    dict(name="武汉新锐信息技术服务有限公司", customer_type="老客户", industry="IT服务", company_size="200-500人",
         region="湖北武汉", source="官网咨询", contact="郑晓峰", title="CIO", phone="13300133007", email="zxf@xinrui-it.com",
         first_contact=D(2023, 3, 1), first_coop=D(2023, 4, 1), stage="终止合作", amount_total=180.0, amount_annual=100.0,
         last_coop=D(2024, 6, 20), term="2023.04-2024.06", follow_grade="B", satisfaction=3, owner="李娜", remarks=None),
    dict(name="苏州鼎盛金融服务有限公司", customer_type="潜在客户", industry="金融", company_size="50-200人", region="江苏苏州",
         source="行业展会", contact="钱多多", title="行政经理", phone="13200132008", email="qdd@dingsheng-fin.com",
         first_contact=D(2024, 1, 8), first_coop=None, stage="接洽中", amount_total=None, amount_annual=None,
         last_coop=None, term=None, follow_grade="C", satisfaction=None, owner="王强", remarks=None),
    dict(name="杭州天诚网络科技有限公司", customer_type="老客户", industry="互联网", company_size="50-200人", region="浙江杭州",
         source="转介绍", contact="吴昊", title="技术总监", phone="13100131009", email="wuhao@tiancheng.net",
         first_contact=D(2023, 9, 9), first_coop=D(2023, 11, 1), stage="合作中", amount_total=15.0, amount_annual=10.0,
         last_coop=D(2024, 2, 2), term="2023.11-2025.10", follow_grade="A", satisfaction=4, owner="李娜", remarks=None),
]
NAMES = [c["name"] for c in CUSTOMERS]

_C = dict(zip("ABCDEFGHI", NAMES))
CONTACTS: list[dict[str, Any]] = [
    dict(customer_name=_C[k], contact_date=d, follower=f, method=m, summary=s, feedback=fb, next_action=n)
    for k, d, f, m, s, fb, n in (
        ("A", D(2024, 6, 25), "李娜", "拜访", "季度业务回顾，客户复购培训服务", "希望增加培训", "发送培训方案"),
        ("A", D(2024, 5, 10), "李娜", "电话", "客户追加订单20套", None, None),
        ("B", D(2024, 6, 3), "王强", "电话", "介绍新产品功能", "对价格有顾虑", "准备报价对比"),
        ("B", D(2024, 4, 1), "王强", "邮件", "发送季度报告", None, None),
        ("C", D(2024, 6, 6), "李娜", "拜访", "首次拜访，了解设备管理需求", "需要三个方案对比", "提交方案初稿"),
        ("D", D(2024, 3, 1), "王强", "电话", "沟通暂停原因", "预算冻结", None),
        ("E", D(2024, 6, 12), "赵敏", "线上会议", "处理使用问题", "对售后响应不满意", "安排工程师回访"),
        ("F", D(2024, 5, 20), "赵敏", "微信", "确认配送时效", None, None),
        ("G", D(2024, 6, 18), "李娜", "电话", "合同到期结算", "不再续约", None),
        ("I", D(2024, 6, 1), "李娜", "电话", "沟通新需求", "需要接口对接", "约技术交流"),
        ("I", D(2024, 6, 28), "李娜", "拜访", "技术交流", "对接人更换为林峰", "提交对接方案"),
        ("A", D(2024, 2, 20), "李娜", "电话", "客户下单首批授权", None, None),
    )
]
COMPLAINTS: list[dict[str, Any]] = [
    dict(complaint_id="TS-2024-0001", customer_name=_C["F"], received_at=dt.datetime(2024, 6, 10, 9, 0),
         registered_at=dt.datetime(2024, 6, 10, 9, 30), channel="电话", description="到货延迟三天", urgency="一般",
         handler="赵敏", status="处理中", responded_at=dt.datetime(2024, 6, 10, 15, 0), resolved_at=None, satisfaction=None),
    dict(complaint_id="TS-2024-0002", customer_name=_C["D"], received_at=dt.datetime(2024, 1, 5, 10, 0),
         registered_at=dt.datetime(2024, 1, 5, 10, 20), channel="邮件", description="系统登录偶发失败", urgency="紧急",
         handler="王强", status="已解决", responded_at=dt.datetime(2024, 1, 5, 12, 0),
         resolved_at=dt.datetime(2024, 1, 6, 10, 0), satisfaction=4),
    dict(complaint_id="TS-2024-0003", customer_name=_C["A"], received_at=dt.datetime(2024, 3, 2, 9, 0),
         registered_at=dt.datetime(2024, 3, 2, 9, 20), channel="电话", description="培训资料缺页", urgency="一般",
         handler="李娜", status="已解决", responded_at=dt.datetime(2024, 3, 2, 11, 0),
         resolved_at=dt.datetime(2024, 3, 4, 17, 0), satisfaction=4),
    # before 天诚's first cooperation (2023-11-01): not a complaint "during the cooperation"
    dict(complaint_id="TS-2023-0009", customer_name=_C["I"], received_at=dt.datetime(2023, 10, 20, 14, 0),
         registered_at=dt.datetime(2023, 10, 20, 14, 30), channel="邮件", description="演示环境无法登录", urgency="一般",
         handler="李娜", status="已关闭", responded_at=dt.datetime(2023, 10, 20, 16, 0),
         resolved_at=dt.datetime(2023, 10, 21, 10, 0), satisfaction=3),
]

# -- the rules, written out plainly (docs/ids-and-tiers.md; defaults of 代码表) ---------------------------
CODES = {"制造业": "MF", "互联网": "IT", "零售业": "RT", "教育": "ED", "医疗": "MD", "IT服务": "IS", "金融": "FN",
         "物流": "LG", "其他": "OT"}
TIER_CADENCE = {"战略客户": 30, "重点客户": 45, "普通客户": 180}
GRADE_CADENCE = {"A": 7, "B": 14, "C": 30}
RENEWAL_DAYS, QUIET_DAYS, CONTACT_CHANGE_DAYS, LOW_SATISFACTION = 60, 30, 180, 2
# the phrases of 代码表's lists that occur in these records (schema/lists.py defaults), as plain words
RENEWAL_UNCLEAR = ("续约意向待确认",)
CONTACT_CHANGED = ("对接人更换",)
PURCHASE = ("下单", "追加订单", "复购")


def expected_ids(customers: list[dict[str, Any]] = CUSTOMERS) -> dict[str, str]:
    """Year of the first contact (else first cooperation) - industry code - sequence per (year, code), in row order."""
    seq: dict[tuple[int, str], int] = {}
    out = {}
    for c in customers:
        day = c["first_contact"] or c["first_coop"]
        key = (day.year, CODES[c["industry"]])
        seq[key] = seq.get(key, 0) + 1
        out[c["name"]] = f"{key[0]}-{key[1]}-{seq[key]:03d}"
    return out


def tier(amount: float | None) -> str | None:
    if amount is None:
        return None
    return "战略客户" if amount >= 50 else "重点客户" if amount >= 10 else "普通客户"


def expected_tiers(customers: list[dict[str, Any]] = CUSTOMERS,
                   contacts: list[dict[str, Any]] = CONTACTS) -> dict[str, dict[str, Any]]:
    """Per customer: proposed tier, cadence, next follow-up, overdue, 重点关注 and its reasons, and
    高潜力. Ended customers (终止合作) get only their tier. The rules (docs/ids-and-tiers.md §2.4–2.5)
    as these records meet them, in the order of 风险原因."""
    last: dict[str, dt.date] = {}
    for x in contacts:
        if x["contact_date"] <= AS_OF:
            last[x["customer_name"]] = max(last.get(x["customer_name"], x["contact_date"]), x["contact_date"])
    out = {}
    for c in customers:
        t = tier(c["amount_annual"])
        if c["stage"] == "终止合作":
            out[c["name"]] = {"tier": t, "cadence_days": None, "next_follow": None, "overdue": None, "risk_flag": None,
                              "risk_reasons": None, "high_potential": None}
            continue
        cadence = min(TIER_CADENCE[t or "普通客户"], GRADE_CADENCE[c["follow_grade"]])
        base = last.get(c["name"], c["first_contact"])
        nxt = base + dt.timedelta(days=cadence)
        reasons = risk_reasons(c, contacts, last.get(c["name"]))
        out[c["name"]] = {"tier": t, "cadence_days": cadence, "next_follow": nxt,
                          "overdue": "是" if nxt < AS_OF else "否", "risk_flag": "重点关注" if reasons else None,
                          "risk_reasons": "；".join(reasons) or None, "high_potential": potential(c, contacts)}
    return out


def risk_reasons(c: dict[str, Any], contacts: list[dict[str, Any]], last: dt.date | None) -> list[str]:
    """Source 003 "合作中出现过投诉、续约意向不明、联系人变更", plus a complaint still open, 暂停合作,
    a contract ending with no contact, low satisfaction."""
    out = []
    mine = [x for x in COMPLAINTS if x["customer_name"] == c["name"] and x["received_at"].date() <= AS_OF]
    during = sorted(x["received_at"].date() for x in mine if c["first_coop"] is None or x["received_at"].date() >= c["first_coop"])
    if during:
        out.append(("合作期间" if c["first_coop"] else "") + f"投诉{len(during)}次（最近{during[-1].isoformat()}）")
    still_open = [x for x in mine if x["status"] not in ("已解决", "已关闭")]
    if still_open:
        out.append(f"投诉未解决{len(still_open)}件")
    if c["stage"] == "暂停合作":
        out.append("暂停合作")
    end = term_end(c["term"])
    ending = end is not None and 0 <= (end - AS_OF).days <= RENEWAL_DAYS
    if ending and (last is None or (AS_OF - last).days > QUIET_DAYS):
        out.append(f"合同{end.isoformat()}到期且{QUIET_DAYS}天内未沟通")
    said = [w for w in RENEWAL_UNCLEAR if w in (c["remarks"] or "")]
    if said:                                  # no log row of these records speaks of the renewal
        out.append(f"续约意向不明（备注：“{said[0]}”）")
    elif c["stage"] == "续约期" or ending:
        out.append("续约期，续约意向未确认" if c["stage"] == "续约期" else f"合同{end}到期，续约意向未确认")
    if c["satisfaction"] is not None and c["satisfaction"] <= LOW_SATISFACTION:
        out.append(f"满意度{c['satisfaction']}分")
    changed = [(x["contact_date"], w) for x in contacts if x["customer_name"] == c["name"]
               and 0 <= (AS_OF - x["contact_date"]).days <= CONTACT_CHANGE_DAYS
               for w in CONTACT_CHANGED if w in (x["summary"] or "") + (x["feedback"] or "")]
    if changed:
        d, w = max(changed)
        out.append(f"联系人变更（{d.isoformat()}沟通记录：“{w}”）")
    return out


def term_end(term: str | None) -> dt.date | None:
    """'2024.01-2025.12' → 2025-12-31 (the last day of the end month)."""
    if not term:
        return None
    y, m = (int(p) for p in term.split("-")[1].split("."))
    return dt.date(y + m // 12, m % 12 + 1, 1) - dt.timedelta(days=1)


def potential(c: dict[str, Any], contacts: list[dict[str, Any]]) -> str | None:
    """Source 002 "近3个月采购频次增长30%": days with a purchase in the log, April–June against
    January–March 2024 (the run date is a month's last day), at least one before, +30 % or more."""
    days = {x["contact_date"] for x in contacts if x["customer_name"] == c["name"]
            and any(w in (x["summary"] or "") + (x["feedback"] or "") for w in PURCHASE)}
    recent = sum(1 for d in days if D(2024, 4, 1) <= d <= AS_OF)
    before = sum(1 for d in days if D(2024, 1, 1) <= d <= D(2024, 3, 31))
    if before < 1 or recent < before * 1.3:
        return None
    return f"近3个月采购{recent}次，之前3个月{before}次（+{(recent - before) * 100 / before:.0f}%）"


def expected_kpis(contacts: list[dict[str, Any]] = CONTACTS) -> dict[str, int]:
    """The review's counts for 2024-06 (docs/review.md)."""
    start, end = D(2024, 6, 1), AS_OF
    in_month = [x for x in contacts if start <= x["contact_date"] <= end]
    tiers = expected_tiers(contacts=contacts)
    return {
        "customers_total": len(CUSTOMERS),
        "new_customers": sum(1 for c in CUSTOMERS if start <= c["first_contact"] <= end),
        "churned": sum(1 for c in CUSTOMERS if c["stage"] == "终止合作" and c["last_coop"] and start <= c["last_coop"] <= end),
        "contacts_logged": len(in_month),
        "customers_contacted": len({x["customer_name"] for x in in_month}),
        "overdue_followups": sum(1 for v in tiers.values() if v["overdue"] == "是"),
        "complaints_opened": sum(1 for x in COMPLAINTS if start <= x["received_at"].date() <= end),
        "complaints_open": sum(1 for x in COMPLAINTS if x["resolved_at"] is None),
    }
