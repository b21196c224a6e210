"""The review's rates, each on a small hand-built workbook with the value worked out by hand in the
comments. The period is June 2024 (snapshot 2024-06-30), the previous one May 2024; every rate is
checked with its numerator and denominator, this period and the previous one."""

from __future__ import annotations

from _review_util import cust, review, zh  # noqa: F401 - zh is an autouse fixture

OLD = "2023-01-01"


def figure(r, key):
    k = r.kpi(key)
    return (k.numerator, k.denominator, k.value), (k.previous_numerator, k.previous_denominator, k.previous)


def test_churn_rate():
    """Seed 003 "设定评估指标 … 客户投诉率/流失率（监控风险客户转化情况）": churned in the period among the
    customers active at its start."""
    r = review([
        cust("甲", first_contact=OLD, stage="合作中"),                                   # active throughout
        cust("乙", first_contact=OLD, stage="终止合作", last_coop="2024-06-15"),         # lost in June
        cust("丙", first_contact=OLD, customer_type="流失客户", last_coop="2024-05-10"),  # lost in May
        cust("丁", first_contact="2024-06-05", stage="终止合作", last_coop="2024-06-20"),  # won and lost in June
        cust("戊", first_contact=OLD, stage="终止合作"),                                 # lost, date unknown
        cust("己", stage="接洽中"),                                                      # no date: always there
    ])
    # June: active at 06-01 = 甲 乙 己 (丙 gone in May, 丁 not yet there, 戊 cannot be placed); lost: 乙
    # May: active at 05-01 = 甲 乙 丙 己; lost: 丙
    assert figure(r, "churn_rate") == ((1, 3, 0.3333), (1, 4, 0.25))
    assert (r.kpi("churned").value, r.kpi("churned").previous) == (2, 1)   # the count includes 丁
    assert r.kpi("churn_rate").delta == 8.3 and r.kpi("churn_rate").trend == "bad"   # +8.3 percentage points


def test_complaint_rate():
    """Seed 003 "客户投诉率": customers of the period with a complaint received in it ÷ customers of the period."""
    r = review([
        cust("甲", customer_id="C1", first_contact=OLD),
        cust("乙", customer_id="C2", first_contact=OLD, stage="终止合作", last_coop="2024-06-15"),
        cust("丙", customer_id="C3", first_contact=OLD, stage="终止合作", last_coop="2024-05-10"),
        cust("丁", customer_id="C4", first_contact="2024-06-05"),
        cust("己", customer_id="C5"),
    ], complaints=[
        {"customer_id": "C1", "received_at": "2024-06-03 10:00"},
        {"customer_id": "C1", "received_at": "2024-06-09 10:00"},      # the same customer twice: once
        {"customer_id": "C3", "received_at": "2024-06-04 10:00"},      # lost before June: not a June customer
        {"customer_name": "不存在的公司", "received_at": "2024-06-05 10:00"},  # matches nobody
        {"customer_id": "C5", "received_at": "2024-05-20 10:00"},
    ])
    # June: customers 甲 乙 丁 己 (丙 lost in May) → with a complaint: 甲
    # May: customers 甲 乙 丙 己 (丁 not yet) → with a complaint: 己
    assert figure(r, "complaint_rate") == ((1, 4, 0.25), (1, 4, 0.25))
    assert r.kpi("complaint_rate").trend == "flat"


def test_renewal_rate_and_its_setting():
    """Seed 003 "续约率/复购率（对比维护前后数据变化）": a term that starts in the period more than
    renewal_gap_days after 首次合作时间 is a renewal; a term that ends in the period (and is still the
    one on the sheet) was due and is not renewed."""
    rows = [
        cust("R1", first_coop="2022-06-01", term="2024.06-2025.05"),   # renewed in June (starts 06-01)
        cust("R2", first_coop="2024-05-20", term="2024.06-2025.05"),   # a first term: starts 12 days after
        cust("R3", first_coop="2023-07-01", term="2023.07-2024.06"),   # ends 06-30: due, not renewed
        cust("R4", first_coop="2023-06-01", term="2023.06-2024.05"),   # ended 05-31
        cust("R5", first_coop="2022-05-01", term="2024/05/15至2025/05/14"),  # renewed in May
        cust("R6", first_coop="2023-05-01", term="2023.05-2024.05"),   # ended 05-31
    ]
    r = review(rows)
    # June: renewed R1; due R1 R3 → 1/2.  May: renewed R5; due R5 R4 R6 → 1/3
    assert figure(r, "renewal_rate") == ((1, 2, 0.5), (1, 3, 0.3333))
    r = review(rows, settings={"renewal_gap_days": 0})
    # with no gap R2's first term counts as a renewal too: June renewed R1 R2, due R1 R2 R3 → 2/3
    assert figure(r, "renewal_rate")[0] == (2, 3, 0.6667)


