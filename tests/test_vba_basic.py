"""The add-in's VBA runs, not only parses: LibreOffice Basic (VBA support mode) executes the built
modules headless, with the four procedures that talk to Excel (CallerBook, Ask, Say, CallPython)
replaced by recorders, and each ribbon action is checked for what it would hand to Python.

The Python command each click records is then run here against ``workbook_tools.excel.run`` (with
the live run stubbed), so the VBA and the Python entry point are checked as one contract.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
from conftest import require_lo_basic

from workbook_tools.actions import ACTIONS
from workbook_tools.excel import caller, live
from workbook_tools.excel.addin import build, vbatext
from workbook_tools.ops.review.period import previous_month

ROOT = Path(__file__).resolve().parents[1]
BOOK_NAME = "客户 O'Brien 100% & co.xlam"  # quote, percent, ampersand, space, Chinese: all must survive
MB_EXCLAMATION, MB_CRITICAL = 48, 16
SEP, END = "\x1f", "\x1e"

# The seams, replaced as they are declared in macros/CRMTools.bas.
PATCH = {
    "CallerBook": "Private Function CallerBook() As Object\n"
                  "    If WbtRecorder.wbtHasBook Then Set CallerBook = ThisWorkbook Else Set CallerBook = Nothing\n"
                  "End Function",
    "Ask": "Private Function Ask(ByVal prompt As String, ByVal suggested As String) As String\n"
           "    Ask = WbtRecorder.RecordAsk(prompt, suggested)\nEnd Function",
    "Say": "Private Sub Say(ByVal text As String, ByVal icon As Long)\n"
           '    WbtRecorder.Record "SAY", CStr(icon), text\nEnd Sub',
    "CallPython": "Private Sub CallPython(ByVal command As String)\n"
                  '    WbtRecorder.Record "PY", "", command\n'
                  '    If WbtRecorder.wbtFailPython Then Err.Raise 1004, "xlwings", "Cannot run the macro RunPython"\n'
                  "End Sub",
}

# Arguments cross into Basic as strings (LibreOffice hands a Python int to a Long parameter as 0).
RECORDER = """Option VBASupport 1
Option Explicit
Public wbtHasBook As Boolean
Public wbtFailPython As Boolean
Public wbtAnswers As Variant
Public wbtNext As Long
Public wbtLog As String

Public Sub WbtReset(ByVal flags As String, ByVal answers As String)
    wbtHasBook = InStr(flags, "book") > 0
    wbtFailPython = InStr(flags, "fail") > 0
    If answers = "" Then wbtAnswers = Array() Else wbtAnswers = Split(answers, Chr(31))
    wbtNext = 0
    wbtLog = ""
End Sub

Public Sub Record(ByVal kind As String, ByVal extra As String, ByVal text As String)
    wbtLog = wbtLog & kind & Chr(31) & extra & Chr(31) & text & Chr(30)
End Sub

Public Function RecordAsk(ByVal prompt As String, ByVal suggested As String) As String
    Record "ASK", suggested, prompt
    If wbtNext <= UBound(wbtAnswers) Then RecordAsk = wbtAnswers(wbtNext)
    wbtNext = wbtNext + 1
End Function

Public Function WbtLogText() As String
    WbtLogText = wbtLog
End Function

Public Function TxtOf(ByVal id As String) As String
    TxtOf = CRMText.Txt(CLng(id))
End Function

Public Function LastMonthOf(ByVal y As String, ByVal m As String, ByVal d As String) As String
    LastMonthOf = CRMTools.LastMonth(DateSerial(CLng(y), CLng(m), CLng(d)))
End Function

Public Function BookFullName() As String
    BookFullName = ThisWorkbook.FullName
