"""Keyword categories kept in 代码表 (客户疑虑关键词, 流失原因关键词): one entry per category,
``类别：词1、词2、-排除短语``. Text is matched after NFKC and case folding; an exclusion phrase
(``-`` in front) is taken out of the text first, so "价格无异议" does not count as a price objection.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from ...values import is_empty

_SPLIT_NAME = re.compile(r"[:：=]")
_SPLIT_WORDS = re.compile(r"[、,，;；/|\s]+")


@dataclass(frozen=True)
class Category:
    name: str
    words: tuple[str, ...]
    exclude: tuple[str, ...] = ()


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text).casefold()


def categories(entries: Iterable[str]) -> list[Category]:
    """Categories from list entries; an entry without ``：`` is a category matched by its own name."""
    out: list[Category] = []
    for entry in entries:
        text = str(entry).strip()
        if not text:
            continue
        parts = _SPLIT_NAME.split(text, maxsplit=1)
        name = parts[0].strip()
        raw = _SPLIT_WORDS.split(parts[1]) if len(parts) > 1 else [name]
        words = [_fold(w) for w in raw if w and not w.startswith("-")]
        exclude = [_fold(w[1:]) for w in raw if w.startswith("-") and len(w) > 1]
        if name and (words or exclude):
            out.append(Category(name, tuple(dict.fromkeys(words or [_fold(name)])), tuple(exclude)))
    return out


def matches(text: Any, cats: list[Category]) -> list[str]:
    """The names of the categories ``text`` mentions, in the categories' order."""
    if is_empty(text):
        return []
    t = _fold(str(text))
    found = []
    for c in cats:
        s = t
        for phrase in c.exclude:
            s = s.replace(phrase, " ")
        if any(w in s for w in c.words):
            found.append(c.name)
    return found
