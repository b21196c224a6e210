"""read_workbook on files typed by people: made with openpyxl / XlsxWriter in tmp_path."""

from __future__ import annotations

import datetime as dt
import math
import shutil
import subprocess
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter

from workbook_tools.reader import read_workbook
from workbook_tools.template import build_workbook


def codes(model, code: str) -> list:  # noqa: ANN001
    return [n for n in model.notices if n.code == code]


def write_openpyxl(path: Path, sheets: dict[str, list[list]], hidden_rows: dict[str, list[int]] | None = None,
                   hidden_sheets: tuple[str, ...] = (), merged: dict[str, list[str]] | None = None) -> Path:
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, rows in sheets.items():
        ws = wb.create_sheet(name)
        for row in rows:
            ws.append(row)
        for r in (hidden_rows or {}).get(name, []):
            ws.row_dimensions[r].hidden = True
        for ref in (merged or {}).get(name, []):
            ws.merge_cells(ref)
        if name in hidden_sheets:
            ws.sheet_state = "hidden"
    wb.save(path)
    return path


def test_title_rows_shuffled_english_headers(tmp_path: Path) -> None:
    p = write_openpyxl(tmp_path / "a.xlsx", {"Customers": [
        ["2024年 客户台账"], [],
        ["Phone", "Contact person", "Remarks", "Customer name", "Annual amount (10k CNY)", "Mystery"],
        ["13800138000", "张伟", None, "杭州云启科技有限公司", 12.5, "x"],
        ["13900139000", "李娜", "老客户", "上海华信有限公司", 60, None],
    ]})
    m = read_workbook(p)
    sh = m.sheets["customers"]
    assert sh.header_row == 3
    assert sh.columns == {"phone": 1, "contact": 2, "remarks": 3, "name": 4, "amount_annual": 5}
    assert sh.header_cells["name"] == "D3"
    assert list(sh.df.index) == [4, 5]
    assert sh.df.loc[5, "name"] == "上海华信有限公司"
    assert sh.df.loc[4, "amount_annual"] == 12.5
    assert sh.cell(5, "contact") == "B5"
    assert sh.unknown_columns == {"Mystery": 6}
    assert [n.cell for n in codes(m, "R-UNKNOWN-COLUMN")] == ["F3"]
    assert "amount_total" in sh.missing_columns
    assert not codes(m, "R-MISSING-COLUMN")  # every required column is there


def test_header_spelling_variants(tmp_path: Path) -> None:
    p = write_openpyxl(tmp_path / "b.xlsx", {"客户信息": [
        ["客户 名称", "联系人", "联系\n电话", "年度合作金额（万元）", "累计合作金额 (万元)", "客户名称"],
        ["杭州云启科技有限公司", "张伟", "138-0013-8000", "１２", " 1,234.5 ", "重复"],
    ]})
    m = read_workbook(p)
    sh = m.sheets["customers"]
    assert sh.name == "客户信息"
    assert {"name", "contact", "phone", "amount_annual", "amount_total"} <= set(sh.columns)
    assert [n.cell for n in codes(m, "R-DUPLICATE-COLUMN")] == ["F1"]
    row = sh.df.loc[2]
    assert row["phone"] == "13800138000"
    assert row["amount_annual"] == 12.0
    assert row["amount_total"] == 1234.5
    assert (2, "amount_annual") in sh.text_typed and (2, "amount_total") in sh.text_typed
    assert sh.raw.loc[2, "amount_annual"] == "１２"  # raw keeps what was typed


def test_missing_required_column_and_sheet(tmp_path: Path) -> None:
    p = write_openpyxl(tmp_path / "c.xlsx", {"客户基本信息": [["客户名称", "负责人"], ["杭州云启科技有限公司", "王芳"]]})
    m = read_workbook(p)
    missing = {n.message.zh for n in codes(m, "R-MISSING-COLUMN")}
    assert any("联系人" in t for t in missing) and any("联系方式" in t for t in missing)
    assert {n.message.zh for n in codes(m, "R-MISSING-SHEET")} == {"未找到工作表“沟通记录”", "未找到工作表“投诉登记”"}
    assert set(m.sheets) == {"customers"}
    assert codes(m, "R-NO-SETTINGS") and m.settings.get("tier_key_min") == 10.0