End Function
"""

NORMAL_MONTHS = {"2026-10": "2026-10", "2026/3": "2026-03", " 2026.12 ": "2026-12", "2026年1月": "2026-01",
                 "2026-13": "", "2026-0": "", "26-10": "", "2026-10-01": "", "abc": "", "": "", "2026-1x": ""}
LAST_MONTHS = {(2026, 1, 15): "2025-12", (2026, 3, 31): "2026-02", (2024, 3, 1): "2024-02"}
HEX_TEXTS = ["A1", "客'%&", "C:\\路径\\x.xlsx"]


def _scenarios() -> list[tuple[str, str, str, str]]:
    """(name, action key, recorder flags, answers separated by SEP)."""
    out = [(f"action:{a.key}", a.key, "book", "2026-10" if a.key in ("review", "month_end") else "")
           for a in ACTIONS]
    out += [("month re-asked", "review", "book", SEP.join(["2026/13", "下个月", "2026-9"])),
            ("month cancelled", "month_end", "book", ""),
            ("cancelled after a bad month", "review", "book", "x"),
            ("no workbook", "ids", "", ""),
            ("bad key", "ids'); import os; ('", "book", ""),
            ("xlwings missing", "tiers", "book,fail", "")]
    return out


@pytest.fixture(scope="module")
def basic(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """Build the add-in, run every scenario in one LibreOffice session, collect what was recorded."""
    py = require_lo_basic()
    folder = tmp_path_factory.mktemp("vba")
    xlam = build.build_addin(folder / BOOK_NAME)
    calls: list[list[Any]] = []
    index: dict[str, int] = {}

    def call(key: str, module: str, procedure: str, *args: str) -> None:
        index[key] = len(calls)
        calls.append([module, procedure, list(args)])

    call("fullname", "WbtRecorder", "BookFullName")
    calls.append(["WbtRecorder", "WbtReset", ["book", ""]])
    calls.append(["CRMTools", "CRM_OnAction", [{"properties": {"Tag": "tiers"}}]])  # the ribbon callback itself
    call("ribbon", "WbtRecorder", "WbtLogText")
    for name, key, flags, answers in _scenarios():
        calls.append(["WbtRecorder", "WbtReset", [flags, answers]])
        calls.append(["CRMTools", "RunAction", [key]])
        call(name, "WbtRecorder", "WbtLogText")
    for i, (key, _, _) in enumerate(vbatext.TEXTS, start=1):
        call(f"txt:{key}", "WbtRecorder", "TxtOf", str(i))
    for text in NORMAL_MONTHS:
        call(f"normal:{text}", "CRMTools", "NormalMonth", text)
    for ymd in LAST_MONTHS:
        call(f"last:{ymd}", "WbtRecorder", "LastMonthOf", *map(str, ymd))
    for text in HEX_TEXTS:
        call(f"hex:{text}", "CRMTools", "HexText", text)
    spec = {"patch": {"CRMTools": PATCH}, "add": {"WbtRecorder": RECORDER}, "calls": calls}
    spec_path = folder / "spec.json"
    spec_path.write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")
    res = subprocess.run([py, str(ROOT / "tests" / "lo_basic.py"), "run", str(xlam), str(spec_path), "90"],
                         capture_output=True, text=True, timeout=180)
    assert res.returncode == 0, res.stderr[-3000:]
    results = json.loads(res.stdout)["results"]
    errors = [(calls[i], r["error"]) for i, r in enumerate(results) if r["error"]]
    assert not errors, errors  # every call ran: the modules compile and run in Basic
    return {key: results[i]["value"] for key, i in index.items()}


def _log(text: str) -> list[tuple[str, str, str]]:
    return [tuple(entry.split(SEP)) for entry in text.split(END) if entry]  # type: ignore[misc]


def _run_command(command: str, monkeypatch: pytest.MonkeyPatch) -> dict[str, Any]:
    """Run the recorded Python statement against the real entry point (the live run stubbed)."""
    seen: dict[str, Any] = {}
    monkeypatch.setattr(live, "run_clicked", lambda key, **kw: seen.update(key=key, **kw))
    monkeypatch.setattr(live, "run", lambda key, **kw: seen.update(key=key, active=True, **kw))
    exec(compile(command, "<RunPython>", "exec"), {})  # noqa: S102 - the command the add-in would run
    return seen


@pytest.mark.soffice
@pytest.mark.parametrize("act", ACTIONS, ids=lambda a: a.key)
def test_each_button_hands_its_action_and_the_clicked_book_to_python(basic: dict[str, Any], act: Any,
                                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log(basic[f"action:{act.key}"])
    month = act.key in ("review", "month_end")
    expected_default = {previous_month(dt.date.today()), previous_month(dt.date.today() - dt.timedelta(1))}
    if month:
        assert [(k, d) for k, d, _ in log[:-1]] == [("ASK", d) for d in [log[0][1]]] and log[0][1] in expected_default
        assert log[0][2] == vbatext.text_of("MONTH_PROMPT")
    kinds = [k for k, _, _ in log]
    assert kinds == (["ASK", "PY"] if month else ["PY"])
    seen = _run_command(log[-1][2], monkeypatch)
    assert seen["key"] == act.key and seen["hwnd"] is None  # LibreOffice has no window handle: 0
    assert caller.decode_name(seen["book"]) == basic["fullname"] and BOOK_NAME in basic["fullname"]
    assert seen["month"] == ("2026-10" if month else None)


@pytest.mark.soffice
def test_the_ribbon_callback_passes_the_buttons_tag(basic: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    (kind, _, command), = _log(basic["ribbon"])
    assert kind == "PY" and _run_command(command, monkeypatch)["key"] == "tiers"


@pytest.mark.soffice
def test_a_bad_month_is_named_and_asked_again(basic: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    log = _log(basic["month re-asked"])
    assert [k for k, _, _ in log] == ["ASK", "ASK", "ASK", "PY"]
    prompt = vbatext.text_of("MONTH_PROMPT")
    bad = vbatext.text_of("MONTH_BAD")
    assert log[1] == ("ASK", "2026/13", bad.replace("{0}", "2026/13") + "\r\n\r\n" + prompt)
    assert log[2] == ("ASK", "下个月", bad.replace("{0}", "下个月") + "\r\n\r\n" + prompt)
    assert _run_command(log[-1][2], monkeypatch)["month"] == "2026-09"


@pytest.mark.soffice
@pytest.mark.parametrize("scenario", ["month cancelled", "cancelled after a bad month"])
def test_cancel_does_nothing(basic: dict[str, Any], scenario: str) -> None:
    assert [k for k, _, _ in _log(basic[scenario])] == (["ASK"] if scenario == "month cancelled" else ["ASK", "ASK"])


@pytest.mark.soffice
def test_no_workbook_bad_key_and_missing_xlwings_are_message_boxes(basic: dict[str, Any]) -> None:
    assert _log(basic["no workbook"]) == [("SAY", str(MB_EXCLAMATION), vbatext.text_of("NO_WORKBOOK"))]
    (kind, icon, text), = _log(basic["bad key"])
    assert (kind, icon) == ("SAY", str(MB_CRITICAL)) and "ids'); import os; ('" in text
    log = _log(basic["xlwings missing"])
    assert [k for k, _, _ in log] == ["PY", "SAY"] and log[1][1] == str(MB_CRITICAL)
    assert log[1][2].startswith(vbatext.text_of("NO_XLWINGS")) and "Cannot run the macro RunPython" in log[1][2]


@pytest.mark.soffice
def test_texts_built_from_chrw_codes_read_back_exactly(basic: dict[str, Any]) -> None:
    for key, _, _ in vbatext.TEXTS:
        assert basic[f"txt:{key}"] == vbatext.text_of(key), key


@pytest.mark.soffice
def test_month_parsing_last_month_and_hex(basic: dict[str, Any]) -> None:
    assert {t: basic[f"normal:{t}"] for t in NORMAL_MONTHS} == NORMAL_MONTHS
    assert {ymd: basic[f"last:{ymd}"] for ymd in LAST_MONTHS} == LAST_MONTHS
    for text in HEX_TEXTS:
        assert caller.decode_name(basic[f"hex:{text}"]) == text
