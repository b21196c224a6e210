"""The review sheet rendered through LibreOffice headless: not blank, Chinese glyphs, rates and charts present."""

from __future__ import annotations

import datetime as dt

import pytest
from test_review import AS_OF, COMPLAINTS, CONTACTS, CUSTOMERS

from workbook_tools.i18n import set_lang
from workbook_tools.ops.review import run_review
from workbook_tools.report import write_sheet_workbook
from workbook_tools.testing import make_model
from workbook_tools.testing.soffice import pdf_text, png_is_blank, render_png


@pytest.mark.soffice
def test_review_sheet_renders_with_chinese_text(tmp_path):
    set_lang("zh")
    try:
        model = make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS)
        sheet = run_review(model, month="2024-05", as_of=AS_OF, source="crm.xlsx").changeset.add_sheets[0]
    finally:
        set_lang(None)
    xlsx = write_sheet_workbook(sheet, tmp_path / "review.xlsx")
    pngs = render_png(xlsx, tmp_path / "png")
    assert pngs and not png_is_blank(pngs[0])
    text = pdf_text(tmp_path / "png" / "review.pdf", first=1, last=1)  # render_png went through this PDF
    # and the figures read as a manager needs them: rates in %, changes in percentage points, the
    # complaints' own axis named, the charts declared in ops/review/charts.py drawn
    for word in ("2024-05 月度复盘", "关键指标", "新增客户", "流失客户", "按负责人", "张三", "比率（与上月比较）",
                 "75.0%", "个百分点", "投诉（右轴）", "各来源成交率"):
        assert word in text, word


def test_review_workbook_holds_values_and_charts(tmp_path):
    """The separate review workbook (--out): one sheet, values (no formulas), six charts."""
    import openpyxl

    model = make_model(customers=CUSTOMERS, contacts=CONTACTS, complaints=COMPLAINTS)
    sheet = run_review(model, month="2024-05", as_of=AS_OF).changeset.add_sheets[0]
    path = write_sheet_workbook(sheet, tmp_path / "out" / "review.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["2024-05 月度复盘"]
    ws = wb.active
    assert len(ws._charts) == 6
    formulas = [c.coordinate for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert formulas == []
    found = {(c.row, c.column): c.value for row in ws.iter_rows() for c in row if c.value is not None}
    for (r, c), (v, _) in sheet.cells.items():
        if v is None:
            continue
        got = found[(r, c)]
        if isinstance(v, dt.date) and not isinstance(v, dt.datetime):
            got = got.date()
        assert got == v, (r, c)
