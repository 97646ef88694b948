"""objectives/importing/reading.py: what a file is, by its content; limits; tables; formulas."""

import io
import zipfile

import pytest

from objectives.importing import columns, reading
from objectives.importing.parsing import Unreadable
from tests.objectives.importing.helpers import csv_bytes, with_cached_values, xlsx

ROWS = [["ref", "title", "lead_team"], ["DIG-01", "Café signage for Zoë", "NHS 111 online"]]


@pytest.mark.parametrize(
    "encoding, delimiter",
    [
        ("utf-8", ","),
        ("utf-8-sig", ","),
        ("cp1252", ","),
        ("utf-8", ";"),
        ("utf-8", "\t"),
        ("utf-16", "\t"),
    ],
)
def test_a_csv_is_read_in_any_common_encoding_and_delimiter(encoding, delimiter):
    book = reading.read_book(csv_bytes(ROWS, encoding=encoding, delimiter=delimiter))
    table = book.tables["Objectives"]
    assert book.kind == "csv"
    assert table.rows == [(2, ("DIG-01", "Café signage for Zoë", "NHS 111 online"))]
    assert table.columns == {"ref": 0, "title": 1, "lead_team": 2}


@pytest.mark.parametrize(
    "header, key",
    [
        ("Lead team", "lead_team"),
        ("LEAD_TEAM", "lead_team"),
        ("Lead", "lead_team"),
        ("  lead   team ", "lead_team"),
        ("Due date", "delivery_date"),
        ("Delivery Date", "delivery_date"),
        ("delivery-date", "delivery_date"),
        ("Owner", "owner_email"),
        ("Ref*", "ref"),
        ("Initial rating (optional)", "initial_rating"),
        ("RAG", "initial_rating"),
        ("Contributing teams", "contributing_teams"),
        ("Depends on", "depends_on"),
    ],
)
def test_headers_are_matched_in_any_case_spacing_and_by_alias(header, key):
    assert columns.column_for_header(columns.OBJECTIVES, header) == key


def test_columns_may_come_in_any_order_after_title_rows_and_blank_rows():
    rows = [
        ["Business plan 2024/25"],
        [],
        ["Lead", "Title", "Ref"],
        ["NHS 111 online", "Signage", "DIG-01"],
        [],
        ["Ambulance flow", "Handover", "OPS-01"],
    ]
    table = reading.read_book(xlsx({"Objectives": rows})).tables["Objectives"]
    assert table.header_row == 3
    assert table.columns == {"lead_team": 0, "title": 1, "ref": 2}
    assert [number for number, _ in table.rows] == [4, 6]


def test_notes_below_the_table_are_ignored_and_listed():
    rows = [
        *ROWS,
        [],
        ["Agreed by the board on 27 March 2024"],
        [None, None, None, "Source: board"],
    ]
    table = reading.read_book(xlsx({"Objectives": rows})).tables["Objectives"]
    assert [number for number, _ in table.rows] == [2]
    assert table.notes == [(4, "Agreed by the board on 27 March 2024"), (5, "Source: board")]


def test_unknown_columns_are_listed_and_duplicates_and_missing_columns_are_problems():
    rows = [["Ref", "Lead", "Lead team", "Colour"], ["DIG-01", "A", "B", "red"]]
    table = reading.read_book(xlsx({"Objectives": rows})).tables["Objectives"]
    assert table.ignored_headers == ["Colour"]
    assert [p.message for p in table.problems] == [
        "Objectives row 1, lead_team: 'Lead team' names the same column as 'Lead'; keep one of "
        "them",
        "Objectives row 1, title: column is missing; add a column headed title (or objective, "
        "objective title)",
    ]


def test_sheets_are_found_by_name_and_the_read_me_is_skipped():
    data = xlsx(
        {
            "Read me": [["How to fill in this workbook"]],
            "OBJECTIVES": ROWS,
            "milestones": [
                ["objective_ref", "title", "due_date"],
                ["DIG-01", "Beta", "30/09/2024"],
            ],
        }
    )
    book = reading.read_book(data)
    assert sorted(book.tables) == ["Milestones", "Objectives"]
    assert book.notes == []


def test_an_oddly_named_sheet_is_read_when_its_header_fits():
    book = reading.read_book(xlsx({"Sheet1": ROWS, "Lookups": [["Team"], ["x"]]}))
    assert list(book.tables) == ["Objectives"]
    assert book.notes == [
        "Sheet 'Sheet1' was read as the Objectives sheet.",
        "Sheet 'Lookups' was not read: its name says it is a summary or a list of choices, "
        "not the plan.",
    ]


PDF = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n" + bytes(range(256))
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(200)
NOT_A_TABLE = (
    "The file is not a CSV file or an Excel workbook (.xlsx). Save the plan from Excel as "
    "'Excel Workbook (.xlsx)' or 'CSV UTF-8 (comma delimited)' and upload that."
)


