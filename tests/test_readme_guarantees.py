"""The README's "never lose data" list names a test for each guarantee: every test it names exists."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def named_tests() -> list[tuple[str, str]]:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    section = text[text.index("## 不丢数据 / Never lose data"):]
    section = section[:section.index("\n## ", 3)]
    out = []
    for line in section.splitlines():
        if not line.startswith("- "):
            continue
        current = None
        for file, name in re.findall(r"`(tests/[\w/]+\.py)?::(\w+)`", line):
            current = file or current
            assert current, f"a test without its file: {line}"
            out.append((current, name))
    return out


def test_every_guarantee_names_a_test_that_exists() -> None:
    tests = named_tests()
    assert len(tests) >= 15
    for file, name in tests:
        source = (ROOT / file).read_text(encoding="utf-8")
        assert re.search(rf"^def {name}\(", source, re.M), f"{file}::{name} is named in README.md but missing"
