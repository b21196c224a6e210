"""Flushing a file or a folder to disk, the same on every system (no ``fcntl``: live mode and
``wbt excel install`` run on Windows). The writer and :mod:`workbook_tools.outputs` both use it."""

from __future__ import annotations

import os
from pathlib import Path

# Windows flushes only a handle open for writing; POSIX any (a read-only file can be flushed too)
_FLAGS = os.O_RDWR if os.name == "nt" else os.O_RDONLY


def fsync_file(path: Path, *, strict: bool = True) -> None:
    """Flush a file's data to disk. ``strict``: an error is raised (the workbook write must not
    go on unflushed); otherwise the flush is done where the system allows it."""
    try:
        fd = os.open(path, _FLAGS)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:
        if strict:
            raise


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename or link in it) to disk, where the system can: Windows
    cannot open a folder, some network shares refuse; the write stands either way."""
    fsync_file(folder, strict=False)
