"""The three risks of docs/domain.md#risk-customers and the high-potential rule,
each on a small hand-built workbook with the value worked out by hand in the comments."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from workbook_tools.model import split_ref
from workbook_tools.ops.phrases import Phrases, phrases_of, renewal_statement
from workbook_tools.ops.review import compute_review
from workbook_tools.ops.risk import months_back, term_span
from workbook_tools.ops.tiers import run_tiers
from workbook_tools.testing import make_model

D = dt.date
AS_OF = D(2025, 6, 30)
CID = "2024-IT-001"


def cust(**kw: Any) -> dict[str, Any]:
    return {"customer_id": CID, "name": "甲科技有限公司", "contact": "张伟", "phone": "13800138000",
            "amount_annual": 60, "stage": "合作中", **kw}


def log(day: str, **kw: Any) -> dict[str, Any]:
    return {"customer_id": CID, "contact_date": day, **kw}


def complaint(day: str, status: str = "已解决") -> dict[str, Any]:
    return {"customer_id": CID, "received_at": day, "status": status}


def planned(contacts: list[dict[str, Any]] | None = None, complaints: list[dict[str, Any]] | None = None,
            settings: dict[str, Any] | None = None, lists: dict[str, list[str]] | None = None,
            as_of: D = AS_OF, **kw: Any) -> dict[str, Any]:
    """The computed columns wbt tiers plans for the one customer (column key → new value)."""
    m = make_model(customers=[cust(**kw)], contacts=contacts, complaints=complaints, settings=settings, lists=lists)
    res = run_tiers(m, as_of=as_of)
    sheet = m.sheets["customers"]
    names = {c.zh: c.key for c in sheet.spec.columns}
    keys = {v: k for k, v in sheet.columns.items()}
    out: dict[str, Any] = {}
    for e in res.changeset.edits:
        row, col = split_ref(e.cell)
        if row == 1:
            keys[col] = names[e.new]
        else:
            out[keys[col]] = e.new
    return out


def reasons(**kw: Any) -> str | None:
    return planned(**kw).get("risk_reasons")


# ---- 1a. complaints during the cooperation ---------------------------------------------------------------

def test_a_complaint_any_time_during_the_cooperation_flags_the_customer() -> None:
    """Source 003: "对合作中出现过投诉……的客户,标记为'重点关注客户'". First cooperation 2024-03-01:
    the complaint of 2024-02-10 came before it; those of 2024-06-01 and 2025-01-15 (both resolved,
    the later one 166 days before the run date) count."""
    comps = [complaint("2024-02-10"), complaint("2024-06-01"), complaint("2025-01-15")]
    assert reasons(complaints=comps, first_coop="2024-03-01") == "合作期间投诉2次（最近2025-01-15）"
    # no 首次合作时间: every complaint up to the run date counts
    assert reasons(complaints=comps) == "投诉3次（最近2025-01-15）"
    assert reasons(complaints=comps + [complaint("2025-07-01")]) == "投诉3次（最近2025-01-15）"  # after the run date
    # the setting narrows the window to the last 90 days: 2025-01-15 is 166 days back
    assert reasons(complaints=comps, settings={"risk_complaint_days": 90}) is None
    assert reasons(complaints=comps, settings={"risk_complaint_days": 166}) == "近166天内投诉1次"


# ---- 1b. renewal intent unclear ---------------------------------------------------------------------------

def test_the_seed_sample_row_is_flagged() -> None:
    """Source 003's own sample row: 合作阶段 续约期, 备注 "2024年续约意向待确认"."""
    assert reasons(stage="续约期", remarks="2024年续约意向待确认") == "续约意向不明（备注：“续约意向待确认”）"


