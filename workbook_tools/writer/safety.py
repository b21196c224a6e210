"""Everything around the write itself: owner/lock files, an advisory lock, backups, the atomic
replace and the check after it.

The steps are module-level functions so tests can make each of them fail.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import math
import os
import shutil
import stat
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from ..errors import UnsafeWrite, WorkbookInUse
from ..i18n import L

BACKUP_DIR = ".wbt-backups"
TMP_PREFIX = ".wbt-tmp-"


def owner_files(path: Path) -> list[Path]:
    """The files Excel/WPS (``~$name.xlsx``) and LibreOffice (``.~lock.name.xlsx#``) leave beside an
    open workbook. Excel replaces the first two characters of a long name (``~$dget2024.xlsx``)."""
    out = [path.with_name("~$" + path.name), path.with_name(".~lock." + path.name + "#")]
    if len(path.stem) > 2:
        out.insert(1, path.with_name("~$" + path.name[2:]))
    return out


def check_not_open(path: Path) -> None:
    """Refuse a workbook that is open in an office program or marked read-only."""
    if not stat.S_IMODE(path.stat().st_mode) & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise UnsafeWrite(L("工作簿 {n} 是只读文件，不会被修改。如需写入，请先取消只读属性。",
                            "Workbook {n} is read-only; it will not be changed. Clear the read-only flag first.")
                          .format(n=path.name))
    for f in owner_files(path):
        if f.exists():
            raise WorkbookInUse(L("工作簿 {n} 正在被 Excel/WPS/LibreOffice 打开（发现 {f}）。请先保存并关闭它，再运行本命令。",
                                  "Workbook {n} is open in Excel/WPS/LibreOffice ({f} exists). "
                                  "Save and close it, then run this command again.").format(n=path.name, f=f.name))


def lock_path(path: Path) -> Path:
    return path.with_name("." + path.name + ".wbt-lock")


@contextlib.contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold an advisory lock beside the workbook for the whole write (non-blocking)."""
    lp = lock_path(path)
    try:
        fd = os.open(lp, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as exc:
        raise UnsafeWrite(L("无法在文件夹 {d} 中写入（{e}），工作簿未被修改。",
                            "Cannot write in folder {d} ({e}); the workbook was not changed.")
                          .format(d=path.parent, e=exc.strerror or exc)) from exc
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            raise _busy(path) from exc
        try:
            same = os.fstat(fd).st_ino == os.stat(lp).st_ino
        except OSError:
            same = False
        if not same:  # the holder removed the lock file between our open and our flock
            fcntl.flock(fd, fcntl.LOCK_UN)
            raise _busy(path)
        remove_stale_temps(path)
        try:
            yield
        finally:
            with contextlib.suppress(OSError):
                os.unlink(lp)
            fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)


def _busy(path: Path) -> WorkbookInUse:
    return WorkbookInUse(L("另一个 wbt 进程正在写入工作簿 {n}，请等它结束后再试。",
                           "Another wbt run is writing workbook {n}; wait for it to finish.").format(n=path.name))


def temp_glob(path: Path) -> list[Path]:
    return sorted(path.parent.glob(TMP_PREFIX + path.name + ".*"))


def remove_stale_temps(path: Path) -> None:
    """Temp files left by a run that was killed; safe to remove while we hold the lock."""
    for p in temp_glob(path):
        with contextlib.suppress(OSError):
            p.unlink()


# ---- backups ---------------------------------------------------------------------------------------
def backup_name(path: Path, now: dt.datetime) -> Path:
    folder = path.parent / BACKUP_DIR
    base = f"{path.stem}.{now:%Y%m%d-%H%M%S}"
    target = folder / f"{base}{path.suffix}"
    n = 1
    while target.exists():
        n += 1
        target = folder / f"{base}-{n}{path.suffix}"
    return target


def make_backup(path: Path, now: dt.datetime, target: Path | None = None) -> Path:
    """Copy ``path`` into the backup folder (``target``: the name chosen before, see backup_name)."""
    target = target or backup_name(path, now)
    target.parent.mkdir(exist_ok=True)
    tmp = target.with_name(target.name + ".part")
    try:
        shutil.copyfile(path, tmp)  # mtime = when the backup was made: pruning keeps the newest
        _fsync_file(tmp)
        os.replace(tmp, target)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return target


def list_backups(path: Path) -> list[Path]:
    folder = path.parent / BACKUP_DIR
    if not folder.is_dir():
        return []
    prefix = path.stem + "."
    found = [p for p in folder.iterdir()
             if p.name.startswith(prefix) and p.suffix == path.suffix and p.name[len(prefix):len(prefix) + 1].isdigit()]
    return sorted(found, key=lambda p: (p.stat().st_mtime, p.name))


def prune_backups(path: Path, keep: int) -> None:
    backups = list_backups(path)
    for p in backups[:max(0, len(backups) - keep)]:
        with contextlib.suppress(OSError):
            p.unlink()


# ---- the write ---------------------------------------------------------------------------------------
def write_temp(path: Path, save: Callable[[Path], None]) -> Path:
    """Write the new file beside the original with ``save`` and fsync it."""
    fd, name = tempfile.mkstemp(prefix=TMP_PREFIX + path.name + ".", dir=path.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        save(tmp)
        mode = stat.S_IMODE(path.stat().st_mode)
        os.chmod(tmp, mode)
        _fsync_file(tmp)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    return tmp


def replace(tmp: Path, path: Path) -> None:
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _fsync_file(p: Path) -> None:
    fd = os.open(p, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def restore(backup: Path, path: Path) -> None:
    """Put the backup back in place atomically (a copy, so the backup itself stays)."""
    tmp = write_temp(path, lambda t: shutil.copyfile(backup, t))
    replace(tmp, path)


# ---- checking what was written ---------------------------------------------------------------------------
def read_back(path: Path, wanted: dict[str, dict[tuple[int, int], Any]]) -> dict[str, dict[tuple[int, int], Any]]:
    """The values python-calamine reads at the given (row, col) of each sheet. Two sheets are read
    at once (calamine parses without the GIL, one workbook object per thread)."""
    from concurrent.futures import ThreadPoolExecutor

    from python_calamine import CalamineWorkbook

    def one(sheet: str, cells: dict[tuple[int, int], Any]) -> dict[tuple[int, int], Any]:
        wb = CalamineWorkbook.from_path(str(path))
        try:
            rows = wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
        finally:
            with contextlib.suppress(Exception):
                wb.close()
        got = {}
        for r, c in cells:
            row = rows[r - 1] if r - 1 < len(rows) else []
            got[(r, c)] = row[c - 1] if c - 1 < len(row) else ""
        return got

    if len(wanted) < 2:
        return {sheet: one(sheet, cells) for sheet, cells in wanted.items()}
    with ThreadPoolExecutor(max_workers=2, thread_name_prefix="wbt-readback") as pool:
        futures = {sheet: pool.submit(one, sheet, cells) for sheet, cells in wanted.items()}
        return {sheet: f.result() for sheet, f in futures.items()}


def same_value(meant: Any, got: Any, date1904: bool = False) -> bool:
    """Whether calamine's reading of a cell is what was written."""
    if meant is None:
        return got in (None, "")
    if isinstance(meant, bool):
        return got is meant or got == meant
    if isinstance(meant, dt.datetime | dt.date):
        if isinstance(got, dt.datetime | dt.date):
            a = meant if isinstance(meant, dt.datetime) else dt.datetime(meant.year, meant.month, meant.day)
            b = got if isinstance(got, dt.datetime) else dt.datetime(got.year, got.month, got.day)
            return abs((a - b).total_seconds()) < 1
        if isinstance(got, int | float):
            from .values import excel_serial
            return math.isclose(excel_serial(meant, date1904), float(got), abs_tol=1e-5)
        return False
    if isinstance(meant, int | float):
        from .values import excel_serial
        if isinstance(got, dt.timedelta):  # a number shown with a time format
            got = got.total_seconds() / 86400
        elif isinstance(got, dt.date):     # a number in a date-formatted cell
            got = excel_serial(got, date1904)
        if isinstance(got, bool) or not isinstance(got, int | float):
            return False
        return math.isclose(float(meant), float(got), rel_tol=1e-12, abs_tol=1e-12)
    return isinstance(got, str) and got == str(meant)


def verify_or_restore(path: Path, meant: dict[str, dict[tuple[int, int], Any]], backup: Path | None,
                      date1904: bool = False) -> None:
    """Re-read the changed cells; if any differs, restore the backup and refuse."""
    from ..model import cell_ref

    try:
        got = read_back(path, meant)
        bad = next(((s, rc) for s, cells in meant.items() for rc, v in cells.items()
                    if not same_value(v, got[s][rc], date1904)), None)
        problem = None if bad is None else f"{bad[0]}!{cell_ref(*bad[1])}"
    except Exception as exc:  # the new file cannot even be read
        bad, problem = ("?", (0, 0)), f"{type(exc).__name__}: {exc}"
    if bad is None:
        return
    if backup is not None:
        restore(backup, path)
    raise UnsafeWrite(L("写入后复查失败（{p}），已恢复原文件。", "Check after writing failed ({p}); the original was restored.")
                      .format(p=problem), sheet=bad[0] if bad[0] != "?" else None)
