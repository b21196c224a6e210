"""Matching typed names, IDs, industries and list values the way a person means them.

Shared by ``ops.ids``, ``ops.tiers``, ``ops.links``, the review and validation:

* list values and industries: NFKC (full-width → half-width), no spaces, and list synonyms from
  the schema, so "ＩＴ服务 ", "IT 服务" and "信息技术服务" all mean IT服务 (:func:`norm`, :func:`list_value`);
* customer names: :func:`name_key`, the ONE normalisation every rule uses to decide that two
  typed names are the same customer (ID filling, log → customer links, the cross-sheet check and
  duplicate detection): NFKC, case-folded, without spaces or punctuation;
* person names (contacts): :func:`same_person`, on top of :func:`name_key`.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Any

import pandas as pd

from ..model import Settings
from ..reader.lists import list_lookup, norm, per_text
from ..reader.parse import clean_text
from ..schema import SCHEMA
from ..values import is_empty

__all__ = ["column_values", "industry_code", "list_value", "name_key", "norm", "norm_id", "person_keys",
           "records", "same_person"]

_NON_WORD = re.compile(r"[\W_]+")   # spaces, punctuation and symbols (CJK characters are word characters)


def norm_id(value: Any) -> str:
    """A customer ID as compared: NFKC, no spaces, upper case ('' for empty)."""
    return norm(value).upper()


@per_text
def name_key(value: Any) -> str:
    """A customer name as compared by every rule: NFKC (full-width letters and digits → half-width),
    case-folded, without spaces, punctuation or symbols ('' for empty). "ＡＢＣ 科技（杭州）有限公司"
    and "abc科技(杭州)有限公司" have the same key. Company-form suffixes are kept: "云启科技" is not
    "云启科技有限公司" (duplicate detection adds that looser comparison on top, see
    ``ops.validate.duplicates.company_key``)."""
    if is_empty(value):
        return ""
    return _NON_WORD.sub("", unicodedata.normalize("NFKC", clean_text(value) or "")).casefold()


_HONORIFIC = re.compile(r"(?:总经理|副总|经理|总监|主管|主任|先生|女士|小姐|老师|总|工)$")
_PEOPLE_SEP = re.compile(r"[、,，/;；\s]+")


@lru_cache(maxsize=1 << 16)
def _person_keys(text: str) -> tuple[str, ...]:
    out: list[str] = []
    for part in _PEOPLE_SEP.split(text):
        k = _HONORIFIC.sub("", name_key(part))
        if k and k not in out:
            out.append(k)
    return tuple(out)


def person_keys(value: Any) -> tuple[str, ...]:
    """The people a contact cell names, each as a key: '王五、赵六' → ('王五', '赵六'); a title after a
    surname is dropped ('张经理' → '张'); masked names keep their visible part ('王*' → '王')."""
    return () if is_empty(value) else _person_keys(clean_text(value) or "")


def same_person(a: Any, b: Any) -> bool | None:
    """Whether two contact cells name (at least) one person in common; None when either names nobody.
    A surname alone (from '张经理' or a masked '张*') matches any full name with that surname."""
    if isinstance(a, str) and isinstance(b, str):
        return _same_person(a, b)
    return _same_keys(person_keys(a), person_keys(b))


@lru_cache(maxsize=1 << 16)
def _same_person(a: str, b: str) -> bool | None:
    return _same_keys(person_keys(a), person_keys(b))


def _same_keys(ka: tuple[str, ...], kb: tuple[str, ...]) -> bool | None:
    if not ka or not kb:
        return None
    for x in ka:
        for y in kb:
            if x == y or ((len(x) == 1 or len(y) == 1) and x[0] == y[0]):
                return True
    return False


def list_value(list_key: str, value: Any, settings: Settings | None = None) -> str | None:
    """The list value a typed cell means (exact after normalisation, else a schema synonym), or None."""
    n = norm(value)
    if not n:
        return None
    values = tuple(settings.lists.get(list_key, [])) if settings else ()
    return list_lookup(list_key, values).get(n)


def industry_code(value: Any, settings: Settings) -> tuple[str | None, str | None]:
    """(industry name, code) for a typed industry, using 代码表's industry→code table, the industry
    list's synonyms and the schema's industry aliases. (None, None) when it matches nothing."""
    n = norm(value)
    if not n:
        return None, None
    codes = {norm(name): (name, code) for name, code in settings.industry_codes.items()}
    if n in codes:
        return codes[n]
    candidates: list[str] = []
    for syn, target in SCHEMA.list("industry").synonyms.items():
        if norm(syn) == n:
            candidates.append(target)
    for ind in SCHEMA.industries:
        if any(norm(a) == n for a in ind.aliases):
            candidates.append(ind.name)
    for name in candidates:
        if norm(name) in codes:
            return codes[norm(name)]
    return None, None


def records(frame: pd.DataFrame) -> dict[int, dict[str, Any]]:
    """Excel row → {column key → value}: plain dicts, because per-cell DataFrame access is ~100× slower.
    Date columns become ``datetime.date`` (None for empty)."""
    cols = {k: column_values(frame[k]) for k in frame.columns}
    keys = list(cols)
    return {row: dict(zip(keys, vals)) for row, vals in zip(frame.index.tolist(), zip(*cols.values()))}


def column_values(series: pd.Series) -> list[Any]:
    """A column as a list of plain Python values; datetime columns as ``datetime.date`` / None."""
    if series.dtype.kind == "M":
        return series.to_numpy(dtype="datetime64[D]").astype(object).tolist()
    return series.tolist()
