"""wbt diff: every differing cell of two versions (values, formulas, sheets added and removed), the
--out workbook written safely, --last against the latest backup; checked against independent
cell-by-cell readings (openpyxl, python-calamine, ElementTree)."""

from __future__ import annotations

import datetime as dt
import json
import zipfile
from pathlib import Path
from typing import Any
from xml.etree import ElementTree as ET

import openpyxl
import pytest
from click.testing import CliRunner
from python_calamine import CalamineWorkbook

from workbook_tools.changeset import Changeset
from workbook_tools.cli.compare import compare_files
from workbook_tools.cli.main import cli
from workbook_tools.model import cell_ref
from workbook_tools.reader import grid
from workbook_tools.writer import apply_changeset

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)


pytestmark = pytest.mark.usefixtures("zh")   # messages in Chinese (tests/conftest.py)


def _book(path: Path, sheets: dict[str, dict[str, Any]]) -> Path:
    """A NEW workbook for the test (openpyxl), sheet → {cell: value or '=formula'}."""
    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, cells in sheets.items():
        ws = wb.create_sheet(name)
        for ref, v in cells.items():
            ws[ref] = v
    wb.save(path)
    return path


BASE = {"甲": {"A1": "名称", "B1": "金额", "A2": "杭州", "B2": 10, "C2": True, "D2": "=B2*2", "A3": "宁波", "B3": 1},
        "乙": {"A1": "不变"}, "丙": {"A1": "将被删除"}}


def test_every_kind_of_difference_is_listed(tmp_path: Path) -> None:
    old = _book(tmp_path / "old.xlsx", BASE)
    new_cells = {**BASE["甲"], "A2": "杭州市", "B3": True, "C2": 1, "D2": "=B2+B2", "A4": "温州"}
    del new_cells["A3"]
    new = _book(tmp_path / "new.xlsx", {"甲": new_cells, "乙": BASE["乙"], "丁": {"B2": dt.datetime(2024, 3, 5)}})
    d = compare_files(old, new).diff
    assert d.sheets_added == ["丁"] and d.sheets_removed == ["丙"] and "乙" in d.sheets_unchanged
    got = {(c.sheet, c.cell, c.kind) for c in d.changes}
    assert got == {("甲", "A2", "changed"), ("甲", "A3", "removed"), ("甲", "A4", "added"),
                   ("甲", "B3", "changed"),      # 1 → TRUE is a change
                   ("甲", "C2", "changed"),      # TRUE → 1 as well
                   ("甲", "D2", "formula"),      # openpyxl saves no cached values: only the formula differs
                   ("丁", "B2", "added"), ("丙", "A1", "removed")}
    d2 = next(c for c in d.changes if c.cell == "D2")
    assert (d2.old_formula, d2.new_formula) == ("B2*2", "B2+B2")
    j = json.loads(json.dumps(d.to_dict()))
    assert j["cells"] == 8 and j["by_sheet"]["甲"] == {"changed": 3, "removed": 1, "added": 1, "formula": 1}
    assert {"sheet": "丁", "cell": "B2", "row": 2, "col": 2, "kind": "added", "old": "", "new": "2024-03-05",
            "old_formula": None, "new_formula": None} in j["changes"]


def test_identical_sheets_are_not_parsed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    old = _book(tmp_path / "old.xlsx", BASE)
    new = tmp_path / "new.xlsx"
    new.write_bytes(old.read_bytes())
    cs = Changeset("t")
    cs.edit("甲", "B3", 2, old=1)
    apply_changeset(new, cs, user="u", now=NOW)       # our writer copies untouched parts byte for byte
    read: list[str] = []
    real = grid.read_grids
    monkeypatch.setattr("workbook_tools.cli.compare.read_grids",
                        lambda book, names: read.extend(names) or real(book, names))
    d = compare_files(old, new).diff
    assert sorted(set(read)) == ["变更日志", "甲"]       # 乙 and 丙 are the same bytes: not parsed
    assert {(c.sheet, c.cell) for c in d.changes if c.sheet == "甲"} == {("甲", "B3")}
    assert set(d.sheets_unchanged) >= {"乙", "丙"} and d.sheets_added == ["变更日志"]


