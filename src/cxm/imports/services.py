"""Writes of the imports app: upload, column mapping, dry run and commit.

The flow: `import_job_create` stores and inspects the file and suggests a mapping →
`import_job_set_mapping` → `import_job_start_dry_run` (a background task validates every
row and records every problem) → `import_job_start_commit` (a background task writes the
rows through the importer, in one transaction).
"""

import logging
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import IO, Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connection, connections, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cxm.common.exceptions import ApplicationError
from cxm.core.spreadsheets import (
    SpreadsheetError,
    SpreadsheetErrorCode,
    TableInfo,
    TableReader,
    cell_text,
    inspect_table,
    match_headers,
)
from cxm.imports.error_codes import ImportErrorCode as Code
from cxm.imports.models import ImportJob, ImportMode, ImportRowError, ImportStatus
from cxm.imports.registry import (
    Importer,
    RowContext,
    RowInvalid,
    TargetField,
    get_importer,
)

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000  # rows between two progress updates in the database
ERROR_BATCH = 1000
VALUE_MAX = 500


# ------------------------------------------------------------------------------ helpers


def importer_for(kind: str) -> Importer:
    """The registered importer of `kind`, or an ApplicationError."""
    try:
        return get_importer(kind)
    except KeyError:
        raise ApplicationError(
            _("Unknown import kind “%(kind)s”.") % {"kind": kind}, code=Code.UNKNOWN_KIND
        ) from None


def spreadsheet_error_message(exc: SpreadsheetError) -> str:
    """A translated sentence for a file that cannot be read (naming the row if known)."""
    code = exc.code
    if code == SpreadsheetErrorCode.EMPTY:
        message = _("The file is empty (0 bytes).")
    elif code == SpreadsheetErrorCode.LEGACY_XLS:
        message = _("Old Excel .xls files are not supported; save the sheet as .xlsx or CSV.")
    elif code == SpreadsheetErrorCode.NOT_TABULAR:
        message = _("This is not a CSV or XLSX file.")
    elif code == SpreadsheetErrorCode.BAD_XLSX:
        message = _("The XLSX file is damaged or not an Excel workbook.")
    elif code == SpreadsheetErrorCode.UNKNOWN_ENCODING:
        message = _(
            "The file's text encoding could not be recognised. Save it as “CSV UTF-8” "
            "(or Windows-1256) and upload it again."
        )
    elif code == SpreadsheetErrorCode.DECODE_ERROR:
        message = _(
            "The text cannot be read as %(encoding)s. Save the file as “CSV UTF-8” and "
            "upload it again."
        ) % {"encoding": exc.params.get("encoding") or "UTF-8"}
    elif code == SpreadsheetErrorCode.NO_HEADER:
        message = _("The file has no header row: the first row must name the columns.")
    else:
        message = _("The row cannot be read as CSV.")
    if row := exc.params.get("row"):
        message = _("Row %(row)d: %(message)s") % {"row": row, "message": message}
    return message


def target_field_aliases(target: TargetField) -> list[str]:
    """Names that map a header to `target`: its name, aliases, and label in every language."""
    names = [target.name, *target.aliases]
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            names.append(str(target.label))
    return names


def suggest_mapping(
    *, importer: Importer, headers: Sequence[str], options: Mapping[str, Any] | None = None
) -> dict[str, int]:
    """Auto-match file headers to target fields (names, aliases, labels in four languages)."""
    fields = {f.name: target_field_aliases(f) for f in importer.fields(options)}
    return match_headers(headers, fields)


def _check_size(size: int | None) -> None:
    limit = settings.CXM_IMPORT_MAX_BYTES
    if not size:
        raise ApplicationError(_("The file is empty (0 bytes)."), code=Code.EMPTY_FILE)
    if size > limit:
        raise ApplicationError(
            _(
                "The file is %(size)s MB; files up to %(limit)s MB can be imported. Split it "
                "into smaller files."
            )
            % {"size": _megabytes(size), "limit": _megabytes(limit)},
            code=Code.FILE_TOO_LARGE,
        )


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".removesuffix(".0")


def check_upload_size(content_length: int | str | None) -> None:
    """Refuse a request whose body is larger than an import may be, before reading it."""
    try:
        length = int(content_length or 0)
    except (TypeError, ValueError):
        return
    # A multipart body adds a few hundred bytes of boundaries and fields to the file.
    if length > settings.CXM_IMPORT_MAX_BYTES + 64 * 1024:
        _check_size(length)


