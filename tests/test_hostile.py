"""Hostile and broken files: `wbt inspect` refuses each with a clear message (zh and en), exit 2,
no traceback, in bounded time and memory (a subprocess with a timeout and an address-space limit)."""

from __future__ import annotations

import os
import re
import resource
import shutil
import struct
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from workbook_tools.template import build_workbook

TIMEOUT = 60
MEMORY_LIMIT = 3 * 1024**3  # address space of the child (Python + numpy + pandas need ~1 GB virtual)


def _limit() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_inspect(path: Path, lang: str = "zh", env: dict[str, str] | None = None, *,
                json: bool = False) -> subprocess.CompletedProcess[str]:
    full_env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", **(env or {})}
    full_env.pop("WBT_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "workbook_tools", "--lang", lang, "inspect", str(path),
                           *(["--json"] if json else [])],
                          capture_output=True, text=True, timeout=TIMEOUT, preexec_fn=_limit, env=full_env)


def assert_refused(path: Path, zh: str, en: str, env: dict[str, str] | None = None) -> None:
    """Chinese in a subprocess (timeout, memory limit); English in-process (the same code, faster)."""
    res = run_inspect(path, "zh", env)
    out = res.stdout + res.stderr
    assert res.returncode == 2, out
    assert "Traceback" not in out, out
    assert re.search(zh, out, re.S), f"{zh!r} not in {out!r}"
    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    r = CliRunner().invoke(cli, ["--lang", "en", "inspect", str(path)], env=env)
    assert r.exit_code == 2, r.output
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    assert re.search(en, r.output, re.I | re.S), f"{en!r} not in {r.output!r}"


