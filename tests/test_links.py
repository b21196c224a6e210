"""The shared log → customer matching (ops/links.py): the matching rule, the per-customer facts
against a plain reference loop, and the memo staying with the frames it was computed from."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from workbook_tools.changeset import Changeset
from workbook_tools.model import WorkbookModel
from workbook_tools.ops import links
from workbook_tools.ops.matching import column_values, list_value, name_key, norm_id
from workbook_tools.ops.mirror import with_edits
from workbook_tools.ops.phrases import first_of, phrases_of, renewal_statement
from workbook_tools.ops.review.customers import customer_view, link_rows
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.testing import make_model

D = dt.date


def cust(name: str, cid: str | None = None, **kw: Any) -> dict[str, Any]:
    return {"name": name, "customer_id": cid, "contact": "张三", "phone": "13800138000", **kw}


def test_per_value_calls_once_per_distinct_value_and_keeps_types_apart() -> None:
    calls: list[Any] = []

    def f(v: Any) -> str:
        calls.append(v)
        return repr(v)

    assert links.per_value(["a", None, "a", float("nan"), "b"], f) == ["'a'", "None", "'a'", "None", "'b'"]
    assert sorted(map(repr, calls)) == ["'a'", "'b'", "None"]
    # 1, 1.0 and True compare equal in Python; as cell values they are three different things
    assert links.per_value([1, 1.0, True, "1", None, 1], repr) == ["1", "1.0", "True", "'1'", "None", "1"]
    assert links.per_value([], repr) == []


def _model() -> WorkbookModel:
    return make_model(
        customers=[cust("甲科技有限公司", "2024-IT-001"), cust("乙贸易有限公司", "2024-IT-002"),
                   cust("丙制造有限公司", "2024-MF-001"), cust("丙制造有限公司", None),     # a name twice
                   cust("丁物流有限公司", "2024-LG-001"), cust("戊物流有限公司", "2024-LG-001")],  # an ID twice
        contacts=[
            {"customer_id": "2024-IT-001", "customer_name": "甲科技有限公司", "contact_date": "2025-05-01"},
            {"customer_id": None, "customer_name": " 乙贸易 有限公司", "contact_date": "2025-05-02"},  # by name
            {"customer_id": "２０２４－ＩＴ－００１", "customer_name": None, "contact_date": "2025-05-03"},  # NFKC
            {"customer_id": None, "customer_name": "丙制造有限公司", "contact_date": "2025-05-04"},  # ambiguous
            {"customer_id": "2024-LG-001", "customer_name": "丁物流有限公司", "contact_date": "2025-05-05"},
            {"customer_id": "2099-XX-999", "customer_name": "甲科技有限公司", "contact_date": "2025-05-06"},
            {"customer_id": None, "customer_name": None, "contact_date": "2025-05-07"},
            {"customer_id": "2024-LG-001", "customer_name": None, "contact_date": "2025-05-08"},  # shared ID, no name
            {"customer_id": "2024-LG-001", "customer_name": "戊物流（有限）公司", "contact_date": "2025-05-09"},
        ])


def test_owners_follow_the_matching_rule() -> None:
    m = _model()
    o = links.owners(m, "contacts")
    # rows 2..7 are the customers; an unknown ID does not fall back to the name. 2024-LG-001 is shared
    # by rows 6 and 7: the row's name decides (丁 → 6; 戊, typed with brackets → 7); without a name the
    # row counts for both and is reported as undecided
    assert o.first.tolist() == [2, 3, 2, -1, 6, -1, -1, 6, 7]
    assert o.extra == [(7, 7)]
    assert o.undecided == {"2024-LG-001": [7]}
    pos, rows = o.pairs()
    assert list(zip(pos.tolist(), rows.tolist())) == [(0, 2), (1, 3), (2, 2), (4, 6), (7, 6), (7, 7), (8, 7)]
    # the review links each row to the first customer only
    assert link_rows(m, "contacts").tolist() == [2, 3, 2, -1, 6, -1, -1, 6, 7]


def test_memo_is_per_model_and_per_frames() -> None:
    m = _model()
    first = links.owners(m, "contacts")
    assert links.owners(m, "contacts") is first
    copy = replace(m)
    assert copy.memo == {} and links.owners(copy, "contacts") is not first
    # a mirrored model (the IDs step's edits put in) matches again, with the new IDs
    sheet = m.sheets["contacts"]
    cs = Changeset("ids")
    cs.edit(sheet.name, f"A{sheet.df.index[3]}", "2024-MF-001", old=None)
    assert sheet.columns["customer_id"] == 1
    mirrored = with_edits(m, cs)
    assert mirrored is not None and mirrored is not m
    assert links.owners(mirrored, "contacts").first.tolist()[3] == 4
    assert links.owners(m, "contacts").first.tolist()[3] == -1


def _reference_owners(model: WorkbookModel, sheet: Any) -> list[list[int]]:
    """The customers of each row of a log sheet, by the matching rule written out row by row."""
    custs = model.sheets["customers"]
    by_id: dict[str, list[int]] = {}
    for row, v in custs.raw["customer_id"].items():
        if norm_id(v):
            by_id.setdefault(norm_id(v), []).append(row)
    names: dict[str, list[int]] = {}
    for row, v in custs.df["name"].items():
        if name_key(v):
            names.setdefault(name_key(v), []).append(row)
    unique = {n: rows[0] for n, rows in names.items() if len(rows) == 1}

    out = []
    for cid, name in zip(sheet.raw["customer_id"].tolist(), sheet.df["customer_name"].tolist()):
        if norm_id(cid):
            rows = by_id.get(norm_id(cid), [])
            named = [r for r in rows if name_key(name) and name_key(custs.df.at[r, "name"]) == name_key(name)]
            out.append(named if len(rows) > 1 and len(named) == 1 else rows)
        else:
            r = unique.get(name_key(name))
            out.append([r] if r is not None else [])
    return out


def _reference_facts(model: WorkbookModel, as_of: D) -> dict[int, tuple[Any, Any, list[Any]]]:
    """The rule written out row by row, as ops/risk.py did before the shared matching."""
    custs = model.sheets["customers"]
    out: dict[int, list[Any]] = {r: [None, None, []] for r in custs.df.index}
    log = model.sheets["contacts"]
    for rows, day, ch in zip(_reference_owners(model, log), column_values(log.df["contact_date"]),
                             log.raw["contact_changed"]):
        if day is None or day > as_of:
            continue
        for r in rows:
            if out[r][0] is None or day > out[r][0]:
                out[r][0] = day
            if list_value("yes_no", ch, model.settings) == "是" and (out[r][1] is None or day > out[r][1]):
                out[r][1] = day
    comp = model.sheets["complaints"]
    for rows, day, status in zip(_reference_owners(model, comp), column_values(comp.df["received_at"]),
                                 comp.raw["status"]):
        if day is None or day > as_of:
            continue
        for r in rows:
            out[r][2].append((day, list_value("complaint_status", status, model.settings) not in ("已解决", "已关闭")))
    return {r: (a, b, c) for r, (a, b, c) in out.items()}


@pytest.fixture(scope="module")
def sample_model(tmp_path_factory: pytest.TempPathFactory) -> WorkbookModel:
    path = Path(tmp_path_factory.mktemp("links")) / "sample.xlsx"
    generate_sample(path, customers=300, seed=7, defects=0.25)
    return read_workbook(path)


@pytest.mark.parametrize("as_of", [D(2026, 10, 31), D(2026, 3, 15)])
def test_facts_equal_the_row_by_row_rule_on_a_sample_with_defects(sample_model: WorkbookModel, as_of: D) -> None:
    got = links.facts(sample_model, as_of)
    want = _reference_facts(sample_model, as_of)
    assert {r: (f.last_contact, f.contact_changed, f.complaints) for r, f in got.items()} == want
    assert sum(1 for v in want.values() if v[0]) > 100  # the sample links plenty of rows
    assert any(v[2] for v in want.values()) and any(v[1] for v in want.values())


def test_log_signals_equal_a_row_by_row_reading(sample_model: WorkbookModel) -> None:
    """The latest contact named, the latest renewal statement and contact-change wording, and the
    purchase days, read row by row in sheet order."""
    as_of = D(2026, 10, 31)
    ph = phrases_of(sample_model.settings)
    log = sample_model.sheets["contacts"]
    want: dict[int, dict[str, Any]] = {}
    cols = zip(_reference_owners(sample_model, log), column_values(log.df["contact_date"]),
               log.df["customer_contact"].tolist(), log.df["summary"].tolist(), log.df["feedback"].tolist())
    for rows, day, named, summary, feedback in cols:
        if day is None or day > as_of:
            continue
        hits = ph.scan(summary) + ph.scan(feedback)
        said, change = renewal_statement(hits), first_of(hits, "contact_change_phrases")
        for r in rows:
            w = want.setdefault(r, {"logged": None, "renewal": None, "text": None, "buys": set()})
            if isinstance(named, str) and (w["logged"] is None or day >= w["logged"][0]):
                w["logged"] = (day, named)
            if said and (w["renewal"] is None or day >= w["renewal"][0]):
                w["renewal"] = (day, said.kind, said.text)
            if change and (w["text"] is None or day >= w["text"][0]):
                w["text"] = (day, change.text)
            if first_of(hits, "purchase_keywords"):
                w["buys"].add(day)
    got = links.facts(sample_model, as_of)
    for r, f in got.items():
        w = want.get(r, {"logged": None, "renewal": None, "text": None, "buys": set()})
        assert (f.logged_contact, f.renewal, f.contact_text, f.purchases) == \
            (w["logged"], w["renewal"], w["text"], sorted(w["buys"])), r
    # the sample holds every kind of signal
    assert all(any(w[k] for w in want.values()) for k in ("logged", "renewal", "text", "buys"))


def test_review_and_tiers_share_one_computation(sample_model: WorkbookModel) -> None:
    as_of = D(2026, 10, 31)
    sample_model.memo.clear()
    view = customer_view(sample_model, as_of)
    key = f"facts:{as_of.isoformat()}"
    assert any(k[0] == key for k in sample_model.memo)
    facts = links.facts(sample_model, as_of)
    assert view["last_contact"].tolist() == [facts[r].last_contact for r in view.index]


def test_empty_mask() -> None:
    assert links.empty_mask(["", " ", None, float("nan"), "x", 0, "　"]).tolist() == \
        [True, True, True, True, False, False, True]
    assert isinstance(links.empty_mask([]), np.ndarray)


def test_facts_as_of_boundaries() -> None:
    as_of = D(2025, 6, 30)
    m = make_model(
        customers=[cust("甲科技有限公司", "2024-IT-001"), cust("乙贸易有限公司", "2024-IT-002")],
        contacts=[
            {"customer_id": "2024-IT-001", "customer_name": "甲", "contact_date": "2025-05-31", "contact_changed": "是"},
            {"customer_id": "2024-IT-002", "customer_name": "乙", "contact_date": "2025-05-30", "contact_changed": "是"},
            {"customer_id": "2024-IT-002", "customer_name": "乙", "contact_date": "2025-07-01"},  # after as_of
        ],
        complaints=[{"customer_id": "2024-IT-001", "customer_name": "甲", "received_at": "2025-06-30",
                     "status": "处理中"},
                    {"customer_id": "2024-IT-001", "customer_name": "甲", "received_at": "2025-06-01",
                     "status": "已关闭"},
                    {"customer_id": "2024-IT-002", "customer_name": "乙", "received_at": "2025-07-01"}])
    f = links.facts(m, as_of)
    assert (f[2].last_contact, f[2].contact_changed) == (D(2025, 5, 31), D(2025, 5, 31))
    assert (f[3].last_contact, f[3].contact_changed) == (D(2025, 5, 30), D(2025, 5, 30))  # windows: ops/risk.py
    assert f[2].complaints == [(D(2025, 6, 30), True), (D(2025, 6, 1), False)]  # sheet order
    assert f[3].complaints == []
