"""The contact policy: consent, contact points, the budget across surveys, quiet hours."""

import datetime as dt

import pytest
import time_machine

from cxm.customers.models import ConsentStatus
from cxm.customers.services import consent_set
from cxm.surveys import services
from cxm.surveys.contact_policy import (
    BlockReason,
    may_contact,
    parse_quiet_hours,
    quiet_hours_end,
)
from cxm.surveys.models import Response
from cxm.surveys.tests.distribution_helpers import DAYTIME, channel, make_customer

pytestmark = pytest.mark.django_db


def test_allowed_by_default_in_daytime():
    customer = make_customer()
    decision = may_contact(customer, channel=channel("email"), now=DAYTIME)
    assert decision.allowed and decision.reason_code == ""


def test_missing_contact_point():
    customer = make_customer(phone="")
    decision = may_contact(customer, channel=channel("sms"), now=DAYTIME)
    assert not decision.allowed
    assert decision.reason_code == BlockReason.NO_CONTACT_POINT
    assert "number" in decision.message


def test_opt_out_blocks_only_that_channel():
    customer = make_customer(phone="+989121234567")
    consent_set(customer=customer, channel=channel("sms"), status="opt_out", source="test")
    assert may_contact(customer, channel=channel("sms"), now=DAYTIME).reason_code == (
        BlockReason.OPTED_OUT
    )
    assert may_contact(customer, channel=channel("email"), now=DAYTIME).allowed


def test_channels_that_require_an_opt_in(settings):
    settings.CXM_CONSENT_REQUIRED_CHANNELS = ["sms"]
    customer = make_customer(phone="+989121234567")
    sms = channel("sms")
    assert may_contact(customer, channel=sms, now=DAYTIME).reason_code == BlockReason.NO_CONSENT
    consent_set(customer=customer, channel=sms, status=ConsentStatus.OPT_IN, source="form")
    assert may_contact(customer, channel=sms, now=DAYTIME).allowed


def test_channel_that_cannot_send():
    customer = make_customer()
    email = channel("email")
    email.can_send = False
    email.save()
    decision = may_contact(customer, channel=email, now=DAYTIME)
    assert decision.reason_code == BlockReason.CHANNEL_DISABLED


def test_budget_across_surveys_and_channels(nps_survey, csat_survey):
    customer = make_customer(phone="+989121234567")
    first = services.invitation_create(survey=nps_survey, customer=customer)
    first.sent_at = DAYTIME - dt.timedelta(days=10)
    first.save()
    decision = may_contact(customer, channel=channel("sms"), now=DAYTIME)
    assert decision.reason_code == BlockReason.CONTACT_BUDGET
    assert "30" in decision.message
    assert decision.retry_at == first.sent_at + dt.timedelta(days=30)
    # Without the budget (reminders, exempt surveys) the rest still applies.
    assert may_contact(customer, channel=channel("sms"), now=DAYTIME, count_budget=False).allowed
    # 31 days later the budget is free again.
    later = DAYTIME + dt.timedelta(days=21)
    assert may_contact(customer, channel=channel("email"), now=later).allowed


def test_budget_days_from_settings(settings, nps_survey):
    settings.CXM_CONTACT_BUDGET_DAYS = 7
    customer = make_customer()
    invitation = services.invitation_create(survey=nps_survey, customer=customer)
    invitation.sent_at = DAYTIME - dt.timedelta(days=8)
    invitation.save()
    assert may_contact(customer, channel=channel("email"), now=DAYTIME).allowed


def test_quarantine_after_a_response(nps_survey):
    customer = make_customer()
    Response.objects.create(
        survey=nps_survey, customer=customer, language="fa", submitted_at=DAYTIME - dt.timedelta(60)
    )
    decision = may_contact(customer, channel=channel("email"), now=DAYTIME)
    assert decision.reason_code == BlockReason.QUARANTINE
    assert "90" in decision.message
    assert may_contact(customer, channel=channel("email"), now=DAYTIME + dt.timedelta(31)).allowed


def test_quiet_hours_in_the_customer_time_zone():
    # 20:00 UTC: 23:30 in Tehran (quiet), 12:00 in Los Angeles (PDT; not quiet).
    now = dt.datetime(2025, 6, 10, 20, 0, tzinfo=dt.UTC)
    tehran = make_customer()
    la = make_customer(attributes={"timezone": "America/Los_Angeles"})
    decision = may_contact(tehran, channel=channel("email"), now=now)
    assert decision.reason_code == BlockReason.QUIET_HOURS
    # The quiet period ends at 09:00 Tehran time the next morning (05:30 UTC).
    assert decision.retry_at == dt.datetime(2025, 6, 11, 5, 30, tzinfo=dt.UTC)
    assert may_contact(la, channel=channel("email"), now=now).allowed


def test_quiet_hours_after_midnight_end_the_same_day():
    customer = make_customer(attributes={"timezone": "Europe/Budapest"})
    now = dt.datetime(2025, 1, 15, 5, 0, tzinfo=dt.UTC)  # 06:00 in Budapest (CET)
    assert quiet_hours_end(customer, now) == dt.datetime(2025, 1, 15, 8, 0, tzinfo=dt.UTC)


def test_unknown_time_zone_falls_back_to_settings(settings):
    customer = make_customer(attributes={"timezone": "Mars/Olympus"})
    now = dt.datetime(2025, 6, 10, 20, 0, tzinfo=dt.UTC)  # 23:30 in Tehran
    assert quiet_hours_end(customer, now) is not None


def test_quiet_hours_off_and_malformed(settings):
    settings.CXM_QUIET_HOURS = ""
    customer = make_customer()
    assert quiet_hours_end(customer, dt.datetime(2025, 6, 10, 20, 0, tzinfo=dt.UTC)) is None
    assert parse_quiet_hours("22:00-07:30") == (dt.time(22), dt.time(7, 30))
    with pytest.raises(ValueError):
        parse_quiet_hours("late")


def test_message_in_the_active_language():
    customer = make_customer(phone="")
    with time_machine.travel(DAYTIME, tick=False):
        from django.utils import translation

        with translation.override("fa"):
            decision = may_contact(customer, channel=channel("sms"))
    assert decision.reason_code == BlockReason.NO_CONTACT_POINT
    assert decision.message
