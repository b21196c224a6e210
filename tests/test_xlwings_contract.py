"""Live mode uses a small, declared subset of the xlwings API: it exists in the installed
xlwings with compatible signatures, and the in-memory fake implements exactly that subset."""

from __future__ import annotations

import inspect
import re
from pathlib import Path

import pytest

xw = pytest.importorskip("xlwings")

from workbook_tools.excel import caller, live, xlapply, xlreader, xlsheets  # noqa: E402
from workbook_tools.testing import xlwings_fake as fake  # noqa: E402

XW_CLASSES = {
    "Apps": xw.main.Apps, "App": xw.App, "Book": xw.Book, "Books": xw.main.Books, "Sheets": xw.main.Sheets, "Sheet": xw.Sheet,
    "Range": xw.Range, "Font": xw.main.Font, "Note": xw.main.Note, "Charts": xw.main.Charts,
    "Chart": xw.main.Chart, "FreezePanes": xw.main.FreezePanes,
}
FAKE_CLASSES = {
    "Apps": fake.FakeApps, "App": fake.FakeApp, "Book": fake.FakeBook, "Books": fake.FakeBooks, "Sheets": fake.FakeSheets,
    "Sheet": fake.FakeSheet, "Range": fake.FakeRange, "Font": fake.FakeFont, "Note": fake.FakeNote,
    "Charts": fake.FakeCharts, "Chart": fake.FakeChart, "FreezePanes": fake.FakeFreezePanes,
}

# How the adapter calls each method: (positional args, keyword args), self excluded.
CALLS: dict[str, list[tuple[tuple, dict]]] = {
    "App.alert": [(("msg", "title"), {}), (("msg", "title", "yes_no_cancel"), {})],
    "Sheets.add": [(("name",), {"after": None}), ((), {"name": "x", "before": None})],
    "Sheets.__getitem__": [((0,), {}), (("name",), {})],
    "Sheets.__iter__": [((), {})],
    "Apps.__iter__": [((), {})],
    "Books.__iter__": [((), {})],
    "Sheets.__len__": [((), {})],
    "Sheet.range": [(((1, 1), (2, 2)), {}), (("A1",), {})],
    "Sheet.delete": [((), {})],
    "Range.options": [((), {"ndim": 2})],
    "Range.merge": [((), {})],
    "Range.add_hyperlink": [(("#'S'!A1", "text"), {})],
    "Range.add_note": [(("text",), {})],
    "Note.delete": [((), {})],
    "Charts.add": [((0.0, 0.0, 360.0, 216.0), {})],
    "Chart.set_source_data": [(("rng",), {})],
    "FreezePanes.freeze_at": [(("A2",), {})],
}
# properties the adapter assigns to
SETTABLE = {"App.screen_updating", "App.status_bar", "Sheet.name", "Sheet.visible", "Range.value", "Range.color",
            "Range.number_format", "Range.wrap_text", "Range.column_width", "Font.color", "Font.bold",
            "Font.italic", "Font.size", "Chart.chart_type", "Chart.name"}


def used_api() -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for api in (xlreader.USED_API, xlapply.USED_API, live.USED_API, caller.USED_API):
        for cls, names in api.items():
            out.setdefault(cls, set()).update(names)
    return out


def _members() -> list[tuple[str, str]]:
    return sorted((c, n) for c, names in used_api().items() for n in names)


def test_declared_classes_are_known() -> None:
    assert set(used_api()) <= set(XW_CLASSES)


def test_module_level_books_has_active() -> None:
    assert isinstance(inspect.getattr_static(type(xw.books), "active"), property)


def test_module_level_apps_is_the_collection_live_mode_iterates() -> None:
    assert isinstance(xw.apps, xw.main.Apps)  # what live._xlwings_apps() hands to caller.find_book


@pytest.mark.parametrize(("cls", "name"), _members())
def test_member_exists_in_xlwings(cls: str, name: str) -> None:
    klass = XW_CLASSES[cls]
    assert hasattr(klass, name), f"xlwings {klass.__name__} has no {name}"
    member = inspect.getattr_static(klass, name)
    key = f"{cls}.{name}"
    if key in CALLS:
        assert callable(member) and not isinstance(member, property), key
        sig = inspect.signature(getattr(klass, name))
        for args, kwargs in CALLS[key]:
            sig.bind(None, *args, **kwargs)  # raises TypeError when the call would not fit
    elif isinstance(member, property):
        if key in SETTABLE:
            assert member.fset is not None, f"{key} is read-only in xlwings"
    else:
        pytest.fail(f"{key}: neither a property nor a method with a declared call")


def test_every_method_call_is_declared() -> None:
    methods = {k for k in CALLS}
    members = {f"{c}.{n}" for c, n in _members()}
    assert methods <= members
    for c, n in _members():
        if not isinstance(inspect.getattr_static(XW_CLASSES[c], n), property):
            assert f"{c}.{n}" in CALLS, f"method {c}.{n} used without a declared call shape"


def test_settable_properties_are_declared() -> None:
    members = {f"{c}.{n}" for c, n in _members()}
    assert members >= SETTABLE


def test_chart_types_exist_in_xlwings() -> None:
    names = set(xw.constants.chart_types)
    assert set(xlsheets.CHART_TYPES.values()) <= names
    assert set(fake.CHART_TYPES) <= names


def _public(klass: type) -> set[str]:
    names = set()
    for n in dir(klass):
        if n.startswith("wbt_"):
            continue
        if n.startswith("_") and n not in ("__getitem__", "__iter__", "__len__"):
            continue
        names.add(n)
    # attributes kept in __slots__ are instance attributes: count them too
    for n in getattr(klass, "__slots__", ()):
        if not n.startswith(("_", "wbt_")):
            names.add(n)
    return names


@pytest.mark.parametrize("cls", sorted(FAKE_CLASSES))
def test_fake_implements_exactly_the_subset(cls: str) -> None:
    """The fake offers the declared members and nothing else (besides wbt_ test helpers), so a
    live run against it fails with AttributeError the moment the adapter strays."""
    declared = used_api().get(cls, set())
    public = _public(FAKE_CLASSES[cls])
    assert declared <= public, f"fake {cls} lacks {sorted(declared - public)}"
    extra = public - declared
    assert not extra, f"fake {cls} offers undeclared {sorted(extra)}"


def test_fake_rejects_undeclared_attributes() -> None:
    book = fake.FakeBook("x.xlsx")
    sh = book.wbt_add_sheet("S", [["a"]])
    rng = sh.range("A1")
    with pytest.raises(AttributeError):
        rng.formula2  # noqa: B018 - an xlwings member outside the subset
    with pytest.raises(AttributeError):
        rng.api  # noqa: B018
    with pytest.raises(AttributeError):
        sh.api  # noqa: B018
    with pytest.raises(AttributeError):
        rng.row_height = 20  # type: ignore[misc]
    with pytest.raises(AttributeError):
        book.app.calculate()  # type: ignore[attr-defined]


def test_adapter_sources_use_no_fake_helpers() -> None:
    root = Path(xlapply.__file__).parent
    sources = sorted(root.glob("*.py"))
    assert {p.name for p in sources} >= {"live.py", "xlapply.py", "xlmarks.py", "xlsheets.py", "xlutil.py", "caller.py"}
    for path in sources:
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\.wbt_\w+|\._cells\b|\.api\b", text), path.name
