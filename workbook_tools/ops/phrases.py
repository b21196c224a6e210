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
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from ..model import Settings
from ..reader.lists import squash
from ..values import is_empty

RENEWAL_UNCLEAR = "renewal_unclear"
RENEWAL_CONFIRMED = "renewal_confirmed"
CONTACT_CHANGE = "contact_change_phrases"
PURCHASE = "purchase_keywords"
KINDS = (RENEWAL_UNCLEAR, RENEWAL_CONFIRMED, CONTACT_CHANGE, PURCHASE)

_CLAUSE = ",.;!?。、\n"            # after NFKC: ，→ ,  ；→ ;  ！→ !  ？→ ?
_GAP = f"[^{re.escape(_CLAUSE)}]{{0,6}}"
_GAP_RAW = f"[^{re.escape(_CLAUSE + '，；！？')}]{{0,6}}"  # the same, on text not normalised yet
# what NFKC, removing spaces and case-folding change in a phrase's words: spaces, Latin letters,
# full-width letters and digits (CJK characters and punctuation of a phrase stay as they are)
_NEEDS_NORM = re.compile(r"[\s\u3000A-Za-z\uFF10-\uFF19\uFF21-\uFF3A\uFF41-\uFF5A]")
_NEG_CHAR = re.compile("[未不没无非待需请否]")
_NEG_WORD = re.compile("取消|暂停|推迟|计划|准备|预计|打算|考虑|希望")
_INTENT_AFTER = ("意向", "计划", "需求", "预算", "打算", "方案")
_DETAILS = ("电话", "手机", "邮箱", "方式", "地址", "号码", "信息")
_norm = squash   # the comparison of list values (reader.lists), applied to free text and phrases


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
        # one pattern of every phrase finds where phrases are (an alternation without groups: Python's
        # re scans it ~100 times faster than with them); then the first phrase, in the order above,
        # that matches there says which one it is, and what its * stood for
        self.by_first: dict[str, list[tuple[int, re.Pattern[str]]]] = {}  # first character → phrases, in order
        bare = []
        for i, (_, phrase) in enumerate(entries):
            words = _norm(phrase).strip("*").split("*")
            pieces = [re.escape(p) for p in words]
            each = re.compile("".join(p if j == 0 else f"({_GAP}){p}" for j, p in enumerate(pieces)))
            self.by_first.setdefault(words[0][0], []).append((i, each))
            bare.append(_GAP_RAW.join(pieces))
        self.quick = re.compile("|".join(bare)) if bare else None

    def scan(self, text: Any) -> tuple[Hit, ...]:
        """Every phrase found in ``text``, in order."""
        if self.quick is None or not isinstance(text, str) or not text:
            return ()
        t = _norm(text) if _NEEDS_NORM.search(text) else text
        if not self.quick.search(t):
            return ()
        t = _norm(text)
        out = []
        for where in self.quick.finditer(t):
            at = where.start()
            i, m = next((i, m) for i, p in self.by_first[t[at]] if (m := p.match(t, at)))
            kind, phrase = self.entries[i]
            gaps = "".join(m.groups())
            if kind == CONTACT_CHANGE and (t.startswith(_DETAILS, m.end()) or any(w in gaps for w in _DETAILS)):
                continue
            if kind in (PURCHASE, RENEWAL_CONFIRMED) and t.startswith(_INTENT_AFTER, m.end()):
                continue  # an intention or a plan, not a fact: 增购意向, 确认续约方案
            before = _clause_before(t, m.start())
            negated = _negated(before, gaps)
            words = (before[-2:] if negated else "") + m.group(0)  # 未确认续约, not 确认续约
            out.append(Hit(kind, phrase, words, negated, m.start(), m.end()))
        return tuple(out)


def _clause_before(t: str, start: int) -> str:
    """Up to three characters before ``start``, within the same clause."""
    before = t[max(0, start - 3):start]
    for k in range(len(before) - 1, -1, -1):
        if before[k] in _CLAUSE:
            return before[k + 1:]
    return before


def _negated(before: str, gaps: str) -> bool:
    return bool(_NEG_CHAR.search(before[-2:] + gaps) or _NEG_WORD.search(before + "|" + gaps))


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