def test_sheet_found_by_header_when_name_unknown(tmp_path: Path) -> None:
    p = write_openpyxl(tmp_path / "d.xlsx", {"Sheet1": [["沟通日期", "客户名称", "沟通方式", "沟通内容"],
                                                        ["2024-03-05", "杭州云启科技有限公司", "电话", "报价"]]})
    m = read_workbook(p)
    assert m.sheets["contacts"].name == "Sheet1"
    assert codes(m, "R-SHEET-BY-HEADER")[0].sheet == "Sheet1"
    assert m.sheets["contacts"].df.loc[2, "contact_date"] == pd.Timestamp("2024-03-05")


@pytest.mark.parametrize("date1904", [False, True])
def test_date_systems(tmp_path: Path, date1904: bool) -> None:
    p = tmp_path / f"d{int(date1904)}.xlsx"
    wb = xlsxwriter.Workbook(str(p), {"date_1904": date1904})
    ws = wb.add_worksheet("沟通记录")
    fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    ws.write_row(0, 0, ["客户名称", "沟通时间", "录入时间", "截止时间"])
    ws.write(1, 0, "杭州云启科技有限公司")
    ws.write_datetime(1, 1, dt.datetime(2024, 3, 5), fmt)
    ws.write_datetime(1, 2, dt.datetime(2024, 3, 5, 17, 45), wb.add_format({"num_format": "yyyy-mm-dd hh:mm"}))
    # a serial number without a date format: the workbook's date system decides the date
    ws.write_number(1, 3, 45356 - (1462 if date1904 else 0))
    wb.close()
    m = read_workbook(p)
    assert m.date1904 is date1904
    df = m.sheets["contacts"].df
    assert df.loc[2, "contact_date"] == pd.Timestamp("2024-03-05")
    assert df.loc[2, "logged_at"] == pd.Timestamp("2024-03-05 17:45")
    assert df.loc[2, "due"] == pd.Timestamp("2024-03-05")


def test_dates_typed_as_text(tmp_path: Path) -> None:
    forms = ["2024-03-05", "2024/3/5", "2024.3.5", "2024年3月5日", "20240305", " 2024-03-05 ", "２０２４-０３-０５"]
    rows = [["客户名称", "沟通时间"]] + [[f"客户{i}", f] for i, f in enumerate(forms)] + [["坏日期", "2023年13月5日"]]
    m = read_workbook(write_openpyxl(tmp_path / "e.xlsx", {"沟通记录": rows}))
    sh = m.sheets["contacts"]
    n = len(forms)
    assert list(sh.df["contact_date"].iloc[:n]) == [pd.Timestamp("2024-03-05")] * n
    assert {(r, "contact_date") for r in range(2, 2 + n)} == sh.text_typed
    bad = 2 + n
    assert pd.isna(sh.df.loc[bad, "contact_date"]) and sh.raw.loc[bad, "contact_date"] == "2023年13月5日"
    assert codes(m, "R-TEXT-TYPED")[0].cell == "B2"


def test_stray_spaces_and_full_width(tmp_path: Path) -> None:
    m = read_workbook(write_openpyxl(tmp_path / "f.xlsx", {"客户基本信息": [
        ["客户名称", "联系人", "联系方式", "所属行业", "满意度", "客户编号"],
        ["  杭州云启科技有限公司 ", "\u3000张伟", "１３８００１３８０００", " 互联网 ", " 4 ", "２０２４-IT-００１"],
        ["   ", None, "", None, None, None],  # only spaces: not a record
    ]}))
    sh = m.sheets["customers"]
    assert list(sh.df.index) == [2]
    row = sh.df.loc[2]
    assert (row["name"], row["contact"], row["phone"], row["industry"]) == ("杭州云启科技有限公司", "张伟",
                                                                            "13800138000", "互联网")
    assert row["satisfaction"] == 4.0 and row["customer_id"] == "2024-IT-001"


