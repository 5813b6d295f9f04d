"""Reads of the case pages: list filters, search through the customer search, sort, SLA
badges and timers, canned replies rendered for a case, unread counts."""

import datetime as dt

import pytest
from django.utils import timezone

from cxm.cases import selectors, services
from cxm.cases.canned import canned_render, canned_text
from cxm.cases.models import (
    CannedReply,
    Case,
    CaseTopic,
    Notification,
    SlaState,
    StatusCategory,
)
from cxm.customers.models import Customer
from cxm.customers.services import customer_save

UTC = dt.UTC
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


def _case(complaint, **kw):
    kw.setdefault("subject", "Late delivery")
    return services.case_create(case_type=complaint, **kw)


def _ids(qs):
    return [c.pk for c in qs]


def _customer(name, **kw):
    return customer_save(customer=Customer(name=name, external_id=name.lower(), **kw))


@pytest.mark.django_db
def test_default_list_is_active_cases_newest_first(complaint, status_of, agents):
    first, second, done = (_case(complaint) for _ in range(3))
    services.case_set_status(case=done, status=status_of(StatusCategory.RESOLVED))
    waiting = status_of(StatusCategory.WAITING_CUSTOMER)
    services.case_set_status(case=first, status=waiting)
    assert _ids(selectors.case_list(user=agents[0])) == [second.pk, first.pk]
    everything = selectors.case_list(user=agents[0], filters={"status": "all"})
    assert _ids(everything) == [done.pk, second.pk, first.pk]
    resolved = selectors.case_list(user=agents[0], filters={"status": "resolved"})
    assert _ids(resolved) == [done.pk]
    assert _ids(selectors.case_list(user=agents[0], filters={"sort": "oldest"})) == [
        first.pk,
        second.pk,
    ]


@pytest.mark.django_db
def test_filters_mine_team_assignee_type_topic_priority_channel(
    complaint, team, agents, email_channel
):
    topic = CaseTopic.objects.create(code="billing", names={"en": "Billing"})
    mine = _case(complaint, assignee=agents[0], team=team, topic=topic, priority="urgent")
    other = _case(complaint, assignee=agents[1], channel=email_channel, priority="low")
    unassigned = _case(complaint)
    inquiry = _case(complaint.__class__.objects.get(code="inquiry"))
    me = agents[0]

    def ids(**filters):
        return set(_ids(selectors.case_list(user=me, filters=filters)))

    assert ids(mine=True) == {mine.pk}
    assert ids(team=team) == {mine.pk}
    assert ids(assignee=agents[1]) == {other.pk}
    assert ids(unassigned=True) == {unassigned.pk, inquiry.pk}
    assert ids(type=complaint) == {mine.pk, other.pk, unassigned.pk}
    assert ids(topic=topic) == {mine.pk}
    assert ids(priority="urgent") == {mine.pk}
    assert ids(channel=email_channel) == {other.pk}
    assert ids(priority="", team=None) == {mine.pk, other.pk, unassigned.pk, inquiry.pk}


@pytest.mark.django_db
def test_sla_filters_breached_due_soon_paused(complaint, status_of, agents, office_policy):
    now = timezone.now()
    _case(complaint, subject="overdue", now=now - dt.timedelta(days=10))
    flagged = _case(complaint, subject="flagged")
    Case.objects.filter(pk=flagged.pk).update(resolution_breached=True)
    soon = _case(complaint, subject="soon")
    Case.objects.filter(pk=soon.pk).update(
        warn_at=now - dt.timedelta(minutes=1),
        response_by=now + dt.timedelta(minutes=10),
        resolution_by=now + dt.timedelta(days=3),
    )
    fine = _case(complaint, subject="fine")
    Case.objects.filter(pk=fine.pk).update(
        warn_at=now + dt.timedelta(hours=5),
        response_by=now + dt.timedelta(hours=6),
        resolution_by=now + dt.timedelta(days=3),
        warned=False,
    )
    paused = _case(complaint, subject="paused")
    services.case_set_status(case=paused, status=status_of(StatusCategory.WAITING_CUSTOMER))

    def subjects(sla):
        return {c.subject for c in selectors.case_list(user=agents[0], filters={"sla": sla})}

    assert subjects("breached") == {"overdue", "flagged"}
    assert subjects("due_soon") == {"soon"}
    assert subjects("paused") == {"paused"}
    assert subjects("on_track") == {"fine"}


