"""How the review is shown: charts declared once and drawn by the sheet and the HTML
report alike, complaints on a second axis, shares as %, and wrapped texts with the height they need
(the review and 校验结果)."""

from __future__ import annotations

import re
import zipfile

import openpyxl
import pytest
from _review_util import zh  # noqa: F401 - an autouse fixture: labels in Chinese
from test_review import AS_OF, COMPLAINTS, CONTACTS, CUSTOMERS

from workbook_tools.changeset import GeneratedSheet
from workbook_tools.i18n import L
from workbook_tools.model import Finding
from workbook_tools.ops.review import compute_review, review_result
from workbook_tools.ops.review.charts import CHARTS
from workbook_tools.ops.validate.annotate import results_sheet
from workbook_tools.report import render_report, write_sheet_workbook
from workbook_tools.report.svg import line_chart
from workbook_tools.testing import make_model


@pytest.fixture
def review():
    model = make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS)
    return compute_review(model, month="2024-05", as_of=AS_OF, source="crm.xlsx")


def test_one_chart_list_for_the_sheet_and_the_html(review):
    sheet = review_result(review).changeset.add_sheets[0]
    html = render_report(review, "html")
    drawn = [c for c in CHARTS if review.table(c.table).rows]
    assert [s.title for s in sheet.charts] == [c.title_for(review.period).zh for c in drawn]
    assert re.findall(r"<svg [^>]*aria-label='([^']*)'", html) == [c.title_for(review.period).zh for c in CHARTS]
    trend = next(s for s in sheet.charts if s.kind == "line")
    assert trend.y2 == (1,) and [name for name, _ in trend.series] == ["沟通记录", "投诉（右轴）"]
    channels = next(s for s in sheet.charts if "成交率" in s.title)
    assert channels.percent and channels.kind == "bar"


def test_the_written_charts_have_a_second_axis_and_percent_labels(review, tmp_path):
    path = write_sheet_workbook(review_result(review).changeset.add_sheets[0], tmp_path / "r.xlsx")
    with zipfile.ZipFile(path) as zf:
        charts = {n: zf.read(n).decode() for n in zf.namelist() if n.startswith("xl/charts/chart")}
    trend = next(x for x in charts.values() if "投诉（右轴）" in x)
    assert trend.count("<c:valAx>") == 2 and trend.count("<c:lineChart>") == 2   # complaints on their own axis
    second = trend.split("<c:lineChart>")[2]
    assert "投诉（右轴）" in second and "沟通记录" not in second
    rate = next(x for x in charts.values() if "成交率" in x)
    assert 'formatCode="0%"' in rate and 'formatCode="0.0%"' in rate             # axis and labels in %
    assert '<c:orientation val="maxMin"/>' in rate                               # table order, top-down


def test_rates_are_percentages_on_the_sheet_and_in_the_reports(review, tmp_path):
    sheet = review_result(review).changeset.add_sheets[0]
    path = write_sheet_workbook(sheet, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(path).active
    k = review.kpi("complaint_rate")                # 3 of the 4 May customers complained (test_review)
    r = next(r for r in range(1, ws.max_row + 1) if ws.cell(r, 1).value == "投诉率")
    assert ws.cell(r, 2).value == pytest.approx(0.75) and ws.cell(r, 2).number_format == "0.0%"
    assert ws.cell(r, 5).value == "3 / 4"
    html, md = render_report(review, "html"), render_report(review, "md")
    assert '<td class="value">75.0%</td>' in html and "| 投诉率 | 75.0% |" in md
    assert k.delta == pytest.approx(41.7) and "▲ +41.7 个百分点" in html


def test_svg_trend_puts_the_small_series_on_its_own_scale():
    svg = line_chart("t", ["5月", "6月"], [("沟通", [100, 200], False), ("投诉", [1, 2], True)])
    lines = re.findall(r"<polyline points='([^']*)'", svg)
    # each series reaches the top of its own axis (200 and 2): the same last point, not a flat line at 0
    assert lines[0].split()[-1] == lines[1].split()[-1]
    assert ">2</text>" in svg and ">200</text>" in svg          # both axes are labelled


def test_results_sheet_wraps_problem_and_hint_with_room_to_read_them(tmp_path):
    """校验结果: the problem and the fix wrap, and the row is as tall as the longer of them needs
    (a 60-wide column holds 59 half-width characters a line; a CJK character takes two)."""
    msg = "长" * 70                                   # 140 units → 3 lines in the 60-wide 问题 column
    hint = "改" * 30                                  # 60 units → 2 lines in the 48-wide 建议 column
    f = Finding("AMOUNT", "error", "客户基本信息", L(msg, msg), cell="S2", row=2, column="amount_annual",
                value=-1, hint=L(hint, hint))
    model = make_model(customers=[{"name": "甲公司", "contact": "甲", "phone": "13800000000"}])
    sheet = results_sheet(model, [f], {"as_of": "2024-06-30", "errors": 1, "warnings": 0, "infos": 0})
    assert sheet.cells[(6, 6)] == (msg, "wrap_mid") and sheet.cells[(6, 7)] == (hint, "wrap_mid")
    assert sheet.row_heights == {6: 14 * 3 + 3}
    ws = openpyxl.load_workbook(write_sheet_workbook(sheet, tmp_path / "v.xlsx")).active
    assert ws.row_dimensions[6].height == 45 and ws.cell(6, 6).alignment.wrap_text


def test_fit_wrapped_rows_leaves_short_and_merged_cells_alone():
    gs = GeneratedSheet("x", col_widths={1: 10})
    gs.put(1, 1, "短", "wrap")
    gs.put(2, 1, "a" * 30, "cell")                    # not wrapped: overflows, no height
    gs.put(3, 1, "a" * 30, "wrap")                    # 30 / 9 → 4 lines
    gs.put(4, 1, "a" * 30, "wrap")
    gs.merges.append("A4:C4")
    gs.fit_wrapped_rows()
    assert gs.row_heights == {3: 14 * 4 + 3}
