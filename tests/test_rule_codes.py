"""A rule's code is written once, in its ``@rule``: the registry hands the rule a context carrying it."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

from workbook_tools.ops.validate import RULES, all_rules
from workbook_tools.ops.validate.registry import Ctx
from workbook_tools.testing import make_model

RULE_DIR = Path(__file__).resolve().parents[1] / "workbook_tools" / "ops" / "validate"


def test_each_code_is_written_once_in_the_rule_modules() -> None:
    codes = {r.code for r in all_rules()}
    counts = dict.fromkeys(codes, 0)
    for module in {r.func.__module__.rsplit(".", 1)[-1] for r in all_rules()}:
        for node in ast.walk(ast.parse((RULE_DIR / f"{module}.py").read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and node.value in counts:
                counts[node.value] += 1
    assert {c: n for c, n in counts.items() if n != 1} == {}


def test_a_finding_carries_the_code_of_the_rule_that_made_it() -> None:
    model = make_model(customers=[{"name": "甲科技有限公司", "phone": "12345"}])
    ctx = Ctx(model=model, as_of=dt.date(2025, 1, 1))
    found = RULES["PHONE"].func(ctx.for_rule("PHONE"))
    assert [(f.code, f.row, f.column) for f in found] == [("PHONE", 2, "phone")]
    # the context handed to each rule shares the caches of the run
    assert ctx.for_rule("EMAIL").cache is ctx.cache
