"""Realistic, reproducible sample CRM data: customers, contact log, complaints.

Everything is drawn from one ``random.Random(seed)`` and dated relative to ``end`` (never
today's date), so the same arguments give a byte-identical workbook.
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from ..model import Settings
from ..schema import SCHEMA
from ..workdays import next_workday
from . import pools as P
from .signals import add_rule_signals

DAY = timedelta(days=1)
SPAN_DAYS = 730  # two years of history ending at ``end``


def _weighted(rng: random.Random, pairs: Sequence[tuple[Any, int]]) -> Any:
    return rng.choices([p[0] for p in pairs], weights=[p[1] for p in pairs])[0]


@dataclass
class Names:
    """Unique company names (unique also after dropping the company-form suffix) and phones."""

    rng: random.Random
    used_names: dict[str, int]
    used_phones: dict[str, int]

    def company(self, industry: str) -> tuple[str, str, str, str, str]:
        """(full name, city, province, brand, mail domain)."""
        rng = self.rng
        for _ in range(1000):
            city, prov, cpy = rng.choice(P.CITIES)
            (a, apy), (b, bpy) = rng.choice(P.BRAND_A), rng.choice(P.BRAND_B)
            if a == b:
                continue
            biz, code = rng.choice(P.BUSINESS[industry])
            core = city + a + b + biz
            if core in self.used_names:
                continue
            self.used_names[core] = 1
            suffix = _weighted(rng, P.SUFFIXES)
            tld = rng.choice((".com", ".com", ".cn", ".com.cn"))
            return core + suffix, city, prov, a + b, f"{apy}{bpy}-{code}{tld}" if rng.random() < 0.5 else \
                f"{cpy}{apy}{bpy}{tld}"
        raise RuntimeError("company name pool exhausted")

    def person(self) -> tuple[str, str]:
        (s, spy) = self.rng.choice(P.SURNAMES)
        parts = self.rng.sample(P.GIVEN, self.rng.choice((1, 2, 2)))
        return s + "".join(p[0] for p in parts), spy + "".join(p[1] for p in parts)

    def mobile(self) -> str:
        while True:
            m = self.rng.choice(P.MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if m not in self.used_phones:
                self.used_phones[m] = 1
                return m


def _tier(amount: float | None, st: Settings) -> str | None:
    if amount is None:
        return None
    if amount >= float(st.values["tier_strategic_min"]):
        return "战略客户"
    if amount >= float(st.values["tier_key_min"]):
        return "重点客户"
    return "普通客户"


def _annual_amount(rng: random.Random) -> float:
    r = rng.random()
    if r < 0.04:
        v = rng.uniform(50, 300)
    elif r < 0.24:
        v = rng.uniform(10, 50)
    else:
        v = rng.uniform(0.5, 10)
    return round(v, 2)


def _customer(rng: random.Random, names: Names, end: date, owners: list[str], st: Settings) -> dict[str, Any]:
    last_day = end - DAY
    start = end - timedelta(days=SPAN_DAYS)
    industry = _weighted(rng, list(P.INDUSTRY_WEIGHTS.items()))
    full, city, prov, brand, domain = names.company(industry)
    contact, cpy = names.person()
    first_contact = start + timedelta(days=rng.randrange(SPAN_DAYS))
    age = (last_day - first_contact).days
    stage = "接洽中" if age < 45 else _weighted(rng, (("接洽中", 28), ("合作中", 52), ("暂停合作", 8), ("终止合作", 12)))
    c: dict[str, Any] = {
        "name": full, "industry": industry, "company_size": _weighted(rng, (("50人以下", 30), ("50-200人", 35),
                                                                            ("200-500人", 20), ("500人以上", 15))),
        "founded": rng.randint(1995, min(2022, first_contact.year - 1)), "region": prov + city if prov != city else city,
        "source": _weighted(rng, (("行业展会", 18), ("转介绍", 22), ("线上推广", 16), ("陌生拜访", 10), ("电话营销", 14),
                                  ("官网咨询", 15), ("其他", 5))),
        "contact": contact, "title": rng.choice(P.TITLES), "phone": names.mobile(),
        "email": f"{cpy}@{domain}" if rng.random() < 0.7 else f"{cpy}{rng.randint(1, 99)}@{domain}",
        "address": f"{city}市{rng.choice(P.DISTRICTS)}{rng.choice(P.ROADS)}{rng.randint(1, 399)}号",
        "first_contact": first_contact, "stage": stage, "products": rng.choice(P.PRODUCTS[industry]),
        "needs": rng.choice(P.NEEDS) if rng.random() < 0.8 else None, "owner": rng.choice(owners),
        "follow_grade": _weighted(rng, (("A", 25), ("B", 40), ("C", 35))),
        "_brand": brand, "_stop": last_day,
    }
    if stage != "接洽中":
        first_coop = first_contact + timedelta(days=rng.randint(10, min(180, age)))
        coop_age = (last_day - first_coop).days
        last_coop = first_coop + timedelta(days=rng.randint(0, coop_age))
        annual = _annual_amount(rng)
        years = max(1.0, (last_day - first_coop).days / 365) * rng.uniform(0.8, 1.3)
        months = rng.choice((12, 12, 24, 36))
        m0 = first_coop.year * 12 + first_coop.month - 1
        m1 = m0 + months - 1
        c.update(first_coop=first_coop, last_coop=last_coop, amount_annual=annual,
                 amount_total=round(max(annual, annual * years), 2),
                 term=f"{m0 // 12}.{m0 % 12 + 1:02d}-{m1 // 12}.{m1 % 12 + 1:02d}",
                 satisfaction=_weighted(rng, ((5, 25), (4, 40), (3, 22), (2, 9), (1, 4))))
        if stage == "合作中":
            c["customer_type"] = "新客户" if coop_age < 365 else "老客户"
        elif stage == "暂停合作":
            c["customer_type"] = "老客户"
        else:
            c["customer_type"] = "流失客户"
            c["_stop"] = min(last_day, last_coop + timedelta(days=rng.randint(0, 60)))
        if rng.random() < 0.4:
            c["tier_confirmed"] = _tier(annual, st)
    else:
        c["customer_type"] = "潜在客户" if rng.random() < 0.8 else "新客户"
        if age > 400 and rng.random() < 0.12:   # a stale lead: a "zombie" record
            c["_stop"] = first_contact + timedelta(days=rng.randint(20, 200))
    if rng.random() < 0.15:
        c["risks"] = rng.choice(P.RISKS)
    if rng.random() < 0.2:
        c["opportunities"] = rng.choice(P.OPPORTUNITIES)
    if rng.random() < 0.05:
        c["remarks"] = rng.choice(("老客户转介绍", "集团统一采购", "需开专票", "春节后再联系"))
    return c


def _assign_ids(customers: list[dict[str, Any]], st: Settings, rng: random.Random) -> None:
    """IDs YYYY-CODE-NNN in order of first contact; the newest ~5% stay empty (for ``wbt ids``)."""
    customers.sort(key=lambda c: (c["first_contact"], c["name"]))
    n_new = round(len(customers) * 0.05)
    seq: dict[tuple[int, str], int] = {}
    for i, c in enumerate(customers):
        if i >= len(customers) - n_new:
            c["customer_id"] = None
            continue
        key = (c["first_contact"].year, st.industry_codes[c["industry"]])
        seq[key] = seq.get(key, 0) + 1
        c["customer_id"] = f"{key[0]}-{key[1]}-{seq[key]:03d}"
    del rng


def cadence_days(c: dict[str, Any], st: Settings) -> int:
    """The stricter of the customer's grade and value-tier cadences (as the settings define them)."""
    days = int(st.values[f"cadence_grade_{str(c['follow_grade']).lower()}_days"])
    tier = _tier(c.get("amount_annual"), st)
    if tier is not None:
        key = {"战略客户": "strategic", "重点客户": "key", "普通客户": "ordinary"}[tier]
        days = min(days, int(st.values[f"cadence_{key}_days"]))
    return days


