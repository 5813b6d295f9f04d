"""Case services: creation, routing and assignment, the SLA clock through replies, pauses,
resolution and reopening, merge, rating, inbound idempotency."""

import datetime as dt

import pytest
import time_machine
from django.core import mail

from cxm.cases import services
from cxm.cases.models import (
    ActivityKind,
    AgentProfile,
    AssignmentStrategy,
    Case,
    CaseActivity,
    CaseMessage,
    MessageKind,
    Notification,
    RoutingRule,
    SlaState,
    StatusCategory,
    TeamRouting,
)
from cxm.common.exceptions import ApplicationError

UTC = dt.UTC
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)  # a Monday


def _create(complaint, **kw):
    kw.setdefault("subject", "Late delivery")
    kw.setdefault("now", MONDAY_10)
    return services.case_create(case_type=complaint, **kw)


@pytest.mark.django_db
def test_create_routes_assigns_least_loaded_and_starts_the_clock(
    complaint, team, agents, email_channel, customer, office_policy
):
    RoutingRule.objects.create(name="Complaints", team=team).case_types.add(complaint)
    busy = _create(complaint, customer=customer)  # goes to the first (least loaded) agent
    assert busy.team == team and busy.assignee == agents[0]
    second = _create(complaint, customer=customer, channel=email_channel, message="Where is it?")
    assert second.assignee == agents[1]  # agents[0] has one open case now
    assert second.priority == "high"  # the complaint type's default
    assert second.sla_policy == office_policy
    assert second.response_by == MONDAY_10 + dt.timedelta(hours=1)
    assert second.sla_state == SlaState.FIRST_RESPONSE_DUE
    inbound = second.messages.get()
    assert inbound.kind == MessageKind.INBOUND and inbound.body == "Where is it?"
    assert Notification.objects.filter(user=agents[1], case=second, kind="assigned").exists()


@pytest.mark.django_db
def test_resolution_deadline_in_business_time_skips_the_night(complaint, office_policy):
    case = _create(complaint)
    # 480 business minutes from Monday 10:00 with 09–17 days: Monday 7h, Tuesday 1h → 10:00.
    assert case.resolution_by == dt.datetime(2026, 11, 24, 10, 0, tzinfo=UTC)
    assert case.warn_at == MONDAY_10 + dt.timedelta(minutes=45)  # 75% of the first hour


@pytest.mark.django_db
def test_round_robin_rotates(complaint, team, agents):
    TeamRouting.objects.create(team=team, strategy=AssignmentStrategy.ROUND_ROBIN)
    got = [_create(complaint, team=team).assignee for _ in range(4)]
    assert got == [agents[0], agents[1], agents[2], agents[0]]


@pytest.mark.django_db
def test_assignment_respects_capacity_language_and_availability(complaint, team, agents):
    AgentProfile.objects.create(user=agents[0], capacity=0)
    AgentProfile.objects.create(user=agents[1], languages=["hu"])
    AgentProfile.objects.create(user=agents[2], available=False)
    case = _create(complaint, team=team, language="fa")
    assert case.assignee is None  # nobody can take a Persian case now: stays in the team queue
    hungarian = _create(complaint, team=team, language="hu")
    assert hungarian.assignee == agents[1]


@pytest.mark.django_db
def test_availability_provider_filters_agents(complaint, team, agents):
    from cxm.cases import routing

    provider = routing.register_availability_provider(lambda ids, now: [agents[2].pk])
    try:
        assert _create(complaint, team=team).assignee == agents[2]
    finally:
        routing._availability.remove(provider)


