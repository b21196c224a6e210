"""Fault injection: whatever step of a write fails, the original workbook stays intact and readable."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import openpyxl
import pytest
from _writer_util import make_book

from workbook_tools.changeset import Changeset
from workbook_tools.errors import UnsafeWrite
from workbook_tools.writer import apply_changeset, readback, safety, source, written
from workbook_tools.writer.package import Package

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)


class Boom(Exception):
    pass


def _cs() -> Changeset:
    cs = Changeset("fault")
    for r in range(2, 40):
        cs.edit("数据", f"J{r}", f"值{r}")
    return cs


def _leftovers(folder: Path) -> list[str]:
    """Files beside the workbook other than the workbook and the backups folder."""
    return sorted(p.name for p in folder.iterdir() if p.name not in ("book.xlsx", ".wbt-backups"))


def _intact(path: Path, raw: bytes) -> None:
    assert path.read_bytes() == raw
    assert openpyxl.load_workbook(path)["数据"]["A2"].value == "杭州云启科技有限公司"


def _raise(*_a: object, **_k: object) -> None:
    raise Boom("injected")


@pytest.mark.parametrize("step", ["build", "save_start", "save_middle", "after_temp", "backup", "before_replace"])
def test_failure_before_replace_keeps_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, step: str) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    if step == "build":
        monkeypatch.setattr("workbook_tools.writer.apply.extend_tables", _raise)
    elif step == "save_start":
        monkeypatch.setattr(Package, "save", _raise)
    elif step == "save_middle":  # the temp file is half written when the error comes
        real = zipfile.ZipFile.writestr
        calls = {"n": 0}

        def flaky(self: zipfile.ZipFile, *a: object, **k: object) -> None:
            calls["n"] += 1
            if calls["n"] == 2:
                raise Boom("disk full")
            real(self, *a, **k)
        monkeypatch.setattr(zipfile.ZipFile, "writestr", flaky)
    elif step == "after_temp":  # written and fsynced, then the fsync of it fails
        monkeypatch.setattr(safety, "fsync_file", _raise)
    elif step == "backup":
        monkeypatch.setattr(safety, "make_backup", _raise)
    elif step == "before_replace":
        real_replace = os.replace

        def replace(src: object, dst: object) -> None:
            if Path(dst) == path:
                raise Boom("rename failed")
            real_replace(src, dst)
        monkeypatch.setattr(safety.os, "replace", replace)
        monkeypatch.setattr(source, "_exchange", _raise)  # the swap (Linux) fails the same way
    with pytest.raises(Boom):
        apply_changeset(path, _cs(), now=NOW)
    _intact(path, raw)
    assert _leftovers(tmp_path) == []  # no temp file, no lock file
    backups = tmp_path / ".wbt-backups"
    assert not backups.exists() or all(p.suffix == ".xlsx" for p in backups.iterdir())
    monkeypatch.undo()
    assert apply_changeset(path, _cs(), now=NOW).cells_written == 38  # and the next run works


def test_failure_after_replace_leaves_a_complete_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_book(tmp_path / "book.xlsx")
    monkeypatch.setattr(safety, "fsync_dir", _raise)
    with pytest.raises(Boom):
        apply_changeset(path, _cs(), now=NOW)
    # the new file is in place and complete; the original is in the backup
    assert openpyxl.load_workbook(path)["数据"]["J2"].value == "值2"
    backups = list((tmp_path / ".wbt-backups").iterdir())
    assert len(backups) == 1 and openpyxl.load_workbook(backups[0])["数据"]["J2"].value is None
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("backup_keep", [3, 0])
def test_bad_read_back_restores_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, backup_keep: int) -> None:
    path = make_book(tmp_path / "book.xlsx")
    written.clear()
    raw = path.read_bytes()
    real = readback.read_back

    def wrong(p: Path, meant: dict) -> dict:
        got = real(p, meant)
        got["数据"][(5, 10)] = "something else"
        return got
    monkeypatch.setattr(readback, "read_back", wrong)
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, _cs(), now=NOW, backup_keep=backup_keep)
    assert "数据!J5" in info.value.render("en") and "restored" in info.value.render("en")
    _intact(path, raw)
    assert written.entries() == []  # a failure message will not claim the workbook was written
    assert _leftovers(tmp_path) == []


@pytest.mark.parametrize("fault", ["value", "cell", "bytes"])
def test_a_write_that_went_wrong_on_disk_is_caught_and_undone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                               fault: str) -> None:
    """The check after writing reads the new file from disk, not the code's own idea of it: a value
    rendered wrongly, a cell written to the wrong place, or a part whose bytes are damaged on the way
    to the disk are each caught, and the original comes back."""
    from workbook_tools.writer import cells

    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    if fault == "value":
        real_xml = cells.value_xml
        monkeypatch.setattr(cells, "value_xml", lambda v, d=False: real_xml("值X" if v == "值7" else v, d))
    elif fault == "cell":
        real_render = cells._render_cell
        monkeypatch.setattr(cells, "_render_cell", lambda old, ref, *a: real_render(old, "K9" if ref == "J9" else ref, *a))
    else:
        real_save = Package.save

        def damaged(self: Package, target: Path) -> None:
            for name in self.changed:
                if name.startswith("xl/worksheets/"):
                    self._data[name] = self._data[name].replace("值5".encode(), "值?".encode())
            real_save(self, target)
        monkeypatch.setattr(Package, "save", damaged)
    with pytest.raises(UnsafeWrite) as info:
        apply_changeset(path, _cs(), now=NOW)
    assert "restored" in info.value.render("en")
    _intact(path, raw)


def test_unreadable_result_restores_the_original(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    monkeypatch.setattr(Package, "save", lambda self, target: Path(target).write_bytes(b"not a zip"))
    with pytest.raises(UnsafeWrite):
        apply_changeset(path, _cs(), now=NOW)
    _intact(path, raw)


_KILL_SCRIPT = r"""
import sys, time, zipfile, datetime as dt
from pathlib import Path
from workbook_tools.changeset import Changeset
from workbook_tools.writer import apply_changeset
real = zipfile.ZipFile.writestr
n = {"i": 0}
def slow(self, *a, **k):
    n["i"] += 1
    real(self, *a, **k)
    if n["i"] == 1:
        self.fp.flush()
        print("writing", flush=True)
        time.sleep(60)
zipfile.ZipFile.writestr = slow
cs = Changeset("kill")
for r in range(2, 40):
    cs.edit("数据", f"J{r}", f"值{r}")
apply_changeset(Path(sys.argv[1]), cs)
"""


def test_sigkill_mid_write_keeps_original(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    raw = path.read_bytes()
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen([sys.executable, "-c", _KILL_SCRIPT, str(path)], stdout=subprocess.PIPE, text=True,
                            env=env)
    try:
        assert proc.stdout.readline().strip() == "writing"
        temps = safety.temp_glob(path)
        assert len(temps) == 1 and temps[0].stat().st_size > 0  # killed with a half-written temp file
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    time.sleep(0.05)
    _intact(path, raw)
    # the next run cleans up the dead run's temp file and lock file, and succeeds
    apply_changeset(path, _cs(), now=NOW)
    assert safety.temp_glob(path) == [] and _leftovers(tmp_path) == []
    assert openpyxl.load_workbook(path)["数据"]["J2"].value == "值2"
