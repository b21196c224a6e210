"""The monthly review on a small hand-built workbook: every KPI, table and list equals values
computed by hand (see the comments), and the same input gives the same output."""

from __future__ import annotations

import datetime as dt
import re

import pytest

from workbook_tools.errors import WbtError
from workbook_tools.i18n import set_lang
from workbook_tools.ops.review import Period, compute_review, review_result, run_review
from workbook_tools.report import render_report
from workbook_tools.testing import make_model

AS_OF = dt.date(2024, 6, 10)   # snapshot of May = 2024-05-31, of April = 2024-04-30

CUSTOMERS = [
    # row 2: new in May, strategic (60), contacted in May
    {"customer_id": "2024-IT-001", "name": "甲科技有限公司", "industry": "互联网", "source": "转介绍",
     "first_contact": "2024-05-06", "amount_annual": 60, "owner": "张三", "stage": "合作中", "satisfaction": 5,
     "term": "2024.05-2025.05", "contact": "甲", "phone": "13800000001"},
    # row 3: key (20), grade B → cadence 14; last contact 04-10 → due 04-24 → 37 days overdue on 05-31
    {"customer_id": "2023-MF-001", "name": "乙制造有限公司", "industry": "制造业", "source": "行业展会",
     "first_contact": "2023-03-01", "amount_annual": 20, "owner": "李四", "stage": "合作中", "follow_grade": "B",
     "satisfaction": 2, "term": "2023.07-2024.06", "contact": "乙", "phone": "13800000002"},
    # row 4: churned in May (终止合作, last cooperation 05-20)
    {"customer_id": "2023-RT-001", "name": "丙零售有限公司", "industry": "零售业", "first_contact": "2023-08-10",
     "amount_annual": 5, "owner": "张三", "stage": "终止合作", "last_coop": "2024-05-20", "contact": "丙",
     "phone": "13800000003"},
    # row 5: new in April, no amount (no tier), no owner
    {"customer_id": "2024-ED-001", "name": "丁教育有限公司", "industry": "教育", "source": "线上推广",
     "first_contact": "2024-04-15", "stage": "接洽中", "customer_type": "潜在客户", "satisfaction": 4,
     "contact": "丁", "phone": "13800000004"},
    # row 6: first contact in June: not yet a customer at the end of May
    {"customer_id": "2024-IT-002", "name": "戊网络有限公司", "industry": "互联网", "source": "转介绍",
     "first_contact": "2024-06-05", "amount_annual": 80, "owner": "李四", "contact": "戊", "phone": "13800000005"},
]
CONTACTS = [
    {"customer_id": "2024-IT-001", "contact_date": "2024-05-08", "follower": "张三"},
    {"customer_id": "2024-IT-001", "contact_date": "2024-05-20", "follower": "张三"},
    {"customer_name": "乙制造有限公司", "contact_date": "2024-04-10", "follower": "李四", "contact_changed": "是"},
    {"customer_id": "2023-RT-001", "contact_date": "2024-05-02"},               # no follower → owner 张三
    {"customer_id": "2024-ED-001", "contact_date": "2024-04-20", "follower": "王五"},
    {"customer_id": "2024-IT-001", "contact_date": "2024-06-03", "follower": "张三"},  # after the month
    {"customer_id": "2099-XX-001", "contact_date": "2024-05-15", "follower": "王五"},  # unknown customer
]
COMPLAINTS = [
    # urgent (4 h): answered after 6 h → breach; resolved after 48 h
    {"complaint_id": "T1", "customer_id": "2024-IT-001", "received_at": "2024-05-10 09:00", "urgency": "紧急",
     "responded_at": "2024-05-10 15:00", "resolved_at": "2024-05-12 09:00", "status": "已解决", "satisfaction": 4},
    # normal (24 h): answered after 2 h; still open at month end
    {"complaint_id": "T2", "customer_id": "2023-MF-001", "received_at": "2024-05-25 10:00", "urgency": "一般",
     "responded_at": "2024-05-25 12:00", "status": "处理中", "handler": "客服甲"},
    # April, critical (2 h) answered after 1 h; resolved in May after 120 h
    {"complaint_id": "T3", "customer_id": "2023-MF-001", "received_at": "2024-04-28 08:00", "urgency": "特急",
     "responded_at": "2024-04-28 09:00", "resolved_at": "2024-05-03 08:00", "status": "已解决", "satisfaction": 2},
    # by name; never answered: 28 h waited by the end of 05-31 → breach; open
    {"complaint_id": "T4", "customer_name": "丙零售有限公司", "received_at": "2024-05-30 20:00", "urgency": "一般",
     "status": "待处理"},
]


