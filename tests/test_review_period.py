"""The review of a quarter (seed 000 "定期复盘：每月/季度对客户数据进行汇总分析"; seed 003 "季度/年度：评估维护
计划完成情况"), month-end at a quarter's end, and the stable JSON of review and month-end."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from _review_util import zh  # noqa: F401 - an autouse fixture: labels in Chinese
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.errors import WbtError
from workbook_tools.ops.review import KPI_DEFS, Period, compute_review, review_json, review_result
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.testing import make_model


@pytest.mark.parametrize("text", ["2026-Q3", "2026Q3", "2026 q3", "2026年第三季度", "2026年第3季度", "2026/Q3"])
def test_quarter_parsing(text):
    p = Period.quarter(text)
    assert str(p) == "2026-Q3" == str(Period.parse(text))
    assert (p.start, p.end) == (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
    assert str(Period.quarter("2026-Q1").shift(-1)) == "2025-Q4" and str(p.shift(2)) == "2027-Q1"
    assert Period.month("2026-09").quarter_of() == p and Period.month("2026-09").ends_quarter
    assert not Period.month("2026-10").ends_quarter


@pytest.mark.parametrize("bad", ["2026-Q5", "Q3", "2026-3", "2026年第五季度", ""])
def test_bad_quarter_is_a_clear_error(bad):
    with pytest.raises(WbtError) as exc:
        Period.quarter(bad)
    assert "YYYY-Qn" in exc.value.message.zh


def cust(name, **kw):
    return {"name": name, "contact": "联系人", "phone": "13800000000", **kw}


CUSTOMERS = [
    cust("甲", customer_id="A", first_contact="2024-04-10", term="2024.01-2024.08"),   # new in Q2; ends in Q3
    cust("乙", customer_id="B", first_contact="2024-02-01"),                          # new in Q1
    cust("丙", customer_id="C", first_contact="2024-06-30", source="转介绍"),            # new in Q2, last day
    cust("丁", customer_id="D", first_contact="2023-05-01", stage="终止合作", last_coop="2024-05-15"),
]
CONTACTS = [{"customer_id": c, "contact_date": d} for c, d in
            [("A", "2024-04-11"), ("A", "2024-05-20"), ("B", "2024-06-30"), ("B", "2024-03-31"), ("D", "2024-01-05"),
             ("B", "2023-12-31"), ("A", "2024-07-01")]]
COMPLAINTS = [{"customer_id": "A", "received_at": "2024-05-02 10:00", "urgency": "一般",
               "responded_at": "2024-05-02 11:00"},
              {"customer_id": "B", "received_at": "2024-02-02 10:00"}]


def test_quarterly_review_counts_the_quarter_and_compares_with_the_one_before():
    model = make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS)
    r = compute_review(model, period="2024-Q2", as_of=dt.date(2024, 7, 15))
    assert (r.period.kind, r.snapshot, r.month) == ("quarter", dt.date(2024, 6, 30), "2024-Q2")
    got = {k: (r.kpi(k).value, r.kpi(k).previous) for k in
           ("new_customers", "contacts_logged", "churned", "complaints_opened", "contracts_ending_next")}
    # Q2 (04-01..06-30) / Q1 (01-01..03-31): new 甲 丙 / 乙; contacts A 04-11, A 05-20, B 06-30 / B 03-31,
    # D 01-05; churned 丁 (05-15) / none; complaints A / B; 甲's term ends 2024-08-31, in Q3 (next quarter)
    assert got == {"new_customers": (2, 1), "contacts_logged": (3, 2), "churned": (1, 0),
                   "complaints_opened": (1, 1), "contracts_ending_next": (1, 0)}
    # churn rate: active on 04-01 乙 丁 → 丁 lost: 1/2; on 01-01 丁 only → 0/1
    assert (r.kpi("churn_rate").value, r.kpi("churn_rate").previous) == (0.5, 0.0)
    assert r.kpi("referral_rate").value == 0.5          # 丙 of 甲 丙
    assert r.trend.rows == [["2023-Q3", 0, 0], ["2023-Q4", 1, 0], ["2024-Q1", 2, 1], ["2024-Q2", 3, 1]]
    labels = {k.key: k.label.zh for k in r.kpis}
    assert labels["complaints_open"] == "季度末未结投诉" and labels["contracts_ending_next"] == "下季度到期合同"
    assert r.table("contracts_ending").title.zh == "下季度到期合同 (2024-Q3)"
    sheet = review_result(r).changeset.add_sheets[0]
    texts = {v for v, _ in sheet.cells.values() if isinstance(v, str)}
    assert sheet.name == "2024-Q2 季度复盘" and "2024-Q2 季度复盘" in texts
    assert {"关键指标（与上季度比较）", "比率（与上季度比较）", "本季度", "上季度", "近四个季度趋势"} <= texts


def test_a_quarter_adds_up_its_months():
    """Counts of events in a period are additive: the quarter is the sum of its three months."""
    model = make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS)
    q = compute_review(model, period="2024-Q2", as_of=dt.date(2024, 7, 15))
    months = [compute_review(model, month=m, as_of=dt.date(2024, 7, 15)) for m in ("2024-04", "2024-05", "2024-06")]
    for key in ("new_customers", "contacts_logged", "churned", "complaints_opened", "complaints_closed"):
        assert q.kpi(key).value == sum(m.kpi(key).value for m in months), key


FIGURE_KEYS = {
    "customers_total": "customers", "new_customers": "customers", "churned": "customers",
    "contacts_logged": "log_rows", "customers_contacted": "customers", "overdue_followups": "customers",
    "open_opportunities": "customers", "complaints_opened": "complaints", "complaints_closed": "complaints",
    "complaints_open": "complaints", "sla_breaches": "complaints", "avg_hours_to_resolve": "hours",
    "avg_satisfaction": "score_1_5", "customer_satisfaction": "score_1_5", "nps": "nps",
    "contracts_ending_next": "customers", "dq_errors": "errors",
    "churn_rate": "ratio", "complaint_rate": "ratio", "renewal_rate": "ratio", "repurchase_rate": "ratio",
    "referral_rate": "ratio", "a_to_deal_rate": "ratio", "b_to_a_rate": "ratio", "on_time_followup_rate": "ratio",
    "sla_compliance_rate": "ratio",
}
TABLE_KEYS = {
    "by_owner": ["owner", "customers", "contacts", "overdue", "complaints"],
    "by_industry": ["industry", "customers", "new", "amount_annual"],
    "by_tier": ["tier", "customers", "contacted", "overdue", "amount_annual"],
    "by_stage": ["stage", "customers"],
    "by_channel": ["source", "customers", "new", "deals", "customers_bought", "conversion_rate", "amount_annual"],
    "conversion_by_grade": ["grade", "open_at_start", "deals", "conversion_rate"],
    "sla_by_urgency": ["urgency", "limit_hours", "opened", "in_time", "late", "waiting", "in_time_rate"],
    "high_value_profile": ["dimension", "value", "customers", "share_of_strategic", "share_of_all"],
    "objections": ["category", "mentions", "previous_mentions", "customers", "share", "latest"],
    "churn_reasons": ["reason", "customers", "share"],
    "trend": ["period", "contacts_logged", "complaints_opened"],
}
LIST_KEYS = {
    "overdue": ["name", "customer_id", "owner", "tier", "amount_annual", "last_contact", "due", "days_overdue"],
    "overdue_prospects": ["name", "customer_id", "owner", "last_contact", "due", "days_overdue"],
    "not_contacted": ["name", "customer_id", "tier", "owner", "last_contact"],
    "at_risk": ["name", "customer_id", "owner", "tier", "reasons"],
    "open_complaints": ["customer", "complaint_id", "urgency", "received_at", "handler", "status", "days_open"],
    "contracts_ending": ["name", "customer_id", "owner", "term", "ends", "last_contact"],
    "churned": ["name", "customer_id", "owner", "lost_on", "had_bought", "reasons", "evidence"],
    "open_opportunities": ["name", "customer_id", "owner", "grade", "source", "first_contact", "days_open",
                           "last_contact", "latest_feedback"],
    "high_potential": ["name", "customer_id", "owner", "tier", "purchases_before", "purchases_recent", "growth"],
    "tier_review": ["name", "customer_id", "owner", "proposed", "confirmed", "confirmed_on", "why"],
}


def test_json_keys_are_pinned():
    """Every figure and rate under a stable key (docs/review.md, "JSON keys")."""
    model = make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS)
    review = compute_review(model, period="2024-Q2", as_of=dt.date(2024, 7, 15))
    out = review_json(review)
    assert set(out) == {"schema", "period", "kind", "start", "end", "snapshot", "as_of", "previous_period",
                        "figures", "tables", "lists"}
    assert {k: v["unit"] for k, v in out["figures"].items()} == FIGURE_KEYS
    assert [d.key for d in KPI_DEFS] == list(FIGURE_KEYS)
    for key, fig in out["figures"].items():
        want = {"value", "previous", "unit", "status", "previous_status"}
        if fig["unit"] == "ratio":
            want |= {"numerator", "denominator", "previous_numerator", "previous_denominator"}
        if fig["unit"] == "score_1_5":
            want |= {"left_out", "previous_left_out"}
        if "not_available" in (fig["status"], fig["previous_status"]):
            want |= {"reason"}
        assert set(fig) == want, key
    assert {t.key: t.keys for t in [*review.tables, review.trend]} == TABLE_KEYS
    assert {t.key: t.keys for t in review.lists} == LIST_KEYS
    assert all(len(t.keys) == len(t.columns) for t in [*review.tables, *review.lists, review.trend])
    for part, keys in (("tables", TABLE_KEYS), ("lists", LIST_KEYS)):
        for key, rows in out[part].items():
            assert all(list(row) == keys[key] for row in rows["rows"]), key
    churn = out["figures"]["churn_rate"]
    assert (churn["value"], churn["numerator"], churn["denominator"], churn["status"]) == (0.5, 1, 2, "ok")
    assert out["figures"]["nps"]["status"] == "not_available"
    assert json.loads(json.dumps(out)) == out       # plain JSON: no dates, NaN or objects left


def test_docs_name_every_key():
    """docs/review.md's JSON tables name every figure, table and list key with its columns."""
    from pathlib import Path

    doc = (Path(__file__).parent.parent / "docs" / "review.md").read_text(encoding="utf-8")
    for key, unit in FIGURE_KEYS.items():
        assert re.search(rf"^\| `{key}` \| [^|]+ \| {unit}\b", doc, re.M), key
    for key, cols in {**TABLE_KEYS, **LIST_KEYS}.items():
        assert f"| `{key}` | {', '.join(cols)} |" in doc, key


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("qsample") / "crm.xlsx"
    generate_sample(path, customers=40, seed=5)
    return path


