"""Typed values as a person means them: names, IDs and list values compared after NFKC, without
spaces and case-folded, list values also by the schema's synonyms.

Lives with the reader because the reader itself needs it (a contested header such as 客户等级 is
decided by whether its values are grades or tiers); the operations use it through
:mod:`workbook_tools.ops.matching`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from ..schema import SCHEMA
from .parse import clean_text, is_empty

_SPACE = re.compile(r"\s+")


def norm(value: Any) -> str:
    """NFKC, no whitespace at all, case-folded; '' for empty."""
    try:
        return _norm_cached(value)
    except TypeError:  # unhashable
        return _norm(value)


@lru_cache(maxsize=1 << 16)
def _norm_cached(value: Any) -> str:
    return _norm(value)


def _norm(value: Any) -> str:
    if is_empty(value):
        return ""
    s = clean_text(value) or ""
    return _SPACE.sub("", unicodedata.normalize("NFKC", s)).casefold()


@lru_cache(maxsize=256)
def list_lookup(list_key: str, values: tuple[str, ...]) -> dict[str, str]:
    """normalised spelling → list value: the schema's synonyms and values, then the workbook's
    values (``values``, from 代码表), which win."""
    try:
        spec = SCHEMA.list(list_key)
    except KeyError:
        spec = None
    table: dict[str, str] = {}
    if spec:
        for syn, target in spec.synonyms.items():
            table[norm(syn)] = target
        for v in spec.values:
            table[norm(v)] = v
    for v in values:
        table[norm(v)] = v
    return table


def list_fit(list_key: str, values: Iterable[Any], lists: Mapping[str, list[str]] | None = None,
             weights: Mapping[Any, int] | None = None) -> tuple[int, int]:
    """(values that are an entry of the list, non-empty values) among ``values`` (each counted
    ``weights[value]`` times when given)."""
    table = list_lookup(list_key, tuple((lists or {}).get(list_key, ())))
    hits = total = 0
    for v in values:
        n = norm(v)
        if n:
            w = weights[v] if weights is not None else 1
            total += w
            hits += w if n in table else 0
    return hits, total