# ------------------------------------------------------------------------------ upload


def import_job_create(
    *, kind: str, upload: File, created_by: Any, options: Mapping[str, Any] | None = None
) -> ImportJob:
    """Store an uploaded file, inspect it and suggest a column mapping.

    `options` are the importer's upload options (e.g. `{"survey": 3}` for responses).
    Checks the size before reading anything. Raises ApplicationError (and keeps nothing)
    for bad options, an empty, oversized or unreadable file, or one without a header row.
    """
    importer = importer_for(kind)
    clean_options = importer.clean_options(options or {})
    _check_size(upload.size)
    original_name = (upload.name or "upload").rsplit("/", 1)[-1][:255]
    try:
        upload.seek(0)
        stream: Any = getattr(upload, "file", None) or upload
        info = inspect_table(stream, original_name)
    except SpreadsheetError as exc:
        raise ApplicationError(spreadsheet_error_message(exc), code=Code.UNREADABLE_FILE) from None
    upload.seek(0)
    job = ImportJob(
        kind=kind,
        original_name=original_name,
        size=upload.size or 0,
        file_format=info.format,
        encoding=info.encoding,
        delimiter=info.delimiter,
        headers=info.headers,
        preview=info.preview,
        options=clean_options,
        status=ImportStatus.UPLOADED,
        created_by=created_by if getattr(created_by, "is_authenticated", False) else None,
    )
    job.mapping = {
        name: index
        for name, index in suggest_mapping(
            importer=importer, headers=info.headers, options=clean_options
        ).items()
    }
    job.file.save(f"{kind}.{info.format}", upload, save=False)
    try:
        job.full_clean()
        job.save()
    except Exception:
        job.file.delete(save=False)
        raise
    return job


# ----------------------------------------------------------------------------- mapping


def _missing_required(job: ImportJob, importer: Importer) -> list[TargetField]:
    return [f for f in importer.fields(job.options) if f.required and f.name not in job.mapping]


def _require_mapping(job: ImportJob, importer: Importer) -> None:
    missing = _missing_required(job, importer)
    if missing:
        raise ApplicationError(
            _("Required column missing: choose a column of the file for %(fields)s.")
            % {"fields": ", ".join(f"“{f.label}”" for f in missing)},
            code=Code.MISSING_COLUMN,
            extra={"fields": [f.name for f in missing]},
        )


@transaction.atomic
def import_job_set_mapping(
    *, job: ImportJob, mapping: Mapping[str, int | str | None], mode: str | None = None
) -> ImportJob:
    """Choose which column of the file fills which target field, and the import mode.

    `mapping` values are column positions (0-based) or header names; None or "" leaves a
    field out. Every required field must have a column; a column fills one field only.
    """
    job = ImportJob.objects.select_for_update().get(pk=job.pk)
    if not job.can_change_mapping:
        raise ApplicationError(
            _("The mapping cannot change while the import is running or after it is done."),
            code=Code.INVALID_STATE,
        )
    importer = importer_for(job.kind)
    known = {f.name: f for f in importer.fields(job.options)}
    clean: dict[str, int] = {}
    used: dict[int, str] = {}
    for name, raw in mapping.items():
        if name not in known:
            raise ApplicationError(
                _("Unknown field “%(field)s”.") % {"field": name}, code=Code.INVALID_MAPPING
            )
        if raw is None or raw == "":
            continue
        index = _column_index(job.headers, raw)
        if index in used:
            raise ApplicationError(
                _("Column “%(column)s” is chosen for both “%(a)s” and “%(b)s”.")
                % {
                    "column": job.headers[index],
                    "a": known[used[index]].label,
                    "b": known[name].label,
                },
                code=Code.INVALID_MAPPING,
            )
        used[index] = name
        clean[name] = index
    job.mapping = clean
    if mode:
        if mode not in ImportMode.values:
            raise ApplicationError(
                _("Unknown mode “%(mode)s”.") % {"mode": mode}, code=Code.INVALID_MAPPING
            )
        job.mode = mode
    _require_mapping(job, importer)
    _reset_counts(job)
    job.status = ImportStatus.MAPPED
    job.save()
    ImportRowError.objects.filter(job=job).delete()
    return job