@pytest.mark.django_db
def test_first_reply_stops_the_response_clock_and_is_sent_by_email(
    complaint, customer, email_channel, agents, office_policy, django_capture_on_commit_callbacks
):
    case = _create(complaint, customer=customer, channel=email_channel)
    with (
        time_machine.travel(MONDAY_10 + dt.timedelta(minutes=30), tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        message = services.case_reply(case=case, author=agents[0], body="We are on it.")
    case.refresh_from_db()
    assert case.first_responded_on == MONDAY_10 + dt.timedelta(minutes=30)
    assert case.first_response_minutes == pytest.approx(30)
    assert case.sla_state == SlaState.RESOLUTION_DUE and not case.response_breached
    message.refresh_from_db()
    assert message.delivery_status == "sent"
    sent = [m for m in mail.outbox if m.to == ["sara@example.com"]]
    assert sent and "We are on it." in sent[0].body and "#" in sent[0].subject


@pytest.mark.django_db
def test_waiting_on_customer_pauses_and_customer_reply_resumes(
    complaint, customer, email_channel, status_of, office_policy
):
    case = _create(complaint, customer=customer, channel=email_channel)
    tuesday_9 = dt.datetime(2026, 11, 24, 9, 0, tzinfo=UTC)
    waiting = status_of(StatusCategory.WAITING_CUSTOMER)
    # Monday 12:00: 2 of 8 business hours used → 6 left.
    services.case_set_status(case=case, status=waiting, now=MONDAY_10 + dt.timedelta(hours=2))
    case.refresh_from_db()
    assert case.sla_state == SlaState.PAUSED and case.resolution_by is None
    assert case.remaining_resolution_minutes == pytest.approx(360)
    # The customer answers on Wednesday 09:00: 6 business hours from then → 15:00.
    wednesday_9 = tuesday_9 + dt.timedelta(days=1)
    case, _message = services.case_receive(case=case, body="Here is the photo", now=wednesday_9)
    assert case.status_category == StatusCategory.OPEN
    assert case.resolution_by == wednesday_9 + dt.timedelta(hours=6)


@pytest.mark.django_db
def test_resolve_records_business_time_and_reopen_continues(
    complaint, customer, status_of, office_policy
):
    case = _create(complaint, customer=customer)
    resolved = status_of(StatusCategory.RESOLVED)
    services.case_set_status(case=case, status=resolved, now=MONDAY_10 + dt.timedelta(hours=3))
    case.refresh_from_db()
    assert case.resolution_minutes == pytest.approx(180)
    assert case.sla_state == SlaState.FAILED  # no first response within the hour
    assert case.resolved_at is not None
    # The customer writes again within the reopen window: reopened, 5 business hours left.
    later = MONDAY_10 + dt.timedelta(hours=5)
    case, _ = services.case_receive(case=case, body="Still broken", now=later)
    assert case.status_category == StatusCategory.OPEN and case.reopen_count == 1
    assert case.resolution_by == dt.datetime(2026, 11, 24, 12, 0, tzinfo=UTC)  # 2h + 3h
    assert CaseActivity.objects.filter(case=case, kind=ActivityKind.REOPENED).count() == 1


@pytest.mark.django_db
def test_message_to_closed_case_opens_a_linked_case(complaint, customer, status_of):
    case = _create(complaint, customer=customer)
    services.case_set_status(case=case, status=status_of(StatusCategory.CLOSED))
    new_case, message = services.case_receive(case=case, body="Hello again", external_id="m-1")
    assert new_case.pk != case.pk and new_case.parent == case
    assert message.case == new_case and message.body == "Hello again"
    # The same message delivered twice: nothing duplicated.
    again, same = services.case_receive(case=case, body="Hello again", external_id="m-1")
    assert (again.pk, same.pk) == (new_case.pk, message.pk)
    assert CaseMessage.objects.filter(external_id="m-1").count() == 1


@pytest.mark.django_db
def test_reply_to_closed_case_is_refused(complaint, agents, status_of):
    case = _create(complaint)
    services.case_set_status(case=case, status=status_of(StatusCategory.CLOSED))
    with pytest.raises(ApplicationError) as err:
        services.case_reply(case=case, author=agents[0], body="Hi")
    assert err.value.code == "case_closed"
    assert not case.messages.filter(kind=MessageKind.OUTBOUND).exists()


@pytest.mark.django_db
def test_external_id_makes_creation_idempotent(complaint):
    first = _create(complaint, external_id="crm-1")
    assert _create(complaint, external_id="crm-1").pk == first.pk
    assert Case.objects.count() == 1


@pytest.mark.django_db
def test_note_mentions_notify(complaint, agents):
    case = _create(complaint)
    services.case_note(case=case, author=agents[0], body="@agent2 can you check the refund?")
    assert Notification.objects.filter(user=agents[1], kind="mention", case=case).exists()
    assert not Notification.objects.filter(user=agents[2], kind="mention").exists()


@pytest.mark.django_db
def test_merge_moves_messages_and_closes_the_duplicate(complaint, customer):
    target = _create(complaint, customer=customer, message="first")
    duplicate = _create(complaint, customer=customer, message="second")
    services.case_merge(source=duplicate, target=target)
    duplicate.refresh_from_db()
    assert duplicate.merged_into == target and duplicate.status_category == StatusCategory.CLOSED
    assert sorted(target.messages.values_list("body", flat=True)) == ["first", "second"]
    with pytest.raises(ApplicationError):
        services.case_merge(source=target, target=target)


@pytest.mark.django_db
def test_attachments_are_checked_before_anything_is_written(complaint, settings):
    settings.CXM_ATTACHMENT_MAX_BYTES = 10
    big = services.IncomingAttachment(name="photo.jpg", content=b"x" * 11)
    with pytest.raises(ApplicationError) as err:
        _create(complaint, message="see photo", attachments=[big])
    assert err.value.code == "attachment_too_large"
    evil = services.IncomingAttachment(name="invoice.pdf.exe", content=b"MZ")
    with pytest.raises(ApplicationError) as err:
        _create(complaint, message="see file", attachments=[evil])
    assert err.value.code == "attachment_forbidden"
    assert Case.objects.count() == 0


@pytest.mark.django_db
def test_rating_only_after_resolution_and_in_range(complaint, status_of):
    case = _create(complaint)
    with pytest.raises(ApplicationError):
        services.case_rate(case=case, rating=5)
    services.case_set_status(case=case, status=status_of(StatusCategory.RESOLVED))
    with pytest.raises(ApplicationError):
        services.case_rate(case=case, rating=6)
    services.case_rate(case=case, rating=4, comment="ok")
    case.refresh_from_db()
    assert case.resolution_rating == 4


class RecordingSender:
    """A sender that keeps what it was given (channel, recipient)."""

    sent: list[tuple[str, str]] = []

    def send(self, message):
        from cxm.integrations.base import DeliveryResult

        RecordingSender.sent.append((message.channel, message.recipient))
        return DeliveryResult.sent()


@pytest.mark.django_db
def test_notifications_go_out_on_the_channel_each_person_chose(complaint, agents, settings):
    from cxm.cases.tasks import deliver_notifications

    RecordingSender.sent = []
    settings.CXM_SENDERS = {**settings.CXM_SENDERS, "sms": f"{__name__}.RecordingSender"}
    agents[0].notify_by, agents[0].phone = "sms", "+989121111111"
    agents[0].save()
    agents[1].notify_by = "none"
    agents[1].save()
    case = _create(complaint)
    for agent in agents[:3]:
        services.notify(users=[agent], case=case, kind="test", text="Hello")
    mail.outbox.clear()
    deliver_notifications.call()
    assert RecordingSender.sent == [("sms", "+989121111111")]
    assert [m.to for m in mail.outbox] == [["agent3@example.com"]]
    # agents[1] keeps it in the application only; nothing is sent twice
    assert Notification.objects.filter(user=agents[1], emailed_at__isnull=True).count() == 1
    deliver_notifications.call()
    assert len(RecordingSender.sent) == 1 and len(mail.outbox) == 1


@pytest.mark.django_db
def test_resolved_cases_close_after_the_autoclose_days(complaint, status_of, settings):
    settings.CXM_CASE_AUTOCLOSE_DAYS = 7
    old, recent = _create(complaint), _create(complaint)
    resolved = status_of(StatusCategory.RESOLVED)
    services.case_set_status(case=old, status=resolved, now=MONDAY_10)
    services.case_set_status(case=recent, status=resolved, now=MONDAY_10 + dt.timedelta(days=6))
    assert services.cases_autoclose(now=MONDAY_10 + dt.timedelta(days=8)) == 1
    old.refresh_from_db()
    recent.refresh_from_db()
    assert old.status_category == StatusCategory.CLOSED and old.closed_at is not None
    assert recent.status_category == StatusCategory.RESOLVED
    assert services.cases_autoclose(now=MONDAY_10 + dt.timedelta(days=8)) == 0
