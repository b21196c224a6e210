"""Masked export: masking rules, and no phone or e-mail of the source anywhere in the copy."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.ops.export import run_export_masked
from workbook_tools.ops.mask import TextScrubber, mask_email, mask_name, mask_phone
from workbook_tools.reader import read_workbook
from workbook_tools.template import build_workbook
from workbook_tools.testing import make_model
from workbook_tools.writer.exports import write_exports


@pytest.mark.parametrize(("raw", "want"), [
    ("13800138000", "138****8000"), ("138-0013-8000", "138****8000"), (13800138000, "138****8000"),
    (13800138000.0, "138****8000"), ("+86 138 0013 8000", "138****8000"), ("0571-88886666", "0571****6666"),
    ("010-12345678", "010****5678"), ("02188886666", "021****6666"), ("12345", "****"),
])
def test_mask_phone(raw: object, want: str) -> None:
    assert mask_phone(raw) == want


def test_mask_name_and_email() -> None:
    assert mask_name("王伟") == "王*"
    assert mask_name("欧阳娜娜") == "欧*"
    assert mask_name("李娜、王强") == "李*、王*"
    assert mask_name("John Smith") == "J* S*"
    assert mask_name(None) is None
    assert mask_email("Zhang.Wei@YunQi.com") == "***@yunqi.com"
    assert mask_email("not an address @") == "***"


def test_scrubber_free_text() -> None:
    s = TextScrubber(phones=["139 1234 5678"], emails=["a.b@x-y.cn"])
    text = "客户张三 电话13912345678，座机 0571-87654321，邮件 a.b@x-y.cn 或 c@d.com；2024-03-05 签约 12 万"
    out = s(text)
    assert "13912345678" not in out and "87654321" not in out
    assert "a.b@x-y.cn" not in out and "c@d.com" not in out
    assert "139****5678" in out and "0571****4321" in out and "***@x-y.cn" in out and "***@d.com" in out
    # dates and amounts stay
    assert "2024-03-05" in out and "12 万" in out


PHONES = ["13766554433", "139-1234-5678", "0571-88886666", "15011112222"]
EMAILS = ["zhang.wei@yunqi.com", "li@haitai.com.cn"]


def _source(tmp_path: Path) -> Path:
    data = {
        "customers": [
            {"customer_id": "2024-IT-001", "name": "杭州云启科技有限公司", "contact": "郑晓峰", "phone": PHONES[0],
             "email": EMAILS[0], "owner": "李娜", "remarks": "备用手机 139 1234 5678，也可发 li@haitai.com.cn"},
            {"customer_id": "2024-MF-001", "name": "宁波海泰制造有限公司", "contact": "钱多多", "phone": PHONES[2],
             "email": EMAILS[1], "owner": "陈静", "risks": "财务电话15011112222"},
        ],
        "contacts": [
            {"customer_id": "2024-IT-001", "contact_date": dt.date(2026, 10, 8), "follower": "李娜",
             "participants": "郑晓峰、赵敏", "summary": "张总新号码 137-6655-4433，邮箱 zhang.wei@yunqi.com"},
        ],
        "complaints": [
            {"complaint_id": "TS-2026-0001", "customer_id": "2024-MF-001",
             "received_at": dt.datetime(2026, 10, 9, 9, 0), "description": "客户致电 0571 88886666 反映登录失败"},
        ],
    }
    path = tmp_path / "src.xlsx"
    build_workbook(path, data=data)
    return path


def _all_cells(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out = [str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row if v is not None]
    wb.close()
    return out


def test_masked_copy_has_no_source_phone_or_email(tmp_path: Path) -> None:
    src = _source(tmp_path)
    model = read_workbook(src)
    res = run_export_masked(model, out=tmp_path / "out.xlsx")
    assert res.changeset is None
    (out,) = write_exports(res)
    cells = _all_cells(out)
    blob = "\n".join(cells)
    digits_only = re.sub(r"[\s\-]", "", blob)
    for p in PHONES:
        d = re.sub(r"\D", "", p)
        assert d not in digits_only, p
        assert p not in blob
    for e in EMAILS:
        assert e.lower() not in blob.lower()
    for name in ("郑晓峰", "钱多多", "赵敏"):
        assert name not in blob
    # the template's own help examples are not source data: ours differ from them
    # what stays: company names, staff names, masked forms
    assert "杭州云启科技有限公司" in cells and "李娜" in cells
    assert "137****4433" in cells and "0571****6666" in cells and "***@yunqi.com" in cells and "郑*" in cells and "郑*、赵*" in cells
    assert res.stats["masked"]["phones"] == 2 and res.stats["masked"]["emails"] == 2
    assert res.stats["masked"]["free_text"] == 4


def test_masked_copy_keeps_template_dropdowns(tmp_path: Path) -> None:
    src = _source(tmp_path)
    (out,) = write_exports(run_export_masked(read_workbook(src), out=tmp_path / "out.xlsx"))
    wb = openpyxl.load_workbook(out)
    ws = wb["客户基本信息"]
    assert ws.data_validations.dataValidation, "dropdowns lost"
    assert "list_stage" in wb.defined_names
    assert set(wb.sheetnames) >= {"客户基本信息", "沟通记录", "投诉登记", "代码表"}
    wb.close()


def test_marketing_role_has_no_contact_data_or_log() -> None:
    model = make_model(customers=[{"name": "甲公司", "contact": "张伟", "phone": "13800138000",
                                   "email": "a@b.com", "address": "某路1号", "industry": "教育", "owner": "李娜"}],
                       contacts=[{"customer_name": "甲公司", "contact_date": "2026-10-01", "summary": "x"}])
    res = run_export_masked(model, out="m.xlsx", role="marketing")
    data = res.exports[0].data
    assert data["contacts"] == [] and data["complaints"] == []
    (row,) = data["customers"]
    assert row["name"] == "甲公司" and row["industry"] == "教育"
    assert not {"contact", "phone", "email", "address", "owner"} & set(row)


def test_settings_are_carried_into_the_copy(tmp_path: Path) -> None:
    model = make_model(customers=[{"name": "甲公司", "phone": "13800138000"}], settings={"tier_key_min": 12.0})
    (out,) = write_exports(run_export_masked(model, out=tmp_path / "o.xlsx"))
    assert read_workbook(out).settings.get("tier_key_min") == 12.0


def test_cli_mask(tmp_path: Path) -> None:
    src = _source(tmp_path)
    before = src.read_bytes()
    r = CliRunner().invoke(cli, ["export", str(src), "--mask", "-o", str(tmp_path / "c.xlsx")])
    assert r.exit_code == 0, r.output
    assert (tmp_path / "c.xlsx").exists()
    assert src.read_bytes() == before
    r = CliRunner().invoke(cli, ["export", str(src), "--mask", "-o", str(src)])
    assert r.exit_code == 2
    assert src.read_bytes() == before
    r = CliRunner().invoke(cli, ["export", str(src)])
    assert r.exit_code == 2
