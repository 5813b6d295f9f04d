"""Encoding/format detection, delimiter sniffing, header matching and streamed reading."""

import codecs
import datetime as dt
import io
from typing import Any

import pytest
from openpyxl import Workbook

from cxm.core.spreadsheets import (
    SpreadsheetError,
    SpreadsheetErrorCode,
    TableReader,
    cell_text,
    detect_encoding,
    detect_format,
    inspect_table,
    looks_like_cp1256,
    match_headers,
    normalize_header,
    sniff_delimiter,
)

PERSIAN = "external_id,name,phone\nC1,علی رضایی,09121234567\nC2,زهرا کریمی‌پور,09351234567\n"
ARABIC = "external_id,name\nA1,محمد العبدالله\nA2,فاطمة الزهراء\n"


def cp1256(text: str) -> bytes:
    """Text as Excel on Persian Windows saves it: Persian yeh (U+06CC) becomes Arabic yeh."""
    return text.replace("ی", "ي").encode("cp1256")


def _stream(data: bytes) -> io.BytesIO:
    return io.BytesIO(data)


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (PERSIAN.encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + PERSIAN.encode("utf-8"), "utf-8-sig"),
        (cp1256(PERSIAN), "cp1256"),
        (cp1256(ARABIC), "cp1256"),
        (PERSIAN.encode("utf-16"), "utf-16"),  # Python writes a BOM
        (b"external_id,name\nC1,Ann\n", "utf-8"),
    ],
)
def test_detect_encoding(data, expected):
    stream = _stream(data)
    assert detect_encoding(stream) == expected
    assert stream.tell() == 0


def test_short_persian_in_cp1256_is_not_mistaken_by_charset_normalizer():
    # One short name: charset-normalizer alone tends to guess a Cyrillic or Latin code page.
    data = cp1256("نام\nپژمان\n")
    assert detect_encoding(_stream(data)) == "cp1256"
    assert looks_like_cp1256(data)


def test_utf8_is_checked_to_the_end_of_the_file():
    # The first 100 KB are ASCII; the Windows-1256 bytes come later.
    data = ("id,name\n" + "C,Ann\n" * 20_000).encode() + cp1256("C9,رضا\n")
    assert detect_encoding(_stream(data)) == "cp1256"


def test_hungarian_excel_csv_is_windows_1250():
    text = "azonosító,név\nH1,Őry Árvíztűrő tükörfúrógép\n"
    assert detect_encoding(_stream(text.encode("cp1250"))) == "cp1250"


def test_bytes_in_no_known_encoding_are_refused():
    data = b"id,name\n1,\x8f\x90\x81\x9a\x80\x84\x85\x86\x87\x88\x89\x8a\x8b\x8c\n"
    with pytest.raises(SpreadsheetError) as info:
        detect_encoding(_stream(data))
    assert info.value.code == SpreadsheetErrorCode.UNKNOWN_ENCODING


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("a,b,c\n1,2,3\n", ","),
        ("a;b;c\n1;2,5;3\n", ";"),
        ("a\tb\tc\n1\t2\t3\n", "\t"),
        ("نام؛تلفن\n", ","),  # Arabic semicolon is not a delimiter; one column
        ("name\nAnn\n", ","),
        ('name;note\n"Ann";"a, b, c, d"\n', ";"),
    ],
)
def test_sniff_delimiter(sample, expected):
    assert sniff_delimiter(sample) == expected


def test_normalize_header_folds_case_punctuation_and_letter_forms():
    assert normalize_header(" E-Mail ") == normalize_header("email") == "email"
    assert normalize_header("External_ID") == "externalid"
    assert normalize_header("شماره\u200cموبایل") == normalize_header("شماره موبایل")
    assert normalize_header("الهاتف") == normalize_header("الهاتف")
    assert normalize_header("كد مشتري") == normalize_header("کد مشتری")  # Arabic kaf/yeh
    assert normalize_header("Név") == "nev"


def test_match_headers_by_names_and_aliases_in_four_languages():
    fields = {
        "external_id": ["id", "شناسه"],
        "name": ["نام", "الاسم", "Név"],
        "phone": ["تلفن", "موبایل", "الهاتف", "Telefon"],
    }
    for headers, expected in [
        (["ID", "نام", "موبایل"], {"external_id": 0, "name": 1, "phone": 2}),
        (["الاسم", "الهاتف", "external id"], {"name": 0, "phone": 1, "external_id": 2}),
        (["Név", "Telefon", "Other"], {"name": 0, "phone": 1}),
        (["phone", "Phone"], {"phone": 0}),  # a header is used once
    ]:
        assert match_headers(headers, fields) == expected


