"""Print, as JSON, the Basic library modules LibreOffice imports from a workbook's VBA project.

Run with the SYSTEM python3 (it needs python3-uno):  python3 tests/lo_basic_source.py FILE [TIMEOUT]
Starts its own headless soffice with a private profile, loads FILE hidden, reads
``doc.BasicLibraries`` and prints {"filter": name, "libraries": {lib: {module: source}},
"cells": {ref: text}} (a few cells of the first sheet). soffice is always
killed on exit. Exit code 3 when soffice could not be reached in time.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

import uno  # type: ignore[import-not-found]  # installs the com.sun.star import hook
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]
from com.sun.star.connection import NoConnectException  # type: ignore[import-not-found]

FILTER = "Calc MS Excel 2007 VBA XML"


def prop(name: str, value: object) -> PropertyValue:
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def main() -> int:
    path = os.path.abspath(sys.argv[1])
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 90.0
    profile = tempfile.mkdtemp(prefix=f"lo-addin-{os.getpid()}-")
    pipe = f"wbt_addin_{os.getpid()}"
    proc = subprocess.Popen(
        ["soffice", f"-env:UserInstallation=file://{profile}", "--headless", "--invisible",
         "--nologo", "--norestore", "--nodefault", "--nolockcheck",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    deadline = time.monotonic() + timeout
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        while ctx is None:
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
            except NoConnectException:
                if time.monotonic() > deadline or proc.poll() is not None:
                    print("soffice did not start", file=sys.stderr)
                    return 3
                time.sleep(0.3)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        url = uno.systemPathToFileUrl(path)
        doc = desktop.loadComponentFromURL(url, "_blank", 0, (prop("Hidden", True),))
        if doc is None:
            # LibreOffice's type detection may not know the add-in content type (.xlam): name
            # the filter for macro-enabled Excel 2007+ workbooks explicitly.
            doc = desktop.loadComponentFromURL(
                url, "_blank", 0, (prop("Hidden", True), prop("FilterName", FILTER)))
        if doc is None:
            print("soffice could not load the file", file=sys.stderr)
            return 4
        result: dict[str, dict[str, str]] = {}
        libs = doc.BasicLibraries
        for name in libs.getElementNames():
            if not libs.isLibraryLoaded(name):
                libs.loadLibrary(name)
            lib = libs.getByName(name)
            result[name] = {m: lib.getByName(m) for m in lib.getElementNames()}
        filter_name = next((p.Value for p in doc.getArgs() if p.Name == "FilterName"), "")
        sheet = doc.Sheets.getByIndex(0)
        cells = {ref: sheet.getCellRangeByName(ref).String for ref in ("A1", "B2", "C2", "B3", "C3")}
        print(json.dumps({"filter": filter_name, "libraries": result, "cells": cells}, ensure_ascii=False))
        doc.close(True)
        with contextlib.suppress(Exception):  # the bridge drops when soffice exits
            desktop.terminate()
        return 0
    finally:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, 9)
            proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
