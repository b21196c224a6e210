"""One CLI contract (docs/cli.md): every command's ``--json`` envelope, the accepted date, month and
quarter forms, ``--lang`` before and after the command (help and click's own messages too), output
piped into ``head`` and into files at a narrow $COLUMNS."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import pytest
from click.testing import CliRunner

from workbook_tools.cli.main import cli
from workbook_tools.i18n import set_lang

AS_OF = "2026-10-31"


@pytest.fixture(autouse=True)
def _reset_lang():
    yield
    set_lang(None)


@pytest.fixture(scope="module")
def faulty(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from workbook_tools.sample import generate_sample

    path = tmp_path_factory.mktemp("contract") / "CRM.xlsx"
    generate_sample(path, customers=60, seed=3, defects=0.2)
    return path


@pytest.fixture
def book(faulty: Path, tmp_path: Path) -> Path:
    return Path(shutil.copy(faulty, tmp_path / "CRM.xlsx"))


def wbt(*args: str, lang: str = "zh") -> Any:
    return CliRunner().invoke(cli, ["--lang", lang, *args])


def _walk(group: click.Group, prefix: str = "") -> list[tuple[str, click.Command]]:
    out = []
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        out += _walk(cmd, path + " ") if isinstance(cmd, click.Group) else [(path, cmd)]
    return out


COMMANDS = [name for name, _ in _walk(cli)]


def check_envelope(res: Any, command: str, file: Path | str | None) -> dict[str, Any]:
    """The envelope: command, file, ok, exit_code, summary (an object with text) — same for all."""
    out = json.loads(res.stdout)
    assert isinstance(out, dict), out
    assert list(out)[:5] == ["command", "file", "ok", "exit_code", "summary"], list(out)
    assert out["command"] == command
    assert out["file"] == (str(file) if file is not None else None)
    assert out["exit_code"] == res.exit_code and out["ok"] is (res.exit_code == 0)
    assert isinstance(out["summary"], dict) and "text" in out["summary"]
    assert out["summary"]["text"] is None or isinstance(out["summary"]["text"], str)
    return out


def test_every_command_has_json_and_lang() -> None:
    assert len(COMMANDS) >= 17
    for name, cmd in _walk(cli):
        opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
        assert {"--json", "--lang"} <= opts, name


def test_the_envelope_of_the_workbook_commands(book: Path, tmp_path: Path) -> None:
    seen = set()

    def run(command: str, file: Path | str | None, *args: str, codes: tuple[int, ...] = (0,)) -> dict[str, Any]:
        res = wbt(*command.split(), *args, "--json")
        assert res.exit_code in codes, res.output
        seen.add(command)
        return check_envelope(res, command, file)

    out = run("inspect", book, str(book))
    assert out["sheets"] and out["summary"]["errors"] == out["counts"]["error"]
    assert run("inspect", book, str(book), "--suggest")["suggestions"] == []
    out = run("validate", book, str(book), "--as-of", AS_OF, codes=(1,))
    assert out["summary"]["errors"] == sum(f["severity"] == "error" for f in out["findings"]) > 0
    out = run("validate", book, str(book), "--annotate", "--dry-run", codes=(1,))
    assert out["dry_run"] and out["changes"]["marks"] and out["written"] is None
    out = run("ids", book, str(book), "--dry-run", codes=(0, 1))
    assert out["changes"]["edits"] and out["action"] == "ids"
    out = run("tiers", book, str(book), "--dry-run", "--as-of", AS_OF, codes=(0, 1))
    assert out["changes"]["edits"] and out["findings"] is not None
    out = run("review", book, str(book), "--month", "2026-10", "--as-of", AS_OF, "--dry-run")
    assert out["review"]["period"] == "2026-10" and out["reports"] == []
    out = run("month-end", book, str(book), "--month", "2026-10", "--as-of", AS_OF, "--dry-run", codes=(1,))
    assert out["errors"] == out["summary"]["errors"] > 0 and out["dry_run"] and out["steps"]
    source = tmp_path / "old.csv"
    source.write_text("客户名称,联系人,联系电话\n新客户甲,王五,13800138000\n", encoding="utf-8")
    out = run("import", book, str(book), str(source), "--dry-run", codes=(0, 1))
    assert out["source"] == str(source) and out["changes"]["edits"]
    out = run("export", book, str(book), "--mask", "-o", str(tmp_path / "masked.xlsx"))
    assert out["written"] == [str(tmp_path / "masked.xlsx")] and out["summary"]["files"] == 1
    out = run("export", book, str(book), "--by-owner", "-o", str(tmp_path / "owners"))
    assert len(out["written"]) == out["summary"]["files"] > 1
    before = book.read_bytes()
    assert wbt("tiers", str(book), "--as-of", AS_OF).exit_code in (0, 1)     # one write, one backup
    out = run("diff", book, "--last", str(book))
    assert out["cells"] == out["summary"]["cells"] > 0 and not out["same"]
    out = run("undo", book, str(book))
    assert out["undone"] is True and out["run"]["action"] and book.read_bytes() == before
    assert seen == {c for c in COMMANDS if c in ("inspect", "validate", "ids", "tiers", "review", "month-end",
                                                  "import", "export", "diff", "undo")}


def test_the_envelope_of_the_other_commands(tmp_path: Path) -> None:
    out = check_envelope(wbt("rules", "--json"), "rules", None)
    assert out["summary"]["rules"] == len(out["rules"]) > 40
    target = tmp_path / "t.xlsx"
    out = check_envelope(wbt("template", "-o", str(target), "--json"), "template", target)
    assert target.exists() and out["lang"] == "zh"
    sample = tmp_path / "s.xlsx"
    out = check_envelope(wbt("sample", "--customers", "5", "-o", str(sample), "--json"), "sample", sample)
    assert out["customers"] == 5 and sample.exists()
    addin = tmp_path / "a.xlam"
    out = check_envelope(wbt("excel", "build-addin", "-o", str(addin), "--json"), "excel build-addin", addin)
    assert out["bytes"] == addin.stat().st_size
    out = check_envelope(wbt("excel", "ribbon", "--json"), "excel ribbon", None)
    assert out["xml"].startswith("<")
    profile = {"--xlstart": tmp_path / "XLSTART", "--config": tmp_path / "xlwings.conf"}
    profile["--xlstart"].mkdir()
    args = [str(x) for kv in profile.items() for x in kv]
    out = check_envelope(wbt("excel", "install", *args, "--dry-run", "--json"), "excel install", None)
    assert out["dry_run"] and out["steps"] and not (profile["--xlstart"] / "CRM工具.xlam").exists()
    res = wbt("excel", "doctor", *args, "--json")
    out = check_envelope(res, "excel doctor", None)
    assert out["problems"] == out["summary"]["problems"] == sum(c["ok"] is False for c in out["checks"])


def test_a_folder_and_a_refusal_are_envelopes_too(faulty: Path, tmp_path: Path) -> None:
    folder = tmp_path / "team"
    folder.mkdir()
    shutil.copy(faulty, folder / "a.xlsx")
    out = check_envelope(wbt("validate", str(folder), "--json"), "validate", folder)
    assert out["summary"]["files"] == 1 and out["files"][0]["errors"] > 0
    missing = tmp_path / "没有.xlsx"
    res = wbt("ids", str(missing), "--json")
    out = check_envelope(res, "ids", missing)
    assert res.exit_code == 2 and not out["ok"] and out["error"]["written"] == []
    assert "没有.xlsx" in out["error"]["message"] and out["summary"]["text"] == out["error"]["message"]
    assert out["error"]["message"] in res.stderr      # the message goes to stderr as well


# ---- dates, months, quarters ------------------------------------------------------------------
@pytest.mark.parametrize("form", ["2026-10-31", "2026/10/31", "2026.10.31", "2026年10月31日", "2026-10-31 "])
def test_every_date_form_is_the_same_date(faulty: Path, form: str) -> None:
    res = wbt("validate", str(faulty), "--as-of", form, "--json", "--rules", "PHONE")
    assert json.loads(res.stdout)["as_of"] == "2026-10-31", res.output


@pytest.mark.parametrize("option, form, period", [("--month", "2026-10", "2026-10"), ("--month", "2026/10", "2026-10"),
                                                  ("--month", "2026年10月", "2026-10"),
                                                  ("--quarter", "2026-Q3", "2026-Q3"), ("--quarter", "2026Q3", "2026-Q3")])
def test_every_month_and_quarter_form(faulty: Path, option: str, form: str, period: str) -> None:
    res = wbt("review", str(faulty), option, form, "--as-of", AS_OF, "--dry-run", "--json")
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["stats"]["period"] == period


def test_month_end_takes_the_same_month_forms(faulty: Path) -> None:
    res = wbt("month-end", str(faulty), "--month", "2026年10月", "--as-of", "2026/10/31", "--dry-run", "--json")
    out = json.loads(res.stdout)
    assert out["month"] == "2026-10" and out["as_of"] == AS_OF


@pytest.mark.parametrize("as_of, month", [("2026-11-02", "2026-10"), ("2026-01-05", "2025-12"), ("2026-03-31", "2026-02")])
def test_month_end_without_a_month_closes_the_month_before_the_reference_date(faulty: Path, as_of: str,
                                                                              month: str) -> None:
    """As the Excel button's month picker (prefilled with last month). Before, the option was
    'required' but click handed the command None and it answered "月份“None”无法识别"."""
    res = wbt("month-end", str(faulty), "--as-of", as_of, "--dry-run", "--json")
    assert res.exit_code in (0, 1), res.output
    assert json.loads(res.stdout)["month"] == month


@pytest.mark.parametrize("args, zh, en", [
    (["validate", "x.xlsx", "--as-of", "2026-13-01"], "日期“2026-13-01”无法识别", "Date '2026-13-01' not understood"),
    (["validate", "x.xlsx", "--as-of", "31/10/2026"], "2026年10月31日", "2026.10.31"),
    (["review", "x.xlsx", "--month", "2026-13"], "月份“2026-13”无法识别", "Month '2026-13' not understood"),
    (["review", "x.xlsx", "--quarter", "2026-Q5"], "季度“2026-Q5”无法识别", "Quarter '2026-Q5' not understood"),
])
def test_a_bad_date_is_refused_in_the_users_language(args: list[str], zh: str, en: str) -> None:
    res = wbt(*args, lang="zh")
    assert res.exit_code == 2 and zh in res.output and "的值无效" in res.output and "Invalid value" not in res.output
    res = wbt(*args, lang="en")
    assert res.exit_code == 2 and en in res.output and "Invalid value for" in res.output


# ---- language ---------------------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["--lang", "en", "validate", "--help"], ["validate", "--help", "--lang", "en"],
                                  ["validate", "--lang", "en", "--help"], ["--lang", "en", "--help"],
                                  ["excel", "--lang", "en", "doctor", "--help"], ["excel", "doctor", "--help", "--lang", "en"]])
def test_help_follows_lang_before_or_after_the_command(argv: list[str]) -> None:
    res = CliRunner().invoke(cli, argv, env={"WBT_LANG": "zh"})
    assert res.exit_code == 0
    assert "Usage:" in res.output and "Show this message and exit." in res.output
    assert not any("\u4e00" <= ch <= "\u9fff" for ch in res.output.replace("年", "").replace("月", "")
                   .replace("日", "").replace("代码表", "")), res.output


def test_help_is_chinese_in_chinese_whatever_the_environment() -> None:
    res = CliRunner().invoke(cli, ["validate", "--lang", "zh", "--help"], env={"WBT_LANG": "en"})
    assert "用法:" in res.output and "显示此帮助并退出。" in res.output and "Usage:" not in res.output
    assert "月底前批量校验工作簿" in res.output


def test_lang_before_the_command_wins_over_lang_after_it() -> None:
    """Before the command it is the interface language, whatever follows (``wbt --lang zh template --lang en``:
    a Chinese interface, an English template)."""
    res = CliRunner().invoke(cli, ["--lang", "zh", "validate", "--lang", "en", "--help"])
    assert "用法:" in res.output and "Usage:" not in res.output


@pytest.mark.parametrize("argv, zh, en", [
    (["validate"], "缺少参数 'FILE'", "Missing argument 'FILE'"),
    (["valdate"], "没有命令 'valdate'", "No such command 'valdate'"),
    (["ids", "x.xlsx", "--nope"], "没有选项 '--nope'", "No such option '--nope'"),
    (["sample", "-o", "x.xlsx", "--customers", "0"], "不在范围", "is not in the range"),
])
def test_clicks_own_messages_follow_the_language(argv: list[str], zh: str, en: str) -> None:
    res = wbt(*argv, lang="zh")
    assert res.exit_code == 2 and zh in res.output and "用法:" in res.output and "Usage:" not in res.output
    assert "错误：" in res.output and "Error:" not in res.output
    res = wbt(*argv, lang="en")
    assert res.exit_code == 2 and en in res.output, res.output
    assert "Usage:" in res.output and "Error:" in res.output


def test_every_translated_click_message_is_still_clicks() -> None:
    """A click upgrade that rewords a message leaves it untranslated: this names it."""
    from workbook_tools.cli import click_zh

    source = "".join(Path(sys.modules[m].__file__).read_text(encoding="utf-8") for m in click_zh.MODULES)
    for msg in [*click_zh.ZH, *click_zh.ZH_PLURAL, *click_zh.ZH_MANY]:
        assert json.dumps(msg, ensure_ascii=False) in source or repr(msg) in source, msg


def test_clicks_messages_stay_english_outside_wbt() -> None:
    """Another click program in the same process keeps click's own words."""
    @click.command()
    @click.argument("x")
    def other(x: str) -> None:
        pass

    set_lang("zh")
    res = CliRunner().invoke(other, [])
    assert "Missing argument 'X'" in res.output and "Usage:" in res.output


