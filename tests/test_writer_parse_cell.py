"""The pre-flight's and the read-back's cell reader: the plain-cell fast path gives exactly what
the general path gives, for every shape it takes and every shape it must leave to the general path."""

from __future__ import annotations

import pytest

from workbook_tools.writer.values import SharedStrings, parse_any_cell, parse_cell

SST = SharedStrings(b'<sst><si><t>first</t></si><si><t xml:space="preserve"> two &amp; </t></si>'
                    b'<si><r><t>rich</t></r><r><t>_x0041_</t></r></si></sst>')

CELLS = [
    b'<c r="A1"/>', b'<c r="A1" s="3"/>', b'<c r="AB12" s="3" t="s"><v>0</v></c>', b'<c r="A1" t="s"><v>1</v></c>',
    b'<c r="A1" t="s"><v>2</v></c>', b'<c r="A1" t="s"><v>9</v></c>', b'<c r="A1"><v>12.5</v></c>',
    b'<c r="A1" s="1"><v>45000</v></c>', b'<c r="A1"><v>1E-3</v></c>', b'<c r="A1"><v>oops</v></c>',
    b'<c r="A1" t="b"><v>1</v></c>', b'<c r="A1" t="b"><v>0</v></c>', b'<c r="A1" t="b"><v>true</v></c>',
    b'<c r="A1" t="e"><v>#N/A</v></c>', b'<c r="A1" t="str"><v>a_x000D_b</v></c>',
    b'<c r="A1" t="str"><v>x &lt; y</v></c>', b'<c r="A1" t="inlineStr"><is><t>\xe5\xae\xa2\xe6\x88\xb7</t></is></c>',
    b'<c r="A1" t="inlineStr"><is><t xml:space="preserve"> a &amp; b </t></is></c>',
    b'<c r="A1" t="inlineStr"><is><t>_x0041__x005F_x0042_</t></is></c>', b'<c r="A1" t="inlineStr"/>',
    b'<c r="A1" t="inlineStr"><v>5</v></c>', b'<c r="A1" t="n"><is><t>5</t></is></c>',
    b'<c r="A1" t="d"><v>2024-03-05T00:00:00</v></c>', b'<c r="A1"><f>B1+1</f><v>3</v></c>',
    b'<c r="A1" t="str"><f>B1</f><v>x</v></c>', b'<c r="A1" t="s"><v></v></c>', b'<c r="A1" t="n"><v/></c>',
    b'<c s="2" r="A1" t="s"><v>0</v></c>', b'<x:c r="A1" t="s"><x:v>0</x:v></x:c>',
    b'<c r="A1" t="inlineStr"><is><r><t>a</t></r><r><t>b</t></r></is></c>',
    b'<c r="A1" t="inlineStr"><is><t>a</t><rPh><t>ph</t></rPh></is></c>',
    b'<c r="A1" t="s" cm="1"><v>0</v></c>', b'<c r="A1"  s="1"><v>2</v></c>', b'<c r="A1" s="1" t="n"><v> 7 </v></c>',
]


@pytest.mark.parametrize("blob", CELLS, ids=range(len(CELLS)))
def test_the_fast_path_reads_every_cell_as_the_general_path_does(blob: bytes) -> None:
    try:
        expected = parse_any_cell(blob, 1, 1, SST)
    except ValueError:  # a damaged cell: both paths refuse it alike
        with pytest.raises(ValueError):
            parse_cell(blob, 1, 1, SST)
        return
    assert parse_cell(blob, 1, 1, SST) == expected


def test_values_by_hand() -> None:
    got = {b: parse_cell(b, 1, 1, SST).value for b in CELLS[:20]}
    assert got[b'<c r="A1" t="s"><v>1</v></c>'] == " two & "
    assert got[b'<c r="A1" t="s"><v>2</v></c>'] == "richA"
    assert got[b'<c r="A1"><v>12.5</v></c>'] == 12.5
    assert got[b'<c r="A1" t="b"><v>true</v></c>'] is True
    assert got[b'<c r="A1" t="str"><v>a_x000D_b</v></c>'] == "a\rb"
    assert got[b'<c r="A1" t="inlineStr"><is><t xml:space="preserve"> a &amp; b </t></is></c>'] == " a & b "
    assert got[b'<c r="A1" t="inlineStr"><is><t>_x0041__x005F_x0042_</t></is></c>'] == "A_x0042_"
    assert parse_cell(b'<c r="AB12" s="3" t="s"><v>0</v></c>', 12, 28, SST).style == 3


ROWS = [b'<c r="A1"><v>1</v></c><c r="B1"/>', b'<c><v>1</v></c>', b'<c r="A1"/><c s="1"><v>2</v></c>',
        b'<c s="1" r="B2"/>', b'<c r="A1" t="inlineStr"><is><r><rPr><color rgb="FF0000"/></rPr><t>x</t></r></is></c>',
        b'<x:c r="A1"/>', b'<x:c s="1"/>', b"", b'<c r="A1"/><c/>', b'<c\tr="A1"/>', b'<c r="A1"/><c>']


@pytest.mark.parametrize("body", ROWS, ids=range(len(ROWS)))
def test_the_byte_count_shortcut_for_cells_without_r_agrees_with_the_pattern(body: bytes) -> None:
    from workbook_tools.writer.cellfind import _R_LESS, has_r_less_cell

    assert has_r_less_cell(body) == (_R_LESS.search(body) is not None)