def test_formula_without_cached_value(tmp_path: Path) -> None:
    p = write_openpyxl(tmp_path / "g.xlsx", {"客户基本信息": [
        ["客户名称", "联系人", "联系方式", "累计合作金额(万元)"],
        ["杭州云启科技有限公司", "张伟", "13800138000", "=10*2"],
        ["上海华信有限公司", "李娜", "13900139000", 5],
    ]})
    m = read_workbook(p)
    sh = m.sheets["customers"]
    assert sh.formulas_without_value == {(2, "amount_total")}
    found = codes(m, "R-FORMULA-NO-VALUE")
    assert [(n.sheet, n.cell) for n in found] == [("客户基本信息", "D2")]
    assert math.isnan(sh.df.loc[2, "amount_total"]) and sh.df.loc[3, "amount_total"] == 5


def test_formula_with_cached_value_is_read(tmp_path: Path) -> None:
    p = tmp_path / "h.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("客户基本信息")
    ws.write_row(0, 0, ["客户名称", "联系人", "联系方式", "累计合作金额(万元)"])
    ws.write_row(1, 0, ["杭州云启科技有限公司", "张伟", "13800138000"])
    ws.write_formula(1, 3, "=10*2", None, 20)
    wb.close()
    m = read_workbook(p)
    assert not m.sheets["customers"].formulas_without_value and not codes(m, "R-FORMULA-NO-VALUE")
    assert m.sheets["customers"].df.loc[2, "amount_total"] == 20


def test_merged_hidden_rows_hidden_sheet(tmp_path: Path) -> None:
    rows = [["客户基本信息表"], ["客户名称", "联系人", "联系方式", "负责人"]]
    rows += [[f"公司{i}", "张伟", "13800138000", "王芳"] for i in range(6)]
    p = write_openpyxl(tmp_path / "i.xlsx", {"客户基本信息": rows, "沟通记录": [["客户名称", "沟通时间"]],
                                            "备用": [["x"]]},
                       hidden_rows={"客户基本信息": [4, 6]}, hidden_sheets=("沟通记录",),
                       merged={"客户基本信息": ["A1:D1", "D5:D7"]})
    m = read_workbook(p)
    sh = m.sheets["customers"]
    assert sh.header_row == 2
    assert sh.merged == ["D5:D7"]  # the title merge above the header is fine
    assert [n.cell for n in codes(m, "R-MERGED-CELLS")] == ["D5"]
    assert sh.hidden_rows == {4, 6} and codes(m, "R-HIDDEN-ROWS")
    assert m.hidden_sheets == ["沟通记录"] and codes(m, "R-HIDDEN-SHEET")[0].sheet == "沟通记录"
    assert "contacts" in m.sheets
    assert [n.sheet for n in codes(m, "R-EXTRA-SHEET")] == ["备用"]


def test_xlsm(tmp_path: Path) -> None:
    src = build_workbook(tmp_path / "t.xlsx", data={"customers": [{"name": "杭州云启科技有限公司", "contact": "张伟",
                                                                   "phone": "13800138000"}]})
    dst = tmp_path / "t.xlsm"
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            data = zin.read(info.filename)
            if info.filename == "[Content_Types].xml":
                data = data.replace(b"spreadsheetml.sheet.main+xml", b"sheet.macroEnabled.main+xml")
            zout.writestr(info.filename, data)
    m = read_workbook(dst)
    assert m.format == "xlsm"
    assert m.sheets["customers"].df.loc[2, "name"] == "杭州云启科技有限公司"


