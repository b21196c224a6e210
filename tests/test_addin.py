"""The Excel add-in built on Linux: ribbon XML, package consistency, VBA project (olevba,
olefile, LibreOffice), MS-OVBA compression and the compound-file writer."""

from __future__ import annotations

import io
import json
import posixpath
import random
import re
import struct
import subprocess
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import olefile
import pytest
from click.testing import CliRunner
from conftest import require_lo_basic
from oletools.olevba import VBA_Parser, decompress_stream

from workbook_tools.actions import ACTIONS, GROUPS
from workbook_tools.cli.main import cli
from workbook_tools.excel.addin import build, cfb, ovba, ribbon, vbatext

ROOT = Path(__file__).resolve().parents[1]
MACROS = ROOT / "macros"
BAS = (MACROS / "CRMTools.bas").read_text(encoding="ascii")
NS_UI = "{" + ribbon.NS_CUSTOMUI14 + "}"
NS_CT = "{http://schemas.openxmlformats.org/package/2006/content-types}"
NS_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"


@pytest.fixture(scope="module")
def xlam(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build.build_addin(tmp_path_factory.mktemp("addin") / "CRM工具.xlam")


def _body(text: str) -> list[str]:
    """Module text without the Attribute lines and trailing blank lines, LF line ends."""
    lines = [ln for ln in text.replace("\r\n", "\n").split("\n") if not ln.startswith("Attribute VB_")]
    while lines and not lines[-1].strip():
        lines.pop()
    return lines


# --------------------------------------------------------------------------- ribbon

def test_committed_ribbon_equals_the_generated_one() -> None:
    committed = (MACROS / "customUI14.xml").read_text(encoding="utf-8")
    assert committed == ribbon.customui_xml(), "run: wbt excel ribbon --write"


def test_ribbon_has_one_tab_four_groups_and_a_button_per_action() -> None:
    root = ET.fromstring(ribbon.customui_xml().encode("utf-8"))
    assert root.tag == NS_UI + "customUI"
    tabs = root.findall(f"{NS_UI}ribbon/{NS_UI}tabs/{NS_UI}tab")
    assert [t.get("label") for t in tabs] == ["CRM 工具"]
    groups = tabs[0].findall(NS_UI + "group")
    assert [g.get("label") for g in groups] == [g.zh for g in GROUPS]
    buttons = tabs[0].findall(f"{NS_UI}group/{NS_UI}button")
    assert [b.get("tag") for b in buttons] == [a.key for a in ACTIONS]
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,1023}", i) for i in ids)  # customUI ST_UniqueID
    for b, a in zip(buttons, ACTIONS):
        assert b.get("onAction") == ribbon.DISPATCHER
        assert (b.get("label"), b.get("imageMso"), b.get("size")) == (a.zh, a.image_mso, "large")
        assert b.get("screentip") == a.screentip_zh and a.screentip_en in b.get("supertip", "")
        assert all(len(b.get(k, "")) <= 1024 for k in ("label", "screentip", "supertip"))


def test_the_dispatcher_exists_in_the_vba_and_runs_the_tag_through_xlwings() -> None:
    assert BAS.splitlines()[0] == 'Attribute VB_Name = "CRMTools"'
    assert re.search(rf"^Public Sub {ribbon.DISPATCHER}\(control As IRibbonControl\)$", BAS, re.M)
    assert "control.Tag" in BAS
    assert "Application.Run XLWINGS_RUNPYTHON, command" in BAS and "'xlwings.xlam'!RunPython" in BAS
    assert '"import workbook_tools.excel as x; x.run(\'" & key & "\', book=\'" & HexText(fullName)' in BAS


