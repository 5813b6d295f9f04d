"""Interactions: model constraints, the queue_log import and the timeline provider."""

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.utils import translation

from cxm.common.timeline import customer_timeline, registered_providers
from cxm.contactcenter.models import AgentAlias, Interaction, Queue
from cxm.contactcenter.services import interactions_import_queue_log
from cxm.customers.models import Customer
from cxm.customers.tests.factories import CustomerFactory

T0 = 1_700_000_000  # 2023-11-14 22:13:20 UTC

# A hand-written queue_log: answered (12 s wait, 180 s talk), abandoned after 40 s, timed out,
# exited with a key, transferred, a call still talking at the end (not imported), an unknown
# event, an agent event and two unreadable lines.
QUEUE_LOG = f"""\
{T0}|NONE|NONE|NONE|QUEUESTART|
{T0 + 1}|c1|sales|NONE|ENTERQUEUE||09121234567|1
{T0 + 13}|c1|sales|SIP/1001|CONNECT|12|c1.1|3
{T0 + 193}|c1|sales|SIP/1001|COMPLETECALLER|12|180|1
{T0 + 20}|c2|sales|NONE|ENTERQUEUE||+989351112233|1
{T0 + 60}|c2|sales|NONE|ABANDON|1|1|40
{T0 + 70}|c3|support|NONE|ENTERQUEUE||02188776655|1
{T0 + 370}|c3|support|NONE|EXITWITHTIMEOUT|1|1|300
{T0 + 80}|c4|support|NONE|ENTERQUEUE||anonymous|2
{T0 + 85}|c4|support|NONE|EXITWITHKEY|5|1|1|5
{T0 + 90}|c5|support|NONE|ENTERQUEUE||09121234567|1
{T0 + 95}|c5|support|alice|CONNECT|5|c5.1|2
{T0 + 155}|c5|support|alice|BLINDTRANSFER|200|default|5|60|1
{T0 + 400}|c6|sales|NONE|ENTERQUEUE||09120000000|1
{T0 + 405}|c6|sales|SIP/1001|CONNECT|5|c6.1|2
{T0 + 410}|c6|sales|NONE|MYCUSTOMEVENT|x
this is not a queue_log line
{T0 + 420}|c7|sales|NONE|CONNECT|notanumber
"""


