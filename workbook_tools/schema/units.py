"""Units people write in headers and cells: money units (to 万元, the unit of every amount in the
model and every threshold), percent, and the other units a header may state (天, 小时 …)."""

from __future__ import annotations

import re

from .normalise import norm_header

WAN = "万元"
PERCENT = "%"
# money units → factor to 万元 (the unit of every amount in the model and every threshold)
MONEY_FACTORS: dict[str, float] = {"元": 1e-4, "千元": 0.1, WAN: 1.0, "百万元": 100.0, "亿元": 1e4}
_UNIT_WORDS: dict[str, tuple[str, ...]] = {
    WAN: ("万元", "万", "w", "w元", "万rmb", "万cny", "万人民币", "人民币万元", "万元人民币", "万元rmb", "rmb万元",
          "10kcny", "10krmb", "10k元", "cny10k", "rmb10k", "10k", "10000cny", "10000rmb", "10000yuan",
          "tenthousandcny", "tenthousandyuan", "wan", "wanyuan"),
    "元": ("元", "人民币", "人民币元", "rmb", "cny", "¥", "yuan", "元rmb", "rmb元", "cny元", "元cny", "rmbyuan"),
    "千元": ("千元", "千", "k", "kcny", "krmb", "k元", "千人民币", "thousandcny", "thousandyuan", "cny000", "rmb000"),
    "百万元": ("百万元", "百万", "mcny", "mrmb", "millioncny", "millionrmb", "millionyuan", "cnym", "rmbm"),
    "亿元": ("亿元", "亿", "亿人民币"),
    PERCENT: ("%", "百分比", "百分率", "percent", "percentage", "pct"),
}
# other units people put into headers (days, hours, points …): known, but never a money unit
_OTHER_UNITS: dict[str, str] = {"天": "天", "日": "天", "days": "天", "day": "天", "小时": "小时", "hours": "小时",
                                "h": "小时", "分": "分", "分钟": "分钟", "15分": "分", "15": "分", "人": "人", "次": "次",
                                "个": "个", "年": "年", "月": "月"}
UNIT_OF: dict[str, str] = {w: unit for unit, words in _UNIT_WORDS.items() for w in words}
_UNIT_PREFIX = re.compile(r"^(?:单位|unit|in)")
# unit words that may end a header without brackets ("年度金额 万元", "amount in rmb"), by length, longest first
_SUFFIXES = {w for w in UNIT_OF if len(w) > 1 or w == "元"}
_SUFFIX_LENGTHS = sorted({len(w) for w in _SUFFIXES}, reverse=True)


def unit_word(text: str) -> str | None:
    """The unit a bracket's content or a short text names ('元', '单位：万元', '10k CNY', '%'), or
    None. Accepts normalised or raw text."""
    n = norm_header(text).strip("()")
    n = _UNIT_PREFIX.sub("", n)
    return UNIT_OF.get(n) or _OTHER_UNITS.get(n)


DISAGREE = "≠"


def agree(units: list[str]) -> str | None:
    """The one unit several parts of a header state, or 'A≠B' when they contradict each other."""
    distinct = list(dict.fromkeys(units))
    return DISAGREE.join(distinct) if distinct else None


def is_money(unit: str | None) -> bool:
    return unit in MONEY_FACTORS


def header_unit(normed: str) -> str | None:
    """The unit a normalised header states: in brackets ("(元)", "(单位:万元)") or, without brackets,
    at its end ("年度金额万元", "amountinrmb"). None when it states none."""
    for part in re.findall(r"\(([^()]*)\)", normed):
        u = unit_word(part)
        if u:
            return u
    return None


def split_trailing_unit(base: str) -> tuple[str, str | None]:
    """'年度合作金额万元' → ('年度合作金额', '万元'); 'annualamountinrmb' → ('annualamount', '元')."""
    for n in _SUFFIX_LENGTHS:
        w = base[-n:]
        if len(base) > n and w in _SUFFIXES:
            head = base[:-n]
            if head.endswith(("in", "单位")) and len(head) > 2:
                head = head[:-2]
            return head, UNIT_OF[w]
    return base, None


