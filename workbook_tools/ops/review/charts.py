"""The review's charts, declared once: the sheet draws them as Excel charts over its tables' cells
(:mod:`.sheet`), the HTML report as inline SVG from the same tables (``report/render.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ...i18n import L
from .period import Period


@dataclass(frozen=True)
class SeriesDef:
    col: int                 # column of the table holding the values
    label: L
    secondary: bool = False  # on a second value axis (right), for a series of another size


@dataclass(frozen=True)
class ChartDef:
    key: str
    kind: str                # column | bar | pie | line
    title: L                 # "{u}": 月 / 季度; "{span}": 近六个月 / 近四个季度
    table: str               # key of the table it draws
    series: tuple[SeriesDef, ...]
    category_col: int = 0
    percent: bool = False    # values are shares: axis and labels in %

    def title_for(self, p: Period) -> L:
        span = L("近六个月", "last six months") if p.kind == "month" else L("近四个季度", "last four quarters")
        t = p.words(self.title.zh, self.title.en)
        return L(t.zh.replace("{span}", span.zh), t.en.replace("{span}", span.en))


CHARTS: tuple[ChartDef, ...] = (
    ChartDef("industry", "column", L("客户行业分布", "Customers by industry"), "by_industry",
             (SeriesDef(1, L("客户数", "Customers")),)),
    ChartDef("tiers", "pie", L("价值等级构成", "Tier mix"), "by_tier", (SeriesDef(1, L("客户数", "Customers")),)),
    ChartDef("owners", "bar", L("负责人本{u}沟通", "Contacts by owner this {u}"), "by_owner",
             (SeriesDef(2, L("本{u}沟通", "Contacts")),)),
    ChartDef("trend", "line", L("{span}沟通与投诉", "Contacts and complaints, {span}"), "trend",
             (SeriesDef(1, L("沟通记录", "Contacts")), SeriesDef(2, L("投诉（右轴）", "Complaints (right axis)"), True))),
    ChartDef("channels", "bar", L("各来源成交率", "Conversion by lead source"), "by_channel",
             (SeriesDef(5, L("成交率", "Conversion")),), percent=True),
    ChartDef("objections", "bar", L("本{u}客户疑虑", "Objections this {u}"), "objections",
             (SeriesDef(1, L("提及次数", "Mentions")),)),
)


def number(v: Any) -> float:
    """A chart value: numbers as they are, anything else (a "—" rate, a blank) as 0."""
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else 0.0
