"""Writes of contact-center records: queues and the queue_log import of interactions."""

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from cxm.common.bulk import bulk_upsert
from cxm.contactcenter import selectors
from cxm.contactcenter.models import Interaction, InteractionKind, InteractionSource, Queue
from cxm.core.queue_log import QueueCall, QueueCallAssembler, ReadReport, read_calls

IMPORT_BATCH = 2000

_FIELDS = (
    "source",
    "external_id",
    "kind",
    "queue",
    "customer",
    "agent",
    "agent_name",
    "arrived_at",
    "answered_at",
    "ended_at",
    "wait_seconds",
    "talk_seconds",
    "outcome",
    "caller_id",
    "disposition",
    "recording_url",
    "transcript",
    "created_at",
    "updated_at",
)
# What a re-import may change; the case, disposition, recording and transcript set by people
# or other sources are kept (new rows get them empty: COPY does not apply Django defaults).
_KEPT = ("source", "external_id", "created_at", "disposition", "recording_url", "transcript")
_UPDATE_FIELDS = [f for f in _FIELDS if f not in _KEPT]


@dataclass
class QueueLogImportResult:
    created: int = 0
    updated: int = 0
    unreadable_lines: int = 0
    unknown_events: dict[str, int] = field(default_factory=dict)
    lines: int = 0
    unreadable_line_numbers: list[int] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "created": self.created,
            "updated": self.updated,
            "unreadable_lines": self.unreadable_lines,
            "unknown_events": self.unknown_events,
        }


def queue_ids_for(names: Iterable[str]) -> dict[str, int]:
    """{queue name: id}, creating the queues not seen before (queues are few)."""
    wanted = set(names)
    found = dict(Queue.objects.filter(name__in=wanted).values_list("name", "pk"))
    for name in wanted - found.keys():
        found[name] = Queue.objects.get_or_create(name=name)[0].pk
    return found


def _utc(seconds: float) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


def _batches(calls: Iterable[QueueCall], size: int) -> Iterator[list[QueueCall]]:
    batch: dict[str, QueueCall] = {}
    for call in calls:
        batch[queue_log_external_id(call)] = call  # a repeated call: the last one wins
        if len(batch) >= size:
            yield list(batch.values())
            batch = {}
    if batch:
        yield list(batch.values())


def queue_log_external_id(call: QueueCall) -> str:
    return f"{call.call_id}@{call.queue}"


@transaction.atomic
def _save_batch(calls: list[QueueCall], result: QueueLogImportResult) -> None:
    source = InteractionSource.QUEUE_LOG
    keys = [queue_log_external_id(call) for call in calls]
    existing = set(
        Interaction.objects.filter(source=source, external_id__in=keys).values_list(
            "external_id", flat=True
        )
    )
    queues = queue_ids_for(call.queue for call in calls)
    phones = {call.caller_id: selectors.phone_or_empty(call.caller_id) for call in calls}
    customers = selectors.customers_by_phones(phones.values())
    agents = selectors.users_by_agent_names(call.agent for call in calls)
    now = dt.datetime.now(tz=dt.UTC)
    rows = []
    for key, call in zip(keys, calls, strict=True):
        arrived = _utc(call.arrived)
        # Out-of-order lines may put a CONNECT before its ENTERQUEUE: never answer early.
        answered = _utc(max(call.answered, call.arrived)) if call.answered is not None else None
        agent_name = "" if call.agent.strip().upper() == "NONE" else call.agent.strip()
        rows.append(
            (
                source,
                key,
                InteractionKind.CALL,
                queues[call.queue],
                customers.get(phones[call.caller_id]),
                agents.get(call.agent),
                agent_name[:128],
                arrived,
                answered,
                _utc(max(call.ended, call.arrived)),
                round(call.wait),
                round(call.talk) if call.talk is not None else None,
                call.outcome,
                call.caller_id[:64],
                "",
                "",
                "",
                now,
                now,
            )
        )
    bulk_upsert(
        Interaction,
        [f if f not in ("queue", "customer", "agent") else f + "_id" for f in _FIELDS],
        rows,
        unique_fields=["source", "external_id"],
        update_fields=[
            f if f not in ("queue", "customer", "agent") else f + "_id" for f in _UPDATE_FIELDS
        ],
    )
    result.created += len(keys) - len(existing)
    result.updated += len(existing)


def interactions_import_queue_log(
    *, lines: Iterable[bytes | str], batch_size: int = IMPORT_BATCH
) -> QueueLogImportResult:
    """Upsert the completed calls of queue_log lines as interactions, by (source, call id and
    queue): importing the same file again creates nothing. Streams the lines; writes in
    batches, each in its own transaction. Links customers by caller id (E.164) and agents by
    alias or username."""
    report = ReadReport()
    assembler = QueueCallAssembler()
    result = QueueLogImportResult()
    for batch in _batches(read_calls(lines, report, assembler), batch_size):
        _save_batch(batch, result)
    result.unreadable_lines = report.unreadable
    result.unreadable_line_numbers = list(report.unreadable_line_numbers)
    result.lines = report.lines
    result.unknown_events = dict(sorted(assembler.unknown_events.items()))
    return result