def test_findings_use_one_severity_label(book: Path, tmp_path: Path) -> None:
    """[错误]/[警告]/[提示] in Chinese, [error]/[warning]/[info] in English, in every command."""
    source = tmp_path / "old.csv"
    source.write_text("客户名称,联系电话,年度合作金额（万元）\n新客户乙,12345,很多\n", encoding="utf-8")
    for lang, labels, other in (("zh", ("[错误]", "[警告]", "[提示]"), "[warning]"),
                                ("en", ("[error]", "[warning]", "[info]"), "[警告]")):
        outs = [wbt("import", str(book), str(source), "--dry-run", lang=lang).output,
                wbt("validate", str(book), "--limit", "0", lang=lang).output,
                wbt("tiers", str(book), "--dry-run", "--limit", "0", lang=lang).output]
        assert all(any(label in out for label in labels) for out in outs), outs
        assert not any(other in out for out in outs)


def test_limit_0_shows_every_finding_info_included(faulty: Path) -> None:
    total = json.loads(wbt("validate", str(faulty), "--json").stdout)
    findings = total["findings"]
    assert {f["severity"] for f in findings} == {"error", "warning", "info"}
    out = wbt("validate", str(faulty), "--limit", "0").output
    lines = [ln for ln in out.splitlines() if ln.startswith(("[错误]", "[警告]", "[提示]"))]
    assert len(lines) == len(findings)
    out = wbt("validate", str(faulty), "--limit", "5").output
    assert sum(ln.startswith(("[错误]", "[警告]", "[提示]")) for ln in out.splitlines()) == 5
    assert f"另有 {len(findings) - 5} 条未显示" in out


