"""Review → GeneratedSheet: two figure blocks top left (counts, then rates in %), each beside the
previous period with a coloured change, the charts beside them, then the tables, then the lists.
Values only (no formulas); labels in the chosen language."""

from __future__ import annotations

import datetime as dt
from typing import Any

from ...changeset import ChartSpec, GeneratedSheet
from ...i18n import L, current_lang
from ...model import col_letter
from ...schema import REVIEW_QUARTER_SHEET_FMTS, REVIEW_SHEET_FMTS
from ...styles import PALETTE
from ...values import display_width, is_missing
from .charts import CHARTS
from .kpis import LIST_LIMIT
from .model import NO_BASE, NO_DATA, NOT_AVAILABLE, NOT_FOUND, NOT_RUN, OK, Kpi, Ratio, Review, Table
from .period import QUARTER, Period

WIDTHS = {1: 32.0, 2: 14.0, 3: 14.0, 4: 14.0, 5: 24.0, 6: 20.0, 7: 30.0, 8: 14.0, 9: 30.0}
CHART_TOP = 4
CHART_ROWS = 16          # rows per chart band (288 px ≈ 15 rows of 20 px)
CHART_WIDTH, CHART_HEIGHT = 480, 300   # px
FIRST_CHART_COL = 6                    # F: right of the figure blocks (A–E)
TAB_COLOR = "#1F3864"
NEUTRAL = "delta_flat" if "delta_flat" in PALETTE else "cell"   # a change that is neither good nor bad

SHORT = {"overdue": L("逾期", "Overdue"), "overdue_prospects": L("逾期未定级", "Overdue, no tier"),
         "not_contacted": L("重点未沟通", "Key not contacted"), "at_risk": L("风险", "At risk"),
         "open_complaints": L("未结投诉", "Open complaints"), "contracts_ending": L("到期合同", "Contracts ending"),
         "churned": L("流失", "Lost"), "open_opportunities": L("未转化商机", "Open opportunities"),
         "high_potential": L("高潜力", "High potential"), "tier_review": L("等级复核", "Tier review")}


def sheet_name(period: str | Period, lang: str | None = "zh") -> str:
    """The review sheet of ``period`` in the workbook's language: ``2026-10 月度复盘`` / ``2026-10 Monthly review``."""
    p = period if isinstance(period, Period) else Period.parse(period)
    fmts = REVIEW_QUARTER_SHEET_FMTS if p.kind == QUARTER else REVIEW_SHEET_FMTS
    return fmts["en" if lang == "en" else "zh"].format(month=str(p), quarter=str(p))


def title_text(p: Period) -> L:
    return (L("{m} 季度复盘", "{m} quarterly review") if p.kind == QUARTER else
            L("{m} 月度复盘", "{m} monthly review")).format(m=str(p))


def headings(p: Period) -> dict[str, L]:
    """The words of the figure blocks, for this kind of period."""
    w = p.words
    return {"kpis": w("关键指标（与上{u}比较）", "Key figures (against last {u})"),
            "rates": w("比率（与上{u}比较）", "Rates (against last {u})"),
            "figure": L("指标", "Figure"), "this": w("本{u}", "This {u}"), "last": w("上{u}", "Last {u}"),
            "change": L("变化", "Change"), "basis": L("口径 / 说明", "Basis / note")}


def value_text(k: Kpi, which: str, lang: str) -> str | None:
    """The words for a figure without a value ("—", "未找到列", "不可用"), or None when it has one."""
    status = k.status if which == "value" else k.previous_status
    v = k.value if which == "value" else k.previous
    if v is not None:
        return None
    if status == NOT_FOUND:
        return L("未找到列", "column not found").get(lang)
    if status == NOT_AVAILABLE:
        return L("不可用", "not available").get(lang)
    return "—"


def delta_text(k: Kpi, lang: str) -> str:
    d = k.delta
    if d is None:
        return "—"
    if d == 0:
        return "持平" if lang != "en" else "no change"
    if k.is_rate:
        num = f"{abs(d):.1f}" + (" 个百分点" if lang != "en" else " pp")
    else:
        num = f"{abs(d):.{k.decimals}f}" if k.decimals else f"{abs(int(d))}"
    return ("▲ +" if d > 0 else "▼ −") + num


def delta_style(k: Kpi) -> str | None:
    return {"good": "delta_up", "bad": "delta_down"}.get(k.trend, NEUTRAL)


def basis_text(k: Kpi, lang: str) -> str:
    """The rate's numerator / denominator, or why a figure has no value."""
    if k.status == NOT_FOUND or k.status == NOT_AVAILABLE:
        return k.note.get(lang) if k.note else ""
    if k.status == NO_BASE:
        return L("分母为 0", "denominator is 0").get(lang)
    left = L("；剔除无效评分 {n} 个", "; {n} invalid ratings left out").format(n=k.left_out).get(lang) \
        if k.left_out else ""
    if k.status == NO_DATA:
        return L("无数据", "no values").get(lang) + left
    if k.status == NOT_RUN:
        return L("本次未运行校验（wbt month-end 会先校验）", "validation not run (wbt month-end runs it)").get(lang)
    if k.is_rate and k.status == OK:
        why = L("；上期不可用：{w}", "; previous period not available: {w}").format(
            w=k.note.get(lang)).get(lang) if k.previous_status == NOT_AVAILABLE and k.note else ""
        return f"{k.numerator:,} / {k.denominator:,}{why}"
    return left.lstrip("；; ")


def stamp_text(review: Review, lang: str) -> str:
    from ... import __version__

    t = L("基准日期 {a}；数据截至 {s}；来源文件 {f}；workbook_tools {v}",
          "As of {a}; figures up to {s}; source {f}; workbook_tools {v}")
    return t.format(a=review.as_of.isoformat(), s=review.snapshot.isoformat(), f=review.source or "—",
                    v=review.version or __version__).get(lang)


