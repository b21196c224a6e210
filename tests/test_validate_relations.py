"""Duplicate, cross-sheet, consistency and timeliness rules of wbt validate (positive and negative)."""

from __future__ import annotations

import datetime as dt

from workbook_tools.ops.terms import term_span
from workbook_tools.ops.validate import run_validate
from workbook_tools.ops.validate.duplicates import company_key_of
from workbook_tools.testing import make_model

AS_OF = dt.date(2026, 10, 31)
D = dt.datetime


def c(i: int, **kw):
    base = {"customer_id": f"2024-IT-{i:03d}", "name": f"杭州云启{'甲乙丙丁戊己庚辛壬癸'[i % 10]}科技有限公司",
            "contact": "张伟", "phone": f"1380013{i:04d}", "industry": "互联网", "first_contact": D(2024, 3, 5),
            "stage": "合作中", "first_coop": D(2024, 6, 1), "follow_grade": "C"}
    return {**base, **kw}


def found(model, code):
    return [f for f in run_validate(model, as_of=AS_OF, rules=[code]).findings if f.code == code]


def test_name_key_normalises_forms_widths_spaces_and_brackets():
    import pandas as pd
    names = pd.Series(["杭州云启科技有限公司", "杭州云启科技有限责任公司", "杭州 云启科技股份有限公司", "杭州云启科技（中国）有限公司",
                       "杭州云启科技\u3000有限公司", "ＡＢＣ Co., Ltd.", "杭州云启网络有限公司"])
    k = company_key_of(names).tolist()
    assert len(set(k[:5])) == 1 and k[5] == "abc" and k[6] != k[0]


def test_dup_id_reports_the_copy_that_does_not_fit():
    # row 3 carries an IT code although it is a 制造业 customer: it is the copy
    m = make_model(customers=[c(1), c(2, customer_id="2024-IT-001", industry="制造业")])
    fs = found(m, "DUP_ID")
    assert [f.row for f in fs] == [3] and "第 2 行" in fs[0].message.zh
    # indistinguishable copies: the first row is the record, the later one is reported
    m = make_model(customers=[c(1), c(2, customer_id="2024-IT-001"), c(3, customer_id="2024-IT-001")])
    assert [f.row for f in found(m, "DUP_ID")] == [3, 4]
    assert found(make_model(customers=[c(1), c(2)]), "DUP_ID") == []


def test_dup_name_after_normalising():
    m = make_model(customers=[c(1), c(2), c(3, name="杭州云启乙 科技有限公司")])
    fs = found(m, "DUP_NAME")
    assert [f.row for f in fs] == [4]  # the irregular spelling (a space) is the copy
    assert "实为同一家" in fs[0].message.zh and "第 2 行" in fs[0].message.zh
    m = make_model(customers=[c(1), c(2, name="杭州云启乙科技有限责任公司")])
    assert [f.row for f in found(m, "DUP_NAME")] == [3]
    m = make_model(customers=[c(1, name="杭州云启乙科技（中国）有限公司"), c(2, name="杭州云启乙科技有限公司"),
                              c(3, name="杭州云启乙科技股份有限公司")])
    # row 2 is irregular (brackets) so it is the copy, even though it comes first; of rows 3 and 4 the later
    assert [f.row for f in found(m, "DUP_NAME")] == [2, 4]
    assert found(make_model(customers=[c(1), c(2)]), "DUP_NAME") == []


def test_dup_phone_only_across_different_customers():
    m = make_model(customers=[c(1), c(2, phone="13800130001"), c(3)])
    fs = found(m, "DUP_PHONE")
    assert [f.row for f in fs] == [3] and "第 2 行" in fs[0].message.zh
    m = make_model(customers=[c(1, phone="138****0001"), c(2, phone="138****0001")], settings={"privacy_mode": True})
    assert found(m, "DUP_PHONE") == []