def test_repurchase_rate():
    """Seed 004 "复购/增购客户：老客户提出新的合作需求或扩大合作规模": customers who had bought before the
    period (and were still customers at its start) whose 最近一次合作时间 falls in it."""
    r = review([
        cust("P1", first_coop="2023-01-10", last_coop="2024-06-12"),    # bought again in June
        cust("P2", first_coop="2023-03-01", last_coop="2024-03-01"),
        cust("P3", first_coop="2024-06-03", last_coop="2024-06-20"),    # first deal in June: not a repeat
        cust("P4", first_coop="2022-01-01", last_coop="2024-05-05", stage="终止合作"),  # bought in May, then lost
        cust("P5", first_coop="2023-02-01", last_coop="2023-02-01"),
    ])
    # June: base P1 P2 P5 (P4 lost 05-05, P3 new) → again P1 → 1/3
    # May: base P1 P2 P4 P5 → again in May P4 (P1's latest is in June) → 1/4
    assert figure(r, "repurchase_rate") == ((1, 3, 0.3333), (1, 4, 0.25))


def test_referral_rate_and_an_empty_denominator():
    """Seed 003 "转介绍率（高价值客户推荐新客户数量）": the share of the period's new customers whose 客户来源
    is 转介绍 (list synonyms such as 老客户转介绍 count). With no new customers the rate is "—", not 0 %."""
    r = review([
        cust("N1", first_contact="2024-06-02", source="转介绍"),
        cust("N2", first_contact="2024-06-03", source="老客户转介绍"),
        cust("N3", first_contact="2024-06-04", source="行业展会"),
        cust("N4", first_contact="2024-06-05"),
    ])
    assert figure(r, "referral_rate") == ((2, 4, 0.5), (0, 0, None))
    k = r.kpi("referral_rate")
    assert k.previous_status == "no_denominator" and k.delta is None and k.trend == "none"


def test_conversion_by_grade():
    """Seed 004 "各级客户跟进转化率（如A级客户意向转成交率、B级客户升级为A级客户的比例）": per grade, the
    customers with no deal at the start of the period → those whose 首次合作时间 falls in it. B → A needs
    the grade at two dates: with no grade history before June it is "not available", never invented
    (tests/test_history.py computes it from a history)."""
    r = review([
        cust("G1", follow_grade="A", first_contact="2024-01-01"),
        cust("G2", follow_grade="A级", first_contact="2024-02-01", first_coop="2024-06-10"),
        cust("G3", follow_grade="A", first_contact="2024-01-01", first_coop="2024-03-01"),
        cust("G4", follow_grade="B", first_contact="2024-01-01", first_coop="2024-06-20"),
        cust("G5", follow_grade="B", first_contact="2024-01-01"),
        cust("G6", follow_grade="B", first_contact="2024-01-01", stage="终止合作"),
        cust("G7", follow_grade="C", first_contact="2024-06-15", first_coop="2024-06-25"),
        cust("G8", follow_grade="A", first_contact="2024-04-01", first_coop="2024-05-20"),
    ])
    # June, A: open G1 G2 (G3, G8 bought before) → G2 → 1/2; May, A: open G1 G2 G8 → G8 → 1/3
    assert figure(r, "a_to_deal_rate") == ((1, 2, 0.5), (1, 3, 0.3333))
    # B: open G4 G5 (G6 lost, date unknown) → G4; C: G7 was not there on 06-01 → "—"
    assert r.table("conversion_by_grade").rows == [["A", 2, 1, 0.5], ["B", 2, 1, 0.5], ["C", 0, 0, "—"]]
    k = r.kpi("b_to_a_rate")
    assert (k.value, k.status, k.note.en) == (None, "not_available", "history starts 2024-06")


def test_on_time_followup_rate():
    """Seed 004 "A级客户 … 跟进周期为每周1-2次 … C级客户 … 每月1次" and 002/003 "24小时内": each contact of
    the period that follows an earlier one is on time when the gap is at most the cadence; customers still
    overdue at the snapshot count as due and late."""
    r = review([
        cust("O1", customer_id="O1", follow_grade="A", first_contact="2024-05-20"),   # every 7 days
        cust("O2", customer_id="O2", follow_grade="C", first_contact="2024-01-01"),   # every 30 days
        cust("O3", customer_id="O3", follow_grade="A", first_contact="2024-05-01", stage="终止合作",
             last_coop="2024-06-25"),                                                   # lost: left out
    ], contacts=[
        {"customer_id": "O1", "contact_date": d} for d in
        ("2024-05-25", "2024-06-03", "2024-06-08", "2024-06-08", "2024-06-14")
    ] + [{"customer_id": "O2", "contact_date": d} for d in ("2024-05-20", "2024-06-18")]
      + [{"customer_id": "O3", "contact_date": d} for d in ("2024-06-02", "2024-06-20")])
    # June: O1 06-03 (9 days after 05-25: late), 06-08 (5: on time, counted once), 06-14 (6: on time);
    #       O2 06-18 (29 ≤ 30: on time); O1 is overdue on 06-30 (due 06-21) → 3 on time of 3 + 1 + 1 = 5
    # May:  O1 05-25 (5 days after the first contact: on time), O2 05-20 (140 > 30: late); none overdue on 05-31
    assert figure(r, "on_time_followup_rate") == ((3, 5, 0.6), (1, 2, 0.5))
    assert r.kpi("overdue_followups").value == 1