@pytest.fixture
def model():
    return make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS)


@pytest.fixture(autouse=True)
def zh():
    set_lang("zh")
    yield
    set_lang(None)


def test_kpis_equal_hand_computed_values(model):
    r = compute_review(model, month="2024-05", as_of=AS_OF, findings_errors=3)
    got = {k.key: (k.value, k.previous) for k in r.kpis if not k.is_rate}
    assert got == {
        "customers_total": (4, 3),            # rows 2-5 / rows 3-5
        "new_customers": (1, 1),              # row 2 / row 5
        "churned": (1, 0),                    # row 4
        "contacts_logged": (4, 2),            # log rows 2, 3, 5, 8 / rows 4, 6
        "customers_contacted": (3, 2),        # 甲, 丙, unknown 2099-XX-001 / 乙, 丁
        "overdue_followups": (1, 1),          # 乙: 37 days / 乙: 6 days
        "complaints_opened": (3, 1),          # T1, T2, T4 / T3
        "complaints_closed": (2, 0),          # T1, T3
        "complaints_open": (2, 1),            # T2, T4 / T3
        "sla_breaches": (2, 0),               # T1, T4
        "avg_hours_to_resolve": (84.0, None),  # (48 + 120) / 2
        "avg_satisfaction": (3.0, None),      # (4 + 2) / 2
        "customer_satisfaction": (3.67, 3.0),  # (5 + 2 + 4) / 3 / (2 + 4) / 2
        "contracts_ending_next": (1, 0),      # 乙 ends 2024-06-30
        "open_opportunities": (1, 1),         # 丁: 接洽中, 潜在客户, no 首次合作时间 (甲 合作中, 乙 合作中, 戊 later)
        "nps": (None, None),                  # no 0–10 scores in the workbook
        "dq_errors": (3, None),
    }
    assert r.snapshot == dt.date(2024, 5, 31)
    k = r.kpi("overdue_followups")
    assert k.delta == 0 and k.trend == "flat"
    assert r.kpi("churned").trend == "bad" and r.kpi("complaints_closed").trend == "good"
    assert r.kpi("avg_hours_to_resolve").delta is None


def test_tables_equal_hand_computed_values(model):
    r = compute_review(model, month="2024-05", as_of=AS_OF)
    assert r.table("by_owner").rows == [["张三", 2, 3, 0, 2], ["(未分配)", 1, 0, 0, 0], ["李四", 1, 0, 1, 1],
                                        ["王五", 0, 1, 0, 0]]
    ind = {row[0]: row[1:] for row in r.table("by_industry").rows}
    assert ind == {"互联网": [1, 1, 60.0], "制造业": [1, 0, 20.0], "零售业": [1, 0, 5.0], "教育": [1, 0, 0.0]}
    assert r.table("by_tier").rows == [["战略客户", 1, 1, 0, 60.0], ["重点客户", 1, 0, 1, 20.0],
                                       ["普通客户", 1, 1, 0, 5.0], ["(未定级)", 1, 0, 0, 0.0]]
    assert r.table("by_stage").rows == [["接洽中", 1], ["合作中", 2], ["终止合作", 1]]
    assert {row[0]: row[2] for row in r.table("by_channel").rows} == {"转介绍": 1, "行业展会": 0, "线上推广": 0,
                                                                     "(未填)": 0}  # new in May per source
    assert r.trend.rows == [["2023-12", 0, 0], ["2024-01", 0, 0], ["2024-02", 0, 0], ["2024-03", 0, 0],
                            ["2024-04", 2, 1], ["2024-05", 4, 3]]


