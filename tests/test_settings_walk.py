"""Every setting of 代码表 is read and changes behaviour: one walk over ``schema.lists.SETTINGS``.

For each setting, :data:`WALK` names a small case, the operation the setting governs, and what that
operation says with the default and with another value, worked out by hand (the comments). A setting
added to the schema without a case here fails :func:`test_every_setting_has_a_case`.

The behaviour runs on in-memory models (fast); :func:`test_each_setting_is_read_from_the_code_sheet`
proves, on one real file, that the reader takes every value from 代码表; ``backup_keep`` runs end to
end on a file (its operation is the write itself).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from workbook_tools.model import split_ref
from workbook_tools.ops.ids import run_ids
from workbook_tools.ops.review import compute_review
from workbook_tools.ops.tiers import run_tiers
from workbook_tools.ops.validate import run_validate
from workbook_tools.reader import read_workbook
from workbook_tools.schema.lists import SETTINGS
from workbook_tools.template.builder import build_workbook
from workbook_tools.testing import make_model

D = dt.date
T = dt.datetime
AS_OF = D(2025, 6, 30)
CID = "2024-IT-001"


def cust(**kw: Any) -> dict[str, Any]:
    return {"customer_id": CID, "name": "甲科技有限公司", "contact": "张伟", "phone": "13800138000", "industry": "互联网",
            "first_contact": "2024-01-02", **kw}


def log(day: Any, **kw: Any) -> dict[str, Any]:
    return {"customer_id": CID, "contact_date": day, **kw}


# ---- what each operation says ----------------------------------------------------------------------------------
def tiers(column: str, customer: dict[str, Any], **rows: Any) -> Callable[[dict[str, Any]], Any]:
    """The value ``wbt tiers`` plans for one computed column of the one customer."""
    def run(settings: dict[str, Any]) -> Any:
        m = make_model(customers=[customer], settings=settings, **rows)
        sheet = m.sheets["customers"]
        keys = {v: k for k, v in sheet.columns.items()}
        names = {c.zh: c.key for c in sheet.spec.columns}
        out: dict[str, Any] = {}
        for e in run_tiers(m, as_of=AS_OF).changeset.edits:
            row, col = split_ref(e.cell)
            if row == 1:
                keys[col] = names[e.new]
            else:
                out[keys[col]] = getattr(e.new, "cached", e.new)
        return out.get(column)
    return run


def rows_found(code: str, as_of: D = AS_OF, **rows: Any) -> Callable[[dict[str, Any]], Any]:
    """The rows ``wbt validate`` reports under ``code``."""
    def run(settings: dict[str, Any]) -> Any:
        m = make_model(settings=settings, **rows)
        return [f.row for f in run_validate(m, as_of=as_of, rules=[code]).findings if f.code == code]
    return run


def ids(**rows: Any) -> Callable[[dict[str, Any]], Any]:
    """(cell, ID) of each ID ``wbt ids`` plans, and the codes of its errors."""
    def run(settings: dict[str, Any]) -> Any:
        res = run_ids(make_model(settings=settings, **rows), as_of=AS_OF)
        return [(e.cell, e.new) for e in res.changeset.edits], [f.code for f in res.errors]
    return run


def renewal_rate(**rows: Any) -> Callable[[dict[str, Any]], Any]:
    """(renewed, due) of the June 2024 review's renewal rate."""
    def run(settings: dict[str, Any]) -> Any:
        k = compute_review(make_model(settings=settings, **rows), month="2024-06", as_of=D(2024, 7, 10)).kpi("renewal_rate")
        return k.numerator, k.denominator
    return run


class Case(NamedTuple):
    value: Any                               # the setting's value in 代码表 for the second run
    run: Callable[[dict[str, Any]], Any]     # the operation it governs, on a small case
    default: Any                             # what it says with the default
    changed: Any                             # what it says with ``value``


# the case of tests/test_risk_rules.py (as of 2025-06-30): first cooperation 2024-01-01, a complaint on
# 2025-01-10 (171 days back), a contract ending 2025-08-15 (46 days ahead), the last contact 2025-05-05
# (56 days back) naming a new contact, purchases on 01-05, 04-05 and 05-05
RISK = dict(customer=cust(first_coop="2024-01-01", term="2024.08.16-2025.08.15", amount_annual=60, satisfaction=3),
            contacts=[log("2025-01-05", summary="下单"), log("2025-04-05", summary="下单"),
                      log("2025-05-05", summary="下单；对接人变更")],
            complaints=[{"customer_id": CID, "received_at": "2025-01-10", "status": "已解决"}])
COMPLAINT = "合作期间投诉1次（最近2025-01-10）"
QUIET = "合同2025-08-15到期且30天内未沟通"
UNCLEAR = "合同2025-08-15到期，续约意向未确认"
CHANGED = "联系人变更（2025-05-05沟通记录：“对接人变更”）"


