"""Background tasks of text analytics (django-tasks). They take ids only and are idempotent:
one TextItem per source, and an analysed item is not analysed again."""

from __future__ import annotations

import datetime as dt

from django.db.models import Exists, OuterRef
from django.utils import timezone
from django_tasks import task

from cxm.textanalytics import services

CATCH_UP_WINDOW = dt.timedelta(days=2)
CATCH_UP_LIMIT = 20_000  # items per periodic run; `cxm analyze_backlog` does the rest


@task()
def analyse_responses(response_ids: list[int]) -> int:
    """The free-text answers of responses just saved: stored and analysed."""
    ids = services.text_items_from_responses(response_ids=response_ids)
    return services.text_items_analyse(item_ids=ids)


@task()
def analyse_case_messages(message_ids: list[int]) -> int:
    ids = services.text_items_from_case_messages(message_ids=message_ids)
    return services.text_items_analyse(item_ids=ids)


@task()
def analyse_items(item_ids: list[int]) -> int:
    return services.text_items_analyse(item_ids=item_ids)


def missing_sources(*, since: dt.datetime | None) -> tuple[list[int], list[int]]:
    """Responses with a free-text answer and inbound case messages (written after `since`,
    or ever) that have no TextItem yet: what a crash between commit and enqueue left."""
    from cxm.cases.models import CaseMessage, MessageKind
    from cxm.surveys.models import Answer, QuestionType
    from cxm.textanalytics.models import SourceKind, TextItem

    answers = Answer.objects.filter(question__type=QuestionType.TEXT).exclude(text_value="")
    messages = CaseMessage.objects.filter(kind=MessageKind.INBOUND)
    if since is not None:
        answers = answers.filter(response__submitted_at__gte=since)
        messages = messages.filter(created_at__gte=since)
    answers = answers.exclude(
        Exists(
            TextItem.objects.filter(source_kind=SourceKind.SURVEY_ANSWER, source_id=OuterRef("pk"))
        )
    )
    messages = messages.exclude(
        Exists(
            TextItem.objects.filter(source_kind=SourceKind.CASE_MESSAGE, source_id=OuterRef("pk"))
        )
    )
    response_ids = sorted(set(answers.values_list("response_id", flat=True)))
    message_ids = list(messages.order_by("pk").values_list("pk", flat=True))
    return response_ids, message_ids


@task()
def catch_up() -> int:
    """Periodic: store the recent texts nobody queued, then analyse what waits (bounded)."""
    response_ids, message_ids = missing_sources(since=timezone.now() - CATCH_UP_WINDOW)
    for start in range(0, len(response_ids), services.BATCH_SIZE):
        services.text_items_from_responses(
            response_ids=response_ids[start : start + services.BATCH_SIZE]
        )
    for start in range(0, len(message_ids), services.BATCH_SIZE):
        services.text_items_from_case_messages(
            message_ids=message_ids[start : start + services.BATCH_SIZE]
        )
    from cxm.textanalytics.models import TextItem

    waiting = list(
        TextItem.objects.filter(analysed_at__isnull=True)
        .order_by("pk")
        .values_list("pk", flat=True)[:CATCH_UP_LIMIT]
    )
    return services.text_items_analyse(item_ids=waiting)


@task()
def train_sentiment(run_id: int) -> str:
    from cxm.textanalytics import training

    run = training.training_run_execute(run_id=run_id)
    return str(run.status)
