"""Review → GeneratedSheet: a KPI block top left with coloured changes, four charts beside it,
then the tables, then the lists. Values only (no formulas); labels in the chosen language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...changeset import ChartSpec, GeneratedSheet
from ...i18n import L, current_lang
from ...schema import REVIEW_SHEET_FMT
from ...styles import PALETTE
from .kpis import LIST_LIMIT, Kpi, Review, Table

WIDTHS = {1: 28.0, 2: 14.0, 3: 12.0, 4: 13.0, 5: 14.0, 6: 12.0, 7: 12.0}
CHART_TOP = 4
CHART_ROWS = 16          # rows per chart band (288 px ≈ 15 rows of 20 px)
TAB_COLOR = "#1F3864"
NEUTRAL = "delta_flat" if "delta_flat" in PALETTE else "cell"   # a change that is neither good nor bad


SHORT = {"overdue": L("逾期", "Overdue"), "not_contacted": L("重点未沟通", "Key not contacted"),
         "at_risk": L("风险", "At risk"), "open_complaints": L("未结投诉", "Open complaints"),
         "contracts_ending": L("到期合同", "Contracts ending"), "high_potential": L("高潜力", "High potential"),
         "tier_review": L("等级复核", "Tier review")}


def sheet_name(month: str) -> str:
    return REVIEW_SHEET_FMT.format(month=month)


def delta_text(k: Kpi, lang: str) -> str:
    d = k.delta
    if d is None:
        return "—"
    if d == 0:
        return "持平" if lang != "en" else "no change"
    num = f"{abs(d):.{k.decimals}f}" if k.decimals else f"{abs(int(d))}"
    return ("▲ +" if d > 0 else "▼ −") + num


def delta_style(k: Kpi) -> str | None:
    return {"good": "delta_up", "bad": "delta_down"}.get(k.trend, NEUTRAL)


def stamp_text(review: Review, lang: str) -> str:
    from ... import __version__

    t = L("基准日期 {a}；数据截至 {s}；来源文件 {f}；workbook_tools {v}",
          "As of {a}; figures up to {s}; source {f}; workbook_tools {v}")
    return t.format(a=review.as_of.isoformat(), s=review.snapshot.isoformat(), f=review.source or "—",
                    v=review.version or __version__).get(lang)


def _style_for(v: Any) -> str:
    if isinstance(v, dt.datetime):
        return "datetime" if (v.hour or v.minute) else "date"
    if isinstance(v, dt.date):
        return "date"
    if isinstance(v, bool):
        return "cell"
    if isinstance(v, int):
        return "int"
    if isinstance(v, float):
        return "amount"
    return "cell"


def _clean(v: Any) -> Any:
    if v is None:
        return None
    if isinstance(v, float) and v != v:
        return None
    return v


def build_review_sheet(review: Review, lang: str | None = None) -> GeneratedSheet:
    lang = lang or current_lang()
    sh = GeneratedSheet(name=sheet_name(review.month), col_widths=dict(WIDTHS), tab_color=TAB_COLOR)
    sh.put(1, 1, L("{m} 月度复盘", "{m} monthly review").format(m=review.month).get(lang), "title")
    sh.put(2, 1, stamp_text(review, lang), "note")
    sh.put(4, 1, L("关键指标（与上月比较）", "Key figures (against last month)").get(lang), "section")
    sh.put_row(5, 1, [L("指标", "Figure").get(lang), L("本月", "This month").get(lang),
                      L("上月", "Last month").get(lang), L("变化", "Change").get(lang)], "header")
    r = 6
    for k in review.kpis:
        sh.put(r, 1, k.label.get(lang), "kpi_label")
        sh.put(r, 2, k.value if k.value is not None else (k.missing.get(lang) if k.missing else "—"), "kpi_value")
        sh.put(r, 3, k.previous, "int" if isinstance(k.previous, int) else "cell")
        sh.put(r, 4, delta_text(k, lang), delta_style(k))
        r += 1
    if review.kpi("dq_errors").value is None:
        sh.put(r, 1, L("数据质量错误：本次未运行校验（wbt month-end 会先校验）",
                       "Data-quality errors: validation was not run (wbt month-end runs it first)").get(lang), "note")
    r += 2
    anchors: dict[str, tuple[int, int]] = {}   # table key → (first data row, n rows)
    for t in [*review.tables, review.trend]:
        r, first, n = _put_table(sh, r, t, lang)
        anchors[t.key] = (first, n)
    for i, t in enumerate(review.lists):
        # row 3: a link per list, to drill down from the one-screen summary
        short = SHORT.get(t.key, t.title)
        sh.put(3, 1 + i, f"→ {short.get(lang)} {t.total}", "link")
        sh.links[(3, 1 + i)] = f"'{sh.name}'!A{r}"
        r, _, _ = _put_table(sh, r, t, lang, is_list=True)
    _charts(sh, review, anchors, lang)
    return sh


def _put_table(sh: GeneratedSheet, r: int, t: Table, lang: str, is_list: bool = False) -> tuple[int, int, int]:
    title = t.title.get(lang)
    if is_list:
        title += L("（{n} 条）", " ({n})").format(n=t.total).get(lang)
    sh.put(r, 1, title, "section")
    r += 1
    sh.put_row(r, 1, [c.get(lang) for c in t.columns], "header")
    r += 1
    first = r
    if not t.rows:
        sh.put(r, 1, L("（无）", "(none)").get(lang), "note")
        return r + 2, first, 0
    for row in t.rows:
        for j, v in enumerate(row, start=1):
            v = _clean(v)
            sh.put(r, j, v, _style_for(v) if v is not None else "cell")
        r += 1
    if is_list and t.total > len(t.rows):
        sh.put(r, 1, L("仅列出前 {k} 条，共 {n} 条", "First {k} of {n} shown").format(k=LIST_LIMIT, n=t.total)
               .get(lang), "note")
        r += 1
    return r + 1, first, len(t.rows)


def _charts(sh: GeneratedSheet, review: Review, anchors: dict[str, tuple[int, int]], lang: str) -> None:
    def rng(col: str, key: str) -> str:
        first, n = anchors[key]
        return f"{col}{first}:{col}{first + max(n, 1) - 1}"

    specs: list[tuple[str, str, str, list[tuple[str, str]], str]] = []
    if anchors["by_industry"][1]:
        specs.append(("column", L("客户行业分布", "Customers by industry").get(lang), rng("A", "by_industry"),
                      [(L("客户数", "Customers").get(lang), rng("B", "by_industry"))], "F4"))
    if anchors["by_tier"][1]:
        specs.append(("pie", L("价值等级构成", "Tier mix").get(lang), rng("A", "by_tier"),
                      [(L("客户数", "Customers").get(lang), rng("B", "by_tier"))], "M4"))
    if anchors["by_owner"][1]:
        specs.append(("bar", L("负责人本月沟通", "Activity by owner").get(lang), rng("A", "by_owner"),
                      [(L("本月沟通", "Contacts").get(lang), rng("C", "by_owner"))], f"F{4 + CHART_ROWS}"))
    specs.append(("line", L("近六个月沟通与投诉", "Contacts and complaints, six months").get(lang),
                  rng("A", "trend"), [(L("沟通记录", "Contacts").get(lang), rng("B", "trend")),
                                      (L("投诉", "Complaints").get(lang), rng("C", "trend"))], f"M{4 + CHART_ROWS}"))
    for kind, title, cats, series, anchor in specs:
        sh.charts.append(ChartSpec(kind=kind, title=title, categories=cats, series=series, anchor=anchor,
                                   width=480, height=300))
