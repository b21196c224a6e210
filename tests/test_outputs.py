"""Output files never clobber: review --out/--html/--md, export -o, month-end --html (and its
default path) and excel build-addin -o replace only the tool's own unchanged earlier output of the
same kind and key, never the source workbook, its backups or lock files; atomic, umask modes."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tools import outputs
from workbook_tools.cli.main import cli
from workbook_tools.jobs.reports import html_path
from workbook_tools.template import build_workbook

MONTH = "2026-10"
AS_OF = "2026-11-02"
FOREIGN = b"PK\x03\x04 another team's only copy of their CRM workbook"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    p = tmp_path / "crm.xlsx"
    build_workbook(p, data={"customers": [{"customer_id": "2024-IT-001", "name": "杭州云启科技有限公司",
                                           "contact": "郑晓峰", "phone": "13766554433", "owner": "李娜"}]})
    return p


def wbt(*args: str | Path, lang: str = "en") -> tuple[int, str]:
    r = CliRunner().invoke(cli, ["--lang", lang, *map(str, args)])
    assert r.exception is None or isinstance(r.exception, SystemExit), r.exception
    assert "Traceback" not in r.output
    return r.exit_code, r.output


def review(book: Path, *args: str | Path, month: str = MONTH, lang: str = "en") -> tuple[int, str]:
    return wbt("review", book, "--month", month, "--as-of", AS_OF, *args, lang=lang)


def test_review_outputs_refuse_a_foreign_file_and_write_nothing(book: Path, tmp_path: Path) -> None:
    before = book.read_bytes()
    for flag, name in (("--out", "team.xlsx"), ("--html", "r.html"), ("--md", "r.md")):
        other = tmp_path / name
        other.write_bytes(FOREIGN)
        code, out = review(book, flag, other)
        assert code == 2 and "was not written there by this tool" in out and "--force" in out, out
        assert other.read_bytes() == FOREIGN
        code, out = review(book, flag, other, lang="zh")
        assert code == 2 and "不是本工具写在这里的" in out
    # nothing else was written: not the review sheet into the workbook, no new file
    assert book.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["crm.xlsx", "r.html", "r.md", "team.xlsx"]


def test_the_tools_own_report_is_replaced_only_while_unchanged_and_same_period(book: Path, tmp_path: Path) -> None:
    html, md = tmp_path / "rep" / "r.html", tmp_path / "rep" / "r.md"
    assert review(book, "--out", tmp_path / "rev.xlsx", "--html", html, "--md", md)[0] == 0
    first = html.read_bytes()
    manifest = json.loads((html.parent / outputs.MANIFEST).read_text(encoding="utf-8"))
    assert manifest["files"]["r.html"]["kind"] == "report-html"
    assert manifest["files"]["r.html"]["key"].startswith(MONTH + "|")
    # the same month again: the tool's own unchanged files are replaced
    assert review(book, "--out", tmp_path / "rev.xlsx", "--html", html, "--md", md)[0] == 0
    assert html.read_bytes() == first
    # another month into the same file: not the same period
    code, out = review(book, "--out", tmp_path / "rev.xlsx", month="2026-09")
    assert code == 2 and "another output of this tool" in out
    # edited by hand after the tool wrote it
    md.write_text(md.read_text(encoding="utf-8") + "\n我的批注\n", encoding="utf-8")
    code, out = review(book, "--md", md)
    assert code == 2 and "changed after this tool wrote it" in out
    assert md.read_text(encoding="utf-8").endswith("我的批注\n")
    # --force replaces it, and the manifest learns the new bytes
    assert review(book, "--md", md, "--force")[0] == 0
    assert "我的批注" not in md.read_text(encoding="utf-8")
    assert review(book, "--md", md)[0] == 0


@pytest.mark.parametrize("where", ["source", "symlink", "hardlink", "backup", "backup-dir", "lock", "libre-lock",
                                   "wbt-lock", "manifest"])
def test_never_the_source_its_backups_or_lock_files(book: Path, where: str) -> None:
    d = book.parent
    (d / ".wbt-backups").mkdir()
    backup = d / ".wbt-backups" / "crm.20261102-101010.xlsx"
    backup.write_bytes(b"backup")
    target = {"source": book, "symlink": d / "link.xlsx", "hardlink": d / "hard.xlsx", "backup": backup,
              "backup-dir": d / ".WBT-BACKUPS" / "new.xlsx", "lock": d / "~$crm.xlsx",
              "libre-lock": d / ".~lock.crm.xlsx#", "wbt-lock": d / ".crm.xlsx.wbt-lock",
              "manifest": d / outputs.MANIFEST}[where]
    if where == "symlink":
        target.symlink_to(book)
    if where == "hardlink":
        os.link(book, target)
    before = book.read_bytes()
    for args in (["--out", target], ["--html", target], ["--out", target, "--force"]):
        code, out = review(book, *args)
        assert code == 2, (where, out)
    code, out = wbt("export", book, "--mask", "-o", target, "--force")
    assert code == 2 and "Will not write" in out, out
    assert book.read_bytes() == before and backup.read_bytes() == b"backup"


def test_export_refuses_a_foreign_file_and_replaces_its_own(book: Path, tmp_path: Path) -> None:
    other = tmp_path / "team_crm.xlsx"
    other.write_bytes(FOREIGN)
    code, out = wbt("export", book, "--mask", "-o", other)
    assert code == 2 and other.read_bytes() == FOREIGN
    target = tmp_path / "masked.xlsx"
    assert wbt("export", book, "--mask", "-o", target)[0] == 0
    assert wbt("export", book, "--mask", "-o", target)[0] == 0          # its own copy: replaced
    code, out = wbt("export", book, "--mask", "--role", "marketing", "-o", target)
    assert code == 2 and "another output" in out                       # another variant is not the same export
    assert wbt("export", book, "--mask", "--role", "marketing", "-o", target, "--force")[0] == 0


def test_export_by_owner_writes_no_file_when_one_of_them_is_foreign(book: Path, tmp_path: Path) -> None:
    """The owner 李娜's file name in the folder is taken by a file the tool did not write: the export
    refuses (exit 2) before writing any owner's file, and that file keeps its bytes."""
    folder = tmp_path / "own"
    folder.mkdir()
    theirs = folder / "李娜.xlsx"
    theirs.write_bytes(FOREIGN)
    code, out = wbt("export", book, "--by-owner", "-o", folder)
    assert code == 2 and "--force" in out, out
    assert theirs.read_bytes() == FOREIGN
    assert sorted(p.name for p in folder.iterdir()) == ["李娜.xlsx"]