def _column_index(headers: Sequence[str], raw: int | str) -> int:
    if isinstance(raw, str) and not raw.strip().lstrip("-").isdigit():
        try:
            return list(headers).index(raw.strip())
        except ValueError:
            raise ApplicationError(
                _("The file has no column “%(column)s”.") % {"column": raw},
                code=Code.INVALID_MAPPING,
            ) from None
    index = int(raw)
    if not 0 <= index < len(headers):
        raise ApplicationError(
            _("The file has no column number %(n)d.") % {"n": index + 1},
            code=Code.INVALID_MAPPING,
        )
    return index


def _reset_counts(job: ImportJob) -> None:
    job.total_rows = job.valid_rows = job.invalid_rows = 0
    job.created_count = job.updated_count = job.unchanged_count = 0
    job.rows_processed = 0
    job.progress_percent = 0
    job.message = ""
    job.validated_at = job.finished_at = None


# ---------------------------------------------------------------------- starting tasks


def import_job_start_dry_run(*, job: ImportJob) -> ImportJob:
    """Queue the dry run: every row is validated, nothing is written but the report.

    A required field without a column is refused here, before any row is read.
    """
    from cxm.imports.tasks import run_dry_run

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if not job.can_change_mapping:  # uploaded (suggested mapping), mapped, validated, failed
            raise ApplicationError(
                _("Map the columns first; a dry run cannot start while the import is %(s)s.")
                % {"s": job.get_status_display()},
                code=Code.INVALID_STATE,
            )
        _require_mapping(job, importer_for(job.kind))
        _reset_counts(job)
        job.status = ImportStatus.VALIDATING
        job.save()
    _enqueue(job, run_dry_run)
    job.refresh_from_db()
    return job


def import_job_start_commit(*, job: ImportJob, mode: str | None = None) -> ImportJob:
    """Queue the import of a dry-run-checked file in `mode` (or the job's mode)."""
    from cxm.imports.tasks import run_commit

    with transaction.atomic():
        job = ImportJob.objects.select_for_update().get(pk=job.pk)
        if mode:
            if mode not in ImportMode.values:
                raise ApplicationError(
                    _("Unknown mode “%(mode)s”.") % {"mode": mode}, code=Code.INVALID_MAPPING
                )
            job.mode = mode
        if job.status != ImportStatus.VALIDATED:
            raise ApplicationError(
                _("Run a dry run first; the import can start only after it has finished."),
                code=Code.INVALID_STATE,
            )
        if job.valid_rows == 0:
            raise ApplicationError(
                _("The file has no valid row to import."), code=Code.NOTHING_TO_IMPORT
            )
        if job.mode == ImportMode.ALL_OR_NOTHING and job.invalid_rows:
            raise ApplicationError(
                _(
                    "The dry run found %(n)d bad rows, so an all-or-nothing import would write "
                    "nothing. Fix the file, or choose “skip bad rows”."
                )
                % {"n": job.invalid_rows},
                code=Code.ROW_INVALID,
            )
        job.status = ImportStatus.IMPORTING
        job.rows_processed = 0
        job.progress_percent = 0
        job.message = ""
        job.save()
    _enqueue(job, run_commit)
    job.refresh_from_db()
    return job


def _enqueue(job: ImportJob, task: Any) -> None:
    """Queue `task(job.pk)` once the status change is committed (a task that runs inline,
    as in tests, must not find the job row locked by this transaction)."""
    try:
        task.enqueue(job.pk)
    except Exception:
        logger.exception("Could not queue import %s", job.pk)
        _fail(job, _("The background task could not be queued; try again later."))
        raise ApplicationError(
            _("The background task could not be queued; try again later."),
            code=Code.INVALID_STATE,
        ) from None


# --------------------------------------------------------------------- running (tasks)


@dataclass
class _Counts:
    total: int = 0
    valid: int = 0
    invalid: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0


class _AbortImport(Exception):
    """All-or-nothing met a bad row during the commit: roll everything back."""

    def __init__(self, row_number: int):
        super().__init__(row_number)
        self.row_number = row_number


