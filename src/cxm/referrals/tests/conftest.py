import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from cxm.customers.models import Customer
from cxm.surveys import services as survey_services
from cxm.surveys.models import Answer, Response, SurveyStatus
from cxm.surveys.tests.distribution_helpers import fake_senders  # noqa: F401  (fixture)

# 11:30 in Tehran: outside the default quiet hours.
DAYTIME = dt.datetime(2025, 3, 10, 8, 0, tzinfo=dt.UTC)


@pytest.fixture
def daytime():
    with time_machine.travel(DAYTIME, tick=False):
        yield DAYTIME


@pytest.fixture
def nps(db):
    survey = survey_services.survey_create_from_template(
        template="relationship_nps", name="NPS", languages=["fa", "en"]
    )
    return survey_services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


@pytest.fixture
def make_customer(db):
    counter = iter(range(1, 10**6))

    def make(**fields):
        n = next(counter)
        values = {
            "external_id": f"R-{n}",
            "name": f"Customer {n}",
            "email": f"r{n}@example.com",
            "preferred_language": "en",
        }
        values.update(fields)
        return Customer.objects.create(**values)

    return make


@pytest.fixture
def respond(db):
    """respond(survey, customer, score) -> a response with one NPS answer (no signal)."""

    def add(survey, customer, score, *, when=None):
        response = Response.objects.create(
            survey=survey, customer=customer, submitted_at=when or DAYTIME, language="en"
        )
        question = survey.questions.get(key="nps")
        Answer.objects.create(
            response=response, question=question, number_value=Decimal(score), scale_max=10
        )
        return response

    return add