def test_month_end_checks_its_default_html_before_writing_anything(book: Path) -> None:
    report = html_path(book, MONTH)
    report.write_bytes(b"<html>a report someone wrote by hand</html>")
    before = book.read_bytes()
    code, out = wbt("month-end", book, "--month", MONTH, "--as-of", AS_OF)
    assert code == 2 and "was not written there by this tool" in out, out
    assert book.read_bytes() == before and not (book.parent / ".wbt-backups").exists()
    code, _ = wbt("month-end", book, "--month", MONTH, "--as-of", AS_OF, "--force")
    assert code in (0, 1) and b"by hand" not in report.read_bytes()
    code, _ = wbt("month-end", book, "--month", MONTH, "--as-of", AS_OF)  # its own report now
    assert code in (0, 1)


def test_build_addin_refuses_to_replace_a_foreign_file(tmp_path: Path) -> None:
    target = tmp_path / "CRM工具.xlam"
    target.write_bytes(FOREIGN)
    code, out = wbt("excel", "build-addin", "-o", target)
    assert code == 2 and target.read_bytes() == FOREIGN
    assert wbt("excel", "build-addin", "-o", target, "--force")[0] == 0
    built = target.read_bytes()
    assert built.startswith(b"PK") and built != FOREIGN
    assert wbt("excel", "build-addin", "-o", target)[0] == 0 and target.read_bytes() == built


def test_two_outputs_of_one_command_may_not_be_the_same_file(book: Path, tmp_path: Path) -> None:
    code, out = review(book, "--html", tmp_path / "x", "--md", tmp_path / "x")
    assert code == 2 and "same file" in out and not (tmp_path / "x").exists()


@pytest.mark.parametrize("umask_value, mode", [(0o022, 0o644), (0o027, 0o640), (0o077, 0o600)])
def test_created_files_get_the_umask_permissions(book: Path, tmp_path: Path, umask_value: int, mode: int) -> None:
    old = os.umask(umask_value)
    try:
        assert outputs.umask() == umask_value
        assert review(book, "--out", tmp_path / "r.xlsx", "--html", tmp_path / "r.html")[0] == 0
        assert wbt("export", book, "--mask", "-o", tmp_path / "m.xlsx")[0] == 0
        assert wbt("export", book, "--by-owner", "-o", tmp_path / "own")[0] == 0
    finally:
        os.umask(old)
    for p in (tmp_path / "r.xlsx", tmp_path / "r.html", tmp_path / "m.xlsx", tmp_path / "own" / "李娜.xlsx"):
        assert stat.S_IMODE(p.stat().st_mode) == mode, p


def test_a_failed_write_leaves_neither_file_nor_temp(tmp_path: Path) -> None:
    target = outputs.plan(tmp_path / "r.html", kind="report-html")

    def save(p: Path) -> None:
        p.write_bytes(b"half")
        raise OSError(28, "No space left on device")

    with pytest.raises(OSError):
        outputs.write_with(target, save)
    assert list(tmp_path.iterdir()) == []


def test_write_all_is_all_or_nothing(tmp_path: Path) -> None:
    a, b = tmp_path / "a.xlsx", tmp_path / "b.xlsx"
    outputs.write_all([(outputs.plan(a, kind="export", key="k"), lambda p: p.write_bytes(b"old a"))])
    targets = outputs.plan_all([(a, "export", "k"), (b, "export", "k")])
    calls = []

    def fail(p: Path) -> None:
        calls.append(p)
        raise RuntimeError("disk gone")

    with pytest.raises(RuntimeError):
        outputs.write_all([(targets[0], lambda p: p.write_bytes(b"new a")), (targets[1], fail)])
    assert a.read_bytes() == b"old a" and not b.exists() and calls
    assert sorted(p.name for p in tmp_path.iterdir()) == [outputs.MANIFEST, "a.xlsx"]


def test_other_kinds_of_path_are_refused(tmp_path: Path) -> None:
    fifo = tmp_path / "pipe.html"
    os.mkfifo(fifo)
    ro = tmp_path / "ro.html"
    ro.write_text("read-only", encoding="utf-8")
    ro.chmod(0o444)
    for path, why in ((fifo, "not a regular file"), (tmp_path, "folder"), (ro, "read-only")):
        with pytest.raises(outputs.OutputRefused) as err:
            outputs.plan(path, kind="report-html", force=True)
        assert why in err.value.message.en


def test_month_end_checks_the_quarters_report_too(book: Path) -> None:
    """A month that closes a quarter also writes the quarter's report beside the month's: a foreign
    file there stops the month end before anything is written."""
    quarter = html_path(book, "2026-Q3")
    quarter.write_bytes(b"<html>not ours</html>")
    before = book.read_bytes()
    code, out = wbt("month-end", book, "--month", "2026-09", "--as-of", "2026-10-02")
    assert code == 2 and quarter.name in out and book.read_bytes() == before
    assert not html_path(book, "2026-09").exists()
