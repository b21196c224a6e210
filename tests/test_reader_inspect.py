"""`wbt inspect` end to end on real files (console and --json)."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.sample import generate_sample


def test_inspect_json_on_sample(tmp_path: Path) -> None:
    p = tmp_path / "s.xlsx"
    info = generate_sample(p, customers=40, seed=5)
    res = CliRunner().invoke(cli, ["--lang", "en", "inspect", str(p), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.output)
    rows = {s["schema_sheet"]: s["rows"] for s in data["sheets"]}
    assert rows == {"customers": info.customers, "contacts": info.contacts, "complaints": info.complaints}
    cust = next(s for s in data["sheets"] if s["schema_sheet"] == "customers")
    assert cust["columns"][0] == {"cell": "A1", "text": "客户编号", "key": "customer_id", "schema_header": "Customer ID",
                                  "how": "exact", "unit": None, "unit_from": None}
    amount = next(c for c in cust["columns"] if c["key"] == "amount_annual")
    assert (amount["how"], amount["unit"], amount["unit_from"]) == ("exact", "万元", "header")
    assert [h["how"] for h in cust["headers"]] == ["exact"] * len(cust["headers"])
    assert cust["missing_required"] == [] and cust["unknown_columns"] == []
    assert {o["name"]: o["role"] for o in data["other_sheets"]} == {"代码表": "settings", "说明": "instructions"}
    assert data["settings"]["industry_codes"]["制造业"] == "MF"


def test_inspect_console_reports_problems(tmp_path: Path) -> None:
    p = tmp_path / "odd.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户台账"
    ws.append(["客户清单"])
    ws.append(["客户名称", "电话", "奇怪的列"])
    ws.append(["杭州云启科技有限公司", "13800138000", "?"])
    wb.save(p)
    res = CliRunner().invoke(cli, ["--lang", "zh", "inspect", str(p)], terminal_width=200)
    assert res.exit_code == 0, res.output
    out = res.output
    assert "客户台账" in out and "奇怪的列" in out and "contact" in out  # missing required column listed
    assert "R-UNKNOWN-COLUMN" in out and "R-MISSING-COLUMN" in out and "R-MISSING-SHEET" in out