@dataclass
class _Progress:
    """Publishes rows processed and percent every PROGRESS_EVERY rows.

    Inside the import's transaction the job row is written through a second connection,
    so the progress bar moves while the transaction is open. SQLite allows one writer
    only, so there the bar waits for the end of the transaction.
    """

    job_id: int
    side_connection: bool = False
    _conn: Any = field(default=None, repr=False)
    _broken: bool = False

    def publish(self, rows: int, fraction: float | None) -> None:
        percent = None if fraction is None else min(99, int(fraction * 100))
        if not self.side_connection:
            ImportJob.objects.filter(pk=self.job_id).update(
                rows_processed=rows, progress_percent=percent
            )
            return
        if self._broken:
            return
        try:
            if self._conn is None:
                self._conn = connections.create_connection(DEFAULT_DB_ALIAS)
                with self._conn.cursor() as cursor:
                    # Progress is best effort: never wait behind a lock on the job row.
                    cursor.execute("SET lock_timeout = 1000")
            table = self._conn.ops.quote_name(ImportJob._meta.db_table)
            with self._conn.cursor() as cursor:
                cursor.execute(
                    f"UPDATE {table} SET rows_processed = %s, progress_percent = %s "  # noqa: S608
                    "WHERE id = %s",
                    [rows, percent, self.job_id],
                )
        except DatabaseError:
            logger.warning("Import %s: progress not published", self.job_id, exc_info=True)
            self._broken = True

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


@contextmanager
def _open_table(job: ImportJob) -> Iterator[TableReader]:
    info = TableInfo(
        format=job.file_format,
        encoding=job.encoding,
        delimiter=job.delimiter,
        headers=list(job.headers),
    )
    handle: Any = default_storage.open(job.file.name or "", "rb")
    stream: IO[bytes] = getattr(handle, "file", handle)
    try:
        with TableReader(stream, info, size=job.size) as reader:
            yield reader
    finally:
        handle.close()


def _language_of(job: ImportJob) -> str:
    language = getattr(job.created_by, "language", "") if job.created_by else ""
    return language or settings.LANGUAGE_CODE


def import_job_run_dry_run(*, job_id: int) -> ImportJob:
    """Validate every row and record every problem; writes nothing else. Task body."""
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(_language_of(job)):
        try:
            counts = _process(job, write=False)
        except SpreadsheetError as exc:
            return _fail(job, spreadsheet_error_message(exc))
        except Exception:
            logger.exception("Dry run of import %s failed", job.pk)
            return _fail(job, _("The dry run stopped because of an unexpected error."))
        _save_counts(job, counts)
        job.status = ImportStatus.VALIDATED
        job.validated_at = timezone.now()
        job.progress_percent = 100
        job.rows_processed = counts.total
        job.save()
    return job


def import_job_run_commit(*, job_id: int) -> ImportJob:
    """Write the valid rows in one transaction; the task body of the commit.

    all_or_nothing: the first bad row rolls everything back, then a dry run re-records
    every problem and the job fails with nothing written. skip_bad_rows: bad rows are
    reported and left out. Any error midway rolls the whole import back.
    """
    job = ImportJob.objects.select_related("created_by").get(pk=job_id)
    with translation.override(_language_of(job)):
        try:
            with transaction.atomic():
                ImportRowError.objects.filter(job=job).delete()
                counts = _process(job, write=True)
                _save_counts(job, counts)
                job.status = ImportStatus.DONE
                job.finished_at = timezone.now()
                job.progress_percent = 100
                job.rows_processed = counts.total
                job.save()
        except _AbortImport as abort:
            job.refresh_from_db()
            try:
                counts = _process(job, write=False)
            except SpreadsheetError as exc:
                return _fail(job, spreadsheet_error_message(exc))
            _save_counts(job, counts)
            job.save()
            return _fail(
                job,
                _(
                    "Row %(row)d is invalid, so nothing was written (all or nothing). The report "
                    "lists every bad row."
                )
                % {"row": abort.row_number},
            )
        except SpreadsheetError as exc:
            return _fail(job, spreadsheet_error_message(exc) + " " + _("Nothing was written."))
        except Exception:
            logger.exception("Import %s failed", job.pk)
            return _fail(
                job, _("The import stopped because of an unexpected error; nothing was written.")
            )
    return job


def _fail(job: ImportJob, message: str) -> ImportJob:
    job.refresh_from_db()
    job.status = ImportStatus.FAILED
    job.message = message
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "finished_at", "updated_at"])
    return job


