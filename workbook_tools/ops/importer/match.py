"""Finding the existing customer an imported row means: by 客户编号, else by 客户名称 (compared by
``matching.name_key``, as every rule compares names)."""

from __future__ import annotations

from typing import Any

from ...model import SheetData
from ..matching import name_key, norm_id


class CustomerIndex:
    """Existing rows by ID and by name; rows added during the import are registered too."""

    def __init__(self, sheet: SheetData | None) -> None:
        self.by_id: dict[str, int] = {}
        self.by_name: dict[str, int] = {}
        if sheet is None:
            return
        ids = sheet.raw["customer_id"].tolist() if "customer_id" in sheet.raw else []
        names = sheet.raw["name"].tolist() if "name" in sheet.raw else []
        for row, cid, name in zip(sheet.raw.index.tolist(), ids or [None] * len(sheet.raw),
                                  names or [None] * len(sheet.raw)):
            self.add(int(row), cid, name)

    def add(self, row: int, cid: Any, name: Any) -> None:
        if norm_id(cid):
            self.by_id.setdefault(norm_id(cid), row)
        if name_key(name):
            self.by_name.setdefault(name_key(name), row)

    def find(self, cid: Any, name: Any) -> int | None:
        if norm_id(cid) and norm_id(cid) in self.by_id:
            return self.by_id[norm_id(cid)]
        if name_key(name):
            return self.by_name.get(name_key(name))
        return None