def test_lists_equal_hand_computed_values(model):
    r = compute_review(model, month="2024-05", as_of=AS_OF)
    d = dt.date
    assert r.table("overdue").rows == [["乙制造有限公司", "2023-MF-001", "李四", "重点客户", 20.0, d(2024, 4, 10),
                                        d(2024, 4, 24), 37]]
    assert r.table("overdue_prospects").rows == []
    assert r.table("not_contacted").rows == [["乙制造有限公司", "2023-MF-001", "重点客户", "李四", d(2024, 4, 10)]]
    # complaints over the whole cooperation (no 首次合作时间 here: all of them); 乙's contract ends within
    # the 60-day renewal window and nothing confirms the renewal; the contact change is within 180 days
    assert r.table("at_risk").rows == [
        ["甲科技有限公司", "2024-IT-001", "张三", "战略客户", "投诉1次（最近2024-05-10）"],
        ["乙制造有限公司", "2023-MF-001", "李四", "重点客户",
         "投诉2次（最近2024-05-25）；投诉未解决1件；合同2024-06-30到期且30天内未沟通；合同2024-06-30到期，续约意向未确认；"
         "满意度2分；联系人变更（2024-04-10）"],
    ]
    assert r.table("open_complaints").rows == [
        ["乙制造有限公司", "T2", "一般", dt.datetime(2024, 5, 25, 10), "客服甲", "处理中", 6],
        ["丙零售有限公司", "T4", "一般", dt.datetime(2024, 5, 30, 20), None, "待处理", 1],
    ]
    assert r.table("contracts_ending").rows == [["乙制造有限公司", "2023-MF-001", "李四", "2023.07-2024.06",
                                                 d(2024, 6, 30), d(2024, 4, 10)]]
    assert r.table("contracts_ending").title.zh == "下月到期合同 (2024-06)"


def test_settings_drive_thresholds(model):
    """A threshold from 代码表, never hard-coded: with an urgent limit of 8 h T1 is no breach."""
    m2 = make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS,
                    settings={"response_hours_urgent": 8, "tier_key_min": 25})
    r = compute_review(m2, month="2024-05", as_of=AS_OF)
    assert r.kpi("sla_breaches").value == 1
    assert [row[0] for row in r.table("by_tier").rows][:3] == ["战略客户", "重点客户", "普通客户"]
    assert r.table("by_tier").rows[1][1] == 0  # 乙 (20) is ordinary when key tier starts at 25


def test_running_month_stops_at_as_of(model):
    r = compute_review(model, month="2024-05", as_of=dt.date(2024, 5, 15))
    assert r.snapshot == dt.date(2024, 5, 15)
    assert r.kpi("contacts_logged").value == 3      # 05-02 丙, 05-08 甲, 05-15 unknown (05-20 is later)
    assert r.kpi("customers_contacted").value == 3
    assert r.kpi("complaints_opened").value == 1
    with pytest.raises(WbtError):
        compute_review(model, month="2024-07", as_of=dt.date(2024, 6, 1))


def test_same_input_same_output(model):
    a = run_review(model, month="2024-05", as_of=AS_OF, source="x.xlsx").changeset.add_sheets[0]
    b = run_review(make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS), month="2024-05",
                   as_of=AS_OF, source="x.xlsx").changeset.add_sheets[0]
    assert a == b
    r = compute_review(model, month="2024-05", as_of=AS_OF, source="x.xlsx")
    assert render_report(r, "html") == render_report(r, "html")


def test_changeset_adds_only_the_review_sheet(model):
    res = run_review(model, month="2024-05", as_of=AS_OF, source="crm.xlsx")
    cs = res.changeset
    assert not cs.edits and not cs.marks and not cs.notes and not cs.remove_sheets
    [sheet] = cs.add_sheets
    assert sheet.name == "2024-05 月度复盘"
    assert res.stats["new_customers"] == 1 and res.stats["list_overdue"] == 1
    values = [v for v, _ in sheet.cells.values()]
    assert not any(isinstance(v, str) and v.startswith("=") for v in values)  # values, never formulas
    assert any(isinstance(v, str) and "crm.xlsx" in v and "2024-06-10" in v for v in values)  # the stamp
    assert {c.kind for c in sheet.charts} == {"column", "pie", "bar", "line"}


def _sheet_cells(sheet):
    return {(r, c): v for (r, c), (v, _) in sheet.cells.items()}


