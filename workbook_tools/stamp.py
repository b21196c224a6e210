"""A fingerprint of a workbook file as it was read, so a write can prove it patches that same file.

The reader takes it from the zip directory when it first opens the package (each part's CRC-32,
size and compressed size: no part is inflated for it, so it costs nothing). A changeset planned
from the model carries it; the writer compares it with the file it is about to patch and refuses
when any part differs (another program saved the workbook meanwhile: rows may have moved, and an
edit of ``S5`` would land on a neighbour's row).
"""

from __future__ import annotations

import os
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

PartStamp = tuple[int, int, int]
"""(CRC-32, size, compressed size) of one part, as the zip directory records them."""


@dataclass(frozen=True)
class SourceStamp:
    """Which file a model was read from and what its package held at that moment."""

    path: Path                                   # the file read, links resolved
    size: int = 0
    mtime_ns: int = 0
    parts: dict[str, PartStamp] = field(default_factory=dict, compare=False, hash=False)

    @classmethod
    def of(cls, path: Path | str, infos: Iterable[zipfile.ZipInfo], st: os.stat_result | None = None) -> SourceStamp:
        """The stamp of the package whose zip directory holds ``infos`` (``st``: the file's stat)."""
        parts = {i.filename: (i.CRC, i.file_size, i.compress_size) for i in infos}
        return cls(Path(os.path.realpath(path)), st.st_size if st else 0, st.st_mtime_ns if st else 0, parts)

    @classmethod
    def of_file(cls, path: Path | str) -> SourceStamp:
        """The stamp of the package on disk now (only its zip directory is read)."""
        st = os.stat(path)
        with zipfile.ZipFile(path) as zf:
            return cls.of(path, zf.infolist(), st)

    def changed_parts(self, other: SourceStamp) -> list[str]:
        """Parts added, removed or changed between this stamp and ``other`` (in ``other``'s order,
        then the removed ones)."""
        out = [n for n, v in other.parts.items() if self.parts.get(n) != v]
        return out + [n for n in self.parts if n not in other.parts]
