"""Reading uploaded spreadsheets: format, encoding and delimiter detection, header matching,
and streamed row iteration over CSV and XLSX files.

Pure Python (no Django): errors carry a stable `code` and `params`; the caller turns them
into translated text.

Encodings: Excel writes CSV as UTF-8 (with or without a BOM), as Windows-1256 in Iran and
the Arab world, and as UTF-16 with a BOM ("Unicode text"). Detection checks BOMs, then
strict UTF-8 over the whole file (incrementally, in chunks), then Windows-1256 when the
non-ASCII text decodes to Arabic-script letters, Windows-1250 (Hungarian Excel) when it
decodes to Central European letters, and only then asks charset-normalizer, which guesses
wrongly on short Persian text.
"""

import codecs
import csv
import datetime as dt
import io
import re
import zipfile
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import IO, Any

from cxm.core.text import normalize_search

SAMPLE_BYTES = 64 * 1024
_CHUNK = 1024 * 1024
_DELIMITERS = ",;\t|"
_XLSX_MAGIC = b"PK\x03\x04"
_OLE_MAGIC = b"\xd0\xcf\x11\xe0"  # legacy .xls (and other Office 97 files)
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_NON_WORD = re.compile(r"[\W_]+")
# Characters Windows-1256 maps high bytes to that real Persian/Arabic text is made of.
_ARABIC_EXTRAS = frozenset("\u200c\u200d\u200e\u200f«»…–—‘’“”€")
# Letters of Hungarian (and neighbours) that Windows-1250 (Excel in Hungary) writes.
_CENTRAL_EUROPEAN = frozenset(
    "áéíóöőúüűÁÉÍÓÖŐÚÜŰčďěňřšťůžČĎĚŇŘŠŤŮŽąćęłńśźżĄĆĘŁŃŚŹŻäôĺľŕÄÔĹĽŔß„“”‚‘’–—…€«»°§\xa0"
)


class SpreadsheetErrorCode(StrEnum):
    EMPTY = "empty"
    NOT_TABULAR = "not_tabular"
    LEGACY_XLS = "legacy_xls"
    UNKNOWN_ENCODING = "unknown_encoding"
    DECODE_ERROR = "decode_error"
    NO_HEADER = "no_header"
    BAD_XLSX = "bad_xlsx"
    BAD_ROW = "bad_row"


class SpreadsheetError(Exception):
    """The file cannot be read. `params` may name `row` (1-based, as a spreadsheet shows)."""

    def __init__(self, code: SpreadsheetErrorCode, **params: Any):
        super().__init__(code, params)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class TableInfo:
    """What inspection found: enough to read the rows again later."""

    format: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""
    headers: list[str] = field(default_factory=list)
    preview: list[list[str]] = field(default_factory=list)


# ---------------------------------------------------------------------------- detection


def detect_format(head: bytes, filename: str = "") -> str:
    """ "xlsx" for a ZIP container, "csv" for anything that looks like text."""
    if not head:
        raise SpreadsheetError(SpreadsheetErrorCode.EMPTY)
    if head.startswith(_XLSX_MAGIC):
        return "xlsx"
    if head.startswith(_OLE_MAGIC):
        raise SpreadsheetError(SpreadsheetErrorCode.LEGACY_XLS)
    if filename.lower().endswith((".xlsx", ".xlsm")):
        raise SpreadsheetError(SpreadsheetErrorCode.BAD_XLSX)
    if b"\x00" in head and not head.startswith(_UTF16_BOMS):
        raise SpreadsheetError(SpreadsheetErrorCode.NOT_TABULAR)
    return "csv"


def detect_encoding(stream: IO[bytes]) -> str:
    """The text encoding of a seekable binary stream; the stream is left at position 0.

    Reads the whole stream once, in chunks, to be sure UTF-8 holds to the end.
    """
    stream.seek(0)
    head = stream.read(4)
    if head.startswith(codecs.BOM_UTF8):
        stream.seek(0)
        return "utf-8-sig"
    if head.startswith(_UTF16_BOMS):
        stream.seek(0)
        return "utf-16"
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    offset = 0
    try:
        while chunk := stream.read(_CHUNK):
            decoder.decode(chunk)
            offset += len(chunk)
        decoder.decode(b"", final=True)
    except UnicodeDecodeError as exc:
        bad_at = offset + exc.start
    else:
        stream.seek(0)
        return "utf-8"
    # Judge the other encodings on the text around the first non-UTF-8 byte.
    stream.seek(max(0, bad_at - 1024))
    sample = stream.read(SAMPLE_BYTES)
    stream.seek(0)
    if looks_like_cp1256(sample):
        return "cp1256"
    if _share_of(sample, "cp1250", _CENTRAL_EUROPEAN.__contains__) >= 0.85:
        return "cp1250"
    return _guess_with_charset_normalizer(sample)


