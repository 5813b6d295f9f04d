"""Reads of surveys and responses: lists, one survey with its questions, the invitation
behind a token, and the lookups a batch of API responses is validated against."""

from collections.abc import Iterable, Mapping
from typing import Any

from django.db.models import Count, Prefetch, QuerySet
from django.utils.dateparse import parse_datetime

from cxm.accounts.models import Team, User
from cxm.channels.models import Channel
from cxm.customers.models import Customer
from cxm.journeys.models import Touchpoint
from cxm.surveys.models import Invitation, Question, Response, Survey
from cxm.surveys.tokens import unsign_token
from cxm.surveys.validation import ResponseContext


def survey_list() -> QuerySet[Survey]:
    """Surveys, newest first, with `response_count`. One query."""
    return (
        Survey.objects.select_related("touchpoint", "channel")
        .annotate(response_count=Count("responses"))
        .order_by("-id")
    )


def survey_get(pk: int) -> Survey:
    """One survey with its questions in order (2 queries)."""
    return (
        Survey.objects.select_related("touchpoint", "channel", "created_by")
        .prefetch_related(
            Prefetch("questions", queryset=Question.objects.order_by("page", "position", "id"))
        )
        .get(pk=pk)
    )


def survey_questions(survey: Survey) -> list[Question]:
    """The questions in display order (uses the prefetch when there is one)."""
    return sorted(survey.questions.all(), key=lambda q: (q.page, q.position, q.pk))


def invitation_for_token(token: str) -> Invitation:
    """The invitation of a signed token, with survey, customer and any response.

    Raises InvalidToken (bad signature) or Invitation.DoesNotExist. One query.
    """
    key = unsign_token(token)
    return Invitation.objects.select_related("survey", "customer", "response").get(key=key)


def response_list(*, filters: Mapping[str, Any] | None = None) -> QuerySet[Response]:
    """Responses, newest first, narrowed by survey, channel (code), touchpoint, customer
    (id or `customer_external_id`) and a submitted_at range (ISO datetimes)."""
    filters = filters or {}
    qs = Response.objects.select_related("survey", "customer", "channel", "agent").order_by(
        "-submitted_at", "-id"
    )
    for name in ("survey", "touchpoint", "customer", "team"):
        value = str(filters.get(name) or "")
        if value.isdigit():
            qs = qs.filter(**{f"{name}_id": int(value)})
    if channel := filters.get("channel"):
        qs = qs.filter(channel__code=channel)
    if customer_external_id := filters.get("customer_external_id"):
        qs = qs.filter(customer__external_id=customer_external_id)
    if external_id := filters.get("external_id"):
        qs = qs.filter(external_id=external_id)
    for name, lookup in (("submitted_after", "gte"), ("submitted_before", "lt")):
        if raw := filters.get(name):
            try:
                moment = parse_datetime(str(raw))
            except ValueError:
                moment = None
            if moment is not None:
                qs = qs.filter(**{f"submitted_at__{lookup}": moment})
    return qs


def response_context(items: Iterable[Any]) -> ResponseContext:
    """Everything validating `items` (raw API dicts) looks up, in a fixed number of queries."""
    dicts = [i for i in items if isinstance(i, Mapping)]

    def wanted(name: str) -> set[str]:
        return {str(i[name]).strip() for i in dicts if i.get(name) not in (None, "")}

    survey_ids = {int(v) for v in wanted("survey") if v.isdigit()}
    surveys = {s.pk: s for s in Survey.objects.filter(pk__in=survey_ids)}
    questions: dict[int, list[Question]] = {}
    for question in Question.objects.filter(survey_id__in=surveys).order_by(
        "survey_id", "page", "position", "id"
    ):
        questions.setdefault(question.survey_id, []).append(question)
    touchpoint_ids = {int(v) for v in wanted("touchpoint") if v.isdigit()}
    touchpoint_ids |= {s.touchpoint_id for s in surveys.values() if s.touchpoint_id}
    team_ids = {int(v) for v in wanted("team") if v.isdigit()}
    return ResponseContext(
        surveys=surveys,
        questions=questions,
        channels=dict(Channel.objects.values_list("code", "id")),
        touchpoints=dict(
            Touchpoint.objects.filter(pk__in=touchpoint_ids).values_list("id", "stage_id")
        ),
        customers=dict(
            Customer.objects.filter(external_id__in=wanted("customer_external_id")).values_list(
                "external_id", "id"
            )
        )
        if wanted("customer_external_id")
        else {},
        teams=set(Team.objects.filter(pk__in=team_ids).values_list("id", flat=True)),
        agents=dict(User.objects.filter(username__in=wanted("agent")).values_list("username", "id"))
        if wanted("agent")
        else {},
    )