def test_kpi_block_and_delta_styles(model):
    sheet = run_review(model, month="2024-05", as_of=AS_OF).changeset.add_sheets[0]
    cells = sheet.cells
    rows = {cells[(r, 1)][0]: r for (r, c) in cells if c == 1 and isinstance(cells[(r, 1)][0], str)}
    r = rows["流失客户"]
    assert cells[(r, 2)][0] == 1 and cells[(r, 3)][0] == 0
    assert cells[(r, 4)] == ("▲ +1", "delta_down")      # more churn is bad: red
    r = rows["解决投诉"]
    assert cells[(r, 4)] == ("▲ +2", "delta_up")
    r = rows["月末未结投诉"]
    assert cells[(r, 4)] == ("▲ +1", "delta_down")
    # the chart ranges point at the tables they draw
    pie = next(c for c in sheet.charts if c.kind == "pie")
    first = int(re.match(r"A(\d+)", pie.categories).group(1))
    assert cells[(first, 1)][0] == "战略客户" and cells[(first, 2)][0] == 1


def test_english_labels(model):
    set_lang("en")
    sheet = run_review(model, month="2024-05", as_of=AS_OF).changeset.add_sheets[0]
    texts = {v for v, _ in sheet.cells.values() if isinstance(v, str)}
    assert "2024-05 monthly review" in texts and "Churned customers" in texts
    assert sheet.name == "2024-05 月度复盘"   # the sheet name stays the schema's


def _numbers(text: str) -> list[str]:
    return re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)


def test_html_and_markdown_hold_the_same_numbers_as_the_sheet(model):
    r = compute_review(model, month="2024-05", as_of=AS_OF, source="crm.xlsx", findings_errors=3)
    sheet = review_result(r).changeset.add_sheets[0]
    html = render_report(r, "html")
    md = render_report(r, "md")
    cells = sheet.cells
    label_rows = {cells[(rr, 1)][0]: rr for (rr, c) in cells if c == 1}
    for k in r.kpis:
        rr = label_rows[k.label.zh]
        value = cells[(rr, 2)][0]
        if isinstance(value, str):
            want = value                                  # "—", "未找到列", "不可用"
        elif k.is_rate:
            want = f"{100 * value:.1f}%"                  # the sheet holds the share, formatted 0.0%
            assert cells[(rr, 2)][1] == "kpi_pct"
        else:
            want = f"{value:,.{k.decimals}f}" if k.decimals else f"{int(value):,}"
        m = re.search(rf'data-kpi="{k.key}"><td class="label">[^<]*</td><td class="value">([^<]*)</td>', html)
        assert m and m.group(1) == want, k.key
        line = next(ln for ln in md.splitlines() if ln.startswith(f"| {k.label.zh} |"))
        assert line.split("|")[2].strip() == want
    # every table and list row: the same cells in the same order
    for t in [*r.tables, *r.lists]:
        if not t.rows:  # an empty list is shown as "(none)", without a table
            assert f'data-table="{t.key}"' not in html
            continue
        block = html.split(f'data-table="{t.key}"', 1)[1].split("</table>", 1)[0]
        html_rows = re.findall(r"<tr>((?:<td[^>]*>[^<]*</td>)+)</tr>", block)
        assert len(html_rows) == len(t.rows)
        for row, hr in zip(t.rows, html_rows):
            got = re.findall(r"<td[^>]*>([^<]*)</td>", hr)
            assert _numbers(" ".join(got)) == _numbers(" ".join(_show(v) for v in row)), t.key
    assert "<script" not in html and "http" not in html.replace("http://www.w3.org/2000/svg", "")
    assert html.count("<svg") == 6


def _show(v):
    from workbook_tools.i18n import L
    from workbook_tools.ops.review.model import Ratio

    if v is None:
        return ""
    if isinstance(v, L):
        return v.zh
    if isinstance(v, Ratio):
        return f"{100 * v:.1f}%"
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int):
        return f"{v:,}"
    return str(v)


def test_user_templates_override_the_shipped_ones(model, tmp_path):
    (tmp_path / "review.md.j2").write_text("NEW {{ r.month }} {% for k in r.kpis %}{{ k.key }}={{ k.value }};{% endfor %}",
                                           encoding="utf-8")
    r = compute_review(model, month="2024-05", as_of=AS_OF)
    out = render_report(r, "md", templates_dir=tmp_path)
    assert out.startswith("NEW 2024-05 customers_total=4;new_customers=1;")
    assert render_report(r, "html", templates_dir=tmp_path).startswith("<!DOCTYPE html>")  # falls back
    (tmp_path / "review.html.j2").write_text("{{ r.nosuchthing }}", encoding="utf-8")
    with pytest.raises(WbtError):
        render_report(r, "html", templates_dir=tmp_path)
    with pytest.raises(WbtError):
        render_report(r, "md", templates_dir=tmp_path / "missing")


