"""The grade history (docs/review.md#grade-history): each month end records the customers' follow-up
grade, stage and tiers (only what changed) in the veryHidden sheet _wbt_history, so the review can
compute seed 004's "B级客户升级为A级客户的比例" — of the customers graded B at the end of the previous
period, the share graded A at the end of this one.

The workbook is built by hand (XlsxWriter), edited between month ends with openpyxl as a person would
edit it, and every expected figure is worked out by hand from the rows below."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path
from typing import Any

import openpyxl
import pytest
import xlsxwriter

from workbook_tools import history as hist
from workbook_tools.excel import live, xlhistory
from workbook_tools.history import Entry, History, State
from workbook_tools.jobs.month_end import run_month_end
from workbook_tools.ops.history import run_history, timeline, transition
from workbook_tools.ops.review import compute_review
from workbook_tools.ops.validate import run_validate
from workbook_tools.reader import read_workbook
from workbook_tools.testing import make_model
from workbook_tools.testing.xlwings_fake import book_from_file

SEP, OCT, NOV = ("2026-09", dt.date(2026, 9, 30)), ("2026-10", dt.date(2026, 10, 31)), ("2026-11", dt.date(2026, 11, 30))
NOW = dt.datetime(2026, 11, 2, 9, 0)
HEAD = ["客户编号", "客户名称", "所属行业", "联系人", "联系方式", "初次接触时间", "当前合作阶段", "年度合作金额(万元)", "跟进等级"]
# ID, name, grade, stage, annual amount (万元): at the end of September
CUSTOMERS = [
    ("2024-IT-001", "杭州云启科技有限公司", "B", "接洽中", None),
    ("2024-IT-002", "宁波海纳信息技术有限公司", "B", "合作中", 30),
    ("2024-IT-003", "温州瓯江软件有限公司", "B", "合作中", 6),
    ("2024-IT-004", "嘉兴南湖数据有限公司", "B", "接洽中", None),
    ("2024-IT-005", "绍兴兰亭网络有限公司", "A", "合作中", 120),
    ("2024-IT-006", "湖州太湖智能有限公司", "C", "接洽中", None),
]


def build(path: Path) -> Path:
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("客户基本信息")
    ws.write_row(0, 0, HEAD)
    for i, (cid, name, grade, stage, amount) in enumerate(CUSTOMERS, start=1):
        ws.write_row(i, 0, [cid, name, "IT服务", "张伟", "13800000000", "2024-01-05", stage])
        if amount is not None:
            ws.write_number(i, 7, amount)
        ws.write(i, 8, grade)
    wb.add_worksheet("沟通记录").write_row(0, 0, ["客户编号", "客户名称", "沟通时间", "跟进人", "沟通内容摘要"])
    wb.add_worksheet("投诉登记").write_row(0, 0, ["投诉编号", "客户编号", "客户名称", "投诉时间", "处理状态"])
    wb.close()
    return path


def edit(path: Path, grades: dict[str, str], *, delete: str | None = None, add: tuple[str, ...] = ()) -> None:
    """Change grades (by ID), delete a customer's row, add one, as a person does in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb["客户基本信息"]
    for row in ws.iter_rows(min_row=2):
        if row[0].value in grades:
            row[8].value = grades[row[0].value]
    if delete:
        ws.delete_rows(next(c.row for c in ws["A"] if c.value == delete))
    if add:
        ws.append(list(add))
    wb.save(path)


def month_end(path: Path, month: tuple[str, dt.date]) -> Any:
    return run_month_end(path, month=month[0], as_of=month[1], now=NOW, lang="zh")


def stored(path: Path) -> list[list[Any]]:
    """The history rows as openpyxl (an independent reader) finds them in every history sheet."""
    wb = openpyxl.load_workbook(path)
    names = sorted((n for n in wb.sheetnames if n.startswith("_wbt_history")), key=lambda n: (len(n), n))
    assert all(wb[n].sheet_state == "veryHidden" for n in names)
    out = []
    for n in names:
        rows = [list(r) for r in wb[n].iter_rows(values_only=True)]
        assert rows[0] == list(hist.COLUMNS)
        out += rows[1:]
    return out