def _utc(seconds: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(seconds, tz=dt.UTC)


@pytest.fixture
def queue_log_file(tmp_path: Path) -> Path:
    path = tmp_path / "queue_log"
    path.write_text(QUEUE_LOG, encoding="utf-8")
    return path


@pytest.mark.django_db
def test_source_and_external_id_are_unique() -> None:
    queue = Queue.objects.create(name="sales")
    fields = {"queue": queue, "arrived_at": _utc(T0), "outcome": "answered"}
    Interaction.objects.create(source="queue_log", external_id="x", **fields)
    Interaction.objects.create(source="api", external_id="x", **fields)
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(source="queue_log", external_id="x", **fields)


@pytest.mark.django_db
def test_answered_before_arrival_is_refused() -> None:
    queue = Queue.objects.create(name="sales")
    with pytest.raises(IntegrityError), transaction.atomic():
        Interaction.objects.create(
            source="api",
            external_id="y",
            queue=queue,
            arrived_at=_utc(T0),
            answered_at=_utc(T0 - 1),
            outcome="answered",
        )


@pytest.mark.django_db
def test_queue_names_are_unique() -> None:
    Queue.objects.create(name="sales")
    with pytest.raises(IntegrityError), transaction.atomic():
        Queue.objects.create(name="sales")


@pytest.mark.django_db
def test_import_creates_interactions_with_outcomes_and_times(queue_log_file: Path) -> None:
    alice = get_user_model().objects.create_user(username="alice")
    bob = get_user_model().objects.create_user(username="bob")
    AgentAlias.objects.create(alias="1001", user=bob)
    out, err = io.StringIO(), io.StringIO()
    call_command("import_queue_log", str(queue_log_file), "--json", stdout=out, stderr=err)
    assert json.loads(out.getvalue()) == {
        "created": 5,
        "updated": 0,
        "unreadable_lines": 2,
        "unknown_events": {"MYCUSTOMEVENT": 1},
    }
    assert "2 of 18 line(s) unreadable: lines 17, 18" in err.getvalue()
    calls = {i.external_id: i for i in Interaction.objects.select_related("queue")}
    assert set(calls) == {"c1@sales", "c2@sales", "c3@support", "c4@support", "c5@support"}

    c1 = calls["c1@sales"]
    assert (c1.source, c1.kind, c1.queue.name, c1.outcome) == (
        "queue_log",
        "call",
        "sales",
        "answered",
    )
    assert (c1.arrived_at, c1.answered_at, c1.ended_at) == (
        _utc(T0 + 1),
        _utc(T0 + 13),
        _utc(T0 + 193),
    )
    assert (c1.wait_seconds, c1.talk_seconds, c1.wrap_seconds) == (12, 180, None)
    assert (c1.agent_id, c1.agent_name, c1.caller_id) == (bob.pk, "SIP/1001", "09121234567")

    c2 = calls["c2@sales"]
    assert (c2.outcome, c2.wait_seconds, c2.answered_at, c2.talk_seconds) == (
        "abandoned",
        40,
        None,
        None,
    )
    assert (c2.agent, c2.agent_name) == (None, "")
    assert calls["c3@support"].outcome == "timeout"
    assert calls["c3@support"].wait_seconds == 300
    assert (calls["c4@support"].outcome, calls["c4@support"].wait_seconds) == ("exited", 5)
    c5 = calls["c5@support"]
    assert (c5.outcome, c5.wait_seconds, c5.talk_seconds, c5.agent_id) == (
        "transferred",
        5,
        60,
        alice.pk,
    )
    assert c5.answered_at == _utc(T0 + 95)


@pytest.mark.django_db
def test_reimport_creates_nothing_new_and_keeps_manual_fields(queue_log_file: Path) -> None:
    call_command("import_queue_log", str(queue_log_file), stdout=io.StringIO())
    Interaction.objects.filter(external_id="c1@sales").update(disposition="Refund asked")
    out = io.StringIO()
    call_command("import_queue_log", str(queue_log_file), "--json", stdout=out)
    assert json.loads(out.getvalue())["created"] == 0
    assert json.loads(out.getvalue())["updated"] == 5
    assert Interaction.objects.count() == 5
    assert Queue.objects.count() == 2
    assert Interaction.objects.get(external_id="c1@sales").disposition == "Refund asked"


@pytest.mark.django_db
def test_small_batches_and_a_call_repeated_in_one_batch() -> None:
    lines = QUEUE_LOG.splitlines(keepends=True)
    result = interactions_import_queue_log(lines=lines, batch_size=2)
    assert (result.created, result.updated) == (5, 0)
    result = interactions_import_queue_log(lines=lines + lines, batch_size=100)
    assert (result.created, result.updated) == (0, 5)


@pytest.mark.django_db
def test_customer_linked_by_caller_id_in_another_format(queue_log_file: Path) -> None:
    reza = CustomerFactory(phone="+989121234567")  # the log writes 09121234567
    sara = CustomerFactory(phone="+989351112233")  # the log writes +989351112233
    call_command("import_queue_log", str(queue_log_file), stdout=io.StringIO())
    assert Interaction.objects.get(external_id="c1@sales").customer == reza
    assert Interaction.objects.get(external_id="c5@support").customer == reza
    assert Interaction.objects.get(external_id="c2@sales").customer == sara
    assert Interaction.objects.get(external_id="c4@support").customer is None  # anonymous


@pytest.mark.django_db
def test_gzip_file_and_missing_file(tmp_path: Path) -> None:
    import gzip

    path = tmp_path / "queue_log.1.gz"
    path.write_bytes(gzip.compress(QUEUE_LOG.encode()))
    out = io.StringIO()
    call_command("import_queue_log", str(path), stdout=out)
    assert out.getvalue().startswith("created: 5, updated: 0, unreadable lines: 2")
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no such file"):
        call_command("import_queue_log", str(tmp_path / "missing"))


@pytest.mark.django_db
def test_timeline_provider_lists_the_customers_calls(queue_log_file: Path) -> None:
    assert "contactcenter" in registered_providers()
    reza = CustomerFactory(phone="+989121234567")
    call_command("import_queue_log", str(queue_log_file), stdout=io.StringIO())
    with translation.override("en"):
        events = customer_timeline(reza, sources=["contactcenter"])
    assert [e.title for e in events] == [
        "Call in queue support: transferred after 5 s, talked 1 min",
        "Call in queue sales: answered after 12 s, talked 3 min",
    ]
    assert events[1].at == _utc(T0 + 1)
    assert events[1].source == "contactcenter"
    assert events[1].kind == "contactcenter.call"
    assert events[1].body == "SIP/1001"
    assert events[1].data["outcome"] == "answered"


@pytest.mark.django_db
def test_timeline_abandoned_and_timeout_titles() -> None:
    customer: Customer = CustomerFactory.create(phone="+989121234567")
    queue = Queue.objects.create(name="billing")
    for n, (outcome, wait) in enumerate([("abandoned", 40), ("timeout", 300), ("exited", 5)]):
        Interaction.objects.create(
            source="api",
            external_id=str(n),
            queue=queue,
            customer=customer,
            arrived_at=_utc(T0 + n),
            outcome=outcome,
            wait_seconds=wait,
        )
    with translation.override("en"):
        titles = [e.title for e in customer_timeline(customer, sources=["contactcenter"])]
    assert titles == [
        "Call in queue billing: left the queue after 5 s",
        "Call in queue billing: timed out after 5 min",
        "Call in queue billing: abandoned after 40 s",
    ]