@pytest.mark.soffice
def test_legacy_xls(tmp_path: Path) -> None:
    src = write_openpyxl(tmp_path / "old.xlsx", {"客户基本信息": [["客户名称", "联系人", "联系方式", "初次接触时间"],
                                                                 ["杭州云启科技有限公司", "张伟", "13800138000",
                                                                  dt.datetime(2024, 3, 5)]]})
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless",
                    "--convert-to", "xls", "--outdir", str(tmp_path), str(src)], check=True, timeout=180,
                   capture_output=True)
    m = read_workbook(tmp_path / "old.xls")
    assert m.format == "xls" and codes(m, "R-XLS-READONLY")
    row = m.sheets["customers"].df.loc[2]
    assert row["name"] == "杭州云启科技有限公司" and row["first_contact"] == pd.Timestamp("2024-03-05")
    # a month end refuses right after the read (it planned every step before), writing nothing
    from workbook_tools.errors import UnreadableWorkbook
    from workbook_tools.jobs.month_end import run_month_end

    before, steps = (tmp_path / "old.xls").read_bytes(), []
    with pytest.raises(UnreadableWorkbook, match="97-2003"):
        run_month_end(tmp_path / "old.xls", month="2026-10", progress=lambda key, *_: steps.append(key))
    assert steps == ["read"] and (tmp_path / "old.xls").read_bytes() == before
    assert not (tmp_path / ".wbt-backups").exists()


def test_only_some_sheets(tmp_path: Path) -> None:
    src = build_workbook(tmp_path / "t.xlsx")
    m = read_workbook(src, sheets=["customers"])
    assert set(m.sheets) == {"customers"}
    assert m.settings.industry_codes["制造业"] == "MF"


def test_values_match_openpyxl(tmp_path: Path) -> None:
    """Cross-check: every mapped cell of a sample file as the reader stored it equals openpyxl's value."""
    from workbook_tools.sample import generate_sample

    p = tmp_path / "s.xlsx"
    generate_sample(p, customers=60, seed=3, defects=0.2)
    m = read_workbook(p)
    wb = openpyxl.load_workbook(p, read_only=True, data_only=True)
    checked = 0
    for sh in m.sheets.values():
        ws = wb[sh.name]
        values = {r: row for r, row in enumerate(ws.iter_rows(values_only=True), start=1)}
        assert sh.n_rows == sum(1 for r, row in values.items() if r > sh.header_row and any(
            v not in (None, "") for i, v in enumerate(row, start=1) if i in sh.columns.values()))
        for key, col in sh.columns.items():
            for r in sh.df.index:
                theirs = values[r][col - 1]
                ours = sh.raw.loc[r, key]
                if isinstance(theirs, dt.datetime) and not isinstance(ours, dt.datetime):
                    theirs = theirs.date() if theirs.time() == dt.time() else theirs
                if theirs == "":
                    theirs = None
                assert ours == theirs or (isinstance(ours, float) and ours == pytest.approx(theirs)), \
                    (sh.name, r, key, ours, theirs)
                checked += 1
    wb.close()
    assert checked > 1000
    shutil.rmtree(tmp_path, ignore_errors=True)


def test_stray_rows_in_a_sheet_not_read_are_harmless(tmp_path: Path) -> None:
    p = tmp_path / "junk.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("客户基本信息")
    ws.write_row(0, 0, ["客户名称", "联系人", "联系方式"])
    ws.write_row(1, 0, ["杭州云启科技有限公司", "张伟", "13800138000"])
    junk = wb.add_worksheet("草稿")
    junk.write(1_048_575, 0, "x")  # never read, so never allocated
    wb.close()
    m = read_workbook(p)
    assert m.sheets["customers"].n_rows == 1
    assert [n.sheet for n in codes(m, "R-EXTRA-SHEET")] == ["草稿"]


def test_frame_dtypes_and_make_model_inputs() -> None:
    """make_model goes through the same build_sheet: None, NaN, bools, ints, dates and text."""
    from workbook_tools.testing import make_model

    m = make_model(customers=[
        {"name": "杭州云启科技有限公司", "phone": 13800138000, "amount_annual": float("nan"), "satisfaction": 5,
         "first_contact": dt.date(2024, 3, 5), "founded": 2015, "email": "ＺＨＡＮＧ@example.com"},
        {"name": None, "phone": None, "amount_annual": None},  # an empty row is dropped
        {"name": "上海华信有限公司", "first_contact": "2024/3/6", "founded": "2010年", "amount_annual": "12"},
    ])
    sh = m.sheets["customers"]
    assert list(sh.df.index) == [2, 4]
    assert str(sh.df["first_contact"].dtype) == "datetime64[ns]" and sh.df["amount_annual"].dtype == "float64"
    assert sh.df["name"].dtype == object
    assert sh.df.loc[2, "phone"] == "13800138000" and sh.df.loc[2, "satisfaction"] == 5.0
    assert sh.df.loc[2, "founded"] == pd.Timestamp("2015-01-01") and sh.df.loc[4, "founded"] == pd.Timestamp("2010-01-01")
    assert sh.df.loc[2, "email"] == "ZHANG@example.com"
    assert sh.df.loc[4, "first_contact"] == pd.Timestamp("2024-03-06")
    assert sh.text_typed == {(4, "first_contact"), (4, "founded"), (4, "amount_annual")}
    assert math.isnan(sh.df.loc[2, "amount_annual"]) and sh.df.loc[4, "amount_annual"] == 12.0


