"""The sample generator: reproducible, realistic, clean when asked, and defects exactly where listed.

The checks below re-implement the validation rules independently (read back with openpyxl):
a clean sample breaks none of them, and a defect sample breaks them only in the listed cells.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections import Counter, defaultdict
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.model import col_letter
from workbook_tools.sample import KINDS, defects_path, generate_sample
from workbook_tools.schema import SCHEMA

END = date(2026, 10, 31)
MOBILE = re.compile(r"^1[3-9]\d{9}$")
EMAIL = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+$")
CID = re.compile(r"^(\d{4})-([A-Z]{2})-(\d{3})$")
TERM = re.compile(r"^(\d{4})\.(\d{2})-(\d{4})\.(\d{2})$")
CODES = {i.name: i.code for i in SCHEMA.industries}
SUFFIX = re.compile(r"(（中国）|\(中国\)|股份有限公司|有限责任公司|有限公司|集团)")


def norm_name(s: str) -> str:
    s = unicodedata.normalize("NFKC", s)
    s = re.sub(r"\s+", "", s)
    return SUFFIX.sub("", s.replace("(中国)", ""))


def read(path: Path) -> dict[str, list[dict[str, Any]]]:
    wb = openpyxl.load_workbook(path, read_only=True)
    out: dict[str, list[dict[str, Any]]] = {}
    for spec in SCHEMA.data_sheets:
        rows = list(wb[spec.zh].iter_rows(values_only=True))
        assert list(rows[0]) == [c.zh for c in spec.columns]
        recs = []
        for i, r in enumerate(rows[1:], start=2):
            if all(v is None for v in r):
                continue
            rec: dict[str, Any] = {"_row": i}
            for col, v in zip(spec.columns, r):
                if col.type == "date" and isinstance(v, datetime):
                    v = v.date()
                rec[col.key] = v
            recs.append(rec)
        out[spec.key] = recs
    wb.close()
    return out


def cell(sheet: str, key: str, row: int) -> tuple[str, str]:
    spec = SCHEMA.sheet(sheet)
    idx = [c.key for c in spec.columns].index(key)
    return spec.zh, f"{col_letter(idx + 1)}{row}"


def violations(d: dict[str, list[dict[str, Any]]], end: date = END) -> dict[tuple[str, str], str]:
    """Every rule broken, as {(sheet, cell): reason}. Duplicates report every member of the group."""
    bad: dict[tuple[str, str], str] = {}
    st = {s.key: s.default for s in SCHEMA.settings}

    def flag(sheet: str, key: str, row: int, why: str) -> None:
        bad.setdefault(cell(sheet, key, row), why)

    lists = {li.key: set(li.values) for li in SCHEMA.lists}
    lists["industry"] = set(CODES)
    for sheet in ("customers", "contacts", "complaints"):
        for r in d[sheet]:
            for col in SCHEMA.sheet(sheet).columns:
                v = r.get(col.key)
                if v is None:
                    if col.required:
                        flag(sheet, col.key, r["_row"], "missing")
                    continue
                if col.list and v not in lists[col.list]:
                    flag(sheet, col.key, r["_row"], "list")
                if col.type in ("date", "datetime"):
                    if not isinstance(v, (date, datetime)):
                        flag(sheet, col.key, r["_row"], "not a date")
                    elif (v.date() if isinstance(v, datetime) else v) > end:
                        flag(sheet, col.key, r["_row"], "future")
                if col.type in ("amount", "rating") and not isinstance(v, (int, float)):
                    flag(sheet, col.key, r["_row"], "not a number")
                if col.type == "amount" and isinstance(v, (int, float)) and (v < 0 or v >= st["amount_yuan_suspect"]):
                    flag(sheet, col.key, r["_row"], "amount")
                if col.type == "rating" and isinstance(v, (int, float)) and not 1 <= v <= 5:
                    flag(sheet, col.key, r["_row"], "rating")
                if col.max_len and isinstance(v, str) and len(v) > min(col.max_len, 200 if col.key == "needs" else 10**6):
                    flag(sheet, col.key, r["_row"], "long")
                if col.type == "phone" and not MOBILE.match(str(v)):
                    flag(sheet, col.key, r["_row"], "phone")
                if col.type == "email" and not EMAIL.match(str(v)):
                    flag(sheet, col.key, r["_row"], "email")
                if col.type == "customer_id":
                    m = CID.match(str(v))
                    if not m or m.group(2) not in CODES.values():
                        flag(sheet, col.key, r["_row"], "id format")

    cust = d["customers"]
    groups: dict[str, dict[Any, list[int]]] = {"name": defaultdict(list), "phone": defaultdict(list),
                                               "customer_id": defaultdict(list)}
    for r in cust:
        if r["name"]:
            groups["name"][norm_name(r["name"])].append(r["_row"])
            if not re.search(r"(公司|集团|医院|学校|大学|研究院|中心)$", r["name"]) or len(r["name"]) < 6:
                flag("customers", "name", r["_row"], "short name")
        for k in ("phone", "customer_id"):
            if r.get(k):
                groups[k][r[k]].append(r["_row"])
        fc, fco, lco = r.get("first_contact"), r.get("first_coop"), r.get("last_coop")
        if isinstance(fc, date) and isinstance(fco, date) and fco < fc:
            flag("customers", "first_coop", r["_row"], "date order")
        if isinstance(fco, date) and isinstance(lco, date) and lco < fco:
            flag("customers", "last_coop", r["_row"], "date order")
        if r.get("stage") == "合作中" and fco is None:
            flag("customers", "first_coop", r["_row"], "active without cooperation date")
        if r.get("term"):
            m = TERM.match(r["term"])
            if not m or (int(m.group(3)), int(m.group(4))) <= (int(m.group(1)), int(m.group(2))):
                flag("customers", "term", r["_row"], "term")
        if isinstance(r.get("founded"), int) and isinstance(fc, date) and r["founded"] > fc.year:
            flag("customers", "founded", r["_row"], "founded after first contact")
    for key, g in groups.items():
        for rows in g.values():
            if len(rows) > 1:
                for row in rows:
                    flag("customers", key, row, "duplicate")

    by_id: dict[str, dict[str, Any]] = {}
    for r in cust:                      # a duplicated ID keeps its first (original) owner
        if r.get("customer_id"):
            by_id.setdefault(r["customer_id"], r)
    by_name = {r["name"]: r for r in cust if r.get("name")}
    for sheet, date_key in (("contacts", "contact_date"), ("complaints", "received_at")):
        for r in d[sheet]:
            c = by_id.get(r["customer_id"]) if r.get("customer_id") else by_name.get(r.get("customer_name"))
            if c is None:
                flag(sheet, "customer_id", r["_row"], "orphan")
                continue
            when = r.get(date_key)
            when_d = when.date() if isinstance(when, datetime) else when
            if isinstance(when_d, date) and isinstance(c.get("first_contact"), date) and when_d < c["first_contact"]:
                flag(sheet, date_key, r["_row"], "before first contact")
            if sheet == "contacts" and c.get("stage") == "终止合作" and isinstance(r.get("due"), date) and r["due"] > end:
                flag(sheet, "due", r["_row"], "ended customer with a future action")
    for r in d["contacts"]:
        cd, due, logged = r["contact_date"], r.get("due"), r.get("logged_at")
        if isinstance(cd, date) and isinstance(due, date) and due < cd:
            flag("contacts", "due", r["_row"], "due before contact")
        if isinstance(cd, date) and isinstance(logged, datetime):
            delta = logged - datetime(cd.year, cd.month, cd.day)
            if not timedelta(0) <= delta <= timedelta(hours=st["log_within_hours"]):
                flag("contacts", "logged_at", r["_row"], "logged late")
    sla = {"一般": st["response_hours_normal"], "紧急": st["response_hours_urgent"], "特急": st["response_hours_critical"]}
    for r in d["complaints"]:
        rec, reg, resp, res = r["received_at"], r.get("registered_at"), r.get("responded_at"), r.get("resolved_at")
        if reg and not timedelta(0) <= reg - rec <= timedelta(hours=st["complaint_register_hours"]):
            flag("complaints", "registered_at", r["_row"], "registered late")
        if resp and not timedelta(0) <= resp - rec <= timedelta(hours=sla[r["urgency"]]):
            flag("complaints", "responded_at", r["_row"], "answered late")
        if isinstance(res, datetime) and res < rec:
            flag("complaints", "resolved_at", r["_row"], "resolved before received")
        if r.get("status") in ("待处理", "处理中") and res is not None:
            flag("complaints", "resolved_at", r["_row"], "open but resolved")
    return bad


@pytest.fixture(scope="module")
def clean(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    p = tmp_path_factory.mktemp("s") / "clean.xlsx"
    generate_sample(p, customers=300, seed=7)
    return p, read(p)


@pytest.fixture(scope="module")
def defective(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, list[dict[str, Any]]]]:
    p = tmp_path_factory.mktemp("d") / "defects.xlsx"
    generate_sample(p, customers=400, seed=11, defects=0.1)
    return p, read(p)


def test_same_seed_same_bytes_other_seed_differs(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.xlsx", tmp_path / "b.xlsx", tmp_path / "c.xlsx"
    generate_sample(a, customers=60, seed=5, defects=0.2)
    generate_sample(b, customers=60, seed=5, defects=0.2)
    generate_sample(c, customers=60, seed=6, defects=0.2)
    assert a.read_bytes() == b.read_bytes()
    assert defects_path(a).read_bytes() == defects_path(b).read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_clean_sample_breaks_no_rule(clean: tuple[Path, dict]) -> None:
    path, d = clean
    bad = violations(d)
    assert not bad, list(bad.items())[:10]
    assert json.loads(defects_path(path).read_text(encoding="utf-8")) == []


def test_clean_sample_is_realistic(clean: tuple[Path, dict]) -> None:
    _, d = clean
    cust, contacts, complaints = d["customers"], d["contacts"], d["complaints"]
    assert len(cust) == 300
    assert 7 <= len(contacts) / len(cust) <= 13
    with_complaints = {r["customer_id"] or r["customer_name"] for r in complaints}
    assert 0.02 * len(cust) <= len(with_complaints) <= 0.09 * len(cust)
    # ~5 % new customers without ID, all others numbered per (year, code) from 001 without gaps
    assert sum(1 for r in cust if not r["customer_id"]) == 15
    seqs: dict[tuple[str, str], list[int]] = defaultdict(list)
    for r in cust:
        if r["customer_id"]:
            y, code, n = CID.match(r["customer_id"]).groups()
            assert int(y) == r["first_contact"].year and code == CODES[r["industry"]]
            seqs[(y, code)].append(int(n))
    for nums in seqs.values():
        assert sorted(nums) == list(range(1, len(nums) + 1))
    # realistic amounts: a few >= 50, some 10-50, most < 10
    amounts = [r["amount_annual"] for r in cust if r["amount_annual"] is not None]
    big = sum(a >= 50 for a in amounts) / len(amounts)
    mid = sum(10 <= a < 50 for a in amounts) / len(amounts)
    assert 0.01 <= big <= 0.1 and 0.1 <= mid <= 0.35
    # two years of dates ending at END
    firsts = [r["first_contact"] for r in cust]
    assert min(firsts) >= END - timedelta(days=731) and max(firsts) < END
    assert max(r["contact_date"] for r in contacts) >= END - timedelta(days=10)
    # business state worth reviewing is present: overdue actions, at-risk signals, name-only rows, open complaints
    assert any(r["due"] and r["due"] < END - timedelta(days=30) for r in contacts)
    assert sum(1 for r in contacts if r["contact_changed"] == "是") >= 3
    assert sum(1 for r in contacts if not r["customer_id"] and r["customer_name"]) > 0.03 * len(contacts)
    assert any(r["status"] in ("处理中", "待处理") for r in complaints)
    assert any(r["satisfaction"] is not None and r["satisfaction"] <= 2 for r in cust)
    assert len({r["owner"] for r in cust}) == 8
    assert all(r["name"].endswith(("有限公司", "股份有限公司", "有限责任公司")) for r in cust)
    assert set(r["industry"] for r in cust) == set(CODES)
    # computed columns are empty
    for col in SCHEMA.sheet("customers").computed_columns:
        assert all(r[col.key] is None for r in cust)


def test_dates_are_real_dates_and_validations_reach_below_the_data(clean: tuple[Path, dict]) -> None:
    path, data = clean
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb["沟通记录"]
    row = next(ws.iter_rows(min_row=2, max_row=2))
    spec = SCHEMA.sheet("contacts")
    i = [c.key for c in spec.columns].index("contact_date")
    assert row[i].is_date and row[i].number_format == "yyyy-mm-dd"
    j = [c.key for c in spec.columns].index("logged_at")
    assert row[j].is_date and row[j].number_format == "yyyy-mm-dd hh:mm"
    wb.close()
    full = openpyxl.load_workbook(path)
    n = len(data["contacts"])
    refs = {str(dv.sqref) for dv in full["沟通记录"].data_validations.dataValidation}
    assert f"A2:A{n + 1 + 500}" in refs              # validations reach 500 rows below the data
    last = col_letter(len(SCHEMA.sheet("contacts").columns))
    assert full["沟通记录"].tables["tbl_contacts"].ref == f"A1:{last}{n + 1}"


def test_defects_are_listed_and_are_the_only_problems(defective: tuple[Path, dict]) -> None:
    path, d = defective
    planted = json.loads(defects_path(path).read_text(encoding="utf-8"))
    assert len(planted) == 40
    kinds = Counter(p["kind"] for p in planted)
    assert set(kinds) == set(KINDS) and min(kinds.values()) >= 2
    cells = [(p["sheet"], p["cell"]) for p in planted]
    assert len(cells) == len(set(cells)), "two defects in one cell"
    wb = openpyxl.load_workbook(path, read_only=True)
    for p in planted:
        v = wb[p["sheet"]][p["cell"]].value
        if isinstance(v, datetime):
            v = v.isoformat() if v.time() != datetime.min.time() or "T" in str(p["value"]) else v.date().isoformat()
        assert v == p["value"], p
        spec = next(s for s in SCHEMA.data_sheets if s.zh == p["sheet"])
        assert (p["sheet"], p["cell"]) == cell(spec.key, p["column"], p["row"])
    wb.close()
    found = violations(d)
    text_dates = {(p["sheet"], p["cell"]) for p in planted if p["kind"] == "text_date"}
    missed = [p for p in planted if (p["sheet"], p["cell"]) not in found]
    assert not missed, missed[:5]
    # nothing else is wrong, apart from the partner of a planted duplicate
    dup_values = {(p["column"], p["value"] if p["column"] != "name" else norm_name(p["value"]))
                  for p in planted if p["kind"].startswith("duplicate")}
    by_cell = {cell("customers", k, r["_row"]): (k, r[k] if k != "name" else norm_name(r[k] or ""))
               for r in d["customers"] for k in ("name", "phone", "customer_id")}
    extra = [(c, why) for c, why in found.items()
             if c not in set(cells) | text_dates and not (why == "duplicate" and by_cell.get(c) in dup_values)]
    assert not extra, extra[:10]


def test_cli_sample(tmp_path: Path) -> None:
    out = tmp_path / "s.xlsx"
    r = CliRunner().invoke(cli, ["sample", "--customers", "30", "--seed", "2", "--defects", "0.5", "-o", str(out),
                                 "--json"])
    assert r.exit_code == 0, r.output
    info = json.loads(r.output)
    assert info["customers"] == 30 and info["defects"] == 15
    assert len(json.loads(defects_path(out).read_text(encoding="utf-8"))) == 15
    again = CliRunner().invoke(cli, ["sample", "--customers", "30", "--seed", "2", "-o", str(out)])
    assert again.exit_code == 2 and "--force" in again.output
    r = CliRunner().invoke(cli, ["sample", "--customers", "30", "--seed", "2", "--end", "2025-06-30", "-o",
                                 str(out), "--force"])
    assert r.exit_code == 0
    data = read(out)
    assert max(x["contact_date"] for x in data["contacts"]) < date(2025, 6, 30)


def test_broken_ids_are_always_broken_and_orphans_never_match() -> None:
    """Also with sequences above 099 (the 10k sample once planted a 'bad' ID that was valid)."""
    import random

    from workbook_tools.sample import generate_data, plant_defects

    data = generate_data(customers=3000, seed=4)
    assert max(int(c["customer_id"][-3:]) for c in data["customers"] if c["customer_id"]) >= 100
    planted = plant_defects(data, rate=0.1, rng=random.Random(1), end=END,
                            kinds=("bad_customer_id", "orphan_contact"))
    assert len(planted) == 300
    ids = {c["customer_id"] for c in data["customers"] if c["customer_id"]}
    for p in planted:
        if p["kind"] == "bad_customer_id":
            m = CID.match(p["value"])
            assert not m or m.group(2) not in CODES.values(), p
        else:
            assert CID.match(p["value"]) and p["value"] not in ids, p


def test_the_cli_never_overwrites_a_defects_list_it_was_not_asked_to(tmp_path) -> None:  # noqa: ANN001
    """`wbt sample -o f.xlsx` writes f.xlsx.defects.json too: a foreign file of that name is kept
    (exit 2, nothing written) unless --force."""
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    out, side = tmp_path / "f.xlsx", tmp_path / "f.xlsx.defects.json"
    side.write_text("FOREIGN", encoding="utf-8")
    res = CliRunner().invoke(cli, ["sample", "-o", str(out), "--customers", "5"], env={"WBT_LANG": "zh"})
    assert res.exit_code == 2 and "f.xlsx.defects.json" in res.output
    assert side.read_text(encoding="utf-8") == "FOREIGN" and not out.exists()
    res = CliRunner().invoke(cli, ["sample", "-o", str(out), "--customers", "5", "--force"], env={"WBT_LANG": "zh"})
    assert res.exit_code == 0 and out.exists() and side.read_text(encoding="utf-8").startswith("[")
