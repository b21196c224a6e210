"""Writing the files of an export (:mod:`workbook_tools.ops.export` plans them): NEW files only,
all or none, through :mod:`workbook_tools.outputs`."""

from __future__ import annotations

from pathlib import Path

from .. import outputs, template
from ..changeset import ActionResult
from ..ops.export import ExportFile


def write_exports(result: ActionResult, *, lang: str = "zh", force: bool = False) -> list[Path]:
    """Build every file of an :class:`ExportResult` with the template builder; return the paths.

    Every target is checked first (:func:`workbook_tools.outputs.plan_all`): never the source
    workbook, its backups or lock files; an existing file only if it is this tool's unchanged
    export of the same variant from the same workbook, or with ``force``. Then all files are
    written or none. Refusals raise :class:`workbook_tools.outputs.OutputRefused` (exit 2)."""
    exports: list[ExportFile] = getattr(result, "exports", [])
    source = getattr(result, "source", None)
    settings = getattr(result, "settings", None)
    targets = outputs.plan_all([(f.path, "export", outputs.source_key(source, f.variant) if source else f.variant)
                                for f in exports], source=source, force=force)
    return outputs.write_all([(t, lambda p, f=f: template.build_workbook(p, lang=lang, data=f.data, settings=settings))
                              for t, f in zip(targets, exports)])