@pytest.mark.parametrize("text,want", [("2024-05", "2024-05"), ("2024/5", "2024-05"), ("2024年5月", "2024-05")])
def test_month_parsing(text, want):
    assert str(Period.month(text)) == want == str(Period.parse(text))
    assert Period.month("2024-01").shift(-1) == Period("month", 2023, 12)


@pytest.mark.parametrize("bad", ["2024-13", "May", "24-05", "", "2024-Q2"])
def test_bad_month_is_a_clear_error(bad):
    with pytest.raises(WbtError) as exc:
        Period.month(bad)
    assert "YYYY-MM" in exc.value.message.zh


def test_empty_workbook_gives_a_review():
    r = compute_review(make_model(), month="2024-05", as_of=AS_OF)
    assert r.kpi("customers_total").value == 0 and r.kpi("avg_hours_to_resolve").value is None
    sheet = review_result(r).changeset.add_sheets[0]
    assert any(v == "（无）" for v, _ in sheet.cells.values())
    assert render_report(r, "md") and render_report(r, "html")


def test_a_workbook_without_log_and_complaint_sheets_still_gets_a_review() -> None:
    model = make_model(customers=[{"name": "杭州云启科技有限公司", "contact": "张伟", "phone": "13800138000",
                                   "first_contact": "2026-10-08", "amount_annual": 12}])
    del model.sheets["contacts"], model.sheets["complaints"]  # as the reader leaves sheets the file lacks
    res = run_review(model, month="2026-10", as_of=dt.date(2026, 10, 31))
    assert res.stats["month"] == "2026-10"
    # no "0 contacts" for a sheet that is not there: the figures that need it say what is missing
    assert res.summary.zh == ("已生成 2026-10 月度复盘：新增客户 1，沟通：未找到工作表“沟通记录”，"
                              "逾期：未找到工作表“沟通记录”，未结投诉：未找到工作表“投诉登记”")
    assert "contacts: sheet 'Contact log' not found" in res.summary.en
    review = compute_review(model, month="2026-10", as_of=dt.date(2026, 10, 31))
    assert review.kpi("customers_total").value == 1 and review.kpi("complaint_rate").status == "column_not_found"
    assert review.kpi("contacts_logged").value is None and review.kpi("churn_rate").status == "no_denominator"


def test_left_out_ratings_are_not_counted_as_0_when_the_column_was_not_found() -> None:
    """A figure whose column is missing says so — so does the count of ratings its
    average left out (None, not 0); with the column, the count is what was left out (0 here)."""
    from workbook_tools.reader.frames import build_sheet
    from workbook_tools.schema import SCHEMA
    from workbook_tools.testing import make_model

    model = make_model()
    model.sheets["customers"], _ = build_sheet(SCHEMA.sheet("customers"), "客户基本信息", 1, ["客户名称", "初次接触时间"],
                                               [["甲有限公司", "2026-10-02"]])
    review = compute_review(model, month="2026-10", as_of=dt.date(2026, 10, 31))
    assert review.kpi("customer_satisfaction").status == "column_not_found"
    assert (review.stats["satisfaction_left_out"], review.stats["satisfaction_left_out_previous"]) == (None, None)
    model.sheets["customers"], _ = build_sheet(SCHEMA.sheet("customers"), "客户基本信息", 1,
                                               ["客户名称", "初次接触时间", "满意度"], [["甲有限公司", "2026-10-02", 4]])
    review = compute_review(model, month="2026-10", as_of=dt.date(2026, 10, 31))
    assert (review.kpi("customer_satisfaction").value, review.stats["satisfaction_left_out"]) == (4, 0)


def test_the_write_gate_checks_every_column_a_figure_needs() -> None:
    """The review's gate (ops.needs.NEEDS["review"]) is built from the figures' own needs and the
    tables' reads: every column a figure names is checked before a review is written."""
    from workbook_tools.ops.needs import NEEDS
    from workbook_tools.ops.review import KPI_DEFS

    gate = {(n.sheet, k) for n in NEEDS["review"] for k in n.columns}
    named = {tuple(k.split(".")) for d in KPI_DEFS for group in d.needs for k in group if "." in k}
    assert named and named <= gate
    assert ("customers", "owner") in gate and ("complaints", "handler") in gate   # read by the tables only