def test_no_vba_module_holds_a_non_ascii_byte(xlam: Path) -> None:
    """VBA source is stored in the PC's code page: only ASCII reads the same on every Windows.
    Checked on the streams inside the built file (every module, generated ones too)."""
    blob = zipfile.ZipFile(xlam).read("xl/vbaProject.bin")
    ole = olefile.OleFileIO(io.BytesIO(blob))
    modules = [p for p in ole.listdir() if p[0] == "VBA" and p[1] not in ("dir", "_VBA_PROJECT")]
    assert {p[1] for p in modules} == {"ThisWorkbook", "Sheet1", "CRMTools", vbatext.MODULE_NAME}
    for path in modules:
        text = ovba.decompress(ole.openstream(path).read())
        assert all(b < 0x80 for b in text), f"{path[1]} holds non-ASCII bytes"
    assert all(b < 0x80 for b in ole.openstream("PROJECT").read())
    for path in (MACROS).glob("*.bas"):
        assert all(b < 0x80 for b in path.read_bytes()), path.name


def test_texts_the_vba_shows_are_generated_and_all_used() -> None:
    src = vbatext.module_source()
    src.encode("ascii")
    used = set(re.findall(r"\bTXT_(\w+)", BAS))
    keys = {k for k, _, _ in vbatext.TEXTS}
    assert used == keys  # every text is shown somewhere, and every name used is generated
    # the generated code units really spell the texts (LibreOffice runs Txt() in test_vba_basic.py)
    for key, zh, en in vbatext.TEXTS:
        lines = src.split(f"    Case TXT_{key}\n", 1)[1].split("    Case ", 1)[0].split("    End Select", 1)[0]
        codes = [int(c) for c in re.findall(r"\d+", " ".join(re.findall(r'U\("([\d ]+)"\)', lines)))]
        assert "".join(map(chr, codes)) == vbatext.text_of(key)
        assert zh in vbatext.text_of(key) and (key == "TITLE" or en in vbatext.text_of(key))


# --------------------------------------------------------------------------- package

def test_every_part_has_a_content_type_and_every_relationship_a_target(xlam: Path) -> None:
    zf = zipfile.ZipFile(xlam)
    names = zf.namelist()
    assert names[0] == "[Content_Types].xml"
    ct = ET.fromstring(zf.read("[Content_Types].xml"))
    defaults = {d.get("Extension"): d.get("ContentType") for d in ct.findall(NS_CT + "Default")}
    overrides = {o.get("PartName"): o.get("ContentType") for o in ct.findall(NS_CT + "Override")}
    for part in overrides:
        assert part.lstrip("/") in names, f"override for missing part {part}"
    for name in names:
        if name == "[Content_Types].xml":
            continue
        assert "/" + name in overrides or name.rsplit(".", 1)[-1] in defaults, name
    assert overrides["/xl/workbook.xml"] == build.CT_WORKBOOK_ADDIN
    assert defaults["bin"] == build.CT_VBA
    rel_types: dict[str, set[str]] = {}
    for name in names:
        if not name.endswith(".rels"):
            continue
        folder = posixpath.dirname(posixpath.dirname(name))  # part folder of ".../_rels/x.rels"
        for rel in ET.fromstring(zf.read(name)).findall(NS_REL + "Relationship"):
            target = posixpath.normpath(posixpath.join(folder, rel.get("Target", "")))
            assert target in names, f"{name}: {rel.get('Target')} does not exist"
            rel_types.setdefault(name, set()).add(f"{rel.get('Type')} {target}")
    assert f"{build.REL_UI14} customUI/customUI14.xml" in rel_types["_rels/.rels"]
    assert f"{build.REL_VBA} xl/vbaProject.bin" in rel_types["xl/_rels/workbook.xml.rels"]
    assert zf.read("customUI/customUI14.xml").decode("utf-8") == ribbon.customui_xml()
    for name in names:
        if name.endswith((".xml", ".rels")):
            ET.fromstring(zf.read(name))  # well formed
    wb = ET.fromstring(zf.read("xl/workbook.xml"))
    assert wb.find("{http://schemas.openxmlformats.org/spreadsheetml/2006/main}workbookPr").get(
        "codeName") == "ThisWorkbook"


