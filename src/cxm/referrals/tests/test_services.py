"""Referral codes, the invitation to refer sent to promoters, conversions."""

import re

import pytest
from django.core import mail

from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import ConsentStatus
from cxm.customers.services import consent_set
from cxm.referrals import services
from cxm.referrals.models import InviteStatus, Referral, ReferralConversion, ReferralInviteRule
from cxm.surveys.models import Response
from cxm.surveys.signals import responses_saved

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_senders")]

CODE = re.compile(r"^[23456789a-km-zA-HJ-NP-Z]{8}$")


def saved(ids, capture):
    with capture(execute=True):
        responses_saved.send(sender=Response, response_ids=ids)


# ---------------------------------------------------------------------------- codes


def test_codes_are_short_url_safe_random_and_unique():
    codes = {services.new_code() for _ in range(2000)}
    assert len(codes) == 2000  # 56^8 possibilities: no collision expected
    assert all(CODE.match(code) for code in codes)
    # No look-alike characters that get mistyped from an SMS.
    assert not set("".join(codes)) & set("01lIoO")


def test_referral_for_gets_or_creates_one_per_customer(make_customer):
    customer = make_customer()
    first = services.referral_for(customer=customer)
    again = services.referral_for(customer=customer)
    assert first.pk == again.pk
    assert CODE.match(first.code)
    assert Referral.objects.count() == 1


def test_a_taken_code_is_drawn_again(make_customer, monkeypatch):
    taken = services.referral_for(customer=make_customer()).code
    draws = iter([taken, "Fresh234"])
    monkeypatch.setattr(services, "new_code", lambda: next(draws))
    referral = services.referral_for(customer=make_customer())
    assert referral.code == "Fresh234"


# ---------------------------------------------------------------------------- invites


@pytest.fixture
def rule(db):
    return ReferralInviteRule.objects.create(
        name="Promoters", review_url="https://maps.example.com/review"
    )


