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


def norm_header(text: Any) -> str:
    """A header as compared: NFKC (full-width → half-width), case-folded, no spaces or line
    breaks, every bracket shape as ``()``, decorative punctuation (``* : _ - . ,`` …) dropped.
    Bracketed parts are kept; see :func:`strip_unit`."""
    if text is None:
        return ""
    s = unicodedata.normalize("NFKC", str(text)).casefold().translate(_BRACKETS)
    return _PUNCT.sub("", _WS.sub("", s))


def strip_unit(normed: str) -> str:
    """Drop bracketed parts such as (万元), (全称) or (a/b/c) from a normalised header: every
    balanced group, nested ones too, and any bracket left unmatched. One pass, so a hostile cell
    of many brackets (nested or not) costs time in proportion to its length."""
    if "(" not in normed and ")" not in normed:
        return normed
    out: list[str] = []
    opens: list[int] = []        # where each open bracket's group starts in ``out``
    for ch in normed:
        if ch == "(":
            opens.append(len(out))
            out.append(ch)
        elif ch == ")":
            if opens:
                del out[opens.pop():]   # the whole group; each character is dropped at most once
        else:
            out.append(ch)
    return "".join(out).replace("(", "")