def test_xref_by_id_or_exact_name_with_hint():
    custs = [c(1), c(2, customer_id=None)]
    log = [{"customer_id": "2024-IT-001", "contact_date": D(2026, 10, 1)},
           {"customer_id": "2024-IT-999", "contact_date": D(2026, 10, 1)},
           {"customer_name": "杭州云启乙科技有限公司", "contact_date": D(2026, 10, 1)},
           {"customer_name": "杭州云启乙科技有限责任公司", "contact_date": D(2026, 10, 1)},
           {"contact_date": D(2026, 10, 1)},
           {"customer_id": "2024-IT-001", "customer_name": "杭州云启丙科技有限公司", "contact_date": D(2026, 10, 1)},
           {"customer_name": "杭州云启丙科技有限公司", "contact_date": D(2026, 10, 1)}]
    m = make_model(customers=custs, contacts=log)
    lost = found(m, "XREF_CUSTOMER")
    assert [(f.row, f.column) for f in lost] == [(3, "customer_id"), (5, "customer_name")]
    assert lost[1].hint.zh == "应为“杭州云启乙科技有限公司”，客户编号 2024-IT-001"
    by_name = found(m, "XREF_BY_NAME")
    assert [f.row for f in by_name] == [4, 8] and "2024-IT-001" in by_name[0].hint.zh
    assert "尚未编号" in by_name[1].hint.zh
    assert [f.row for f in found(m, "XREF_EMPTY")] == [6]
    assert [f.row for f in found(m, "XREF_NAME_MISMATCH")] == [7]


def test_order_rules():
    m = make_model(customers=[c(1, first_coop=D(2024, 1, 1)), c(2, last_coop=D(2024, 5, 1)), c(3, last_coop=D(2024, 6, 1))],
                   contacts=[{"customer_id": "2024-IT-001", "contact_date": D(2026, 5, 2), "due": D(2026, 5, 1)},
                             {"customer_id": "2024-IT-001", "contact_date": D(2026, 5, 2), "due": D(2026, 5, 2)}],
                   complaints=[{"customer_id": "2024-IT-001", "received_at": D(2026, 5, 2, 10), "registered_at": D(2026, 5, 2, 9),
                                "responded_at": D(2026, 5, 2, 9, 30), "resolved_at": D(2026, 5, 1)},
                               {"customer_id": "2024-IT-001", "received_at": D(2026, 5, 2, 10), "registered_at": D(2026, 5, 2, 10, 30),
                                "responded_at": D(2026, 5, 2, 11), "resolved_at": D(2026, 5, 3), "status": "已解决"}])
    assert [f.cell for f in found(m, "ORDER_FIRST_COOP")] == ["O2"]
    assert [f.row for f in found(m, "ORDER_LAST_COOP")] == [3]
    assert [f.row for f in found(m, "ORDER_DUE")] == [2]
    for code in ("ORDER_REGISTERED", "ORDER_RESPONDED", "ORDER_RESOLVED"):
        assert [f.row for f in found(m, code)] == [2], code


def test_stage_rules():
    m = make_model(customers=[c(1, first_coop=None), c(2, stage="终止合作"), c(3, customer_type="流失客户"), c(4)],
                   contacts=[{"customer_id": "2024-IT-002", "contact_date": D(2026, 10, 1), "due": D(2026, 11, 15)},
                             {"customer_id": "2024-IT-003", "contact_date": D(2026, 10, 1), "due": D(2026, 10, 20)},
                             {"customer_id": "2024-IT-004", "contact_date": D(2026, 10, 1), "due": D(2026, 11, 15)}])
    assert [f.row for f in found(m, "STAGE_NO_COOP")] == [2]
    assert [f.row for f in found(m, "STAGE_ENDED_ACTION")] == [2]


def test_contract_terms():
    assert term_span("2024.01-2025.12") == (dt.date(2024, 1, 1), dt.date(2025, 12, 31))
    assert term_span("2024年3月至2025年2月") == (dt.date(2024, 3, 1), dt.date(2025, 2, 28))
    assert term_span("2024-01-01~2025-06-30") == (dt.date(2024, 1, 1), dt.date(2025, 6, 30))
    assert term_span("两年") == (None, None) and term_span("2024.13-2025.01") == (None, None)
    m = make_model(customers=[c(1, term="2024.01-2025.12"), c(2, term="两年"), c(3, term="2025.12-2024.01")])
    assert [f.row for f in found(m, "TERM_INVALID")] == [3]
    assert [f.row for f in found(m, "TERM_ORDER")] == [4]


def test_complaint_sla_by_urgency_from_settings():
    rows = [{"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "registered_at": D(2026, 10, 1, 11),
             "urgency": "一般", "responded_at": D(2026, 10, 2, 8)},                       # late registration only
            {"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "registered_at": D(2026, 10, 1, 9, 30),
             "urgency": "紧急", "responded_at": D(2026, 10, 1, 14)},                      # 5 h > 4 h
            {"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "registered_at": D(2026, 10, 1, 9, 30),
             "urgency": "特急", "status": "处理中"},                                       # never answered
            {"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "registered_at": D(2026, 10, 1, 9, 30),
             "urgency": "特急", "responded_at": D(2026, 10, 1, 10, 30)}]
    m = make_model(customers=[c(1)], complaints=rows)
    assert [f.row for f in found(m, "SLA_REGISTER")] == [2]
    fs = found(m, "SLA_RESPONSE")
    assert [f.row for f in fs] == [3, 4] and "未响应" in fs[1].message.zh
    m = make_model(customers=[c(1)], complaints=rows, settings={"response_hours_urgent": 6})
    assert [f.row for f in found(m, "SLA_RESPONSE")] == [4]