def _save_counts(job: ImportJob, counts: _Counts) -> None:
    job.total_rows = counts.total
    job.valid_rows = counts.valid
    job.invalid_rows = counts.invalid
    job.created_count = counts.created
    job.updated_count = counts.updated
    job.unchanged_count = counts.unchanged


def _process(job: ImportJob, *, write: bool) -> _Counts:
    """Read every row once: validate, detect duplicate keys, record errors, and (when
    `write`) hand valid rows to the importer in batches. The hot path of an import."""
    importer = importer_for(job.kind)
    context: RowContext = importer.context(actor=job.created_by, options=job.options)
    # Every mapped column goes to the importer, even one whose field has gone since (a
    # deleted channel's consent column): its validation reports it rather than dropping it.
    mapping = list(job.mapping.items())
    headers: list[str] = list(job.headers)
    columns = {name: headers[index] for name, index in mapping}
    key_field = importer.key_field if importer.key_field in columns else None
    source = f"import #{job.pk}: {job.original_name}"[:200]
    all_or_nothing = job.mode == ImportMode.ALL_OR_NOTHING
    in_transaction = write and not connection.get_autocommit()
    progress = _Progress(
        job.pk, side_connection=in_transaction and connection.vendor == "postgresql"
    )
    publish = not in_transaction or progress.side_connection

    counts = _Counts()
    seen: dict[str, int] = {}
    batch: list[Any] = []
    errors: list[ImportRowError] = []

    def flush_batch() -> None:
        result = importer.write_batch(batch, context=context, source=source)
        counts.created += result.created
        counts.updated += result.updated
        counts.unchanged += result.unchanged
        batch.clear()

    def add_error(row: int, name: str, code: str, message: str, value: Any) -> None:
        errors.append(
            ImportRowError(
                job_id=job.pk,
                row_number=row,
                column=columns.get(name, "")[:255],
                field=name[:100],
                code=str(code)[:50],
                message=message,
                value=cell_text(value)[:VALUE_MAX],
            )
        )
        if len(errors) >= ERROR_BATCH:
            ImportRowError.objects.bulk_create(errors)
            errors.clear()

    def rows_with_prefetch(reader: TableReader) -> Iterator[tuple[int, dict[str, Any]]]:
        # Rows go through in chunks so the importer can look up what a chunk refers to
        # (customers, agents …) in one query each, instead of one query per row.
        chunk: list[tuple[int, dict[str, Any]]] = []
        for row_number, cells in reader.rows():
            width = len(cells)
            chunk.append((row_number, {n: cells[i] if i < width else None for n, i in mapping}))
            if len(chunk) >= importer.batch_size:
                importer.prefetch([v for _n, v in chunk], context)
                yield from chunk
                chunk = []
        if chunk:
            importer.prefetch([v for _n, v in chunk], context)
            yield from chunk

    try:
        with _open_table(job) as reader:
            for row_number, values in rows_with_prefetch(reader):
                counts.total += 1
                row_errors: dict[str, tuple[str, str]] = {}
                if key_field is not None:
                    key = importer.row_key(values)
                    if key:
                        first = seen.setdefault(key, row_number)
                        if first != row_number:
                            row_errors[key_field] = (
                                Code.DUPLICATE_IN_FILE,
                                _(
                                    "“%(value)s” appears in rows %(first)d and %(row)d; each "
                                    "row needs its own."
                                )
                                % {"value": key, "first": first, "row": row_number},
                            )
                try:
                    item = importer.clean_row(values, context)
                except RowInvalid as exc:
                    row_errors = {**exc.errors, **row_errors}
                if row_errors:
                    counts.invalid += 1
                    if write and all_or_nothing:
                        raise _AbortImport(row_number)
                    for name, (code, message) in row_errors.items():
                        add_error(row_number, name, code, message, values.get(name))
                else:
                    counts.valid += 1
                    if write:
                        batch.append(item)
                        if len(batch) >= importer.batch_size:
                            flush_batch()
                if publish and counts.total % PROGRESS_EVERY == 0:
                    progress.publish(counts.total, reader.fraction_done())
            if batch:
                flush_batch()
            if write:
                importer.finish(context)
        if errors:
            ImportRowError.objects.bulk_create(errors)
    finally:
        progress.close()
    return counts