def test_build_is_deterministic_and_follows_the_sources(tmp_path: Path) -> None:
    assert build.addin_bytes() == build.addin_bytes()
    other = tmp_path / "macros"
    other.mkdir()
    (other / "CRMTools.bas").write_text(BAS + "' one more line\n", encoding="ascii")
    (other / "Extra.bas").write_text('Attribute VB_Name = "Extra"\nSub Hello()\nEnd Sub\n', encoding="ascii")
    data = build.addin_bytes(other)
    assert data != build.addin_bytes()
    path = tmp_path / "x.xlam"
    path.write_bytes(data)
    mods = _olevba_modules(path)
    assert mods["CRMTools"][-1] == "' one more line"
    assert mods["Extra"] == ["Sub Hello()", "End Sub"]


# --------------------------------------------------------------------------- VBA project

def _olevba_modules(path: Path) -> dict[str, list[str]]:
    parser = VBA_Parser(str(path))
    try:
        return {stream.rsplit("/", 1)[-1]: _body(code)
                for _, stream, _, code in parser.extract_macros()}
    finally:
        parser.close()


def test_olevba_extracts_exactly_the_bas_source(xlam: Path) -> None:
    mods = _olevba_modules(xlam)
    assert set(mods) == {"ThisWorkbook", "Sheet1", "CRMTools", vbatext.MODULE_NAME}
    assert mods["CRMTools"] == _body(BAS)
    assert mods[vbatext.MODULE_NAME] == _body(vbatext.module_source())
    assert mods["ThisWorkbook"] == [] and mods["Sheet1"] == []


def test_vba_project_streams_round_trip_through_olefile(xlam: Path) -> None:
    blob = zipfile.ZipFile(xlam).read("xl/vbaProject.bin")
    expected = ovba.vba_streams(build.PROJECT_NAME, build.load_modules())
    ole = olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_POTENTIAL)
    listed = {"/".join(p) for p in ole.listdir()}
    assert listed == set(expected)
    for path, data in expected.items():
        assert ole.get_size(path) == len(data)
        assert ole.openstream(path).read() == data
    assert ole.openstream("VBA/_VBA_PROJECT").read() == bytes.fromhex("CC61FFFF000100")
    project = ole.openstream("PROJECT").read().decode("cp1252")
    assert "Module=CRMTools\r\n" in project and "Document=ThisWorkbook/&H00000000\r\n" in project
    props = dict(re.findall(r'^(CMG|DPB|GC)="([0-9A-F]+)"', project, re.M))
    assert ovba.decrypt(props["CMG"]) == b"\x00\x00\x00\x00"  # not protected
    assert ovba.decrypt(props["DPB"]) == b"\x00"              # no password
    assert ovba.decrypt(props["GC"]) == b"\xff"               # visible
    wm = ole.openstream("PROJECTwm").read()
    assert wm.endswith(b"\x00\x00") and b"CRMTools\x00" + "CRMTools".encode("utf-16-le") in wm


def test_dir_stream_records_decode_with_olevba() -> None:
    mods = build.load_modules()
    raw = bytes(decompress_stream(bytearray(ovba.compress(ovba.dir_stream("VBAProject", mods)))))
    # Walk the records: every (id, size) pair must land exactly on the terminator.
    seen = _dir_records(raw)
    assert seen[-1] == 0x0010 and raw.endswith(struct.pack("<HI", 0x0010, 0))
    assert seen.count(0x0019) == len(mods) == seen.count(0x002B)
    assert seen.count(0x0022) == 2 and seen.count(0x0021) == 2  # 2 document modules, 2 standard


def _dir_records(raw: bytes) -> list[int]:
    pos, ids = 0, []
    while pos < len(raw):
        rec_id, size = struct.unpack_from("<HI", raw, pos)
        ids.append(rec_id)
        pos += 6 + (6 if rec_id == 0x0009 else size)
        if rec_id == 0x0010:
            break
    return ids


def _module_records(ids: list[int]) -> dict[int, list[int]]:
    """Record-id sequence of the first standard (0x21) and document (0x22) module."""
    out: dict[int, list[int]] = {}
    start = ids.index(0x0013) + 1
    while start < len(ids) and ids[start] == 0x0019:
        end = ids.index(0x002B, start) + 1
        kind = 0x21 if 0x21 in ids[start:end] else 0x22
        out.setdefault(kind, ids[start:end])
        start = end
    return out