def risk(settings: dict[str, Any]) -> list[str]:
    rows = dict(RISK)
    got = tiers("risk_reasons", rows.pop("customer"), **rows)(settings)
    return got.split("；") if got else []


def potential(settings: dict[str, Any]) -> Any:
    rows = dict(RISK)
    return tiers("high_potential", rows.pop("customer"), **rows)(settings)


def ending_term(day: str) -> str:
    return f"2024.01.01-{day}"


# complaints for the SLA rules: received 2025-06-02 09:00
def complaint(**kw: Any) -> dict[str, Any]:
    return {"customer_id": CID, "received_at": T(2025, 6, 2, 9), **kw}


WALK: dict[str, Case] = {
    # value tiers: 60 万 is strategic from 50; 20 万 is key from 10
    "tier_strategic_min": Case(70.0, tiers("tier", cust(amount_annual=60)), "战略客户", "重点客户"),
    "tier_key_min": Case(25.0, tiers("tier", cust(amount_annual=20)), "重点客户", "普通客户"),
    # cadences: the stricter of the tier's and the grade's
    "cadence_strategic_days": Case(20, tiers("cadence_days", cust(amount_annual=60)), 30, 20),
    "cadence_key_days": Case(40, tiers("cadence_days", cust(amount_annual=20)), 45, 40),
    "cadence_ordinary_days": Case(90, tiers("cadence_days", cust(amount_annual=5)), 180, 90),
    "cadence_grade_a_days": Case(5, tiers("cadence_days", cust(amount_annual=5, follow_grade="A")), 7, 5),
    "cadence_grade_b_days": Case(10, tiers("cadence_days", cust(amount_annual=5, follow_grade="B")), 14, 10),
    "cadence_grade_c_days": Case(20, tiers("cadence_days", cust(amount_annual=5, follow_grade="C")), 30, 20),
    # timeliness: row 2 is late by the default, row 3 only by the stricter value
    "log_within_hours": Case(12, rows_found("SLA_LOG", customers=[cust()], contacts=[
        log(T(2025, 6, 2, 9), logged_at=T(2025, 6, 3, 10)),           # 25 h
        log(T(2025, 6, 2, 9), logged_at=T(2025, 6, 2, 22))]),         # 13 h
        [2], [2, 3]),
    "complaint_register_hours": Case(3, rows_found("SLA_REGISTER", customers=[cust()], complaints=[
        complaint(registered_at=T(2025, 6, 2, 11)),                    # 2 h
        complaint(registered_at=T(2025, 6, 2, 9, 30))]),               # 30 min
        [2], []),
    "response_hours_normal": Case(12, rows_found("SLA_RESPONSE", customers=[cust()], complaints=[
        complaint(urgency="一般", responded_at=T(2025, 6, 3, 10)),      # 25 h
        complaint(urgency="一般", responded_at=T(2025, 6, 2, 22))]),    # 13 h
        [2], [2, 3]),
    "response_hours_urgent": Case(6, rows_found("SLA_RESPONSE", customers=[cust()], complaints=[
        complaint(urgency="紧急", responded_at=T(2025, 6, 2, 14))]),    # 5 h
        [2], []),
    "response_hours_critical": Case(4, rows_found("SLA_RESPONSE", customers=[cust()], complaints=[
        complaint(urgency="特急", responded_at=T(2025, 6, 2, 12))]),    # 3 h
        [2], []),
    # 2025-06-03 (Tue) + 3 working days = 06-06 (Fri); the follow-up on 06-09 (Mon) is late, in time for 4
    "demand_followup_workdays": Case(4, rows_found("SLA_DEMAND", customers=[cust()], contacts=[
        log(D(2025, 6, 3), feedback="客户新增需求：移动端审批"), log(D(2025, 6, 9))]),
        [2], []),
    # still 接洽中, last contact 2024-03-01: 486 days before the run date
    "zombie_days": Case(500, rows_found("ZOMBIE", customers=[cust(stage="接洽中")], contacts=[log(D(2024, 3, 1))]),
                        [2], []),
    # risk (seed 003) and high potential (seed 002), on the one case above
    "risk_complaint_days": Case(30, risk, [COMPLAINT, QUIET, UNCLEAR, CHANGED], [QUIET, UNCLEAR, CHANGED]),
    "risk_contract_end_days": Case(30, risk, [COMPLAINT, QUIET, UNCLEAR, CHANGED], [COMPLAINT, CHANGED]),
    "risk_no_contact_days": Case(60, risk, [COMPLAINT, QUIET, UNCLEAR, CHANGED], [COMPLAINT, UNCLEAR, CHANGED]),
    "risk_contact_change_days": Case(30, risk, [COMPLAINT, QUIET, UNCLEAR, CHANGED], [COMPLAINT, QUIET, UNCLEAR]),
    "risk_satisfaction_max": Case(3, risk, [COMPLAINT, QUIET, UNCLEAR, CHANGED],
                                  [COMPLAINT, QUIET, UNCLEAR, "满意度3分", CHANGED]),
    # April–June: 04-05 and 05-05 = 2; January–March: 01-05 = 1 → +100 %
    "high_potential_growth_pct": Case(150, potential, "近3个月采购2次，之前3个月1次（+100%）", None),
    # January–June: 3; July–December 2024: none, no base to grow from
    "high_potential_months": Case(6, potential, "近3个月采购2次，之前3个月1次（+100%）", None),
    # the June 2024 review: R1 first cooperated 2022, its term starts 06-01 (a renewal); R2's first term
    # starts 12 days after its first cooperation, a renewal only with a gap under 12 days
    "renewal_gap_days": Case(10, renewal_rate(customers=[
        cust(name="R1", first_coop="2022-06-01", term="2024.06-2025.05"),
        cust(name="R2", first_coop="2024-05-20", term="2024.06-2025.05"),
        cust(name="R3", first_coop="2023-07-01", term="2023.07-2024.06")]), (1, 2), (2, 3)),
    # data standards (seed 001)
    "text_max_len": Case(100, rows_found("TEXT_LONG", customers=[cust(needs="需" * 150)]), [], [2]),
    "amount_yuan_suspect": Case(500000.0, rows_found("AMOUNT_YUAN", customers=[cust(amount_total=350000)]), [2], []),
    "privacy_mode": Case(True, rows_found("PHONE", customers=[cust(phone="138****8000")]), [2], []),
    # IDs (seed 000): year from 初次接触时间 2023 unless the setting names 首次合作时间 (2024) first
    "id_year_source": Case("首次合作时间,初次接触时间", ids(customers=[
        cust(customer_id=None, first_contact="2023-05-01", first_coop="2024-02-01")]),
        ([("A2", "2023-IT-001")], []), ([("A2", "2024-IT-001")], [])),
    "id_unknown_industry": Case("拒绝", ids(customers=[cust(customer_id=None, industry="航天")]),
                                ([("A2", "2024-OT-001")], []), ([], ["ID-UNKNOWN-INDUSTRY"])),
    "id_fallback_code": Case("XX", ids(customers=[cust(customer_id=None, industry="航天")]),
                             ([("A2", "2024-OT-001")], []), ([("A2", "2024-XX-001")], [])),
}
# backup_keep: the write itself (test_backup_keep_from_the_code_sheet below)
END_TO_END = {"backup_keep"}