def test_english_counts_have_their_plural(book: Path) -> None:
    from workbook_tools.changeset import CellMark, CellNote, Changeset
    from workbook_tools.i18n import plural
    from workbook_tools.ops.validate import _summary

    assert (plural(1, "error"), plural(0, "error"), plural(2, "entry", "entries")) == ("1 error", "0 errors", "2 entries")
    one = Changeset("t", marks=[CellMark("S", "A1")], notes=[CellNote("S", "A1", "n")]).render("en")
    assert "Mark 1 cell\n" in one + "\n" and "Add 1 note" in one
    assert _summary({"errors": 1, "warnings": 1, "infos": 2, "total": 4}).en == "Found 1 error, 1 warning and 2 notes"
    out = wbt("month-end", str(book), "--month", "2026-10", "--as-of", AS_OF, lang="en").output
    assert "One write: " in out and " 1 sheet;" in out and "1 sheets" not in out


def test_export_roles_are_the_operations_roles() -> None:
    from workbook_tools.cli.cmd_export import export_cmd
    from workbook_tools.ops.export import ROLES

    role = next(p for p in export_cmd.params if p.name == "role")
    assert tuple(role.type.choices) == ROLES


# ---- output that is not a terminal ---------------------------------------------------------------
def _env(**kw: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "WBT_LANG")}
    return {**env, "WBT_LANG": "zh", **kw}


