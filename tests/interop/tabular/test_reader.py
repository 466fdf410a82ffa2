"""Reading what spreadsheet programs save: encodings, separators, junk rows above the header, XLSX
types, and files that cannot be read, with a message that says why."""

from __future__ import annotations

import datetime as dt

import pytest

from compact.interop.tabular import hxl
from compact.interop.tabular.reader import TableError, read_table
from interop.tabular.files import DATA, csv_bytes, xlsx_bytes


def test_hashtags_ignore_case_spaces_and_attribute_order():
    assert hxl.parse("#org +code +lead") == hxl.parse(" #ORG+Lead +code ")
    assert hxl.parse("#org +lead").attributes == frozenset({"lead"})
    assert str(hxl.parse("#activity+name+i_fr")) == "#activity +i_fr +name"
    assert hxl.parse("Org") is None and hxl.parse("#1org") is None and hxl.parse("# org") is None


def test_libhxl_rule_for_the_hashtag_row():
    assert hxl.is_hashtag_row(["#org", "", "#adm1", "note"])  # half the filled cells are hashtags
    assert not hxl.is_hashtag_row(["#org", "Province", "Number"])
    assert not hxl.is_hashtag_row(["", None, " "])


def test_junk_rows_above_the_header_are_skipped_as_libhxl_does():
    table = read_table((DATA / "input-multiple-headers.csv").read_bytes(), "input-multiple-headers.csv")
    # Row 1 "Junk,...", row 2 the names, row 3 the hashtags, rows 4-5 data.
    assert (table.header_row, table.hashtag_row) == (2, 3)
    assert [c.header for c in table.columns] == ["Org", "No hashtag", "Province", "Number affected"]
    assert [str(c.hashtag) if c.hashtag else None for c in table.columns] == ["#org", None, "#adm1", "#affected"]
    assert [(r.number, r.cells) for r in table.rows] == [(4, ("Org X", "xxx", "Coast", " 100")),
                                                         (5, ("Org Y", "yyy", "Mountains", " 200"))]


def test_a_latin1_file_is_refused_naming_the_first_byte_that_is_not_utf8():
    data = (DATA / "input-valid-latin1.csv").read_bytes()
    with pytest.raises(TableError) as caught:
        read_table(data, "input-valid-latin1.csv")
    message = str(caught.value)
    # "Qu\xe9?" : the first non-UTF-8 byte is 0xE9 (é in Latin-1), line 1, the third character.
    assert "byte 0xE9 on line 1, position 3" in message
    assert "CSV UTF-8" in message


@pytest.mark.parametrize("name,separator", [("input-valid.ssv", "semicolons"), ("input-valid.tsv", "tabs")])
def test_semicolon_and_tab_separated_files(name, separator):
    table = read_table((DATA / name).read_bytes(), name)
    assert f"Columns separated by {separator}." in table.notes
    assert str(table.columns[3].hashtag) == "#org +es"
    assert table.rows[0].number == 4 and table.rows[0].cells[:4] == ("001", "WASH", "Higiene", "ACNUR")


def test_byte_order_mark_and_semicolons_as_excel_saves_them():
    data = csv_bytes([["iati_identifier", "countries"], ["#activity +code", "#country +code"],
                      ["XM-1", "004:50;008:50"]], delimiter=";", bom=True)
    table = read_table(data, "excel.csv")
    assert table.columns[0].header == "iati_identifier"  # no BOM glued to the first name
    assert table.rows[0].cells == ("XM-1", "004:50;008:50")  # the ; inside a quoted cell stays
    assert "Read as UTF-8 (byte-order mark found)." in table.notes


def test_utf16_as_excel_unicode_text():
    text = "title_ru\ttitle_zh_hans\r\n#activity +name +i_ru\t#activity +name +i_zh\r\nБезопасность\t边境安全\r\n"
    table = read_table(text.encode("utf-16"), "unicode.txt")
    assert table.rows[0].cells == ("Безопасность", "边境安全")


def test_codes_keep_leading_zeros_in_csv():
    table = read_table(csv_bytes([["countries"], ["#country +code"], ["004"]]), "f.csv")
    assert table.rows[0].cells == ("004",)


def test_xlsx_cells_keep_their_types_and_row_numbers():
    data = xlsx_bytes([["Projects of 2025"], [], ["start", "countries", "amount"],
                       ["#date +start", "#country +code", "#value"],
                       [dt.datetime(2025, 1, 15), 4, 1234.5], [], [45672, "004", "10"]])
    table = read_table(data, "f.xlsx")
    assert table.format == "xlsx" and (table.header_row, table.hashtag_row) == (3, 4)
    assert [(r.number, r.cells) for r in table.rows] == [
        (5, (dt.datetime(2025, 1, 15), 4, 1234.5)), (7, (45672, "004", "10"))]


def test_a_damaged_workbook_gets_a_clear_error():
    with pytest.raises(TableError, match="The Excel workbook is damaged and cannot be read"):
        read_table((DATA / "input-broken.xlsx").read_bytes(), "input-broken.xlsx")


def test_libhxl_valid_workbook_is_read():
    table = read_table((DATA / "input-valid.xlsx").read_bytes(), "input-valid.xlsx")
    assert str(table.columns[1].hashtag) == "#sector +es" and table.rows[0].cells[0] == "001"


@pytest.mark.parametrize("data,name,message", [
    (b"", "f.csv", "The file is empty."),
    (b"\xd0\xcf\x11\xe0rest", "f.xls", "Excel 97-2003 workbooks (.xls) are not read"),
    (b"a,b\n1,2\n", "f.xlsx", "is not one (an .xlsx file is a ZIP archive)"),
    (b"name,title\nx,y\n", "f.csv", "No row of HXL hashtags found in the first 25 rows"),
    (b"PK\x03\x04broken", "f.xlsx", "not a readable Excel workbook"),
])
def test_unreadable_files_say_why(data, name, message):
    with pytest.raises(TableError, match=message.replace("(", r"\(").replace(")", r"\)").replace(".", r"\.")):
        read_table(data, name)
