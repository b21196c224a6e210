"""The run journal: one JSON line per write, beside the backups.

``.wbt-backups/<workbook file name>.journal`` (e.g. ``.wbt-backups/客户台账.xlsx.journal``) holds,
for every write of that workbook: when, which action, by whom, the backup taken before it, and a
SHA-256 digest of the file before and after. ``wbt diff --last`` finds the latest backup through
it, and ``wbt undo`` checks with it that the file is still the one the last run wrote (a file
edited since then is not undone without ``--force``). Only the newest :data:`MAX_ENTRIES` lines
are kept; a damaged line is skipped, never fatal.

A job that writes a workbook more than once for one run (a month end that must create the ID
column writes the IDs first) wraps its writes in :func:`one_run`: their entries share a ``run``
id, and :func:`last_run` gives them together, so undo and ``diff --last`` go back to the version
from before the whole run.
"""

from __future__ import annotations

import contextlib
import contextvars
import datetime as dt
import json
import os
import uuid
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from ..outputs import digest as digest  # SHA-256 of a file, hex: the entries' before/after
from .safety import BACKUP_DIR

SUFFIX = ".journal"
MAX_ENTRIES = 500


@dataclass
class Entry:
    time: str                    # ISO time of the run
    action: str                  # e.g. "month-end", "tiers", "undo"
    user: str
    backup: str | None           # file name in the backup folder of the version before the run
    before: str | None           # sha256 of the file before the run (= of the backup)
    after: str                   # sha256 of the file the run wrote
    undoes: str | None = None    # for an undo: the time of the run it undid
    run: str | None = None       # shared by the writes of one run (see one_run)

    def backup_path(self, workbook: Path) -> Path | None:
        return workbook.parent / BACKUP_DIR / self.backup if self.backup else None


_RUN: contextvars.ContextVar[str | None] = contextvars.ContextVar("wbt_run", default=None)


@contextlib.contextmanager
def one_run() -> Iterator[str]:
    """The writes made inside the block are one run (nested blocks join the outer run)."""
    current = _RUN.get()
    if current is not None:
        yield current
        return
    token = _RUN.set(uuid.uuid4().hex[:12])
    try:
        yield _RUN.get() or ""
    finally:
        _RUN.reset(token)


def journal_path(workbook: Path) -> Path:
    return workbook.parent / BACKUP_DIR / (workbook.name + SUFFIX)


def entries(workbook: Path) -> list[Entry]:
    """Every readable entry, oldest first."""
    p = journal_path(workbook)
    try:
        lines = p.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for line in lines:
        try:
            d: dict[str, Any] = json.loads(line)
            out.append(Entry(**{k: d.get(k) for k in Entry.__dataclass_fields__}))
        except (ValueError, TypeError):
            continue
        if not isinstance(out[-1].after, str):
            out.pop()
    return out


def last(workbook: Path) -> Entry | None:
    found = entries(workbook)
    return found[-1] if found else None


def last_run(workbook: Path) -> list[Entry]:
    """The entries of the last run, oldest first: the last entry, and before it the entries of the
    same run as long as each one wrote the file the next one read ([] when there is none)."""
    found = entries(workbook)
    if not found:
        return []
    group = [found[-1]]
    if group[0].run:
        for e in reversed(found[:-1]):
            if e.run != group[0].run or e.after != group[0].before:
                break
            group.insert(0, e)
    return group


def current_run_backups(workbook: Path) -> frozenset[str]:
    """The backups taken so far by the run under way (inside :func:`one_run`), which pruning keeps."""
    run = _RUN.get()
    if run is None:
        return frozenset()
    return frozenset(e.backup for e in entries(workbook) if e.run == run and e.backup)


def record(workbook: Path, *, action: str, user: str, now: dt.datetime, backup: Path | None, before: str | None,
           after: str, undoes: str | None = None) -> Entry | None:
    """Append one entry (fsynced). A journal that cannot be written does not undo the write it
    describes: None is returned and the write stands (undo then finds no entry for it)."""
    entry = Entry(now.isoformat(timespec="seconds"), action, user, backup.name if backup else None, before, after,
                  undoes, _RUN.get())
    p = journal_path(workbook)
    line = json.dumps(asdict(entry), ensure_ascii=False) + "\n"
    try:
        p.parent.mkdir(exist_ok=True)
        old = p.read_text(encoding="utf-8").splitlines(keepends=True) if p.exists() else []
        if len(old) >= MAX_ENTRIES:  # keep it small: rewrite with the newest lines
            tmp = p.with_name(p.name + ".part")
            tmp.write_text("".join(old[-(MAX_ENTRIES - 1):]) + line, encoding="utf-8")
            os.replace(tmp, p)
        else:
            with p.open("a", encoding="utf-8") as fh:
                fh.write(line)
                fh.flush()
                os.fsync(fh.fileno())
    except (OSError, UnicodeDecodeError):
        with contextlib.suppress(OSError):
            p.with_name(p.name + ".part").unlink()
        return None
    return entry
