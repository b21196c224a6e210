"""Drifted team workbooks: every variant of one set of records gives the IDs, tiers, risk
flags and review figures worked out by hand from the records (tests/drift/records.py) — the same as
its clean twin — or a refusal that names the column; validation finds every planted defect and no
error on a clean row."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from drift import records as R
from drift.variants import (
    CLEAN_CUST,
    ENGLISH,
    FORMULA_CELLS,
    Sheet,
    build,
    clean,
    cols,
    refusals,
    variants,
    with_pins,
)

from workbook_tools.cli.main import cli
from workbook_tools.model import WorkbookModel, split_ref
from workbook_tools.ops.ids import run_ids
from workbook_tools.ops.needs import WriteRefused, check
from workbook_tools.ops.review import compute_review
from workbook_tools.ops.tiers import run_tiers
from workbook_tools.ops.validate import run_validate
from workbook_tools.reader import read_workbook

VARIANTS = variants()
KPIS = ("customers_total", "new_customers", "churned", "contacts_logged", "customers_contacted", "overdue_followups",
        "complaints_opened", "complaints_open")
TIER_KEYS = ("tier", "cadence_days", "next_follow", "overdue", "risk_flag", "risk_reasons", "high_potential")


def _read(tmp_path: Path, v: Any, name: str = "") -> tuple[Path, WorkbookModel, dict[str, dict[int, int]]]:
    path = tmp_path / f"{name or v.name}.xlsx"
    rows = build(v, path)
    return path, read_workbook(path), rows


def _by_name(model: WorkbookModel, res: Any, sheet_key: str = "customers") -> dict[str, dict[str, Any]]:
    """The changeset's edits on one sheet, per customer name: {name: {column key: new value}}."""
    sheet = model.sheets[sheet_key]
    spec = sheet.spec
    by_col = {i: k for k, i in sheet.columns.items()}
    for e in res.changeset.edits:           # headers of columns the step creates
        row, col = split_ref(e.cell)
        if e.sheet == sheet.name and row == sheet.header_row:
            by_col[col] = next(c.key for c in spec.columns if c.zh == e.new)
    names = sheet.df["name"].to_dict()
    out: dict[str, dict[str, Any]] = {}
    for e in res.changeset.edits:
        row, col = split_ref(e.cell)
        if e.sheet == sheet.name and row in names:
            # 是否逾期 is written as a formula with its run-date value cached: the value counts
            out.setdefault(names[row], {})[by_col[col]] = getattr(e.new, "cached", e.new)
    return out


def results(model: WorkbookModel) -> dict[str, Any]:
    """What the tool makes of a model: new IDs, tier columns and review figures, keyed by customer name."""
    ids = {n: v["customer_id"] for n, v in _by_name(model, run_ids(model, as_of=R.AS_OF)).items()}
    tiers = {n: {k: v.get(k) for k in TIER_KEYS} for n, v in _by_name(model, run_tiers(model, as_of=R.AS_OF)).items()}
    review = compute_review(model, month=R.MONTH, as_of=R.AS_OF)
    return {"ids": ids, "tiers": tiers, "kpis": {k: review.kpi(k).value for k in KPIS}}


