"""Bilingual text: Chinese first, English too.

Messages are :class:`L` pairs and are rendered in the language chosen by ``--lang``, the
``WBT_LANG`` environment variable or the locale, in that order; Chinese is the default.
"""

from __future__ import annotations

import contextvars
import locale
import os
from dataclasses import dataclass
from typing import Any

LANGS = ("zh", "en")
_lang: contextvars.ContextVar[str | None] = contextvars.ContextVar("wbt_lang", default=None)


def default_lang() -> str:
    """The language from ``WBT_LANG``, else the locale, else Chinese."""
    env = os.environ.get("WBT_LANG", "").strip().lower()
    if env[:2] in LANGS:
        return env[:2]
    for var in ("LC_ALL", "LC_MESSAGES", "LANG"):
        val = os.environ.get(var, "")
        if val:
            return "en" if val.lower().startswith("en") else "zh"
    try:
        loc = locale.getlocale()[0] or ""
    except ValueError:
        loc = ""
    return "en" if loc.lower().startswith("en") else "zh"


def current_lang() -> str:
    return _lang.get() or default_lang()


def set_lang(lang: str | None) -> None:
    """Fix the language for this context (the CLI calls it once with ``--lang``)."""
    _lang.set(lang if lang in LANGS else None)


@dataclass(frozen=True)
class L:
    """A message in Chinese and English. ``str(L)`` renders it in the current language."""

    zh: str
    en: str

    def get(self, lang: str | None = None) -> str:
        return self.en if (lang or current_lang()) == "en" else self.zh

    def format(self, **kw: Any) -> L:
        return L(self.zh.format(**kw), self.en.format(**kw))

    def __str__(self) -> str:
        return self.get()

    def to_dict(self) -> dict[str, str]:
        return {"zh": self.zh, "en": self.en}


def tr(zh: str, en: str, **kw: Any) -> str:
    """Render a one-off message in the current language."""
    return L(zh, en).format(**kw).get()


def plural(n: int, noun: str, many: str | None = None) -> str:
    """An English count with its noun in the right number: ``1 error``, ``2 errors``, ``0 errors``
    (``many``: an irregular plural, e.g. ``plural(n, "entry", "entries")``)."""
    return f"{n} {noun if n == 1 else (many or noun + 's')}"
