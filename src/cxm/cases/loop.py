"""Close the loop between listening and acting.

- Feedback rules: an answer such as NPS ≤ 6 opens a case of the rule's type, priority and
  team, linked to the response (one case per response, whatever the number of rules).
- After resolution, the case type's touchpoint survey (CSAT) goes to the customer through
  the surveys' distribution, which applies the contact budget and opt-outs; the invitation
  carries the case id as a hidden field, so the answer links back to the case. A bad answer
  (CSAT in the bottom two boxes, NPS ≤ 6) reopens the case.

Both run in background tasks after the responses' transaction commits, so a bulk write of
10,000 responses is not slowed down; `feedback_catch_up` (periodic) picks up anything a
crash between commit and enqueue left behind.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Collection
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Exists, OuterRef
from django.dispatch import receiver
from django.utils import timezone

from cxm.cases.models import (
    TEXT_METRICS,
    ActivityKind,
    Case,
    CaseSource,
    Comparison,
    FeedbackRule,
    FeedbackRuleMetric,
    StatusCategory,
)
from cxm.surveys.models import Answer, QuestionType, Response
from cxm.surveys.signals import responses_saved
from cxm.textanalytics.signals import texts_analysed

log = logging.getLogger(__name__)
CASE_HIDDEN_FIELD = "case"
CATCH_UP_WINDOW = dt.timedelta(days=2)


@receiver(responses_saved, dispatch_uid="cases.responses_saved")
def _on_responses_saved(sender: Any, response_ids: Collection[int], **kwargs: Any) -> None:
    if not response_ids:
        return
    ids = list(response_ids)
    from cxm.cases import tasks

    transaction.on_commit(lambda: tasks.process_responses.enqueue(ids))


@receiver(texts_analysed, dispatch_uid="cases.texts_analysed")
def _on_texts_analysed(sender: Any, item_ids: Collection[int], **kwargs: Any) -> None:
    if (
        not item_ids
        or not FeedbackRule.objects.filter(is_active=True, metric__in=TEXT_METRICS).exists()
    ):
        return
    ids = list(item_ids)
    from cxm.cases import tasks

    transaction.on_commit(lambda: tasks.process_text_items.enqueue(ids))


def _text_rule_matches(rule: FeedbackRule, item: Any, topics: set[str]) -> bool:
    if item.sentiment_score is None:
        return False
    if rule.topic and rule.topic not in topics:
        return False
    if rule.intent and rule.intent != item.intent:
        return False
    if rule.metric == FeedbackRuleMetric.COMMENT and rule.survey_id not in (None, item.survey_id):
        return False
    return _matches(rule, Decimal(str(round(float(item.sentiment_score), 2))))


def text_cases_open(*, item_ids: Collection[int]) -> list[Case]:
    """Open cases for analysed texts that text rules match: a survey comment (e.g. negative
    and about delivery) opens one case per response, whatever other rules already did; a
    social post (e.g. intent complaint) opens one case per post. Idempotent."""
    from cxm.cases.services import case_create
    from cxm.textanalytics.models import SourceKind, TextItem

    rules = list(
        FeedbackRule.objects.filter(is_active=True, metric__in=TEXT_METRICS).select_related(
            "case_type", "team"
        )
    )
    if not rules or not item_ids:
        return []
    kinds: dict[str, str] = {
        SourceKind.SURVEY_ANSWER: FeedbackRuleMetric.COMMENT,
        SourceKind.SOCIAL_POST: FeedbackRuleMetric.SOCIAL,
    }
    items = (
        TextItem.objects.filter(
            pk__any=list(item_ids), analysed_at__isnull=False, source_kind__in=list(kinds)
        )
        .select_related("response", "customer", "channel")
        .prefetch_related("topics")
        .order_by("pk")
    )
    created: list[Case] = []
    for item in items:
        metric = kinds[item.source_kind]
        topics = {t.code for t in item.topics.all()}
        rule = next(
            (r for r in rules if r.metric == metric and _text_rule_matches(r, item, topics)),
            None,
        )
        if rule is None:
            continue
        text = item.redacted_text or item.text
        subject = f"{rule.case_type.name}: {text[:120]}"
        common: dict[str, Any] = {
            "subject": subject,
            "case_type": rule.case_type,
            "description": text,
            "customer": item.customer,
            "channel": item.channel,
            "priority": rule.priority,
            "team": rule.team,
            "language": item.language if item.language in ("fa", "ar", "hu", "en") else "",
            "intent": item.intent,
        }
        with transaction.atomic():
            if metric == FeedbackRuleMetric.COMMENT:
                if (
                    item.response is None
                    or Case.objects.filter(source_response=item.response).exists()
                ):
                    continue
                case = case_create(
                    **common, source=CaseSource.FEEDBACK, source_response=item.response
                )
            else:
                external_id = f"social-post-{item.pk}"
                if Case.objects.filter(external_id=external_id).exists():
                    continue
                case = case_create(**common, source=CaseSource.SOCIAL, external_id=external_id)
            created.append(case)
    return created


def _matches(rule: FeedbackRule, value: Decimal) -> bool:
    threshold = rule.threshold
    return value <= threshold if rule.comparison == Comparison.LTE else value >= threshold


def feedback_cases_open(*, response_ids: Collection[int]) -> list[Case]:
    """Open a case for each response whose answer matches an active feedback rule and that
    has no case yet. A fixed number of queries plus one `case_create` per new case."""
    from cxm.cases.services import case_create

    rules = list(
        FeedbackRule.objects.filter(is_active=True)
        .exclude(metric__in=TEXT_METRICS)
        .select_related("case_type", "team")
    )
    if not rules or not response_ids:
        return []
    metrics = {rule.metric for rule in rules}
    answers = (
        Answer.objects.filter(
            response_id__any=list(response_ids),
            question__type__in=metrics,
            number_value__isnull=False,
        )
        .exclude(Exists(Case.objects.filter(source_response_id=OuterRef("response_id"))))
        .select_related("question", "response__customer", "response__channel", "response__survey")
        .order_by("response_id", "question__page", "question__position")
    )
    created: list[Case] = []
    done: set[int] = set()
    for answer in answers:
        response = answer.response
        if response.pk in done:
            continue
        value = Decimal(answer.number_value)  # type: ignore[arg-type]
        rule = next(
            (
                r
                for r in rules
                if r.metric == answer.question.type
                and (r.survey_id is None or r.survey_id == response.survey_id)
                and _matches(r, value)
            ),
            None,
        )
        if rule is None:
            continue
        done.add(response.pk)
        comment = (
            Answer.objects.filter(response=response, question__type=QuestionType.TEXT)
            .exclude(text_value="")
            .values_list("text_value", flat=True)
            .first()
        )
        with transaction.atomic():
            if Case.objects.filter(source_response=response).exists():
                continue
            score = f"{answer.question.type.upper()} {value.normalize()}"
            subject = f"{rule.case_type.name}: {response.survey.name} {score}"
            created.append(
                case_create(
                    subject=subject,
                    case_type=rule.case_type,
                    description=comment or "",
                    customer=response.customer,
                    channel=response.channel,
                    priority=rule.priority,
                    team=rule.team,
                    language=response.language,
                    source="feedback",
                    source_response=response,
                )
            )
    return created


def followup_answers_link(*, response_ids: Collection[int]) -> int:
    """Link answers to post-resolution surveys to their case; a bad one reopens it."""
    from cxm.cases.services import activity_add, case_set_status, default_status

    linked = 0
    responses = Response.objects.filter(
        pk__any=list(response_ids), hidden__has_key=CASE_HIDDEN_FIELD
    )
    for response in responses.prefetch_related("answers__question"):
        raw = (response.hidden or {}).get(CASE_HIDDEN_FIELD)
        if not raw or not str(raw).isdigit():
            continue
        case = Case.objects.filter(pk=int(raw)).first()
        if case is None:
            continue
        scores = {
            a.question.type: (a.number_value, a.scale_max)
            for a in response.answers.all()
            if a.number_value is not None
        }
        added = activity_add(
            case=case,
            kind=ActivityKind.SURVEY_ANSWERED,
            key=f"response-{response.pk}",
            data={"response": response.pk, **{k: float(v[0]) for k, v in scores.items()}},
        )
        if added is None:
            continue
        linked += 1
        if _is_bad(scores) and case.status_category in (
            StatusCategory.RESOLVED,
            StatusCategory.CLOSED,
        ):
            case_set_status(case=case, status=default_status(StatusCategory.OPEN))
    return linked


def _is_bad(scores: dict[str, tuple[Any, Any]]) -> bool:
    """CSAT in the bottom two boxes, NPS 0–6 or CES agreement 1–2."""
    if QuestionType.CSAT in scores:
        value, scale = scores[QuestionType.CSAT]
        return int(value) <= (2 if (scale or 5) >= 5 else 1)
    if QuestionType.NPS in scores:
        return int(scores[QuestionType.NPS][0]) <= 6
    if QuestionType.CES in scores:
        return int(scores[QuestionType.CES][0]) <= 2
    return False


def on_case_resolved(case_id: int) -> None:
    """Send the case type's survey to the customer (queued; the contact budget applies)."""
    from cxm.cases.services import activity_add
    from cxm.surveys.services import invitation_create
    from cxm.surveys.tasks import send_invitation

    case = (
        Case.objects.select_related("type__followup_survey", "customer").filter(pk=case_id).first()
    )
    if case is None or case.customer is None or case.type.followup_survey is None:
        return
    survey = case.type.followup_survey
    if not survey.is_open:
        return
    with transaction.atomic():
        added = activity_add(
            case=case,
            kind=ActivityKind.SURVEY_SENT,
            key=f"resolved-{case.reopen_count}",
            data={"survey": survey.pk},
        )
        if added is None:
            return  # already sent for this resolution
        invitation = invitation_create(
            survey=survey,
            customer=case.customer,
            channel=case.channel if getattr(case.channel, "can_send", False) else None,
            language=case.language,
            hidden={CASE_HIDDEN_FIELD: case.pk},
        )
        added.data["invitation"] = invitation.pk
        added.save(update_fields=["data"])
        transaction.on_commit(lambda: send_invitation.enqueue(invitation.pk))


def feedback_catch_up(*, now: dt.datetime | None = None) -> int:
    """Re-run the feedback rules over the last two days' responses (idempotent)."""
    now = now or timezone.now()
    ids = list(
        Response.objects.filter(created_at__gte=now - CATCH_UP_WINDOW).values_list("pk", flat=True)
    )
    opened = 0
    for start in range(0, len(ids), 2_000):
        chunk = ids[start : start + 2_000]
        opened += len(feedback_cases_open(response_ids=chunk))
        followup_answers_link(response_ids=chunk)
    return opened
