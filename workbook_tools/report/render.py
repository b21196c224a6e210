"""Render the review (of a month or a quarter) as HTML or Markdown from jinja2 templates.

The templates ship in ``workbook_tools/report/templates`` (``review.html.j2``, ``review.md.j2``).
A user may pass a folder of their own (``wbt review --templates DIR``): a file there with the
same name is used instead of the shipped one; anything it does not define falls back to the
package. Templates receive one variable, ``r`` (see :func:`review_context` for its fields).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import jinja2

from ..errors import WbtError
from ..i18n import L, current_lang
from ..ops.review.charts import CHARTS, number
from ..ops.review.model import Kpi, Ratio, Review, Table
from ..ops.review.sheet import (
    basis_text,
    delta_text,
    headings,
    sheet_name,
    stamp_text,
    title_text,
    value_text,
)
from ..values import display, is_missing
from . import svg

TEMPLATES = {"html": "review.html.j2", "md": "review.md.j2"}


def template_env(templates_dir: str | Path | None = None) -> jinja2.Environment:
    loaders: list[jinja2.BaseLoader] = []
    if templates_dir is not None:
        d = Path(templates_dir)
        if not d.is_dir():
            raise WbtError(L("模板文件夹不存在：{d}", "Template folder not found: {d}").format(d=d))
        loaders.append(jinja2.FileSystemLoader(str(d)))
    loaders.append(jinja2.PackageLoader("workbook_tools.report", "templates"))
    env = jinja2.Environment(loader=jinja2.ChoiceLoader(loaders), undefined=jinja2.StrictUndefined,
                             autoescape=jinja2.select_autoescape(["html", "html.j2"]),
                             trim_blocks=True, lstrip_blocks=True, keep_trailing_newline=True)
    env.filters["md"] = md_cell
    return env


def fmt(v: Any, lang: str | None = None) -> str:
    """One value as text, the same way in HTML, Markdown and the sheet (shares as %)."""
    if is_missing(v):
        return ""
    if isinstance(v, L):
        return v.get(lang)
    if isinstance(v, dt.date):
        return display(v)
    if isinstance(v, Ratio):
        return f"{100 * v:.1f}%"
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def kpi_text(k: Kpi, which: str, lang: str) -> str:
    """A figure's value as the sheet shows it: with its decimals, a share as %, or why there is none."""
    shown = value_text(k, which, lang)
    if shown is not None:
        return shown
    v = k.value if which == "value" else k.previous
    if k.is_rate:
        return f"{100 * v:.1f}%"
    return f"{v:,.{k.decimals}f}" if k.decimals else f"{int(v):,}"


class MdText(str):
    """Text already escaped for Markdown (the ``md`` filter leaves it as it is)."""


# characters that change Markdown structure anywhere in a line: code spans, emphasis, links and
# images, table cells, headings, strikethrough, and the backslash itself
_MD_INLINE = re.compile(r"[\\`*_\[\]|#~!]")
# at the start of a line: a list item (-, +, 1. 1); * is escaped above) or a setext heading underline
_MD_LINE_START = re.compile(r"^(?:[-+](?=\s|$)|(\d+)[.)](?=\s|$)|[=-]+\s*$)")
_NEWLINES = re.compile(r"[\r\n\u2028\u2029\x0b\x0c]+")


def md_escape(v: Any) -> MdText:
    """Text for a Markdown report that reads exactly as typed in any viewer: HTML-significant
    characters become entities (no tag, comment or entity of the data is ever live, also in
    viewers that render HTML inside Markdown), Markdown syntax characters are backslash-escaped
    (no link, image, code span, emphasis or extra table cell), line breaks become spaces."""
    if isinstance(v, MdText):
        return v
    s = _NEWLINES.sub(" ", str(v))
    s = s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    s = _MD_INLINE.sub(lambda m: "\\" + m.group(0), s)
    m = _MD_LINE_START.match(s)
    if m:  # escape the marker's punctuation: "\\- x", "1\\. x", "\\==="
        i = len(m.group(1) or "")
        s = s[:i] + "\\" + s[i:]
    return MdText(s)


