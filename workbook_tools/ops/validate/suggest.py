"""Suggestions for near-miss list values (合作 中 → 合作中, 已合作 → 合作中)."""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import lru_cache

from ...schema import SCHEMA

_DROP = re.compile(r"[\s\u3000·.,，。、_\-—/（）()\[\]【】]+")


def norm_value(text: str) -> str:
    """NFKC, no spaces or punctuation, lower case."""
    return _DROP.sub("", unicodedata.normalize("NFKC", str(text))).lower()


@lru_cache(maxsize=64)
def _synonyms(list_key: str) -> dict[str, str]:
    out: dict[str, str] = {}
    try:
        spec = SCHEMA.list(list_key)
        out.update({norm_value(k): v for k, v in spec.synonyms.items()})
    except KeyError:
        pass
    if list_key == "industry":
        for ind in SCHEMA.industries:
            for a in ind.aliases:
                out.setdefault(norm_value(a), ind.name)
    return out


def suggest(value: str, list_key: str, allowed: list[str] | tuple[str, ...]) -> str | None:
    """The list value a person most probably meant, or None."""
    if not allowed:
        return None
    n = norm_value(value)
    by_norm = {norm_value(a): a for a in allowed}
    if n in by_norm:
        return by_norm[n]
    syn = _synonyms(list_key).get(n)
    if syn in allowed:
        return syn
    close = difflib.get_close_matches(n, list(by_norm), n=1, cutoff=0.6)
    if close:
        return by_norm[close[0]]
    return None
