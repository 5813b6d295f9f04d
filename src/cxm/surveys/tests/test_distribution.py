"""Sending invitations: channels, messages, policy blocks, retries, reminders, the batch."""

import datetime as dt
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command

from cxm.customers.services import consent_set
from cxm.integrations.base import DeliveryResult
from cxm.surveys import distribution, services, tasks
from cxm.surveys.contact_policy import BlockReason
from cxm.surveys.distribution import invitation_send
from cxm.surveys.models import DeliveryAttempt, DeliveryState, Invitation, SurveyStatus
from cxm.surveys.tests.distribution_helpers import (  # noqa: F401  (fixture)
    DAYTIME,
    FakeSender,
    channel,
    fake_senders,
    make_customer,
)
from cxm.surveys.tokens import sign_key

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_senders")]


@pytest.fixture
def daytime():
    with time_machine.travel(DAYTIME, tick=False):
        yield DAYTIME


def _html(email: Any) -> str:
    return str(email.alternatives[0][0])


def _send(invitation: Invitation) -> Invitation:
    invitation_send(invitation=invitation)
    invitation.refresh_from_db()
    return invitation


def test_email_in_persian_with_link_and_opt_out(daytime, nps_survey):
    customer = make_customer(name="مریم", preferred_language="fa")
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))

    assert invitation.status == DeliveryState.SENT
    assert invitation.sent_at == daytime
    assert invitation.channel is not None and invitation.channel.code == "email"
    assert invitation.attempts == 1 and invitation.provider_message_id
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == [customer.email]
    link = f"https://cx.example.com/s/{invitation.token}/"
    assert link in email.body
    assert "مریم" in email.body
    unsubscribe = email.extra_headers["List-Unsubscribe"]
    assert unsubscribe.startswith("<https://cx.example.com/s/optout/")
    assert unsubscribe.strip("<>") in email.body
    html = _html(email)
    assert 'dir="rtl"' in html and link in html and unsubscribe.strip("<>") in html
    attempt = DeliveryAttempt.objects.get(invitation=invitation)
    assert attempt.status == "sent" and attempt.channel == "email" and not attempt.is_reminder


def test_english_customer_gets_english(daytime, nps_survey):
    customer = make_customer(preferred_language="en")
    _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert "experience" in mail.outbox[0].body
    assert 'dir="ltr"' in _html(mail.outbox[0])


def test_second_invitation_within_the_budget_is_blocked(daytime, nps_survey, csat_survey):
    customer = make_customer()
    assert _send(services.invitation_create(survey=nps_survey, customer=customer)).status == "sent"
    second = _send(services.invitation_create(survey=csat_survey, customer=customer))
    assert second.status == DeliveryState.BLOCKED
    assert second.blocked_reason == BlockReason.CONTACT_BUDGET
    assert "30" in second.blocked_message
    assert second.sent_at is None
    assert len(mail.outbox) == 1


def test_exempt_survey_kind_skips_the_budget(daytime, settings, nps_survey):
    settings.CXM_BUDGET_EXEMPT_SURVEY_KINDS = ["follow_up"]
    follow_up = services.survey_create_from_template(
        template="relationship_nps", name="Call-back", languages=["fa"]
    )
    follow_up.kind = "follow_up"
    follow_up.save()
    services.survey_set_status(survey=follow_up, status=SurveyStatus.ACTIVE)
    customer = make_customer()
    _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert _send(services.invitation_create(survey=follow_up, customer=customer)).status == "sent"


def test_quiet_hours_reschedule_then_send(nps_survey):
    night = dt.datetime(2025, 6, 10, 20, 0, tzinfo=dt.UTC)  # 23:30 in Tehran
    customer = make_customer()
    with time_machine.travel(night, tick=False):
        invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
        assert invitation.status == DeliveryState.PENDING
        assert invitation.blocked_reason == BlockReason.QUIET_HOURS
        assert invitation.next_attempt_at == dt.datetime(2025, 6, 11, 5, 30, tzinfo=dt.UTC)
        assert mail.outbox == []
    with time_machine.travel(dt.datetime(2025, 6, 11, 5, 29, tzinfo=dt.UTC), tick=False):
        tasks.send_due_invitations.enqueue()
        assert mail.outbox == []
    with time_machine.travel(dt.datetime(2025, 6, 11, 5, 30, tzinfo=dt.UTC), tick=False):
        tasks.send_due_invitations.enqueue()
    invitation.refresh_from_db()
    assert invitation.status == DeliveryState.SENT and invitation.blocked_reason == ""
    assert len(mail.outbox) == 1