def test_only_promoters_are_invited_once_each(
    daytime, nps, rule, make_customer, respond, django_capture_on_commit_callbacks
):
    promoter, passive, detractor = make_customer(), make_customer(), make_customer()
    ids = [
        respond(nps, promoter, 10).pk,
        respond(nps, passive, 8).pk,
        respond(nps, detractor, 3).pk,
    ]
    saved(ids, django_capture_on_commit_callbacks)

    referral = Referral.objects.get()
    assert referral.customer == promoter
    assert referral.invite_status == InviteStatus.SENT
    assert referral.invited_at == daytime
    assert referral.rule == rule
    assert referral.channel is not None and referral.channel.code == "email"
    assert len(mail.outbox) == 1
    body = mail.outbox[0].body
    assert f"https://cx.example.com/r/{referral.code}/" in body
    assert "https://maps.example.com/review" in body
    assert mail.outbox[0].to == [promoter.email]

    # A second promoter answer of the same customer: no second invitation.
    saved([respond(nps, promoter, 9).pk], django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    assert Referral.objects.count() == 1


def test_the_signal_only_queues_after_commit(nps, rule, make_customer, respond):
    response = respond(nps, make_customer(), 10)
    responses_saved.send(sender=Response, response_ids=[response.pk])
    # Inside the (test) transaction nothing ran yet: the write is not slowed down.
    assert not Referral.objects.exists()


def test_no_active_rule_no_invitation(
    daytime, nps, rule, make_customer, respond, django_capture_on_commit_callbacks
):
    rule.is_active = False
    rule.save()
    saved([respond(nps, make_customer(), 10).pk], django_capture_on_commit_callbacks)
    assert not Referral.objects.exists()
    assert mail.outbox == []


def test_rule_of_another_survey_does_not_apply(
    daytime, nps, make_customer, respond, django_capture_on_commit_callbacks
):
    from cxm.surveys import services as survey_services

    other = survey_services.survey_create_from_template(
        template="relationship_nps", name="Other", languages=["en"]
    )
    ReferralInviteRule.objects.create(name="Other only", survey=other)
    saved([respond(nps, make_customer(), 10).pk], django_capture_on_commit_callbacks)
    assert not Referral.objects.exists()


def test_opted_out_promoter_is_blocked_not_sent(
    daytime, nps, rule, make_customer, respond, django_capture_on_commit_callbacks
):
    customer = make_customer()
    consent_set(
        customer=customer,
        channel=Channel.objects.get(code="email"),
        status=ConsentStatus.OPT_OUT,
        source="test",
    )
    saved([respond(nps, customer, 10).pk], django_capture_on_commit_callbacks)
    referral = Referral.objects.get()
    assert referral.invite_status == InviteStatus.BLOCKED
    assert "opted out" in referral.invite_reason
    assert mail.outbox == []
    # Blocked counts as invited once: a later promoter answer does not try again.
    saved([respond(nps, customer, 10).pk], django_capture_on_commit_callbacks)
    assert Referral.objects.get().invite_status == InviteStatus.BLOCKED


def test_quiet_hours_postpone_the_invitation(
    nps, rule, make_customer, respond, django_capture_on_commit_callbacks, settings
):
    import datetime as dt

    import time_machine

    night = dt.datetime(2025, 3, 10, 20, 0, tzinfo=dt.UTC)  # 23:30 in Tehran
    settings.CXM_QUIET_HOURS = "21:00-09:00"
    with time_machine.travel(night, tick=False):
        saved([respond(nps, make_customer(), 10).pk], django_capture_on_commit_callbacks)
    referral = Referral.objects.get()
    assert referral.invite_status == InviteStatus.PENDING
    assert referral.invite_due_at is not None and referral.invite_due_at > night
    assert mail.outbox == []
    with time_machine.travel(referral.invite_due_at + dt.timedelta(minutes=1), tick=False):
        counts = services.referral_invites_send_due()
    assert counts == {InviteStatus.SENT: 1}
    assert len(mail.outbox) == 1


def test_sms_invitation_in_the_customers_language(
    daytime, nps, rule, make_customer, respond, django_capture_on_commit_callbacks, fake_senders
):
    customer = make_customer(
        email="",
        phone="+989121111111",
        preferred_language="fa",
        preferred_channel=Channel.objects.get(code="sms"),
    )
    saved([respond(nps, customer, 9).pk], django_capture_on_commit_callbacks)
    [message] = fake_senders.sent
    assert message.channel == "sms"
    assert message.recipient == "+989121111111"
    assert message.language == "fa"
    assert Referral.objects.get().code in message.text


# ---------------------------------------------------------------------------- conversions


def test_conversion_is_idempotent(make_customer):
    referral = services.referral_for(customer=make_customer())
    friend = make_customer()
    first = services.referral_convert(code=referral.code, customer=friend)
    again = services.referral_convert(code=f" {referral.code} ", customer=friend)
    assert first.created and not again.created
    assert first.conversion.pk == again.conversion.pk
    assert ReferralConversion.objects.count() == 1


def test_unknown_code_self_referral_and_second_referrer_are_refused(make_customer):
    promoter = make_customer()
    referral = services.referral_for(customer=promoter)
    with pytest.raises(ApplicationError) as unknown:
        services.referral_convert(code="nope1234", customer=make_customer())
    assert unknown.value.code == "unknown_referral_code"
    with pytest.raises(ApplicationError) as own:
        services.referral_convert(code=referral.code, customer=promoter)
    assert own.value.code == "self_referral"
    friend = make_customer()
    services.referral_convert(code=referral.code, customer=friend)
    other = services.referral_for(customer=make_customer())
    with pytest.raises(ApplicationError) as twice:
        services.referral_convert(code=other.code, customer=friend)
    assert twice.value.code == "already_referred"
    assert ReferralConversion.objects.count() == 1
