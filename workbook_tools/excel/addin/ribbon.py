"""customUI14.xml for the "CRM 工具" ribbon tab, generated from :data:`workbook_tools.actions.ACTIONS`.

Every button calls the one VBA dispatcher (:data:`DISPATCHER`) and carries its action key in
``tag``; the dispatcher passes the tag to ``workbook_tools.excel.run``.
"""

from __future__ import annotations

from pathlib import Path
from xml.sax.saxutils import quoteattr

from ...actions import ACTIONS, GROUPS, Action, actions_in

NS_CUSTOMUI14 = "http://schemas.microsoft.com/office/2009/07/customui"
DISPATCHER = "CRM_OnAction"
TAB_ID = "tabCRMTools"
TAB_LABEL = "CRM 工具"


def button_id(action: Action) -> str:
    return "btn_" + action.key


def _attrs(pairs: list[tuple[str, str]]) -> str:
    return " ".join(f"{k}={quoteattr(v)}" for k, v in pairs)


def customui_xml(actions: tuple[Action, ...] = ACTIONS) -> str:
    """The customUI14.xml text (UTF-8, LF line ends, ends with a newline). Deterministic."""
    keys = {a.key for a in actions}
    lines = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        "<!-- Generated from workbook_tools/actions.py by `wbt excel ribbon`; do not edit by hand. -->",
        f'<customUI xmlns="{NS_CUSTOMUI14}">',
        "  <ribbon>",
        "    <tabs>",
        f"      <tab {_attrs([('id', TAB_ID), ('label', TAB_LABEL)])}>",
    ]
    for g in GROUPS:
        members = [a for a in actions_in(g) if a.key in keys]
        if not members:
            continue
        lines.append(f"        <group {_attrs([('id', g.xml_id), ('label', g.zh)])}>")
        for a in members:
            attrs = _attrs([
                ("id", button_id(a)),
                ("label", a.zh),
                ("size", "large"),
                ("imageMso", a.image_mso),
                ("screentip", a.screentip_zh),
                ("supertip", f"{a.en}: {a.screentip_en}"),
                ("onAction", DISPATCHER),
                ("tag", a.key),
            ])
            lines.append(f"          <button {attrs}/>")
        lines.append("        </group>")
    lines += ["      </tab>", "    </tabs>", "  </ribbon>", "</customUI>", ""]
    return "\n".join(lines)


def committed_path(root: Path | None = None) -> Path | None:
    """Where the generated XML is committed: ``macros/customUI14.xml`` in the source tree (None
    when the package runs from a wheel, which has no source tree to write to)."""
    from .build import source_macros_dir

    folder = root or source_macros_dir()
    return folder / "customUI14.xml" if folder is not None else None