def test_contact_logged_within_24h():
    log = [{"customer_id": "2024-IT-001", "contact_date": D(2026, 10, 1), "logged_at": D(2026, 10, 2, 20)},
           {"customer_id": "2024-IT-001", "contact_date": D(2026, 10, 1), "logged_at": D(2026, 10, 3, 1)},
           {"customer_id": "2024-IT-001", "contact_date": D(2026, 10, 1, 9), "logged_at": D(2026, 10, 2, 10)}]
    m = make_model(customers=[c(1)], contacts=log)
    assert [f.row for f in found(m, "SLA_LOG")] == [3, 4]


def test_demand_followup_counts_chinese_working_days():
    # 2024-09-30 (Mon) + 3 working days: Oct 1-7 is the National Day holiday, Oct 12 (Sat) is a make-up
    # working day → due 2024-10-10. A follow-up on Oct 10 is in time, Oct 11 is late.
    def log(nxt):
        return [{"customer_id": "2024-IT-001", "contact_date": D(2024, 9, 30), "feedback": "客户新增需求：移动端审批"},
                {"customer_id": "2024-IT-001", "contact_date": nxt}]
    assert found(make_model(customers=[c(1)], contacts=log(D(2024, 10, 10))), "SLA_DEMAND") == []
    fs = found(make_model(customers=[c(1)], contacts=log(D(2024, 10, 11))), "SLA_DEMAND")
    assert [f.row for f in fs] == [2] and "2024-10-10" in fs[0].message.zh
    quiet = [{"customer_id": "2024-IT-001", "contact_date": D(2024, 9, 30), "feedback": "无新需求"}]
    assert found(make_model(customers=[c(1)], contacts=quiet), "SLA_DEMAND") == []


def test_demand_followup_outside_calendar_falls_back_to_weekdays():
    log = [{"customer_id": "2024-IT-001", "contact_date": D(2031, 1, 3), "feedback": "需求变化"}]  # a Friday
    r = run_validate(make_model(customers=[c(1)], contacts=log), as_of=dt.date(2031, 2, 1), rules=["SLA_DEMAND"])
    by_sev = {f.severity: f for f in r.findings}
    assert len(r.findings) == 2 and set(by_sev) == {"warning", "info"}
    assert "2031-01-08" in by_sev["warning"].message.zh and "周一至周五" in by_sev["info"].message.zh


def test_overdue_followup_and_zombie():
    custs = [c(1, follow_grade="A"), c(2, follow_grade=None, amount_annual=60), c(3, follow_grade=None),
             c(4, stage="接洽中", first_coop=None, follow_grade=None, first_contact=D(2025, 6, 1)),
             c(5, stage="终止合作", follow_grade="A")]
    log = [{"customer_id": "2024-IT-001", "contact_date": D(2026, 10, 20)},   # 11 days > 7 (grade A)
           {"customer_id": "2024-IT-002", "contact_date": D(2026, 10, 5)},    # 26 days < 30 (strategic)
           {"customer_id": "2024-IT-003", "contact_date": D(2026, 3, 1)},     # 244 days > 180 (ordinary)
           {"customer_id": "2024-IT-005", "contact_date": D(2025, 1, 1)}]     # ended: not followed up
    m = make_model(customers=custs, contacts=log)
    fs = found(m, "OVERDUE_FOLLOWUP")
    assert [f.row for f in fs] == [2, 4, 5] and "11 天" in fs[0].message.zh
    assert [f.row for f in found(m, "ZOMBIE")] == [5]
    m = make_model(customers=custs, contacts=log, settings={"cadence_grade_a_days": 14, "zombie_days": 600})
    assert [f.row for f in found(m, "OVERDUE_FOLLOWUP")] == [4, 5]
    assert found(m, "ZOMBIE") == []


