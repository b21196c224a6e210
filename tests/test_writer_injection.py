"""Formula injection: every text is stored as text, whatever its first character."""

from __future__ import annotations

import csv
import os
import subprocess
import uuid
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _writer_util import make_book
from python_calamine import CalamineWorkbook

from workbook_tools.changeset import Changeset
from workbook_tools.writer import apply_changeset

PAYLOADS = ['=HYPERLINK("http://x","y")', "+1", "-2", "@SUM(A1)", "=1+1", "=cmd|' /C calc'!A0",
            "\t=1+1", "＝1+1", "-", "=", "'=1"]


def _write(tmp_path: Path) -> Path:
    path = make_book(tmp_path / "book.xlsx")
    cs = Changeset("inject")
    for i, text in enumerate(PAYLOADS, start=2):
        cs.edit("数据", f"K{i}", text)
    cs.edit("数据", "A2", PAYLOADS[0], old="杭州云启科技有限公司")  # over a shared-string cell
    apply_changeset(path, cs)
    return path


def test_payloads_are_text_for_openpyxl_and_calamine(tmp_path: Path) -> None:
    path = _write(tmp_path)
    with zipfile.ZipFile(path) as z:
        sheet = z.read("xl/worksheets/sheet1.xml")
        others = [z.read(n) for n in z.namelist()
                  if n.startswith("xl/worksheets/sheet") and n != "xl/worksheets/sheet1.xml"]
    assert sheet.count(b"<f>") == 1  # only the formula the workbook already had (B7)
    assert len(others) == 2 and all(b"<f>" not in x for x in others)  # 其他, 变更日志 (payloads logged)
    ws = openpyxl.load_workbook(path)["数据"]
    for i, text in enumerate(PAYLOADS, start=2):
        cell = ws[f"K{i}"]
        assert cell.data_type == "s" and cell.value == text, (i, cell.value)
    assert ws["A2"].data_type == "s" and ws["A2"].value == PAYLOADS[0]
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_name("数据").to_python(skip_empty_area=False)
    assert [rows[i - 1][10] for i in range(2, 2 + len(PAYLOADS))] == PAYLOADS


@pytest.mark.soffice
def test_libreoffice_shows_the_literal_text(tmp_path: Path) -> None:
    path = _write(tmp_path)
    profile = tmp_path / f"lo-{uuid.uuid4().hex}"
    out = tmp_path / "csv"
    subprocess.run(["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--convert-to",
                    "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,1",
                    "--outdir", str(out), str(path)], check=True, timeout=120, capture_output=True,
                   env=dict(os.environ, HOME=str(tmp_path)))
    files = sorted(out.glob("*.csv"))
    assert files, "LibreOffice wrote no CSV"
    with open(files[0], encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    got = [rows[i - 1][10] for i in range(2, 2 + len(PAYLOADS))]
    assert got == PAYLOADS
    assert rows[1][0] == PAYLOADS[0]
