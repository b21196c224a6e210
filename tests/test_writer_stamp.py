"""A write proves that the file it patches is the file that was read.

Another program (tests/other_program.py, run as a separate process) changes a cell, inserts a row
or deletes a row at each step between the read and the write. The result is always exactly the
file the other program saved (the write is refused, exit 2) or, when nothing changed, the correct
after-state: never our edits spliced into rows that moved.
"""

from __future__ import annotations

import datetime as dt
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tools.changeset import Changeset
from workbook_tools.cli.main import cli
from workbook_tools.errors import SourceChanged
from workbook_tools.ops.tiers import run_tiers
from workbook_tools.reader import read_workbook
from workbook_tools.sample import generate_sample
from workbook_tools.stamp import SourceStamp
from workbook_tools.writer import apply, apply_changeset, apply_plan, safety, source

AS_OF = dt.date(2026, 10, 31)
SHEET = "客户基本信息"
OTHER = Path(__file__).with_name("other_program.py")
EDITS = {"change": "B5=别人改的名称", "insert": "3", "delete": "4"}


def other_program(path: Path, op: str, *, in_place: bool = False) -> bytes:
    """Run the other program on ``path``; return the bytes it saved."""
    args = [sys.executable, str(OTHER), str(path), op, SHEET, EDITS[op]] + (["--in-place"] if in_place else [])
    subprocess.run(args, check=True, capture_output=True, timeout=60)
    return path.read_bytes()


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("stamp") / "crm.xlsx"
    generate_sample(path, customers=24, seed=11)
    return path


@pytest.fixture
def book(sample: Path, tmp_path: Path) -> Path:
    path = tmp_path / "crm.xlsx"
    shutil.copyfile(sample, path)
    return path


def _leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "crm.xlsx"
                  and not (p.name == ".wbt-backups" and not any(p.iterdir())))


