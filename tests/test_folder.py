"""Folders of workbooks: every file on its own process, a broken file gets its line, one summary."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.jobs.folder import list_workbooks, run_folder
from workbook_tools.template import build_workbook

AS_OF = dt.date(2026, 11, 2)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    d = tmp_path_factory.mktemp("folder")
    build_workbook(d / "a_clean.xlsx", data={"customers": [
        {"customer_id": "2024-IT-001", "name": "杭州云启科技有限公司", "contact": "郑晓峰", "phone": "13766554433",
         "industry": "IT服务"}]})
    build_workbook(d / "b_errors.xlsx", data={"customers": [
        {"name": "宁波海泰制造有限公司", "contact": "钱多多", "phone": "12345"},
        {"name": "宁波海泰制造有限公司", "contact": "钱多多", "phone": "12345"}]})
    (d / "c_broken.xlsx").write_bytes(b"this is not a zip file")
    (d / "~$a_clean.xlsx").write_bytes(b"lock")
    (d / "notes.txt").write_text("x", encoding="utf-8")
    return d


def test_list_workbooks(folder: Path) -> None:
    assert [p.name for p in list_workbooks(folder)] == ["a_clean.xlsx", "b_errors.xlsx", "c_broken.xlsx"]


def test_validate_folder_in_parallel(folder: Path) -> None:
    seen: list[str] = []
    rep = run_folder(folder, "validate", as_of=AS_OF, workers=2, progress=lambda i, n, name: seen.append(name))
    assert rep.workers == 2 and sorted(seen) == ["a_clean.xlsx", "b_errors.xlsx", "c_broken.xlsx"]
    by = {Path(f["file"]).name: f for f in rep.files}
    assert by["a_clean.xlsx"]["ok"] and by["a_clean.xlsx"]["errors"] == 0
    assert by["b_errors.xlsx"]["ok"] and by["b_errors.xlsx"]["errors"] >= 2
    assert not by["c_broken.xlsx"]["ok"] and by["c_broken.xlsx"]["message"]
    assert rep.top_rules() and rep.errors == by["b_errors.xlsx"]["errors"]
    # same figures as one process
    one = run_folder(folder, "validate", as_of=AS_OF, workers=1)
    assert [(f["ok"], f.get("errors")) for f in one.files] == [(f["ok"], f.get("errors")) for f in rep.files]


def test_cli_validate_dir(folder: Path) -> None:
    r = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", "2026-11-02", "--json"])
    assert r.exit_code == 2, r.output          # one file could not be read
    out = json.loads(r.output)
    assert out["totals"]["files"] == 3 and out["totals"]["broken"] == 1
    r = CliRunner().invoke(cli, ["validate", str(folder), "--as-of", "2026-11-02"])
    assert "c_broken.xlsx" in r.output and "b_errors.xlsx" in r.output


def test_cli_month_end_dir_dry_run(folder: Path, tmp_path: Path) -> None:
    d = tmp_path / "two"
    d.mkdir()
    for n in ("x.xlsx", "y.xlsx"):
        (d / n).write_bytes((folder / "a_clean.xlsx").read_bytes())
    before = {p.name: p.read_bytes() for p in d.iterdir()}
    r = CliRunner().invoke(cli, ["month-end", str(d), "--month", "2026-10", "--as-of", "2026-11-02", "--dry-run",
                                 "--json"])
    assert r.exit_code in (0, 1), r.output
    out = json.loads(r.output)
    assert out["totals"]["files"] == 2 and out["totals"]["broken"] == 0
    assert {p.name: p.read_bytes() for p in d.iterdir()} == before


def test_empty_folder(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["validate", str(tmp_path)])
    assert r.exit_code == 2


@pytest.mark.parametrize("how", ["abort", "segv", "kill"])
@pytest.mark.parametrize("workers", [1, 2])
def test_a_worker_that_dies_hard_fails_only_its_own_file(folder: Path, monkeypatch: pytest.MonkeyPatch,
                                                         how: str, workers: int) -> None:
    """A real crash (os.abort / SIGSEGV / SIGKILL as the OOM killer sends) of the worker of one
    file: that file gets an error line naming the signal, the others are processed, one summary."""
    monkeypatch.setenv("WBT_TEST_CRASH", f"a_clean.xlsx:{how}")
    rep = run_folder(folder, "validate", as_of=AS_OF, workers=workers)
    by = {Path(f["file"]).name: f for f in rep.files}
    assert list(by) == ["a_clean.xlsx", "b_errors.xlsx", "c_broken.xlsx"]
    signame = {"abort": "SIGABRT", "segv": "SIGSEGV", "kill": "SIGKILL"}[how]
    assert not by["a_clean.xlsx"]["ok"] and signame in by["a_clean.xlsx"]["message"]
    assert by["b_errors.xlsx"]["ok"] and by["b_errors.xlsx"]["errors"] >= 2
    assert not by["c_broken.xlsx"]["ok"] and "SIG" not in by["c_broken.xlsx"]["message"]
    assert len(rep.broken) == 2


def test_cli_reports_the_crash_and_the_rest(folder: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WBT_TEST_CRASH", "b_errors.xlsx")
    r = CliRunner().invoke(cli, ["--lang", "en", "validate", str(folder), "--as-of", "2026-11-02"])
    assert r.exit_code == 2, r.output
    assert "b_errors.xlsx: failed — the process handling this file died (SIGABRT" in r.output
    assert "a_clean.xlsx: 0 errors" in r.output and "c_broken.xlsx: failed" in r.output
