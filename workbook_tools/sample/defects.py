"""Planted defects of known kinds, one per cell, listed for the sidecar ``FILE.defects.json``.

Each kind breaks exactly one validation rule (docs/rules.md) in one cell. Where a change would make other
rows wrong as a side effect (renaming or renumbering a customer), the dependent rows are
re-pointed so that they stay valid: the planted defect is the only problem.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, datetime, timedelta
from typing import Any

from ..model import col_letter
from ..schema import SCHEMA

KINDS: tuple[str, ...] = (
    "missing_required", "bad_list_value", "bad_date", "text_date", "future_date", "bad_phone", "bad_email",
    "negative_amount", "yuan_amount", "rating_out_of_range", "long_text", "short_name", "duplicate_name",
    "duplicate_phone", "duplicate_id", "bad_customer_id", "orphan_contact", "date_order", "due_before_contact",
    "resolved_before_received",
)

LONG_TEXT = ("客户希望在下一期项目中实现全国各门店的数据统一管理，要求系统支持多组织架构、分级权限、移动端审批和离线操作，"
             "同时需要与现有的财务系统、仓储系统和人力资源系统进行接口对接，数据每日自动同步；"
             "客户还提出需要提供现场培训和为期一年的驻场运维支持，并希望我们给出分阶段实施计划、详细报价单、"
             "成功案例以及类似规模企业的参考客户名单，以便提交集团管理层审批，预计年底前完成招标流程并签订正式合同；"
             "此外客户希望明年一季度上线试运行，二季度在全部分支机构推广使用。")
assert len(LONG_TEXT) > 200


def _has_id(c: dict[str, Any]) -> bool:
    return bool(c.get("customer_id"))


def _json_value(v: Any) -> Any:
    if isinstance(v, (date, datetime)):
        return v.isoformat()
    return v


class Planter:
    def __init__(self, data: dict[str, list[dict[str, Any]]], rng: random.Random, end: date) -> None:
        self.data, self.rng, self.end = data, rng, end
        self.customers = data["customers"]
        self.used_customers: set[int] = set()     # customers touched (targets and sources)
        self.used_rows: dict[str, set[int]] = {"contacts": set(), "complaints": set()}
        self.planted: list[dict[str, Any]] = []
        self.ids: set[str] | None = None          # every customer ID, built when first needed
        self.col_index = {s.key: {c.key: i for i, c in enumerate(s.columns)} for s in SCHEMA.data_sheets}
        self.by_customer: dict[int, dict[str, list[int]]] = {}
        for sheet in ("contacts", "complaints"):
            for i, r in enumerate(data[sheet]):
                self.by_customer.setdefault(r["_c"], {"contacts": [], "complaints": []})[sheet].append(i)

    # -- bookkeeping ---------------------------------------------------------------------
    def _record(self, kind: str, sheet: str, idx: int, column: str, value: Any) -> None:
        self.data[sheet][idx][column] = value
        row = idx + 2
        self.planted.append({
            "kind": kind, "sheet": SCHEMA.sheet(sheet).zh,
            "cell": f"{col_letter(self.col_index[sheet][column] + 1)}{row}", "row": row, "column": column,
            "value": _json_value(value),
        })

    def _pick_customer(self, ok: Callable[[dict[str, Any]], bool]) -> int | None:
        n = len(self.customers)
        for _ in range(200):
            i = self.rng.randrange(n)
            if i not in self.used_customers and ok(self.customers[i]):
                self.used_customers.add(i)
                return i
        return None

    def _pick_row(self, sheet: str, ok: Callable[[dict[str, Any]], bool]) -> int | None:
        rows = self.data[sheet]
        for _ in range(400):
            if not rows:
                return None
            i = self.rng.randrange(len(rows))
            if i in self.used_rows[sheet] or rows[i]["_c"] in self.used_customers or not ok(rows[i]):
                continue
            self.used_rows[sheet].add(i)
            self.used_customers.add(rows[i]["_c"])   # its customer must not be renamed/renumbered later
            return i
        return None

    def _pick_pair(self, ok_target: Callable[[dict[str, Any]], bool]) -> tuple[int, int] | None:
        """(source, target) with the target BELOW the source, so the planted copy is the second one."""
        for _ in range(50):
            a = self._pick_customer(lambda c: True)
            b = self._pick_customer(lambda c: True)
            if a is None or b is None:
                return None
            src, tgt = min(a, b), max(a, b)
            if ok_target(self.customers[tgt]) and ok_target(self.customers[src]):
                return src, tgt
            self.used_customers.discard(a)
            self.used_customers.discard(b)
        return None

    def _refs(self, ci: int) -> list[tuple[str, int]]:
        refs = self.by_customer.get(ci, {"contacts": [], "complaints": []})
        return [(s, i) for s in ("contacts", "complaints") for i in refs[s]]

    def _repoint_by_id(self, ci: int, new_name: str) -> None:
        """The customer is renamed: its rows refer to it by ID (and carry the new name)."""
        cid = self.customers[ci]["customer_id"]
        for sheet, i in self._refs(ci):
            r = self.data[sheet][i]
            r["customer_id"] = cid
            if r.get("customer_name"):
                r["customer_name"] = new_name

    def _repoint_by_name(self, ci: int) -> None:
        """The customer's ID is broken: its rows refer to it by exact name only."""
        name = self.customers[ci]["name"]
        for sheet, i in self._refs(ci):
            r = self.data[sheet][i]
            r["customer_id"] = None
            r["customer_name"] = name

    # -- kinds ---------------------------------------------------------------------------
    def plant(self, kind: str) -> bool:
        return bool(getattr(self, "k_" + kind)())

    def k_missing_required(self) -> bool:
        i = self._pick_customer(lambda c: True)
        if i is None:
            return False
        self._record("missing_required", "customers", i, self.rng.choice(("contact", "phone")), None)
        return True

    def k_bad_list_value(self) -> bool:
        i = self._pick_customer(lambda c: c["stage"] == "合作中")
        if i is None:
            return False
        self._record("bad_list_value", "customers", i, "stage", self.rng.choice(("合作中中", "合做中", "谈判中")))
        return True

    def k_bad_date(self) -> bool:
        i = self._pick_customer(lambda c: c.get("last_coop") is not None)
        if i is None:
            return False
        d = self.customers[i]["last_coop"]
        bad = self.rng.choice((f"{d.year}年{self.rng.randint(13, 19)}月{d.day}日", f"{d.year}-02-30",
                               f"{d.year}/{d.month}/{self.rng.randint(32, 39)}"))
        self._record("bad_date", "customers", i, "last_coop", bad)
        return True

    def k_text_date(self) -> bool:
        i = self._pick_customer(lambda c: True)
        if i is None:
            return False
        d = self.customers[i]["first_contact"]
        text = self.rng.choice((f"{d.year}/{d.month}/{d.day}", f"{d.year}.{d.month}.{d.day}",
                                f"{d.year}年{d.month}月{d.day}日"))
        self._record("text_date", "customers", i, "first_contact", text)
        return True

    def k_future_date(self) -> bool:
        i = self._pick_customer(lambda c: c.get("last_coop") is not None)
        if i is None:
            return False
        self._record("future_date", "customers", i, "last_coop", self.end + timedelta(days=self.rng.randint(10, 300)))
        return True

    def k_bad_phone(self) -> bool:
        i = self._pick_customer(lambda c: True)
        if i is None:
            return False
        p = self.customers[i]["phone"]
        bad = self.rng.choice((p[:-1], p + str(self.rng.randint(0, 9)), p[:3] + "O" + p[4:], "2" + p[1:]))
        self._record("bad_phone", "customers", i, "phone", bad)
        return True

    def k_bad_email(self) -> bool:
        i = self._pick_customer(lambda c: bool(c.get("email")))
        if i is None:
            return False
        e = self.customers[i]["email"]
        local, _, dom = e.partition("@")
        bad = self.rng.choice((f"{local}#{dom}", f"{local}@{dom.split('.')[0]}", f"{local}@@{dom}", f"{local} @{dom}"))
        self._record("bad_email", "customers", i, "email", bad)
        return True

    def k_negative_amount(self) -> bool:
        i = self._pick_customer(lambda c: c.get("amount_annual") is not None)
        if i is None:
            return False
        self._record("negative_amount", "customers", i, "amount_annual", -self.customers[i]["amount_annual"])
        return True

    def k_yuan_amount(self) -> bool:
        i = self._pick_customer(lambda c: (c.get("amount_total") or 0) >= 1.5)
        if i is None:
            return False
        self._record("yuan_amount", "customers", i, "amount_total", round(self.customers[i]["amount_total"] * 10000))
        return True

    def k_rating_out_of_range(self) -> bool:
        i = self._pick_customer(lambda c: True)
        if i is None:
            return False
        self._record("rating_out_of_range", "customers", i, "satisfaction", self.rng.choice((0, 6, 7, 10)))
        return True

    def k_long_text(self) -> bool:
        i = self._pick_customer(lambda c: True)
        if i is None:
            return False
        self._record("long_text", "customers", i, "needs", LONG_TEXT)
        return True

    def k_short_name(self) -> bool:
        i = self._pick_customer(lambda c: bool(c.get("customer_id")))
        if i is None:
            return False
        short = self.customers[i]["_brand"]
        self._record("short_name", "customers", i, "name", short)
        self._repoint_by_id(i, short)
        return True

    def k_duplicate_name(self) -> bool:
        pair = self._pick_pair(lambda c: bool(c.get("customer_id")))
        if pair is None:
            return False
        src, i = pair
        name = self.customers[src]["name"]
        for suf in ("股份有限公司", "有限责任公司", "有限公司"):
            if name.endswith(suf):
                core = name[: -len(suf)]
                break
        else:
            core, suf = name, ""
        other = {"有限公司": "有限责任公司", "有限责任公司": "有限公司", "股份有限公司": "有限公司"}.get(suf, "有限公司")
        variant = self.rng.choice((core + other, core[:2] + " " + core[2:] + suf, core + "（中国）" + suf,
                                   core[:2] + "\u3000" + core[2:] + suf))
        self._record("duplicate_name", "customers", i, "name", variant)
        self._repoint_by_id(i, variant)
        return True

    def k_duplicate_phone(self) -> bool:
        pair = self._pick_pair(lambda c: True)
        if pair is None:
            return False
        src, i = pair
        self._record("duplicate_phone", "customers", i, "phone", self.customers[src]["phone"])
        return True

    def k_duplicate_id(self) -> bool:
        pair = self._pick_pair(_has_id)
        if pair is None:
            return False
        src, i = pair
        self._repoint_by_name(i)
        self._record("duplicate_id", "customers", i, "customer_id", self.customers[src]["customer_id"])
        return True

    def k_bad_customer_id(self) -> bool:
        i = self._pick_customer(lambda c: bool(c.get("customer_id")))
        if i is None:
            return False
        y, code, n = self.customers[i]["customer_id"].split("-")
        bad = self.rng.choice((f"{y}{code}{n[-2:]}", f"{y[2:]}-{code}-{n}", f"{y}/{code}/{n}",
                               f"{y}-{code}{n}", f"{y}-ZZ-{n}"))
        self._repoint_by_name(i)
        self._record("bad_customer_id", "customers", i, "customer_id", bad)
        return True

    def k_orphan_contact(self) -> bool:
        j = self._pick_row("contacts", lambda r: bool(r.get("customer_id")))
        if j is None:
            return False
        y, code, _ = self.data["contacts"][j]["customer_id"].split("-")
        if self.ids is None:
            self.ids = {c["customer_id"] for c in self.customers if c.get("customer_id")}
        free = [f"{y}-{code}-{n:03d}" for n in range(999, 0, -1) if f"{y}-{code}-{n:03d}" not in self.ids]
        if not free:
            return False
        ghost = self.rng.choice(free[:100])
        self.ids.add(ghost)
        self.data["contacts"][j]["customer_name"] = None
        self._record("orphan_contact", "contacts", j, "customer_id", ghost)
        return True

    def k_date_order(self) -> bool:
        i = self._pick_customer(lambda c: c.get("first_coop") is not None)
        if i is None:
            return False
        c = self.customers[i]
        self._record("date_order", "customers", i, "first_coop", c["first_contact"] - timedelta(days=self.rng.randint(5, 300)))
        return True

    def k_due_before_contact(self) -> bool:
        j = self._pick_row("contacts", lambda r: r.get("due") is not None)
        if j is None:
            return False
        r = self.data["contacts"][j]
        self._record("due_before_contact", "contacts", j, "due", r["contact_date"] - timedelta(days=self.rng.randint(1, 20)))
        return True

    def k_resolved_before_received(self) -> bool:
        j = self._pick_row("complaints", lambda r: r.get("resolved_at") is not None)
        if j is None:
            return False
        r = self.data["complaints"][j]
        self._record("resolved_before_received", "complaints", j, "resolved_at",
                     r["received_at"] - timedelta(hours=self.rng.randint(2, 120)))
        return True


def plant_defects(data: dict[str, list[dict[str, Any]]], *, rate: float, rng: random.Random, end: date,
                  kinds: tuple[str, ...] = KINDS) -> list[dict[str, Any]]:
    """Plant about ``rate × customers`` defects (kinds in turn, shuffled); return the sidecar records."""
    target = round(rate * len(data["customers"]))
    pl = Planter(data, rng, end)
    order: list[str] = []
    misses = 0
    while len(pl.planted) < target and misses < len(kinds) * 3:
        if not order:
            order = list(kinds)
            rng.shuffle(order)
        if pl.plant(order.pop()):
            misses = 0
        else:
            misses += 1
    pl.planted.sort(key=lambda d: (d["sheet"], d["row"], d["column"]))
    return pl.planted