def test_tiers_after_rows_moved_is_refused_not_written_to_neighbours(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The original bug: a first run of ``tiers`` while a colleague inserted a customer row wrote
    each customer's tier into the row of its neighbour, exit 0."""
    from workbook_tools.jobs.place import FilePlace

    real = FilePlace.read
    saved = {}

    def read_then_other_saves(place: FilePlace):  # noqa: ANN202
        model = real(place)
        saved["bytes"] = other_program(place.file, "insert")
        return model

    monkeypatch.setattr(FilePlace, "read", read_then_other_saves)
    res = CliRunner().invoke(cli, ["--lang", "zh", "tiers", str(book), "--as-of", AS_OF.isoformat()])
    assert res.exit_code == 2, res.output
    assert SHEET in res.output and "重新运行" in res.output and "Traceback" not in res.output
    assert book.read_bytes() == saved["bytes"]              # exactly what the other program saved
    assert _leftovers(book.parent) == []
    monkeypatch.undo()
    # run again: every customer's tier is its own (the rows as they are now)
    res = CliRunner().invoke(cli, ["tiers", str(book), "--as-of", AS_OF.isoformat()])
    assert res.exit_code in (0, 1), res.output
    cust = read_workbook(book).sheet("customers")
    assert cust.df.at[3, "name"] == "插入的行" and cust.df.at[3, "tier"] is None
    for row in cust.df.index:
        amount = cust.df.at[row, "amount_annual"]
        want = None if amount != amount else "战略客户" if amount >= 50 else "重点客户" if amount >= 10 else "普通客户"
        assert cust.df.at[row, "tier"] == want, row


STEPS = ["after_read", "after_plan", "after_preflight", "after_temp", "after_backup", "before_replace",
         "before_plain_replace"]


@pytest.mark.parametrize("op", list(EDITS))
@pytest.mark.parametrize("step", STEPS)
def test_another_program_at_each_step_leaves_its_own_save(book: Path, monkeypatch: pytest.MonkeyPatch, step: str,
                                                          op: str) -> None:
    in_place = step in ("after_temp", "before_replace", "before_plain_replace") and op != "delete"  # same inode
    saved: dict[str, bytes] = {}

    def edit_now() -> None:
        if "bytes" not in saved:
            saved["bytes"] = other_program(book, op, in_place=in_place)

    def after(fn):  # noqa: ANN001, ANN202
        def wrapped(*a, **k):  # noqa: ANN002, ANN003, ANN202
            out = fn(*a, **k)
            edit_now()
            return out
        return wrapped

    def before(fn):  # noqa: ANN001, ANN202
        def wrapped(*a, **k):  # noqa: ANN002, ANN003, ANN202
            edit_now()
            return fn(*a, **k)
        return wrapped

    if step == "after_preflight":
        monkeypatch.setattr(apply, "preflight", after(apply.preflight))
    elif step == "after_temp":
        monkeypatch.setattr(safety, "write_temp", after(safety.write_temp))
    elif step == "after_backup":
        monkeypatch.setattr(safety, "make_backup", after(safety.make_backup))
    elif step.startswith("before"):  # swapped in, then checked (Linux), or checked, then replaced
        if step == "before_plain_replace":
            monkeypatch.setattr(source, "_RENAMEAT2", None)
        monkeypatch.setattr(source, "put_in_place", before(source.put_in_place))
    model = read_workbook(book)
    if step == "after_read":
        edit_now()
    result = run_tiers(model, as_of=AS_OF)
    if step == "after_plan":
        edit_now()
    assert result.changeset
    with pytest.raises(SourceChanged) as info:
        apply_plan(book, result.changeset, model)
    assert info.value.exit_code == 2 and SHEET in info.value.render("en")
    assert book.read_bytes() == saved["bytes"]
    assert _leftovers(book.parent) == []


def test_no_change_between_read_and_write_gives_the_after_state(book: Path) -> None:
    model = read_workbook(book)
    cs = run_tiers(model, as_of=AS_OF).changeset
    report = apply_plan(book, cs, model)
    assert report.written and report.cells_written > 0
    assert run_tiers(read_workbook(book), as_of=AS_OF).changeset.is_empty


def test_a_byte_identical_copy_is_the_same_file(book: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "crm.xlsx"
    copy.parent.mkdir()
    shutil.copyfile(book, copy)
    model = read_workbook(copy)
    report = apply_plan(book, run_tiers(model, as_of=AS_OF).changeset, model)
    assert report.written


def test_a_plan_made_on_another_file_is_refused(book: Path, tmp_path: Path) -> None:
    other = tmp_path / "other.xlsx"
    generate_sample(other, customers=24, seed=12)
    model = read_workbook(other)
    raw = book.read_bytes()
    with pytest.raises(SourceChanged) as info:
        apply_plan(book, run_tiers(model, as_of=AS_OF).changeset, model)
    assert "other.xlsx" in info.value.render("en") and "another file" in info.value.render("en")
    assert book.read_bytes() == raw


def test_a_changeset_without_a_stamp_keeps_the_cell_checks_only(book: Path) -> None:
    other_program(book, "change")
    cs = Changeset("by hand")
    cs.edit(SHEET, "C30", "手工")
    assert cs.source is None
    assert apply_changeset(book, cs).written


def test_a_file_rewritten_in_place_with_its_old_mtime_is_still_caught(book: Path) -> None:
    """Sync clients set the modification time back; the zip directory still tells."""
    model = read_workbook(book)
    cs = run_tiers(model, as_of=AS_OF).changeset
    st = book.stat()
    saved = other_program(book, "change", in_place=True)
    os.utime(book, ns=(st.st_atime_ns, st.st_mtime_ns))
    with pytest.raises(SourceChanged):
        apply_plan(book, cs, model)
    assert book.read_bytes() == saved


def test_stamp_lists_changed_added_and_removed_parts(book: Path) -> None:
    a = SourceStamp.of_file(book)
    b = SourceStamp(a.path, parts={**{k: v for k, v in a.parts.items() if k != "docProps/app.xml"},
                                   "xl/new.xml": (1, 2, 3), "xl/styles.xml": (0, 0, 0)})
    assert a.changed_parts(a) == []
    assert a.changed_parts(b) == ["xl/styles.xml", "xl/new.xml", "docProps/app.xml"]


def test_month_end_refuses_when_rows_moved_and_writes_no_report(book: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import workbook_tools.reader as reader
    from workbook_tools.jobs.reports import html_path

    real = reader.read_workbook
    saved = {}

    def read_then_other_saves(path, **kw):  # noqa: ANN001, ANN003, ANN202
        model = real(path, **kw)
        saved["bytes"] = other_program(Path(path), "delete")
        return model

    monkeypatch.setattr(reader, "read_workbook", read_then_other_saves)
    res = CliRunner().invoke(cli, ["--lang", "en", "month-end", str(book), "--month", "2026-10",
                                   "--as-of", AS_OF.isoformat()])
    assert res.exit_code == 2, res.output
    assert "changed by another program" in res.output and "The file was not changed" not in res.output
    assert book.read_bytes() == saved["bytes"]
    assert not html_path(book, "2026-10").exists()


def test_the_swap_is_atomic_and_checked_after(book: Path, tmp_path: Path) -> None:
    """On Linux the new file is exchanged with the old one (renameat2), so the file taken out is
    the one checked: nothing can slip in between the check and the replace."""
    assert source._RENAMEAT2 is not None or not sys.platform.startswith("linux")
    a, b = tmp_path / "a", tmp_path / "b"
    a.write_text("A")
    b.write_text("B")
    if source._exchange(a, b):
        assert (a.read_text(), b.read_text()) == ("B", "A")
