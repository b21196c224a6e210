"""Import from messy sources: GBK CSV, merged title row, English headers, duplicates, conflicts."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import xlsxwriter
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.errors import WbtError
from workbook_tools.jobs.importing import load_mapping, read_source
from workbook_tools.ops.importer import map_source, run_import
from workbook_tools.reader import read_workbook
from workbook_tools.schema import SCHEMA
from workbook_tools.template import build_workbook
from workbook_tools.testing import make_model

CUST = SCHEMA.sheet("customers")


def _book(tmp_path: Path) -> Path:
    p = tmp_path / "book.xlsx"
    build_workbook(p, data={"customers": [
        {"customer_id": "2024-IT-001", "name": "杭州云启科技有限公司", "contact": "郑晓峰", "phone": "13766554433",
         "owner": "李娜"},
        {"name": "宁波海泰制造有限公司", "contact": "钱多多", "phone": "057188886666"}]})
    return p


def _gbk_csv(tmp_path: Path) -> Path:
    p = tmp_path / "src.csv"
    p.write_bytes(("2024年客户名单,,,,,\n"
                   "公司名称,Contact,手机号,年度合作金额,行业类别,奇怪列\n"
                   "杭州云启科技有限公司,郑晓峰,137-6655-4433,200000,IT服务,x\n"
                   "宁波海泰制造有限公司,孙立,13900001111,,制造业,y\n"
                   "上海新客户有限公司,周一,139 0000 2222,50000,互联网,z\n"
                   "上海新客户有限公司 ,周一,13900002222,50000,互联网,z\n").encode("gbk"))
    return p


def test_gbk_csv_with_title_row(tmp_path: Path) -> None:
    t = read_source(_gbk_csv(tmp_path), CUST)
    assert t.encoding == "gbk" and t.header_row == 2 and len(t.rows) == 4
    assert t.headers[0] == "公司名称"


def test_utf8_bom_csv_and_semicolons(tmp_path: Path) -> None:
    p = tmp_path / "u.csv"
    p.write_bytes("\ufeffCustomer name;Phone;E-mail\n甲公司;13800001111;A@B.COM\n".encode())
    t = read_source(p, CUST)
    assert t.encoding == "utf-8" and t.headers == ["Customer name", "Phone", "E-mail"]
    cols = map_source(CUST, t.headers).columns
    assert cols == {0: "name", 1: "phone", 2: "email"}
    res = run_import(make_model(), t)
    news = {e.cell: e.new for e in res.changeset.edits}
    assert news == {"B2": "甲公司", "K2": "13800001111", "L2": "a@b.com"}


def test_xlsx_source_with_merged_title(tmp_path: Path) -> None:
    p = tmp_path / "s.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("名单")
    ws.merge_range("A1:D1", "客户导入表（2024）")
    ws.write_row(1, 0, ["客户全称", "联系人", "电话", "首次合作日期"])
    ws.write_row(2, 0, ["甲公司", "王五", "13800001111", "2024/3/5"])
    ws.write_row(3, 0, ["乙公司", "赵六", 13800002222, "-"])
    wb.close()
    t = read_source(p, CUST)
    assert t.header_row == 2
    res = run_import(make_model(), t)
    news = {e.cell: e.new for e in res.changeset.edits}
    assert news["O2"] == dt.date(2024, 3, 5) and "O3" not in news     # '-' means none yet
    assert news["K3"] == "13800002222"                                  # a number phone → digits text
    assert res.stats["new_rows"] == 2


def test_duplicates_conflicts_fill_and_yuan(tmp_path: Path) -> None:
    model = read_workbook(_book(tmp_path))
    res = run_import(model, read_source(_gbk_csv(tmp_path), CUST), yuan_to_wan=True)
    s = res.stats
    assert (s["new_rows"], s["conflicts"], s["duplicates_in_source"]) == (1, 2, 1)
    edits = {e.cell: e for e in res.changeset.edits}
    assert edits["S2"].new == 20.0 and edits["S2"].old is None           # 200000 元 → 20 万元, empty cell filled
    assert "I3" not in edits and "K3" not in edits                     # conflicts are not written
    assert {c["cell"] for c in s["conflict_list"]} == {"I3", "K3"}
    assert edits["B4"].new == "上海新客户有限公司" and edits["K4"].new == "13900002222"
    codes = [f.code for f in res.findings]
    assert codes.count("IM-CONFLICT") == 2 and "IM-DUPLICATE" in codes and "IM-UNMAPPED" in codes
    # --overwrite replaces, carrying the old value for the writer's check
    res2 = run_import(model, read_source(_gbk_csv(tmp_path), CUST), overwrite=True, yuan_to_wan=True)
    e = {x.cell: x for x in res2.changeset.edits}
    assert e["I3"].new == "孙立" and e["I3"].old == "钱多多"
    assert res2.stats["overwritten_cells"] == 2


def test_unmapped_header_suggestions_and_mapping_file(tmp_path: Path) -> None:
    headers = ["客户名", "联系电活", "销售代表"]
    sm = map_source(CUST, headers)
    sugg = sm.suggestions
    assert "客户名称" in sugg["客户名"] and "联系电话" not in sugg["联系电活"]  # suggestions are column names
    assert "联系方式" in sugg["联系电活"]
    m = tmp_path / "map.toml"
    m.write_text('[columns]\n"客户名" = "name"\n"销售代表" = "负责人"\n', encoding="utf-8")
    sm = map_source(CUST, headers, load_mapping(m))
    assert sm.columns[0] == "name" and sm.columns[2] == "owner" and list(sm.suggestions) == ["联系电活"]
    assert sm.matches[0].how == "pinned"
    bad = tmp_path / "bad.toml"
    bad.write_text('[columns]\n"x" = "no such column"\n', encoding="utf-8")
    with pytest.raises(WbtError):
        map_source(CUST, ["x"], load_mapping(bad))


def test_cli_dry_run_is_byte_identical_then_apply(tmp_path: Path) -> None:
    book = _book(tmp_path)
    src = _gbk_csv(tmp_path)
    before = book.read_bytes()
    # the source's 年度合作金额 states no unit and holds 200000: 元 or 万元? Refused, even as a dry run
    r = CliRunner().invoke(cli, ["import", str(book), str(src), "--dry-run", "--json"])
    assert r.exit_code == 2, r.output
    assert "年度合作金额" in r.output and "--yuan-to-wan" in r.output
    r = CliRunner().invoke(cli, ["import", str(book), str(src), "--dry-run", "--json", "--yuan-to-wan"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["dry_run"] and out["stats"]["new_rows"] == 1
    assert book.read_bytes() == before
    r = CliRunner().invoke(cli, ["import", str(book), str(src), "--yuan-to-wan"])
    assert r.exit_code == 0, r.output
    m = read_workbook(book)
    df = m.sheet("customers").df
    assert df["name"].tolist() == ["杭州云启科技有限公司", "宁波海泰制造有限公司", "上海新客户有限公司"]
    assert df.loc[2, "amount_annual"] == 20.0 and df.loc[3, "contact"] == "钱多多"
    # a second import finds everything already there: nothing new
    r = CliRunner().invoke(cli, ["import", str(book), str(src), "--yuan-to-wan", "--json"])
    out = json.loads(r.output)
    assert out["stats"]["new_rows"] == 0 and out["stats"]["filled_cells"] == 0


def test_cli_bad_source(tmp_path: Path) -> None:
    book = _book(tmp_path)
    r = CliRunner().invoke(cli, ["import", str(book), str(tmp_path / "none.csv")])
    assert r.exit_code == 2 and "找不到" in r.output


def test_contacts_are_appended(tmp_path: Path) -> None:
    p = tmp_path / "c.csv"
    p.write_text("客户名称,跟进日期,跟进方式,沟通内容\n甲公司,2024年3月5日,电话拜访,谈续约\n乙公司,20240306,微信,报价\n",
                 encoding="utf-8")
    model = make_model(contacts=[{"customer_name": "甲公司", "contact_date": "2024-01-02"}])
    res = run_import(model, read_source(p, SCHEMA.sheet("contacts")), sheet_key="contacts")
    news = {e.cell: e.new for e in res.changeset.edits}
    sh = model.sheet("contacts")
    assert res.stats["new_rows"] == 2
    assert news[sh.cell(3, "customer_name")] == "甲公司" and news[sh.cell(3, "contact_date")] == dt.date(2024, 3, 5)
    assert news[sh.cell(4, "contact_date")] == dt.date(2024, 3, 6) and news[sh.cell(4, "method")] == "微信"
    assert all(e.old is None for e in res.changeset.edits)


@pytest.mark.skipif(__import__("shutil").which("soffice") is None, reason="LibreOffice is needed to make an .xls")
def test_xls_source(tmp_path: Path) -> None:
    import subprocess

    src = tmp_path / "old.xlsx"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet()
    ws.write_row(0, 0, ["客户名称", "手机"])
    ws.write_row(1, 0, ["甲公司", "138 0000 1111"])
    wb.close()
    subprocess.run(["soffice", f"-env:UserInstallation=file:///tmp/lo-h8-{tmp_path.name}", "--headless",
                    "--convert-to", "xls", "--outdir", str(tmp_path), str(src)], check=True, capture_output=True,
                   timeout=120)
    t = read_source(tmp_path / "old.xls", CUST)
    res = run_import(make_model(), t)
    assert {e.cell: e.new for e in res.changeset.edits} == {"B2": "甲公司", "K2": "13800001111"}


def test_source_without_known_headers_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "x.csv"
    p.write_text("foo,bar\n1,2\n", encoding="utf-8")
    book = _book(tmp_path)
    before = book.read_bytes()
    r = CliRunner().invoke(cli, ["import", str(book), str(p)])
    assert r.exit_code == 1 and "找不到任何可识别的列名" in r.output
    assert book.read_bytes() == before


def test_import_overwrite_logs_each_replaced_value_and_one_row_per_filled_column(tmp_path: Path) -> None:
    """变更日志 after --overwrite: a row per typed value replaced (I3, K3); the empty cells filled and
    the new customer's cells counted per column (B4, I4, K4 are the only fills of their columns)."""
    import openpyxl

    from workbook_tools.writer import apply_changeset

    book = _book(tmp_path)
    res = run_import(read_workbook(book), read_source(_gbk_csv(tmp_path), CUST), overwrite=True, yuan_to_wan=True)
    apply_changeset(book, res.changeset, user="u")
    rows = [r[2:8] for r in openpyxl.load_workbook(book, read_only=True)["变更日志"].iter_rows(min_row=2,
                                                                                               values_only=True)]
    assert rows == [
        ("import", "客户基本信息!S2,S4", None, None, 2, "(空)→20 1；(空)→5 1"),
        ("import", "客户基本信息!D2:D4", None, None, 3, "(空)→IT服务 1；(空)→互联网 1；(空)→制造业 1"),
        ("import", "客户基本信息!I3", "钱多多", "孙立", 1, None),
        ("import", "客户基本信息!K3", "057188886666", "13900001111", 1, None),
        ("import", "客户基本信息!B4", None, "上海新客户有限公司", 1, None),
        ("import", "客户基本信息!I4", None, "周一", 1, None),
        ("import", "客户基本信息!K4", None, "13900002222", 1, None),
    ]
    assert sum(r[4] for r in rows) == len(res.changeset.edits)
