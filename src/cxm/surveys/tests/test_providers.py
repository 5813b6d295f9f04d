import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from cxm.accounts.roles import Role
from cxm.common.timeline import customer_timeline
from cxm.customers.tests.factories import CustomerFactory
from cxm.journeys.tests.factories import TouchpointFactory
from cxm.surveys import services
from cxm.surveys.kpis import touchpoint_survey_kpis
from cxm.surveys.selectors import response_context
from cxm.surveys.validation import clean_response_input

pytestmark = pytest.mark.django_db


def _save(items):
    context = response_context(items)
    services.responses_upsert(items=[clean_response_input(i, context=context) for i in items])


def test_timeline_shows_answered_survey_with_score(nps_survey, django_assert_num_queries):
    customer = CustomerFactory.create(external_id="T-1")
    _save(
        [
            {
                "survey": nps_survey.pk,
                "customer_external_id": "T-1",
                "language": "en",
                "answers": {"nps": 9, "reason": "<b>kind</b> courier"},
            }
        ]
    )
    with django_assert_num_queries(1):
        events = customer_timeline(customer, sources=["surveys"])
    (event,) = events
    assert event.title == "Answered NPS: NPS 9"
    assert "<b>kind</b> courier" in event.body


def test_customer_page_escapes_comment(client_for, nps_survey):
    customer = CustomerFactory.create(external_id="T-2")
    _save(
        [
            {
                "survey": nps_survey.pk,
                "customer_external_id": "T-2",
                "answers": {"nps": 2, "reason": "<script>x()</script>"},
            }
        ]
    )
    html = (
        client_for(Role.VIEWER)
        .get(reverse("customers:detail", args=[customer.pk]))
        .content.decode()
    )
    assert "Answered NPS" in html
    assert "<script>x()</script>" not in html


def test_touchpoint_kpi_csat_nps_and_empty(nps_survey, csat_survey, django_assert_num_queries):
    with_csat, with_nps, empty = (
        TouchpointFactory.create(),
        TouchpointFactory.create(),
        TouchpointFactory.create(),
    )
    old = (timezone.now() - dt.timedelta(days=120)).isoformat()
    items = (
        [
            {"survey": csat_survey.pk, "touchpoint": with_csat.pk, "answers": {"csat": v}}
            for v in (5, 4, 2, 1)
        ]
        + [
            {
                "survey": csat_survey.pk,
                "touchpoint": with_csat.pk,
                "answers": {"csat": 1},
                "submitted_at": old,
            },
        ]
        + [
            {"survey": nps_survey.pk, "touchpoint": with_nps.pk, "answers": {"nps": v}}
            for v in (10, 9, 8, 3)
        ]
    )
    _save(items)
    with django_assert_num_queries(1):
        kpis = touchpoint_survey_kpis([with_csat, with_nps, empty])
    assert kpis[with_csat.pk].label == "CSAT"
    assert kpis[with_csat.pk].value == 50
    assert kpis[with_csat.pk].level == 0.5
    assert "n = 4" in kpis[with_csat.pk].display
    assert kpis[with_nps.pk].label == "NPS"
    assert kpis[with_nps.pk].value == 25  # 2 promoters, 1 detractor of 4
    assert empty.pk not in kpis  # the map shows its own "no KPI yet" placeholder
