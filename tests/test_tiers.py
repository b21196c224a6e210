"""Tiers, cadences, next follow-up, overdue, risk flags and bands: hand-computed cases."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workbook_tools.changeset import Formula
from workbook_tools.model import WorkbookModel, col_letter, split_ref
from workbook_tools.ops.risk import term_end
from workbook_tools.ops.tiers import COMPUTED, run_tiers, tier_for
from workbook_tools.testing import make_model

D = dt.date
AS_OF = D(2025, 6, 30)


def cust(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "contact": "张三", "phone": "13800138000", "customer_id": kw.pop("cid", None), **kw}


def computed(model: WorkbookModel, as_of: D = AS_OF) -> tuple[dict[int, dict[str, Any]], Any]:
    """Excel row → {computed key → planned new value} and the result."""
    res = run_tiers(model, as_of=as_of)
    sd = model.sheet("customers")
    assert sd is not None
    keys = {v: k for k, v in sd.columns.items()}
    out: dict[int, dict[str, Any]] = {}
    for e in res.changeset.edits:
        row, col = split_ref(e.cell)
        if row == sd.header_row:
            keys[col] = next(c.key for c in sd.spec.columns if c.zh == e.new)
            continue
        # a formula column (是否逾期) is planned as a Formula: its value on the as-of day is the cached one
        out.setdefault(row, {})[keys[col]] = e.new.cached if isinstance(e.new, Formula) else e.new
    return out, res


def one(row: dict[str, Any], as_of: D = AS_OF, **kw: Any) -> dict[str, Any]:
    got, _ = computed(make_model(customers=[row], **kw), as_of)
    return got.get(2, {})


# ---- tiers ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "tier"), [
    (0, "普通客户"), (9.99, "普通客户"), (9.994, "普通客户"), (9.995, "重点客户"), (10, "重点客户"),
    ("10", "重点客户"), (49.99, "重点客户"), (49.994, "重点客户"), (49.995, "战略客户"), (50, "战略客户"),
    (50.0, "战略客户"), (1200, "战略客户"), (None, None),
])
def test_tier_boundaries(amount: Any, tier: str | None) -> None:
    assert tier_for(None if amount is None else float(amount), 50, 10) == tier
    got = one(cust("甲", amount_annual=amount))
    assert got.get("tier") == tier


def test_thresholds_come_from_settings() -> None:
    m = make_model(customers=[cust("甲", amount_annual=10), cust("乙", amount_annual=30), cust("丙", amount_annual=80)],
                   settings={"tier_key_min": 20.0, "tier_strategic_min": 100.0})
    got, _ = computed(m)
    assert [got[r]["tier"] for r in (2, 3, 4)] == ["普通客户", "重点客户", "重点客户"]


def test_missing_and_bad_amounts_propose_no_tier() -> None:
    m = make_model(customers=[cust("甲"), cust("乙", amount_annual="约20万")])
    got, res = computed(m)
    assert "tier" not in got[2] and "tier" not in got[3]
    assert [(f.code, f.severity, f.cell) for f in res.findings] == [
        ("TIER-NO-AMOUNT", "info", "S2"), ("TIER-BAD-AMOUNT", "warning", "S3")]
    # no tier and no grade: the ordinary cadence applies
    assert got[2]["cadence_days"] == 180


def test_confirmed_tier_is_never_overwritten_and_differences_are_reported() -> None:
    m = make_model(customers=[cust("甲", amount_annual=60, tier_confirmed="重点客户"),
                              cust("乙", amount_annual=60, tier_confirmed="战略"),  # synonym of 战略客户
                              cust("丙", amount_annual=5, tier_confirmed="战略客户")])
    got, res = computed(m)
    sd = m.sheet("customers")
    confirmed_col = sd.columns["tier_confirmed"]
    assert all(split_ref(e.cell)[1] != confirmed_col for e in res.changeset.edits)
    assert [(f.code, f.cell) for f in res.findings] == [("TIER-DIFFERS", "X2"), ("TIER-DIFFERS", "X4")]
    # the confirmed tier drives the cadence: 丙 is confirmed strategic (30 days) though its amount is ordinary
    assert got[4]["tier"] == "普通客户" and got[4]["cadence_days"] == 30 and got[4]["band"] == "重点维护"
    assert got[2]["cadence_days"] == 45


# ---- cadences and dates ----------------------------------------------------------------------------

@pytest.mark.parametrize(("amount", "grade", "days"), [
    (60, "A", 7), (60, None, 30), (60, "C", 30), (20, None, 45), (20, "B", 14), (20, "C", 30),
    (5, None, 180), (5, "C", 30), (5, "b级", 14), (None, "A", 7), (None, None, 180),
])
def test_cadence_is_the_stricter_of_tier_and_grade(amount: Any, grade: str | None, days: int) -> None:
    assert one(cust("甲", amount_annual=amount, follow_grade=grade))["cadence_days"] == days


def test_cadence_settings_are_used() -> None:
    got = one(cust("甲", amount_annual=60, follow_grade="C"),
              settings={"cadence_strategic_days": 20, "cadence_grade_c_days": 25})
    assert got["cadence_days"] == 20


def test_last_contact_from_log_by_id_or_unique_name() -> None:
    m = make_model(
        customers=[cust("甲", cid="2024-IT-001"), cust("乙"), cust("同名"), cust("同名")],
        contacts=[{"customer_id": "2024-IT-001", "contact_date": "2025-03-01"},
                  {"customer_id": "2024-it-001", "contact_date": "2025-04-02"},   # same ID, typed loosely
                  {"customer_id": "2024-IT-001", "contact_date": "2025-07-01"},   # after as_of: ignored
                  {"customer_name": "甲", "contact_date": "2025-05-05"},          # by name (ID empty)
                  {"customer_name": " 乙 ", "contact_date": "2025-01-15"},
                  {"customer_id": "2024-IT-999", "customer_name": "乙", "contact_date": "2025-06-01"},  # other ID
                  {"customer_name": "同名", "contact_date": "2025-06-01"}])       # ambiguous: nobody
    got, _ = computed(m)
    assert got[2]["last_contact"] == D(2025, 5, 5)
    assert got[3]["last_contact"] == D(2025, 1, 15)
    assert "last_contact" not in got[4] and "last_contact" not in got[5]


@pytest.mark.parametrize(("last", "grade", "amount", "next_follow"), [
    ("2024-02-29", None, 60, D(2024, 3, 30)),    # leap day + 30
    ("2024-02-25", "A", 5, D(2024, 3, 3)),       # across 29 February
    ("2023-02-25", "A", 5, D(2023, 3, 4)),       # no leap day
    ("2024-02-29", None, 5, D(2024, 8, 27)),     # + 180
    ("2023-12-20", "B", 5, D(2024, 1, 3)),       # across the year end
])
def test_next_follow_up_dates(last: str, grade: str | None, amount: float, next_follow: D) -> None:
    m = make_model(customers=[cust("甲", cid="2024-IT-001", amount_annual=amount, follow_grade=grade)],
                   contacts=[{"customer_id": "2024-IT-001", "contact_date": last}])
    got, _ = computed(m, D(2025, 1, 1))
    assert got[2]["next_follow"] == next_follow and got[2]["overdue"] == "是"


def test_never_contacted_counts_from_first_contact() -> None:
    got = one(cust("甲", amount_annual=20, first_contact="2024-02-29"), D(2024, 4, 14))
    assert "last_contact" not in got
    assert got["next_follow"] == D(2024, 4, 14) and got["overdue"] == "否"
    got = one(cust("甲", amount_annual=20, first_contact="2024-02-29"), D(2024, 4, 15))
    assert got["overdue"] == "是"
    # no contact and no first-contact date: nothing to count from
    got = one(cust("甲", amount_annual=20))
    assert "next_follow" not in got and "overdue" not in got and got["cadence_days"] == 45


@pytest.mark.parametrize(("last", "as_of", "overdue"), [
    ("2024-01-01", D(2024, 1, 31), "否"),   # due on the month-end as-of day itself: not yet overdue
    ("2023-12-31", D(2024, 1, 31), "是"),
    ("2024-01-30", D(2024, 2, 29), "否"),   # leap-year month end
    ("2024-01-29", D(2024, 2, 29), "是"),
    ("2023-01-29", D(2023, 2, 28), "否"),
    ("2023-01-28", D(2023, 2, 28), "是"),
])
def test_overdue_at_month_end(last: str, as_of: D, overdue: str) -> None:
    m = make_model(customers=[cust("甲", cid="2024-IT-001", amount_annual=60)],
                   contacts=[{"customer_id": "2024-IT-001", "contact_date": last}])
    got, _ = computed(m, as_of)
    assert got[2]["overdue"] == overdue


# ---- risk ------------------------------------------------------------------------------------------

def risk(as_of: D = AS_OF, contacts: list[dict[str, Any]] | None = None,
         complaints: list[dict[str, Any]] | None = None, settings: dict[str, Any] | None = None,
         **kw: Any) -> dict[str, Any]:
    row = cust("甲", cid="2024-IT-001", amount_annual=60, **kw)
    got, _ = computed(make_model(customers=[row], contacts=contacts, complaints=complaints, settings=settings), as_of)
    return got.get(2, {})


def comp(received: str, status: str | None = "已解决") -> dict[str, Any]:
    return {"customer_id": "2024-IT-001", "received_at": received, "status": status}


NARROW = {"risk_complaint_days": 90}  # the setting narrowed to the last 90 days (default 0: the whole cooperation)


def test_complaint_window_boundary() -> None:
    assert risk(complaints=[comp("2025-04-01")], settings=NARROW)["risk_reasons"] == "近90天内投诉1次"  # exactly 90 d
    assert "risk_flag" not in risk(complaints=[comp("2025-03-31")], settings=NARROW)                    # 91 days
    assert "risk_flag" not in risk(complaints=[comp("2025-07-01")], settings=NARROW)                    # after as_of
    got = risk(complaints=[comp("2025-04-01"), comp("2025-06-29 18:00", "处理中")], settings=NARROW)
    assert got["risk_flag"] == "重点关注" and got["band"] == "观察预警"
    assert got["risk_reasons"] == "近90天内投诉2次；投诉未解决1件"


@pytest.mark.parametrize(("status", "flagged"), [("待处理", True), ("处理中", True), (None, True),
                                                 ("已解决", False), ("已关闭", False), ("结案", False)])
def test_old_complaint_counts_while_open(status: str | None, flagged: bool) -> None:
    got = risk(complaints=[comp("2023-01-05", status)], settings=NARROW)
    assert ("risk_flag" in got) is flagged


def test_paused_stage_and_low_satisfaction() -> None:
    assert risk(stage="暂停")["risk_reasons"] == "暂停合作"
    assert risk(satisfaction=2)["risk_reasons"] == "满意度2分"
    assert "risk_flag" not in risk(satisfaction=3)
    assert risk(satisfaction=3)["band"] == "重点维护"


def test_contract_end_without_recent_contact() -> None:
    # the renewal is confirmed in the log, so only the "ending and no contact" rule speaks here
    log31 = [{"customer_id": "2024-IT-001", "contact_date": "2025-05-30", "summary": "客户已确认续约"}]  # 31 days
    log30 = [{"customer_id": "2024-IT-001", "contact_date": "2025-05-31", "summary": "客户已确认续约"}]  # 30 days
    assert risk(term="2024.08-2025.07", contacts=log31)["risk_reasons"] == "合同2025-07-31到期且30天内未沟通"  # 31 d
    assert "risk_flag" not in risk(term="2024.09-2025.08", contacts=log31)                                  # 62 d
    assert risk(term="2024.09.01-2025.08.29", contacts=log31)["risk_reasons"].startswith("合同2025-08-29")  # 60 d
    assert "risk_flag" not in risk(term="2024.09.01-2025.08.30", contacts=log31)                           # 61 d
    assert "risk_flag" not in risk(term="2024.09.01-2025.08.29", contacts=log30)
    assert risk(term="2024.09.01-2025.08.29")["risk_reasons"] == (  # never contacted, nothing confirmed
        "合同2025-08-29到期且30天内未沟通；合同2025-08-29到期，续约意向未确认")
    assert "risk_flag" not in risk(term="2023.01-2025.05", contacts=log31)        # already ended


def test_contact_person_change_within_window() -> None:
    log = [{"customer_id": "2024-IT-001", "contact_date": "2025-01-01", "contact_changed": "是"}]  # 180 days
    assert risk(contacts=log)["risk_reasons"] == "联系人变更（2025-01-01）"
    log_old = [{"customer_id": "2024-IT-001", "contact_date": "2024-12-31", "contact_changed": "是"}]  # 181 days
    assert "risk_flag" not in risk(contacts=log_old)
    log_no = [{"customer_id": "2024-IT-001", "contact_date": "2025-06-01", "contact_changed": "否"}]
    assert "risk_flag" not in risk(contacts=log_no)


def test_risk_settings_are_used() -> None:
    m = make_model(customers=[cust("甲", cid="2024-IT-001", amount_annual=60, satisfaction=3)],
                   complaints=[comp("2025-03-01")], contacts=[{"customer_id": "2024-IT-001", "contact_date": "2025-03-01",
                                                              "contact_changed": "是"}],
                   settings={"risk_complaint_days": 150, "risk_satisfaction_max": 3, "risk_contact_change_days": 30})
    got, _ = computed(m)
    assert got[2]["risk_reasons"] == "近150天内投诉1次；满意度3分"


@pytest.mark.parametrize(("text", "end"), [
    ("2024.01-2025.12", D(2025, 12, 31)), ("2024.01-2024.02", D(2024, 2, 29)), ("2023-03至2025-02", D(2025, 2, 28)),
    ("2024/01/01-2025/06/30", D(2025, 6, 30)), ("2024年1月-2025年11月", D(2025, 11, 30)),
    ("2024-01-2025-12", D(2025, 12, 31)), ("长期", None), ("2024.01-2025.13", None),
])
def test_term_end(text: str, end: D | None) -> None:
    assert term_end(text) == end


# ---- bands and ended customers -------------------------------------------------------------------------

def test_bands() -> None:
    m = make_model(customers=[cust("甲", amount_annual=60), cust("乙", amount_annual=20), cust("丙", amount_annual=5),
                              cust("丁"), cust("戊", amount_annual=60, satisfaction=1)])
    got, res = computed(m)
    assert [got[r]["band"] for r in range(2, 7)] == ["重点维护", "重点维护", "一般跟进", "一般跟进", "观察预警"]
    assert res.stats["bands"] == {"重点维护": 2, "一般跟进": 2, "观察预警": 1}


def test_ended_customers_get_no_cadence_and_stale_values_are_cleared() -> None:
    m = make_model(customers=[
        cust("甲", cid="2024-IT-001", amount_annual=60, stage="终止合作", satisfaction=1),
        cust("乙", amount_annual=5, customer_type="已流失", cadence_days=180, overdue="是", band="一般跟进"),
    ], contacts=[{"customer_id": "2024-IT-001", "contact_date": "2025-01-01"}])
    got, res = computed(m)
    assert got[2] == {"tier": "战略客户", "last_contact": D(2025, 1, 1)}
    assert got[3] == {"tier": "普通客户", "cadence_days": None, "overdue": None, "band": None}
    olds = {e.cell: e.old for e in res.changeset.edits if e.new is None}
    assert sorted(olds.values(), key=str) == [180, "一般跟进", "是"]
    assert res.stats["ended"] == 2


# ---- columns, edits, idempotence ---------------------------------------------------------------------

def test_missing_columns_are_created_right_of_the_last_header() -> None:
    keys = ["customer_id", "name", "amount_annual", "tier", "band"]
    m = make_model(customers=[cust("甲", amount_annual=60)], columns={"customers": keys})
    res = run_tiers(m, as_of=AS_OF)
    heads = [(e.cell, e.new, e.style, e.old) for e in res.changeset.edits if e.cell.endswith("1")]
    assert heads == [("F1", "跟进周期(天)", "header_computed", None), ("G1", "最近沟通日期", "header_computed", None),
                     ("H1", "下次跟进日期", "header_computed", None), ("I1", "是否逾期", "header_computed", None),
                     ("J1", "风险标记", "header_computed", None), ("K1", "风险原因", "header_computed", None),
                     ("L1", "高潜力", "header_computed", None)]
    values = {e.cell: e.new for e in res.changeset.edits if not e.cell.endswith("1")}
    assert values == {"D2": "战略客户", "E2": "重点维护", "F2": 30}
    assert res.stats["columns_created"] == ["cadence_days", "last_contact", "next_follow", "overdue", "risk_flag",
                                            "risk_reasons", "high_potential"]


def test_only_changed_cells_are_edited_with_old_values() -> None:
    row = cust("甲", cid="2024-IT-001", amount_annual=60, first_contact="2025-06-01", tier="战略客户",
               cadence_days="30", last_contact=None, next_follow=dt.datetime(2025, 7, 1), overdue="是",
               risk_flag=None, risk_reasons=None, band="重点维护", high_potential=None)
    model = make_model(customers=[row])
    got, res = computed(model)
    # 是否逾期 becomes its formula on 下次跟进日期 of the row, cached with the value on the as-of day
    nf = col_letter(model.sheet("customers").columns["next_follow"])
    text = f'IF(ISNUMBER({nf}2),IF({nf}2<TODAY(),"是","否"),"")'
    assert [(e.new, e.old) for e in res.changeset.edits] == [(Formula(text, "否"), "是")]
    assert res.changeset.edits[0].cell == make_model(customers=[row]).sheet("customers").cell(2, "overdue")


def test_dates_are_written_with_a_date_format() -> None:
    m = make_model(customers=[cust("甲", first_contact="2025-06-01")])
    res = run_tiers(m, as_of=AS_OF)
    fmts = {e.new: e.number_format for e in res.changeset.edits if isinstance(e.new, D)}
    assert fmts == {D(2025, 11, 28): "yyyy-mm-dd"}


def test_second_run_plans_nothing() -> None:
    data: dict[str, list[dict[str, Any]]] = {
        "customers": [cust("甲", cid="2024-IT-001", amount_annual=60, follow_grade="A", term="2024.07-2025.07"),
                      cust("乙", amount_annual=12.5, first_contact="2024-02-29", satisfaction=2),
                      cust("丙", amount_annual=3, stage="终止合作"),
                      cust("丁", tier_confirmed="战略客户", amount_annual=9)],
        "contacts": [{"customer_id": "2024-IT-001", "contact_date": "2025-05-01", "contact_changed": "是"},
                     {"customer_name": "丙", "contact_date": "2024-01-01"}],
        "complaints": [comp("2025-06-01", "处理中")],
    }
    m1 = make_model(**data)
    first = run_tiers(m1, as_of=AS_OF)
    sd = m1.sheet("customers")
    keys = {v: k for k, v in sd.columns.items()}
    for e in first.changeset.edits:
        row, col = split_ref(e.cell)
        if row == 1:
            keys[col] = next(c.key for c in sd.spec.columns if c.zh == e.new)
            for r in data["customers"]:  # the new column exists from now on, even where it stays empty
                r.setdefault(keys[col], None)
        else:
            data["customers"][row - 2][keys[col]] = e.new
    assert set(keys.values()) >= set(COMPUTED)
    second = run_tiers(make_model(**data), as_of=AS_OF)
    assert second.changeset is not None and second.changeset.is_empty
    assert second.stats == {**first.stats, "columns_created": [], "changed_cells": 0}


# ---- end to end on real files ------------------------------------------------------------------------

def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    return CliRunner().invoke(cli, ["--lang", "zh", *args])


def test_cli_on_a_sample_workbook(tmp_path: Any) -> None:
    import json

    from workbook_tools.reader import read_workbook
    from workbook_tools.sample import generate_sample

    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=40, seed=11)
    before = path.read_bytes()
    res = _cli("tiers", str(path), "--as-of", "2026-10-31", "--dry-run", "--json")
    assert res.exit_code in (0, 1), res.output
    out = json.loads(res.stdout)
    assert out["dry_run"] and out["changes"]["edits"]
    assert path.read_bytes() == before

    res = _cli("tiers", str(path), "--as-of", "2026-10-31")
    assert res.exit_code in (0, 1), res.output
    model = read_workbook(path)
    again = run_tiers(model, as_of=D(2026, 10, 31))
    assert again.changeset is not None and again.changeset.is_empty
    assert again.stats["tiers"] == out["stats"]["tiers"] and again.stats["at_risk"] == out["stats"]["at_risk"]
    cust = model.sheet("customers")
    for row in cust.df.index:
        tier = tier_for(cust.df.at[row, "amount_annual"], 50, 10)
        assert cust.df.at[row, "tier"] == tier


def test_cli_creates_missing_columns_in_a_users_own_workbook(tmp_path: Any) -> None:
    import openpyxl

    from workbook_tools.reader import read_workbook

    path = tmp_path / "own.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户基本信息"
    ws.append(["客户编号", "客户名称", "年度合作金额(万元)", "初次接触时间", "联系人", "联系方式", "自己的列"])
    ws.append(["2024-IT-001", "杭州云启科技有限公司", 50, dt.datetime(2024, 2, 29), "张三", "13800138000", "x"])
    ws.append(["2023-RT-001", "宁波海联贸易有限公司", 9.99, dt.datetime(2023, 12, 31), "李四", "13900139000", None])
    log = wb.create_sheet("沟通记录")
    log.append(["客户编号", "客户名称", "沟通时间"])
    log.append([None, "杭州云启科技有限公司", dt.datetime(2024, 3, 1)])
    wb.save(path)

    res = _cli("tiers", str(path), "--as-of", "2024-04-01")
    assert res.exit_code == 0, res.output
    model = read_workbook(path)
    cust = model.sheet("customers")
    assert not set(COMPUTED) & set(cust.missing_columns)
    assert cust.columns["tier"] == 8 and cust.columns["band"] == 15  # right of 自己的列 (G), schema order
    got = {k: cust.df.at[2, k] for k in ("tier", "cadence_days", "next_follow", "overdue", "band")}
    assert got == {"tier": "战略客户", "cadence_days": 30.0, "next_follow": dt.datetime(2024, 3, 31),
                   "overdue": "是", "band": "重点维护"}
    assert cust.df.at[3, "next_follow"] == dt.datetime(2024, 6, 28)   # 2023-12-31 + 180, never contacted
    assert cust.raw.at[2, "risk_flag"] is None
    again = run_tiers(model, as_of=D(2024, 4, 1))
    assert again.changeset is not None and again.changeset.is_empty


def test_a_log_date_that_is_no_date_leaves_its_customers_follow_up_unwritten() -> None:
    """甲's log has 2025-05-01 and a row dated 上周三: its last contact may be that row, so 甲's tier
    columns are left as they are (TIER-DATE-INPUT names the cell) instead of being computed from
    05-01 alone. 乙, whose log reads, is computed: last contact 2025-06-20 + the 30-day C cadence."""
    m = make_model(customers=[cust("甲", cid="2024-IT-001", follow_grade="C", first_contact="2025-01-01"),
                              cust("乙", cid="2024-IT-002", follow_grade="C", first_contact="2025-01-01")],
                   contacts=[{"customer_id": "2024-IT-001", "contact_date": "2025-05-01"},
                             {"customer_id": "2024-IT-001", "contact_date": "上周三"},
                             {"customer_id": "2024-IT-002", "contact_date": "2025-06-20"}])
    got, res = computed(m)
    assert 2 not in got
    assert (got[3]["last_contact"], got[3]["next_follow"]) == (D(2025, 6, 20), D(2025, 7, 20))
    found = [(x.code, x.sheet, x.cell) for x in res.findings if x.code == "TIER-DATE-INPUT"]
    assert found == [("TIER-DATE-INPUT", "沟通记录", "C3")]
