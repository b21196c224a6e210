"""The lossless changeset writer: the only way the project writes into an existing workbook.

``apply_changeset(path, cs)`` patches only the parts a :class:`~workbook_tools.changeset.Changeset`
touches and copies every other part byte for byte (see ``docs/writer.md``).

The names below load on first use (PEP 562), so importing a light module of this package (the
lock and backup helpers, ``written``) does not pull in pandas through the changeset: ``wbt --help``
and a ribbon click stay quick.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .apply import ApplyReport, apply_changeset, apply_plan, check_changeset

__all__ = ["ApplyReport", "apply_changeset", "apply_plan", "check_changeset"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from . import apply

        return getattr(apply, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
