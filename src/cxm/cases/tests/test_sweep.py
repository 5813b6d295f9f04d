"""The SLA sweep: warnings, breaches and escalations fire once, also after a restart."""

import datetime as dt

import pytest

from cxm.accounts.roles import Role
from cxm.cases import services
from cxm.cases.models import ActivityKind, Case, CaseActivity, Notification, SlaState
from cxm.cases.sweep import sla_evaluate

UTC = dt.UTC
MONDAY_10 = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


@pytest.fixture
def case(complaint, team, agents, office_policy):
    return services.case_create(
        subject="Broken router", case_type=complaint, team=team, assignee=agents[0], now=MONDAY_10
    )


@pytest.mark.django_db
def test_warning_then_breach_fire_once_each(case, agents, team):
    assert sla_evaluate(now=MONDAY_10 + dt.timedelta(minutes=30)).warnings == 0
    result = sla_evaluate(now=MONDAY_10 + dt.timedelta(minutes=46))
    assert result.warnings == 1 and result.response_breaches == 0
    assert sla_evaluate(now=MONDAY_10 + dt.timedelta(minutes=50)).warnings == 0
    result = sla_evaluate(now=MONDAY_10 + dt.timedelta(minutes=61))
    assert result.response_breaches == 1
    case.refresh_from_db()
    assert case.response_breached and case.sla_state == SlaState.FAILED
    assert sla_evaluate(now=MONDAY_10 + dt.timedelta(minutes=62)).response_breaches == 0
    kinds = list(CaseActivity.objects.filter(case=case).values_list("kind", "key"))
    assert kinds.count((ActivityKind.SLA_WARNING, "response")) == 1
    assert kinds.count((ActivityKind.SLA_BREACH, "response")) == 1
    notified = set(
        Notification.objects.filter(case=case, kind=ActivityKind.SLA_BREACH).values_list(
            "user_id", flat=True
        )
    )
    assert notified == {agents[0].pk, team.lead_id}


@pytest.mark.django_db
def test_escalation_chain_fires_each_level_once(case, make_user, team):
    supervisor = make_user(Role.SUPERVISOR, username="sup", team=team)
    manager = make_user(Role.CX_MANAGER, username="cxm")
    tuesday = dt.datetime(2026, 11, 24, tzinfo=UTC)
    # Resolution due Tuesday 10:00 (8 business hours); 150% → Tuesday 14:00; 200% → Wed 10:00.
    assert sla_evaluate(now=tuesday + dt.timedelta(hours=9)).escalations == 0
    first = sla_evaluate(now=tuesday + dt.timedelta(hours=10, minutes=1))
    assert first.escalations == 1 and first.resolution_breaches == 1
    assert sla_evaluate(now=tuesday + dt.timedelta(hours=10, minutes=2)).escalations == 0
    assert sla_evaluate(now=tuesday + dt.timedelta(hours=14, minutes=1)).escalations == 1
    assert Notification.objects.filter(user=supervisor, kind="escalation").count() == 1
    assert sla_evaluate(now=tuesday + dt.timedelta(days=1, hours=10, minutes=1)).escalations == 1
    assert Notification.objects.filter(user=manager, kind="escalation").count() == 1
    case.refresh_from_db()
    assert case.escalation_level == 3 and case.next_escalation_at is None
    assert sla_evaluate(now=tuesday + dt.timedelta(days=5)).escalations == 0


@pytest.mark.django_db
def test_escalation_fires_once_after_a_worker_restart(case, make_user, team):
    """A worker that died after recording the escalation but before moving the case on:
    the next sweep sees the unique activity and does not notify again."""
    make_user(Role.SUPERVISOR, username="sup", team=team)
    due = dt.datetime(2026, 11, 24, 10, 1, tzinfo=UTC)
    assert sla_evaluate(now=due).escalations == 1
    # Simulate the crash: the level and next instant roll back, the activity stays.
    Case.objects.filter(pk=case.pk).update(escalation_level=0, next_escalation_at=due)
    before = Notification.objects.filter(kind="escalation").count()
    assert sla_evaluate(now=due + dt.timedelta(minutes=1)).escalations == 0
    assert Notification.objects.filter(kind="escalation").count() == before
    case.refresh_from_db()
    assert case.escalation_level == 1


@pytest.mark.django_db
def test_paused_case_neither_warns_nor_breaches(case, status_of):
    from cxm.cases.models import StatusCategory

    services.case_set_status(
        case=case,
        status=status_of(StatusCategory.WAITING_CUSTOMER),
        now=MONDAY_10 + dt.timedelta(minutes=10),
    )
    # the first-response clock keeps running (it is not paused), resolution does not breach
    result = sla_evaluate(now=MONDAY_10 + dt.timedelta(days=10))
    assert result.resolution_breaches == 0 and result.escalations == 0