@pytest.mark.parametrize("content", [PDF, PNG, bytes(range(256)) * 10])
def test_a_binary_file_is_refused_by_its_content_whatever_its_name(content):
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.sniff(content, name="The file")
    assert str(raised.value) == NOT_A_TABLE


def test_text_without_delimiters_is_not_a_csv():
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.sniff(b"Dear colleagues,\nplease find the plan attached\n".replace(b",", b""))
    assert str(raised.value).startswith(
        "The file is text, but its first line has no commas, semicolons or tabs between column "
        "names, so it is not a CSV table."
    )


def test_an_old_xls_file_is_refused_with_what_to_do():
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.sniff(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(600))
    assert str(raised.value) == (
        "The file is an old-style Excel 97-2003 (.xls) file or a password-protected workbook. "
        "Save it as an Excel workbook (.xlsx) without a password, or as CSV, and upload that."
    )


def test_a_zip_that_is_not_a_workbook_is_refused():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
        archive.writestr("[Content_Types].xml", "<Types/>")
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.sniff(buffer.getvalue())
    assert str(raised.value).startswith("The file is a zip file but not an Excel workbook (.xlsx).")


def test_a_damaged_workbook_is_refused():
    data = xlsx({"Objectives": ROWS})
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.read_book(data[: len(data) // 2])
    assert str(raised.value) == (
        "The file looks like an Excel workbook but is damaged; open it in Excel, save it again "
        "and upload the new copy."
    )


def zip_bomb(unpacked_megabytes: int) -> bytes:
    """A real workbook whose one sheet unpacks to many megabytes of zeros (a few KB zipped)."""
    data = xlsx({"Objectives": ROWS})
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            target.writestr(info.filename, source.read(info))
        target.writestr("xl/media/padding.bin", bytes(unpacked_megabytes * 1024 * 1024))
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(settings):
    settings.IMPORT_MAX_UNCOMPRESSED_BYTES = 50 * 1024 * 1024
    data = zip_bomb(60)
    assert len(data) < 100 * 1024
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.sniff(data)
    assert str(raised.value) == (
        "The file unpacks to more than 50 MB (it holds 60 MB once unzipped), so it was refused "
        "without being opened. Copy just the Objectives, Milestones and Measures sheets into a "
        "new workbook and upload that."
    )


def test_an_oversized_file_is_refused(settings):
    settings.IMPORT_MAX_BYTES = 1024 * 1024
    data = csv_bytes([["ref", "title", "lead_team"]] + [["X", "y" * 100, "z"]] * 11000)
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.read_book(data)
    assert str(raised.value) == (
        "The file is 1 MB; the most this service accepts is 1 MB. Remove sheets other than "
        "Objectives, Milestones and Measures, or split the plan into two files."
    )


def test_too_many_rows_are_refused(settings):
    settings.IMPORT_MAX_ROWS = 100
    data = csv_bytes([["ref", "title", "lead_team"]] + [[f"R{n}", "t", "x"] for n in range(101)])
    with pytest.raises(reading.UnreadableFile) as raised:
        reading.read_book(data)
    assert str(raised.value) == (
        "Objectives has more than 100 rows; the most one import takes is 100 per sheet. Split "
        "the plan into two files."
    )


def test_a_formula_is_read_as_the_result_excel_saved_never_evaluated():
    data = xlsx({"Objectives": [*ROWS, ["DIG-02", '=CONCAT("Sign","age")', "NHS 111 online"]]})
    data = with_cached_values(data, {"B3": "Signage"})
    book = reading.read_book(data)
    assert book.tables["Objectives"].rows[1] == (3, ("DIG-02", "Signage", "NHS 111 online"))
    assert book.notes == ["1 cells hold formulas; the results Excel saved with them were used."]


def test_a_formula_with_no_saved_result_is_an_unreadable_cell():
    data = xlsx({"Objectives": [*ROWS, ["DIG-02", "=A1&A2", "NHS 111 online"]]})
    row = reading.read_book(data).tables["Objectives"].rows[1]
    assert row == (3, ("DIG-02", Unreadable("=A1&A2", reading.FORMULA_NO_VALUE), "NHS 111 online"))


def test_a_sheet_without_a_header_row_says_so():
    book = reading.read_book(xlsx({"Objectives": [["just", "some"], ["words", "here"]]}))
    assert [p.message for p in book.problems] == [
        "Objectives has no header row naming its columns; the first row should name the "
        "columns, including ref, title, lead_team"
    ]


def test_a_workbook_without_any_plan_sheet_says_so():
    book = reading.read_book(xlsx({"Budget": [["Cost centre", "Amount"], ["X1", 10]]}))
    assert [p.message for p in book.problems] == [
        "The file has no Objectives, Milestones or Measures sheet; use the template's sheet and "
        "column names"
    ]
