"""Export by owner: each file holds only its owner's customers and their log and complaint rows."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.ops.export import run_export_by_owner, safe_file_name, write_exports
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.testing import make_model


def _rows(path: Path, sheet: str) -> list[dict[str, object]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb[sheet]
    it = ws.iter_rows(values_only=True)
    head = next(it)
    out = [dict(zip(head, r)) for r in it if any(v is not None for v in r)]
    wb.close()
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    p = tmp_path_factory.mktemp("own") / "crm.xlsx"
    generate_sample(p, customers=80, seed=7)
    return p


def test_no_other_owners_row_anywhere(sample: Path, tmp_path: Path) -> None:
    model = read_workbook(sample)
    res = run_export_by_owner(model, out=tmp_path / "by")
    paths = write_exports(res)
    assert len(paths) >= 2 and res.changeset is None
    src_cust = _rows(sample, "客户基本信息")
    src_contacts = _rows(sample, "沟通记录")
    owner_of = {c["客户编号"]: c["负责人"] for c in src_cust if c["客户编号"]}
    owner_by_name = {c["客户名称"]: c["负责人"] for c in src_cust}

    def owner_of_row(r: dict[str, object]) -> object:  # by ID, or by name when the ID is empty
        return owner_of[r["客户编号"]] if r["客户编号"] else owner_by_name[r["客户名称"]]

    seen: list[object] = []
    n_contacts = 0
    for p in paths:
        owner = p.stem
        cust = _rows(p, "客户基本信息")
        assert cust and {c["负责人"] for c in cust} == {owner}
        seen += [c["客户名称"] for c in cust]
        contacts = _rows(p, "沟通记录")
        n_contacts += len(contacts)
        assert all(owner_of_row(r) == owner for r in contacts)
        for r in _rows(p, "投诉登记"):
            assert owner_of_row(r) == owner
        # no other owner's customer name anywhere in this file
        others = {c["客户名称"] for c in src_cust if c["负责人"] != owner}
        wb = openpyxl.load_workbook(p, read_only=True)
        for ws in wb.worksheets:
            for row in ws.iter_rows(values_only=True):
                assert not others & set(row), (p, row)
        wb.close()
    assert sorted(seen) == sorted(c["客户名称"] for c in src_cust)  # every customer exactly once
    assert n_contacts == len(src_contacts)              # every log row went to its owner


def test_link_by_name_unassigned_and_unlinked() -> None:
    model = make_model(
        customers=[{"name": "甲公司", "owner": "李娜"}, {"name": "乙公司", "owner": " 李娜 "},
                   {"name": "丙公司", "owner": "陈静"}, {"name": "丁公司"}],
        contacts=[{"customer_name": "乙公司", "contact_date": "2026-10-01"},
                  {"customer_name": "丙公司", "contact_date": "2026-10-02"},
                  {"customer_name": "不存在公司", "contact_date": "2026-10-03"}],
        complaints=[{"customer_name": "丙公司", "received_at": "2026-10-03 09:00"}])
    res = run_export_by_owner(model, out="x")
    by = {e.owner: e.data for e in res.exports}
    assert set(by) == {"李娜", "陈静", "未分配"}
    assert [r["name"] for r in by["李娜"]["customers"]] == ["甲公司", "乙公司"]
    assert [r["customer_name"] for r in by["李娜"]["contacts"]] == ["乙公司"]
    assert [r["customer_name"] for r in by["陈静"]["complaints"]] == ["丙公司"]
    assert [r["name"] for r in by["未分配"]["customers"]] == ["丁公司"]
    assert res.stats["unlinked_rows"] == 1
    (f,) = res.findings
    assert f.code == "EX-UNLINKED" and f.row == 4 and f.cell is not None and f.sheet == "沟通记录"
    only = run_export_by_owner(model, out="x", owners=["陈静"])
    assert [e.owner for e in only.exports] == ["陈静"]


def test_marketing_role_by_owner() -> None:
    model = make_model(customers=[{"name": "甲公司", "owner": "李娜", "phone": "13766554433", "contact": "郑晓峰"}],
                       contacts=[{"customer_name": "甲公司", "contact_date": "2026-10-01"}])
    (e,) = run_export_by_owner(model, out="x", role="marketing").exports
    assert e.data["contacts"] == [] and e.data["complaints"] == []
    assert not {"phone", "contact", "owner"} & set(e.data["customers"][0])


def test_safe_file_name() -> None:
    assert safe_file_name('a/b:c*?"<>|') == "a_b_c_"
    assert safe_file_name("...") == "_"


def test_cli_by_owner_json(sample: Path, tmp_path: Path) -> None:
    before = sample.read_bytes()
    r = CliRunner().invoke(cli, ["export", str(sample), "--by-owner", "-o", str(tmp_path / "d"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["written"] and all(Path(p).exists() for p in out["written"])
    assert sum(f["rows"]["customers"] for f in out["stats"]["files"]) == 80
    assert sample.read_bytes() == before
