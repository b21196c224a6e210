"""Masking personal data for a copy that may leave the team (docs/domain.md#privacy).

- person names → surname + ``*`` (王伟 → 王*, 欧阳娜娜 → 欧*; a Latin name keeps its first letter);
- phones → area code (landline) or the 3-digit prefix (mobile) + ``****`` + the last four digits
  (13800138000 → 138****8000, 0571-88886666 → 0571****6666);
- e-mails → ``***@`` + the company domain (zhang@yunqi.com → ***@yunqi.com);
- free text (notes, summaries …) is scanned for phones and e-mails with regexes, and for every
  phone / e-mail value found in the workbook's own phone and e-mail columns.

Company names are business data and stay as they are; only people's contact data is personal.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..values import is_missing

_NON_DIGIT = re.compile(r"\D")
_NAME_SPLIT = re.compile(r"([、,，;；/\s]+)")
EMAIL_RE = re.compile(r"[A-Za-z0-9._%+\-]+@((?:[A-Za-z0-9\-]+\.)+[A-Za-z]{2,})")
# mobile (optionally +86 / 86), landline with area code; digit groups may be split by - or space
PHONE_RE = re.compile(
    r"(?<![\d])(?:(?:\+|00)?86[\s\-]?)?(?:1[3-9]\d(?:[\s\-]?\d){8}|0\d{2,3}[\s\-]?\d{7,8})(?![\d])")


def mask_name(value: Any) -> Any:
    """A person's name as surname + '*'; several names (王伟、李娜) are masked one by one."""
    if not isinstance(value, str) or not value.strip():
        return value
    parts = _NAME_SPLIT.split(value.strip())
    out = []
    for p in parts:
        if not p or _NAME_SPLIT.fullmatch(p):
            out.append(p)
        else:
            out.append(p[0] + "*")
    return "".join(out)


def mask_phone(value: Any) -> Any:
    """Keep the area code or mobile prefix and the last four digits."""
    if is_missing(value):
        return value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    digits = _NON_DIGIT.sub("", str(value))
    if not digits:
        return value
    if digits.startswith("0086"):
        digits = digits[4:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if len(digits) < 7:
        return "****"
    if digits.startswith("0"):
        prefix = digits[:3] if digits[1] in "12" else digits[:4]
    elif digits.startswith("1") and len(digits) == 11:
        prefix = digits[:3]
    else:
        prefix = ""
    return f"{prefix}****{digits[-4:]}"


def mask_email(value: Any) -> Any:
    """``***@domain``; a value without a recognisable address becomes ``***``."""
    if not isinstance(value, str) or not value.strip():
        return value
    found = EMAIL_RE.findall(value)
    if not found:
        return "***" if "@" in value else value
    return "、".join(f"***@{d.lower()}" for d in found)


def phone_digits(value: Any) -> str:
    """The digits of a phone value ('' when there are fewer than 7)."""
    if is_missing(value):
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    d = _NON_DIGIT.sub("", str(value))
    return d if len(d) >= 7 else ""


_DIGIT_RUN = re.compile(r"(?<!\d)(?:\+|00)?\d(?:[\s\-]?\d){6,}(?!\d)")
_AT_TOKEN = re.compile(r"[^\s@，,；;、：:（）()<>\[\]]+@[^\s@，,；;、：:（）()<>\[\]]+")


class TextScrubber:
    """Masks phones and e-mails inside free text: regex patterns, plus any run of digits that is one
    of the workbook's own phone numbers (with or without separators). Every token holding an ``@``
    is masked, so an address the e-mail pattern does not recognise cannot slip through."""

    def __init__(self, phones: Iterable[Any] = (), emails: Iterable[Any] = ()) -> None:
        self._known = {d for d in (phone_digits(p) for p in phones) if d}
        self._known |= {d[2:] for d in self._known if d.startswith("86") and len(d) == 13}

    def _digits(self, m: re.Match[str]) -> str:
        text = m.group(0)
        d = _NON_DIGIT.sub("", text)
        for cand in (d, d[2:] if d.startswith("86") else "", d[4:] if d.startswith("0086") else ""):
            if cand and cand in self._known:
                return mask_phone(text)
        return text

    def __call__(self, value: Any) -> Any:
        if not isinstance(value, str) or not value:
            return value
        s = value
        if "@" in s:
            s = _AT_TOKEN.sub(lambda m: mask_email(m.group(0)), s)
        if self._known:
            s = _DIGIT_RUN.sub(self._digits, s)
        return PHONE_RE.sub(lambda m: mask_phone(m.group(0)), s)
