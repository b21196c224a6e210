"""The actions registry: keys, targets, groups, lazy resolution, help texts."""

from __future__ import annotations

import importlib.util
import re
import subprocess
import sys

import pytest

from workbook_tools import actions
from workbook_tools.actions import ACTIONS, GROUPS, Action, actions_in, get, group_of, resolve

EXPECTED = {
    "validate": ("workbook_tools.ops.validate:run_validate", "validate", "校验"),
    "annotate": ("workbook_tools.ops.validate:run_annotate", "validate --annotate", "校验"),
    "ids": ("workbook_tools.ops.ids:run_ids", "ids", "编号与分层"),
    "tiers": ("workbook_tools.ops.tiers:run_tiers", "tiers", "编号与分层"),
    "review": ("workbook_tools.ops.review:run_review", "review", "月度复盘"),
    "month_end": ("workbook_tools.ops.month_end:plan_month_end", "month-end", "月度复盘"),
    "export_masked": ("workbook_tools.ops.export:run_export_masked", "export --mask", "导出"),
    "export_by_owner": ("workbook_tools.ops.export:run_export_by_owner", "export --by-owner", "导出"),
}
CJK = re.compile(r"[\u4e00-\u9fff]")


def test_keys_targets_cli_and_groups_are_the_agreed_ones() -> None:
    assert [a.key for a in ACTIONS] == list(EXPECTED)
    for a in ACTIONS:
        assert (a.target, a.cli, a.group) == EXPECTED[a.key]


def test_groups_in_ribbon_order_and_each_action_in_one() -> None:
    assert [g.zh for g in GROUPS] == ["校验", "编号与分层", "月度复盘", "导出"]
    assert all(g.en and g.en.isascii() for g in GROUPS)
    assert sum(len(actions_in(g)) for g in GROUPS) == len(ACTIONS)
    for a in ACTIONS:
        assert group_of(a).zh == a.group
    # Within a group, registry order is kept.
    assert [a.key for a in actions_in(GROUPS[3])] == ["export_masked", "export_by_owner"]


def test_labels_and_tips_are_bilingual_and_unique() -> None:
    for a in ACTIONS:
        assert CJK.search(a.zh) and CJK.search(a.screentip_zh), a.key
        assert a.en.isascii() and re.match(r"[A-Z][a-z]+\W", a.screentip_en), a.key
        assert re.fullmatch(r"[A-Z][A-Za-z0-9]+", a.image_mso), a.key
        assert a.label("en") == a.en and a.label("zh") == a.zh
        assert a.screentip("en") == a.screentip_en
    assert len({a.zh for a in ACTIONS}) == len(ACTIONS)
    assert len({a.en for a in ACTIONS}) == len(ACTIONS)


def test_action_is_frozen() -> None:
    with pytest.raises(AttributeError):
        ACTIONS[0].key = "x"  # type: ignore[misc]


def test_get_unknown_key_names_the_known_ones() -> None:
    assert get("ids") is ACTIONS[2]
    with pytest.raises(KeyError, match="validate"):
        get("nope")


def _fake(target: str) -> Action:
    return Action("fake", "假", "Fake", "假", "Fake", "HappyFace", "校验", target, "fake")


def test_resolve_imports_lazily_and_checks_the_target(monkeypatch: pytest.MonkeyPatch) -> None:
    import os.path

    assert resolve(_fake("os.path:join")) is os.path.join
    assert resolve(_fake("os:path.join")) is os.path.join   # dotted attribute path
    with pytest.raises(ValueError, match="module:function"):
        resolve(_fake("os.path.join"))
    with pytest.raises(TypeError, match="not callable"):
        resolve(_fake("os:sep"))
    with pytest.raises(AttributeError):
        resolve(_fake("os.path:no_such_function"))
    monkeypatch.setitem(actions._BY_KEY, "fake", _fake("json:dumps"))
    import json

    assert resolve("fake") is json.dumps


def test_importing_the_registry_does_not_import_the_operations() -> None:
    code = ("import sys, workbook_tools.actions, workbook_tools.excel, workbook_tools.excel.addin.ribbon; "
            "print(sorted(m for m in sys.modules if m.startswith(('workbook_tools.ops', 'xlwings'))))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.key)
def test_every_target_resolves_to_a_function(action: Action) -> None:
    module = action.target.split(":")[0]
    spec = importlib.util.find_spec(module)
    if spec is None or spec.origin is None:  # missing, or a package without __init__ yet
        pytest.skip(f"{module} is not written yet")
    fn = resolve(action)
    assert callable(fn)


@pytest.mark.parametrize("action", ACTIONS, ids=lambda a: a.key)
def test_cli_names_a_wbt_command_and_its_option(action: Action) -> None:
    from workbook_tools.cli.main import cli

    name, *options = action.cli.split()
    cmd = cli.commands.get(name)
    if cmd is None:
        pytest.skip(f"wbt {name} is not written yet")
    opts = {o for p in cmd.params for o in getattr(p, "opts", [])}
    for opt in options:
        assert opt in opts, f"wbt {name} has no option {opt}"


def test_describe_lists_every_action_in_both_languages() -> None:
    zh, en = actions.describe("zh"), actions.describe("en")
    for a in ACTIONS:
        assert f"wbt {a.cli}" in zh and a.zh in zh
        assert a.en in en and a.screentip_en in en
    assert zh.splitlines()[0] == "校验" and en.splitlines()[0] == "Validate"