def b_to_a(rep: Any) -> tuple[Any, ...]:
    f = rep.review["figures"]["b_to_a_rate"]
    return f["numerator"], f["denominator"], f["value"], f["previous"], f["previous_status"]


@pytest.fixture(autouse=True)
def chinese(zh: None) -> None:
    """Messages (and the JSON ``reason``) in Chinese."""


@pytest.fixture
def book(tmp_path: Path) -> Path:
    return build(tmp_path / "crm.xlsx")


def test_two_month_ends_give_b_to_a_computed_by_hand(book: Path) -> None:
    """September records everyone; October only what changed; the rate is 2 of the 3 customers graded B
    at the end of September that are still in the sheet (嘉兴南湖 was deleted)."""
    sep = month_end(book, SEP)
    assert sep.step("history").written
    rows = stored(book)
    # the period row, then every customer (new); tiers from 年度合作金额 (代码表 defaults: ≥50 战略, ≥10 重点, else 普通)
    assert rows[0] == ["2026-09", None, None, None, None, None, None, "period", "2026-09-30"]
    assert [r[1:8] for r in rows[1:]] == [
        ["2024-IT-001", "杭州云启科技有限公司", "B", "接洽中", None, None, "new"],
        ["2024-IT-002", "宁波海纳信息技术有限公司", "B", "合作中", "重点客户", None, "new"],
        ["2024-IT-003", "温州瓯江软件有限公司", "B", "合作中", "普通客户", None, "new"],
        ["2024-IT-004", "嘉兴南湖数据有限公司", "B", "接洽中", None, None, "new"],
        ["2024-IT-005", "绍兴兰亭网络有限公司", "A", "合作中", "战略客户", None, "new"],
        ["2024-IT-006", "湖州太湖智能有限公司", "C", "接洽中", None, None, "new"]]
    # September's B → A needs August: the history starts with September
    sep_rate = sep.review["figures"]["b_to_a_rate"]
    assert (sep_rate["status"], sep_rate["reason"]) == ("not_available", "等级历史始于 2026-09")

    # a person upgrades two B customers (one typed as the synonym "A级"), upgrades a C, deletes a B
    # customer and adds a new A one
    edit(book, {"2024-IT-001": "A", "2024-IT-002": "A级", "2024-IT-006": "A"}, delete="2024-IT-004",
         add=("2024-IT-007", "金华双龙电子有限公司", "IT服务", "李娜", "13900000000", "2026-10-08", "接洽中", None, "A"))
    oct_ = month_end(book, OCT)
    new = stored(book)[len(rows):]
    assert [r[1:8] for r in new] == [
        [None, None, None, None, None, None, "period"],
        ["2024-IT-001", "杭州云启科技有限公司", "A", "接洽中", None, None, "changed"],
        ["2024-IT-002", "宁波海纳信息技术有限公司", "A", "合作中", "重点客户", None, "changed"],
        ["2024-IT-006", "湖州太湖智能有限公司", "A", "接洽中", None, None, "changed"],
        ["2024-IT-007", "金华双龙电子有限公司", "A", "接洽中", None, None, "new"],
        ["2024-IT-004", "嘉兴南湖数据有限公司", None, None, None, None, "removed"]]
    assert {r[0] for r in new} == {"2026-10"} and {r[8] for r in new} == {"2026-10-31"}
    # B at the end of September: 001 002 003 004; 004 is gone → base 3; A at the end of October: 001 002
    assert b_to_a(oct_) == (2, 3, 0.6667, None, "not_available")
    # the review written into the workbook says the same, with the reason for last month's "不可用"
    ws = openpyxl.load_workbook(book)["2026-10 月度复盘"]
    row = next(r for r in ws.iter_rows(values_only=True) if r[0] == "B级升A级比例")
    assert row[1:3] == (0.6667, "不可用") and row[4] == "2 / 3；上期不可用：等级历史始于 2026-09"

    # November: 003 (the last B) turns A → 1 / 1, and October's 2 / 3 beside it
    edit(book, {"2024-IT-003": "A"})
    assert b_to_a(month_end(book, NOV)) == (1, 1, 1.0, 0.6667, "ok")


