"""Close-the-loop figures on a small fixture whose answers are worked out by hand."""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from cxm.analytics.selectors import DashboardFilters, parse_filters
from cxm.analytics.services import kpi_rollup_refresh
from cxm.cases import loop_metrics
from cxm.cases.models import (
    ActivityKind,
    Case,
    CaseActivity,
    CaseMessage,
    MessageKind,
    StatusCategory,
)
from cxm.cases.services import case_create, case_reply, case_set_status
from cxm.customers.models import Customer
from cxm.surveys import services as survey_services
from cxm.surveys.models import Answer, Response, SurveyStatus

UTC = dt.UTC
# On PostgreSQL the case query runs with JIT off: one SET LOCAL more.
JIT_OFF = 1 if connection.vendor == "postgresql" else 0
MARCH = DashboardFilters(start=dt.date(2024, 3, 1), end=dt.date(2024, 3, 31))


def at(month: int, day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2024, month, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def nps(db):
    survey = survey_services.survey_create_from_template(
        template="relationship_nps", name="NPS", languages=["en"]
    )
    return survey_services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


@pytest.fixture
def csat(db):
    survey = survey_services.survey_create_from_template(
        template="touchpoint_csat", name="After the case", languages=["en"]
    )
    return survey_services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


def answer(survey, customer, key, value, when, *, channel=None, team=None):
    response = Response.objects.create(
        survey=survey, customer=customer, submitted_at=when, channel=channel, team=team
    )
    question = survey.questions.get(key=key)
    Answer.objects.create(
        response=response,
        question=question,
        number_value=Decimal(value),
        scale_max=question.scale_max,
    )
    return response


@pytest.fixture
def loop(nps, csat, complaint, office_policy, agents, status_of, email_channel, team):
    """March 2024 (Mon 4th, office policy Mon–Fri 09–17 UTC):

    R1 c1 NPS 3 (e-mail, team) → case A under the policy, replied 12:00 (120 business
      minutes after 10:00), resolved 5 Mar; a duplicate case on R1 never contacted.
      c1's next NPS: 9 on 2 Apr → recovered.
    R2 c2 NPS 5 → case B without policy, only an outbound message at 15:00 (5 h), resolved
      10 Mar. c2 answered 10 on 6 Mar (before the resolution: ignored) and 4 on 3 Apr.
    R3 c3 NPS 6 → case C, open, not contacted.
    R4 c4 NPS 0 → no case.
    R5 c5 NPS 2 → case D without policy, replied 13:00 (3 h), closed 6 Mar; no next answer.
    Not counted: R6 c6 NPS 8 with a contacted case; R8 c1 NPS 1 in February with a case.

    By hand: 5 detractors, 4 with a case, 3 contacted (60 %), 3 closed (60 %), next answers
    for 2 (c1 9, c2 4) → 1 recovered (50 %); first contact 120 business minutes (median
    2.0 business hours) and 5 h, 3 h without policy (median 4.0 h).
    """
    agent = agents[0]
    c = [
        Customer.objects.create(name=f"C{i}", external_id=f"L{i}", email=f"c{i}@example.com")
        for i in range(7)
    ]
    r1 = answer(nps, c[1], "nps", 3, at(3, 4, 9), channel=email_channel, team=team)
    r2 = answer(nps, c[2], "nps", 5, at(3, 4, 9))
    r3 = answer(nps, c[3], "nps", 6, at(3, 4, 9))
    answer(nps, c[4], "nps", 0, at(3, 4, 9))
    r5 = answer(nps, c[5], "nps", 2, at(3, 4, 9))
    r6 = answer(nps, c[6], "nps", 8, at(3, 4, 9))
    r8 = answer(nps, c[1], "nps", 1, at(2, 10, 9))
    answer(nps, c[2], "nps", 10, at(3, 6, 9))
    answer(nps, c[1], "nps", 9, at(4, 2, 9))
    answer(nps, c[2], "nps", 4, at(4, 3, 9))

    def open_case(response, customer):
        return case_create(
            subject="Detractor",
            case_type=complaint,
            customer=customer,
            source_response=response,
            now=at(3, 4, 10),
        )

    a = open_case(r1, c[1])
    open_case(r1, c[1])  # duplicate, never contacted
    b = open_case(r2, c[2])
    open_case(r3, c[3])
    d = open_case(r5, c[5])
    e = open_case(r6, c[6])
    f = open_case(r8, c[1])
    Case.objects.filter(pk__in=[b.pk, d.pk]).update(sla_policy=None)
    Case.objects.exclude(pk=a.pk).update(team=None)
    Case.objects.filter(pk=a.pk).update(team=team)
    b.refresh_from_db()
    d.refresh_from_db()
    assert a.sla_policy_id == office_policy.pk

    case_reply(case=a, author=agent, body="Sorry!", now=at(3, 4, 12))
    case_set_status(case=a, status=status_of(StatusCategory.RESOLVED), now=at(3, 5, 10))
    CaseMessage.objects.create(
        case=b, kind=MessageKind.OUTBOUND, body="We called you", created_at=at(3, 4, 15)
    )
    case_set_status(case=b, status=status_of(StatusCategory.RESOLVED), now=at(3, 10, 10))
    case_reply(case=d, author=agent, body="Hello", now=at(3, 4, 13))
    case_set_status(case=d, status=status_of(StatusCategory.CLOSED), now=at(3, 6, 10))
    case_reply(case=e, author=agent, body="Hi", now=at(3, 4, 11))
    case_reply(case=f, author=agent, body="Hi", now=at(2, 10, 11))

    # Post-resolution surveys: sent for A, B, D; answered for A (5 of 5) and B (2 of 5).
    for case in (a, b, d):
        CaseActivity.objects.create(
            case=case, kind=ActivityKind.SURVEY_SENT, data={"survey": csat.pk}, at=at(3, 11, 9)
        )
    for case, score in ((a, 5), (b, 2)):
        response = answer(csat, case.customer, "csat", score, at(3, 12, 9))
        CaseActivity.objects.create(
            case=case,
            kind=ActivityKind.SURVEY_ANSWERED,
            key=f"response-{response.pk}",
            data={"response": response.pk, "csat": float(score)},
            at=at(3, 12, 9),
        )
    kpi_rollup_refresh(days=None)
    return {"a": a, "b": b, "d": d, "team": team, "email": email_channel}


def test_detractor_loop_figures_match_the_hand_count(loop, django_assert_num_queries):
    with django_assert_num_queries(2 + JIT_OFF):
        figures = loop_metrics.detractor_loop(MARCH)

    assert figures.detractors == 5
    assert figures.with_case == 4
    assert figures.contacted == 3
    assert figures.contacted_rate == pytest.approx(60.0)
    assert figures.closed == 3
    assert figures.closed_rate == pytest.approx(60.0)
    assert figures.with_next_answer == 2
    assert figures.recovered == 1
    assert figures.recovery_rate == pytest.approx(50.0)
    assert figures.business_minutes == [pytest.approx(120.0)]
    assert figures.median_business_hours == pytest.approx(2.0)
    assert figures.wall_clock_hours == [pytest.approx(3.0), pytest.approx(5.0)]
    assert figures.median_wall_clock_hours == pytest.approx(4.0)


def test_given_detractor_count_saves_the_rollup_query(loop, django_assert_num_queries):
    with django_assert_num_queries(1 + JIT_OFF):
        figures = loop_metrics.detractor_loop(MARCH, detractors=5)
    assert figures.contacted == 3


def test_filters_apply_to_the_detractor_response(loop):
    by_channel = loop_metrics.detractor_loop(
        DashboardFilters(start=MARCH.start, end=MARCH.end, channel=loop["email"].pk)
    )
    assert (by_channel.detractors, by_channel.contacted, by_channel.recovered) == (1, 1, 1)

    by_team = loop_metrics.detractor_loop(
        DashboardFilters(start=MARCH.start, end=MARCH.end, team=loop["team"].pk)
    )
    assert (by_team.detractors, by_team.with_case, by_team.closed) == (1, 1, 1)

    other_survey = loop_metrics.detractor_loop(
        DashboardFilters(start=MARCH.start, end=MARCH.end, survey=10**6)
    )
    assert (other_survey.detractors, other_survey.with_case) == (0, 0)
    assert other_survey.contacted_rate is None
    assert other_survey.median_business_hours is None


def test_february_holds_only_its_own_detractor(loop):
    february = loop_metrics.detractor_loop(
        parse_filters({"start": "2024-02-01", "end": "2024-02-29"})
    )
    # c1's NPS 1 in February: contacted, its case still open, so no recovery yet.
    assert (february.detractors, february.contacted, february.closed) == (1, 1, 0)
    assert february.with_next_answer == 0


def test_reopened_case_is_no_longer_closed_nor_recovered(loop, status_of):
    case_set_status(case=loop["a"], status=status_of(StatusCategory.OPEN), now=at(3, 20, 10))
    figures = loop_metrics.detractor_loop(MARCH)
    assert figures.closed == 2
    assert (figures.recovered, figures.with_next_answer) == (0, 1)


def test_post_resolution_surveys(loop, csat, django_assert_num_queries):
    with django_assert_num_queries(2):
        followup = loop_metrics.followup_surveys(MARCH)
    assert (followup.sent, followup.answered) == (3, 2)
    assert followup.answer_rate == pytest.approx(200 / 3)
    assert followup.csat is not None
    assert followup.csat.n == 2
    assert followup.csat.value == pytest.approx(50.0)  # one of two in the top two boxes

    by_team = loop_metrics.followup_surveys(
        DashboardFilters(start=MARCH.start, end=MARCH.end, team=loop["team"].pk)
    )
    assert (by_team.sent, by_team.answered) == (1, 1)
    assert by_team.csat is not None and by_team.csat.value == pytest.approx(100.0)

    april = loop_metrics.followup_surveys(
        DashboardFilters(start=dt.date(2024, 4, 1), end=dt.date(2024, 4, 30))
    )
    assert (april.sent, april.answered, april.csat) == (0, 0, None)


def test_dashboard_shows_the_close_the_loop_panel(loop, client_for, django_assert_max_num_queries):
    from cxm.accounts.roles import Role
    from cxm.analytics.selectors import dashboard, filter_options
    from cxm.analytics.views import DashboardView
    from cxm.referrals.services import referral_for

    referral = referral_for(customer=loop["a"].customer)
    type(referral).objects.filter(pk=referral.pk).update(invited_at=at(3, 15, 9))

    board = dashboard(MARCH, filter_options())
    with django_assert_max_num_queries(6 + JIT_OFF):
        panel = DashboardView.close_the_loop(MARCH, board)
    assert panel["loop"].detractors == 5  # from the distribution, same as the rollup count
    assert panel["referrals"].invited == 1

    response = client_for(Role.VIEWER).get("/dashboard/?start=2024-03-01&end=2024-03-31")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="close-the-loop"' in html and 'id="chart-loop"' in html
    assert response.context["loop"].contacted == 3
    assert response.context["followup"].sent == 3
    assert response.context["chart_data"]["loop"]["values"] == [5, 3, 3, 1, 1, 0, 0]