def test_complaint_sla_by_urgency():
    """Seed 002 "一般投诉24小时内响应" (紧急/特急 from 代码表): complaints of the period answered within the
    limit of their urgency ÷ those answered or past their limit; one still inside its limit waits."""
    r = review(complaints=[
        {"complaint_id": "S1", "urgency": "一般", "received_at": "2024-06-01 09:00", "responded_at": "2024-06-01 15:00"},
        {"complaint_id": "S2", "urgency": "加急", "received_at": "2024-06-02 09:00", "responded_at": "2024-06-02 15:00"},
        {"complaint_id": "S3", "urgency": "特急", "received_at": "2024-06-03 10:00", "responded_at": "2024-06-03 11:00"},
        {"complaint_id": "S4", "received_at": "2024-06-30 20:00"},
        {"complaint_id": "S5", "urgency": "一般", "received_at": "2024-06-10 08:00", "resolved_at": "2024-06-12 08:00"},
        {"complaint_id": "S6", "urgency": "紧急", "received_at": "2024-05-20 09:00", "responded_at": "2024-05-20 10:00"},
    ])
    # S1 6 h ≤ 24; S2 加急 = 紧急: 6 h > 4 → late; S3 1 h ≤ 2; S4 (no urgency = 一般) waited 4 h by the end of
    # 06-30: waiting; S5 answered only by its resolution after 48 h → late.  May: S6 1 h ≤ 4.
    assert figure(r, "sla_compliance_rate") == ((2, 4, 0.5), (1, 1, 1.0))
    assert r.kpi("sla_breaches").value == 2
    assert r.table("sla_by_urgency").rows == [["一般", 24, 3, 1, 1, 1, 0.5], ["紧急", 4, 1, 0, 1, 0, 0.0],
                                              ["特急", 2, 1, 1, 0, 0, 1.0]]


def test_nps_is_not_faked():
    """Seed 003 "客户满意度（通过满意度调研或NPS评分）": NPS needs 0–10 scores; the workbook has 1–5 only."""
    r = review([cust("甲", satisfaction=5)])
    k = r.kpi("nps")
    assert (k.value, k.previous, k.status) == (None, None, "not_available") and "0–10" in k.note.zh


def test_a_rate_whose_column_is_missing_says_so():
    """A figure whose input column is not in the workbook says "column not found" (never 0)."""
    r = review([cust("甲", first_contact=OLD)], complaints=[{"received_at": "2024-06-03 10:00"}],
               columns={"complaints": ["complaint_id", "customer_id", "customer_name", "received_at"]})
    k = r.kpi("sla_compliance_rate")
    assert (k.value, k.status, k.previous_status) == (None, "column_not_found", "column_not_found")
    assert [m.zh for m in k.missing] == ["投诉登记.首次响应时间"]
    assert r.kpi("complaints_opened").value == 1 and r.kpi("complaints_closed").status == "column_not_found"


def test_satisfaction_averages_say_how_many_invalid_ratings_they_left_out():
    """Seed 000 "满意度评分(1-5分)": a 6, a 4.5 or 满意 is no rating; the average leaves it out and the
    review says how many (the 口径 column, the figure's JSON)."""
    from workbook_tools.ops.review import review_json
    from workbook_tools.ops.review.sheet import basis_text

    r = review([cust("甲", satisfaction=5), cust("乙", satisfaction=3), cust("丙", satisfaction=6),
                cust("丁", satisfaction="满意"), cust("戊", satisfaction=4.5), cust("己")])
    k = r.kpi("customer_satisfaction")
    assert (k.value, k.left_out) == (4.0, 3)             # (5 + 3) / 2; 6, 满意 and 4.5 left out; 己 is empty
    assert basis_text(k, "zh") == "剔除无效评分 3 个" and basis_text(k, "en") == "3 invalid ratings left out"
    fig = review_json(r)["figures"]["customer_satisfaction"]
    assert (fig["value"], fig["left_out"]) == (4.0, 3)
    assert r.stats["satisfaction_left_out"] == 3
