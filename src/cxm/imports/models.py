"""Spreadsheet import jobs and the per-row error report of each."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from cxm.common.models import BaseModel


class ImportMode(models.TextChoices):
    ALL_OR_NOTHING = "all_or_nothing", _("All or nothing: import only when every row is valid")
    SKIP_BAD_ROWS = "skip_bad_rows", _("Skip bad rows: import the valid rows, report the others")


class ImportStatus(models.TextChoices):
    UPLOADED = "uploaded", _("Uploaded")
    MAPPED = "mapped", _("Columns mapped")
    VALIDATING = "validating", _("Dry run running")
    VALIDATED = "validated", _("Dry run finished")
    IMPORTING = "importing", _("Importing")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


RUNNING_STATUSES = (ImportStatus.VALIDATING, ImportStatus.IMPORTING)


class ImportJob(BaseModel):
    """One uploaded file on its way through mapping, dry run and commit."""

    kind = models.CharField(_("kind"), max_length=50, db_index=True)
    file = models.FileField(_("file"), upload_to="imports/%Y/%m/", max_length=300)
    original_name = models.CharField(_("file name"), max_length=255)
    size = models.BigIntegerField(_("size in bytes"), default=0)
    file_format = models.CharField(_("format"), max_length=10)  # csv or xlsx
    encoding = models.CharField(_("encoding"), max_length=40, blank=True)
    delimiter = models.CharField(_("delimiter"), max_length=4, blank=True)
    headers = models.JSONField(_("headers"), default=list, blank=True)
    preview = models.JSONField(_("preview"), default=list, blank=True)
    mapping = models.JSONField(
        _("column mapping"),
        default=dict,
        blank=True,
        help_text=_("Target field name → position of the file's column (0-based)."),
    )
    options = models.JSONField(
        _("options"),
        default=dict,
        blank=True,
        help_text=_("What the importer asked for at upload, e.g. the survey of responses."),
    )
    mode = models.CharField(
        _("mode"), max_length=20, choices=ImportMode.choices, default=ImportMode.ALL_OR_NOTHING
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=ImportStatus.choices,
        default=ImportStatus.UPLOADED,
        db_index=True,
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    valid_rows = models.PositiveIntegerField(_("valid rows"), default=0)
    invalid_rows = models.PositiveIntegerField(_("invalid rows"), default=0)
    created_count = models.PositiveIntegerField(_("created"), default=0)
    updated_count = models.PositiveIntegerField(_("updated"), default=0)
    unchanged_count = models.PositiveIntegerField(_("unchanged"), default=0)
    rows_processed = models.PositiveIntegerField(_("rows processed"), default=0)
    progress_percent = models.PositiveSmallIntegerField(_("progress"), null=True, blank=True)
    message = models.TextField(_("message"), blank=True)
    validated_at = models.DateTimeField(_("dry run finished at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind}: {self.original_name}"

    @property
    def is_running(self) -> bool:
        return self.status in RUNNING_STATUSES

    @property
    def can_change_mapping(self) -> bool:
        return self.status in (
            ImportStatus.UPLOADED,
            ImportStatus.MAPPED,
            ImportStatus.VALIDATED,
            ImportStatus.FAILED,
        )

    @property
    def can_commit(self) -> bool:
        return self.status == ImportStatus.VALIDATED and self.valid_rows > 0

    @property
    def delimiter_label(self) -> str:
        names = {",": _("comma"), ";": _("semicolon"), "\t": _("tab"), "|": _("pipe")}
        return str(names.get(self.delimiter, self.delimiter))


class ImportRowError(models.Model):
    """One problem in one cell (or row) of an import; paginated, exported as CSV/XLSX."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="errors")
    row_number = models.PositiveIntegerField(_("row"))
    column = models.CharField(_("column"), max_length=255, blank=True)
    field = models.CharField(_("field"), max_length=100, blank=True)
    code = models.CharField(_("code"), max_length=50)
    message = models.TextField(_("message"))
    value = models.TextField(_("value"), blank=True)

    class Meta:
        ordering = ["row_number", "id"]
        indexes = [models.Index(fields=["job", "row_number"], name="import_error_job_row")]
        verbose_name = _("import error")
        verbose_name_plural = _("import errors")

    def __str__(self) -> str:
        return f"{self.row_number}/{self.column}: {self.message}"
