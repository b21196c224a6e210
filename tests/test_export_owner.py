"""Export by owner: each file holds only its owner's customers and their log and complaint rows."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.ops.export import run_export_by_owner, safe_file_name
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.testing import make_model
from workbook_tools.writer.exports import write_exports


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
    # Windows device names, in any case and with any extension, and trailing dots and spaces
    for name, want in (("CON", "_CON"), ("nul.txt", "_nul.txt"), ("com1", "_com1"), ("Lpt9 ", "_Lpt9"),
                       ("COM¹", "_COM¹"), ("aux .bak", "_aux .bak"), ("conin$", "_conin$"),
                       ("李娜. . ", "李娜"), (" .hidden", "hidden"), ("CONSOLE", "CONSOLE")):
        assert safe_file_name(name) == want, name
    # control and invisible format characters (a right-to-left override would disguise the name)
    assert safe_file_name("王\x00五\t六\u202egpj.exe") == "王_五_六_gpj.exe"
    # long names: at most 64 characters and 180 bytes of UTF-8 (Linux allows 255 bytes per name)
    for long in ("张" * 200, "😀" * 100, "a" * 300):
        out = safe_file_name(long)
        assert len(out) <= 64 and len((out + ".xlsx").encode("utf-8")) <= 185 and out


HOSTILE_OWNERS = ["CON", "con.", "nul.txt", "Com1", "李娜", "李娜.", "李娜 ", "a/b", "a\\b", "<王>", "x" * 300,
                  "😀" * 90, "Zhang", "ZHANG ", "tab\there", "?", "*", "AUX"]


def test_every_owner_gets_a_complete_file_whatever_the_name(tmp_path: Path) -> None:
    customers = [{"name": f"公司{i}", "owner": o, "phone": f"1380000{i:04d}"} for i, o in enumerate(HOSTILE_OWNERS)]
    model = make_model(customers=customers, path=str(tmp_path / "crm.xlsx"))
    res = run_export_by_owner(model, out=tmp_path / "by")
    owners = {e.owner for e in res.exports}
    paths = write_exports(res)
    names = [p.name for p in paths]
    # one file per distinct owner (owners are compared ignoring case and spaces), every name unique
    # however the file system compares names, none a Windows device name
    assert len(paths) == len(owners) == len({n.casefold() for n in names})
    assert sorted(p.name for p in (tmp_path / "by").iterdir() if not p.name.startswith(".")) == sorted(names)
    for n in names:
        stem = n[:-len(".xlsx")]
        assert stem.split(".")[0].rstrip().casefold() not in {"con", "nul", "aux", "com1", "prn"}
        assert not set('<>:"/\\|?*\t') & set(stem) and not stem.endswith((".", " "))
    total = 0
    for p in paths:
        rows = _rows(p, "客户基本信息")
        total += len(rows)
    assert total == len(customers)


def test_mask_and_by_owner_together_give_masked_files_per_owner(sample: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["export", str(sample), "--mask", "--by-owner", "-o", str(tmp_path / "m"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["action"] == "export_by_owner" and out["stats"]["masked"]["phones"] > 0
    src = _rows(sample, "客户基本信息")
    phones = {str(c["联系方式"]) for c in src if c["联系方式"]}
    contacts = {c["联系人"] for c in src if c["联系人"] and len(str(c["联系人"])) > 1}
    seen = 0
    for path in map(Path, out["written"]):
        cust = _rows(path, "客户基本信息")
        seen += len(cust)
        assert {c["负责人"] for c in cust} == {path.stem}          # still split by the real owner
        for c in cust:
            assert c["联系方式"] is None or "****" in str(c["联系方式"])
            assert c["联系人"] is None or str(c["联系人"]).endswith("*")
        wb = openpyxl.load_workbook(path, read_only=True)
        for ws in (wb["客户基本信息"], wb["沟通记录"], wb["投诉登记"]):   # the data (说明 holds examples)
            rows = ws.iter_rows(values_only=True)
            head = next(rows)
            people = [i for i, h in enumerate(head) if h in ("联系人", "参与人员")]   # staff names stay
            for row in rows:
                assert not {str(v) for v in row if v is not None} & phones, (path, row)
                assert not {str(row[i]) for i in people} & contacts, (path, row)
        wb.close()
    assert seen == len(src)


def test_owner_without_by_owner_is_refused(sample: Path, tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["--lang", "en", "export", str(sample), "--mask", "--owner", "李娜",
                                 "-o", str(tmp_path / "x.xlsx")])
    assert r.exit_code == 2 and "--by-owner" in r.output and not (tmp_path / "x.xlsx").exists()


def test_by_owner_writes_all_files_or_none(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbook_tools.template as template

    model = make_model(customers=[{"name": f"公司{i}", "owner": o} for i, o in enumerate(["甲", "乙", "丙", "丁"])],
                       path=str(tmp_path / "crm.xlsx"))
    first = write_exports(run_export_by_owner(model, out=tmp_path / "by", owners=["甲"]))
    before = first[0].read_bytes()
    real = template.build_workbook

    def flaky(path: Path, **kw: object) -> Path:
        if kw["data"]["customers"][0]["owner"] == "丙":  # type: ignore[index]
            raise OSError(28, "No space left on device")
        return real(path, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(template, "build_workbook", flaky)
    with pytest.raises(OSError):
        write_exports(run_export_by_owner(model, out=tmp_path / "by"))
    left = sorted(p.name for p in (tmp_path / "by").iterdir() if not p.name.startswith("."))
    assert left == ["甲.xlsx"] and first[0].read_bytes() == before


def test_cli_by_owner_json(sample: Path, tmp_path: Path) -> None:
    before = sample.read_bytes()
    r = CliRunner().invoke(cli, ["export", str(sample), "--by-owner", "-o", str(tmp_path / "d"), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.output)
    assert out["written"] and all(Path(p).exists() for p in out["written"])
    assert sum(f["rows"]["customers"] for f in out["stats"]["files"]) == 80
    assert sample.read_bytes() == before
