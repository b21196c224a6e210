"""``wbt excel install`` / ``wbt excel doctor`` on folders standing in for a Windows profile: the
add-ins land in XLSTART, the interpreter in xlwings' user file (other settings kept), and doctor
names what Excel would use and what is wrong."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.excel import install
from workbook_tools.excel.addin.build import addin_bytes


def _wbt(*args: str) -> tuple[int, str]:
    res = CliRunner().invoke(cli, ["--lang", "en", "excel", *args])
    return res.exit_code, res.output


@pytest.fixture()
def profile(tmp_path: Path) -> dict[str, Path]:
    return {"xlstart": tmp_path / "AppData" / "Microsoft" / "Excel" / "XLSTART",
            "config": tmp_path / "me" / ".xlwings" / "xlwings.conf"}


def _args(p: dict[str, Path]) -> list[str]:
    return ["--xlstart", str(p["xlstart"]), "--config", str(p["config"])]


def test_install_writes_both_addins_and_the_interpreter_keeping_other_settings(profile: dict[str, Path]) -> None:
    conf = profile["config"]
    conf.parent.mkdir(parents=True)
    old = '"INTERPRETER_WIN","C:\\Python39\\pythonw.exe"\r\n"CONDA PATH","C:\\conda"\r\n'
    conf.write_bytes(old.encode())
    code, out = _wbt("install", *_args(profile), "--interpreter", sys.executable)
    assert code == 0, out
    assert (profile["xlstart"] / "CRM工具.xlam").read_bytes() == addin_bytes()
    assert (profile["xlstart"] / "xlwings.xlam").read_bytes() == install.xlwings_addin_source().read_bytes()
    # the format VBA's Write # produces and Input # reads: "KEY","value" per line
    assert conf.read_bytes().decode() == f'"INTERPRETER_WIN","{sys.executable}"\r\n"CONDA PATH","C:\\conda"\r\n'
    assert conf.with_name("xlwings.conf.bak").read_bytes() == old.encode()
    assert "old file kept as" in out
    code, out = _wbt("install", *_args(profile), "--interpreter", sys.executable)
    assert code == 0 and "Already up to date" in out


def test_dry_run_writes_nothing_and_without_excel_the_folders_must_be_named(profile: dict[str, Path]) -> None:
    code, out = _wbt("install", *_args(profile), "--dry-run")
    assert code == 0 and out.count("would write") == 3
    assert not profile["xlstart"].exists() and not profile["config"].exists()
    if install.default_xlstart() is None:
        code, out = _wbt("install")
        assert code == 2 and "--xlstart" in out and "Traceback" not in out


def test_doctor_all_set_after_install(profile: dict[str, Path]) -> None:
    _wbt("install", *_args(profile), "--interpreter", sys.executable)
    code, out = _wbt("doctor", *_args(profile))
    assert code == 0 and "All set" in out and sys.executable in out
    code, out = _wbt("doctor", *_args(profile), "--json")
    data = json.loads(out)
    assert code == 0 and data["ok"] and data["command"] == "excel doctor" and data["problems"] == 0


def test_doctor_names_each_problem(profile: dict[str, Path], tmp_path: Path) -> None:
    _wbt("install", *_args(profile), "--interpreter", str(tmp_path / "gone" / "pythonw.exe"))
    (profile["xlstart"] / "CRM工具.xlam").write_bytes(b"an old build")
    (profile["xlstart"] / "xlwings.xlam").unlink()
    code, out = _wbt("doctor", *_args(profile))
    assert code == 1 and "3 problems found" in out
    assert "interpreter does not exist" in out and "not built by this version" in out and "No xlwings add-in" in out


def test_doctor_sees_an_interpreter_without_the_tools(profile: dict[str, Path], tmp_path: Path) -> None:
    bare = tmp_path / "bare"
    import venv

    venv.create(bare, with_pip=False)
    py = bare / "bin" / "python"
    _wbt("install", *_args(profile), "--interpreter", str(py))
    code, out = _wbt("doctor", *_args(profile))
    assert code == 1 and "cannot import workbook_tools" in out and "No module named" in out


def test_doctor_warns_about_a_workbook_that_sets_its_own_interpreter(profile: dict[str, Path], tmp_path: Path) -> None:
    import xlsxwriter

    _wbt("install", *_args(profile), "--interpreter", sys.executable)
    book = tmp_path / "team" / "客户.xlsx"
    book.parent.mkdir()
    wb = xlsxwriter.Workbook(book)
    wb.add_worksheet("客户基本信息")
    wb.add_worksheet("xlwings.conf").write_row(0, 0, ["INTERPRETER_WIN", "C:\\other\\python.exe"])
    wb.close()
    (book.parent / "xlwings.conf").write_text('"INTERPRETER_WIN","C:\\x\\python.exe"\r\n', encoding="utf-8")
    code, out = _wbt("doctor", *_args(profile), "--book", str(book))
    assert code == 1 and "has an xlwings.conf sheet" in out and "for this folder" in out


def test_a_file_replaced_in_xlstart_is_kept_outside_it_and_no_backup_replaces_a_file(profile: dict[str, Path]) -> None:
    """Excel opens every file in XLSTART at start: an old add-in kept there would load beside the new
    one. The old CRM工具.xlam goes to wbt-XLSTART-backups beside XLSTART; a second install keeps the
    first backup and writes another; nothing but the two add-ins is left in XLSTART."""
    xlstart = profile["xlstart"]
    xlstart.mkdir(parents=True)
    (xlstart / "CRM工具.xlam").write_bytes(b"an older add-in")
    code, out = _wbt("install", *_args(profile), "--interpreter", sys.executable)
    assert code == 0, out
    kept = xlstart.parent / "wbt-XLSTART-backups"
    assert (kept / "CRM工具.xlam.bak").read_bytes() == b"an older add-in"
    assert sorted(p.name for p in xlstart.iterdir()) == ["CRM工具.xlam", "xlwings.xlam"]
    (xlstart / "CRM工具.xlam").write_bytes(b"edited by someone")
    code, out = _wbt("install", *_args(profile), "--interpreter", sys.executable)
    assert code == 0, out
    assert (kept / "CRM工具.xlam.bak").read_bytes() == b"an older add-in"
    assert (kept / "CRM工具.xlam.bak2").read_bytes() == b"edited by someone"
    assert sorted(p.name for p in xlstart.iterdir()) == ["CRM工具.xlam", "xlwings.xlam"]
    assert (xlstart / "CRM工具.xlam").read_bytes() == addin_bytes()
