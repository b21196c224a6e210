"""Every rule links a log or complaint row to the same customer.

Item 6: one name normalisation (``matching.name_key``) for ID filling, the cross-sheet check,
duplicate detection and the per-customer facts. Before, ``wbt ids`` filled the ID of a name typed
with a space or in lower case while ``validate`` reported the same row as "customer not found",
and a name with a middle dot was a duplicate to ``validate`` but unknown to ``wbt ids``.

Item 5: a 客户编号 shared by two customer rows (a data error) must not hand one customer's history
to the other: the row's name decides, and only when it cannot are both credited (with a finding).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workbook_tools.model import WorkbookModel, split_ref
from workbook_tools.ops.ids import run_ids
from workbook_tools.ops.matching import name_key, same_person
from workbook_tools.ops.tiers import run_tiers
from workbook_tools.ops.validate import run_validate
from workbook_tools.testing import make_model

AS_OF = dt.date(2025, 6, 30)


def cust(name: str, cid: str | None, **kw: Any) -> dict[str, Any]:
    return {"customer_id": cid, "name": name, "contact": "张伟", "phone": "13800138000", "industry": "互联网",
            "first_contact": "2024-03-01", "amount_annual": 20, **kw}


def tier_values(model: WorkbookModel, key: str) -> dict[int, Any]:
    """Excel row → planned value of one computed column of wbt tiers."""
    res = run_tiers(model, as_of=AS_OF)
    sheet = model.sheets["customers"]
    header = sheet.spec.column(key).zh   # the column is added by the run (a computed column)
    col = next(split_ref(e.cell)[1] for e in res.changeset.edits if e.new == header and split_ref(e.cell)[0] == 1)
    return {split_ref(e.cell)[0]: e.new for e in res.changeset.edits if split_ref(e.cell)[1] == col
            and split_ref(e.cell)[0] > 1}


def codes(model: WorkbookModel, *rules: str) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in run_validate(model, as_of=AS_OF, rules=list(rules)).findings]


# ---- item 6: one name normalisation ------------------------------------------------------------------

SPELLINGS = ["杭州 云启科技有限公司", "abc数据服务有限公司", "ＡＢＣ·数据服务有限公司", "杭州云启科技（有限）公司"]


def test_name_key_ignores_width_case_spaces_and_punctuation() -> None:
    assert name_key("ＡＢＣ·数据服务 有限公司") == name_key("abc数据服务有限公司") == "abc数据服务有限公司"
    assert name_key("杭州云启科技（有限）公司") == name_key("杭州云启科技有限公司")
    assert name_key("云启科技") != name_key("云启科技有限公司")   # abbreviations are not the same name
    assert name_key(None) == name_key("  ") == ""


def test_a_name_typed_differently_is_matched_by_every_rule() -> None:
    m = make_model(customers=[cust("杭州云启科技有限公司", "2024-IT-001"), cust("ABC数据服务有限公司", "2024-IS-001")],
                   contacts=[{"customer_name": n, "contact_date": f"2025-06-0{i + 1}"} for i, n in enumerate(SPELLINGS)])
    # wbt ids fills the ID of every row (A = 客户编号 of the log)
    filled = {e.cell: e.new for e in run_ids(m, as_of=AS_OF).changeset.edits}
    assert filled == {"A2": "2024-IT-001", "A3": "2024-IS-001", "A4": "2024-IS-001", "A5": "2024-IT-001"}
    # validate finds every customer (it only notes that the ID is missing), and says the same rows
    assert codes(m, "XREF_CUSTOMER") == []
    assert codes(m, "XREF_BY_NAME") == [("XREF_BY_NAME", f"A{r}") for r in range(2, 6)]
    # wbt tiers counts the rows for the customers: last contacts 06-04 (云启) and 06-03 (ABC)
    assert tier_values(m, "last_contact") == {2: dt.date(2025, 6, 4), 3: dt.date(2025, 6, 3)}


def test_names_that_are_one_customer_to_one_rule_are_one_customer_to_all() -> None:
    # the customer sheet holds ABC twice (a full-width, dotted copy): duplicates report it, and the
    # log row naming it belongs to nobody (IDs, validation and tiers agree) until the copy is merged
    m = make_model(customers=[cust("ABC数据服务有限公司", "2024-IS-001"), cust("ＡＢＣ·数据服务有限公司", None)],
                   contacts=[{"customer_name": "abc数据服务有限公司", "contact_date": "2025-06-01"}])
    assert codes(m, "DUP_NAME") == [("DUP_NAME", "B3")]
    ids = run_ids(m, as_of=AS_OF)
    assert [f.code for f in ids.findings if f.code.startswith("ID-NAME")] == ["ID-NAME-AMBIGUOUS"]
    assert not [e for e in ids.changeset.edits if e.sheet == "沟通记录"]
    found = run_validate(m, as_of=AS_OF, rules=["XREF_CUSTOMER"]).findings
    assert [(f.code, f.cell) for f in found] == [("XREF_CUSTOMER", "B2")]
    assert "对应多个客户" in found[0].message.zh
    assert tier_values(m, "last_contact") == {}


@pytest.mark.parametrize(("a", "b", "same"), [
    ("张伟", "张伟 ", True), ("张伟", "张经理", True), ("王*", "王强", True), ("李娜、王强", "王强", True),
    ("张伟", "王五", False), ("张伟", None, None), ("*经理", "王五", None),
])
def test_same_person(a: Any, b: Any, same: bool | None) -> None:
    assert same_person(a, b) is same


# ---- item 5: a customer ID shared by two rows ------------------------------------------------------------

def shared_model() -> WorkbookModel:
    return make_model(
        customers=[cust("丁物流有限公司", "2024-LG-001"), cust("戊物流有限公司", "2024-LG-001")],
        contacts=[{"customer_id": "2024-LG-001", "customer_name": "丁物流有限公司", "contact_date": "2025-06-01"},
                  {"customer_id": "2024-LG-001", "customer_name": "戊物流 有限公司", "contact_date": "2025-05-01"},
                  {"customer_id": "2024-LG-001", "contact_date": "2025-04-01"}],              # no name: both
        complaints=[{"customer_id": "2024-LG-001", "customer_name": "戊物流有限公司", "received_at": "2025-06-10",
                     "status": "处理中"}])


def test_a_shared_id_is_decided_by_the_name() -> None:
    m = shared_model()
    # 丁 was contacted 06-01, 戊 05-01 (each by its own named row; the unnamed 04-01 row counts for both)
    assert tier_values(m, "last_contact") == {2: dt.date(2025, 6, 1), 3: dt.date(2025, 5, 1)}
    # the complaint names 戊: only 戊 is at risk
    assert tier_values(m, "risk_reasons") == {3: "投诉1次（最近2025-06-10）；投诉未解决1件"}


def test_a_row_the_name_cannot_decide_counts_for_both_and_is_reported() -> None:
    m = shared_model()
    res = run_tiers(m, as_of=AS_OF)
    shared = [f for f in res.findings if f.code == "TIER-SHARED-ID"]
    assert [(f.sheet, f.cell) for f in shared] == [("沟通记录", "A4")]
    assert "第2行“丁物流有限公司”、第3行“戊物流有限公司”" in shared[0].message.zh and "1 行" in shared[0].message.zh
    assert codes(m, "XREF_SHARED_ID") == [("XREF_SHARED_ID", "A4")]
    assert codes(m, "DUP_ID") == [("DUP_ID", "A3")]
