"""Mapping source headers to schema columns: the schema's names and aliases, a user mapping file
(TOML), and suggestions (difflib) for headers that map to nothing."""

from __future__ import annotations

import difflib
import tomllib
from pathlib import Path
from typing import Any

from ...errors import WbtError
from ...i18n import L
from ...reader.frames import map_headers
from ...schema import SheetSpec, norm_header


def load_mapping(path: str | Path) -> dict[str, str]:
    """A TOML file with a ``[columns]`` table: ``"source header" = "schema key or column name"``."""
    path = Path(path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise WbtError(L(f"无法读取映射文件 {path.name}：{exc}", f"Cannot read the mapping file {path.name}: {exc}")) from exc
    cols = data.get("columns", data)
    if not isinstance(cols, dict) or not all(isinstance(v, str) for v in cols.values()):
        raise WbtError(L(f"映射文件 {path.name} 应包含 [columns] 表，每项为 \"源列名\" = \"目标列\"",
                         f"The mapping file {path.name} needs a [columns] table of \"source\" = \"target\""))
    return {str(k): v for k, v in cols.items()}


def _target_key(spec: SheetSpec, target: str) -> str | None:
    n = norm_header(target)
    for c in spec.columns:
        if n in {norm_header(c.key), norm_header(c.zh), norm_header(c.en)}:
            return c.key
    return None


def map_source(spec: SheetSpec, headers: list[str], user: dict[str, str] | None = None
               ) -> tuple[dict[int, str], dict[str, list[str]]]:
    """(0-based source column → schema key, unmapped header → suggested column names).

    A user mapping wins over the schema; a user entry naming no column of the sheet raises."""
    user_n = {norm_header(k): v for k, v in (user or {}).items()}
    out: dict[int, str] = {}
    for i, h in enumerate(headers):
        if norm_header(h) in user_n:
            target = user_n[norm_header(h)]
            key = _target_key(spec, target)
            if key is None:
                raise WbtError(L(f"映射文件中的目标列“{target}”不是“{spec.zh}”的列",
                                 f"Mapping target '{target}' is not a column of {spec.en}"))
            out[i] = key
    rest = [h if i not in out else None for i, h in enumerate(headers)]
    cols, _, unknown, _ = map_headers(spec, rest)
    taken = set(out.values())
    for key, idx in cols.items():
        if key not in taken:
            out[idx - 1] = key
    spellings: dict[str, str] = {}
    for c in spec.columns:
        for name in (c.zh, c.en, *c.aliases):
            spellings.setdefault(norm_header(name), c.zh)
    suggestions: dict[str, list[str]] = {}
    for text in unknown:
        close = difflib.get_close_matches(norm_header(text), list(spellings), n=3, cutoff=0.5)
        names: list[str] = []
        for m in close:
            if spellings[m] not in names:
                names.append(spellings[m])
        suggestions[text] = names
    return out, suggestions


def describe(mapping: dict[int, str], headers: list[str]) -> list[dict[str, Any]]:
    return [{"source": headers[i], "column": k} for i, k in sorted(mapping.items())]
