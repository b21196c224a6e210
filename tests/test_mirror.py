"""Mirroring planned edits in the model: what the month-end run uses instead of a second read."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from workbook_tools.changeset import Changeset
from workbook_tools.model import cell_ref
from workbook_tools.ops.ids import run_ids
from workbook_tools.ops.mirror import with_edits
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.writer import apply_changeset

AS_OF = dt.date(2026, 10, 31)


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    path = tmp_path_factory.mktemp("mirror") / "crm.xlsx"
    generate_sample(path, customers=80, seed=3)
    return path


def test_mirrored_ids_equal_what_the_reader_finds_after_the_write(sample, tmp_path):
    path = tmp_path / "crm.xlsx"
    path.write_bytes(sample.read_bytes())
    model = read_workbook(path)
    before = {k: s.df["customer_id"].copy() for k, s in model.sheets.items()}
    cs = run_ids(model, as_of=AS_OF).changeset
    assert len({e.sheet for e in cs.edits}) >= 2       # customers, and log rows matched by name
    mirrored = with_edits(model, cs)
    assert mirrored is not None
    for k, s in model.sheets.items():                  # the original model is left as it was
        pd.testing.assert_series_equal(s.df["customer_id"], before[k])
    apply_changeset(path, cs, backup_keep=0)
    reread = read_workbook(path)
    for k in ("customers", "contacts", "complaints"):
        got, want = mirrored.sheets[k], reread.sheets[k]
        pd.testing.assert_frame_equal(got.df, want.df, check_dtype=False)
        pd.testing.assert_frame_equal(got.raw, want.raw, check_dtype=False)


def _first(model):
    cust = model.sheets["customers"]
    return cust, int(cust.df.index[0])


@pytest.mark.parametrize("case", ["date", "header", "new_row", "unknown_sheet", "twice", "unclean", "number_column"])
def test_what_cannot_be_mirrored_exactly_returns_none(sample, case):
    model = read_workbook(sample)
    cust, row = _first(model)
    cs = Changeset("t")
    idc = cust.columns["customer_id"]
    if case == "date":
        cs.edit(cust.name, cell_ref(row, idc), dt.date(2026, 1, 1))
    elif case == "header":
        cs.edit(cust.name, cell_ref(cust.header_row, cust.columns["name"]), "客户")
    elif case == "new_row":
        cs.edit(cust.name, cell_ref(cust.last_row + 5, idc), "2026-IT-999")
    elif case == "unknown_sheet":
        cs.edit("别的表", "A2", "x")
    elif case == "twice":
        cs.edit(cust.name, cell_ref(row, idc), "2026-IT-998")
        cs.edit(cust.name, cell_ref(row, idc), "2026-IT-999")
    elif case == "unclean":
        cs.edit(cust.name, cell_ref(row, idc), " 2026-IT-999 ")
    else:
        cs.edit(cust.name, cell_ref(row, cust.columns["amount_annual"]), "12")
    assert with_edits(model, cs) is None


def test_an_empty_changeset_mirrors_to_the_same_model(sample):
    model = read_workbook(sample)
    assert with_edits(model, Changeset("t")) is model
