"""Every scan of a sheet part is linear in its inflated size, whatever the padding (between rows,
between cells, inside a text): 8× the input costs about 8× the CPU time (a quadratic scan costs 64×).
A single tag padded beyond 16 MB is refused. Measured as a ratio of CPU times, never a wall-clock
threshold."""

from __future__ import annotations

import time
import zipfile
from pathlib import Path

import pytest

from tests.test_extent import HEADER, make_book
from workbook_tools.errors import UnreadableWorkbook
from workbook_tools.reader import xmlscan

MB = 1 << 20
PADDING = {
    "between rows": lambda n: HEADER + " " * n + '<row r="3"><c r="A3"><v>1</v></c></row>',
    "between cells": lambda n: HEADER + '<row r="3"><c r="A3"><v>1</v></c>' + "\n" * n + '<c r="B3"><v>2</v></c></row>',
    "inside a text": lambda n: HEADER + '<row r="3"><c r="A3" t="inlineStr"><is><t>' + " " * n + "</t></is></c></row>",
}


def _cpu(path: Path) -> float:
    """Best CPU time of three full scans (extent, facts) of the sheet part."""
    best = float("inf")
    with zipfile.ZipFile(path) as zf:
        for _ in range(3):
            t = time.process_time()
            xmlscan.finish_facts(xmlscan.scan_sheet(zf, "xl/worksheets/sheet1.xml", path, "客户基本信息",
                                                    defer_facts=True))
            best = min(best, time.process_time() - t)
    return best


@pytest.mark.parametrize("where", sorted(PADDING))
def test_padding_scans_in_linear_time(tmp_path: Path, where: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(xmlscan.safety, "CHUNK", 256 << 10)    # many chunks: what makes a scan quadratic
    monkeypatch.setattr(xmlscan.extent, "MAX_TAG_BYTES", 2 * MB)
    small = _cpu(make_book(tmp_path / "s.xlsx", PADDING[where](4 * MB)))
    large = _cpu(make_book(tmp_path / "l.xlsx", PADDING[where](32 * MB)))
    # 8× the input: linear ≈ 8× the time (measured 6.5–7), quadratic ≈ 64× (the old scan measured 38–41)
    assert large / max(small, 1e-3) < 24, (where, small, large)


def test_every_byte_is_scanned_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The blocks partition the part: their sizes add up to the inflated size exactly."""
    path = make_book(tmp_path / "p.xlsx", PADDING["between rows"](40 * MB))
    seen: list[int] = []
    real = xmlscan.safety.check_xml
    monkeypatch.setattr(xmlscan.safety, "check_xml", lambda data, name, p: (seen.append(len(data)), real(data, name, p)))
    with zipfile.ZipFile(path) as zf:
        size = zf.getinfo("xl/worksheets/sheet1.xml").file_size
        blocks = list(xmlscan.iter_blocks(zf, "xl/worksheets/sheet1.xml", path))
    assert sum(seen) == sum(map(len, blocks)) == size and max(seen) < 24 * MB


def test_a_padded_tag_is_refused(tmp_path: Path) -> None:
    path = make_book(tmp_path / "t.xlsx", HEADER + '<row r="3"><c r="A3"' + " " * (20 * MB) + "><v>1</v></c></row>")
    with zipfile.ZipFile(path) as zf, pytest.raises(UnreadableWorkbook) as err:
        xmlscan.scan_sheet(zf, "xl/worksheets/sheet1.xml", path, "客户基本信息")
    assert "more than 16 MB" in err.value.message.en
