"""The `wbt` entry point: language selection and error handling."""

from __future__ import annotations

import subprocess
import sys

from workbook_tools.cli.params import lang_argv


def test_lang_is_read_from_a_commands_own_arguments() -> None:
    assert lang_argv(["--lang", "en", "inspect", "x.xlsx"]) == "en"
    assert lang_argv(["x.xlsx", "--lang=en"]) == "en"
    assert lang_argv(["x.xlsx", "--", "--lang", "en"]) is None     # after -- it is a file name
    assert lang_argv(["--lang", "fr"]) is None and lang_argv([]) is None


def run(*args: str, env_lang: str = "zh") -> subprocess.CompletedProcess[str]:
    import os
    env = dict(os.environ, WBT_LANG=env_lang)
    return subprocess.run([sys.executable, "-m", "workbook_tools", *args], capture_output=True, text=True,
                          env=env, timeout=120)


def test_missing_file_is_a_clear_message_in_each_language(tmp_path) -> None:
    missing = tmp_path / "没有这个文件.xlsx"
    zh = run("inspect", str(missing))
    en = run("--lang", "en", "inspect", str(missing))
    assert zh.returncode == en.returncode == 2
    assert "Traceback" not in zh.stderr + en.stderr
    assert "没有这个文件.xlsx" in zh.stderr + zh.stdout
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh.stderr.replace("没有这个文件", ""))
    assert "not" in (en.stderr + en.stdout).lower() or "no " in (en.stderr + en.stdout).lower()