def _contacts(rng: random.Random, customers: list[dict[str, Any]], end: date, owners: list[str],
              st: Settings) -> list[dict]:
    last_day = end - DAY
    rows: list[dict[str, Any]] = []
    for ci, c in enumerate(customers):
        stop: date = c["_stop"]
        span = max(0, (stop - c["first_contact"]).days)
        k = max(1, min(rng.randint(6, 14), span // 5 + 1))
        days = sorted([0] + [rng.randint(1, span) for _ in range(k - 1)]) if span else [0] * k
        # most live customers were contacted within their cadence; the rest are overdue (business state)
        if stop == last_day and c["stage"] != "终止合作" and rng.random() < 0.8:
            cad = cadence_days(c, st)
            latest = span - rng.randint(0, max(0, cad - 2))
            if latest > days[-1]:
                days.append(latest)
        for j, off in enumerate(days):
            d = c["first_contact"] + timedelta(days=off)
            rows.append(_contact_row(rng, c, ci, d, j == 0, owners, stop, last_day))
            follow = rows[-1]
            if follow["feedback"]:
                nd = next_workday(d)
                if nd <= stop:
                    rows.append(_contact_row(rng, c, ci, nd, False, owners, stop, last_day, followup=True))
                else:
                    follow["feedback"] = None
    rows.sort(key=lambda r: (r["contact_date"], r["logged_at"], r["_c"]))
    return rows


def _contact_row(rng: random.Random, c: dict[str, Any], ci: int, d: date, first: bool, owners: list[str],
                 stop: date, last_day: date, followup: bool = False) -> dict[str, Any]:
    follower = c["owner"] if rng.random() < 0.85 else rng.choice(owners)
    cid = c.get("customer_id")
    by_name_only = cid is None or rng.random() < 0.08
    row: dict[str, Any] = {
        "customer_id": None if by_name_only else cid,
        "customer_name": c["name"] if (by_name_only or rng.random() < 0.85) else None,
        "contact_date": d,
        "logged_at": datetime(d.year, d.month, d.day, rng.randint(9, 22), rng.randrange(0, 60, 5)),
        "follower": follower,
        "participants": f"{follower}、{c['contact']}" if rng.random() < 0.4 else None,
        "method": _weighted(rng, (("电话", 35), ("拜访", 20), ("邮件", 12), ("线上会议", 13), ("会议", 5), ("微信", 15))),
        "summary": "跟进客户需求变化，确认调整方案" if followup else
        ("首次接触，介绍公司与产品" if first else rng.choice(P.SUMMARIES)),
        "feedback": rng.choice(P.FEEDBACK) if (not first and not followup and rng.random() < 0.12) else None,
        "contact_changed": ("是" if (not first and rng.random() < 0.015) else ("否" if rng.random() < 0.3 else None)),
        "_c": ci,
    }
    if rng.random() < 0.7:
        limit = min(last_day, stop + timedelta(days=30))
        due = min(limit, d + timedelta(days=rng.randint(2, 30)))
        if due >= d:
            row.update(next_action=rng.choice(P.NEXT_ACTIONS), action_owner=follower, due=due)
    return row


def _complaints(rng: random.Random, customers: list[dict[str, Any]], end: date, owners: list[str],
                st: Settings) -> list[dict[str, Any]]:
    last_moment = datetime(end.year, end.month, end.day) - timedelta(hours=1)
    sla = {"一般": st.values["response_hours_normal"], "紧急": st.values["response_hours_urgent"],
           "特急": st.values["response_hours_critical"]}
    reg_h = float(st.values["complaint_register_hours"])
    rows: list[dict[str, Any]] = []
    for ci, c in enumerate(customers):
        if c.get("first_coop") is None or rng.random() >= 0.075:
            continue
        lo = datetime(c["first_coop"].year, c["first_coop"].month, c["first_coop"].day, 9)
        hi = datetime.combine(c["_stop"], datetime.min.time()) - timedelta(days=1)
        if hi <= lo:
            continue
        for _ in range(_weighted(rng, ((1, 40), (2, 25), (3, 15), (4, 10), (5, 6), (6, 4)))):
            received = lo + timedelta(seconds=rng.randrange(int((hi - lo).total_seconds())))
            received = received.replace(hour=rng.randint(8, 19), minute=rng.randrange(0, 60), second=0)
            urgency = _weighted(rng, (("一般", 70), ("紧急", 22), ("特急", 8)))
            registered = received + timedelta(minutes=rng.randint(2, max(3, int(reg_h * 60 * 0.9))))
            responded = received + timedelta(minutes=int(float(sla[urgency]) * 60 * rng.uniform(0.1, 0.85)))
            row: dict[str, Any] = {
                "customer_id": c.get("customer_id"), "customer_name": c["name"], "received_at": received,
                "registered_at": registered, "channel": _weighted(rng, (("电话", 45), ("邮件", 25), ("CRM投诉入口", 20),
                                                                         ("第三方平台", 10))),
                "description": rng.choice(P.COMPLAINTS), "urgency": urgency, "handler": rng.choice(owners),
                "responded_at": responded if responded <= last_moment else None, "_c": ci,
            }
            resolved = responded + timedelta(hours=rng.uniform(2, 240))
            if row["responded_at"] is None:
                row["status"] = "待处理"
            elif resolved <= last_moment and rng.random() < 0.88:
                row.update(status=rng.choice(("已解决", "已关闭")), resolved_at=resolved.replace(second=0, microsecond=0),
                           measures=rng.choice(P.MEASURES), result=rng.choice(P.RESULTS),
                           satisfaction=_weighted(rng, ((5, 30), (4, 35), (3, 20), (2, 10), (1, 5))))
            else:
                row.update(status="处理中", measures=rng.choice(P.MEASURES))
            if row["responded_at"] is not None:
                row["responded_at"] = responded.replace(second=0, microsecond=0)
            rows.append(row)
    rows.sort(key=lambda r: (r["received_at"], r["_c"]))
    seq: dict[int, int] = {}
    for r in rows:
        y = r["received_at"].year
        seq[y] = seq.get(y, 0) + 1
        r["complaint_id"] = f"TS-{y}-{seq[y]:04d}"
    return rows


def generate_data(*, customers: int, seed: int, end: date = date(2026, 10, 31),
                  settings: Settings | None = None) -> dict[str, list[dict[str, Any]]]:
    """The rows of a clean sample, keyed by data-sheet key. Private keys start with ``_``."""
    if customers < 1:
        raise ValueError("customers must be at least 1")
    st = settings or Settings.defaults(SCHEMA)
    rng = random.Random(seed)
    names = Names(rng, {}, {})
    owners: list[str] = []
    while len(owners) < 8:
        p = names.person()[0]
        if p not in owners:
            owners.append(p)
    cust = [_customer(rng, names, end, owners, st) for _ in range(customers)]
    _assign_ids(cust, st, rng)
    contacts = _contacts(rng, cust, end, owners, st)
    complaints = _complaints(rng, cust, end, owners, st)
    data = {"customers": cust, "contacts": contacts, "complaints": complaints}
    add_rule_signals(data, seed, end)
    return data