def test_error_values_are_reported(tmp_path: Path) -> None:
    p = tmp_path / "err.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("客户基本信息")
    ws.write_row(0, 0, ["客户名称", "联系人", "联系方式", "累计合作金额(万元)"])
    ws.write_row(1, 0, ["杭州云启科技有限公司", "张伟", "13800138000"])
    ws.write_formula(1, 3, "=1/0", None, "#DIV/0!")
    wb.close()
    m = read_workbook(p)
    found = codes(m, "R-CELL-ERROR")
    assert [(n.cell, "#DIV/0!" in n.message.zh) for n in found] == [("D2", True)]
    assert math.isnan(m.sheets["customers"].df.loc[2, "amount_total"])


@pytest.mark.parametrize("chunk", [64, 1000, 1 << 22])
def test_xml_scan_across_chunk_boundaries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, chunk: int) -> None:
    """Hidden rows, formulas without value and the last row are found whatever the chunk size,
    inline or deferred (and deferred with the memory bound switching to inline)."""
    from workbook_tools.reader import safety, xmlscan

    rows = [["客户名称", "联系人", "联系方式", "累计合作金额(万元)"]]
    rows += [[f"公司{i}", "张伟", "13800138000", f"=ROW()*{i}" if i % 7 == 0 else i] for i in range(300)]
    p = write_openpyxl(tmp_path / "x.xlsx", {"客户基本信息": rows}, hidden_rows={"客户基本信息": [5, 77, 250]})
    monkeypatch.setattr(safety, "CHUNK", chunk)
    expected_formulas = {(i + 2, 4) for i in range(300) if i % 7 == 0}
    results = []
    with zipfile.ZipFile(p) as zf:
        results.append(xmlscan.scan_sheet(zf, "xl/worksheets/sheet1.xml", p, "s"))
        results.append(xmlscan.finish_facts(xmlscan.scan_sheet(zf, "xl/worksheets/sheet1.xml", p, "s",
                                                               defer_facts=True)))
        monkeypatch.setattr(xmlscan, "DEFER_MAX_BYTES", 2000)
        results.append(xmlscan.finish_facts(xmlscan.scan_sheet(zf, "xl/worksheets/sheet1.xml", p, "s",
                                                               defer_facts=True)))
    for scan in results:
        assert scan.hidden_rows == {5, 77, 250}
        assert set(scan.formulas_without_value) == expected_formulas
        assert scan.last_row == 301 and scan.n_rows == 301


def test_the_tools_own_sheets_are_not_reported_as_foreign(tmp_path: Path) -> None:
    """After a write with marks the workbook holds 变更日志 and the veryHidden _wbt_marks: both are the tool's."""
    from workbook_tools.changeset import CellMark, Changeset
    from workbook_tools.writer import apply_changeset

    path = build_workbook(tmp_path / "t.xlsx", data={"customers": [{"name": "杭州云启科技有限公司", "contact": "张伟",
                                                                     "phone": "13800138000"}]})
    cs = Changeset("test", marks=[CellMark("客户基本信息", "B2", "warning")])
    cs.edit("客户基本信息", "I2", "李强")
    apply_changeset(path, cs, backup_keep=0)
    model = read_workbook(path)
    assert {"变更日志", "_wbt_marks"} <= set(model.sheet_names)
    assert codes(model, "R-EXTRA-SHEET") == []