@pytest.fixture(scope="module")
def clean_twin(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    _, model, _ = _read(tmp_path_factory.mktemp("clean"), VARIANTS["clean"])
    return results(model)


def test_the_oracle_is_what_the_records_say() -> None:
    """A few values worked out by hand, so the oracle itself is checked."""
    t = R.expected_tiers()
    assert R.expected_ids()["杭州天诚网络科技有限公司"] == "2023-IT-002"
    assert t["北京博远教育科技有限公司"] == {"tier": "战略客户", "cadence_days": 14, "next_follow": dt.date(2024, 3, 15),
                                      "overdue": "是", "risk_flag": "重点关注",
                                      "risk_reasons": "合作期间投诉1次（最近2024-01-05）；暂停合作", "high_potential": None}
    # the risk rules of source 003 and the high-potential rule of source 002 (docs/ids-and-tiers.md §2.4–2.5)
    assert {n: v["risk_reasons"] for n, v in t.items() if v["risk_reasons"]} == {
        "杭州云启科技有限公司": "合作期间投诉1次（最近2024-03-02）",         # resolved, but during the cooperation
        "上海华信贸易有限公司": "续约意向不明（备注：“续约意向待确认”）",   # 续约期, 备注 as in source 003
        "北京博远教育科技有限公司": "合作期间投诉1次（最近2024-01-05）；暂停合作",
        "深圳智联医疗器械有限公司": "满意度2分",
        "成都恒通物流有限公司": "合作期间投诉1次（最近2024-06-10）；投诉未解决1件",
        "杭州天诚网络科技有限公司": "联系人变更（2024-06-28沟通记录：“对接人更换”）",  # its 2023-10-20 complaint
    }                                                                          # came before 首次合作 2023-11-01
    # purchases on 02-20 (Jan–Mar) and 05-10, 06-25 (Apr–Jun): 2 against 1, +100 % ≥ 30 %
    assert {n: v["high_potential"] for n, v in t.items() if v["high_potential"]} == {
        "杭州云启科技有限公司": "近3个月采购2次，之前3个月1次（+100%）"}
    assert t["苏州鼎盛金融服务有限公司"]["tier"] is None and t["苏州鼎盛金融服务有限公司"]["next_follow"] == dt.date(2024, 2, 7)
    assert R.expected_kpis() == {"customers_total": 9, "new_customers": 1, "churned": 1, "contacts_logged": 7,
                                 "customers_contacted": 6, "overdue_followups": 4, "complaints_opened": 1,
                                 "complaints_open": 1}


@pytest.mark.parametrize("name", [n for n in VARIANTS if n != "formulas_no_value"])
def test_variant_gives_what_the_records_say(name: str, tmp_path: Path, clean_twin: dict[str, Any]) -> None:
    path, model, _ = _read(tmp_path, VARIANTS[name])
    assert set(model.sheets) == {"customers", "contacts", "complaints"}, [n.to_dict() for n in model.notices]
    check(model, "month_end", "annotate")             # every column certain: writing may go ahead
    got = results(model)
    assert got["ids"] == R.expected_ids()
    assert got["tiers"] == R.expected_tiers()
    assert got["kpis"] == R.expected_kpis()
    assert got == clean_twin
    errors = [f.to_dict() for f in run_validate(model, as_of=R.AS_OF).findings if f.severity == "error"]
    assert errors == []


def test_units_and_matching_are_recorded(tmp_path: Path) -> None:
    """What inspect shows: how each header was matched, and each amount column's unit."""
    _, model, _ = _read(tmp_path, VARIANTS["yuan"])
    cust = model.sheets["customers"]
    assert cust.units == {"amount_total": "元", "amount_annual": "元"} and cust.unit_from["amount_annual"] == "header"
    assert cust.df["amount_annual"].tolist()[:2] == [60.0, 25.5] and cust.raw["amount_annual"].tolist()[:2] == [600000, 255000]
    assert cust.in_own_unit("amount_annual", 25.5) == 255000
    _, model, _ = _read(tmp_path, VARIANTS["units_row"])
    cust = model.sheets["customers"]
    assert cust.sub_header_row == 2 and min(cust.df.index) == 3 and cust.units["amount_annual"] == "元"
    _, model, _ = _read(tmp_path, VARIANTS["seed_paper"])
    how = {m.text: (m.key, m.how) for m in model.sheets["customers"].matches}
    assert how["客户等级(A/B/C)"] == ("follow_grade", "alias") and how["序号"] == (None, "ignored")
    assert how["客户公司名称"] == ("name", "alias") and how["合作阶段"] == ("stage", "alias")
    _, model, _ = _read(tmp_path, VARIANTS["grade_by_content"])
    m = next(m for m in model.sheets["customers"].matches if m.text == "客户等级")
    assert (m.key, m.how) == ("follow_grade", "content")
    _, model, _ = _read(tmp_path, VARIANTS["bilingual"])
    how = {m.text: (m.key, m.how) for m in model.sheets["customers"].matches}
    assert how["联系人\nContact"] == ("contact", "bilingual") and how["Industry / 所属行业"] == ("industry", "bilingual")
    _, model, _ = _read(tmp_path, VARIANTS["typed_dates"])
    assert model.sheets["contacts"].date_orders == {"contact_date": "dmy"}


def test_a_value_tier_column_headed_客户等级_is_read_as_the_confirmed_tier(tmp_path: Path) -> None:
    """客户等级 holding 战略客户/重点客户/普通客户 is the supervisor-confirmed tier (decided by its values);
    the A/B/C grades stay in their own column."""
    tiers = {c["name"]: R.tier(c["amount_annual"]) for c in R.CUSTOMERS}
    names = [c["name"] for c in R.CUSTOMERS]
    layout = [*CLEAN_CUST, ("tier_confirmed", "客户等级")]
    v = clean(customers=Sheet("客户基本信息", layout, fmt=lambda k, val, i: tiers[names[i]] if k == "tier_confirmed" else val))
    _, model, _ = _read(tmp_path, v, "tier_by_content")
    m = next(m for m in model.sheets["customers"].matches if m.text == "客户等级")
    assert (m.key, m.how) == ("tier_confirmed", "content")
    check(model, "month_end")
    assert results(model)["tiers"] == R.expected_tiers()


def test_formulas_without_values_are_reported_by_every_step(tmp_path: Path) -> None:
    _, model, rows = _read(tmp_path, VARIANTS["formulas_no_value"])
    check(model, "month_end")
    cell = {(s, i, k): model.sheets[s].cell(rows[s][i], k) for s, i, k in FORMULA_CELLS}
    got = results(model)
    no_industry = R.CUSTOMERS[7]["name"]
    assert got["ids"] == {n: v for n, v in R.expected_ids().items() if n != no_industry}
    unknown = {R.CUSTOMERS[1]["name"], R.CONTACTS[4]["customer_name"]}      # their inputs are unknown
    assert got["tiers"] == {n: v for n, v in R.expected_tiers().items() if n not in unknown}
    known_log = [x for i, x in enumerate(R.CONTACTS) if i != 4]
    assert got["kpis"] == R.expected_kpis(contacts=known_log)

    def where(findings: list[Any], code: str) -> set[tuple[str, str]]:
        return {(f.sheet, f.cell) for f in findings if f.code == code}

    ids = run_ids(model, as_of=R.AS_OF).findings
    assert where(ids, "ID-FORMULA") == {("客户基本信息", cell[("customers", 7, "industry")])}
    tiers = run_tiers(model, as_of=R.AS_OF).findings
    assert where(tiers, "TIER-FORMULA-INPUT") == {("客户基本信息", cell[("customers", 1, "amount_annual")]),
                                                  ("沟通记录", cell[("contacts", 4, "contact_date")])}
    review = compute_review(model, month=R.MONTH, as_of=R.AS_OF).findings
    assert where(review, "REVIEW-FORMULA") == {(model.sheets[s].name, c) for (s, _, _), c in cell.items()}
    val = run_validate(model, as_of=R.AS_OF).findings
    assert where(val, "FORMULA_NO_VALUE") == {(model.sheets[s].name, c) for (s, _, _), c in cell.items()}
    on_formulas = [f.code for f in val if (f.sheet, f.cell) in where(val, "FORMULA_NO_VALUE")]
    assert set(on_formulas) == {"FORMULA_NO_VALUE"}        # never also "empty" or "not a number"
    assert [f.to_dict() for f in val if f.severity == "error"] == []


@pytest.mark.parametrize("name", list(refusals()))
def test_unsure_columns_refuse_every_write_naming_the_header(name: str, tmp_path: Path) -> None:
    v, header, pins = refusals()[name]
    path, model, _ = _read(tmp_path, v, name)
    for action in ("month_end", "tiers", "review"):
        with pytest.raises(WriteRefused) as exc:
            check(model, action)
        text = exc.value.render("zh")
        assert f"“{header}”" in text and "代码表" in text
    # the CLI: exit 2, nothing written (no review sheet, no 变更日志, no HTML, no backup)
    before = path.read_bytes()
    r = CliRunner().invoke(cli, ["month-end", str(path), "--month", R.MONTH, "--as-of", R.AS_OF.isoformat()])
    assert r.exit_code == 2, r.output
    assert header in r.output
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    for args in (["tiers", str(path)], ["tiers", str(path), "--dry-run"], ["review", str(path), "--month", R.MONTH]):
        r = CliRunner().invoke(cli, args)
        assert r.exit_code == 2 and header in r.output, (args, r.output)
    assert path.read_bytes() == before
    # read-only commands still run and report
    r = CliRunner().invoke(cli, ["validate", str(path), "--json"])
    assert r.exit_code in (0, 1) and json.loads(r.output)["summary"]["total"] > 0


@pytest.mark.parametrize("name", ["yuan_no_unit", "unknown_log_date", "unknown_customer_name"])
def test_a_pin_in_代码表_fixes_the_refusal(name: str, tmp_path: Path) -> None:
    v, header, pins = refusals()[name]
    _, model, _ = _read(tmp_path, with_pins(v, pins), name)
    check(model, "month_end", "annotate")
    sheet = next(s for s in model.sheets.values() if header in s.headers.values())
    assert next(m for m in sheet.matches if m.text == header).how == "pinned"
    got = results(model)
    assert (got["ids"], got["tiers"], got["kpis"]) == (R.expected_ids(), R.expected_tiers(), R.expected_kpis())


def test_pinned_grade_and_the_suggested_rows(tmp_path: Path) -> None:
    v, header, pins = refusals()["grade_ambiguous"]
    path, model, _ = _read(tmp_path, v, "ambiguous")
    r = CliRunner().invoke(cli, ["inspect", str(path), "--suggest"])
    assert r.exit_code == 0, r.output
    rows = [line for line in r.stdout.splitlines() if "\t" in line]
    assert rows == ["客户等级\t跟进等级\t\t客户基本信息"]
    _, model, _ = _read(tmp_path, with_pins(v, pins), "pinned")
    check(model, "month_end")
    m = next(m for m in model.sheets["customers"].matches if m.text == "客户等级")
    assert (m.key, m.how) == ("follow_grade", "pinned")


def test_month_end_on_a_workbook_that_is_not_a_crm_workbook_writes_nothing(tmp_path: Path) -> None:
    import openpyxl

    path = tmp_path / "report.xlsx"
    wb = openpyxl.Workbook()
    wb.active.title = "销售报表"
    wb.active.append(["月份", "销售额", "同比"])
    wb.active.append(["2024-06", 120, 0.1])
    wb.save(path)
    before = path.read_bytes()
    r = CliRunner().invoke(cli, ["month-end", str(path), "--month", R.MONTH, "--as-of", R.AS_OF.isoformat()])
    assert r.exit_code == 2 and "不是客户关系工作簿" in r.output, r.output
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir()) == ["report.xlsx"]


