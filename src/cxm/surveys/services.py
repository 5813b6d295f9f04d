"""Writes of surveys: creating (blank or from a template), questions and their order,
status, invitations (personal and event-triggered), and responses from the web page and
from the API (single and bulk)."""

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.analytics.services import kpi_rollup_refresh_touched, responses_days
from cxm.common.bulk import bulk_insert, bulk_upsert
from cxm.common.exceptions import ApplicationError
from cxm.surveys.error_codes import SurveyErrorCode as Code
from cxm.surveys.followups import followups_invite
from cxm.surveys.models import (
    Answer,
    Invitation,
    Question,
    Response,
    ResponseSource,
    Survey,
    SurveyKind,
    SurveyPageReach,
    SurveyStatus,
)
from cxm.surveys.ready_templates import TEMPLATES
from cxm.surveys.signals import responses_saved
from cxm.surveys.tokens import new_key, sign_key
from cxm.surveys.validation import CleanAnswer, CleanResponse

BATCH = 2000


@transaction.atomic
def survey_create(
    *,
    name: str,
    languages: list[str],
    kind: str = SurveyKind.RELATIONSHIP,
    default_language: str | None = None,
    created_by: Any = None,
    touchpoint: Any = None,
    channel: Any = None,
    template: str = "",
) -> Survey:
    """A draft survey without questions."""
    survey = Survey(
        name=name,
        kind=kind,
        languages=list(languages),
        default_language=default_language or (languages[0] if languages else ""),
        created_by=created_by if created_by is not None and created_by.is_authenticated else None,
        touchpoint=touchpoint,
        channel=channel,
        template=template,
    )
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_create_from_template(
    *, template: str, name: str, languages: list[str], created_by: Any = None
) -> Survey:
    """A draft survey with the questions of a ready template (see `ready_templates`)."""
    spec = TEMPLATES.get(template)
    if spec is None:
        raise ApplicationError(_("Unknown survey template."), code=Code.INVALID)
    survey = survey_create(
        name=name,
        languages=languages,
        kind=spec["kind"],
        created_by=created_by,
        template=template,
    )
    for position, q in enumerate(spec["questions"]):
        question = Question(
            survey=survey,
            page=q.get("page", 1),
            position=position,
            key=q["key"],
            type=q["type"],
            required=q.get("required", False),
            scale_max=q.get("scale_max"),
            texts={c: t for c, t in q.get("texts", {}).items() if c in languages},
            variants={
                category: {c: t for c, t in texts.items() if c in languages}
                for category, texts in q.get("variants", {}).items()
            },
            options=[
                {
                    "code": o["code"],
                    "labels": {c: t for c, t in o["labels"].items() if c in languages},
                }
                for o in q.get("options", [])
            ],
            logic=dict(q.get("logic", {})),
        )
        question.full_clean()
        question.save()
    return survey


@transaction.atomic
def survey_update(*, survey: Survey) -> Survey:
    """Save changed settings of a survey."""
    survey.full_clean()
    survey.save()
    return survey


@transaction.atomic
def survey_set_status(*, survey: Survey, status: str) -> Survey:
    """Activate or close a survey; a survey needs a question to be activated."""
    if status not in SurveyStatus.values:
        raise ApplicationError(_("Unknown status."), code=Code.INVALID)
    if status == SurveyStatus.ACTIVE and not survey.questions.exclude(type="hidden").exists():
        raise ApplicationError(_("Add a question before activating the survey."))
    survey.status = status
    survey.full_clean()
    survey.save(update_fields=["status", "updated_at"])
    return survey


@transaction.atomic
def question_save(*, question: Question) -> Question:
    """Create (placed last) or update a question."""
    if question.pk is None:
        last = (
            Question.objects.filter(survey=question.survey)
            .order_by("-position")
            .values_list("position", flat=True)
            .first()
        )
        question.position = 0 if last is None else last + 1
    question.full_clean()
    question.save()
    return question


@transaction.atomic
def question_delete(*, question: Question) -> None:
    if question.survey.responses.exists() and question.answers.exists():
        raise ApplicationError(
            _("This question has answers; close the survey and make a new one instead.")
        )
    question.delete()


@transaction.atomic
def question_move(*, question: Question, direction: int) -> None:
    """Swap the question with its neighbour before (-1) or after (+1) in the survey order."""
    ordered = list(
        Question.objects.select_for_update()
        .filter(survey_id=question.survey_id)
        .order_by("page", "position", "id")
    )
    index = next(i for i, q in enumerate(ordered) if q.pk == question.pk)
    other = index + (1 if direction > 0 else -1)
    if not 0 <= other < len(ordered):
        return
    ordered[index], ordered[other] = ordered[other], ordered[index]
    a, b = ordered[index], ordered[other]
    if a.page != b.page:  # moving across a page boundary: the question changes page
        a.page, b.page = b.page, a.page
    for position, q in enumerate(ordered):
        q.position = position
    Question.objects.bulk_update(ordered, ["position", "page"])


