"""`wbt import` opens its source with the reader's checks: a hostile or broken source is refused
with a clear message (exit 2, the workbook untouched), never a crash, a hang or a traceback —
before the fix it went straight to calamine (a cell at XFD aborted the process, a FIFO hung it)."""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import xlsxwriter

from tests.test_extent import HEADER, make_book
from tests.test_hostile import MEMORY_LIMIT, TIMEOUT, _patch_declared_size, rewrite
from workbook_tools.errors import WbtError
from workbook_tools.jobs.importing import read_source
from workbook_tools.schema import SCHEMA
from workbook_tools.template import build_workbook

CUST = SCHEMA.sheet("customers")


@pytest.fixture
def book(tmp_path: Path) -> Path:
    p = tmp_path / "book.xlsx"
    build_workbook(p, data={"customers": [{"name": "杭州云启科技有限公司", "contact": "郑晓峰", "phone": "13766554433"}]})
    return p


def wbt_import(book: Path, source: Path, *extra: str, env: dict[str, str] | None = None
               ) -> subprocess.CompletedProcess[str]:
    """``wbt import`` in a subprocess with a timeout and an address-space limit."""
    full = {**os.environ, "OPENBLAS_NUM_THREADS": "1", **(env or {})}
    full.pop("WBT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "workbook_tools", "--lang", "en", "import", str(book), str(source),
                           "--dry-run", *extra], capture_output=True, text=True, timeout=TIMEOUT, env=full,
                          preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT)))


def assert_refused(book: Path, source: Path, pattern: str, env: dict[str, str] | None = None) -> None:
    before = book.read_bytes()
    res = wbt_import(book, source, env=env)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "Traceback" not in out and pattern in out, out
    assert book.read_bytes() == before


def test_a_cell_at_xfd_in_the_source_is_refused_before_calamine(book: Path, tmp_path: Path) -> None:
    src = make_book(tmp_path / "far.xlsx", HEADER + '<row r="70000"><c r="XFD70000"><v>1</v></c></row>',
                    sheet_name="名单")
    assert_refused(book, src, "XFD70000")


def test_a_fifo_source_is_refused_at_once(book: Path, tmp_path: Path) -> None:
    for name in ("名单.csv", "名单.xlsx"):
        fifo = tmp_path / name
        os.mkfifo(fifo)
        assert_refused(book, fifo, "not a regular file")


def refused_in_process(book: Path, source: Path, pattern: str) -> None:
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    before = book.read_bytes()
    r = CliRunner().invoke(cli, ["--lang", "en", "import", str(book), str(source)])
    assert r.exit_code == 2 and pattern in r.output and "Traceback" not in r.output, r.output
    assert book.read_bytes() == before


@pytest.mark.parametrize("case", ["entity bomb", "zip bomb", "truncated", "csv named xlsx"])
def test_hostile_sources(book: Path, tmp_path: Path, case: str) -> None:
    good = tmp_path / "good.xlsx"
    build_workbook(good, data={"customers": [{"name": "甲公司"}]})
    src = tmp_path / "src.xlsx"
    if case == "entity bomb":
        lol = b'<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "aaaaaaaaaa">]><sst>&a;</sst>'
        rewrite(good, src, {"xl/sharedStrings.xml": lol})
        want = "entity bomb"
    elif case == "zip bomb":
        shutil.copy(good, src)
        _patch_declared_size(src, "xl/worksheets/sheet1.xml", 0xFFFF0000)
        want = "zip bomb"
    elif case == "truncated":
        src.write_bytes(good.read_bytes()[:2000])
        want = "damaged or incomplete"
    else:
        src.write_text("公司名称,联系人\n甲公司,张三\n", encoding="utf-8")
        want = "CSV/text file"
    refused_in_process(book, src, want)


def test_an_encrypted_source_is_refused(book: Path, tmp_path: Path) -> None:
    pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes the encrypted file")
    from msoffcrypto.format.ooxml import OOXMLFile

    good = tmp_path / "good.xlsx"
    build_workbook(good, data={"customers": [{"name": "甲公司"}]})
    src = tmp_path / "secret.xlsx"
    with good.open("rb") as a, src.open("wb") as b:
        OOXMLFile(a).encrypt("pw", b)
    refused_in_process(book, src, "password")


def test_a_spreadsheet_named_csv_is_read_as_one(tmp_path: Path) -> None:
    src = tmp_path / "名单.csv"
    wb = xlsxwriter.Workbook(str(src))
    ws = wb.add_worksheet("名单")
    ws.write_row(0, 0, ["公司名称", "联系人", "手机号"])
    ws.write_row(1, 0, ["甲公司", "张三", "13800001111"])
    wb.close()
    t = read_source(src, CUST)
    assert t.headers == ["公司名称", "联系人", "手机号"] and t.rows == [["甲公司", "张三", "13800001111"]]


def test_a_csv_over_the_limit_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    src = tmp_path / "big.csv"
    src.write_bytes(b"name\n" + b"a\n" * (1 << 20))
    monkeypatch.setenv("WBT_MAX_PART_MB", "1")
    with pytest.raises(WbtError) as err:
        read_source(src, CUST)
    assert "larger than 1 MB" in err.value.message.en


def test_a_missing_source_sheet_is_named(tmp_path: Path) -> None:
    src = make_book(tmp_path / "s.xlsx", HEADER, sheet_name="名单")
    with pytest.raises(WbtError) as err:
        read_source(src, CUST, sheet="客户")
    assert "no sheet named '客户'" in err.value.message.en and "名单" in err.value.message.en
    assert read_source(src, CUST, sheet="名单").headers[:2] == ["客户名称", "联系人"]