def test_renewal_stage_or_window_without_a_confirmation() -> None:
    """Source 003: "续约意向不明" — a customer in 续约期, or whose contract ends within the renewal
    window (60 days), is flagged until something confirms the renewal."""
    assert reasons(stage="续约期") == "续约期，续约意向未确认"
    assert reasons(stage="续约中") == "续约期，续约意向未确认"              # a synonym of 续约期
    # ends 2025-08-29 = 60 days after 2025-06-30; contacted 06-20, so only the intent is missing
    seen = [log("2025-06-20", summary="电话沟通项目进度")]
    assert reasons(term="2024.09.01-2025.08.29", contacts=seen) == "合同2025-08-29到期，续约意向未确认"
    assert reasons(term="2024.09.01-2025.08.30", contacts=seen) is None    # 61 days: not yet
    # confirmed in the log during the current term, or in 备注
    assert reasons(stage="续约期", contacts=[log("2025-06-01", feedback="客户已确认续约，下月签合同")]) is None
    assert reasons(stage="续约期", remarks="续约意向明确") is None
    # a confirmation from before the current term (2025.01-2025.07, ending in 31 days) was about the
    # previous renewal
    old = [log("2024-12-20", summary="客户同意续约"), log("2025-06-20", summary="回访")]
    assert reasons(term="2025.01-2025.07", contacts=old) == "合同2025-07-31到期，续约意向未确认"
    assert reasons(term="2024.12-2025.07", contacts=old) is None


@pytest.mark.parametrize(("text", "unclear"), [
    ("续约意向待确认", True), ("续约未定", True), ("是否续约不明", True), ("续约意向不明", True),
    ("客户尚未确认续约", True), ("续约事宜仍待确认", True), ("待客户确认续约", True), ("不同意续约", True),
    ("已确认续约", False), ("续约意向明确", False), ("同意续约", False), ("客户已续签两年", False),
    ("上次已确认续约，现在续约意向不明", True), ("原定续约待确认，现已确认续约", False),
])
def test_renewal_wording_in_the_log(text: str, unclear: bool) -> None:
    """The latest renewal statement of the log decides; the last phrase of a text decides; a
    negated confirmation (未确认续约) is unclear. The contract ends far away: only the text speaks."""
    got = reasons(term="2025.01-2026.12", contacts=[log("2025-06-01", feedback=text)])
    if unclear:
        assert got is not None and got.startswith("续约意向不明（2025-06-01沟通记录：“")
    else:
        assert got is None


def test_the_latest_log_statement_decides() -> None:
    later_ok = [log("2025-05-01", summary="续约意向待确认"), log("2025-06-01", summary="客户已确认续约")]
    assert reasons(stage="续约期", contacts=later_ok) is None
    later_unclear = list(reversed([{**r, "contact_date": d} for r, d in zip(later_ok, ("2025-06-01", "2025-05-01"))]))
    assert reasons(stage="续约期", contacts=later_unclear) == "续约意向不明（2025-06-01沟通记录：“续约意向待确认”）"


def test_renewal_phrases_come_from_the_workbook() -> None:
    mine = {"renewal_unclear": ["续约悬而未决"], "renewal_confirmed": ["续约搞定"]}
    assert reasons(remarks="续约悬而未决", lists=mine) == "续约意向不明（备注：“续约悬而未决”）"
    assert reasons(remarks="续约意向待确认", lists=mine) is None         # the default phrase is not in their list
    assert reasons(stage="续约期", remarks="续约搞定", lists=mine) is None


# ---- 1c. contact person changed ---------------------------------------------------------------------------

def test_the_log_naming_another_contact_flags_a_change() -> None:
    """Source 003: "联系人变更". The record says 张伟; the latest log row that names the customer's
    contact names 王五 → changed. 张经理 and a masked 张* are 张伟 (same surname, no given name)."""
    got = reasons(contacts=[log("2025-03-01", customer_contact="张伟"), log("2025-05-10", customer_contact="王五")])
    assert got == "联系人变更（2025-05-10沟通记录联系人为王五，档案为张伟）"
    assert reasons(contacts=[log("2025-05-10", customer_contact="张经理")]) is None
    assert reasons(contacts=[log("2025-05-10", customer_contact="张*")]) is None
    assert reasons(contacts=[log("2025-05-10", customer_contact="李娜、张伟")]) is None   # 张伟 was there
    # the record was updated to the new contact: nothing to flag any more
    assert reasons(contact="王五", contacts=[log("2025-03-01", customer_contact="张伟"),
                                            log("2025-05-10", customer_contact="王五")]) is None


@pytest.mark.parametrize(("text", "flag"), [
    ("原联系人离职，新对接人为王五", "联系人离职"), ("对接人更换为王五", "对接人更换"), ("客户换了对接人", "换了对接人"),
    ("联系人变更", "联系人变更"), ("联系人未变更", None), ("客户要求更换联系人电话", None), ("联系人手机号变更", None),
])
def test_contact_change_wording(text: str, flag: str | None) -> None:
    got = reasons(contacts=[log("2025-06-01", summary=text)])
    assert got == (f"联系人变更（2025-06-01沟通记录：“{flag}”）" if flag else None)


