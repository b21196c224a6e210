"""What the sample adds for the risk, high-potential and tier-review rules, on top of the generated rows: tier confirmation
dates, the customer's contact named in the log, purchases (a few customers buying more and more),
and customers in 续约期 with their renewal intent written down or not.

It draws from its own ``random.Random`` (seeded from the sample's seed), so the rest of a sample
stays exactly what it was.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from ..ops.terms import term_end
from . import pools as P

PURCHASES = ("客户下单", "追加订单", "复购耗材", "增购两个模块", "补货", "再次采购配件")
RENEWAL_UNCLEAR = ("续约意向待确认", "客户对续约持观望态度", "续约事宜待定")
RENEWAL_CONFIRMED = ("客户已确认续约", "续约意向明确，准备合同")


def _quarter_start(d: date) -> date:
    return date(d.year, 3 * ((d.month - 1) // 3) + 1, 1)


def add_rule_signals(data: dict[str, list[dict[str, Any]]], seed: int, end: date) -> None:
    """Add the signals in place (``end`` is the day after the last date of the sample)."""
    rng = random.Random(f"signals:{seed}")
    last = end - timedelta(days=1)
    customers, contacts = data["customers"], data["contacts"]
    by_customer: dict[int, list[dict[str, Any]]] = {}
    for r in contacts:
        by_customer.setdefault(r["_c"], []).append(r)
    q0 = _quarter_start(last)
    for ci, c in enumerate(customers):
        rows = by_customer.get(ci, [])
        if c.get("tier_confirmed"):
            lo = max(c["first_coop"], q0 - timedelta(days=180))
            on = q0 + timedelta(days=rng.randint(0, (last - q0).days)) if rng.random() < 0.6 else \
                lo + timedelta(days=rng.randint(0, max(0, (q0 - lo).days - 1)))
            c["tier_confirmed_on"] = min(on, last)
        for r in rows:
            if r.get("participants") and rng.random() < 0.8:
                r["customer_contact"] = c["contact"]
        active = c["stage"] == "合作中" and c["_stop"] == last
        if not active or not rows:
            continue
        if rng.random() < 0.01 and rows[-1]["contact_date"] >= last - timedelta(days=120):
            surname = rng.choice(P.SURNAMES)[0]
            r = rows[-1]
            r["customer_contact"] = surname + "".join(p[0] for p in rng.sample(P.GIVEN, 2))
            r["summary"] = "原联系人离职，新对接人接手"
        _purchases(rng, rows, last, growing=rng.random() < 0.04)
        _renewal(rng, c, rows, last)


def _purchases(rng: random.Random, rows: list[dict[str, Any]], last: date, *, growing: bool) -> None:
    """A purchase now and then; a growing customer buys more in the last three months than before."""
    recent = [r for r in rows if r["contact_date"] > last - timedelta(days=91) and not r.get("feedback")]
    before = [r for r in rows if last - timedelta(days=182) < r["contact_date"] <= last - timedelta(days=91)
              and not r.get("feedback")]
    if growing and recent and before:
        k = rng.randint(1, min(2, len(before)))
        for r in rng.sample(before, k):
            r["summary"] = rng.choice(PURCHASES)
        for r in rng.sample(recent, min(len(recent), k + rng.randint(1, 2))):
            r["summary"] = rng.choice(PURCHASES)
        return
    for r in rows[1:]:  # not the first contact
        if not r.get("feedback") and rng.random() < 0.05:
            r["summary"] = rng.choice(PURCHASES)


def _renewal(rng: random.Random, c: dict[str, Any], rows: list[dict[str, Any]], last: date) -> None:
    """A contract ending within two months: 续约期, with the intent written down (or not)."""
    ends = term_end(c["term"])
    if ends is None or not 0 <= (ends - last).days <= 60 or rng.random() < 0.4:
        return
    c["stage"] = "续约期"
    roll = rng.random()
    if roll < 0.35:
        c["remarks"] = f"{ends.year}年续约意向待确认"
    elif roll < 0.7:
        rows[-1]["summary"] = rng.choice(RENEWAL_CONFIRMED if rng.random() < 0.6 else RENEWAL_UNCLEAR)
