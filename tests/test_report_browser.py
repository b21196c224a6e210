"""The HTML report as a reader sees it: headless Chromium prints it to PDF and a screenshot.

Checks what the HTML tests cannot: the page is not blank, its Chinese text comes out of the
rendered PDF, a Chinese font is there to draw it, and the declared inline-SVG charts are drawn (their
titles live only in the SVG).
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from conftest import browser_binary

from workbook_tools.i18n import set_lang
from workbook_tools.ops.review import Period, compute_review
from workbook_tools.ops.review.charts import CHARTS
from workbook_tools.reader import read_workbook
from workbook_tools.report import render_report
from workbook_tools.sample import generate_sample
from workbook_tools.testing.soffice import pdf_text, png_is_blank

CHART_TITLES = tuple(c.title_for(Period.month("2026-10")).zh for c in CHARTS)


def _chromium(*args: str) -> None:
    binary = browser_binary()
    assert binary, "Chromium is required here (WBT_REQUIRE_BROWSER=1) but not installed"
    subprocess.run([binary, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", *args],
                   check=True, capture_output=True, timeout=120)


@pytest.mark.browser
@pytest.mark.slow
def test_html_report_renders_with_chinese_glyphs_and_charts(tmp_path: Path) -> None:
    book = tmp_path / "crm.xlsx"
    generate_sample(book, customers=60, seed=7)
    review = compute_review(read_workbook(book), month="2026-10", as_of=dt.date(2026, 10, 31), source=book.name)
    set_lang("zh")
    try:
        html = tmp_path / "review.html"
        html.write_text(render_report(review, "html"), encoding="utf-8")
    finally:
        set_lang(None)
    pdf, png = tmp_path / "review.pdf", tmp_path / "review.png"
    _chromium("--no-pdf-header-footer", f"--print-to-pdf={pdf}", html.as_uri())
    _chromium("--window-size=1280,1600", f"--screenshot={png}", html.as_uri())
    assert png.exists() and not png_is_blank(png)
    text = pdf_text(pdf)
    assert "近六个月沟通与投诉" in CHART_TITLES and "投诉（右轴）" in text   # the complaints' own axis is named
    for word in ("2026-10 月度复盘", "关键指标", "比率（与上月比较）", "流失率", "客户总数", "按负责人", *CHART_TITLES):
        assert word in text, word
    total = next(k.value for k in review.kpis if k.key == "customers_total")
    assert str(total) in text
    churn = review.kpi("churn_rate")
    assert f"{100 * churn.value:.1f}%" in text     # rates as percentages
    # Chromium embeds its fonts nameless (Type 3), so the PDF cannot say which font drew the text;
    # what keeps the Chinese from being boxes is a Chinese font the browser can find:
    zh = subprocess.run(["fc-list", ":lang=zh", "family"], check=True, capture_output=True, text=True, timeout=60)
    assert zh.stdout.strip(), "no Chinese font installed: the report would show boxes"