def test_cli_review_quarter_json(sample, tmp_path):
    book = tmp_path / "crm.xlsx"
    book.write_bytes(sample.read_bytes())
    res = CliRunner().invoke(cli, ["review", str(book), "--quarter", "2026-Q3", "--as-of", "2026-10-31", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["review"]["period"] == "2026-Q3" and set(out["review"]["figures"]) == set(FIGURE_KEYS)
    model = read_workbook(book)
    assert "2026-Q3 季度复盘" in model.sheet_names
    again = compute_review(model, period="2026-Q3", as_of=dt.date(2026, 10, 31))
    assert {k: v["value"] for k, v in out["review"]["figures"].items()} == {k.key: k.value for k in again.kpis}
    for args in (["--month", "2026-09", "--quarter", "2026-Q3"], []):
        res = CliRunner().invoke(cli, ["review", str(book), *args])
        assert res.exit_code == 2 and "--quarter" in res.output and "Traceback" not in res.output
    res = CliRunner().invoke(cli, ["review", str(book), "--quarter", "2026-Q5"])
    assert res.exit_code == 2 and "YYYY-Qn" in res.output


def test_month_end_at_a_quarters_end_builds_the_quarter_too(sample, tmp_path):
    """A month end for 03, 06, 09 or 12 also builds that quarter's review, in the same single write."""
    book = tmp_path / "crm.xlsx"
    book.write_bytes(sample.read_bytes())
    res = CliRunner().invoke(cli, ["month-end", str(book), "--month", "2026-09", "--as-of", "2026-09-30", "--json"])
    assert res.exit_code in (0, 1), res.output
    out = json.loads(res.output)
    assert out["review_sheet"] == "2026-09 月度复盘" and out["quarter_sheet"] == "2026-Q3 季度复盘"
    assert out["quarter_review"]["period"] == "2026-Q3" and out["review"]["period"] == "2026-09"
    assert set(out["review"]["figures"]) == set(FIGURE_KEYS)
    model = read_workbook(book)
    assert {"2026-09 月度复盘", "2026-Q3 季度复盘"} <= set(model.sheet_names)
    assert (tmp_path / "crm_2026-Q3_季度复盘.html").exists() and (tmp_path / "crm_2026-09_月度复盘.html").exists()
    again = compute_review(model, period="2026-Q3", as_of=dt.date(2026, 9, 30), findings_errors=out["errors"])
    assert {k: v["value"] for k, v in out["quarter_review"]["figures"].items()} == {k.key: k.value for k in again.kpis}
    res = CliRunner().invoke(cli, ["month-end", str(book), "--month", "2026-10", "--as-of", "2026-10-31", "--json"])
    out = json.loads(res.output)
    assert out["quarter_sheet"] is None and out["quarter_review"] is None
    res = CliRunner().invoke(cli, ["month-end", str(book), "--month", "2026-06", "--as-of", "2026-10-31"])
    assert "季度末：另生成工作表“2026-Q2 季度复盘”" in res.output and "crm_2026-Q2_季度复盘.html" in res.output