def test_validate_finds_every_planted_defect_and_nothing_on_clean_rows(tmp_path: Path) -> None:
    """English headers, planted defects: a 10-digit phone, an impossible date, a bad e-mail, an
    impossible date in the log."""
    planted = {("customers", 2, "phone"): "1380013800", ("customers", 4, "first_contact"): "2023-13-01",
               ("customers", 8, "email"): "wuhao#tiancheng.net", ("contacts", 1, "contact_date"): "2024-02-30"}

    def fmt(sheet: str) -> Any:
        return lambda k, val, i: planted.get((sheet, i, k), val)

    v = clean(customers=Sheet("Customers", cols(CLEAN_CUST, ENGLISH), fmt=fmt("customers")),
              contacts=Sheet("沟通记录", list(VARIANTS["clean"].contacts.columns), fmt=fmt("contacts")))
    _, model, rows = _read(tmp_path, v, "planted")
    errors = [f for f in run_validate(model, as_of=R.AS_OF).findings if f.severity == "error"]
    want = {(model.sheets[s].name, model.sheets[s].cell(rows[s][i], k)) for s, i, k in planted}
    assert {(f.sheet, f.cell) for f in errors} == want


def test_the_id_year_source_setting_puts_its_column_under_the_gate(tmp_path: Path) -> None:
    """代码表 says the ID year comes from 最近一次合作时间: a header the reader could not place that may be
    that column refuses ids (it would take the run date's year); found, the IDs carry its years."""
    setting = [["设置项", "值"], ["id_year_source", "最近一次合作时间,运行日期"]]
    hidden = clean(customers=Sheet("客户基本信息", cols(CLEAN_CUST, {"last_coop": "最近合作"})), codesheet=setting)
    _, model, _ = _read(tmp_path, hidden, "hidden")
    for action in ("ids", "month_end"):
        with pytest.raises(WriteRefused) as exc:
            check(model, action)
        assert "“最近合作”" in exc.value.render("zh")
    _, model, _ = _read(tmp_path, clean(codesheet=setting), "found")
    check(model, "ids")
    years = {c["name"]: (c["last_coop"] or R.AS_OF).year for c in R.CUSTOMERS}
    got = {n: int(i[:4]) for n, i in _by_name(model, run_ids(model, as_of=R.AS_OF)).items() for i in [i["customer_id"]]}
    assert got == years
