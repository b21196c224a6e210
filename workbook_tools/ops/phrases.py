"""Phrases the rules look for in free text: unclear or confirmed renewal intent, a replaced contact
person, a purchase. Each kind is a list in 代码表 (defaults in ``schema/lists.py``), so a team adds
its own wording there.

How a phrase matches (written out for users in docs/ids-and-tiers.md):

* text and phrases are compared after NFKC (full-width → half-width), case-folding and removing
  spaces;
* ``*`` in a phrase stands for up to six characters of the same clause (no ，。；！？、 in between):
  ``续约*待确认`` matches 续约意向待确认 and 续约事宜仍待确认;
* a match is *negated* when the characters just before it (in the same clause), or the characters
  a ``*`` stood for, hold a negation or a not-yet word: 未 不 没 无 非 待 需 请 否 among the two
  characters before, or 取消 暂停 推迟 计划 准备 预计 打算 考虑 希望 among the three (未确认续约, 暂不下单,
  联系人未变更, 取消订单, 计划下单);
* a purchase or a confirmed renewal directly followed by 意向 计划 需求 预算 打算 方案 is an intention or
  a plan, not a fact (增购意向, 确认续约方案), and does not count;
* where phrases overlap, the one starting first wins, then the longer one (待客户确认续约 is a
  待…确认 phrase, not 确认续约);
* a contact-change phrase followed by (or with a ``*`` standing for) 电话 手机 邮箱 方式 地址 号码 信息
  is about the contact's details, not the person (更换联系人电话, 联系人手机变更), and does not count.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model import Settings
from ..reader.parse import is_empty

RENEWAL_UNCLEAR = "renewal_unclear"
RENEWAL_CONFIRMED = "renewal_confirmed"
CONTACT_CHANGE = "contact_change_phrases"
PURCHASE = "purchase_keywords"
KINDS = (RENEWAL_UNCLEAR, RENEWAL_CONFIRMED, CONTACT_CHANGE, PURCHASE)

_CLAUSE = ",.;!?。、\n"            # after NFKC: ，→ ,  ；→ ;  ！→ !  ？→ ?
_GAP = f"[^{re.escape(_CLAUSE)}]{{0,6}}"
_NEG_CHARS = frozenset("未不没无非待需请否")
_NEG_WORDS = ("取消", "暂停", "推迟", "计划", "准备", "预计", "打算", "考虑", "希望")
_INTENT_AFTER = ("意向", "计划", "需求", "预算", "打算", "方案")
_DETAILS = ("电话", "手机", "邮箱", "方式", "地址", "号码", "信息")
_SPACE = re.compile(r"\s+")


def _norm(text: str) -> str:
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


@dataclass(frozen=True)
class Hit:
    kind: str          # one of KINDS
    phrase: str        # the 代码表 entry that matched
    text: str          # the words it matched (normalised)
    negated: bool
    start: int
    end: int


class Phrases:
    """The phrase lists of one workbook, compiled into one pattern."""

    def __init__(self, lists: Mapping[str, Sequence[str]]) -> None:
        entries: list[tuple[str, str]] = []
        for kind in KINDS:
            for phrase in lists.get(kind, ()):
                if not is_empty(phrase) and _norm(str(phrase)).strip("*"):
                    entries.append((kind, str(phrase).strip()))
        entries.sort(key=lambda e: -len(_norm(e[1]).replace("*", "")))  # longer first at one position
        self.entries = entries
        parts = []
        for i, (_, phrase) in enumerate(entries):
            pieces = [re.escape(p) for p in _norm(phrase).strip("*").split("*")]
            parts.append(f"(?P<g{i}>" + "".join(p if j == 0 else f"(?P<s{i}_{j}>{_GAP}){p}"
                                                for j, p in enumerate(pieces)) + ")")
        self.pattern = re.compile("|".join(parts)) if parts else None

    def scan(self, text: Any) -> tuple[Hit, ...]:
        """Every phrase found in ``text``, in order."""
        if self.pattern is None or not isinstance(text, str) or not text:
            return ()
        t = _norm(text)
        out = []
        for m in self.pattern.finditer(t):
            name = m.lastgroup or ""
            i = int(name[1:])
            kind, phrase = self.entries[i]
            gaps = "".join(v for k, v in m.groupdict().items() if v and k.startswith(f"s{i}_"))
            if kind == CONTACT_CHANGE and (t.startswith(_DETAILS, m.end()) or any(w in gaps for w in _DETAILS)):
                continue
            if kind in (PURCHASE, RENEWAL_CONFIRMED) and t.startswith(_INTENT_AFTER, m.end()):
                continue  # an intention or a plan, not a fact: 增购意向, 确认续约方案
            before = _clause_before(t, m.start())
            negated = _negated(before, gaps)
            words = (before[-2:] if negated else "") + m.group(name)  # 未确认续约, not 确认续约
            out.append(Hit(kind, phrase, words, negated, m.start(), m.end()))
        return tuple(out)


def _clause_before(t: str, start: int) -> str:
    """Up to three characters before ``start``, within the same clause."""
    before = t[max(0, start - 3):start]
    for sep in _CLAUSE:
        before = before.rsplit(sep, 1)[-1]
    return before


def _negated(before: str, gaps: str) -> bool:
    return (any(c in _NEG_CHARS for c in before[-2:] + gaps) or any(w in before for w in _NEG_WORDS)
            or any(w in gaps for w in _NEG_WORDS))


@lru_cache(maxsize=32)
def _compiled(key: tuple[tuple[str, tuple[str, ...]], ...]) -> Phrases:
    return Phrases(dict(key))


def phrases_of(settings: Settings) -> Phrases:
    """The compiled phrase lists of a workbook's 代码表 (schema defaults for lists it lacks)."""
    key = tuple((k, tuple(settings.lists.get(k, ()))) for k in KINDS)
    return _compiled(key)


def renewal_statement(hits: Sequence[Hit]) -> Hit | None:
    """What the last renewal phrase of a text says: a hit of kind RENEWAL_CONFIRMED (not negated) or
    RENEWAL_UNCLEAR (an unclear phrase, or a negated confirmation such as 未确认续约); None if no
    renewal phrase."""
    for h in reversed(hits):
        if h.kind == RENEWAL_CONFIRMED:
            return h if not h.negated else Hit(RENEWAL_UNCLEAR, h.phrase, h.text, True, h.start, h.end)
        if h.kind == RENEWAL_UNCLEAR and not h.negated:
            return h
    return None


def first_of(hits: Sequence[Hit], kind: str) -> Hit | None:
    """The first hit of ``kind`` that is not negated."""
    return next((h for h in hits if h.kind == kind and not h.negated), None)