def test_a_rerun_replaces_the_month_and_writes_nothing_when_unchanged(book: Path) -> None:
    month_end(book, SEP)
    first = stored(book)
    again = month_end(book, SEP)
    assert not again.step("history").written and stored(book) == first
    assert read_workbook(book).history.periods == ["2026-09"]
    # a grade corrected after the month end: the re-run replaces September's records, no more rows
    edit(book, {"2024-IT-006": "B"})
    month_end(book, SEP)
    after = stored(book)
    assert len(after) == len(first) and after[6][1:4] == ["2024-IT-006", "湖州太湖智能有限公司", "B"]
    # a month before the latest recorded one is not recorded: today's values are not that month's
    month_end(book, OCT)
    before = stored(book)
    aug = month_end(book, ("2026-08", dt.date(2026, 8, 31)))
    assert not aug.step("history").written and "已有更晚的 2026-10" in aug.step("history").summary.zh
    assert stored(book) == before


@pytest.mark.parametrize("per_sheet", [None, 4])
def test_the_live_door_records_the_same_rows_as_the_file_door(book: Path, tmp_path: Path, monkeypatch: Any,
                                                              per_sheet: int | None) -> None:
    """The second month end (records appended after the first month's; with 4 records per sheet, over
    a full sheet onto a new one) through the in-memory Excel leaves the same history as the file writer."""
    if per_sheet:
        monkeypatch.setattr(hist, "ROWS_PER_SHEET", per_sheet)
    month_end(book, SEP)
    edit(book, {"2024-IT-001": "A"}, delete="2024-IT-004")
    live_path = Path(shutil.copy(book, tmp_path / "live.xlsx"))
    month_end(book, OCT)
    xl = book_from_file(live_path)
    out = live.run("month_end", book=xl, as_of=OCT[1], month=OCT[0], now=NOW, lang="zh")
    assert out.ok, out.message
    names = ["_wbt_history", "_wbt_history 2", "_wbt_history 3"] if per_sheet else ["_wbt_history"]
    file_book = book_from_file(book)
    assert [n for n in xl.sheets.wbt_names() if n.startswith("_wbt")] == names
    file_rows = [file_book.sheets[n].wbt_rows() for n in names]
    assert [xl.sheets[n].wbt_rows() for n in names] == file_rows
    assert sum(len(r) - 1 for r in file_rows) == 7 + 3 and all(xl.sheets[n].visible == 2 for n in names)
    # a second live run of the same month writes nothing to the history
    puts: list[int] = []
    monkeypatch.setattr(xlhistory, "_put", lambda sh, first, rows, blank: puts.append(first))
    assert live.run("month_end", book=xl, as_of=OCT[1], month=OCT[0], now=NOW, lang="zh").ok
    assert [xl.sheets[n].wbt_rows() for n in names] == file_rows and puts == []


def test_a_damaged_history_row_is_reported_and_skipped_never_trusted(book: Path) -> None:
    month_end(book, SEP)
    wb = openpyxl.load_workbook(book)
    ws = wb["_wbt_history"]
    ws.append(["2026-13", "2024-IT-003", "温州瓯江软件有限公司", "A", "", "", "", "changed", ""])  # no such month
    ws.append(["2026-09", "2024-IT-004", "嘉兴南湖数据有限公司", "A+", "", "", "", "changed", ""])  # no such grade
    wb.save(book)
    model = read_workbook(book)
    bad = [(n.code, n.cell) for n in model.notices if n.code == "R-HISTORY-ROW"]
    assert bad == [("R-HISTORY-ROW", "A9"), ("R-HISTORY-ROW", "D10")]
    assert len(model.history.entries) == 7                  # the two rows are not used
    found = [f for f in run_validate(model, as_of=OCT[1]).findings if f.value == "R-HISTORY-ROW"]
    assert [(f.sheet, f.cell, f.severity) for f in found] == [("_wbt_history", "A9", "warning"),
                                                              ("_wbt_history", "D10", "warning")]
    assert "期间“2026-13”不是 YYYY-MM" in found[0].message.zh
    # 004 is still B for the history (the "A+" row was skipped): October's base is 001 002 003 004
    rep = month_end(book, OCT)
    assert b_to_a(rep)[:2] == (0, 4) and "跳过无法读取的历史记录 2 行" in rep.step("history").summary.zh
    rows = stored(book)
    assert rows[7][0] == "2026-13" and rows[8][3] == "A+"    # kept as they were: never lose data


