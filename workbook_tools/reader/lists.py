"""Typed values as a person means them: IDs and list values compared after NFKC, without spaces
and case-folded (:func:`norm`), list values also by the schema's synonyms.

Lives with the reader because the reader itself needs it (a contested header such as 客户等级 is
decided by whether its values are grades or tiers); the operations use it through
:mod:`workbook_tools.ops.matching`, which adds the one comparison of customer and person names
(``name_key``: also without punctuation and symbols) on top of the same per-value cache
(:func:`per_text`).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping
from functools import lru_cache, wraps
from typing import Any

from ..schema import SCHEMA
from ..values import is_empty
from .parse import clean_text

_SPACE = re.compile(r"\s+")


def per_text(func: Callable[[Any], str]) -> Callable[[Any], str]:
    """``func`` remembered per value (names and list values repeat a lot); an unhashable value is
    computed each time. Shared by :func:`norm` and ``ops.matching.name_key``."""
    cached = lru_cache(maxsize=1 << 16)(func)

    @wraps(func)
    def call(value: Any) -> str:
        try:
            return cached(value)
        except TypeError:  # unhashable
            return func(value)

    return call


def squash(text: str) -> str:
    """A text as compared: NFKC (full-width → half-width), no whitespace at all, case-folded.
    :func:`norm` for a cell; ``ops.phrases`` for free text and its phrases."""
    return _SPACE.sub("", unicodedata.normalize("NFKC", text)).casefold()


@per_text
def norm(value: Any) -> str:
    """:func:`squash` of a cell's text; '' for empty."""
    if is_empty(value):
        return ""
    return squash(clean_text(value) or "")


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