def md_cell(v: Any) -> str:
    """The ``md`` filter of the templates (kept for user templates): :func:`md_escape`."""
    return md_escape(v)


# identifiers a template may compare (k.key == "customers_total"), and the charts: SVG markup made
# by report/svg.py, whose texts it escapes itself
_MD_RAW = frozenset({"key", "trend", "lang", "charts"})


def _md_context(value: Any) -> Any:
    """Every text of a template context escaped for Markdown, so no template can forget it."""
    if isinstance(value, str):
        return md_escape(value)
    if isinstance(value, dict):
        return {k: v if k in _MD_RAW else _md_context(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_md_context(v) for v in value]
    return value


def _table(t: Table, lang: str) -> dict[str, Any]:
    note = L("仅列出前 {k} 条，共 {n} 条", "First {k} of {n} shown").format(k=len(t.rows), n=t.total).get(lang)
    return {"note": note if t.total > len(t.rows) else "", "key": t.key, "title": t.title.get(lang),
            "columns": [c.get(lang) for c in t.columns], "rows": [[fmt(v, lang) for v in row] for row in t.rows],
            "total": t.total, "shown": len(t.rows), "truncated": t.total > len(t.rows),
            "explain": t.note.get(lang) if t.note else ""}


def _kpi(k: Kpi, lang: str) -> dict[str, Any]:
    return {"key": k.key, "label": k.label.get(lang), "value": kpi_text(k, "value", lang),
            "previous": kpi_text(k, "previous", lang), "delta": delta_text(k, lang), "trend": k.trend,
            "basis": basis_text(k, lang), "status": k.status, "rate": k.is_rate}


def charts_svg(review: Review, lang: str) -> dict[str, str]:
    """The declared charts (``ops/review/charts.py``) as inline SVG, from the same tables as the sheet."""
    out: dict[str, str] = {}
    p = review.period
    for i, c in enumerate(CHARTS):
        t = review.table(c.table)
        labels = [fmt(row[c.category_col], lang) for row in t.rows]
        series = [(p.words(s.label.zh, s.label.en).get(lang), [number(row[s.col]) for row in t.rows], s.secondary)
                  for s in c.series]
        out[c.key] = svg.chart(c.kind, c.title_for(p).get(lang), labels, series, percent=c.percent, index=i)
    return out


def review_context(review: Review, lang: str | None = None) -> dict[str, Any]:
    """Everything a template may use, as plain strings and lists."""
    lang = lang or current_lang()
    p = review.period
    labels = {k: v.get(lang) for k, v in headings(p).items()}
    labels.update({k: v.get(lang) for k, v in {
        "none": L("（无）", "(none)"), "charts": L("图表", "Charts"),
        "tables": L("分组统计", "Breakdowns"), "lists": L("清单", "Lists"),
    }.items()})
    return {
        "lang": lang,
        "title": title_text(p).get(lang),
        "sheet_name": sheet_name(p, review.book_lang),
        "month": str(p),
        "period": str(p),
        "kind": p.kind,
        "stamp": stamp_text(review, lang),
        "labels": labels,
        "kpis": [_kpi(k, lang) for k in review.kpis if not k.is_rate],
        "rates": [_kpi(k, lang) for k in review.kpis if k.is_rate],
        "tables": [_table(tb, lang) for tb in [*review.tables, review.trend]],
        "lists": [_table(tb, lang) for tb in review.lists],
        "charts": charts_svg(review, lang),
    }


def render_report(review: Review, fmt_name: str, *, templates_dir: str | Path | None = None,
                  lang: str | None = None) -> str:
    """The review as ``html`` or ``md`` text."""
    if fmt_name not in TEMPLATES:
        raise ValueError(f"unknown report format {fmt_name!r}")
    env = template_env(templates_dir)
    try:
        tpl = env.get_template(TEMPLATES[fmt_name])
        ctx = review_context(review, lang)
        return tpl.render(r=_md_context(ctx) if fmt_name == "md" else ctx)
    except jinja2.TemplateError as exc:
        raise WbtError(L("报告模板出错：{e}", "Report template error: {e}").format(e=exc)) from exc
