"""CAPA: create/edit through the pages (Jalali dates for fa), the rules on status, linking
cases by number and pain points, overdue highlighting, and the verification of effectiveness
computed by hand."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cxm.accounts.roles import Role
from cxm.cases import capa_services, reports
from cxm.cases.models import Capa, CapaStatus, Case, CaseStatus, CaseTopic, CaseType
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.journeys.models import Journey, PainPoint, Stage, Touchpoint

TODAY = dt.date(2026, 6, 1)


@pytest.fixture
def topic(db) -> CaseTopic:
    return CaseTopic.objects.create(code="delivery", names={"en": "Delivery"})


@pytest.fixture
def pain_point(db) -> PainPoint:
    journey = Journey.objects.create(name="Online order")
    stage = Stage.objects.create(journey=journey, name="Delivery")
    channel = Channel.objects.get(code="web")
    touchpoint = Touchpoint.objects.create(stage=stage, name="Courier", channel=channel)
    return PainPoint.objects.create(touchpoint=touchpoint, title="Parcels arrive late")


def _bulk_cases(n: int, *, day: dt.date, case_type: CaseType, topic=None) -> None:
    """`n` bare cases opened at noon on `day` (local time)."""
    status = CaseStatus.objects.get(category="open", is_default=True)
    at = timezone.make_aware(dt.datetime.combine(day, dt.time(12)))
    made = Case.objects.bulk_create(
        [
            Case(subject="x", type=case_type, topic=topic, status=status, status_category="open")
            for _ in range(n)
        ]
    )
    Case.objects.filter(pk__in=[c.pk for c in made]).update(created_at=at)


# ------------------------------------------------------------------------------ services


@pytest.mark.django_db
def test_parse_case_numbers_any_digits_and_separators():
    assert capa_services.parse_case_numbers("#12, 15 ۲۰;12\n٣") == [12, 15, 20, 3]
    assert capa_services.parse_case_numbers("") == []


@pytest.mark.django_db
def test_status_rules(topic):
    capa = capa_services.capa_create(title="Late parcels", problem_statement="Too many")
    assert capa.status == CapaStatus.OPEN
    with pytest.raises(ApplicationError, match="implemented"):
        capa_services.capa_update(capa=capa, status=CapaStatus.VERIFYING)
    future = timezone.localdate() + dt.timedelta(days=3)
    with pytest.raises(ApplicationError, match="future"):
        capa_services.capa_update(capa=capa, implemented_on=future)
    implemented = timezone.localdate() - dt.timedelta(days=1)
    with pytest.raises(ApplicationError, match="verification"):
        capa_services.capa_update(capa=capa, status=CapaStatus.CLOSED, implemented_on=implemented)
    capa = capa_services.capa_update(
        capa=capa,
        status=CapaStatus.CLOSED,
        implemented_on=implemented,
        verification_notes="Complaints halved",
    )
    capa.refresh_from_db()
    assert capa.status == CapaStatus.CLOSED
    with pytest.raises(ApplicationError, match="Unknown fields"):
        capa_services.capa_update(capa=capa, subject="x")


@pytest.mark.django_db
def test_link_cases_all_or_none(complaint):
    capa = capa_services.capa_create(title="T", problem_statement="P")
    _bulk_cases(2, day=TODAY, case_type=complaint)
    a, b = Case.objects.order_by("id")
    with pytest.raises(ApplicationError, match="#999999"):
        capa_services.capa_link_cases(capa=capa, numbers=[a.pk, 999999])
    assert not Case.objects.filter(capa=capa).exists()
    assert capa_services.capa_link_cases(capa=capa, numbers=[a.pk, b.pk, a.pk]) == 2
    capa_services.capa_unlink_case(capa=capa, case_number=a.pk)
    assert list(Case.objects.filter(capa=capa)) == [b]
    with pytest.raises(ApplicationError):
        capa_services.capa_unlink_case(capa=capa, case_number=a.pk)


# ------------------------------------------------------------------------------ effectiveness


@pytest.mark.django_db
def test_effectiveness_numbers_by_hand(complaint, topic):
    """Before (90 days): 30 complaints on the topic of 1,000 cases → 30 per 1,000.
    After (90 days): 10 of 1,000 → 10 per 1,000. Pooled p = 40/2000 = 0.02,
    SE = √(0.02·0.98·(2/1000)) = 0.0062610, z = 0.02/0.0062610 = 3.1944, p = 0.0014."""
    implemented = dt.date(2026, 3, 1)
    inquiry = CaseType.objects.get(code="inquiry")
    other_topic = CaseTopic.objects.create(code="billing")
    before_day, after_day = implemented - dt.timedelta(days=10), implemented + dt.timedelta(days=5)
    _bulk_cases(30, day=before_day, case_type=complaint, topic=topic)
    _bulk_cases(20, day=before_day, case_type=complaint, topic=other_topic)  # other topic
    _bulk_cases(950, day=before_day, case_type=inquiry, topic=topic)  # not complaints
    _bulk_cases(10, day=after_day, case_type=complaint, topic=topic)
    _bulk_cases(990, day=after_day, case_type=inquiry)
    # Outside both windows: not counted.
    _bulk_cases(50, day=implemented - dt.timedelta(days=91), case_type=complaint, topic=topic)
    _bulk_cases(50, day=implemented + dt.timedelta(days=90), case_type=complaint, topic=topic)
    capa = Capa.objects.create(
        title="Courier SLA", problem_statement="Late", topic=topic, implemented_on=implemented
    )
    result = reports.capa_effectiveness(capa, window_days=90, today=TODAY)
    assert result is not None and not result.partial
    assert result.before_start == dt.date(2025, 12, 1)
    assert result.after_end == dt.date(2026, 5, 30)
    change = result.change
    assert (change.before_events, change.before_total) == (30, 1000)
    assert (change.after_events, change.after_total) == (10, 1000)
    assert change.before_rate == pytest.approx(30.0)
    assert change.after_rate == pytest.approx(10.0)
    assert change.z == pytest.approx(3.1944, abs=1e-4)
    assert change.p_value == pytest.approx(0.0014, abs=1e-4)
    assert change.significant_drop


@pytest.mark.django_db
def test_effectiveness_shortens_both_windows_while_the_after_window_runs(complaint, topic):
    implemented = TODAY - dt.timedelta(days=20)
    _bulk_cases(5, day=implemented - dt.timedelta(days=30), case_type=complaint, topic=topic)
    _bulk_cases(4, day=implemented - dt.timedelta(days=5), case_type=complaint, topic=topic)
    capa = Capa.objects.create(
        title="T", problem_statement="P", topic=topic, implemented_on=implemented
    )
    result = reports.capa_effectiveness(capa, window_days=90, today=TODAY)
    assert result is not None and result.partial and result.window_days == 20
    assert result.change.before_events == 4  # the case 30 days before is outside 20 days
    assert result.change.after_total == 0
    assert result.change.p_value is None


@pytest.mark.django_db
def test_no_effectiveness_without_topic_or_date(topic):
    capa = Capa.objects.create(title="T", problem_statement="P", topic=topic)
    assert reports.capa_effectiveness(capa, today=TODAY) is None
    capa.implemented_on = TODAY
    assert reports.capa_effectiveness(capa, today=TODAY) is None  # not a full day yet


# ------------------------------------------------------------------------------ pages


@pytest.mark.django_db
def test_create_with_jalali_dates_for_persian_users(client_for, topic, pain_point, make_user):
    owner = make_user(Role.ANALYST, username="owner")
    client = client_for(Role.ANALYST, language="fa")
    response = client.post(
        reverse("cases:cases_capa:create"),
        {
            "title": "تاخیر ارسال",
            "problem_statement": "Parcels late",
            "topic": topic.pk,
            "analysis": "Why 1: …",
            "owner": owner.pk,
            "due_on": "۱۴۰۵/۰۳/۱۱",  # 2026-06-01
            "status": "open",
            "pain_points": [pain_point.pk],
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    capa = Capa.objects.get()
    assert capa.due_on == dt.date(2026, 6, 1)
    assert list(capa.pain_points.all()) == [pain_point]
    assert response["Location"] == reverse("cases:cases_capa:detail", args=[capa.pk])


@pytest.mark.django_db
def test_change_needs_capa_change_but_everybody_reads(client_for, topic):
    capa = Capa.objects.create(title="Readable", problem_statement="P", topic=topic)
    agent = client_for(Role.AGENT)
    assert agent.get(reverse("cases:cases_capa:list")).status_code == 200
    assert agent.get(reverse("cases:cases_capa:detail", args=[capa.pk])).status_code == 200
    assert agent.get(reverse("cases:cases_capa:create")).status_code == 403
    assert agent.post(reverse("cases:cases_capa:edit", args=[capa.pk]), {}).status_code == 403
    assert (
        agent.post(
            reverse("cases:cases_capa:link-cases", args=[capa.pk]), {"numbers": "1"}
        ).status_code
        == 403
    )
    from django.test import Client

    anonymous = Client().get(reverse("cases:cases_capa:list"))
    assert anonymous.status_code == 302


@pytest.mark.django_db
def test_edit_refuses_closing_without_verification(client_for, topic):
    capa = Capa.objects.create(title="T", problem_statement="P", topic=topic)
    client = client_for(Role.CX_MANAGER)
    response = client.post(
        reverse("cases:cases_capa:edit", args=[capa.pk]),
        {
            "title": "T",
            "problem_statement": "P",
            "status": "closed",
            "implemented_on": "2026-01-01",
        },
    )
    assert response.status_code == 200
    assert "verification of effectiveness" in response.content.decode()
    capa.refresh_from_db()
    assert capa.status == CapaStatus.OPEN


@pytest.mark.django_db
def test_link_cases_through_the_page_and_see_them(client_for, complaint, topic):
    capa = Capa.objects.create(title="T", problem_statement="P", topic=topic)
    _bulk_cases(2, day=TODAY, case_type=complaint)
    a, b = Case.objects.order_by("id")
    client = client_for(Role.SUPERVISOR)
    url = reverse("cases:cases_capa:link-cases", args=[capa.pk])
    client.post(url, {"numbers": f"#{a.pk}, {b.pk}"})
    assert set(Case.objects.filter(capa=capa)) == {a, b}
    bad = client.post(url, {"numbers": "99999"}, follow=True)
    assert "No case with the number: #99999" in bad.content.decode()
    client.post(url, {"unlink": str(a.pk)})
    assert list(Case.objects.filter(capa=capa)) == [b]
    page = client.get(reverse("cases:cases_capa:detail", args=[capa.pk])).content.decode()
    assert f"#{b.pk}" in page and f"#{a.pk}<" not in page


@pytest.mark.django_db
def test_overdue_capas_are_highlighted(client_for, topic):
    today = timezone.localdate()
    Capa.objects.create(
        title="Late one", problem_statement="P", due_on=today - dt.timedelta(days=1)
    )
    Capa.objects.create(title="On time", problem_statement="P", due_on=today + dt.timedelta(days=9))
    Capa.objects.create(
        title="Closed late",
        problem_statement="P",
        due_on=today - dt.timedelta(days=9),
        status=CapaStatus.CLOSED,
    )
    client = client_for(Role.AGENT)
    html = client.get(reverse("cases:cases_capa:list")).content.decode()
    assert html.count('class="overdue"') == 1
    overdue = client.get(reverse("cases:cases_capa:list"), {"status": "overdue"})
    assert [c.title for c, _o in overdue.context["rows"]] == ["Late one"]


@pytest.mark.django_db
def test_detail_shows_effectiveness(client_for, complaint, topic):
    implemented = timezone.localdate() - dt.timedelta(days=100)
    _bulk_cases(30, day=implemented - dt.timedelta(days=3), case_type=complaint, topic=topic)
    _bulk_cases(3, day=implemented + dt.timedelta(days=3), case_type=complaint, topic=topic)
    _bulk_cases(70, day=implemented + dt.timedelta(days=3), case_type=complaint)
    capa = Capa.objects.create(
        title="T", problem_statement="P", topic=topic, implemented_on=implemented
    )
    response = client_for(Role.AGENT).get(
        reverse("cases:cases_capa:detail", args=[capa.pk]), {"window": "30"}
    )
    effectiveness = response.context["effectiveness"]
    assert effectiveness.window_days == 30
    assert effectiveness.change.before_rate == pytest.approx(1000.0)
    assert effectiveness.change.after_rate == pytest.approx(3 / 73 * 1000, rel=1e-9)
    assert "The drop is statistically significant." in response.content.decode()
