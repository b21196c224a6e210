"""The validate engine (rule selection, 代码表 overrides), the registry and its generated docs, the
annotation changeset, and the CLI on real files (JSON, exit codes, --annotate end to end)."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from workbook_tools.errors import WbtError
from workbook_tools.ops.validate import all_rules, run_annotate, run_validate, select_rules
from workbook_tools.ops.validate.docs import rules_markdown
from workbook_tools.schema import VALIDATION_SHEET
from workbook_tools.testing import make_model

AS_OF = dt.date(2026, 10, 31)
ROOT = Path(__file__).resolve().parents[1]
BAD = {"customer_id": "2024-IT-001", "name": "杭州云启科技有限公司", "contact": "张伟", "phone": "138001380",
       "email": "zhang@", "industry": "互联网", "stage": "接洽中"}


def test_registry_is_complete_and_bilingual():
    rules = all_rules()
    codes = [r.code for r in rules]
    assert len(codes) == len(set(codes)) >= 40
    for r in rules:
        assert r.code.isupper() and r.severity in ("error", "warning", "info")
        assert r.title.zh and r.title.en and r.description.zh and r.description.en
    for must in ("REQ_VALUE", "LIST_VALUE", "DATE_INVALID", "DATE_FUTURE", "DATE_AS_TEXT", "PHONE", "EMAIL", "AMOUNT",
                 "AMOUNT_YUAN", "RATING", "TEXT_LONG", "NAME_SHORT", "ID_FORMAT", "DUP_ID", "DUP_NAME", "DUP_PHONE",
                 "XREF_CUSTOMER", "OVERDUE_FOLLOWUP", "ZOMBIE", "COL_MISSING", "COL_UNKNOWN", "SHEET_EMPTY"):
        assert must in codes


def test_docs_rules_md_matches_the_registry():
    doc = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert doc == rules_markdown(), "docs/rules.md is stale: run `wbt rules --markdown > docs/rules.md`"


def test_select_rules_by_code_family_and_pattern():
    assert [r.code for r in select_rules("phone")] == ["PHONE"]
    assert {r.code for r in select_rules("DUP_*")} == {"DUP_ID", "DUP_NAME", "DUP_PHONE"}
    fam = select_rules(["xref", "EMAIL"])
    assert {r.family for r in fam} == {"xref", "cells"} and "EMAIL" in {r.code for r in fam}
    with pytest.raises(WbtError) as e:
        select_rules("PHONE,NOPE")
    assert "NOPE" in e.value.message.zh


def test_settings_change_severity_and_turn_rules_off():
    m = make_model(customers=[BAD])
    base = {f.code: f.severity for f in run_validate(m, as_of=AS_OF).findings}
    assert base["PHONE"] == "error" and base["EMAIL"] == "error"
    m = make_model(customers=[BAD], settings={"rule.PHONE": "警告", "rule.email": "off", "rule.NOPE": "error",
                                              "rule.DUP_ID": "sometimes"})
    r = run_validate(m, as_of=AS_OF)
    got = {f.code: f.severity for f in r.findings}
    assert got["PHONE"] == "warning" and "EMAIL" not in got
    assert r.stats["rules_off"] == ["EMAIL"] and "EMAIL" not in r.stats["rules_run"]
    bad = [f for f in r.findings if f.code == "RULE_SETTING"]
    assert len(bad) == 2 and {f.value for f in bad} == {"error", "sometimes"}


def test_result_stats_and_exit_relevant_errors():
    r = run_validate(make_model(customers=[BAD]), as_of=AS_OF, rules=["PHONE", "EMAIL", "NAME_SHORT"])
    assert r.stats["errors"] == 2 and r.stats["by_code"]["PHONE"]["error"] == 1
    assert len(r.errors) == 2 and r.changeset is None
    d = r.findings[0].to_dict("zh")
    assert set(d) >= {"code", "severity", "sheet", "cell", "row", "column", "value", "message", "hint"}
    assert (d["sheet"], d["cell"], d["row"], d["column"]) == ("客户基本信息", "K2", 2, "phone")


def test_annotation_changeset():
    now = dt.datetime(2026, 11, 1, 9, 30)
    r = run_annotate(make_model(customers=[BAD, {**BAD, "customer_id": "2024-IT-002", "name": "华为",
                                                  "phone": "13800138000"}]), as_of=AS_OF, now=now)
    cs = r.changeset
    assert cs.clear_marks == ["validate"]
    marks = {(m.sheet, m.cell): m.severity for m in cs.marks}
    assert marks[("客户基本信息", "K2")] == "error" and marks[("客户基本信息", "B3")] == "warning"
    assert all(m.tag == "validate" for m in cs.marks)
    assert len(marks) == len(cs.marks)  # one mark per cell
    [sheet] = cs.add_sheets
    assert sheet.name == VALIDATION_SHEET and sheet.freeze == (6, 1)
    texts = [v for v, _ in sheet.cells.values() if isinstance(v, str)]
    assert any("2026-10-31" in t and "2026-11-01 09:30" in t for t in texts)
    assert "'客户基本信息'!K2" in sheet.links.values()
    row_of = {v: r for (r, c), (v, _) in sheet.cells.items() if c == 2}
    assert sheet.links[(row_of["PHONE"], 5)] == "'客户基本信息'!K2"
    assert len([1 for (r, c) in sheet.cells if c == 2 and r > 5]) == len(r.findings)


def test_annotation_of_a_clean_workbook_says_so():
    good = {**BAD, "phone": "13800138000", "email": "zhang@yunqi.com"}
    r = run_annotate(make_model(customers=[good]), as_of=AS_OF, rules=["cells"])
    assert r.findings == [] and r.changeset.marks == [] and r.changeset.clear_marks == ["validate"]
    texts = [v for v, _ in r.changeset.add_sheets[0].cells.values() if isinstance(v, str)]
    assert any("未发现问题" in t for t in texts)


# ---- real files -------------------------------------------------------------------------------------

def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    return CliRunner().invoke(cli, ["--lang", "zh", *args])


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from workbook_tools.sample import generate_sample

    d = tmp_path_factory.mktemp("validate")
    generate_sample(d / "clean.xlsx", customers=60, seed=11)
    generate_sample(d / "faulty.xlsx", customers=60, seed=11, defects=0.4)
    return {"clean": d / "clean.xlsx", "faulty": d / "faulty.xlsx"}


def test_cli_json_and_exit_codes(files: dict[str, Path], tmp_path: Path):
    res = _cli("validate", str(files["faulty"]), "--as-of", "2026-10-31", "--json")
    assert res.exit_code == 1, res.output
    out = json.loads(res.stdout)
    assert set(out) >= {"command", "file", "ok", "exit_code", "as_of", "summary", "findings"}
    assert out["command"] == "validate" and not out["ok"] and out["exit_code"] == 1 and out["as_of"] == "2026-10-31"
    assert out["summary"]["errors"] == sum(1 for f in out["findings"] if f["severity"] == "error") > 0
    f = next(f for f in out["findings"] if f["code"] == "PHONE")
    assert f["sheet"] == "客户基本信息" and f["cell"].startswith("K") and f["message"] and f["hint"]
    res = _cli("validate", str(files["clean"]), "--as-of", "2026-10-31")
    assert res.exit_code == 0, res.output
    assert "按规则汇总" in res.stdout and "0 个错误" in res.stdout
    res = _cli("validate", str(files["faulty"]), "--as-of", "2026-10-31", "--rules", "PHONE", "--json")
    assert {f["code"] for f in json.loads(res.stdout)["findings"]} == {"PHONE"}
    broken = tmp_path / "broken.xlsx"
    broken.write_bytes(b"not a workbook")
    res = _cli("validate", str(broken))
    assert res.exit_code == 2 and "Traceback" not in res.output
    assert _cli("validate", str(files["clean"]), "--rules", "NOPE").exit_code == 2


def test_cli_console_lists_cells_with_messages(files: dict[str, Path]):
    res = _cli("validate", str(files["faulty"]), "--as-of", "2026-10-31", "--rules", "PHONE,EMAIL")
    assert res.exit_code == 1
    assert "客户基本信息!K" in res.stdout and "不是11位手机号" in res.stdout and "按工作表汇总" in res.stdout


def test_cli_rules_lists_every_rule():
    res = _cli("rules", "--json")
    assert res.exit_code == 0
    assert [r["code"] for r in json.loads(res.stdout)["rules"]] == [r.code for r in all_rules()]
    assert "PHONE" in _cli("rules").stdout


def _fills(path: Path) -> dict[tuple[str, str], str]:
    import openpyxl

    wb = openpyxl.load_workbook(path)
    out = {}
    for ws in wb.worksheets:
        if ws.title not in ("客户基本信息", "沟通记录", "投诉登记"):
            continue  # the writer's change log and mark records are not marks
        for row in ws.iter_rows():
            for c in row:
                rgb = c.fill.fgColor.rgb if c.fill is not None and c.fill.fill_type else None
                out[(ws.title, c.coordinate)] = str(rgb)
    return out


def test_annotate_then_fix_everything_then_annotate_again(files: dict[str, Path], tmp_path: Path):
    """Annotate a faulty file, fix every problem, annotate again: no mark of the old run remains and
    校验结果 shows no findings."""
    import openpyxl

    from workbook_tools.changeset import Changeset
    from workbook_tools.reader import read_workbook
    from workbook_tools.writer import apply_changeset

    path = tmp_path / "faulty.xlsx"
    shutil.copy(files["faulty"], path)
    planted = json.loads(files["faulty"].with_name("faulty.xlsx.defects.json").read_text(encoding="utf-8"))
    codes = sorted({KIND_TO_CODE[d["kind"]] for d in planted})
    before = _fills(path)
    res = _cli("validate", str(path), "--as-of", "2026-10-31", "--annotate", "--rules", ",".join(codes))
    assert res.exit_code == 1, res.output
    marked = _fills(path)
    changed = {k for k in marked if marked[k] != before.get(k)}
    assert changed and any(marked[k].endswith("FFC7CE") for k in changed)
    wb = openpyxl.load_workbook(path)
    ws = wb[VALIDATION_SHEET]
    assert ws.max_row > 6 and ws.cell(6, 5).hyperlink is not None
    # fix every problem: put back what the clean sample (same seed) holds in every differing cell
    clean, faulty = read_workbook(files["clean"]), read_workbook(path)
    cs = Changeset("fix")
    for key, sheet in faulty.sheets.items():
        ref = clean.sheets[key]
        for k in sheet.columns:
            for r in sheet.raw.index:
                new = ref.raw.at[r, k] if r in ref.raw.index else None
                old = sheet.raw.at[r, k]
                if not _same(old, new):
                    cs.edit(sheet.name, sheet.cell(r, k), _plain(new))
    assert cs.edits
    apply_changeset(path, cs, backup_keep=0)
    res = _cli("validate", str(path), "--as-of", "2026-10-31", "--annotate", "--rules", ",".join(codes))
    assert res.exit_code == 0, res.output
    after = _fills(path)
    assert {k for k in changed if after.get(k) != before.get(k)} == set(), "marks of the old run remain"
    ws = openpyxl.load_workbook(path)[VALIDATION_SHEET]
    assert "未发现问题" in str(ws.cell(3, 1).value) and ws.max_row <= 5


def _same(a: Any, b: Any) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return a == b


def _plain(v: Any) -> Any:
    import pandas as pd

    if isinstance(v, pd.Timestamp):
        return v.to_pydatetime()
    return v


KIND_TO_CODE = {
    "missing_required": "REQ_VALUE", "bad_list_value": "LIST_VALUE", "bad_date": "DATE_INVALID",
    "text_date": "DATE_AS_TEXT", "future_date": "DATE_FUTURE", "bad_phone": "PHONE", "bad_email": "EMAIL",
    "negative_amount": "AMOUNT", "yuan_amount": "AMOUNT_YUAN", "rating_out_of_range": "RATING",
    "long_text": "TEXT_LONG", "short_name": "NAME_SHORT", "duplicate_name": "DUP_NAME",
    "duplicate_phone": "DUP_PHONE", "duplicate_id": "DUP_ID", "bad_customer_id": "ID_FORMAT",
    "orphan_contact": "XREF_CUSTOMER", "date_order": "ORDER_FIRST_COOP", "due_before_contact": "ORDER_DUE",
    "resolved_before_received": "ORDER_RESOLVED",
}


def test_results_sheet_lists_errors_first():
    m = make_model(customers=[{**BAD, "phone": "13800138000", "name": "华为"},
                              {**BAD, "customer_id": "2024-IT-002", "name": "杭州云启二科技有限公司"}])
    r = run_annotate(m, as_of=AS_OF, rules=["PHONE", "NAME_SHORT", "EMAIL"])
    sheet = r.changeset.add_sheets[0]
    sev = [sheet.cells[(row, 1)][0] for row in range(6, 6 + len(r.findings))]
    assert sev == sorted(sev, key=["错误", "警告", "提示"].index) and sev[-1] == "警告"