def test_the_history_stays_small_and_continues_on_a_second_sheet(book: Path, monkeypatch: Any) -> None:
    """Rows per month = 1 + customers that changed; a full sheet continues on _wbt_history 2."""
    monkeypatch.setattr(hist, "ROWS_PER_SHEET", 5)
    month_end(book, SEP)                                     # 1 + 6 rows: 5 on the first sheet, 2 on the second
    wb = openpyxl.load_workbook(book)
    assert [wb[n].max_row for n in ("_wbt_history", "_wbt_history 2")] == [6, 3]
    assert read_workbook(book).history.periods == ["2026-09"] and len(read_workbook(book).history.entries) == 7
    edit(book, {"2024-IT-001": "A"})
    month_end(book, OCT)                                     # 1 + 1 rows more: the second sheet holds 4
    assert len(stored(book)) == 9 and openpyxl.load_workbook(book)["_wbt_history 2"].max_row == 5
    month_end(book, OCT)                                     # unchanged: nothing added
    assert len(stored(book)) == 9
    rep = month_end(book, NOV)                               # nothing changed: only the period row
    assert len(stored(book)) == 10 and rep.review["figures"]["b_to_a_rate"]["denominator"] == 3


def _entries(*rows: tuple[str, str, str, str]) -> History:
    out = History()
    for period, cid, grade, change in rows:
        out.entries.append(Entry(period, cid, "", State(grade), change))
    return out


def test_the_rate_says_why_it_is_not_available() -> None:
    """A gap (no month end in September) is not bridged: the state at the end of September is unknown."""
    tl_model = make_model(customers=[{"customer_id": "X1", "name": "甲", "contact": "张", "phone": "13800000000",
                                      "follow_grade": "A"}])
    tl_model.history = _entries(("2026-08", "", "", "period"), ("2026-08", "X1", "B", "new"))
    tl = timeline(tl_model, "2026-10", dt.date(2026, 10, 31))
    assert tl.periods == ["2026-08", "2026-10"]
    assert transition(tl, "2026-09", "2026-10", "B", "A").en == "history has no record for 2026-09 (no month end " \
        "was run for it)"
    assert transition(tl, "2026-07", "2026-08", "B", "A").en == "history starts 2026-08"
    assert transition(timeline(tl_model, "2026-09", dt.date(2026, 9, 30)), "2026-08", "2026-09", "B", "A") == (1, 1)
    r = compute_review(tl_model, period="2026-10", as_of=dt.date(2026, 10, 31))
    k = r.kpi("b_to_a_rate")
    assert (k.value, k.status, k.note.zh) == (None, "not_available", "等级历史没有 2026-09 的记录（当月未做月末处理）")
    # September's own rate needs the end of September too
    assert r.kpi("b_to_a_rate").previous_status == "not_available"


def test_customers_that_cannot_be_told_apart_are_not_recorded() -> None:
    """Two rows sharing an ID (a data error validation reports) keep no record; a customer without an
    ID is recorded by its name."""
    model = make_model(customers=[
        {"customer_id": "D1", "name": "甲公司", "contact": "张", "phone": "13800000000", "follow_grade": "B"},
        {"customer_id": "D1", "name": "乙公司", "contact": "李", "phone": "13800000001", "follow_grade": "A"},
        {"name": "丙公司", "contact": "王", "phone": "13800000002", "follow_grade": "B"}])
    res = run_history(model, "2026-10", dt.date(2026, 10, 31))
    assert res.changeset is not None and res.stats["history_shared"] == 2
    assert [r[1:4] for r in res.changeset.history.rows] == [["", "", ""], ["", "丙公司", "B"]]
    assert "2 户客户编号或名称重复，未记录" in res.summary.zh
    no_grade = make_model(customers=[{"name": "丙公司", "contact": "王", "phone": "13800000002"}],
                          columns={"customers": ["name", "contact", "phone"]})
    res = run_history(no_grade, "2026-10", dt.date(2026, 10, 31))
    assert res.changeset is None and "未找到列" in res.summary.zh