def test_fallback_to_sms_when_there_is_no_email(daytime, nps_survey):
    customer = make_customer(email="", phone="+989121234567")
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.status == DeliveryState.SENT
    assert invitation.channel is not None and invitation.channel.code == "sms"
    (sms,) = FakeSender.sent
    assert sms.recipient == "+989121234567"
    assert f"https://cx.example.com/s/{invitation.token}/" in sms.text
    assert "https://cx.example.com/s/optout/" in sms.text
    assert distribution.sms_parts(sms) <= 3  # UCS-2 (Persian): 67 characters a part


def test_opt_out_moves_to_the_next_channel(daytime, nps_survey):
    customer = make_customer(phone="+989121234567")
    consent_set(customer=customer, channel=channel("email"), status="opt_out", source="test")
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.channel is not None and invitation.channel.code == "sms"


def test_opt_out_blocks_the_chosen_channel(daytime, nps_survey):
    customer = make_customer()
    consent_set(customer=customer, channel=channel("email"), status="opt_out", source="test")
    invitation = services.invitation_create(
        survey=nps_survey, customer=customer, channel=channel("email")
    )
    invitation = _send(invitation)
    assert invitation.status == DeliveryState.BLOCKED
    assert invitation.blocked_reason == BlockReason.OPTED_OUT
    assert mail.outbox == []


def test_no_contact_point_at_all(daytime, nps_survey):
    customer = make_customer(email="", phone="", telegram="")
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.status == DeliveryState.BLOCKED
    assert invitation.blocked_reason == BlockReason.NO_CONTACT_POINT


def test_preferred_channel_without_a_contact_point(daytime, nps_survey):
    customer = make_customer(phone="", preferred_channel=channel("sms"))
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.blocked_reason == BlockReason.NO_CONTACT_POINT


def test_telegram_has_the_one_tap_keyboard(daytime, nps_survey):
    customer = make_customer(telegram="424242", preferred_channel=channel("telegram"))
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.status == DeliveryState.SENT
    (message,) = FakeSender.sent
    assert message.recipient == "424242"
    assert "توصیه" in message.text  # the NPS question in Persian
    labels = [label for row in message.buttons for label, _data in row]
    assert set(labels) == {*"۰۱۲۳۴۵۶۷۸۹", "۱۰"}
    datas = [data for row in message.buttons for _label, data in row]
    assert all(data.startswith(f"nps:{invitation.key}:") for data in datas)
    assert "https://cx.example.com/s/optout/" in message.text


def test_telegram_without_nps_sends_the_link(daytime, csat_survey):
    customer = make_customer(telegram="424242", preferred_channel=channel("telegram"))
    invitation = _send(services.invitation_create(survey=csat_survey, customer=customer))
    (message,) = FakeSender.sent
    assert message.buttons == ()
    assert invitation.token in message.text


def test_retry_after_the_provider_delay(daytime, nps_survey):
    FakeSender.results = [DeliveryResult.retry("429: Too Many Requests", retry_after=120)]
    customer = make_customer(email="", phone="+989121234567")
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.status == DeliveryState.RETRY
    assert invitation.sent_at is None  # the budget is given back
    assert invitation.next_attempt_at == daytime + dt.timedelta(seconds=120)
    assert invitation.last_error == "429: Too Many Requests"
    with time_machine.travel(daytime + dt.timedelta(seconds=60), tick=False):
        assert tasks.send_due_invitations.enqueue().return_value == {"remaining": 0}
    with time_machine.travel(daytime + dt.timedelta(seconds=121), tick=False):
        tasks.send_due_invitations.enqueue()
    invitation.refresh_from_db()
    assert invitation.status == DeliveryState.SENT and invitation.attempts == 2
    assert len(FakeSender.sent) == 2
    assert list(invitation.attempts_log.values_list("status", flat=True)) == ["sent", "retry"]


def test_permanent_failure(daytime, nps_survey):
    FakeSender.results = [DeliveryResult.failed("Not a phone number")]
    customer = make_customer(email="", phone="+989121234567")
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.status == DeliveryState.FAILED and invitation.next_attempt_at is None
    tasks.send_due_invitations.enqueue()
    assert len(FakeSender.sent) == 1


def test_gives_up_after_the_last_attempt(daytime, settings, nps_survey):
    settings.CXM_INVITATION_MAX_ATTEMPTS = 1
    FakeSender.results = [DeliveryResult.retry("timeout")]
    customer = make_customer(email="", phone="+989121234567")
    invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    assert invitation.status == DeliveryState.FAILED


def test_closed_survey_and_answered_invitation_are_not_sent(daytime, nps_survey):
    customer = make_customer()
    invitation = services.invitation_create(survey=nps_survey, customer=customer)
    services.survey_set_status(survey=nps_survey, status=SurveyStatus.CLOSED)
    assert _send(invitation).blocked_reason == BlockReason.SURVEY_CLOSED


