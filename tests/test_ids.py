"""Customer IDs: hand-computed cases for years, codes, sequences, overflow, retired and bad IDs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from workbook_tools.model import WorkbookModel, split_ref
from workbook_tools.ops.ids import format_id, id_sort_key, parse_id, parse_id_loose, run_ids, year_sources
from workbook_tools.testing import make_model

AS_OF = dt.date(2025, 6, 30)


def cust(name: str, **kw: Any) -> dict[str, Any]:
    return {"name": name, "contact": "张三", "phone": "13800138000", **kw}


def planned(model: WorkbookModel, sheet: str = "customers") -> dict[int, str]:
    """Excel row → new value of the customer_id cell, for one sheet."""
    res = run_ids(model, as_of=AS_OF)
    sd = model.sheet(sheet)
    assert sd is not None and res.changeset is not None
    out = {}
    for e in res.changeset.edits:
        if e.sheet == sd.name:
            row, col = split_ref(e.cell)
            assert col == sd.columns["customer_id"]
            out[row] = e.new
    return out


def codes(res: Any) -> list[tuple[str, str | None]]:
    return [(f.code, f.cell) for f in res.findings]


# ---- format and parsing ------------------------------------------------------------------------

def test_format_three_digits_then_four() -> None:
    assert format_id(2024, "IT", 1) == "2024-IT-001"
    assert format_id(2024, "IT", 999) == "2024-IT-999"
    assert format_id(2024, "IT", 1000) == "2024-IT-1000"


@pytest.mark.parametrize("text", ["2024-IT-001", "2024-IT-999", "2024-IT-1000", "2023-MF-042"])
def test_canonical_ids_parse(text: str) -> None:
    cid = parse_id(text)
    assert cid is not None and str(cid) == text


@pytest.mark.parametrize("text", ["2024-it-001", "2024-IT-1", "2024-IT-0001", "2024IT001", " 2024-IT-001",
                                  "24-IT-001", "2024-IT-01a", "IT-2024-001", ""])
def test_malformed_ids_do_not_parse(text: str) -> None:
    assert parse_id(text) is None


def test_loose_parse_reads_the_number_of_mistyped_ids() -> None:
    assert str(parse_id_loose("２０２４－ＩＴ－７")) == "2024-IT-007"
    assert str(parse_id_loose("2024-it-0012")) == "2024-IT-012"
    assert parse_id_loose("客户1") is None


def test_sort_key_is_numeric_within_year_and_code() -> None:
    ids = ["2024-IT-1000", "2024-IT-999", "2024-IT-100", "2023-MF-002", "2024-IT-001", "坏编号"]
    # a text sort puts 1000 right after 100 — the reason for the numeric key
    assert sorted(ids[:3]) == ["2024-IT-100", "2024-IT-1000", "2024-IT-999"]
    assert sorted(ids, key=id_sort_key) == ["2023-MF-002", "2024-IT-001", "2024-IT-100", "2024-IT-999",
                                            "2024-IT-1000", "坏编号"]


def test_year_source_setting_is_parsed() -> None:
    assert year_sources("初次接触时间,首次合作时间,运行日期") == (["first_contact", "first_coop", "as_of"], [])
    assert year_sources("首次合作时间，初次接触时间") == (["first_coop", "first_contact"], [])
    assert year_sources("首次合作时间、生日") == (["first_coop"], ["生日"])


# ---- years ------------------------------------------------------------------------------------

def test_year_boundaries_and_fallbacks() -> None:
    m = make_model(customers=[
        cust("甲", industry="互联网", first_contact="2023-12-31"),                 # row 2
        cust("乙", industry="互联网", first_contact=dt.datetime(2024, 1, 1)),      # row 3
        cust("丙", industry="互联网", first_contact="-", first_coop="2022/12/31"),  # row 4: '-' is empty
        cust("丁", industry="互联网"),                                              # row 5: run date
        cust("戊", industry="互联网", first_contact="2023-12-31 23:59"),           # row 6
    ])
    assert planned(m) == {2: "2023-IT-001", 3: "2024-IT-001", 4: "2022-IT-001", 5: "2025-IT-001",
                          6: "2023-IT-002"}


def test_year_source_order_comes_from_settings() -> None:
    rows = [cust("甲", industry="互联网", first_contact="2023-05-01", first_coop="2024-02-01"), cust("乙", industry="互联网")]
    m = make_model(customers=rows, settings={"id_year_source": "首次合作时间,初次接触时间"})
    res = run_ids(m, as_of=AS_OF)
    assert [e.new for e in res.changeset.edits] == ["2024-IT-001"]  # 乙: no date and no run date → no ID
    assert ("ID-NO-YEAR", "A3") in codes(res)
    assert res.errors


def test_unreadable_date_refuses_instead_of_falling_back() -> None:
    m = make_model(customers=[cust("甲", industry="互联网", first_contact="2023年13月5日", first_coop="2024-01-01")])
    res = run_ids(m, as_of=AS_OF)
    assert not res.changeset.edits
    assert ("ID-BAD-DATE", "N2") in codes(res)


# ---- codes ------------------------------------------------------------------------------------

def test_industry_names_are_normalised_and_synonyms_used() -> None:
    m = make_model(customers=[
        cust("甲", industry="ＩＴ服务 ", first_contact="2024-01-01"),   # full-width, trailing space → IT服务 IS
        cust("乙", industry="信息技术服务", first_contact="2024-01-01"),  # list synonym → IS
        cust("丙", industry="制造", first_contact="2024-01-01"),          # synonym → 制造业 MF
        cust("丁", industry="互 联 网", first_contact="2024-01-01"),      # spaces → 互联网 IT
    ])
    assert planned(m) == {2: "2024-IS-001", 3: "2024-IS-002", 4: "2024-MF-001", 5: "2024-IT-001"}


def test_industry_code_table_comes_from_the_workbook() -> None:
    m = make_model(customers=[cust("甲", industry="新能源", first_contact="2024-01-01")],
                   industry_codes={"新能源": "NE", "互联网": "NET"})
    assert planned(m) == {2: "2024-NE-001"}


def test_unknown_industry_gets_fallback_code_and_a_warning() -> None:
    m = make_model(customers=[cust("甲", industry="航天", first_contact="2024-01-01"),
                              cust("乙", first_contact="2024-01-01")],
                   settings={"id_fallback_code": "XX"})
    res = run_ids(m, as_of=AS_OF)
    assert [(e.cell, e.new) for e in res.changeset.edits] == [("A2", "2024-XX-001"), ("A3", "2024-XX-002")]
    assert codes(res) == [("ID-UNKNOWN-INDUSTRY", "D2"), ("ID-UNKNOWN-INDUSTRY", "D3")]
    assert not res.errors and res.stats["unknown_industry"] == 2


def test_unknown_industry_refused_when_set() -> None:
    m = make_model(customers=[cust("甲", industry="航天", first_contact="2024-01-01"),
                              cust("乙", industry="教育", first_contact="2024-01-01")],
                   settings={"id_unknown_industry": "拒绝"})
    res = run_ids(m, as_of=AS_OF)
    assert [(e.cell, e.new) for e in res.changeset.edits] == [("A3", "2024-ED-001")]
    assert [(f.code, f.severity, f.cell) for f in res.findings] == [("ID-UNKNOWN-INDUSTRY", "error", "D2")]


# ---- sequences ---------------------------------------------------------------------------------

def test_sequence_continues_after_highest_and_in_row_order() -> None:
    m = make_model(customers=[
        cust("甲", customer_id="2024-IT-007", industry="互联网"),
        cust("乙", industry="互联网", first_contact="2024-03-01"),
        cust("丙", customer_id="2024-IT-003", industry="互联网"),
        cust("丁", industry="互联网", first_contact="2024-01-01"),
        cust("戊", industry="教育", first_contact="2024-01-01"),
    ])
    # row order, not date order: 乙 (row 3) gets 008 before 丁 (row 5)
    assert planned(m) == {3: "2024-IT-008", 5: "2024-IT-009", 6: "2024-ED-001"}


def test_overflow_past_999_uses_four_digits() -> None:
    m = make_model(customers=[cust("甲", customer_id="2024-IT-998", industry="互联网")]
                   + [cust(f"客户{i}", industry="互联网", first_contact="2024-05-05") for i in range(3)])
    res = run_ids(m, as_of=AS_OF)
    assert [e.new for e in res.changeset.edits] == ["2024-IT-999", "2024-IT-1000", "2024-IT-1001"]
    assert [f.code for f in res.findings] == ["ID-OVERFLOW"]
    assert res.stats["overflow"] == 2
    # a second run on the result continues at 1002 and still parses the four-digit IDs as valid
    m2 = make_model(customers=[cust("甲", customer_id="2024-IT-1001", industry="互联网"),
                               cust("乙", industry="互联网", first_contact="2024-05-05")])
    assert planned(m2) == {3: "2024-IT-1002"}


def test_retired_ids_are_never_reused() -> None:
    m = make_model(customers=[cust("甲", customer_id="2024-IT-002", industry="互联网"),
                              cust("乙", industry="互联网", first_contact="2024-01-01"),
                              cust("丙", industry="医疗", first_contact="2023-01-01")],
                   lists={"retired_ids": ["2024-IT-005", "2023-MD-010", "作废"]})
    res = run_ids(m, as_of=AS_OF)
    assert [(e.cell, e.new) for e in res.changeset.edits] == [("A3", "2024-IT-006"), ("A4", "2023-MD-011")]
    assert [f.code for f in res.findings] == ["ID-BAD-RETIRED"]


def test_ids_only_left_in_the_contact_log_count_as_used() -> None:
    # the customer 2024-IT-004 was deleted, but its contact rows remain
    m = make_model(customers=[cust("甲", industry="互联网", first_contact="2024-01-01")],
                   contacts=[{"customer_id": "2024-IT-004", "contact_date": "2024-02-01"}])
    assert planned(m) == {2: "2024-IT-005"}


def test_existing_id_in_retired_list_is_reported() -> None:
    m = make_model(customers=[cust("甲", customer_id="2024-IT-005", industry="互联网")],
                   lists={"retired_ids": ["2024-IT-005"]})
    res = run_ids(m, as_of=AS_OF)
    assert not res.changeset.edits
    assert codes(res) == [("ID-RETIRED-REUSED", "A2")]


# ---- bad existing IDs ---------------------------------------------------------------------------

def test_malformed_and_duplicate_ids_are_reported_never_rewritten() -> None:
    m = make_model(customers=[
        cust("甲", customer_id="2024-IT-001", industry="互联网"),
        cust("乙", customer_id="2024-IT-001", industry="互联网"),
        cust("丙", customer_id="2024-it-9", industry="互联网"),
        cust("丁", customer_id="客户A", industry="互联网"),
        cust("戊", industry="互联网", first_contact="2024-01-01"),
    ])
    res = run_ids(m, as_of=AS_OF)
    # only the empty cell is written; the mistyped 2024-it-9 still reserves number 9
    assert [(e.cell, e.new, e.old) for e in res.changeset.edits] == [("A6", "2024-IT-010", None)]
    assert sorted(codes(res)) == [("ID-DUPLICATE", "A2"), ("ID-DUPLICATE", "A3"), ("ID-MALFORMED", "A4"),
                                  ("ID-MALFORMED", "A5")]
    hint = next(f for f in res.findings if f.cell == "A4").hint
    assert hint is not None and "2024-IT-009" in hint.zh
    assert res.stats["duplicates"] == 2 and res.stats["malformed"] == 2


def test_row_without_name_gets_no_id() -> None:
    m = make_model(customers=[{"phone": "13800138000", "industry": "互联网", "first_contact": "2024-01-01"}])
    res = run_ids(m, as_of=AS_OF)
    assert not res.changeset.edits and codes(res) == [("ID-NO-NAME", "B2")]


# ---- contact log and complaints -----------------------------------------------------------------

def test_log_and_complaint_rows_get_the_id_of_a_unique_name() -> None:
    m = make_model(
        customers=[cust("杭州云启科技有限公司", customer_id="2024-IT-001", industry="互联网"),
                   cust("宁波海联贸易有限公司", industry="零售业", first_contact="2024-02-02"),
                   cust("同名公司", customer_id="2024-IT-002", industry="互联网"),
                   cust("同名公司", customer_id="2024-IT-003", industry="互联网")],
        contacts=[{"customer_name": "杭州云启科技有限公司", "contact_date": "2024-03-01"},
                  {"customer_name": "宁波海联贸易 有限公司", "contact_date": "2024-03-01"},   # new ID, spaces
                  {"customer_name": "同名公司", "contact_date": "2024-03-01"},               # ambiguous
                  {"customer_name": "不存在公司", "contact_date": "2024-03-01"},             # unknown
                  {"customer_id": "2024-IT-001", "customer_name": "别名", "contact_date": "2024-03-01"}],
        complaints=[{"customer_name": "杭州云启科技有限公司\u3000", "received_at": "2024-04-01 10:00"}])
    res = run_ids(m, as_of=AS_OF)
    got = [(e.sheet, e.cell, e.old, e.new) for e in res.changeset.edits]
    assert got == [("客户基本信息", "A3", None, "2024-RT-001"), ("沟通记录", "A2", None, "2024-IT-001"),
                   ("沟通记录", "A3", None, "2024-RT-001"), ("投诉登记", "B2", None, "2024-IT-001")]
    assert sorted(codes(res)) == [("ID-NAME-AMBIGUOUS", "B4"), ("ID-NAME-UNKNOWN", "B5")]
    assert res.stats["filled_contacts"] == 2 and res.stats["filled_complaints"] == 1


def test_name_of_customer_with_a_bad_id_is_not_filled() -> None:
    m = make_model(customers=[cust("甲", customer_id="2024-IT-1", industry="互联网")],
                   contacts=[{"customer_name": "甲", "contact_date": "2024-03-01"}])
    res = run_ids(m, as_of=AS_OF)
    assert not res.changeset.edits
    assert ("ID-NAME-NO-ID", "B2") in codes(res)


def test_missing_id_column_is_created() -> None:
    keys = ["name", "industry", "first_contact", "contact", "phone"]
    m = make_model(customers=[cust("甲", industry="互联网", first_contact="2024-01-01")], columns={"customers": keys})
    res = run_ids(m, as_of=AS_OF)
    edits = [(e.cell, e.new, e.style) for e in res.changeset.edits]
    assert edits == [("F1", "客户编号", "header_computed"), ("F2", "2024-IT-001", None)]


# ---- idempotence ---------------------------------------------------------------------------------

def apply_to_rows(model: WorkbookModel, edits: list[Any], data: dict[str, list[dict[str, Any]]]) -> None:
    """Write planned edits back into the row dicts make_model was built from (rows start at 2)."""
    by_name = {sd.name: (key, sd) for key, sd in model.sheets.items()}
    for e in edits:
        key, sd = by_name[e.sheet]
        row, col = split_ref(e.cell)
        if row == sd.header_row:
            continue
        inv = {v: k for k, v in sd.columns.items()}
        ckey = inv.get(col, "customer_id")
        data[key][row - 2][ckey] = e.new


def test_second_run_plans_nothing_and_runs_are_deterministic() -> None:
    data: dict[str, list[dict[str, Any]]] = {
        "customers": [cust("甲", industry="互联网", first_contact="2024-01-01"),
                      cust("乙", customer_id="2024-IT-001", industry="互联网"),
                      cust("丙", industry="火星", first_contact="2023-01-01"),
                      cust("丁", industry="教育")],
        "contacts": [{"customer_name": "丙", "contact_date": "2024-03-01"}, {"customer_name": "谁", "contact_date": "2024-03-01"}],
        "complaints": [{"customer_name": "丁", "received_at": "2024-04-01"}],
    }
    m1 = make_model(**data)
    first = run_ids(m1, as_of=AS_OF)
    again = run_ids(m1, as_of=AS_OF)
    assert [(e.cell, e.new) for e in first.changeset.edits] == [(e.cell, e.new) for e in again.changeset.edits]
    assert [e.new for e in first.changeset.edits] == ["2024-IT-002", "2023-OT-001", "2025-ED-001", "2023-OT-001",
                                                      "2025-ED-001"]
    apply_to_rows(m1, first.changeset.edits, data)
    second = run_ids(make_model(**data), as_of=AS_OF)
    assert second.changeset is not None and second.changeset.is_empty
    # the unknown name is still reported, the fallback-code warning is not (the ID exists now)
    assert codes(second) == [("ID-NAME-UNKNOWN", "B3")]


# ---- end to end on real files ------------------------------------------------------------------------

def _cli(*args: str) -> Any:
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    return CliRunner().invoke(cli, ["--lang", "zh", *args])


@pytest.fixture(scope="module")
def sample_file(tmp_path_factory: pytest.TempPathFactory) -> Any:
    from workbook_tools.sample import generate_sample

    path = tmp_path_factory.mktemp("ids") / "crm.xlsx"
    info = generate_sample(path, customers=40, seed=5)
    assert info.without_id > 0
    return path


def test_cli_dry_run_writes_nothing_then_apply_and_rerun_is_empty(sample_file: Any, tmp_path: Any) -> None:
    import json
    import shutil

    from workbook_tools.reader import read_workbook

    path = tmp_path / "crm.xlsx"
    shutil.copy(sample_file, path)
    before = path.read_bytes()
    res = _cli("ids", str(path), "--dry-run")
    assert res.exit_code == 0, res.output
    assert "试运行" in res.output
    res = _cli("ids", str(path), "--dry-run", "--json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["command"] == "ids" and out["ok"] and out["dry_run"] and out["written"] is None
    planned = out["changes"]["edits"]
    assert path.read_bytes() == before
    assert planned and all(set(p) >= {"sheet", "cell", "old", "new"} for p in planned)
    new_customer_ids = [p["new"] for p in planned if p["sheet"] == "客户基本信息"]
    assert new_customer_ids and all(parse_id(v) for v in new_customer_ids)

    res = _cli("ids", str(path))
    assert res.exit_code == 0, res.output
    model = read_workbook(path)
    cust = model.sheet("customers")
    ids = [v for v in cust.raw["customer_id"].tolist()]
    assert all(parse_id(v) for v in ids) and len(set(ids)) == len(ids)
    for p in planned:
        sd = next(s for s in model.sheets.values() if s.name == p["sheet"])
        row, _ = split_ref(p["cell"])
        assert sd.raw.at[row, "customer_id"] == p["new"]
    again = run_ids(model)
    assert again.changeset is not None and again.changeset.is_empty
    assert json.loads(_cli("ids", str(path), "--dry-run", "--json").stdout)["changes"] is None   # nothing to plan


def test_log_without_id_column_gets_one_only_when_something_is_filled() -> None:
    cols = {"contacts": ["customer_name", "contact_date"]}
    m = make_model(customers=[cust("甲", customer_id="2024-IT-001", industry="互联网")],
                   contacts=[{"customer_name": "乙", "contact_date": "2024-03-01"}], columns=cols)
    res = run_ids(m, as_of=AS_OF)
    assert res.changeset.is_empty and codes(res) == [("ID-NAME-UNKNOWN", "A2")]
    m = make_model(customers=[cust("甲", customer_id="2024-IT-001", industry="互联网")],
                   contacts=[{"customer_name": "乙", "contact_date": "2024-03-01"},
                             {"customer_name": "甲", "contact_date": "2024-03-02"}], columns=cols)
    res = run_ids(m, as_of=AS_OF)
    assert [(e.cell, e.new, e.style) for e in res.changeset.edits] == [("C1", "客户编号", "header_computed"),
                                                                        ("C3", "2024-IT-001", None)]


def test_cli_reports_bad_ids_with_exit_1_and_keeps_them(tmp_path: Any) -> None:
    from workbook_tools.reader import read_workbook
    from workbook_tools.template import build_workbook

    path = tmp_path / "bad.xlsx"
    build_workbook(path, data={"customers": [
        cust("甲", customer_id="2024-IT-001", industry="互联网", first_contact=dt.date(2024, 1, 2)),
        cust("乙", customer_id="2024-IT-001", industry="互联网", first_contact=dt.date(2024, 1, 3)),
        cust("丙", customer_id="2024-it-5", industry="互联网", first_contact=dt.date(2024, 1, 4)),
        cust("丁", industry="互联网", first_contact=dt.date(2024, 12, 31)),
    ]})
    res = _cli("ids", str(path))
    assert res.exit_code == 1, res.output
    assert "重复" in res.output and "格式不正确" in res.output
    model = read_workbook(path)
    assert model.sheet("customers").raw["customer_id"].tolist() == ["2024-IT-001", "2024-IT-001", "2024-it-5",
                                                                     "2024-IT-006"]


def test_industry_code_unusable_in_ids_is_refused() -> None:
    m = make_model(customers=[cust("甲", industry="新能源", first_contact="2024-01-01"),
                              cust("乙", industry="火星", first_contact="2024-01-01"),
                              cust("丙", industry="物流", first_contact="2024-01-01")],
                   industry_codes={"新能源": "新-1", "物流": "lg2"}, settings={"id_fallback_code": "其它"})
    res = run_ids(m, as_of=AS_OF)
    assert [(e.cell, e.new) for e in res.changeset.edits] == [("A4", "2024-LG2-001")]
    assert [(f.code, f.severity, f.cell) for f in res.findings] == [
        ("ID-BAD-CODE", "error", "D2"), ("ID-UNKNOWN-INDUSTRY", "warning", "D3"), ("ID-BAD-CODE", "error", "D3")]


def test_implausible_numbers_of_mistyped_ids_are_not_reserved() -> None:
    m = make_model(customers=[cust("甲", customer_id="2024-IT-20240105 ", industry="互联网"),   # a date, mistyped
                              cust("乙", customer_id="2024-IT-12000", industry="互联网"),       # canonical: counts
                              cust("丙", customer_id="2024-ED-9999 ", industry="教育"),         # mistyped, plausible
                              cust("丁", industry="互联网", first_contact="2024-01-01"),
                              cust("戊", industry="教育", first_contact="2024-01-01")],
                   contacts=[{"customer_id": "2024-ed-31000", "contact_date": "2024-02-01"}])
    assert planned(m) == {5: "2024-IT-12001", 6: "2024-ED-10000"}