def test_every_setting_has_a_case() -> None:
    keys = [s.key for s in SETTINGS]
    assert sorted(set(keys) - set(WALK) - END_TO_END) == []
    assert sorted((set(WALK) | END_TO_END) - set(keys)) == []


@pytest.mark.parametrize("key", list(WALK))
def test_each_setting_changes_what_its_operation_says(key: str) -> None:
    case = WALK[key]
    spec = next(s for s in SETTINGS if s.key == key)
    assert case.value != spec.default
    assert case.run({}) == case.default
    assert case.run({key: case.value}) == case.changed


def test_each_setting_is_read_from_the_code_sheet(tmp_path: Path) -> None:
    """One workbook whose 代码表 holds the walk's value of every setting: the reader takes each."""
    values = {key: case.value for key, case in WALK.items()} | {"backup_keep": 0}
    path = build_workbook(tmp_path / "crm.xlsx", settings=values)
    m = read_workbook(path)
    assert {k: m.settings.get(k) for k in values} == values
    assert not [n for n in m.notices if n.code.startswith("R-SETTINGS")]


def test_backup_keep_from_the_code_sheet(tmp_path: Path) -> None:
    """保留备份份数 0 in 代码表: a write keeps no backup; the default keeps one."""
    from workbook_tools.writer import apply_plan

    for keep, backups in ((None, 1), (0, 0)):
        path = build_workbook(tmp_path / f"crm{keep}.xlsx", data={"customers": [cust(amount_annual=60)]},
                              settings={} if keep is None else {"backup_keep": keep})
        m = read_workbook(path)
        report = apply_plan(path, run_tiers(m, as_of=AS_OF).changeset, m)
        assert (report.backup is not None) == bool(backups)
        folder = tmp_path / ".wbt-backups"
        kept = [p for p in folder.iterdir() if p.name.startswith(path.stem + ".") and p.suffix == ".xlsx"] \
            if folder.exists() else []
        assert len(kept) == backups