def test_log_rows_whose_date_cannot_be_read_are_named_not_silently_dropped() -> None:
    """A contact the review cannot place in time is in no month's count: one finding per date column
    says how many and which cells. Empty cells and the seeds' "-" (未填) are not reported."""
    cid = "2024-IT-001"
    m = make_model(customers=[{"customer_id": cid, "name": "甲科技有限公司", "first_contact": "2024-01-05"}],
                   contacts=[{"customer_id": cid, "contact_date": "2024-05-06"},
                             {"customer_id": cid, "contact_date": "5月8日"},      # no year: row 3
                             {"customer_id": cid, "contact_date": "-"},
                             {"customer_id": cid, "contact_date": "2024-05-20"},
                             {"customer_id": cid, "contact_date": "上周三"}])     # row 6
    review = compute_review(m, month="2024-05", as_of=AS_OF)
    assert review.kpi("contacts_logged").value == 2          # 05-06 and 05-20
    found = [f for f in review.findings if f.code == "REVIEW-DATE"]
    assert [(f.sheet, f.cell, f.column) for f in found] == [("沟通记录", "C3", "contact_date")]
    assert "2 个单元格" in found[0].message.zh and "C3、C6" in found[0].message.zh
    clean = make_model(customers=[{"customer_id": cid, "name": "甲科技有限公司", "first_contact": "2024-01-05"}],
                       contacts=[{"customer_id": cid, "contact_date": "2024-05-06"}])
    assert [f for f in compute_review(clean, month="2024-05", as_of=AS_OF).findings if f.code == "REVIEW-DATE"] == []


def test_complaints_resolved_before_they_were_received_are_named_not_silently_averaged_out() -> None:
    """平均解决时长 cannot average a negative duration: the complaint is left out of it, and a finding
    says which and how many (it still counts as closed)."""
    cid = "2024-IT-001"
    m = make_model(customers=[{"customer_id": cid, "name": "甲科技有限公司", "first_contact": "2024-01-05"}],
                   complaints=[{"customer_id": cid, "received_at": "2024-05-10 09:00", "resolved_at": "2024-05-10 19:00"},
                               {"customer_id": cid, "received_at": "2024-05-12 09:00", "resolved_at": "2024-05-11 09:00"},
                               {"customer_id": cid, "received_at": "2024-05-20 09:00", "resolved_at": "2024-05-20 08:00"}])
    review = compute_review(m, month="2024-05", as_of=AS_OF)
    assert review.kpi("complaints_closed").value == 3
    assert review.kpi("avg_hours_to_resolve").value == 10.0     # the first only
    found = [f for f in review.findings if f.code == "REVIEW-RESOLVED"]
    assert [(f.sheet, f.row, f.column) for f in found] == [("投诉登记", 3, "resolved_at")]
    assert "2 " in found[0].message.zh and "平均解决时长" in found[0].message.zh
    assert found[0].cell and found[0].cell.endswith("3")
    ok = make_model(customers=[{"customer_id": cid, "name": "甲科技有限公司", "first_contact": "2024-01-05"}],
                    complaints=[{"customer_id": cid, "received_at": "2024-05-10 09:00", "resolved_at": "2024-05-10 19:00"}])
    assert [f for f in compute_review(ok, month="2024-05", as_of=AS_OF).findings if f.code == "REVIEW-RESOLVED"] == []


def test_contract_terms_that_cannot_be_read_are_named_not_silently_dropped() -> None:
    """A 合作期限 the review cannot read is in no count of contracts ending (nor renewals): one finding
    says how many and which cells. Open-ended terms (长期) and empty cells are not reported."""
    rows = [{"customer_id": f"2024-IT-00{i}", "name": f"{n}科技有限公司", "first_contact": "2024-01-05", "term": t}
            for i, (n, t) in enumerate([("甲", "2024.01-2024.06"), ("乙", "两年"), ("丙", "长期"), ("丁", None),
                                        ("戊", "2024.07-2024.06.31")], start=1)]
    review = compute_review(make_model(customers=rows), month="2024-05", as_of=AS_OF)
    assert review.kpi("contracts_ending_next").value == 1          # 甲 ends 2024-06-30
    found = [f for f in review.findings if f.code == "REVIEW-TERM"]
    assert [(f.sheet, f.row, f.column) for f in found] == [("客户基本信息", 3, "term")]
    assert "2 个单元格" in found[0].message.zh
    assert all(c in found[0].message.zh for c in (f"{found[0].cell}", found[0].cell[:-1] + "6"))