def _share_of(sample: bytes, encoding: str, wanted: Callable[[str], bool]) -> float:
    """The share of non-ASCII characters of `sample` decoded as `encoding` that are wanted."""
    text = sample.decode(encoding, errors="replace")
    high = [ch for ch in text if ord(ch) > 127]
    if not high:
        return 0.0
    return sum(1 for ch in high if wanted(ch)) / len(high)


def looks_like_cp1256(sample: bytes) -> bool:
    """True when the non-ASCII bytes decode (as Windows-1256) to Arabic-script text."""
    return _share_of(sample, "cp1256", _is_arabic_script) >= 0.85


def _is_arabic_script(ch: str) -> bool:
    return "\u0600" <= ch <= "\u06ff" or ch in _ARABIC_EXTRAS


def _guess_with_charset_normalizer(sample: bytes) -> str:
    """Last resort, trusted only when it recognises a language in clean text: on short
    text it readily names a code page that turns every letter into another."""
    from charset_normalizer import from_bytes

    best = from_bytes(sample).best()
    if best is None or not best.encoding or best.chaos > 0.1 or best.coherence < 0.2:
        raise SpreadsheetError(SpreadsheetErrorCode.UNKNOWN_ENCODING)
    encoding = str(best.encoding)
    try:
        sample.decode(encoding)
    except (LookupError, UnicodeDecodeError):
        raise SpreadsheetError(SpreadsheetErrorCode.UNKNOWN_ENCODING) from None
    return encoding


