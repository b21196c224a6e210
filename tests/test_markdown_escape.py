"""The Markdown report escapes every text from the workbook: rendered by an independent Markdown
renderer (markdown-it-py, HTML allowed as in viewers that render it), a hostile customer or owner
name gives no tag, link, image or code span, and no extra table cell; it reads exactly as typed."""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from workbook_tools.ops.review import compute_review
from workbook_tools.report import render_report
from workbook_tools.report.render import md_escape
from workbook_tools.testing import make_model

markdown_it = pytest.importorskip("markdown_it", reason="markdown-it-py renders the report independently")

HOSTILE = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[点我](javascript:alert(1))",
    "![图](http://evil.example/x.png)",
    "| 断开 | 表格 |",
    "`code` **粗体** _斜体_ ~~删除~~",
    "# 标题 <!-- 注释",
    "&lt;b&gt;已转义&lt;/b&gt; &amp; \\",
    "<https://evil.example>",
    "- 列表项\n第二行\r\n=====",
    "1. 编号",
]
ALLOWED_TAGS = {"h1", "h2", "h3", "p", "em", "table", "thead", "tbody", "tr", "th", "td"}


def _render(text: str) -> str:
    md = markdown_it.MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    return md.render(text)


@pytest.fixture(scope="module")
def report_html() -> str:
    customers = [{"customer_id": f"2024-IT-{i + 1:03d}", "name": name, "industry": "互联网", "owner": name,
                  "first_contact": "2024-05-06", "amount_annual": 60, "stage": "合作中", "contact": "甲",
                  "phone": "13800000001"} for i, name in enumerate(HOSTILE)]
    model = make_model(customers=customers,
                       contacts=[{"customer_id": "2024-IT-001", "contact_date": "2024-05-08", "follower": HOSTILE[0]}])
    review = compute_review(model, month="2024-05", as_of=dt.date(2024, 6, 10))
    return _render(render_report(review, "md", lang="zh"))


def test_no_markup_from_the_data_survives_rendering(report_html: str) -> None:
    tags = {m.group(1).lower() for m in re.finditer(r"</?([a-zA-Z][\w-]*)", report_html)}
    assert tags <= ALLOWED_TAGS, tags - ALLOWED_TAGS
    assert "<!--" not in report_html and "javascript:" not in report_html.replace("(javascript:", "")


def test_every_hostile_name_reads_as_typed_in_its_own_cell(report_html: str) -> None:
    cells = [html.unescape(c) for c in re.findall(r"<td>(.*?)</td>", report_html, re.S)]
    for name in HOSTILE:
        shown = re.sub(r"\s+", " ", name).strip()
        assert shown in cells, (name, [c for c in cells if c[:2] == shown[:2]])


def test_every_table_row_has_as_many_cells_as_its_header(report_html: str) -> None:
    tables = re.findall(r"<table>(.*?)</table>", report_html, re.S)
    assert len(tables) >= 5
    for t in tables:
        width = len(re.findall(r"<th[ >]", t))
        for row in re.findall(r"<tr>(.*?)</tr>", t.split("</thead>")[1], re.S):
            assert len(re.findall(r"<td[ >]", row)) == width, row


@pytest.mark.parametrize("text", HOSTILE)
def test_md_escape_alone_round_trips_through_a_renderer(text: str) -> None:
    out = _render(md_escape(text) + "\n")
    assert re.fullmatch(r"<p>.*</p>\n", out, re.S), out
    assert html.unescape(out[3:-5]) == re.sub(r"\s*[\r\n]+\s*", " ", text).strip()