def test_complaint_status_agrees_with_resolution():
    rows = [{"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "status": "已解决"},
            {"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "status": "处理中",
             "resolved_at": D(2026, 10, 2, 9)},
            {"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "status": "已关闭",
             "resolved_at": D(2026, 10, 2, 9)}]
    fs = found(make_model(customers=[c(1)], complaints=rows), "COMPLAINT_STATUS")
    assert [(f.row, f.column) for f in fs] == [(2, "resolved_at"), (3, "status")]


def test_working_days_agree_with_chinese_calendar():
    import random

    import chinese_calendar as cc

    from workbook_tools.workdays import add_workdays

    rng = random.Random(7)
    for _ in range(400):
        day, n = dt.date(2004, 1, 1) + dt.timedelta(days=rng.randint(0, 8000)), rng.randint(1, 6)
        assert add_workdays(day, n) == (cc.find_workday(n, day), False), (day, n)


def test_overdue_followup_reads_the_customer_as_wbt_tiers_and_the_review_do():
    """One reading of a customer's follow-up: list synonyms (LIST_SYNONYM promises every operation reads
    them as the list value), the tier as the amount shows to 2 decimals, a log row dated after the run
    date ignored (not the whole log), a 客户编号 shared by two customers counting for both."""
    from workbook_tools.ops.review.customers import customer_view
    from workbook_tools.ops.tiers import run_tiers

    custs = [c(1),                                                            # C, 30 d; last 10-20 (11 d)
             c(2, stage="已终止"),                                            # ended: never overdue
             c(3, follow_grade="A级"),                                        # A, 7 d; last 10-20: 11 d > 7
             c(4, follow_grade=None, amount_annual=9.995),                    # shows 10.00: key, 45 d; 61 d
             c(5, follow_grade=None, tier_confirmed="战略"),                  # strategic, 30 d; 60 d
             c(6), c(7, customer_id="2024-IT-006")]                           # share 2024-IT-006; 11 d < 30
    log = [{"customer_id": "2024-IT-001", "contact_date": D(2026, 10, 20)},
           {"customer_id": "2024-IT-001", "contact_date": D(2026, 12, 1)},     # after the run date
           {"customer_id": "2024-IT-003", "contact_date": D(2026, 10, 20)},
           {"customer_id": "2024-IT-004", "contact_date": D(2026, 8, 31)},
           {"customer_id": "2024-IT-005", "contact_date": D(2026, 9, 1)},
           {"customer_id": "2024-IT-006", "contact_date": D(2026, 10, 20)}]
    m = make_model(customers=custs, contacts=log)
    expected = [4, 5, 6]
    assert [f.row for f in found(m, "OVERDUE_FOLLOWUP")] == expected
    assert run_tiers(m, as_of=AS_OF).stats["overdue"] == len(expected)
    view = customer_view(m, AS_OF)
    assert view.index[view["overdue_days"] > 0].tolist() == expected
    fs = {f.row: f.message.zh for f in found(m, "OVERDUE_FOLLOWUP")}
    assert "11 天" in fs[4] and "A级应每 7 天" in fs[4]
    assert "61 天" in fs[5] and "重点客户应每 45 天" in fs[5]
    assert "60 天" in fs[6] and "战略客户应每 30 天" in fs[6]


def test_list_rules_read_synonyms_as_their_list_values():
    """LIST_SYNONYM says every operation reads 已终止, 洽谈中, 加急, 结案 … as their list values; the
    stage, zombie, complaint-status and response-time rules do too."""
    m = make_model(customers=[c(1, stage="已签约", first_coop=None), c(2, stage="已终止"),
                              c(3, stage="洽谈中", first_coop=None, follow_grade=None, first_contact=D(2025, 6, 1)),
                              c(4, stage="接洽中", first_coop=None, follow_grade=None)],
                   contacts=[{"customer_id": "2024-IT-002", "contact_date": D(2026, 10, 1), "due": D(2026, 11, 15)},
                             {"customer_id": "2024-IT-004", "contact_date": D(2026, 9, 1)},
                             {"customer_id": "2024-IT-004", "contact_date": D(2027, 1, 1)}],  # after the run date
                   complaints=[{"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "urgency": "加急",
                                "responded_at": D(2026, 10, 1, 15), "status": "结案"},       # 6 h > 4 h; closed
                               {"customer_id": "2024-IT-001", "received_at": D(2026, 10, 1, 9), "status": "未处理",
                                "responded_at": D(2026, 10, 1, 10), "resolved_at": D(2026, 10, 2, 9)}])
    assert [f.row for f in found(m, "STAGE_NO_COOP")] == [2]
    assert [f.row for f in found(m, "STAGE_ENDED_ACTION")] == [2]
    assert [f.row for f in found(m, "ZOMBIE")] == [4]          # 洽谈中 for 517 days; row 5 was contacted 09-01
    assert [f.row for f in found(m, "SLA_RESPONSE")] == [2]
    assert [(f.row, f.column) for f in found(m, "COMPLAINT_STATUS")] == [(2, "resolved_at"), (3, "status")]
