"""How header texts are compared: case, full/half width, spaces, decoration and bracket shapes
do not matter (see :func:`norm_header`)."""

from __future__ import annotations

import re
import unicodedata
from typing import Any

_WS = re.compile(r"\s+")
# decoration people put into headers; brackets and '/' carry meaning and are kept here
_PUNCT = re.compile(r"[*:：_\-—–·•.。,，;；'\"“”‘’`!！?？#№、~～^]")
_OPEN, _CLOSE = "(（[【〔{<《「『", ")）]】〕}>》」』"
_BRACKETS = str.maketrans({**{c: "(" for c in _OPEN}, **{c: ")" for c in _CLOSE}})
_BRACKETED = re.compile(r"\([^()]*\)")


def norm_header(text: Any) -> str:
    """A header as compared: NFKC (full-width → half-width), case-folded, no spaces or line
    breaks, every bracket shape as ``()``, decorative punctuation (``* : _ - . ,`` …) dropped.
    Bracketed parts are kept; see :func:`strip_unit`."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold().translate(_BRACKETS)
    return _PUNCT.sub("", _WS.sub("", s))


def strip_unit(normed: str) -> str:
    """Drop bracketed parts such as (万元), (全称) or (a/b/c) from a normalised header."""
    prev = None
    while prev != normed:
        prev, normed = normed, _BRACKETED.sub("", normed)
    return normed.replace("(", "").replace(")", "")
