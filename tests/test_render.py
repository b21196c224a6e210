"""A real client: LibreOffice headless renders the template and a sample with Chinese text."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from workbook_tools.sample import generate_sample
from workbook_tools.testing.soffice import pdf_text, png_is_blank, render_png, soffice_available

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "templates" / "CRM_master.xlsx"


def _png(path: Path, width: int, height: int, pixel: Callable[[int, int], tuple[int, int, int]]) -> Path:
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))
    return path


def test_png_is_blank_tells_blank_from_drawn(tmp_path: Path) -> None:
    white = _png(tmp_path / "w.png", 40, 30, lambda x, y: (255, 255, 255))
    drawn = _png(tmp_path / "d.png", 40, 30, lambda x, y: (0, 0, 0) if 10 <= x < 30 and y == 15 else (255, 255, 255))
    assert png_is_blank(white)
    assert not png_is_blank(drawn)


def test_soffice_available_is_a_bool() -> None:
    assert isinstance(soffice_available(), bool)


@pytest.mark.soffice
def test_convert_timeout_is_a_clear_error_and_kills_office(tmp_path: Path) -> None:
    from workbook_tools.errors import WbtError
    from workbook_tools.testing.soffice import convert

    with pytest.raises(WbtError, match="timed out|超时"):
        convert(TEMPLATE, "pdf", tmp_path, timeout=0.05)
    assert not list(tmp_path.glob("*.pdf"))


@pytest.mark.soffice
@pytest.mark.slow
def test_template_renders_with_chinese_text(tmp_path: Path) -> None:
    pngs = render_png(TEMPLATE, tmp_path, first_page_only=True)
    assert len(pngs) == 1 and not png_is_blank(pngs[0])
    text = pdf_text(tmp_path / "CRM_master.pdf")
    for word in ("客户名称", "联系方式", "沟通时间", "投诉编号", "行业名称", "tier_strategic_min", "月末工作流程",
                 "wbt validate", "第 1 页"):
        assert word in text, word
    assert "###" not in text


@pytest.mark.soffice
@pytest.mark.slow
def test_sample_renders_with_its_data(tmp_path: Path) -> None:
    xlsx = tmp_path / "sample50.xlsx"
    generate_sample(xlsx, customers=50, seed=3)
    pngs = render_png(xlsx, tmp_path / "out", first_page_only=True)
    assert len(pngs) == 1 and not png_is_blank(pngs[0])
    text = pdf_text(tmp_path / "out" / "sample50.pdf")
    import openpyxl

    wb = openpyxl.load_workbook(xlsx, read_only=True)
    first_name = next(wb["客户基本信息"].iter_rows(min_row=2, max_row=2, values_only=True))[1]
    wb.close()
    assert first_name in text.replace(" ", "")
    assert "客户名称" in text and "###" not in text
