"""wbt validate on the sample generator's workbooks: every planted defect is found at its cell by the
rule its kind maps to (recall 100%), and a clean sample yields zero errors."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from workbook_tools.ops.validate import run_validate
from workbook_tools.reader import read_workbook

AS_OF = dt.date(2026, 10, 31)   # the samples' default end date
KIND_TO_CODE = {
    "missing_required": "REQ_VALUE", "bad_list_value": "LIST_VALUE", "bad_date": "DATE_INVALID",
    "text_date": "DATE_AS_TEXT", "future_date": "DATE_FUTURE", "bad_phone": "PHONE", "bad_email": "EMAIL",
    "negative_amount": "AMOUNT", "yuan_amount": "AMOUNT_YUAN", "rating_out_of_range": "RATING",
    "long_text": "TEXT_LONG", "short_name": "NAME_SHORT", "duplicate_name": "DUP_NAME",
    "duplicate_phone": "DUP_PHONE", "duplicate_id": "DUP_ID", "bad_customer_id": "ID_FORMAT",
    "orphan_contact": "XREF_CUSTOMER", "date_order": "ORDER_FIRST_COOP", "due_before_contact": "ORDER_DUE",
    "resolved_before_received": "ORDER_RESOLVED",
}


@pytest.fixture(scope="module")
def samples(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    from workbook_tools.sample import generate_sample

    d = tmp_path_factory.mktemp("validate-samples")
    generate_sample(d / "clean.xlsx", customers=250, seed=3)
    generate_sample(d / "defects.xlsx", customers=250, seed=4, defects=0.25)
    return {"clean": d / "clean.xlsx", "defects": d / "defects.xlsx"}


def test_every_defect_kind_is_mapped():
    from workbook_tools.sample import KINDS

    assert set(KINDS) == set(KIND_TO_CODE)


def test_clean_sample_has_no_errors(samples: dict[str, Path]):
    r = run_validate(read_workbook(samples["clean"]), as_of=AS_OF)
    assert [f"{f.code} {f.sheet}!{f.cell} {f.message.zh}" for f in r.errors] == []
    # business state (overdue follow-ups, records linked by name) is reported, but never as an error
    assert r.stats["warnings"] + r.stats["infos"] > 0


def test_every_planted_defect_is_found_at_its_cell(samples: dict[str, Path]):
    path = samples["defects"]
    planted = json.loads(path.with_name(path.name + ".defects.json").read_text(encoding="utf-8"))
    assert len({d["kind"] for d in planted}) == len(KIND_TO_CODE)
    r = run_validate(read_workbook(path), as_of=AS_OF)
    at: dict[tuple[str, str], set[str]] = {}
    for f in r.findings:
        at.setdefault((f.sheet, f.cell), set()).add(f.code)
    missed = [d for d in planted if KIND_TO_CODE[d["kind"]] not in at.get((d["sheet"], d["cell"]), set())]
    assert missed == []
    cells = {(d["sheet"], d["cell"]) for d in planted}
    errors = r.errors
    precision = sum((f.sheet, f.cell) in cells for f in errors) / len(errors)
    print(f"\nplanted {len(planted)}, errors {len(errors)}, recall 100%, precision (errors at planted cells) "
          f"{precision:.1%}")
    assert precision >= 0.95


def test_overdue_follow_ups_agree_with_wbt_tiers(samples: dict[str, Path]):
    from workbook_tools.ops.tiers import run_tiers

    model = read_workbook(samples["clean"])
    overdue = [f for f in run_validate(model, as_of=AS_OF, rules=["OVERDUE_FOLLOWUP"]).findings]
    assert len(overdue) == run_tiers(model, as_of=AS_OF).stats["overdue"] > 0
