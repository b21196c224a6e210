"""Write a GeneratedSheet into a NEW workbook of its own (``wbt review --out``).

The sheet is rendered exactly as the writer renders a generated sheet for a user's workbook
(:func:`workbook_tools.writer.scratch.render`: the same styles, charts and label flags), then saved
as a package of its own. Only new files are created here; a user's existing workbook is changed
only through the changeset writer."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

from ..changeset import GeneratedSheet
from ..writer.scratch import render

_SST_OVERRIDE = re.compile(rb'<Override[^>]*PartName="/xl/sharedStrings\.xml"[^>]*/>')
_SST_REL = re.compile(rb'<Relationship[^>]*Target="sharedStrings\.xml"[^>]*/>')


def standalone(parts: dict[str, bytes]) -> dict[str, bytes]:
    """The rendered parts as a package of their own: strings are inline, so the content type and the
    relationship of the shared-string part (dropped by the renderer) go too."""
    out = dict(parts)
    out["[Content_Types].xml"] = _SST_OVERRIDE.sub(b"", out["[Content_Types].xml"])
    out["xl/_rels/workbook.xml.rels"] = _SST_REL.sub(b"", out["xl/_rels/workbook.xml.rels"])
    return out



def write_sheet_workbook(sheet: GeneratedSheet, path: str | Path) -> Path:
    """Write ``path`` holding only ``sheet`` (values, named styles, widths, merges, charts). The
    caller gives a temp file of :func:`workbook_tools.outputs.write_with`, which moves it into place
    atomically (a failure leaves no half file) and never over a file it may not replace."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    parts = standalone(render(sheet))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in ("[Content_Types].xml", *sorted(n for n in parts if n != "[Content_Types].xml")):
            zf.writestr(name, parts[name])
    return path