def sniff_delimiter(sample: str) -> str:
    """Comma, semicolon, tab or pipe: csv.Sniffer first, then counting on the header line."""
    lines = sample.splitlines()
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the sample may cut its last line in half
    text = "\n".join(lines[:50])
    if not text.strip():
        return ","
    try:
        delimiter = csv.Sniffer().sniff(text, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        delimiter = ""
    header = lines[0]
    counts = {d: header.count(d) for d in _DELIMITERS}
    # The sniffer may pick a character that only appears inside values; the header line,
    # which holds short names, settles it.
    if delimiter and counts.get(delimiter, 0) > 0:
        return delimiter
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


# ----------------------------------------------------------------------- header matching


def normalize_header(value: object) -> str:
    """Fold a header to letters and digits only: "E-Mail", "e_mail " and "email" are equal.

    Uses `normalize_search`, so Persian/Arabic letter forms, ZWNJ and diacritics and
    Hungarian accents do not matter either.
    """
    return _NON_WORD.sub("", normalize_search(str(value or "")))


def match_headers(headers: Sequence[str], fields: Mapping[str, Iterable[str]]) -> dict[str, int]:
    """Map target field names to header positions by name and aliases.

    `fields` maps each field name to its aliases. A field's own name wins over an alias of
    another field; each header is used at most once; fields in `fields` order.
    """
    keys = [normalize_header(h) for h in headers]
    taken: set[int] = set()
    result: dict[str, int] = {}

    def first(wanted: set[str]) -> int | None:
        for index, key in enumerate(keys):
            if key and key in wanted and index not in taken:
                return index
        return None

    for name in fields:
        index = first({normalize_header(name)})
        if index is not None:
            result[name] = index
            taken.add(index)
    for name, aliases in fields.items():
        if name in result:
            continue
        index = first({normalize_header(a) for a in aliases} - {""})
        if index is not None:
            result[name] = index
            taken.add(index)
    return result


# ---------------------------------------------------------------------------- reading


def cell_text(value: Any) -> str:
    """A cell as text: integers stay integral (Excel gives 9121234567.0 for a number)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        if value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _is_blank(cells: Sequence[Any]) -> bool:
    return all(c is None or (isinstance(c, str) and not c.strip()) for c in cells)


class TableReader:
    """Streams the data rows of a CSV or XLSX file as `(row_number, cells)`.

    Row numbers are those a spreadsheet shows: the header is row 1. Blank rows are skipped.
    `fraction_done()` tells how far reading has got (None when it cannot be known).
    Use as a context manager, or call `close()`.
    """

    def __init__(self, stream: IO[bytes], info: TableInfo, *, size: int | None = None):
        self.stream = stream
        self.info = info
        self.size = size
        self._row = 0
        self._xlsx_rows: int | None = None
        self._workbook: Any = None
        self._text: io.TextIOWrapper | None = None

    def __enter__(self) -> "TableReader":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._workbook is not None:
            self._workbook.close()
            self._workbook = None
        if self._text is not None:
            self._text.detach()  # leave the caller's stream open
            self._text = None

    def fraction_done(self) -> float | None:
        if self.info.format == "csv":
            if not self.size:
                return None
            try:
                return min(1.0, self.stream.tell() / self.size)
            except (OSError, ValueError):
                return None
        if self._xlsx_rows:
            return min(1.0, self._row / self._xlsx_rows)
        return None

    def rows(self, *, include_header: bool = False) -> Iterator[tuple[int, list[Any]]]:
        raw = self._csv_rows() if self.info.format == "csv" else self._xlsx_rows_iter()
        for number, cells in raw:
            self._row = number
            if number == 1:
                if include_header:
                    yield number, cells
                continue
            if not _is_blank(cells):
                yield number, cells

    def _csv_rows(self) -> Iterator[tuple[int, list[Any]]]:
        self.stream.seek(0)
        self._text = io.TextIOWrapper(
            self.stream, encoding=self.info.encoding or "utf-8", errors="strict", newline=""
        )
        reader = csv.reader(self._text, delimiter=self.info.delimiter or ",")
        number = 0
        while True:
            try:
                cells = next(reader)
            except StopIteration:
                return
            except UnicodeDecodeError:
                raise SpreadsheetError(
                    SpreadsheetErrorCode.DECODE_ERROR, row=number + 1, encoding=self.info.encoding
                ) from None
            except csv.Error as exc:
                raise SpreadsheetError(
                    SpreadsheetErrorCode.BAD_ROW, row=number + 1, detail=str(exc)
                ) from None
            number += 1
            yield number, cells

    def _xlsx_rows_iter(self) -> Iterator[tuple[int, list[Any]]]:
        from openpyxl import load_workbook

        self.stream.seek(0)
        try:
            self._workbook = load_workbook(self.stream, read_only=True, data_only=True)
            sheet: Any = self._workbook.worksheets[0]
            self._xlsx_rows = sheet.max_row if isinstance(sheet.max_row, int) else None
            rows = sheet.iter_rows(values_only=True)
        except (zipfile.BadZipFile, KeyError, OSError, ValueError, IndexError, TypeError):
            raise SpreadsheetError(SpreadsheetErrorCode.BAD_XLSX) from None
        number = 0
        while True:
            try:
                values = next(rows)
            except StopIteration:
                return
            except (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError):
                raise SpreadsheetError(SpreadsheetErrorCode.BAD_XLSX, row=number + 1) from None
            number += 1
            yield number, list(values)


def inspect_table(stream: IO[bytes], filename: str = "", *, preview_rows: int = 5) -> TableInfo:
    """Detect format, encoding and delimiter; read the header row and a short preview.

    Raises SpreadsheetError when the file is empty, not CSV/XLSX, in an unknown encoding
    or has no header row.
    """
    stream.seek(0)
    head = stream.read(SAMPLE_BYTES)
    file_format = detect_format(head, filename)
    encoding = delimiter = ""
    if file_format == "csv":
        encoding = detect_encoding(stream)
        try:
            sample = _decode_sample(head, encoding)
        except UnicodeDecodeError:
            raise SpreadsheetError(SpreadsheetErrorCode.UNKNOWN_ENCODING) from None
        if not sample.strip():
            raise SpreadsheetError(SpreadsheetErrorCode.NO_HEADER)
        if "\x00" in sample:
            raise SpreadsheetError(SpreadsheetErrorCode.NOT_TABULAR)
        delimiter = sniff_delimiter(sample)
    info = TableInfo(format=file_format, encoding=encoding, delimiter=delimiter)
    headers: list[str] | None = None
    preview: list[list[str]] = []
    with TableReader(stream, info) as reader:
        for number, cells in reader.rows(include_header=True):
            if number == 1:
                headers = [cell_text(c).strip() for c in cells]
                continue
            preview.append([cell_text(c)[:100] for c in cells])
            if len(preview) >= preview_rows:
                break
    stream.seek(0)
    if not headers or not any(headers):
        raise SpreadsheetError(SpreadsheetErrorCode.NO_HEADER)
    while headers and not headers[-1]:
        headers.pop()  # trailing empty header cells (Excel's formatted but empty columns)
    return TableInfo(
        format=file_format,
        encoding=encoding,
        delimiter=delimiter,
        headers=headers,
        preview=preview,
    )


def _decode_sample(head: bytes, encoding: str) -> str:
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    text: str = decoder.decode(head, final=False)  # a cut multi-byte character waits
    return text.removeprefix("\ufeff")