def test_field_name_beats_another_fields_alias():
    fields = {"name": ["customer"], "customer": []}
    assert match_headers(["customer", "name"], fields) == {"name": 1, "customer": 0}


def test_detect_format():
    assert detect_format(b"PK\x03\x04rest", "a.xlsx") == "xlsx"
    assert detect_format(b"a,b\n", "a.csv") == "csv"
    for data, name, code in [
        (b"", "a.csv", SpreadsheetErrorCode.EMPTY),
        (b"\xd0\xcf\x11\xe0\xa1\xb1", "a.xls", SpreadsheetErrorCode.LEGACY_XLS),
        (b"a,b\n", "a.xlsx", SpreadsheetErrorCode.BAD_XLSX),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "a.csv", SpreadsheetErrorCode.NOT_TABULAR),
    ]:
        with pytest.raises(SpreadsheetError) as info:
            detect_format(data, name)
        assert info.value.code == code


def test_inspect_and_read_cp1256_semicolon_file():
    text = "external_id;name;phone\r\nC1;علی رضایی;0912 123 4567\r\n\r\nC2;گلناز;\r\n"
    stream = _stream(cp1256(text))
    info = inspect_table(stream, "people.csv")
    assert (info.format, info.encoding, info.delimiter) == ("csv", "cp1256", ";")
    assert info.headers == ["external_id", "name", "phone"]
    assert info.preview[0] == ["C1", "علي رضايي", "0912 123 4567"]
    reader = TableReader(stream, info, size=len(stream.getvalue()))
    rows = list(reader.rows())
    # Row numbers as a spreadsheet shows them; the blank row 3 is skipped.
    assert rows == [(2, ["C1", "علي رضايي", "0912 123 4567"]), (4, ["C2", "گلناز", ""])]
    assert reader.fraction_done() == 1.0
    reader.close()
    assert not stream.closed


def test_inspect_utf16_tab_file():
    text = "external_id\tname\nC1\tŐry Ágnes\n"
    info = inspect_table(_stream(text.encode("utf-16")), "x.txt")
    assert (info.encoding, info.delimiter, info.headers) == (
        "utf-16",
        "\t",
        ["external_id", "name"],
    )


def test_file_without_header_row():
    with pytest.raises(SpreadsheetError) as info:
        inspect_table(_stream(b"\r\n\r\n  \n"), "x.csv")
    assert info.value.code == SpreadsheetErrorCode.NO_HEADER
    with pytest.raises(SpreadsheetError) as info:
        inspect_table(_stream(b",,\nC1,Ann,\n"), "x.csv")
    assert info.value.code == SpreadsheetErrorCode.NO_HEADER


def test_xlsx_streamed_with_typed_cells():
    workbook = Workbook()
    sheet: Any = workbook.active
    sheet.append(["external_id", "name", "phone", "club_joined_on"])
    sheet.append(["C1", "Kovács Éva", 9121234567, dt.datetime(2024, 3, 20)])
    sheet.append([None, None, None, None])
    sheet.append([1002, "=1+1", None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    info = inspect_table(buffer, "book.xlsx")
    assert info.format == "xlsx"
    assert info.headers == ["external_id", "name", "phone", "club_joined_on"]
    with TableReader(buffer, info) as reader:
        rows = list(reader.rows())
        assert reader.fraction_done() == 1.0
    assert [number for number, _cells in rows] == [2, 4]
    assert [cell_text(c) for c in rows[0][1]] == ["C1", "Kovács Éva", "9121234567", "2024-03-20"]


def test_damaged_xlsx():
    with pytest.raises(SpreadsheetError) as info:
        inspect_table(_stream(b"PK\x03\x04not really a zip"), "x.xlsx")
    assert info.value.code == SpreadsheetErrorCode.BAD_XLSX


def test_cell_text():
    assert cell_text(None) == ""
    assert cell_text(9121234567.0) == "9121234567"
    assert cell_text(2.5) == "2.5"
    assert cell_text(True) == "1"
    assert cell_text(dt.date(2024, 1, 2)) == "2024-01-02"
    assert cell_text(dt.datetime(2024, 1, 2, 10, 30)) == "2024-01-02 10:30:00"
