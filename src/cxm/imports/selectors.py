"""Reads of the imports app: jobs a user may see, a job's error report."""

from typing import Any

from django.db.models import QuerySet

from cxm.accounts.permissions import user_can
from cxm.imports.models import ImportJob, ImportRowError
from cxm.imports.registry import Importer, registered_importers


def importers_for_user(user: Any) -> dict[str, Importer]:
    """The importers whose capability `user` has, by kind."""
    return {
        kind: importer
        for kind, importer in registered_importers().items()
        if user_can(user, importer.capability)
    }


def import_job_list(*, user: Any, kind: str | None = None) -> QuerySet[ImportJob]:
    """Jobs of the kinds `user` may import, newest first."""
    kinds = list(importers_for_user(user))
    if kind is not None:
        kinds = [k for k in kinds if k == kind]
    return ImportJob.objects.filter(kind__in=kinds).select_related("created_by").order_by("-id")


def import_job_errors(*, job: ImportJob) -> QuerySet[ImportRowError]:
    """The job's problems in row order (use with a paginator or `.iterator()`)."""
    return ImportRowError.objects.filter(job=job).order_by("row_number", "id")
