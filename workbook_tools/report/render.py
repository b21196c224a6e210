"""Render the monthly review as HTML or Markdown from jinja2 templates.

The templates ship in ``workbook_tools/report/templates`` (``review.html.j2``, ``review.md.j2``).
A user may pass a folder of their own (``wbt review --templates DIR``): a file there with the
same name is used instead of the shipped one; anything it does not define falls back to the
package. Templates receive one variable, ``r`` (see :func:`review_context` for its fields).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import jinja2

from ..errors import WbtError
from ..i18n import L, current_lang
from ..ops.review.kpis import Review, Table
from ..ops.review.sheet import delta_text, sheet_name, stamp_text
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


def fmt(v: Any) -> str:
    """One value as text, the same way in HTML, Markdown and the sheet."""
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, dt.datetime):
        return v.strftime("%Y-%m-%d %H:%M") if (v.hour or v.minute) else v.strftime("%Y-%m-%d")
    if isinstance(v, dt.date):
        return v.isoformat()
    if isinstance(v, float):
        return f"{v:,.2f}"
    if isinstance(v, int) and not isinstance(v, bool):
        return f"{v:,}"
    return str(v)


def kpi_text(v: float | int | None, decimals: int) -> str:
    """A KPI value: '—' when there is none, else with the KPI's decimals (as the sheet shows it)."""
    if v is None:
        return "—"
    return f"{v:,.{decimals}f}" if decimals else f"{int(v):,}"


def md_cell(v: Any) -> str:
    return str(v).replace("|", "\\|").replace("\n", " ")


def _table(t: Table, lang: str) -> dict[str, Any]:
    note = L("仅列出前 {k} 条，共 {n} 条", "First {k} of {n} shown").format(k=len(t.rows), n=t.total).get(lang)
    return {"note": note if t.total > len(t.rows) else "", "key": t.key, "title": t.title.get(lang), "columns": [c.get(lang) for c in t.columns],
            "rows": [[fmt(v) for v in row] for row in t.rows], "total": t.total, "shown": len(t.rows),
            "truncated": t.total > len(t.rows)}


def review_context(review: Review, lang: str | None = None) -> dict[str, Any]:
    """Everything a template may use, as plain strings and lists."""
    lang = lang or current_lang()
    zh = lang != "en"
    t = {tb.key: tb for tb in [*review.tables, review.trend]}

    def col(key: str, j: int) -> list[Any]:
        return [row[j] for row in t[key].rows]

    charts = {
        "industry": svg.bar_chart("客户行业分布" if zh else "Customers by industry",
                                  [str(x) for x in col("by_industry", 0)], col("by_industry", 1)),
        "tiers": svg.pie_chart("价值等级构成" if zh else "Tier mix", [str(x) for x in col("by_tier", 0)],
                               col("by_tier", 1)),
        "owners": svg.bar_chart("负责人本月沟通" if zh else "Activity by owner", [str(x) for x in col("by_owner", 0)],
                                col("by_owner", 2), color=svg.COLORS[5]),
        "trend": svg.line_chart("近六个月沟通与投诉" if zh else "Contacts and complaints, six months",
                                [str(x) for x in col("trend", 0)],
                                [("沟通记录" if zh else "Contacts", col("trend", 1)),
                                 ("投诉" if zh else "Complaints", col("trend", 2))]),
    }
    return {
        "lang": lang,
        "title": L("{m} 月度复盘", "{m} monthly review").format(m=review.month).get(lang),
        "sheet_name": sheet_name(review.month),
        "month": review.month,
        "stamp": stamp_text(review, lang),
        "labels": {k: v.get(lang) for k, v in {
            "kpis": L("关键指标（与上月比较）", "Key figures (against last month)"),
            "figure": L("指标", "Figure"), "this": L("本月", "This month"), "last": L("上月", "Last month"),
            "change": L("变化", "Change"), "none": L("（无）", "(none)"), "charts": L("图表", "Charts"),
            "tables": L("分组统计", "Breakdowns"), "lists": L("清单", "Lists"),
        }.items()},
        "kpis": [{"key": k.key, "label": k.label.get(lang),
                  "value": k.missing.get(lang) if k.missing else kpi_text(k.value, k.decimals),
                  "previous": kpi_text(k.previous, k.decimals), "delta": delta_text(k, lang), "trend": k.trend}
                 for k in review.kpis],
        "tables": [_table(tb, lang) for tb in [*review.tables, review.trend]],
        "lists": [_table(tb, lang) for tb in review.lists],
        "charts": charts,
    }


def render_report(review: Review, fmt_name: str, *, templates_dir: str | Path | None = None,
                  lang: str | None = None) -> str:
    """The review as ``html`` or ``md`` text."""
    if fmt_name not in TEMPLATES:
        raise ValueError(f"unknown report format {fmt_name!r}")
    env = template_env(templates_dir)
    try:
        tpl = env.get_template(TEMPLATES[fmt_name])
        return tpl.render(r=review_context(review, lang))
    except jinja2.TemplateError as exc:
        raise WbtError(L("报告模板出错：{e}", "Report template error: {e}").format(e=exc)) from exc