def test_vba_project_is_laid_out_like_the_one_xlwings_ships() -> None:
    """xlwings ships xlwings.xlam as a source-only VBA project that Excel users open daily:
    our project information, module records and _VBA_PROJECT header follow the same layout."""
    import xlwings

    ref = Path(xlwings.__file__).parent / "addin" / "xlwings.xlam"
    if not ref.exists():
        pytest.skip("xlwings.xlam not shipped with this xlwings")
    theirs = olefile.OleFileIO(io.BytesIO(zipfile.ZipFile(ref).read("xl/vbaProject.bin")))
    their_ids = _dir_records(bytes(decompress_stream(bytearray(theirs.openstream("VBA/dir").read()))))
    our_ids = _dir_records(ovba.dir_stream(build.PROJECT_NAME, build.load_modules()))
    info_end = 14  # PROJECTINFORMATION: syskind … constants (+ unicode)
    assert our_ids[:info_end] == their_ids[:info_end]
    assert our_ids[info_end] == their_ids[info_end] == 0x0016  # references start with a name
    assert _module_records(our_ids) == _module_records(their_ids)
    assert theirs.openstream("VBA/_VBA_PROJECT").read() == ovba.VBA_PROJECT_STREAM


# --------------------------------------------------------------------------- MS-OVBA compression

def test_decompress_known_answer_from_ms_ovba() -> None:
    # MS-OVBA 3.2 example: compressed container of a 56-byte text with copy tokens.
    packed = bytes.fromhex("012FB000236161616263646582660070616768696A013808616B6C00306D6E6F70"
                           "06710270041072737475761077787 97A003C".replace(" ", ""))
    assert ovba.decompress(packed) == b"#aaabcdefaaaaghijaaaaaklaaamnopqaaaaaaaaaaaarstuvwxyzaaa"


