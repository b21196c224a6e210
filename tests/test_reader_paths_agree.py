"""The reader's faster paths read exactly what the plain ones read: a defect-rich sample (every
kind of planted defect, hidden rows, formulas without a value, error cells, merged cells) gives
the same frames, raw values and notices whether the sheet parts are inflated by zlib-ng straight
from the file or by zipfile, in 4 MB pieces or tiny ones, and with the formula test of before."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pandas as pd
import pytest

from tests.corpus.producers import LAYOUTS, build_parts, write_zip
from workbook_tools import ziplib
from workbook_tools.model import WorkbookModel
from workbook_tools.reader import calamine, read_workbook, safety, xmlscan
from workbook_tools.sample import generate_sample


def _old_has_formula(buf: bytes) -> bool:  # the test before this change, kept here to compare with
    return (b"<f" in buf and (b"<f>" in buf or b"<f " in buf)) or b":f>" in buf or b":f " in buf


def _same(a: WorkbookModel, b: WorkbookModel) -> None:
    assert list(a.sheets) == list(b.sheets)
    for key in a.sheets:
        sa, sb = a.sheets[key], b.sheets[key]
        pd.testing.assert_frame_equal(sa.df, sb.df)
        pd.testing.assert_frame_equal(sa.raw, sb.raw)
        assert (sa.hidden_rows, sa.formulas, sa.formulas_without_value, sa.merged, sa.text_typed) == \
            (sb.hidden_rows, sb.formulas, sb.formulas_without_value, sb.merged, sb.text_typed)
    assert [n.to_dict("en") for n in a.notices] == [n.to_dict("en") for n in b.notices]


@pytest.fixture(scope="module")
def books(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The defect sample, and the producers' layouts (formulas, shared and array formulas,
    prefixes, inline and 'str' strings, rows and cells without r, the 1904 system)."""
    folder = tmp_path_factory.mktemp("agree")
    out = {"sample": folder / "defects.xlsx"}
    generate_sample(out["sample"], customers=300, seed=11, defects=0.25)
    for name, layout in LAYOUTS.items():
        out[name] = write_zip(folder / f"{name}.xlsx", build_parts(layout))
    out["offset"] = folder / "offset.xlsx"  # a sheet whose cells start at C3, and an empty sheet
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(out["offset"]))
    ws = wb.add_worksheet("客户基本信息")
    ws.write_row(2, 2, ["客户名称", "联系人", "联系方式", "累计合作金额(万元)"])
    for i in range(40):
        ws.write_row(3 + i, 2, [f"公司{i % 7}", "张伟" if i % 2 else "李娜", "13800138000", i * 1.5])
    ws.write(50, 9, "far")
    wb.add_worksheet("空表")
    wb.close()
    return out


@pytest.mark.parametrize("book", ["sample", "offset", *LAYOUTS])
def test_rows_are_calamines_with_one_object_per_text(books: dict[str, Path], book: str) -> None:
    import python_calamine as pc

    wb = pc.CalamineWorkbook.from_path(str(books[book]))
    for name in wb.sheet_names:
        sheet = wb.get_sheet_by_name(name)
        got = calamine.shared_rows(sheet)
        assert got == sheet.to_python(skip_empty_area=False)
        for col in zip(*got) if got else ():
            texts = [v for v in col if isinstance(v, str)]
            assert len({id(v) for v in texts}) == len(set(texts))


def _plain(m: pytest.MonkeyPatch, chunk: int) -> None:
    m.setattr(ziplib, "member_chunks", lambda *a, **k: None)   # zipfile inflates, as before
    m.setattr(calamine, "shared_rows", lambda sheet: sheet.to_python(skip_empty_area=False))
    m.setattr(xmlscan, "has_formula", _old_has_formula)
    m.setattr(safety, "CHUNK", chunk)


@pytest.mark.parametrize("chunk", [safety.CHUNK, 777])
@pytest.mark.parametrize("book", ["sample", "offset"])
def test_the_defect_sample_reads_the_same_model(books: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                                chunk: int, book: str) -> None:
    fast = read_workbook(books[book])
    assert any(n.code == "R-TEXT-TYPED" for n in fast.notices) or book != "sample"
    assert fast.sheets["customers"].n_rows == (40 if book == "offset" else 300)
    with monkeypatch.context() as m:
        _plain(m, chunk)
        plain = read_workbook(books[book])
    _same(fast, plain)


def _scans(path: Path) -> list[tuple]:
    with zipfile.ZipFile(path) as zf:
        parts = sorted(n for n in zf.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml"))
        out = []
        for part in parts:
            for defer in (False, True):
                sc = xmlscan.scan_sheet(zf, part, path, part, defer_facts=defer)
                xmlscan.finish_facts(sc)
                out.append((part, sc.last_row, sc.n_rows, sc.hidden_rows, sc.formulas_without_value, sc.formulas,
                            sc.errors, sc.long_texts, sc.extent))
    return out


@pytest.mark.parametrize("chunk", [safety.CHUNK, 777])
@pytest.mark.parametrize("book", list(LAYOUTS))
def test_every_producers_sheet_scans_the_same(books: dict[str, Path], monkeypatch: pytest.MonkeyPatch,
                                              book: str, chunk: int) -> None:
    fast = _scans(books[book])
    assert any(scan[5] for scan in fast) or book == "rless_cells"  # the formulas (cells without r: none placed)
    with monkeypatch.context() as m:
        _plain(m, chunk)
        assert _scans(books[book]) == fast