@pytest.mark.django_db
def test_search_by_subject_number_and_customer_name_phone_email(complaint, agents):
    sara = _customer("Sara Ahmadi", phone="+989121234567", email="sara@example.com")
    ali = _customer("Ali Rezaei", email="ali@example.org")
    for_sara = _case(complaint, customer=sara, subject="Broken screen")
    for_ali = _case(complaint, customer=ali, subject="Invoice twice")

    def found(q):
        return set(_ids(selectors.case_list(user=agents[0], filters={"q": q})))

    assert found("broken") == {for_sara.pk}
    assert found("sara") == {for_sara.pk}
    assert found("09121234567") == {for_sara.pk}  # the national form of the phone
    assert found("ali@example.org") == {for_ali.pk}
    assert found(f"#{for_ali.pk}") == {for_ali.pk}
    assert found("nothing like this") == set()
    # A phone number or an address finds customers only, never a subject that contains it.
    _case(complaint, subject="Call back 09121234567")
    assert found("09121234567") == {for_sara.pk}


@pytest.mark.django_db
def test_sort_by_due_time_lists_running_clocks_soonest_first(complaint, agents, office_policy):
    now = timezone.now()
    late, early, paused, answered = (_case(complaint) for _ in range(4))
    Case.objects.filter(pk=late.pk).update(
        resolution_by=now + dt.timedelta(days=2), response_by=now + dt.timedelta(hours=3)
    )
    Case.objects.filter(pk=early.pk).update(
        resolution_by=now + dt.timedelta(hours=2), response_by=now + dt.timedelta(hours=1)
    )
    Case.objects.filter(pk=paused.pk).update(resolution_by=None, response_by=None)
    Case.objects.filter(pk=answered.pk).update(
        resolution_by=now + dt.timedelta(days=1), first_responded_on=now
    )

    def ids(sort):
        return _ids(selectors.case_list(user=agents[0], filters={"sort": sort}))

    assert ids("resolution_due") == [early.pk, answered.pk, late.pk]
    assert ids("response_due") == [early.pk, late.pk]  # awaiting a first response
    assert set(ids("newest")) == {late.pk, early.pk, paused.pk, answered.pk}


@pytest.mark.django_db
def test_sla_badge_tones(complaint, office_policy):
    now = timezone.now()
    case = _case(complaint)
    assert selectors.sla_badge(case, now=now).tone == "ok"
    case.warn_at = now - dt.timedelta(minutes=1)
    assert selectors.sla_badge(case, now=now).tone == "due_soon"
    case.response_by = now - dt.timedelta(minutes=1)
    assert selectors.sla_badge(case, now=now).tone == "overdue"
    case.on_hold_since, case.sla_state = now, SlaState.PAUSED
    assert selectors.sla_badge(case, now=now).tone == "paused"


@pytest.mark.django_db
def test_sla_timers_count_business_time(complaint, office_policy):
    case = _case(complaint, now=MONDAY_10)
    case = selectors.case_get(case.pk)
    first, resolution = selectors.sla_timers(case, now=MONDAY_10 + dt.timedelta(minutes=15))
    assert first.remaining_minutes == pytest.approx(45)
    # Resolution due Tuesday 10:00; from Monday 16:00 that is 1 + 1 business hours.
    _first, resolution = selectors.sla_timers(case, now=dt.datetime(2026, 11, 23, 16, tzinfo=UTC))
    assert resolution.remaining_minutes == pytest.approx(120)
    assert not resolution.breached
    _first, late = selectors.sla_timers(case, now=dt.datetime(2026, 11, 24, 11, tzinfo=UTC))
    assert late.remaining_minutes == pytest.approx(-60) and late.breached


@pytest.mark.django_db
def test_canned_reply_in_the_case_language_with_variables(complaint, agents, customer):
    agents[0].first_name, agents[0].last_name = "Reza", "Karimi"
    reply = CannedReply.objects.create(
        title="Sorry",
        texts={
            "en": "Dear {customer_name}, case {case_number}. {agent_name}",
            "fa": "{customer_name} گرامی، درخواست {case_number} — {agent_name} {unknown}",
        },
    )
    case = _case(complaint, customer=customer)  # Sara prefers Persian
    text = canned_render(reply, case=case, agent=agents[0])
    persian_number = str(case.pk).translate(str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹"))
    assert text == f"Sara Ahmadi گرامی، درخواست {persian_number} — Reza Karimi {{unknown}}"
    assert canned_text(reply, "hu") == reply.texts["en"]  # no Hungarian text: English


@pytest.mark.django_db
def test_unread_count_is_capped(agents):
    now = timezone.now()
    Notification.objects.bulk_create(
        Notification(user=agents[0], kind="x", text="t", created_at=now) for _ in range(105)
    )
    Notification.objects.create(user=agents[0], kind="x", text="t", created_at=now, read_at=now)
    assert selectors.unread_count(user=agents[0]) == selectors.UNREAD_CAP + 1
    assert selectors.unread_count(user=agents[1]) == 0
    assert services.notifications_mark_read(user=agents[0]) == 105
    assert selectors.unread_count(user=agents[0]) == 0


def test_case_reference_id_accepts_persian_digits_and_hash():
    assert selectors.case_reference_id("#۱۲۳") == 123
    assert selectors.case_reference_id(" 45 ") == 45
    assert selectors.case_reference_id("abc") is None
    assert selectors.case_reference_id("") is None
