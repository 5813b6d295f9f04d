"""What the exact-interface commands share (`cxm metrics`, `sla-deadline`, `analyze`,
`train-sentiment`, `forecast`, `staffing` …): a usage error is one line on stderr, nothing
on stdout, exit status 2 (as argparse's own usage errors); a column is found by name the
same way everywhere; a file that cannot be read says why in the same words."""

from django.core.management.base import CommandError

from cxm.core.spreadsheets import SpreadsheetError, SpreadsheetErrorCode, normalize_header
from cxm.core.text import normalize_search

EXIT_USAGE = 2
FILE_ERRORS = {
    SpreadsheetErrorCode.EMPTY: "the file is empty",
    SpreadsheetErrorCode.NOT_TABULAR: "the file is neither CSV nor XLSX",
    SpreadsheetErrorCode.LEGACY_XLS: "old Excel (.xls) files are not read; save it as .xlsx or CSV",
    SpreadsheetErrorCode.UNKNOWN_ENCODING: "the text encoding of the file is not recognised",
    SpreadsheetErrorCode.DECODE_ERROR: "the file has bytes that its encoding cannot decode",
    SpreadsheetErrorCode.NO_HEADER: "the file has no header row",
    SpreadsheetErrorCode.BAD_XLSX: "the XLSX file is damaged or not an Excel workbook",
    SpreadsheetErrorCode.BAD_ROW: "a row cannot be parsed",
}


def usage_error(message: str) -> CommandError:
    """The error to raise for bad input or options (exit status 2)."""
    return CommandError(message, returncode=EXIT_USAGE)


def unreadable_file(path: object, exc: SpreadsheetError) -> CommandError:
    """'cannot read FILE: why (row N)' for a CSV/XLSX the spreadsheet reader refused."""
    where = f" (row {exc.params['row']})" if "row" in exc.params else ""
    return usage_error(f"cannot read {path}: {FILE_ERRORS.get(exc.code, exc.code)}{where}")


def find_column(headers: list[str], name: str) -> int:
    """The index of column `name`: the exact header first, then one equal after folding case,
    spaces, ZWNJ and Arabic/Persian letter forms, then one equal on letters and digits only.
    """
    wanted = name.strip()
    for index, header in enumerate(headers):
        if header == wanted:
            return index
    for fold in (normalize_search, normalize_header):
        key = fold(wanted)
        if not key:
            continue
        found = [i for i, header in enumerate(headers) if fold(header) == key]
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            names = ", ".join(repr(headers[i]) for i in found)
            raise usage_error(f"column {name!r} is ambiguous: it matches {names}")
    available = ", ".join(repr(h) for h in headers if h) or "(none)"
    raise usage_error(f"no column {name!r} in the file; the columns are: {available}")
