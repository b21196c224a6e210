"""LibreOffice Basic on a workbook's VBA project, headless. Run with the SYSTEM python3 (it needs
python3-uno):

    python3 tests/lo_basic.py source FILE [TIMEOUT]
        prints {"filter", "libraries": {lib: {module: source}}, "cells": {ref: text}} as JSON:
        the Basic library modules LibreOffice imports from FILE's VBA project.
    python3 tests/lo_basic.py run FILE SPEC.json [TIMEOUT]
        SPEC = {"library": "VBAProject", "patch": {module: {procedure: source}},
                "add": {module: source}, "calls": [[module, procedure, [args...]], ...]}
        replaces the named procedures of a module (each must exist once) and adds modules, then
        calls each procedure in order and prints {"results": [{"value": ..., "error": ...}, ...]}.
        An argument {"properties": {name: value}} is passed as a UNO object with those properties
        (e.g. a stand-in for the ribbon's IRibbonControl: {"properties": {"Tag": "ids"}}).

Each run starts its own headless soffice with a private profile (VBA support mode is what
LibreOffice uses for a project imported from an Excel file: ``Option VBASupport 1``), loads FILE
hidden, and always kills soffice on exit. Exit code 3 when soffice could not be reached in time.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import uno  # type: ignore[import-not-found]  # installs the com.sun.star import hook
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

FILTER = "Calc MS Excel 2007 VBA XML"


class Unreachable(Exception):
    pass


REMOTE: dict[str, Any] = {}


def _argument(value: Any) -> Any:
    if isinstance(value, dict) and "properties" in value:
        ctx = REMOTE["ctx"]
        bag = ctx.ServiceManager.createInstanceWithContext("com.sun.star.beans.PropertyBag", ctx)
        for name, v in value["properties"].items():
            bag.addProperty(name, 0, v)
        return bag
    return value


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


@contextlib.contextmanager
def loaded(path: str, timeout: float) -> Iterator[Any]:
    """The document ``path`` loaded hidden in a private headless soffice (killed afterwards)."""
    profile = tempfile.mkdtemp(prefix=f"lo-basic-{os.getpid()}-")
    pipe = f"wbt_basic_{os.getpid()}"
    proc = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
         "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        while ctx is None:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            except NoConnectException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    raise Unreachable("soffice did not start") from None
                time.sleep(0.3)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        REMOTE["ctx"] = ctx
        url = uno.systemPathToFileUrl(path)
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        if doc is None:
            # LibreOffice's type detection may not know the add-in content type (.xlam): name
            # the filter for macro-enabled Excel 2007+ workbooks explicitly.
            doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True), prop("FilterName", FILTER)))
        if doc is None:
            raise Unreachable("soffice could not load the file")
        try:
            yield doc
        finally:
            with contextlib.suppress(Exception):
                doc.close(True)
            with contextlib.suppress(Exception):  # the bridge drops when soffice exits
                desktop.terminate()
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


def _library(doc: Any, name: str) -> Any:
    libs = doc.BasicLibraries
    if not libs.isLibraryLoaded(name):
        libs.loadLibrary(name)
    return libs.getByName(name)


def source(doc: Any) -> dict[str, Any]:
    libs = doc.BasicLibraries
    result = {name: {m: _library(doc, name).getByName(m) for m in _library(doc, name).getElementNames()}
              for name in libs.getElementNames()}
    filter_name = next((p.Value for p in doc.getArgs() if p.Name == "FilterName"), "")
    sheet = doc.Sheets.getByIndex(0)
    cells = {ref: sheet.getCellRangeByName(ref).String for ref in ("A1", "B1")}
    return {"filter": filter_name, "libraries": result, "cells": cells}


def run(doc: Any, spec: dict[str, Any]) -> dict[str, Any]:
    name = spec.get("library", "VBAProject")
    lib = _library(doc, name)
    for module, procedures in spec.get("patch", {}).items():
        text = lib.getByName(module)
        for procedure, body in procedures.items():
            pattern = re.compile(rf"^(?:Public |Private )?(Function|Sub) {procedure}\b.*?^End \1[ \t]*\r?\n", re.M | re.S)
            if len(pattern.findall(text)) != 1:
                raise SystemExit(f"{module}.{procedure}: not found exactly once")
            text = pattern.sub(lambda _m, b=body: b.rstrip("\n") + "\n", text)
        lib.replaceByName(module, text)
    for module, text in spec.get("add", {}).items():
        lib.insertByName(module, text)
    provider = doc.getScriptProvider()
    results = []
    for module, procedure, args in spec["calls"]:
        uri = f"vnd.sun.star.script:{name}.{module}.{procedure}?language=Basic&location=document"
        try:
            value = provider.getScript(uri).invoke(tuple(_argument(a) for a in args), (), ())[0]
            results.append({"value": value if isinstance(value, str | int | float | bool) or value is None
                            else repr(value), "error": None})
        except Exception as exc:  # noqa: BLE001 - reported to the test, which names the call
            results.append({"value": None, "error": f"{type(exc).__name__}: {getattr(exc, 'Message', exc)}"})
    return {"results": results}


def main() -> int:
    mode, path, rest = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3:]
    spec = json.loads(Path(rest.pop(0)).read_text(encoding="utf-8")) if mode == "run" else None
    timeout = float(rest[0]) if rest else 90.0
    try:
        with loaded(path, timeout) as doc:
            out = source(doc) if mode == "source" else run(doc, spec or {})
    except Unreachable as exc:
        print(exc, file=sys.stderr)
        return 3
    print(json.dumps(out, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
