"""The quarterly tier review list, and averages of valid ratings only."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workbook_tools.ops.review import compute_review
from workbook_tools.ops.review.watch import quarter_start, tier_review_reasons
from workbook_tools.ops.validate import run_validate
from workbook_tools.schema import SCHEMA
from workbook_tools.testing import make_model

D = dt.date
AS_OF = D(2025, 6, 30)   # the review of 2025-06: quarter 2025-Q2 starts 2025-04-01


def cust(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "customer_id": None, "contact": "张伟", "phone": "13800138000", "owner": "李娜",
            "first_contact": "2024-01-10", "stage": "合作中", **kw}


CUSTOMERS = [
    cust("甲", amount_annual=60, tier_confirmed="战略客户", tier_confirmed_on="2025-04-15"),   # fine
    cust("乙", amount_annual=60, tier_confirmed="重点客户", tier_confirmed_on="2025-05-01"),   # differs
    cust("丙", amount_annual=20, tier_confirmed="重点客户", tier_confirmed_on="2025-03-31"),   # last quarter
    cust("丁", amount_annual=5),                                                             # never confirmed
    cust("戊", amount_annual=20, tier_confirmed="中价值客户"),                                 # 003's label, no date
    cust("己"),                                                                              # nothing to review
    cust("庚", amount_annual=5, stage="终止合作"),                                             # churned
]


def test_tier_review_lists_differences_and_customers_not_reconfirmed_this_quarter() -> None:
    """Source 002: "客户分类结果需由主管审核确认" and "客户价值等级每季度复核一次". Differences first,
    then by tier (战略, 重点, 普通), then by row."""
    t = compute_review(make_model(customers=CUSTOMERS), month="2025-06", as_of=AS_OF).table("tier_review")
    assert t.title.zh == "价值等级复核（2025-Q2）"
    assert [row[0] + "｜" + row[-1] for row in t.rows] == [
        "乙｜系统建议与主管确认不一致",
        "丙｜本季度未复核（上次2025-03-31）",
        "戊｜未填等级确认日期",
        "丁｜未经主管确认",
    ]
    assert t.rows[0][3:6] == ["战略客户", "重点客户", D(2025, 5, 1)] and t.total == 4


def test_without_a_confirmation_date_column_only_differences_and_unconfirmed_are_listed() -> None:
    keys = [c.key for c in SCHEMA.sheet("customers").columns if not c.computed and c.key != "tier_confirmed_on"]
    m = make_model(customers=[{k: v for k, v in c.items() if k != "tier_confirmed_on"} for c in CUSTOMERS],
                   columns={"customers": keys})
    t = compute_review(m, month="2025-06", as_of=AS_OF).table("tier_review")
    assert [row[0] for row in t.rows] == ["乙", "丁"]
    assert "未找到“等级确认日期”列" in t.title.zh


@pytest.mark.parametrize(("proposed", "confirmed", "on", "want"), [
    ("战略客户", "战略客户", D(2025, 4, 1), []),                             # the quarter's first day
    ("战略客户", "战略客户", D(2025, 6, 30), []),                            # the snapshot itself
    ("战略客户", "战略客户", D(2025, 7, 1), ["本季度未复核（上次2025-07-01）"]),   # after the snapshot
    (None, "重点客户", D(2025, 5, 1), []),                                   # no amount: the confirmation stands
    (None, None, None, []),
])
def test_tier_review_reasons(proposed: str | None, confirmed: str | None, on: D | None, want: list[str]) -> None:
    assert tier_review_reasons(proposed, confirmed, on, AS_OF, True) == want
    assert quarter_start(D(2025, 12, 31)) == D(2025, 10, 1)


# ---- item 4: averages of valid ratings only -----------------------------------------------------------

def test_only_valid_ratings_enter_the_averages_and_the_rules() -> None:
    """Source 000: "满意度评分(1-5分)". Customer ratings 5, 0, 7, 4.5, 满意, 3, '-', empty: valid 5 and 3
    → average 4.00, four values left out (0, 7, 4.5, 满意), each an error finding; '-' means none.
    Complaint ratings of June's closed complaints 4, 6, 2 → 3.00, one left out."""
    sats = [5, 0, 7, 4.5, "满意", 3, "-", None]
    customers = [cust(f"客户{i}", customer_id=f"2024-IT-{i:03d}", satisfaction=s) for i, s in enumerate(sats, 1)]
    complaints = [{"customer_id": "2024-IT-001", "received_at": "2025-06-02 09:00", "resolved_at": "2025-06-03 09:00",
                   "status": "已解决", "satisfaction": s} for s in (4, 6, 2)]
    m = make_model(customers=customers, complaints=complaints)
    r = compute_review(m, month="2025-06", as_of=AS_OF)
    assert r.kpi("customer_satisfaction").value == 4.0
    assert r.kpi("avg_satisfaction").value == 3.0
    assert (r.stats["satisfaction_left_out"], r.stats["complaint_satisfaction_left_out"]) == (4, 1)
    found = run_validate(m, as_of=AS_OF, rules=["RATING"]).findings
    col = m.sheets["customers"].columns["satisfaction"]
    assert [(f.sheet, f.row) for f in found] == [("客户基本信息", r) for r in (3, 4, 5, 6)] + [("投诉登记", 3)]
    assert all(f.severity == "error" for f in found) and col
    # a 0 is not "low satisfaction": it is no rating at all (the error finding says so)
    at_risk = {row[0]: row[-1] for row in r.table("at_risk").rows}
    assert "客户2" not in at_risk and "满意度" not in at_risk.get("客户6", "")
