"""The lossless changeset writer: the only way the project writes into an existing workbook.

``apply_changeset(path, cs)`` patches only the parts a :class:`~workbook_tools.changeset.Changeset`
touches and copies every other part byte for byte (see ``docs/writer.md``).
"""

from .apply import ApplyReport, apply_changeset, apply_plan, check_changeset

__all__ = ["ApplyReport", "apply_changeset", "apply_plan", "check_changeset"]