def test_contact_change_sources_and_window() -> None:
    # the 联系人变更 column, wording in 潜在风险 (undated: while it is written there)
    assert reasons(contacts=[log("2025-02-01", contact_changed="是")]) == "联系人变更（2025-02-01）"
    assert reasons(risks="关键联系人离职") == "联系人变更（潜在风险：“联系人离职”）"
    # the latest sign within 180 days wins; 181 days back is outside
    both = [log("2025-01-01", contact_changed="是"), log("2025-04-01", summary="对接人变更")]
    assert reasons(contacts=both) == "联系人变更（2025-04-01沟通记录：“对接人变更”）"
    assert reasons(contacts=[log("2024-12-31", summary="对接人变更")]) is None
    assert reasons(contacts=[log("2024-12-31", summary="对接人变更")], settings={"risk_contact_change_days": 200}) \
        == "联系人变更（2024-12-31沟通记录：“对接人变更”）"
    # 0 = the whole cooperation (since 2024-06-01 here)
    assert reasons(contacts=[log("2024-07-01", summary="对接人变更")], first_coop="2024-06-01",
                   settings={"risk_contact_change_days": 0}) == "联系人变更（2024-07-01沟通记录：“对接人变更”）"


def test_reasons_reach_the_sheet_the_review_and_json(tmp_path: Any) -> None:
    """Each flag carries its reason: 风险原因, the review's at-risk list and ``wbt tiers --json``."""
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli
    from workbook_tools.template import build_workbook

    m = make_model(customers=[cust(stage="续约期", remarks="2024年续约意向待确认")])
    want = "续约意向不明（备注：“续约意向待确认”）"
    review = compute_review(m, month="2025-06", as_of=AS_OF)
    assert [row[-1] for row in review.table("at_risk").rows] == [want]
    path = tmp_path / "crm.xlsx"
    build_workbook(path, data={"customers": [cust(stage="续约期", remarks="2024年续约意向待确认")]})
    res = CliRunner().invoke(cli, ["tiers", str(path), "--as-of", "2025-06-30", "--dry-run", "--json"])
    out = json.loads(res.stdout)
    assert out["stats"]["at_risk_customers"] == [{"row": 2, "customer_id": CID, "name": "甲科技有限公司",
                                                  "reasons": [want]}]
    assert want in [e["new"] for e in out["changes"]["edits"]]


# ---- 2. high potential --------------------------------------------------------------------------------------

BUYS = [log("2025-01-10", summary="客户下单20台"), log("2025-02-20", feedback="追加订单"), log("2025-03-15", summary="复购耗材"),
        log("2025-04-02", summary="客户下单"), log("2025-04-02", feedback="下单后确认交期"),  # one day, one purchase
        log("2025-05-05", summary="增购两个模块"), log("2025-06-01", summary="补货"), log("2025-06-20", summary="下单"),
        log("2025-06-25", summary="暂不下单"), log("2025-06-26", summary="客户有增购意向")]         # neither counts


def test_purchase_frequency_up_30_percent_is_high_potential() -> None:
    """Source 002: "对高潜力客户(如近3个月采购频次增长30%的客户)". As of 2025-06-30 the last three
    months are April–June: purchases on 04-02, 05-05, 06-01, 06-20 = 4; January–March: 3. 4 / 3 − 1 =
    +33 % ≥ 30 %."""
    assert planned(contacts=BUYS)["high_potential"] == "近3个月采购4次，之前3个月3次（+33%）"
    assert "high_potential" not in planned(contacts=BUYS, settings={"high_potential_growth_pct": 34})
    # one month against one month: June 2 (06-01, 06-20) against May 1 → +100 %
    assert planned(contacts=BUYS, settings={"high_potential_months": 1})["high_potential"] == \
        "近1个月采购2次，之前1个月1次（+100%）"
    # nothing before: no base to grow from
    assert "high_potential" not in planned(contacts=BUYS[3:])
    assert planned(contacts=BUYS, lists={"purchase_keywords": ["提货"]}).get("high_potential") is None