def test_piping_into_head_ends_quietly(tmp_path: Path) -> None:
    """``wbt validate … | head -1``: the reader goes away after one line; wbt stops at once, prints
    nothing more (no 内部错误（BrokenPipeError）, no traceback) and exits 141 as SIGPIPE would.
    The outputs are larger than a pipe holds (64 KiB), so wbt is still writing when the pipe closes."""
    from workbook_tools.sample import generate_sample

    big = tmp_path / "big.xlsx"
    generate_sample(big, customers=250, seed=4, defects=0.3)
    for args in (["validate", str(big), "--limit", "0"], ["--lang", "en", "validate", str(big), "--limit", "0"]):
        proc = subprocess.Popen([sys.executable, "-m", "workbook_tools", *args], stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, env=_env())
        assert proc.stdout is not None and proc.stderr is not None
        first = proc.stdout.readline()
        proc.stdout.close()                 # as head does after its line
        err = proc.stderr.read().decode("utf-8", "replace")
        code = proc.wait(timeout=120)
        assert first.strip()
        assert code == 141, (args, code, err)
        assert "BrokenPipe" not in err and "内部错误" not in err and "Traceback" not in err, err


def test_piped_output_never_wraps_paths_or_findings(faulty: Path, tmp_path: Path) -> None:
    deep = tmp_path / ("很长的文件夹名称_" * 6) / "another_quite_long_folder_name_for_the_team"
    deep.mkdir(parents=True)
    path = Path(shutil.copy(faulty, deep / "客户关系管理工作簿_二〇二六年十月.xlsx"))
    env = _env(COLUMNS="40")
    res = subprocess.run([sys.executable, "-m", "workbook_tools", "validate", str(path), "--annotate",
                          "--limit", "0"], capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 1, res.stderr
    assert f"已写入 {path}（备份：" in res.stdout
    findings = json.loads(subprocess.run([sys.executable, "-m", "workbook_tools", "validate", str(path), "--json"],
                                         capture_output=True, text=True, env=env, timeout=120).stdout)["findings"]
    lines = res.stdout.splitlines()
    for f in findings:
        assert any(f["message"] in ln and f"{f['sheet']}!{f['cell']}" in ln for ln in lines), f
    res = subprocess.run([sys.executable, "-m", "workbook_tools", "inspect", str(path)], capture_output=True,
                         text=True, env=env, timeout=120)
    assert res.returncode == 0 and str(path) in res.stdout


@pytest.mark.parametrize("name, renamed", [("客户.csv", False), ("客户.xlsx", True)])
def test_a_text_file_is_told_what_to_do_with_it(tmp_path: Path, name: str, renamed: bool) -> None:
    """A CSV named .csv is pointed to `wbt import`; only one disguised as .xlsx is told to rename it."""
    path = tmp_path / name
    path.write_text("公司名称,联系人\n甲公司,张三\n", encoding="utf-8")
    res = wbt("validate", str(path))
    assert res.exit_code == 2 and "wbt import" in res.output and "CSV/文本文件" in res.output
    assert ("改名为 客户.csv" in res.output) is renamed


def test_the_two_overdue_counts_of_a_month_end_say_their_dates(faulty: Path) -> None:
    """The tiers step counts overdue customers on the run date, the review at the month's end: run
    on 2026-11-02 for October, each count names its own date so the two numbers don't contradict."""
    res = wbt("month-end", str(faulty), "--month", "2026-10", "--as-of", "2026-11-02", "--dry-run")
    tiers_line = next(x for x in res.stdout.splitlines() if "计算等级与跟进" in x)
    review_line = next(x for x in res.stdout.splitlines() if "本月" in x)
    assert "（截至 2026-11-02）" in tiers_line and "（截至 2026-10-31）" in review_line
    res = wbt("month-end", str(faulty), "--month", "2026-10", "--as-of", "2026-11-02", "--dry-run", lang="en")
    assert " (as of 2026-11-02)" in res.stdout and " (at 2026-10-31)" in res.stdout


def test_the_month_end_summary_names_what_a_missing_figure_needs(tmp_path: Path) -> None:
    """A workbook without 投诉登记 and without 初次接触时间 (seed 003's own template): the summary says
    which sheet or column each missing figure needs, in the user's language, instead of a bare 0."""
    import openpyxl

    path = tmp_path / "seed003.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "客户基本信息表"
    ws.append(["序号", "客户名称", "所属行业", "合作阶段", "联系人", "职务", "联系方式", "负责人"])
    ws.append([1, "科技有限公司", "制造业", "续约期", "王经理", "采购总监", "13800138000", "李娜"])
    log = wb.create_sheet("客户沟通记录表")
    log.append(["沟通时间", "客户名称", "沟通方式", "沟通内容"])
    log.append([dt.datetime(2026, 10, 8), "科技有限公司", "电话", "续约沟通"])
    wb.save(path)
    zh = next(x for x in wbt("month-end", str(path), "--month", "2026-10", "--dry-run").stdout.splitlines() if "本月" in x)
    assert "新增 （未找到客户基本信息.初次接触时间）" in zh and "未结投诉 （未找到工作表“投诉登记”）" in zh
    en = wbt("month-end", str(path), "--month", "2026-10", "--dry-run", lang="en").stdout
    assert "new (Customers.First contact not found)" in en and "open complaints (sheet 'Complaints' not found)" in en