@pytest.mark.parametrize("size", [0, 1, 3, 100, 4095, 4096, 4097, 9000])
def test_compress_round_trips_through_olevba(size: int) -> None:
    rng = random.Random(size)
    text = BAS.encode("ascii") * (size // len(BAS) + 1)
    packed = ovba.compress(text[:size])
    assert ovba.decompress(packed) == text[:size]
    assert bytes(decompress_stream(bytearray(packed))) == text[:size]
    if size >= 1000:
        assert len(packed) < size * 0.7  # text really is compressed
    noise = bytes(rng.getrandbits(8) for _ in range(size))
    unpacked = ovba.decompress(ovba.compress(noise))
    assert bytes(decompress_stream(bytearray(ovba.compress(noise)))) == unpacked
    # Incompressible data may end in a raw chunk, which MS-OVBA pads with NULs to 4096 bytes.
    assert unpacked[:size] == noise and not unpacked[size:].strip(b"\x00")
    assert len(unpacked) in (size, -(-size // 4096) * 4096)


# --------------------------------------------------------------------------- compound file

def test_cfb_writer_big_small_empty_and_nested_streams() -> None:
    rng = random.Random(7)
    streams = {
        "A": b"x" * 4095,                                        # biggest mini stream
        "B": bytes(rng.getrandbits(8) for _ in range(4096)),     # smallest regular stream
        "Dir/Sub/Deep": b"deep",
        "Dir/Empty": b"",
        "Big": bytes(rng.getrandbits(8) for _ in range(70_000)),  # > 128 sectors: two FAT sectors
        "Longer name here": b"n",
    }
    blob = cfb.build(streams)
    assert len(blob) % 512 == 0 and blob[:8] == cfb.SIGNATURE
    ole = olefile.OleFileIO(io.BytesIO(blob), raise_defects=olefile.DEFECT_POTENTIAL)
    assert {"/".join(p) for p in ole.listdir()} == set(streams)
    for path, data in streams.items():
        assert ole.get_size(path) == len(data) and ole.openstream(path).read() == data
    assert ole.get_type("Dir/Sub") == olefile.STGTY_STORAGE
    assert struct.unpack_from("<I", blob, 0x2C)[0] == 2  # FAT sectors
    assert cfb.build(streams) == blob


def test_cfb_rejects_bad_names() -> None:
    for bad in ({"a" * 32: b""}, {"x": b"", "X": b""}, {"a:b": b""}, {"S/a": b"", "s/b": b""},
                {"S": b"", "S/a": b""}):
        with pytest.raises(ValueError):
            cfb.build(bad)


# --------------------------------------------------------------------------- CLI

def test_cli_build_addin_and_ribbon(tmp_path: Path) -> None:
    runner = CliRunner()
    out = tmp_path / "dist" / "CRM工具.xlam"
    res = runner.invoke(cli, ["--lang", "en", "excel", "build-addin", "-o", str(out)])
    assert res.exit_code == 0, res.output
    assert "Built" in res.output and out.read_bytes() == build.addin_bytes()
    res = runner.invoke(cli, ["excel", "ribbon"])
    assert res.exit_code == 0 and res.output == ribbon.customui_xml()
    empty = tmp_path / "empty"
    empty.mkdir()
    res = runner.invoke(cli, ["--lang", "zh", "excel", "build-addin", "--macros", str(empty),
                              "-o", str(tmp_path / "y.xlam")])
    assert res.exit_code == 2 and "找不到 VBA 源文件" in res.output and "Traceback" not in res.output
    assert not (tmp_path / "y.xlam").exists()
    clash = tmp_path / "clash"
    clash.mkdir()
    (clash / "CRMTools.bas").write_text(BAS, encoding="ascii")
    (clash / "CRMText.bas").write_text('Attribute VB_Name = "CRMText"\n', encoding="ascii")
    res = runner.invoke(cli, ["--lang", "en", "excel", "build-addin", "--macros", str(clash), "-o", str(tmp_path / "z.xlam")])
    assert res.exit_code == 2 and "CRMText is generated" in res.output and not (tmp_path / "z.xlam").exists()


def test_ribbon_write_needs_the_source_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from a wheel there is no macros/ to write to: a clear refusal, nothing written."""
    monkeypatch.setattr(build, "source_macros_dir", lambda: None)
    res = CliRunner().invoke(cli, ["--lang", "en", "excel", "ribbon", "--write"])
    assert res.exit_code == 2 and "source tree" in res.output
    assert build.macros_dir() == Path(build.__file__).resolve().parent / "macros"  # the wheel's copy


# --------------------------------------------------------------------------- LibreOffice

@pytest.mark.soffice
def test_libreoffice_imports_the_module_into_its_basic_library(xlam: Path) -> None:
    py = require_lo_basic()
    res = subprocess.run([py, str(ROOT / "tests" / "lo_basic.py"), "source", str(xlam), "90"],
                         capture_output=True, text=True, timeout=150)
    assert res.returncode == 0, res.stderr
    data = json.loads(res.stdout)
    sources = {mod: src for lib in data["libraries"].values() for mod, src in lib.items()}
    assert "CRMTools" in sources, data["libraries"].keys()
    lo_lines = [ln for ln in sources["CRMTools"].split("\n")
                if not ln.startswith(("Rem Attribute VBA_ModuleType", "Option VBASupport"))]
    while lo_lines and not lo_lines[-1].strip():
        lo_lines.pop()
    assert lo_lines == _body(BAS)
    assert "Public Sub CRM_OnAction(control As IRibbonControl)" in sources["CRMTools"]
    assert data["cells"]["A1"].startswith("CRM 工具加载项") and "ribbon" in data["cells"]["B1"]


def test_build_addin_writes_like_every_output(tmp_path: Path) -> None:
    """Normal permissions (not a temp file's 0600); an existing file it did not write is refused."""
    import stat

    from workbook_tools import outputs
    from workbook_tools.outputs import OutputRefused

    out = build.build_addin(tmp_path / "CRM工具.xlam")
    assert stat.S_IMODE(out.stat().st_mode) == outputs.file_mode()
    assert build.build_addin(out) == out          # its own unchanged add-in is replaced
    foreign = tmp_path / "other.xlam"
    foreign.write_bytes(b"not ours")
    with pytest.raises(OutputRefused):
        build.build_addin(foreign)
    assert foreign.read_bytes() == b"not ours"