def test_cli_console_json_and_last(tmp_path: Path) -> None:
    path = _book(tmp_path / "book.xlsx", BASE)
    res = CliRunner().invoke(cli, ["diff", "--last", str(path)])
    assert res.exit_code == 2 and "还没有备份" in res.output               # nothing to compare with yet
    cs = Changeset("t")
    cs.edit("甲", "A2", "杭州市", old="杭州")
    apply_changeset(path, cs, user="u", now=NOW)
    res = CliRunner().invoke(cli, ["diff", "--last", str(path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.output)
    assert out["old"].endswith(".wbt-backups/book.20260301-093015.xlsx")
    assert {(c["sheet"], c["cell"]) for c in out["changes"] if c["sheet"] == "甲"} == {("甲", "A2")}
    assert out["sheets_added"] == ["变更日志"]
    res = CliRunner().invoke(cli, ["diff", "--last", str(path), "--limit", "1"])
    assert res.exit_code == 0 and "甲" in res.output and "……另有" in res.output
    res = CliRunner().invoke(cli, ["diff", str(path)])
    assert res.exit_code == 2 and "wbt diff OLD NEW" in res.output
    bad = tmp_path / "bad.xlsx"
    bad.write_text("名称,金额\n", encoding="utf-8")
    res = CliRunner().invoke(cli, ["diff", str(bad), str(path)])
    assert res.exit_code == 2 and "Traceback" not in res.output


def test_out_workbook_is_new_highlighted_and_never_overwrites(tmp_path: Path) -> None:
    old = _book(tmp_path / "old.xlsx", BASE)
    new_cells = {**BASE["甲"], "A2": "杭州市", "A4": "温州"}
    del new_cells["A3"]
    new = _book(tmp_path / "new.xlsx", {"甲": new_cells, "乙": BASE["乙"], "丙": BASE["丙"]})
    out = tmp_path / "diff.xlsx"
    res = CliRunner().invoke(cli, ["diff", str(old), str(new), "--out", str(out)])
    assert res.exit_code == 0, res.output
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["差异清单", "甲"]
    listed = [tuple(c.value for c in row[:5]) for row in wb["差异清单"].iter_rows(min_row=5)]
    assert listed == [("甲", "A2", "修改", "杭州", "杭州市"), ("甲", "A3", "清空", "宁波", None),
                      ("甲", "A4", "新增", None, "温州")]
    ws = wb["甲"]
    fills = {ref: ws[ref].fill.fgColor.rgb[-6:] for ref in ("A2", "A3", "A4", "B2")}
    assert fills == {"A2": "FFEB9C", "A3": "FFC7CE", "A4": "C6EFCE", "B2": "000000"}
    assert ws["A3"].value == "宁波" and ws["A3"].font.strike      # what was there, struck through
    assert ws["A2"].value == "杭州市" and ws["B2"].value == 10
    # the tool's own unchanged diff is replaced; a file it did not write is not, without --force; a source never
    res = CliRunner().invoke(cli, ["diff", str(old), str(new), "--out", str(out)])
    assert res.exit_code == 0, res.output
    foreign = tmp_path / "mine.xlsx"
    foreign.write_bytes(b"someone else's file")
    res = CliRunner().invoke(cli, ["diff", str(old), str(new), "--out", str(foreign)])
    assert res.exit_code == 2 and "--force" in res.output and foreign.read_bytes() == b"someone else's file"
    out.write_bytes(out.read_bytes() + b"edited")   # edited since: no longer the tool's to replace
    res = CliRunner().invoke(cli, ["diff", str(old), str(new), "--out", str(out)])
    assert res.exit_code == 2 and out.read_bytes().endswith(b"edited")
    for target in (old, new):
        src = target.read_bytes()
        res = CliRunner().invoke(cli, ["diff", str(old), str(new), "--out", str(target), "--force"])
        assert res.exit_code == 2 and target.read_bytes() == src
    res = CliRunner().invoke(cli, ["diff", str(old), str(new), "--out", str(out), "--force", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["out"] == str(out)


# ---- the 10k sample over four month ends --------------------------------------------------------------
def independent_changes(old: Path, new: Path) -> set[tuple[str, str]]:
    """(sheet, cell) of every cell whose value (python-calamine, cell by cell) or formula
    (ElementTree over the sheet XML) differs: no code of the tool involved. A sheet whose XML is the
    same bytes in both, with the same shared strings and the old cell formats kept, is skipped."""
    out: set[tuple[str, str]] = set()
    pa, pb = _parts(old), _parts(new)
    a, b = CalamineWorkbook.from_path(str(old)), CalamineWorkbook.from_path(str(new))
    for name in _differing_sheets(pa, pb):
        ra = a.get_sheet_by_name(name).to_python(skip_empty_area=False) if name in pa else []
        rb = b.get_sheet_by_name(name).to_python(skip_empty_area=False) if name in pb else []
        for r in range(max(len(ra), len(rb))):
            xa = ra[r] if r < len(ra) else []
            xb = rb[r] if r < len(rb) else []
            if xa == xb and list(map(type, xa)) == list(map(type, xb)):
                continue
            for c in range(max(len(xa), len(xb))):
                va = xa[c] if c < len(xa) else ""
                vb = xb[c] if c < len(xb) else ""
                if va != vb or type(va) is not type(vb) and (isinstance(va, bool) or isinstance(vb, bool)):
                    out.add((name, cell_ref(r + 1, c + 1)))
        fa, fb = _formulas(pa.get(name, b"")), _formulas(pb.get(name, b""))
        out |= {(name, k) for k in set(fa) | set(fb) if fa.get(k) != fb.get(k)}
    return out


NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _parts(path: Path) -> dict[str, bytes]:
    """Sheet name → sheet XML, plus the shared strings and styles."""
    rel = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
    with zipfile.ZipFile(path) as z:
        wb = ET.fromstring(z.read("xl/workbook.xml"))
        rels = {r.get("Id"): r.get("Target") for r in ET.fromstring(z.read("xl/_rels/workbook.xml.rels"))}
        out = {sh.get("name"): z.read("xl/" + rels[sh.get(rel)].lstrip("/").removeprefix("xl/"))
               for sh in wb.iter(NS + "sheet")}
        for extra in ("xl/sharedStrings.xml", "xl/styles.xml"):
            out[extra] = z.read(extra) if extra in z.namelist() else b""
    return out


def _differing_sheets(pa: dict[str, bytes], pb: dict[str, bytes]) -> list[str]:
    def xfs(styles: bytes) -> list[str | None]:
        return [x.get("numFmtId") for x in ET.fromstring(styles).find(NS + "cellXfs")]

    names = [n for n in {**pa, **pb} if not n.startswith("xl/")]
    old_xfs = xfs(pa["xl/styles.xml"])
    if pa["xl/sharedStrings.xml"] != pb["xl/sharedStrings.xml"] or xfs(pb["xl/styles.xml"])[:len(old_xfs)] != old_xfs:
        return names
    return [n for n in names if pa.get(n) != pb.get(n)]


def _formulas(xml: bytes) -> dict[str, str]:
    if b"<f>" not in xml and b"<f " not in xml:   # (<formula1> of a data validation is no cell formula)
        return {}
    return {c.get("r"): (f.text or "") for c in ET.fromstring(xml).iter(NS + "c") if (f := c.find(NS + "f")) is not None}


def test_rerunning_the_same_month_changes_only_the_log(tmp_path: Path) -> None:
    """A second month end for the same month and day: the review sheet is rebuilt the same, 是否逾期
    and every computed column are left alone; only the run's 变更日志 rows are new."""
    from workbook_tools.jobs.month_end import run_month_end
    from workbook_tools.sample import generate_sample
    from workbook_tools.writer.changelog import LOG_SHEET
    from workbook_tools.writer.safety import list_backups

    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=60, seed=7)
    for _ in range(2):
        run_month_end(path, month="2026-10", as_of=dt.date(2026, 10, 31))
    listed = {(c.sheet, c.cell) for c in compare_files(list_backups(path)[-1], path).diff.changes}
    assert listed == independent_changes(list_backups(path)[-1], path)
    assert {s for s, _ in listed} == {LOG_SHEET} and listed


@pytest.mark.slow
def test_10k_sample_four_month_ends_small_log_and_diff_last_shows_every_changed_cell(tmp_path: Path) -> None:
    """First month end and three following months on the 10,000-customer sample: 变更日志 stays under
    5,000 rows, wbt diff --last lists exactly the cells an independent reading finds changed, and the
    months on an unchanged workbook leave 是否逾期, 下次跟进日期 and the other columns computed from
    inputs alone (only the risk and high-potential columns, whose rules look back from the as-of day,
    move)."""
    from workbook_tools.jobs.month_end import run_month_end
    from workbook_tools.sample import generate_sample
    from workbook_tools.writer.changelog import LOG_SHEET
    from workbook_tools.writer.safety import list_backups

    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=10_000, seed=7)
    header = {cell_ref(1, c)[:-1]: v for c, v in
              enumerate(CalamineWorkbook.from_path(str(path)).get_sheet_by_name("客户基本信息")
                        .to_python(nrows=1)[0], start=1)}
    moved: list[set[str]] = []
    for month, as_of in [("2026-10", dt.date(2026, 11, 1)), ("2026-11", dt.date(2026, 12, 1)),
                         ("2026-12", dt.date(2027, 1, 2)), ("2027-01", dt.date(2027, 2, 1))]:
        run_month_end(path, month=month, as_of=as_of)
        res = CliRunner().invoke(cli, ["diff", "--last", str(path), "--json"])
        assert res.exit_code == 0, res.output
        listed = {(c["sheet"], c["cell"]) for c in json.loads(res.output)["changes"]}
        assert listed == independent_changes(list_backups(path)[-1], path), month
        moved.append({header.get(cell.rstrip("0123456789")) for s, cell in listed if s == "客户基本信息"})
    assert "是否逾期" in moved[0]
    for later in moved[1:]:   # the columns whose rules count back from the as-of day (ops/risk.py)
        assert later <= {"风险标记", "风险原因", "管理分层", "高潜力"}, later
    log = CalamineWorkbook.from_path(str(path)).get_sheet_by_name(LOG_SHEET).to_python()
    assert 1 < len(log) - 1 <= 5000
