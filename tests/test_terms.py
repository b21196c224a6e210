"""合作期限 is read one way by every rule: validation, the renewal/risk rules and the review agree on
what a term is, including a column that holds only the end date (合同到期日, "Contract end")."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import openpyxl
import pytest

from workbook_tools.ops.risk import term_span as risk_term_span
from workbook_tools.ops.terms import Term, read_term
from workbook_tools.ops.tiers import run_tiers
from workbook_tools.ops.validate import run_validate
from workbook_tools.reader import read_workbook
from workbook_tools.testing import make_model

D = dt.date
AS_OF = D(2026, 11, 27)


@pytest.mark.parametrize(("value", "term"), [
    ("2024.01-2025.12", Term(D(2024, 1, 1), D(2025, 12, 31))),
    ("2024-2025", Term(D(2024, 1, 1), D(2025, 12, 31))),              # years: first and last day
    ("2024年3月至2025年2月", Term(D(2024, 3, 1), D(2025, 2, 28))),
    ("2026-12-20", Term(None, D(2026, 12, 20))),                     # the end date alone
    ("2026年12月20日", Term(None, D(2026, 12, 20))),
    ("2025.06", Term(None, D(2025, 6, 30))),                         # an end month: its last day
    (dt.datetime(2026, 12, 20, 0, 0), Term(None, D(2026, 12, 20))),  # a real date cell
    (D(2026, 12, 20), Term(None, D(2026, 12, 20))),
    ("长期", Term(None, None, open_ended=True)),
    ("2025", None),                                                 # a bare year is not an end date
    ("两年", None), ("2024.13-2025.01", None), ("2024.01-2025.06-2026.01", None), ("约2025年底", None),
    ("2026-02-30", None), ("", None), (None, None),
])
def test_read_term(value: object, term: Term | None) -> None:
    assert read_term(value) == term


def test_the_risk_rules_read_the_terms_validation_accepts() -> None:
    """Before: validation accepted '2024-2025' that the renewal rule could not read (no renewal
    check, silently), and rejected a single end date that the renewal rule used."""
    assert risk_term_span("2024-2025") == (D(2024, 1, 1), D(2025, 12, 31))
    assert risk_term_span("2026-12-20") == (None, D(2026, 12, 20))
    m = make_model(customers=[
        {"customer_id": "2024-IT-001", "name": "甲科技有限公司", "contact": "张伟", "phone": "13800138000",
         "stage": "合作中", "amount_annual": 60, "term": "2026-12-20"},
        {"customer_id": "2024-IT-002", "name": "乙科技有限公司", "contact": "李娜", "phone": "13800138001",
         "stage": "合作中", "amount_annual": 60, "term": "2025-2026"},
    ])
    codes = {f.code for f in run_validate(m, as_of=AS_OF).findings}
    assert not codes & {"TERM_INVALID", "TERM_ORDER"}
    res = run_tiers(m, as_of=AS_OF)
    assert not [f for f in res.findings if f.code == "TIER-BAD-TERM"]
    # both end within 60 days of 2026-11-27 (23 and 34 days), neither was contacted in the last
    # 30 days, and nothing confirms a renewal
    reasons = [e.new for e in res.changeset.edits if isinstance(e.new, str) and "续约意向未确认" in e.new]
    assert reasons == [f"合同{d}到期且30天内未沟通；合同{d}到期，续约意向未确认" for d in ("2026-12-20", "2026-12-31")]


def test_a_contract_end_column_of_real_dates(tmp_path: Path) -> None:
    """A team's own column '合同到期日' holding Excel dates: no false 'cannot be read' error, and
    the renewal rule sees the dates."""
    path = tmp_path / "team.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户基本信息"
    ws.append(["客户编号", "客户名称", "联系人", "联系方式", "当前合作阶段", "年度合作金额(万元)", "合同到期日"])
    ws.append(["2024-IT-001", "甲科技有限公司", "张伟", "13800138000", "合作中", 60, dt.datetime(2026, 12, 20)])
    ws.append(["2024-IT-002", "乙科技有限公司", "李娜", "13800138001", "合作中", 60, dt.datetime(2027, 6, 30)])
    ws["G2"].number_format = ws["G3"].number_format = "yyyy-mm-dd"
    wb.save(path)
    model = read_workbook(path)
    assert model.sheets["customers"].columns.get("term") == 7  # column G
    findings = run_validate(model, as_of=AS_OF).findings
    assert [f for f in findings if f.code.startswith("TERM")] == []
    res = run_tiers(model, as_of=AS_OF)
    flagged = [e.new for e in res.changeset.edits if isinstance(e.new, str) and "到期" in e.new]
    # 2027-06-30 is outside the 60-day window
    assert flagged == ["合同2026-12-20到期且30天内未沟通；合同2026-12-20到期，续约意向未确认"]
