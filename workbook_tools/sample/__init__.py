"""Reproducible sample workbooks (same seed → same bytes), optionally with planted defects."""

from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from ..template import build_workbook
from .defects import KINDS, plant_defects
from .generator import generate_data

DEFAULT_END = date(2026, 10, 31)

__all__ = ["DEFAULT_END", "KINDS", "SampleInfo", "defects_path", "generate_data", "generate_sample", "plant_defects"]


def defects_path(path: str | Path) -> Path:
    """The sidecar listing the planted defects: ``FILE.defects.json`` beside ``FILE``."""
    p = Path(path)
    return p.with_name(p.name + ".defects.json")


@dataclass
class SampleInfo:
    path: Path
    defects_file: Path
    customers: int
    contacts: int
    complaints: int
    without_id: int
    defects: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def summary(self) -> dict[str, Any]:
        kinds: dict[str, int] = {}
        for d in self.defects:
            kinds[d["kind"]] = kinds.get(d["kind"], 0) + 1
        return {"file": str(self.path), "customers": self.customers, "contacts": self.contacts,
                "complaints": self.complaints, "without_id": self.without_id, "defects": len(self.defects),
                "defect_kinds": kinds, "seconds": round(self.seconds, 2)}


def generate_sample(path: str | Path, *, customers: int, seed: int, defects: float = 0.0,
                    end: date = DEFAULT_END) -> SampleInfo:
    """Write a sample workbook at ``path`` (and ``path.defects.json``); same arguments, same bytes."""
    if not 0.0 <= defects <= 1.0:
        raise ValueError("defects must be between 0 and 1")
    t0 = time.perf_counter()
    data = generate_data(customers=customers, seed=seed, end=end)
    planted = plant_defects(data, rate=defects, rng=random.Random(f"defects:{seed}"), end=end) if defects else []
    path = Path(path)
    build_workbook(path, data=data)
    side = defects_path(path)
    side.write_text(json.dumps(planted, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return SampleInfo(path=path, defects_file=side, customers=len(data["customers"]),
                      contacts=len(data["contacts"]), complaints=len(data["complaints"]),
                      without_id=sum(1 for c in data["customers"] if not c.get("customer_id")),
                      defects=planted, seconds=time.perf_counter() - t0)