@pytest.fixture(scope="module")
def good(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("hostile") / "good.xlsx"
    build_workbook(path, data={"customers": [{"name": "杭州云启科技有限公司", "contact": "张伟",
                                              "phone": "13800138000"}]})
    return path


def rewrite(src: Path, dst: Path, replace: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(src) as zin, zipfile.ZipFile(dst, "w", zipfile.ZIP_DEFLATED) as zout:
        for info in zin.infolist():
            zout.writestr(info.filename, replace.get(info.filename, zin.read(info.filename)))
    return dst


def test_good_file_reads(good: Path) -> None:
    res = run_inspect(good)
    assert res.returncode == 0, res.stderr
    assert "客户基本信息" in res.stdout


def test_not_a_zip(tmp_path: Path) -> None:
    p = tmp_path / "random.xlsx"
    p.write_bytes(bytes(range(256)) * 40)
    assert_refused(p, "不是 Excel 工作簿", "not an Excel workbook")


def test_truncated_zip(tmp_path: Path, good: Path) -> None:
    p = tmp_path / "truncated.xlsx"
    data = good.read_bytes()
    p.write_bytes(data[: len(data) // 2])
    assert_refused(p, "损坏或不完整", "damaged or incomplete")


def test_encrypted_workbook(tmp_path: Path, good: Path) -> None:
    msoffcrypto = pytest.importorskip("msoffcrypto", reason="msoffcrypto-tool makes the encrypted file")
    from msoffcrypto.format.ooxml import OOXMLFile

    p = tmp_path / "secret.xlsx"
    with good.open("rb") as src, p.open("wb") as dst:
        OOXMLFile(src).encrypt("pw123", dst)
    assert msoffcrypto  # the module is used through OOXMLFile
    assert p.read_bytes()[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
    assert_refused(p, "密码", "password")


def test_csv_renamed(tmp_path: Path) -> None:
    p = tmp_path / "客户.xlsx"
    p.write_text("客户名称,联系人,联系方式\n杭州云启科技有限公司,张伟,13800138000\n", encoding="utf-8")
    assert_refused(p, "CSV.*wbt import", "CSV.*wbt import")


def test_entity_bomb(tmp_path: Path, good: Path) -> None:
    lol = b'<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">' + b"".join(
        b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10)) \
        + b']>\n<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="1" uniqueCount="1">' \
        b"<si><t>&lol9;</t></si></sst>"
    p = rewrite(good, tmp_path / "lol.xlsx", {"xl/sharedStrings.xml": lol})
    assert_refused(p, "实体炸弹", "entity bomb")


def _patch_declared_size(path: Path, member: str, size: int) -> None:
    """Overwrite the uncompressed size of ``member`` in its local header and central directory."""
    data = bytearray(path.read_bytes())
    name = member.encode()
    with zipfile.ZipFile(path) as zf:
        info = zf.getinfo(member)
    # local header: signature … uncompressed size at offset 22
    struct.pack_into("<I", data, info.header_offset + 22, size)
    pos = 0
    while True:  # central directory entry of the member: uncompressed size at offset 24
        pos = data.find(b"PK\x01\x02", pos)
        assert pos >= 0
        n = struct.unpack_from("<H", data, pos + 28)[0]
        if bytes(data[pos + 46:pos + 46 + n]) == name:
            struct.pack_into("<I", data, pos + 24, size)
            break
        pos += 4
    path.write_bytes(bytes(data))


def test_zip_bomb_declared_size(tmp_path: Path, good: Path) -> None:
    """A sheet whose directory says it inflates to ~4 GB: refused from the declared size alone."""
    p = tmp_path / "bomb.xlsx"
    shutil.copy(good, p)
    _patch_declared_size(p, "xl/worksheets/sheet1.xml", 0xFFFF0000)
    assert_refused(p, "压缩炸弹", "zip bomb")


def test_zip_bomb_inflates_beyond_cap(tmp_path: Path, good: Path) -> None:
    """A sheet that really inflates to 64 MB with the part limit lowered to 8 MB (the same code path
    as gigabytes under the default 1 GiB limit, in a fraction of the time)."""
    rows = b"".join(b'<row r="%d"><c r="A%d"><v>1</v></c></row>' % (i, i) for i in range(1, 2001))
    filler = b"<!-- " + b" " * (64 << 20) + b" -->"
    sheet = (b'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/'
             b'spreadsheetml/2006/main"><sheetData>' + rows + b"</sheetData>" + filler + b"</worksheet>")
    p = rewrite(good, tmp_path / "bomb2.xlsx", {"xl/worksheets/sheet1.xml": sheet})
    assert p.stat().st_size < 2 << 20
    assert_refused(p, "压缩炸弹", "zip bomb", env={"WBT_MAX_PART_MB": "8"})


def test_zip_bomb_lying_header(tmp_path: Path, good: Path) -> None:
    """The directory claims a tiny size but the data inflates further: refused, never trusted."""
    p = tmp_path / "liar.xlsx"
    shutil.copy(good, p)
    _patch_declared_size(p, "xl/worksheets/sheet1.xml", 100)
    assert_refused(p, "损坏|不一致", "damaged|does not match")


def test_sheet_reaching_last_row(tmp_path: Path) -> None:
    p = tmp_path / "long.xlsx"
    wb = xlsxwriter.Workbook(str(p))
    ws = wb.add_worksheet("客户基本信息")
    for c, h in enumerate(["客户名称", "联系人", "联系方式"]):
        ws.write(0, c, h)
    ws.write(1, 0, "杭州云启科技有限公司")
    ws.write(1_048_575, 30, "x")  # a stray cell in the very last row, column AE
    wb.close()
    assert_refused(p, "客户基本信息.*1,048,576", "客户基本信息.*1,048,576")


def test_stream_cap_when_declared_size_lies(tmp_path: Path) -> None:
    """iter_part stops inflating at the cap whatever the directory says."""
    from workbook_tools.errors import UnreadableWorkbook
    from workbook_tools.reader import safety

    p = tmp_path / "big.zip"
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("xl/worksheets/sheet1.xml", b" " * (16 << 20))
    with zipfile.ZipFile(p) as zf, pytest.raises(UnreadableWorkbook) as err:
        for _ in safety.iter_part(zf, "xl/worksheets/sheet1.xml", p, cap=4 << 20):
            pass
    assert "zip bomb" in err.value.message.en


def test_a_fifo_named_xlsx_is_refused_at_once(tmp_path: Path) -> None:
    """Opening a FIFO for reading blocks until a writer comes: the reader never opens one."""
    fifo = tmp_path / "客户.xlsx"
    os.mkfifo(fifo)
    assert_refused(fifo, "不是普通文件", "not a regular file")


def test_a_directory_named_xlsx_is_refused(tmp_path: Path) -> None:
    from workbook_tools.errors import UnreadableWorkbook
    from workbook_tools.reader import read_workbook

    (tmp_path / "d.xlsx").mkdir()
    with pytest.raises(UnreadableWorkbook) as err:
        read_workbook(tmp_path / "d.xlsx")
    assert "folder" in err.value.message.en and "文件夹" in err.value.message.zh


@pytest.mark.soffice
def test_a_legacy_xls_named_xlsx_is_read_read_only_and_never_written(tmp_path: Path) -> None:
    import json

    from click.testing import CliRunner

    from workbook_tools.cli.main import cli

    src = tmp_path / "src.xlsx"
    build_workbook(src, data={"customers": [{"name": "杭州云启科技有限公司", "contact": "张伟", "phone": "13800138000"}]})
    subprocess.run(["soffice", f"-env:UserInstallation=file://{tmp_path}/lo-profile", "--headless", "--convert-to",
                    "xls", "--outdir", str(tmp_path), str(src)], check=True, timeout=180, capture_output=True)
    renamed = tmp_path / "客户.xlsx"
    (tmp_path / "src.xls").rename(renamed)
    res = run_inspect(renamed, "en", json=True)
    assert res.returncode == 0, res.stdout + res.stderr
    out = json.loads(res.stdout)
    assert out["format"] == "xls" and out["sheets"]
    (note,) = [n for n in out["notices"] if n["code"] == "R-XLS-READONLY"]
    assert "named .xlsx" in note["message"] and "Excel 97-2003" in note["message"]
    before = renamed.read_bytes()
    r = CliRunner().invoke(cli, ["--lang", "en", "ids", str(renamed)])
    assert r.exit_code == 2 and "Excel 97-2003 (.xls)" in r.output and "damaged" not in r.output, r.output
    assert renamed.read_bytes() == before


def test_a_header_window_cell_of_brackets_reads_in_linear_time(tmp_path: Path) -> None:
    """A cell of 200,000 "(" in the first rows: matching it as a header used to take hours."""
    from tests.test_extent import make_book

    p = make_book(tmp_path / "brackets.xlsx", '<row r="1"><c r="A1" t="inlineStr"><is><t>客户名称</t></is></c><c r="B1" '
                  't="inlineStr"><is><t>联系人</t></is></c></row><row r="2"><c r="A2" t="inlineStr"><is><t>'
                  + "(" * 200_000 + "</t></is></c></row>")
    res = run_inspect(p)
    assert res.returncode == 0, res.stderr


def test_padding_inflating_a_thousandfold_is_refused_at_once(tmp_path: Path) -> None:
    """A 200 KB file whose sheet inflates to 200 MB of spaces: refused from the zip directory, and
    also while inflating when the directory lies about the size."""
    from tests.test_extent import HEADER, make_book

    p = make_book(tmp_path / "pad.xlsx", HEADER + " " * (200 << 20) + '<row r="3"><c r="A3"><v>1</v></c></row>')
    assert p.stat().st_size < 1 << 20
    assert_refused(p, "sheet1.xml.*100 倍", "sheet1.xml.*over 100 times.*WBT_MAX_RATIO")
    liar = tmp_path / "liar.xlsx"
    shutil.copy(p, liar)
    _patch_declared_size(liar, "xl/worksheets/sheet1.xml", 4096)
    assert_refused(liar, "100 倍|不一致", "over 100 times|does not match")
