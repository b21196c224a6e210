"""Fidelity corpus for the changeset writer: built by scripts, nothing binary committed.

:func:`package_problems` is the structural check the writer tests share: every relationship
points at a part that exists, every content-type override names an existing part, and every
part has a content type.
"""

from __future__ import annotations

import posixpath
import re
import zipfile
from pathlib import Path


def package_problems(path: Path) -> list[str]:
    """What is structurally wrong with the package at ``path`` (empty list: nothing)."""
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    problems = []
    ct = parts["[Content_Types].xml"].decode()
    defaults = {m.group(1).lower() for m in re.finditer(r'<Default\b[^>]*Extension="([^"]+)"', ct)}
    overrides = [m.group(1).lstrip("/") for m in re.finditer(r'<Override\b[^>]*PartName="([^"]+)"', ct)]
    for o in overrides:
        if o not in parts:
            problems.append(f"override for missing part {o}")
    for name in parts:
        if name == "[Content_Types].xml" or name.endswith("/"):
            continue
        if name not in overrides and name.rsplit(".", 1)[-1].lower() not in defaults:
            problems.append(f"no content type for {name}")
        if not name.endswith(".rels"):
            continue
        folder, file = posixpath.split(name)
        source_dir = posixpath.dirname(folder)
        for m in re.finditer(r"<Relationship\b[^>]*>", parts[name].decode()):
            tag = m.group(0)
            if 'TargetMode="External"' in tag:
                continue
            target = re.search(r'Target="([^"]+)"', tag).group(1)  # type: ignore[union-attr]
            full = target.lstrip("/") if target.startswith("/") else posixpath.normpath(
                posixpath.join(source_dir, target))
            if full not in parts:
                problems.append(f"{name} points at missing {full}")
    return problems
