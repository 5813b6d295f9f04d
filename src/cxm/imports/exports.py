"""Spreadsheet exports: an import's error report and the customer list, as CSV or XLSX.

Every text cell goes through `neutralize_cell`, so a value such as `=HYPERLINK(...)`
comes out as `'=HYPERLINK(...)` and no spreadsheet runs it. Both formats are streamed:
CSV row by row to the client, XLSX through openpyxl's write-only mode into a temporary
file, so memory stays flat for a million rows.
"""

import csv
import json
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

from cxm.channels.models import Channel
from cxm.core.spreadsheet_safety import neutralize_cell
from cxm.customers.models import Customer
from cxm.imports.models import ImportJob
from cxm.imports.selectors import import_job_errors

FORMATS = ("csv", "xlsx")
CONTACT_COLUMNS = ("phone", "email", "telegram")
_CSV_TYPE = "text/csv; charset=utf-8"
_XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


class _Echo:
    """A file-like object whose write() hands the line back (for csv.writer streaming)."""

    def write(self, value: str) -> str:
        return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Neutralise formula-like text cells; keep numbers and dates as they are."""
    return [neutralize_cell(v) for v in values]


def csv_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]]
) -> StreamingHttpResponse:
    """Stream rows as UTF-8 CSV with a BOM (Excel then shows Persian/Arabic correctly)."""
    writer = csv.writer(_Echo())

    def lines() -> Iterator[str]:
        yield "\ufeff" + writer.writerow(safe_row(header))
        for row in rows:
            yield writer.writerow(safe_row(row))

    response = StreamingHttpResponse(lines(), content_type=_CSV_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _xlsx_cell(value: Any) -> Any:
    value = neutralize_cell(value)
    if isinstance(value, str):
        return ILLEGAL_CHARACTERS_RE.sub("", value)
    return value


def workbook_response(
    *, filename: str, sheets: Sequence[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]
) -> FileResponse:
    """An XLSX with one sheet per (title, header, rows), written in write-only mode to a
    temporary file and sent; every cell neutralised against formula injection."""
    workbook = Workbook(write_only=True)
    for title, header, rows in sheets:
        sheet = workbook.create_sheet(title=(title or "Sheet1")[:31])
        sheet.append([_xlsx_cell(h) for h in header])
        for row in rows:
            sheet.append([_xlsx_cell(v) for v in row])
    handle = tempfile.TemporaryFile()  # noqa: SIM115  (FileResponse closes it)
    workbook.save(handle)
    handle.seek(0)
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=_XLSX_TYPE)


def xlsx_response(
    *, filename: str, header: Sequence[str], rows: Iterable[Sequence[Any]], title: str = ""
) -> FileResponse:
    """A one-sheet XLSX of `rows` (see `workbook_response`)."""
    return workbook_response(filename=filename, sheets=[(title, header, rows)])


def export_response(
    fmt: str,
    *,
    filename: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    title: str = "",
) -> StreamingHttpResponse | FileResponse:
    """`csv_response` or `xlsx_response` by `fmt` ("csv" or "xlsx")."""
    if fmt == "xlsx":
        return xlsx_response(filename=f"{filename}.xlsx", header=header, rows=rows, title=title)
    return csv_response(filename=f"{filename}.csv", header=header, rows=rows)


# --------------------------------------------------------------------- error report


def error_report_header() -> list[str]:
    return [_("Row"), _("Column"), _("Message"), _("Value")]


def error_report_rows(job: ImportJob) -> Iterator[list[Any]]:
    """(row, column, message, value) of every problem, in row order; one query per 2,000."""
    for error in import_job_errors(job=job).iterator(chunk_size=2000):
        yield [error.row_number, error.column, error.message, error.value]


# ---------------------------------------------------------------------- customers


def customer_export_header(*, include_contacts: bool, channel_codes: Sequence[str]) -> list[str]:
    """Column names that the customer importer maps back on its own (round trip)."""
    columns = ["external_id", "name"]
    if include_contacts:
        columns += list(CONTACT_COLUMNS)
    columns += [
        "preferred_language",
        "preferred_channel",
        "lifecycle_stage",
        "club_tier",
        "club_joined_on",
        "segments",
        "attributes",
    ]
    columns += [f"consent_{code}" for code in channel_codes]
    columns.append("created_at")
    return columns


def customer_export_rows(
    customers: Any, *, include_contacts: bool, channel_codes: Sequence[str]
) -> Iterator[list[Any]]:
    """One row per customer of the queryset, streamed in chunks of 2,000 (3 queries each)."""
    queryset = customers.select_related("preferred_channel").prefetch_related(
        "segments", "consents__channel"
    )
    customer: Customer
    for customer in queryset.iterator(chunk_size=2000):
        row: list[Any] = [customer.external_id, customer.name]
        if include_contacts:
            row += [customer.phone, customer.email, customer.telegram]
        consents = {c.channel.code: c.status for c in customer.consents.all()}
        row += [
            customer.preferred_language,
            customer.preferred_channel.code if customer.preferred_channel else "",
            customer.lifecycle_stage,
            customer.club_tier,
            customer.club_joined_on.isoformat() if customer.club_joined_on else "",
            "; ".join(sorted(s.name for s in customer.segments.all())),
            json.dumps(customer.attributes, ensure_ascii=False) if customer.attributes else "",
        ]
        row += [consents.get(code, "") for code in channel_codes]
        row.append(customer.created_at.isoformat())
        yield row


def channel_codes() -> list[str]:
    return list(Channel.objects.order_by("position", "code").values_list("code", flat=True))
