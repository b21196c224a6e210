"""Links, backups, permissions and what a message says was written.

Tests run as root here, and root passes every permission check. What a user without write
permission gets is tested by running the write as another user (``nobody``, through
``subprocess``'s ``user=``); the owner kept across the replace by giving the workbook another
owner first. Both are skipped when the test does not run as root.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import stat
import tempfile
from pathlib import Path

import pytest
from _writer_util import make_book
from click.testing import CliRunner

from workbook_tools.changeset import Changeset
from workbook_tools.cli.main import cli
from workbook_tools.errors import UnsafeWrite, WorkbookInUse
from workbook_tools.writer import apply_changeset, safety

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)
NOBODY = 65534
as_root = pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="needs root to act as another user")


def _cs(value: str = "x") -> Changeset:
    cs = Changeset("test")
    cs.edit("数据", "A3", value)
    return cs


def _a3(path: Path) -> object:
    import openpyxl
    return openpyxl.load_workbook(path)["数据"]["A3"].value


# ---- item 4: symbolic links ---------------------------------------------------------------------
def test_a_symlinked_workbook_is_written_through_to_its_target(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    real = make_book(tmp_path / "shared" / "team.xlsx")
    link_dir = tmp_path / "desk"
    link_dir.mkdir()
    link = link_dir / "link.xlsx"
    link.symlink_to(Path("..") / "shared" / "team.xlsx")
    before = real.read_bytes()
    report = apply_changeset(link, _cs("经由链接"), now=NOW)
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "shared" / "team.xlsx")
    assert _a3(real) == "经由链接"
    assert report.backup is not None and report.backup.parent == tmp_path / "shared" / ".wbt-backups"
    assert report.backup.read_bytes() == before
    assert sorted(p.name for p in link_dir.iterdir()) == ["link.xlsx"]  # nothing left beside the link


def test_a_symlinked_workbook_open_in_excel_under_the_links_name_is_refused(tmp_path: Path) -> None:
    real = make_book(tmp_path / "team.xlsx")
    link = tmp_path / "desk.xlsx"
    link.symlink_to(real)
    (tmp_path / "~$desk.xlsx").write_text("owner")
    with pytest.raises(WorkbookInUse):
        apply_changeset(link, _cs(), now=NOW)


# ---- item 5: backups are matched by exact name ----------------------------------------------------
def test_pruning_keeps_other_workbooks_backups(tmp_path: Path) -> None:
    team = make_book(tmp_path / "team.xlsx")
    other = make_book(tmp_path / "team.2025.xlsx")
    for i in range(2):
        apply_changeset(other, _cs(f"o{i}"), now=NOW + dt.timedelta(minutes=i))
    def backups() -> list[str]:
        return sorted(p.name for p in (tmp_path / ".wbt-backups").glob("*.xlsx"))

    theirs = backups()
    assert theirs == ["team.2025.20260301-093015.xlsx", "team.2025.20260301-093115.xlsx"]
    for i in range(3):
        apply_changeset(team, _cs(f"t{i}"), now=NOW + dt.timedelta(hours=1, minutes=i), backup_keep=1)
    assert backups() == [*theirs, "team.20260301-103215.xlsx"]
    assert safety.list_backups(team) == [tmp_path / ".wbt-backups" / "team.20260301-103215.xlsx"]


def test_backup_names_match_exactly() -> None:
    mine = safety._backup_pattern(Path("team.xlsx"))
    assert mine.fullmatch("team.20260301-093015.xlsx") and mine.fullmatch("team.20260301-093015-2.xlsx")
    for other in ("team.2025.20260301-093015.xlsx", "team.20260301-093015.xlsm", "team.20260301.xlsx",
                  "Team.20260301-093015.xlsx", "team.20260301-093015.xlsx.part"):
        assert not mine.fullmatch(other), other


# ---- item 18.1: backup_keep in 代码表 is honoured --------------------------------------------------
def test_backup_keep_in_the_workbook_sets_how_many_backups_are_kept(tmp_path: Path) -> None:
    from workbook_tools.reader import read_workbook
    from workbook_tools.sample import generate_sample

    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=12, seed=5)
    cell = read_workbook(path).settings.cells["backup_keep"]
    backups = tmp_path / ".wbt-backups"

    def runs(n: int) -> int:
        shutil.rmtree(backups, ignore_errors=True)
        for _ in range(n):
            res = CliRunner().invoke(cli, ["review", str(path), "--month", "2026-10", "--as-of", "2026-10-31"])
            assert res.exit_code == 0, res.output
        return len(safety.list_backups(path))

    assert runs(3) == 3                       # the default (10) keeps all three
    set_keep = Changeset("settings")
    set_keep.edit("代码表", cell, 2)
    apply_changeset(path, set_keep, backup_keep=0)
    assert runs(3) == 2
    set_keep.edits[0].new = 0
    apply_changeset(path, set_keep, backup_keep=0)
    assert runs(2) == 0


# ---- item 6: permissions ------------------------------------------------------------------------------
def test_a_file_without_write_bits_is_read_only_even_for_root(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    os.chmod(path, 0o444)
    assert not safety.writable(path)
    os.chmod(path, 0o644)
    assert safety.writable(path)


@as_root
def test_the_workbooks_owner_group_and_mode_survive_the_replace(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    os.chown(path, NOBODY, NOBODY)
    os.chmod(path, 0o664)
    apply_changeset(path, _cs(), now=NOW)
    st = path.stat()
    assert (st.st_uid, st.st_gid, stat.S_IMODE(st.st_mode)) == (NOBODY, NOBODY, 0o664)
    assert _a3(path) == "x"


def _as_user(uid: int, fn) -> tuple[int, str]:  # noqa: ANN001
    """Run ``fn()`` in a forked child that has become user ``uid`` (the interpreter may live where
    that user cannot read, so nothing is executed again); (exit code, what it printed)."""
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read)
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            out = str(fn())
        except UnsafeWrite as exc:
            out, code = "refused: " + exc.render("en"), 2
        except BaseException as exc:  # noqa: BLE001
            out, code = f"{type(exc).__name__}: {exc}", 3
        os.write(write, out.encode())
        os._exit(code)
    os.close(write)
    with os.fdopen(read, "rb") as fh:
        out = fh.read().decode()
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), out


@as_root
def test_a_user_who_may_not_write_the_file_is_refused_though_the_folder_is_writable() -> None:
    folder = Path(tempfile.mkdtemp(prefix="wbt-perm-"))
    try:
        os.chmod(folder, 0o777)  # anyone may create and rename files here
        path = make_book(folder / "book.xlsx")
        os.chmod(path, 0o644)    # root's file: others may read it, not write it
        raw = path.read_bytes()
        code, out = _as_user(NOBODY, lambda: apply_changeset(path, _cs("nobody"), now=NOW).written)
        assert code == 2, out
        assert "read-only" in out and "write permission" in out
        assert path.read_bytes() == raw and path.stat().st_uid == 0
        assert sorted(p.name for p in folder.iterdir()) == ["book.xlsx"]
        # the same user may write a file it owns
        os.chown(path, NOBODY, NOBODY)
        assert _as_user(NOBODY, lambda: apply_changeset(path, _cs("nobody"), now=NOW).written) == (0, "True")
        assert _a3(path) == "nobody" and path.stat().st_uid == NOBODY
    finally:
        shutil.rmtree(folder, ignore_errors=True)


@pytest.mark.parametrize(("mode", "umask", "backup_mode"), [(0o600, 0o022, 0o600), (0o666, 0o022, 0o644),
                                                            (0o640, 0o077, 0o600)])
def test_backups_are_never_more_open_than_the_workbook_or_the_umask(tmp_path: Path, mode: int, umask: int,
                                                                   backup_mode: int) -> None:
    path = make_book(tmp_path / "book.xlsx")
    os.chmod(path, mode)
    old = os.umask(umask)
    try:
        report = apply_changeset(path, _cs(), now=NOW)
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == mode
    assert report.backup is not None and stat.S_IMODE(report.backup.stat().st_mode) == backup_mode


# ---- item 7: what a message after a failure says ------------------------------------------------------
def test_month_end_that_cannot_write_its_report_says_the_workbook_was_written(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The report's path is checked before the workbook is written; the disk may still fill up
    between the two writes."""
    import errno

    from workbook_tools import outputs
    from workbook_tools.sample import generate_sample

    def disk_full(*_a: object, **_k: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(outputs, "write_text", disk_full)
    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=12, seed=5)
    before = path.read_bytes()
    res = CliRunner().invoke(cli, ["--lang", "en", "month-end", str(path), "--month", "2026-10",
                                   "--as-of", "2026-10-31", "--html", str(tmp_path / "report.html")])
    assert res.exit_code == 2, res.output
    assert path.read_bytes() != before                       # the workbook was written …
    assert "report.html could not be written (No space left on device)" in res.output  # … the report was not
    assert f"This run has written: {path}" in res.output and ".wbt-backups" in res.output
    assert "not changed" not in res.output and "Traceback" not in res.output


def test_an_unexpected_error_after_the_write_does_not_claim_the_file_is_unchanged(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools.cli import output
    from workbook_tools.sample import generate_sample

    path = tmp_path / "crm.xlsx"
    generate_sample(path, customers=12, seed=5)

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("printing failed")

    monkeypatch.setattr(output, "print_findings", boom)
    res = CliRunner().invoke(cli, ["--lang", "zh", "tiers", str(path), "--as-of", "2026-10-31"])
    assert res.exit_code == 2
    assert "内部错误" in res.output and f"本次运行已写入：{path}" in res.output and "文件未被修改" not in res.output
    # and before any write it still says so
    res = CliRunner().invoke(cli, ["--lang", "zh", "tiers", str(tmp_path / "坏.xlsx")])
    assert res.exit_code == 2 and "本次运行已写入" not in res.output


def test_read_only_message_names_both_causes(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    os.chmod(path, 0o444)
    try:
        with pytest.raises(UnsafeWrite) as info:
            apply_changeset(path, _cs(), now=NOW)
        assert "read-only" in info.value.render("en") and "write permission" in info.value.render("en")
    finally:
        os.chmod(path, 0o644)
