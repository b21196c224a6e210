"""A click acts on the workbook it came from: the add-in names the book (hex FullName) and the
Excel window (hwnd); two open books or two Excel instances never get mixed. The status bar shows
the step and is given back; a refusal shows the same text as the CLI."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from workbook_tools.excel import caller, live
from workbook_tools.testing.xlwings_fake import FakeApp, FakeApps, FakeBook, book_from_file
from workbook_tools.writer.changelog import LOG_SHEET

AS_OF = dt.date(2026, 11, 5)


def _hex(text: str) -> str:
    """What the VBA's HexText sends: UTF-16 code units, four hex digits each (written independently)."""
    return "".join(f"{ord(ch):04X}" if ord(ch) < 0x10000 else
                   "".join(f"{0xD800 + ((ord(ch) - 0x10000) >> 10):04X}{0xDC00 + ((ord(ch) - 0x10000) & 0x3FF):04X}")
                   for ch in text)


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbook_tools.sample import generate_sample

    path = tmp_path_factory.mktemp("caller") / "CRM.xlsx"
    generate_sample(path, customers=40, seed=5, defects=0.1)
    return path


def _two_excels(sample: Path, tmp_path: Path) -> tuple[FakeApps, dict[str, FakeBook]]:
    """Excel #1 (hwnd 11) holds 北区/客户.xlsx and 其他.xlsx; Excel #2 (hwnd 22) holds 南区/客户.xlsx:
    the same file name twice, in two instances, as a team with two regions would have it."""
    north, south = tmp_path / "北区 O'Neil 100%", tmp_path / "南区"
    for d in (north, south):
        d.mkdir()
        shutil.copy(sample, d / "客户.xlsx")
    shutil.copy(sample, tmp_path / "其他.xlsx")
    app1, app2 = FakeApp(hwnd=11, pid=1001), FakeApp(hwnd=22, pid=2002)
    books = {"north": book_from_file(north / "客户.xlsx", app1), "other": book_from_file(tmp_path / "其他.xlsx", app1),
             "south": book_from_file(south / "客户.xlsx", app2)}
    return FakeApps(app1, app2), books


def _changed(book: FakeBook) -> bool:
    return LOG_SHEET in book.sheets.wbt_names()


def test_hex_names_decode_like_the_vba_writes_them() -> None:
    for text in ["C:\\Users\\王\\Desktop\\客户 O'Brien 100% & co.xlsx", "https://x.sharepoint.com/s/团队/客户.xlsx",
                 "emoji 😀.xlsx", ""]:
        assert caller.decode_name(_hex(text)) == text
    with pytest.raises(Exception, match="cannot be read"):
        caller.decode_name("00'; import os")


@pytest.mark.parametrize("which", ["north", "south", "other"])
def test_the_clicked_book_is_changed_and_no_other(sample: Path, tmp_path: Path, which: str) -> None:
    apps, books = _two_excels(sample, tmp_path)
    target = books[which]
    out = live.run_clicked("ids", book=_hex(target.fullname), hwnd=target.app._hwnd, apps=apps, as_of=AS_OF,
                           lang="en", user="t")
    assert out is not None and out.ok and out.results[0].changeset
    assert [name for name, b in books.items() if _changed(b)] == [which]
    assert target.app.wbt_alerts[-1][0] == out.message


def test_another_window_of_the_same_excel_is_found_by_its_process(sample: Path, tmp_path: Path,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Excel 2013+ gives each workbook window its own handle; xlwings lists one per process."""
    apps, books = _two_excels(sample, tmp_path)
    monkeypatch.setattr(caller, "window_pid", lambda hwnd: {33: 2002}.get(hwnd))   # window 33 belongs to Excel #2
    out = live.run_clicked("ids", book=_hex(books["south"].fullname), hwnd=33, apps=apps, as_of=AS_OF, user="t")
    assert out is not None and out.ok
    assert [name for name, b in books.items() if _changed(b)] == ["south"]


def test_without_a_window_handle_the_full_name_tells_same_named_books_apart(sample: Path, tmp_path: Path) -> None:
    apps, books = _two_excels(sample, tmp_path)   # on a Mac the add-in sends hwnd 0
    out = live.run_clicked("ids", book=_hex(books["south"].fullname), hwnd=0, apps=apps, as_of=AS_OF, user="t")
    assert out is not None and out.ok
    assert [name for name, b in books.items() if _changed(b)] == ["south"]


def test_a_book_that_is_not_open_is_refused_in_the_excel_clicked(sample: Path, tmp_path: Path) -> None:
    apps, books = _two_excels(sample, tmp_path)
    gone = str(tmp_path / "已关闭.xlsx")
    out = live.run_clicked("ids", book=_hex(gone), hwnd=22, apps=apps, as_of=AS_OF, lang="en")
    assert out is None and not any(_changed(b) for b in books.values())
    message = books["south"].app.wbt_alerts[-1][0]
    assert message.startswith("Error: ") and gone in message
    assert not books["north"].app.wbt_alerts
    # a handle no Excel has: nowhere to show a dialog, so the message goes to xlwings (stderr)
    with pytest.raises(SystemExit, match="cannot be found"):
        live.run_clicked("ids", book=_hex(books["north"].fullname), hwnd=99, apps=apps, lang="en")


def test_status_bar_shows_each_step_and_is_given_back(sample: Path) -> None:
    book = book_from_file(sample)
    book.app.status_bar = "用户自己的状态"
    book.app.wbt_status_log.clear()
    out = live.run("month_end", book=book, as_of=AS_OF, month="2026-10", lang="zh", user="t")
    assert out.ok
    log = book.app.wbt_status_log
    assert log[-1] == "用户自己的状态"
    shown = [s for s in log[:-1] if isinstance(s, str)]
    assert shown == ["CRM 工具: 读取工作簿…", "CRM 工具: 校验…", "CRM 工具: 补客户编号…",
                     "CRM 工具: 计算等级与跟进…", "CRM 工具: 记录等级历史…", "CRM 工具: 生成月度复盘…",
                     "CRM 工具: 写入工作簿…",
                     "CRM 工具: 写出 HTML 报告…"]


def test_status_bar_is_given_back_after_a_refusal(sample: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from workbook_tools import actions
    from workbook_tools.errors import WbtError
    from workbook_tools.i18n import L

    def refuse(model: object, **kw: object) -> None:
        raise WbtError(L("不行", "No"))

    monkeypatch.setattr(actions, "resolve", lambda act: refuse)
    book = book_from_file(sample)
    out = live.run("tiers", book=book, as_of=AS_OF, lang="en")
    assert not out.ok and out.message == "Error: No"
    assert book.app.wbt_status_log[-1] is False and book.app.screen_updating


def test_a_refusal_shows_exactly_what_the_cli_prints(sample: Path, tmp_path: Path) -> None:
    """A review month after the as-of date (typed into the add-in's month box): the CLI and the
    button refuse with the same words."""
    path = tmp_path / "月份.xlsx"
    shutil.copy(sample, path)
    for lang in ("en", "zh"):
        res = subprocess.run([sys.executable, "-m", "workbook_tools", "--lang", lang, "review", str(path),
                              "--month", "2026-12", "--as-of", AS_OF.isoformat()],
                             capture_output=True, text=True, timeout=120)
        assert res.returncode == 2 and "2026-12" in res.stderr
        book = book_from_file(path)
        out = live.run("review", book=book, as_of=AS_OF, month="2026-12", lang=lang)
        assert not out.ok and out.message == res.stderr.strip()
        assert book.app.wbt_alerts[-1][0] == out.message