def _invitation(
    *,
    survey: Survey,
    customer: Any,
    channel: Any,
    touchpoint: Any,
    language: str,
    hidden: Mapping[str, Any] | None,
    event: str,
) -> Invitation:
    key = new_key()
    invitation = Invitation(
        survey=survey,
        customer=customer,
        channel=channel or survey.channel,
        touchpoint=touchpoint or survey.touchpoint,
        language=language,
        event=event[:100],
        hidden={str(k): str(v) for k, v in (hidden or {}).items()},
        key=key,
        token=sign_key(key),
        expires_at=timezone.now() + dt.timedelta(days=survey.invitation_valid_days),
    )
    invitation.full_clean()
    invitation.save()
    return invitation


@transaction.atomic
def invitation_create(
    *,
    survey: Survey,
    customer: Any = None,
    channel: Any = None,
    touchpoint: Any = None,
    language: str = "",
    hidden: Mapping[str, Any] | None = None,
) -> Invitation:
    """A personal invitation with a fresh signed token (sending it comes later)."""
    if survey.status == SurveyStatus.CLOSED:
        raise ApplicationError(_("The survey is closed."), code=Code.SURVEY_CLOSED)
    return _invitation(
        survey=survey,
        customer=customer,
        channel=channel,
        touchpoint=touchpoint,
        language=language,
        hidden=hidden,
        event="",
    )


@transaction.atomic
def invitation_create_for_event(
    *,
    event: str,
    customer: Any,
    touchpoint: Any = None,
    channel: Any = None,
    hidden: Mapping[str, Any] | None = None,
) -> list[Invitation]:
    """Invite the customer to every active touchpoint survey that listens to `event` or to
    `touchpoint`. A survey naming both must match both; one naming neither never matches."""
    surveys = Survey.objects.filter(kind=SurveyKind.TOUCHPOINT, status=SurveyStatus.ACTIVE)
    by_event = Q(trigger_event=event)
    by_touchpoint = Q(touchpoint=touchpoint) if touchpoint is not None else Q(pk__in=[])
    surveys = surveys.filter(
        (by_event & (Q(touchpoint__isnull=True) | by_touchpoint))
        | (Q(trigger_event="") & by_touchpoint)
    )
    return [
        _invitation(
            survey=survey,
            customer=customer,
            channel=channel,
            touchpoint=touchpoint,
            language=getattr(customer, "preferred_language", "") or "",
            hidden=hidden,
            event=event,
        )
        for survey in surveys.select_related("channel", "touchpoint").order_by("id")
    ]


def invitation_mark_opened(*, invitation: Invitation) -> None:
    """Remember the first time the link was opened (one UPDATE, only the first time)."""
    if invitation.opened_at is None:
        invitation.opened_at = timezone.now()
        Invitation.objects.filter(pk=invitation.pk, opened_at__isnull=True).update(
            opened_at=invitation.opened_at
        )


def _answer_rows(response_id: int, answers: Sequence[CleanAnswer]) -> list[tuple]:
    return [
        (response_id, a.question_id, a.number, a.text, a.stored_choices, a.scale_max)
        for a in answers
    ]


_ANSWER_COLUMNS = (
    "response_id",
    "question_id",
    "number_value",
    "text_value",
    "choices",
    "scale_max",
)


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    answers: Mapping[str, CleanAnswer],
    language: str,
    invitation: Invitation | None = None,
    hidden: Mapping[str, str] | None = None,
    ip_hash: str = "",
    source: str = ResponseSource.WEB,
) -> Response:
    """Save a respondent's answers from the survey page, all or nothing.

    With an invitation there is one response per token: a second submission changes the
    first while the survey's edit window is open, and is refused after it.
    """
    if not survey.is_open:
        raise ApplicationError(_("This survey is closed."), code=Code.SURVEY_CLOSED)
    now = timezone.now()
    response: Response | None = None
    if invitation is not None:
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.is_expired:
            raise ApplicationError(_("This link has expired."), code=Code.TOKEN_EXPIRED)
        response = Response.objects.filter(invitation=invitation).first()
        if response is not None:
            response.survey = survey
            if now > response.editable_until():
                raise ApplicationError(
                    _("You have already answered this survey. Thank you!"),
                    code=Code.ALREADY_ANSWERED,
                )
    if response is None:
        touchpoint = invitation.touchpoint if invitation else survey.touchpoint
        response = Response(
            survey=survey,
            invitation=invitation,
            customer=invitation.customer if invitation else None,
            channel=(invitation.channel if invitation else None) or survey.channel,
            touchpoint=touchpoint,
            stage_id=touchpoint.stage_id if touchpoint else None,
            submitted_at=now,
            source=source,
            ip_hash=ip_hash,
        )
    response.language = language
    response.hidden = {**(invitation.hidden if invitation else {}), **(hidden or {})}
    response.full_clean(exclude=["invitation"])
    response.save()
    Answer.objects.filter(response=response).delete()
    Answer.objects.bulk_create(
        [
            Answer(
                response=response,
                question_id=a.question_id,
                number_value=a.number,
                text_value=a.text,
                choices=a.stored_choices,
                scale_max=a.scale_max,
            )
            for a in answers.values()
        ]
    )
    followups_invite(response_ids=[response.pk])
    kpi_rollup_refresh_touched([(survey.pk, response.submitted_at)])
    responses_saved.send(sender=Response, response_ids=[response.pk])
    return response