def cell_style(v: Any) -> str:
    if isinstance(v, dt.datetime):
        return "datetime" if (v.hour or v.minute) else "date"
    if isinstance(v, dt.date):
        return "date"
    if isinstance(v, Ratio):
        return "pct"
    if isinstance(v, bool):
        return "cell"
    if isinstance(v, int):
        return "count"
    if isinstance(v, float):
        return "amount"
    return "cell"


def cell_value(v: Any, lang: str) -> Any:
    """A table cell as written: L in the chosen language, NaN as empty."""
    if isinstance(v, L):
        return v.get(lang)
    return None if is_missing(v) else v


def build_review_sheet(review: Review, lang: str | None = None) -> GeneratedSheet:
    lang = lang or current_lang()
    p = review.period
    words = headings(p)
    sh = GeneratedSheet(name=sheet_name(p, review.book_lang), col_widths=dict(WIDTHS), tab_color=TAB_COLOR)
    sh.put(1, 1, title_text(p).get(lang), "title")
    sh.put(2, 1, stamp_text(review, lang), "note")
    r = 4
    for block, kpis in (("kpis", [k for k in review.kpis if not k.is_rate]),
                        ("rates", [k for k in review.kpis if k.is_rate])):
        sh.put(r, 1, words[block].get(lang), "section")
        sh.put_row(r + 1, 1, [words[h].get(lang) for h in ("figure", "this", "last", "change", "basis")], "header")
        r += 2
        for k in kpis:
            _put_kpi(sh, r, k, lang)
            r += 1
        r += 1
    anchors: dict[str, tuple[int, int]] = {}   # table key → (first data row, n rows)
    bands = _charts(sh, review, lang, anchors, dry=True)
    r = max(r + 1, CHART_TOP + bands * CHART_ROWS + 1)
    for t in [*review.tables, review.trend]:
        r, first, n = _put_table(sh, r, t, lang)
        anchors[t.key] = (first, n)
    for i, t in enumerate(review.lists):
        # row 3: a link per list, to drill down from the one-screen summary
        short = SHORT.get(t.key, t.title)
        sh.put(3, 1 + i, f"→ {short.get(lang)} {t.total}", "link")
        sh.links[(3, 1 + i)] = f"'{sh.name}'!A{r}"
        r, _, _ = _put_table(sh, r, t, lang, is_list=True)
    _charts(sh, review, lang, anchors)
    sh.fit_wrapped_rows()
    return sh


def _put_kpi(sh: GeneratedSheet, r: int, k: Kpi, lang: str) -> None:
    sh.put(r, 1, k.label.get(lang), "kpi_label")
    shown = value_text(k, "value", lang)
    style = "kpi_pct" if k.is_rate else "kpi_int" if isinstance(k.value, int) else "kpi_value"
    sh.put(r, 2, k.value if shown is None else shown, style if shown is None else "kpi_value")
    before = value_text(k, "previous", lang)
    prev_style = "pct" if k.is_rate else "count" if isinstance(k.previous, int) else "cell"
    sh.put(r, 3, k.previous if before is None else before, prev_style if before is None else "delta_flat")
    sh.put(r, 4, delta_text(k, lang), delta_style(k))
    basis = basis_text(k, lang)
    if basis:
        sh.put(r, 5, basis, "note_wrap")


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
            v = cell_value(v, lang)
            style = cell_style(v) if v is not None else "cell"
            if isinstance(v, str) and display_width(v) > WIDTHS.get(j, 8.43):
                style = "wrap_mid"
            sh.put(r, j, v, style)
        r += 1
    if is_list and t.total > len(t.rows):
        sh.put(r, 1, L("仅列出前 {k} 条，共 {n} 条", "First {k} of {n} shown").format(k=LIST_LIMIT, n=t.total)
               .get(lang), "note")
        r += 1
    if t.note is not None:
        sh.put(r, 1, t.note.get(lang), "note")
        r += 1
    return r + 1, first, len(t.rows)


def chart_columns() -> tuple[str, str]:
    """The two columns the charts of a band start in: F, and the first column past F's chart
    (columns are about 7 px per character of width, plus 5)."""
    col, px = FIRST_CHART_COL, 0
    while px < CHART_WIDTH + 16:
        px += int(WIDTHS.get(col, 8.43) * 7 + 5)
        col += 1
    return col_letter(FIRST_CHART_COL), col_letter(col)


def _charts(sh: GeneratedSheet, review: Review, lang: str, anchors: dict[str, tuple[int, int]],
            dry: bool = False) -> int:
    """Place the charts of CHARTS whose table has rows, two per band; returns the number of bands."""
    cols = chart_columns()
    placed = 0
    for c in CHARTS:
        t = review.table(c.table)
        if not t.rows:
            continue
        if not dry:
            first, n = anchors[c.table]

            def rng(col: int, first: int = first, n: int = n) -> str:
                letter = chr(ord("A") + col)
                return f"{letter}{first}:{letter}{first + max(n, 1) - 1}"

            band, side = divmod(placed, 2)
            sh.charts.append(ChartSpec(
                kind=c.kind, title=c.title_for(review.period).get(lang), categories=rng(c.category_col),
                series=[(review.period.words(s.label.zh, s.label.en).get(lang), rng(s.col)) for s in c.series],
                anchor=f"{cols[side]}{CHART_TOP + band * CHART_ROWS}", width=CHART_WIDTH, height=CHART_HEIGHT,
                y2=tuple(i for i, s in enumerate(c.series) if s.secondary), percent=c.percent))
        placed += 1
    return (placed + 1) // 2
