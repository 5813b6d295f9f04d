"""Writes on CAPAs (corrective and preventive actions, ISO 9001 §10.2 / ISO 10002): create,
update, link cases by number and pain points. Each validates before writing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.cases.error_codes import CaseErrorCode as Code
from cxm.cases.models import Capa, CapaStatus, Case
from cxm.common.exceptions import ApplicationError
from cxm.core.text import to_latin_digits

# The fields a CAPA is written with, in the order the form shows them.
FIELDS = (
    "title",
    "problem_statement",
    "topic",
    "root_cause",
    "analysis",
    "corrective_action",
    "preventive_action",
    "owner",
    "due_on",
    "status",
    "implemented_on",
    "verification_notes",
)
MAX_LINKED_AT_ONCE = 1000


def parse_case_numbers(text: str) -> list[int]:
    """ "#12, 15 ۲۰" → [12, 15, 20]: numbers in any digits, separated by anything else."""
    numbers = [int(n) for n in re.findall(r"\d+", to_latin_digits(text or ""))]
    return list(dict.fromkeys(numbers))


def _check(capa: Capa, *, today: dt.date) -> None:
    """The rules a CAPA must keep, beyond the model's own."""
    if capa.implemented_on is not None and capa.implemented_on > today:
        raise ApplicationError(
            _("The implementation date cannot be in the future."), code=Code.INVALID
        )
    if capa.status in (CapaStatus.VERIFYING, CapaStatus.CLOSED) and capa.implemented_on is None:
        raise ApplicationError(
            _("Enter the date the action was implemented before verifying or closing it."),
            code=Code.INVALID,
        )
    if capa.status == CapaStatus.CLOSED and not capa.verification_notes.strip():
        raise ApplicationError(
            _("Record the verification of effectiveness before closing the CAPA."),
            code=Code.INVALID,
        )


@transaction.atomic
def capa_create(*, pain_points: Iterable[Any] = (), **fields: Any) -> Capa:
    """A new CAPA from the given fields (see FIELDS)."""
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    capa = Capa(**fields)
    capa.full_clean()
    _check(capa, today=timezone.localdate())
    capa.save()
    capa.pain_points.set(list(pain_points))
    return capa


@transaction.atomic
def capa_update(*, capa: Capa, pain_points: Iterable[Any] | None = None, **fields: Any) -> Capa:
    unknown = set(fields) - set(FIELDS)
    if unknown:
        raise ApplicationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    capa = Capa.objects.select_for_update().get(pk=capa.pk)
    for name, value in fields.items():
        setattr(capa, name, value)
    capa.full_clean()
    _check(capa, today=timezone.localdate())
    capa.save()
    if pain_points is not None:
        capa.pain_points.set(list(pain_points))
    return capa


@transaction.atomic
def capa_link_cases(*, capa: Capa, numbers: Iterable[int]) -> int:
    """Link the cases with these numbers to `capa` (all or none); returns how many."""
    wanted = list(dict.fromkeys(numbers))
    if not wanted:
        raise ApplicationError(_("Enter at least one case number."), code=Code.INVALID)
    if len(wanted) > MAX_LINKED_AT_ONCE:
        raise ApplicationError(
            _("At most %(n)s cases at once.") % {"n": MAX_LINKED_AT_ONCE}, code=Code.INVALID
        )
    found = set(Case.objects.filter(pk__in=wanted).values_list("pk", flat=True))
    missing = [n for n in wanted if n not in found]
    if missing:
        raise ApplicationError(
            _("No case with the number: %(n)s") % {"n": ", ".join(f"#{n}" for n in missing)},
            code=Code.UNKNOWN_CASE,
        )
    return Case.objects.filter(pk__in=wanted).update(capa=capa, updated_at=timezone.now())


@transaction.atomic
def capa_unlink_case(*, capa: Capa, case_number: int) -> None:
    changed = Case.objects.filter(pk=case_number, capa=capa).update(
        capa=None, updated_at=timezone.now()
    )
    if not changed:
        raise ApplicationError(
            _("Case #%(n)s is not linked to this CAPA.") % {"n": case_number},
            code=Code.UNKNOWN_CASE,
        )