def test_high_potential_boundary_and_review_list() -> None:
    ten = [log(f"2025-0{1 + i % 3}-{10 + i:02d}", summary="下单") for i in range(10)]          # Jan–Mar: 10 days
    thirteen = [log(f"2025-0{4 + i % 3}-{10 + i:02d}", summary="下单") for i in range(13)]     # Apr–Jun: 13 days
    assert planned(contacts=ten + thirteen)["high_potential"] == "近3个月采购13次，之前3个月10次（+30%）"
    assert "high_potential" not in planned(contacts=ten + thirteen[:12])                        # +20 %
    m = make_model(customers=[cust(owner="李娜")], contacts=ten + thirteen)
    lst = compute_review(m, month="2025-06", as_of=AS_OF).table("high_potential")
    assert lst.rows == [["甲科技有限公司", CID, "李娜", "战略客户", 10, 13, "+30%"]] and lst.total == 1


# ---- the pieces --------------------------------------------------------------------------------------------

@pytest.mark.parametrize(("day", "n", "want"), [
    (D(2025, 6, 30), 3, D(2025, 3, 31)), (D(2025, 5, 31), 3, D(2025, 2, 28)), (D(2025, 5, 15), 3, D(2025, 2, 15)),
    (D(2024, 2, 29), 12, D(2023, 2, 28)), (D(2025, 1, 31), 1, D(2024, 12, 31)),
])
def test_months_back(day: D, n: int, want: D) -> None:
    assert months_back(day, n) == want


def test_term_span() -> None:
    assert term_span("2024.01-2025.12") == (D(2024, 1, 1), D(2025, 12, 31))
    assert term_span("2024/03/15至2025/03/14") == (D(2024, 3, 15), D(2025, 3, 14))
    assert term_span(dt.datetime(2025, 6, 30)) == (None, D(2025, 6, 30))
    assert term_span("长期") == (None, None)


def test_phrase_matching_rules() -> None:
    ph = Phrases({"renewal_unclear": ["续约*待确认"], "renewal_confirmed": ["确认续约"]})
    assert [h.text for h in ph.scan("续约事宜仍待确认")] == ["续约事宜仍待确认"]
    assert ph.scan("续约事宜，仍待确认") == ()                        # * stays within one clause
    assert ph.scan("续约相关的各项事宜仍待确认") == ()                   # * is at most six characters
    hit = renewal_statement(ph.scan("客户尚未确认续约"))
    assert hit is not None and hit.kind == "renewal_unclear" and hit.text == "尚未确认续约"
    assert renewal_statement(ph.scan("ＣＲＭ 客户 确认 续约")) is not None  # widths and spaces do not matter
    defaults = phrases_of(make_model().settings)
    assert [h.negated for h in defaults.scan("暂不下单；已下单")] == [True, False]


# ---- every phrase list these rules read changes what they say (the settings: tests/test_settings_walk.py) ----

CASE = {"term": "2024.08.16-2025.08.15", "risks": "联系人已更换", "first_coop": "2024-01-01",
        "contacts": [log("2025-01-05", summary="下单"), log("2025-04-05", summary="下单"),
                     log("2025-05-05", summary="下单；对接人变更；客户表示OK")],
        "complaints": [complaint("2025-01-10")]}


def test_the_walk_case_trips_every_rule() -> None:
    """The case the two walks below start from, worked out by hand (as of 2025-06-30)."""
    got = planned(satisfaction=3, **CASE)
    assert got["risk_reasons"].split("；") == [
        "合作期间投诉1次（最近2025-01-10）",             # since 2024-01-01
        "合同2025-08-15到期且30天内未沟通",               # 46 days ahead; last contact 56 days ago
        "合同2025-08-15到期，续约意向未确认",
        "联系人变更（2025-05-05沟通记录：“对接人变更”）"]   # within 180 days
    assert got["high_potential"] == "近3个月采购2次，之前3个月1次（+100%）"


@pytest.mark.parametrize(("key", "value"), [("renewal_unclear", ["客户表示OK"]), ("renewal_confirmed", ["客户表示OK"]),
                                            ("contact_change_phrases", []), ("purchase_keywords", [])])
def test_each_phrase_list_changes_the_outcome(key: str, value: list[str]) -> None:
    assert planned(lists={key: value}, **CASE) != planned(**CASE)
