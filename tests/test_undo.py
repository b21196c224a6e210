"""wbt undo and the run journal: the version before the last run comes back byte for byte, through a
backed-up write that can itself be undone; refusals when there is nothing to undo or the file was
edited since (showing the diff)."""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import pytest
from _writer_util import make_book
from click.testing import CliRunner

from workbook_tools.changeset import Changeset
from workbook_tools.cli.main import cli
from workbook_tools.errors import WorkbookInUse
from workbook_tools.writer import apply_changeset, journal
from workbook_tools.writer.package import Package
from workbook_tools.writer.safety import list_backups
from workbook_tools.writer.undo import EditedSince, NothingToUndo, undo

NOW = dt.datetime(2026, 3, 1, 9, 30, 15)


pytestmark = pytest.mark.usefixtures("zh")   # messages in Chinese (tests/conftest.py)


def _write(path: Path, value: str, minutes: int = 0) -> None:
    cs = Changeset("t")
    cs.edit("数据", "A3", value)
    apply_changeset(path, cs, user="u", now=NOW + dt.timedelta(minutes=minutes))


def test_journal_records_each_write(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    original = path.read_bytes()
    _write(path, "一")
    [e] = journal.entries(path)
    assert (e.time, e.action, e.user, e.backup) == ("2026-03-01T09:30:15", "t", "u", "book.20260301-093015.xlsx")
    assert e.before == journal.digest(list_backups(path)[0]) and e.after == journal.digest(path)
    assert (tmp_path / ".wbt-backups" / e.backup).read_bytes() == original
    # a damaged line is skipped, not fatal
    with journal.journal_path(path).open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    _write(path, "二", 1)
    assert [x.backup for x in journal.entries(path)] == ["book.20260301-093015.xlsx", "book.20260301-093115.xlsx"]


def test_journal_keeps_the_newest_entries(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(journal, "MAX_ENTRIES", 3)
    path = make_book(tmp_path / "book.xlsx")
    for i in range(5):
        _write(path, f"v{i}", i)
    assert [e.time[-5:] for e in journal.entries(path)] == ["32:15", "33:15", "34:15"]


def test_undo_puts_back_the_version_before_the_run_and_undo_again_redoes_it(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    os.chmod(path, 0o640)
    _write(path, "一")
    second = path.read_bytes()
    _write(path, "二", 1)
    third = path.read_bytes()
    rep = undo(path, now=NOW + dt.timedelta(minutes=2))
    assert path.read_bytes() == second and rep.undone.action == "t"
    assert rep.backup.read_bytes() == third                    # what the undo replaced is backed up
    assert oct(path.stat().st_mode & 0o777) == "0o640"
    undo(path, now=NOW + dt.timedelta(minutes=3))              # undoing the undo puts the run back
    assert path.read_bytes() == third
    assert [e.action for e in journal.entries(path)] == ["t", "t", "undo", "undo"]


def test_nothing_to_undo(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    res = CliRunner().invoke(cli, ["undo", str(path)])
    assert res.exit_code == 2 and "没有可撤销的运行" in res.output and "Traceback" not in res.output
    _write(path, "一")
    for b in list_backups(path):       # the backup it needs was pruned
        b.unlink()
    before = path.read_bytes()
    with pytest.raises(NothingToUndo, match="backup taken before it"):
        undo(path)
    assert path.read_bytes() == before
    res = CliRunner().invoke(cli, ["undo", str(tmp_path / "missing.xlsx")])
    assert res.exit_code == 2


def test_a_file_edited_since_the_run_is_not_undone_and_the_diff_is_shown(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    _write(path, "一")
    # someone edits the file after the run (here: B2 changed by another program, no journal entry)
    pkg = Package.open(path)
    sheet = pkg.sheet("数据").part
    xml = pkg.read(sheet)
    pkg.write(sheet, xml.replace(b"<v>1234.5</v>", b"<v>999</v>"))
    pkg.save(path)
    edited = path.read_bytes()
    with pytest.raises(EditedSince):
        undo(path)
    res = CliRunner().invoke(cli, ["undo", str(path)])
    assert res.exit_code == 2 and "--force" in res.output
    assert "B2" in res.output and "999" in res.output and "A3" in res.output   # the cells undo would change back
    res = CliRunner().invoke(cli, ["undo", str(path), "--json"])
    out = json.loads(res.output)
    assert res.exit_code == 2 and not out["undone"]
    assert {(c["sheet"], c["cell"]) for c in out["diff"]["changes"] if c["sheet"] == "数据"} == {("数据", "A3"), ("数据", "B2")}
    assert path.read_bytes() == edited
    res = CliRunner().invoke(cli, ["undo", str(path), "--force", "--json"])
    assert res.exit_code == 0 and json.loads(res.output)["undone"], res.output
    assert Path(json.loads(res.output)["backup"]).read_bytes() == edited   # the edited version is kept


def test_undo_refuses_an_open_workbook(tmp_path: Path) -> None:
    path = make_book(tmp_path / "book.xlsx")
    _write(path, "一")
    (tmp_path / "~$book.xlsx").write_text("x")
    with pytest.raises(WorkbookInUse):
        undo(path)


def test_undo_through_a_symbolic_link_writes_the_target_and_keeps_the_link(tmp_path: Path) -> None:
    """A write through a link patches the file it points at (its backup and journal beside it);
    undo through the same link finds that journal and puts the target back, the link staying a link."""
    (tmp_path / "shared").mkdir()
    real = make_book(tmp_path / "shared" / "team.xlsx")
    original = real.read_bytes()
    (tmp_path / "desk").mkdir()
    link = tmp_path / "desk" / "link.xlsx"
    link.symlink_to(Path("..") / "shared" / "team.xlsx")
    _write(link, "经由链接")
    report = undo(link, now=NOW + dt.timedelta(minutes=5))
    assert link.is_symlink() and os.readlink(link) == str(Path("..") / "shared" / "team.xlsx")
    assert real.read_bytes() == original
    assert report.backup.parent == tmp_path / "shared" / ".wbt-backups"
    assert sorted(p.name for p in (tmp_path / "desk").iterdir()) == ["link.xlsx"]   # nothing beside the link


def test_writes_of_one_run_are_undone_together_and_their_first_backup_is_kept(tmp_path: Path) -> None:
    """A run that writes twice (a month end that must create the ID column writes the IDs first) is
    one run: undo puts back the version from before its first write, diff --last compares with it,
    and pruning during the run keeps that backup even with a backup count of 1."""
    path = make_book(tmp_path / "book.xlsx")
    original = path.read_bytes()
    _write(path, "before the run")                       # an earlier, separate run
    before_run = path.read_bytes()
    with journal.one_run():
        for i, value in enumerate(("ids first", "then the rest")):
            cs = Changeset("month-end")
            cs.edit("数据", "A3", value)
            apply_changeset(path, cs, user="u", now=NOW + dt.timedelta(minutes=1 + i), backup_keep=1)
    group = journal.last_run(path)
    assert [e.action for e in group] == ["month-end", "month-end"] and group[0].run == group[1].run
    assert (tmp_path / ".wbt-backups" / group[0].backup).read_bytes() == before_run  # not pruned by the 2nd write
    result = CliRunner().invoke(cli, ["diff", "--last", str(path), "--json"])
    assert json.loads(result.output)["old"].endswith(group[0].backup)
    report = undo(path, now=NOW + dt.timedelta(minutes=5))
    assert report.writes == 2 and path.read_bytes() == before_run and path.read_bytes() != original


def test_a_month_end_that_creates_the_id_column_is_undone_whole(tmp_path: Path) -> None:
    """End to end: the customer sheet has no 客户编号 column, so the month end writes the IDs, reads the
    file again and writes the rest; `wbt undo` gives back the file from before the month end, byte for byte."""
    import openpyxl

    path = tmp_path / "team.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户基本信息"
    ws.append(["客户名称", "所属行业", "联系人", "联系方式", "初次接触时间", "年度合作金额(万元)"])
    ws.append(["杭州云启科技有限公司", "互联网", "张伟", "13800138000", dt.datetime(2024, 3, 5), 60])
    log = wb.create_sheet("沟通记录")
    log.append(["客户名称", "沟通时间", "沟通方式"])
    log.append(["杭州云启科技有限公司", dt.datetime(2024, 6, 1), "电话"])
    wb.save(path)
    original = path.read_bytes()
    run = CliRunner().invoke(cli, ["month-end", str(path), "--month", "2024-06", "--as-of", "2024-06-30", "--json"])
    assert run.exit_code in (0, 1), run.output
    assert len(journal.last_run(path)) == 2                 # the IDs first, then the rest
    done = CliRunner().invoke(cli, ["undo", str(path), "--json"])
    assert done.exit_code == 0, done.output
    assert json.loads(done.output)["writes"] == 2 and path.read_bytes() == original


@pytest.mark.parametrize("swap", [True, False], ids=["exchange", "plain-replace"])
def test_a_save_by_another_program_during_the_undo_is_kept_and_nothing_is_undone(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, swap: bool) -> None:
    """Another program saves the workbook after undo checked it (here: right after undo's backup
    of the current file, before the old version is put in place). Like every write, undo checks the
    file it replaces once more as it replaces it: the other program's save stays, nothing is undone
    and no temp file or backup of the refused undo is left."""
    import subprocess
    import sys

    from workbook_tools.errors import SourceChanged
    from workbook_tools.writer import safety, source

    path = make_book(tmp_path / "book.xlsx")
    _write(path, "一")
    backups_before = list_backups(path)
    saved: dict[str, bytes] = {}
    real_backup = safety.make_backup

    def backup_then_other_saves(*a, **k):  # noqa: ANN002, ANN003, ANN202
        out = real_backup(*a, **k)
        other = Path(__file__).with_name("other_program.py")
        subprocess.run([sys.executable, str(other), str(path), "change", "数据", "B3=别人改的"], check=True,
                       capture_output=True, timeout=60)
        saved["bytes"] = path.read_bytes()
        return out

    monkeypatch.setattr(safety, "make_backup", backup_then_other_saves)
    if not swap:
        monkeypatch.setattr(source, "_RENAMEAT2", None)
    with pytest.raises(SourceChanged) as info:
        undo(path, now=NOW + dt.timedelta(minutes=5))
    assert info.value.exit_code == 2
    assert path.read_bytes() == saved["bytes"]                    # the other program's save, untouched
    assert list_backups(path) == backups_before                   # the refused undo's backup is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == [".wbt-backups", "book.xlsx"]   # no temp file
    assert [e.action for e in journal.entries(path)] == ["t"]     # no undo recorded