def test_due_batch_picks_scheduled_and_event_invitations_only(daytime, nps_survey):
    manual = services.invitation_create(survey=nps_survey, customer=make_customer())
    scheduled = services.invitation_create(survey=nps_survey, customer=make_customer())
    scheduled.send_after = daytime - dt.timedelta(minutes=1)
    scheduled.save()
    future = services.invitation_create(survey=nps_survey, customer=make_customer())
    future.send_after = daytime + dt.timedelta(hours=1)
    future.save()
    event = services.invitation_create(survey=nps_survey, customer=make_customer())
    Invitation.objects.filter(pk=event.pk).update(event="order.delivered")
    result = tasks.send_due_invitations.enqueue().return_value
    assert result == {"sent": 2, "remaining": 0}
    statuses = dict(Invitation.objects.values_list("pk", "status"))
    assert statuses[scheduled.pk] == statuses[event.pk] == "sent"
    assert statuses[manual.pk] == statuses[future.pk] == "pending"


def test_send_invitation_task(daytime, nps_survey):
    invitation = services.invitation_create(survey=nps_survey, customer=make_customer())
    assert tasks.send_invitation.enqueue(invitation.pk).return_value == "sent"
    assert tasks.send_invitation.enqueue(invitation.pk).return_value == "sent"  # no resend
    assert len(mail.outbox) == 1
    assert tasks.send_invitation.enqueue(10**9).return_value == "missing"


def test_one_reminder_only(nps_survey, csat_survey):
    customer = make_customer()
    with time_machine.travel(DAYTIME, tick=False):
        invitation = _send(services.invitation_create(survey=nps_survey, customer=customer))
    with time_machine.travel(DAYTIME + dt.timedelta(hours=71), tick=False):
        assert tasks.send_reminders.enqueue().return_value == 0
    with time_machine.travel(DAYTIME + dt.timedelta(hours=73), tick=False):
        assert tasks.send_reminders.enqueue().return_value == 1
        assert tasks.send_reminders.enqueue().return_value == 0
    with time_machine.travel(DAYTIME + dt.timedelta(hours=100), tick=False):
        assert tasks.send_reminders.enqueue().return_value == 0
    assert len(mail.outbox) == 2
    reminder = mail.outbox[1]
    assert invitation.token in reminder.body and "List-Unsubscribe" in reminder.extra_headers
    invitation.refresh_from_db()
    assert invitation.reminder_sent_at == DAYTIME + dt.timedelta(hours=73)
    assert invitation.sent_at == DAYTIME  # a reminder does not use the budget again
    assert invitation.attempts_log.filter(is_reminder=True).count() == 1


def test_no_reminder_after_an_answer_or_an_opt_out(nps_survey):
    answered, opted_out = make_customer(), make_customer()
    with time_machine.travel(DAYTIME, tick=False):
        first = _send(services.invitation_create(survey=nps_survey, customer=answered))
        _send(services.invitation_create(survey=nps_survey, customer=opted_out))
    from cxm.surveys.models import Response

    Response.objects.create(
        survey=nps_survey, customer=answered, invitation=first, language="fa", submitted_at=DAYTIME
    )
    consent_set(customer=opted_out, channel=channel("email"), status="opt_out", source="test")
    with time_machine.travel(DAYTIME + dt.timedelta(hours=80), tick=False):
        assert tasks.send_reminders.enqueue().return_value == 0
    first.refresh_from_db()
    assert first.status == DeliveryState.RESPONDED


def test_reminder_waits_for_the_end_of_quiet_hours(nps_survey):
    customer = make_customer()
    with time_machine.travel(DAYTIME, tick=False):
        _send(services.invitation_create(survey=nps_survey, customer=customer))
    night = dt.datetime(2025, 3, 13, 20, 0, tzinfo=dt.UTC)  # 23:30 Tehran, 84 hours later
    with time_machine.travel(night, tick=False):
        assert tasks.send_reminders.enqueue().return_value == 0
    with time_machine.travel(night + dt.timedelta(hours=10), tick=False):
        assert tasks.send_reminders.enqueue().return_value == 1


def test_management_command_queues_the_work(daytime, nps_survey):
    invitation = services.invitation_create(survey=nps_survey, customer=make_customer())
    invitation.send_after = daytime
    invitation.save()
    call_command("send_invitations")
    invitation.refresh_from_db()
    assert invitation.status == DeliveryState.SENT


def test_token_of_invitation_still_opens_the_page(daytime, client, nps_survey):
    invitation = _send(services.invitation_create(survey=nps_survey, customer=make_customer()))
    assert invitation.token == sign_key(invitation.key)
    assert client.get(f"/s/{invitation.token}/").status_code == 200
    distribution.invitations_sync_status()
    invitation.refresh_from_db()
    assert invitation.status == DeliveryState.OPENED