@dataclass
class UpsertResult:
    created: int = 0
    updated: int = 0
    ids: dict[str, int] = field(default_factory=dict)  # external_id -> pk
    new_ids: list[int] = field(default_factory=list)  # pks of items without external id


_RESPONSE_COLUMNS = (
    "survey_id",
    "customer_id",
    "channel_id",
    "touchpoint_id",
    "stage_id",
    "team_id",
    "agent_id",
    "language",
    "external_id",
    "hidden",
    "submitted_at",
    "source",
    "ip_hash",
    "created_at",
    "updated_at",
)
_RESPONSE_UPDATES = [c for c in _RESPONSE_COLUMNS if c not in {"external_id", "created_at"}]


def _response_row(item: CleanResponse, now: dt.datetime) -> tuple:
    return (
        item.survey_id,
        item.customer_id,
        item.channel_id,
        item.touchpoint_id,
        item.stage_id,
        item.team_id,
        item.agent_id,
        item.language,
        item.external_id,
        item.hidden,
        item.submitted_at,
        item.source,
        item.ip_hash,
        now,
        now,
    )


def responses_upsert(
    *, items: Sequence[CleanResponse], defer_rollups: set[tuple[int, Any]] | None = None
) -> UpsertResult:
    """Insert responses, or replace those whose external id exists, in one transaction.

    Items must have distinct external ids. Items without an external id are always new.
    Re-sending the same items leaves the same data. Hides a few queries per batch of 2,000
    (COPY on PostgreSQL: see cxm.common.bulk). With `defer_rollups`, the (survey, time)
    pairs whose KPI rollups need a refresh are added to it instead of refreshed here: a
    caller writing many batches (the import) refreshes once, at its end.
    """
    result = UpsertResult()
    with transaction.atomic():
        touched = responses_days(external_ids=[i.external_id for i in items if i.external_id])
        for start in range(0, len(items), BATCH):
            _upsert_batch(items[start : start + BATCH], result)
        pending = [*touched, *((i.survey_id, i.submitted_at) for i in items)]
        if defer_rollups is None:
            kpi_rollup_refresh_touched(pending)
        else:
            defer_rollups.update(pending)
        written = [*result.ids.values(), *result.new_ids]
        followups_invite(response_ids=written)
        responses_saved.send(sender=Response, response_ids=written)
    return result


def _upsert_batch(items: Sequence[CleanResponse], result: UpsertResult) -> None:
    now = timezone.now()
    keyed = [i for i in items if i.external_id]
    plain = [i for i in items if not i.external_id]
    existing = dict(
        Response.objects.filter(external_id__any=[i.external_id for i in keyed]).values_list(
            "external_id", "id"
        )
    )
    keys = bulk_upsert(
        Response,
        _RESPONSE_COLUMNS,
        [_response_row(i, now) for i in keyed],
        unique_fields=["external_id"],
        update_fields=_RESPONSE_UPDATES,
    )
    if existing:
        Answer.objects.filter(response_id__any=list(existing.values())).delete()
    answer_rows: list[tuple] = []
    for item in keyed:
        assert item.external_id is not None
        pk = keys[(item.external_id,)]
        result.ids[item.external_id] = pk
        answer_rows.extend(_answer_rows(pk, item.answers))
        if item.external_id in existing:
            result.updated += 1
        else:
            result.created += 1
    if plain:
        created = Response.objects.bulk_create(
            [
                Response(**dict(zip(_RESPONSE_COLUMNS, _response_row(i, now), strict=True)))
                for i in plain
            ]
        )
        for item, response in zip(plain, created, strict=True):
            answer_rows.extend(_answer_rows(response.pk, item.answers))
            result.new_ids.append(response.pk)
        result.created += len(plain)
    bulk_insert(Answer, _ANSWER_COLUMNS, answer_rows)


def page_reached(*, survey_id: int, page: int, day: dt.date | None = None) -> None:
    """Count one arrival on a survey page (one statement: an upsert that adds one)."""
    from django.db import connection

    table = SurveyPageReach._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (survey_id, page, day, reached) VALUES (%s, %s, %s, 1)"  # noqa: S608
            f" ON CONFLICT (survey_id, page, day) DO UPDATE SET reached = {table}.reached + 1",
            [survey_id, page, day or timezone.localdate()],
        )
