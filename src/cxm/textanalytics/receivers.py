"""Texts in from the other capabilities, queued after their transaction commits (receivers
must be cheap: a bulk write of responses carries up to 10,000 ids in one signal).

Connected in `TextAnalyticsConfig.ready()`; the periodic `catch_up` task picks up anything a
crash between commit and enqueue left behind.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

from django.db import transaction

RESPONSES_PER_TASK = 2_000


def on_responses_saved(sender: Any, response_ids: Collection[int], **kwargs: Any) -> None:
    if not response_ids:
        return
    ids = list(response_ids)

    def enqueue() -> None:
        from cxm.textanalytics import tasks

        for start in range(0, len(ids), RESPONSES_PER_TASK):
            tasks.analyse_responses.enqueue(ids[start : start + RESPONSES_PER_TASK])

    transaction.on_commit(enqueue)


def on_case_message_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """A new inbound message (the customer's words); replies and notes are not feedback."""
    from cxm.cases.models import MessageKind

    if not created or kwargs.get("raw") or instance.kind != MessageKind.INBOUND:
        return
    message_id = instance.pk

    def enqueue() -> None:
        from cxm.textanalytics import tasks

        tasks.analyse_case_messages.enqueue([message_id])

    transaction.on_commit(enqueue)