def test_response_breaches_agree_with_validation_when_a_complaint_has_a_date_but_no_time() -> None:
    """A complaint received on a date without a time counts from the end of that day, in the review's
    SLA figures as in validation's SLA_RESPONSE (docs/validate.md): a 紧急 one answered at 15:00 that day
    is not late; one answered 5 hours after the day ended is."""
    from workbook_tools.ops.validate import run_validate

    cid = "2024-IT-001"
    m = make_model(customers=[{"customer_id": cid, "name": "甲科技有限公司", "first_contact": "2024-01-05"}],
                   complaints=[{"customer_id": cid, "received_at": "2024-05-10", "urgency": "紧急",
                                "responded_at": "2024-05-10 15:00"},
                               {"customer_id": cid, "received_at": "2024-05-12", "urgency": "加急",
                                "responded_at": "2024-05-13 05:00"},
                               {"customer_id": cid, "received_at": "2024-05-14 09:00", "urgency": "紧急",
                                "responded_at": "2024-05-14 12:00"}])
    late = [f.row for f in run_validate(m, as_of=AS_OF, rules=["SLA_RESPONSE"]).findings if f.code == "SLA_RESPONSE"]
    assert late == [3]
    review = compute_review(m, month="2024-05", as_of=AS_OF)
    assert review.kpi("sla_breaches").value == 1
    assert (review.kpi("sla_compliance_rate").numerator, review.kpi("sla_compliance_rate").denominator) == (2, 3)
    by_urgency = {r[0]: r for r in review.table("sla_by_urgency").rows}
    assert by_urgency["紧急"][1:6] == [4, 3, 2, 1, 0]


def test_list_synonyms_count_as_their_list_values_in_the_stage_table_and_open_complaints() -> None:
    """已签约 is 合作中 and 结案 is 已关闭 (LIST_SYNONYM: every operation reads them so): the stage
    table counts 已签约 under 合作中, and a complaint marked 结案 without a 解决时间 is closed, as it
    is for the risk rule's open complaints (ops.links)."""
    cid = "2024-IT-001"
    custs = [{"customer_id": cid, "name": "甲科技有限公司", "first_contact": "2024-01-05", "stage": "已签约"},
             {"customer_id": "2024-IT-002", "name": "乙科技有限公司", "first_contact": "2024-01-05", "stage": "合作中"},
             {"customer_id": "2024-IT-003", "name": "丙科技有限公司", "first_contact": "2024-01-05", "stage": "某阶段"}]
    comps = [{"customer_id": cid, "received_at": "2024-05-10 09:00", "status": "结案"},
             {"customer_id": cid, "received_at": "2024-05-11 09:00", "status": "处理中"}]
    review = compute_review(make_model(customers=custs, complaints=comps), month="2024-05", as_of=AS_OF)
    assert review.table("by_stage").rows == [["合作中", 2], ["某阶段", 1]]
    assert review.kpi("complaints_open").value == 1
    assert [r[1] for r in review.table("open_complaints").rows] == [None]   # the 处理中 one (no complaint ID)
    assert [r[5] for r in review.table("open_complaints").rows] == ["处理中"]


def test_industry_and_size_synonyms_count_under_their_list_values() -> None:
    """制造 is 制造业 and 500以上 is 500人以上: the industry table and the strategic-customer profile
    count them together; a value off the list stays as typed."""
    rows = [{"customer_id": f"2024-MF-00{i}", "name": f"{n}制造有限公司", "first_contact": "2024-01-05",
             "industry": ind, "company_size": size, "amount_annual": 60}
            for i, (n, ind, size) in enumerate([("甲", "制造业", "500人以上"), ("乙", "制造", "500以上"),
                                               ("丙", "航天", "500人以上")], start=1)]
    review = compute_review(make_model(customers=rows), month="2024-05", as_of=AS_OF)
    assert [r[:2] for r in review.table("by_industry").rows] == [["制造业", 2], ["航天", 1]]
    profile = [(r[1], r[2]) for r in review.table("high_value_profile").rows if r[0].zh in ("行业", "企业规模")]
    assert profile == [("制造业", 2), ("航天", 1), ("500人以上", 3)]
