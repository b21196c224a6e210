"""The documentation keeps up with the code (in the style of sqlite-utils' tests/test_docs.py):
every command and every option of ``wbt`` appears in the README or docs/, every rule code in
docs/rules.md, and every anchor of docs/domain.md a comment points to is a heading there."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import click
import pytest

from workbook_tools.cli.main import cli
from workbook_tools.ops.validate import all_rules

ROOT = Path(__file__).resolve().parents[1]
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TEXT = "\n".join(p.read_text(encoding="utf-8") for p in DOCS)


def _commands(group: click.Group, prefix: str = "") -> Iterator[tuple[str, click.Command]]:
    for name, cmd in sorted(group.commands.items()):
        path = f"{prefix}{name}"
        yield path, cmd
        if isinstance(cmd, click.Group):
            yield from _commands(cmd, path + " ")


COMMANDS = dict(_commands(cli))
# (command, the option's spellings): documented when one of them is (``-o`` for ``--output``)
OPTIONS = sorted({(path, tuple(p.opts + p.secondary_opts)) for path, cmd in COMMANDS.items() for p in cmd.params
                  if isinstance(p, click.Option) and "--help" not in p.opts})


@pytest.mark.parametrize("path", sorted(COMMANDS))
def test_every_command_is_documented(path: str) -> None:
    assert re.search(rf"wbt {re.escape(path)}\b", TEXT), f"`wbt {path}` appears in neither README.md nor docs/"


@pytest.mark.parametrize(("path", "spellings"), OPTIONS, ids=[f"{c}:{o[-1]}" for c, o in OPTIONS])
def test_every_option_is_documented(path: str, spellings: tuple[str, ...]) -> None:
    """The option appears in a page that shows the command."""
    pages = [p.read_text(encoding="utf-8") for p in DOCS]
    pages = [t for t in pages if re.search(rf"wbt {re.escape(path)}\b", t)]
    found = [o for o in spellings for t in pages if re.search(rf"(?<![\w-]){re.escape(o)}(?![\w-])", t)]
    assert found, f"`wbt {path} {'/'.join(spellings)}` is not documented beside the command (README.md or docs/)"


def test_the_group_options_are_documented() -> None:
    for p in cli.params:
        for opt in p.opts:
            if opt.startswith("--") and opt != "--help":
                assert opt in TEXT, f"`wbt {opt}` is not documented"


def test_every_rule_code_is_in_rules_md() -> None:
    rules_md = (ROOT / "docs" / "rules.md").read_text(encoding="utf-8")
    assert [r.code for r in all_rules() if f"`{r.code}`" not in rules_md] == []


def _anchor(heading: str) -> str:
    """GitHub's anchor of a Markdown heading: lower case, punctuation dropped, spaces → '-'."""
    return re.sub(r"\s", "-", re.sub(r"[^\w\s-]", "", heading.strip().lower()))


def test_comments_point_to_headings_that_exist() -> None:
    domain = (ROOT / "docs" / "domain.md").read_text(encoding="utf-8")
    anchors = {_anchor(m.group(1)) for m in re.finditer(r"^#+\s+(.+)$", domain, re.M)}
    pointed: dict[str, set[str]] = {}
    for path in [*(ROOT / "workbook_tools").rglob("*.py"), *(ROOT / "tests").rglob("*.py")]:
        for m in re.finditer(r"docs/domain\.md#([\w-]+)", path.read_text(encoding="utf-8")):
            pointed.setdefault(m.group(1), set()).add(path.name)
    assert pointed, "no comment points to docs/domain.md"
    assert {a: sorted(f) for a, f in pointed.items() if a not in anchors} == {}


def test_the_readme_counts_the_rules_right() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    said = [int(n) for n in re.findall(r"(\d+) 条规则", readme)]
    assert said and set(said) == {len(all_rules())}
