import datetime as dt
import random
from decimal import Decimal

import pytest

from cxm.analytics.services import kpi_rollup_refresh
from cxm.channels.models import Channel
from cxm.customers.models import Customer, Segment
from cxm.surveys import services
from cxm.surveys.models import Answer, Response, SurveyStatus

TZ = dt.timezone(dt.timedelta(hours=3, minutes=30))


@pytest.fixture
def nps_survey(db):
    survey = services.survey_create_from_template(
        template="relationship_nps", name="NPS", languages=["fa", "en"]
    )
    return services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


@pytest.fixture
def csat_survey(db):
    survey = services.survey_create_from_template(
        template="touchpoint_csat", name="CSAT", languages=["en", "fa"]
    )
    return services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


@pytest.fixture
def add_response(db):
    """add_response(survey, {key: value}, when=…, channel=…, language=…, customer=…)."""

    def add(survey, values, *, when, channel=None, language="en", customer=None, hidden=None):
        response = Response.objects.create(
            survey=survey,
            submitted_at=when,
            channel=channel,
            language=language,
            customer=customer,
            hidden=hidden or {},
        )
        questions = {q.key: q for q in survey.questions.all()}
        for key, value in values.items():
            q = questions[key]
            if isinstance(value, str):
                Answer.objects.create(response=response, question=q, text_value=value)
            else:
                Answer.objects.create(
                    response=response,
                    question=q,
                    number_value=Decimal(value),
                    scale_max=q.scale_max,
                )
        return response

    return add


@pytest.fixture
def random_data(db, nps_survey, csat_survey, add_response):
    """~300 responses over 40 days, two channels, two languages, a segment."""
    rng = random.Random(7)
    web = Channel.objects.get_or_create(code="web-x", defaults={"name": "Web"})[0]
    sms = Channel.objects.get_or_create(code="sms-x", defaults={"name": "SMS"})[0]
    vip = Segment.objects.create(name="VIP")
    customers = [
        Customer.objects.create(name=f"C{i}", external_id=f"X{i}", phone=f"+98912000{i:04d}")
        for i in range(10)
    ]
    for c in customers[:4]:
        c.segments.add(vip)
    base = dt.datetime(2024, 3, 1, 12, tzinfo=TZ)
    for i in range(300):
        when = base + dt.timedelta(days=rng.randrange(40), hours=rng.randrange(-14, 11))
        channel = rng.choice([web, sms, None])
        language = rng.choice(["en", "fa"])
        customer = rng.choice([*customers, None])
        if i % 2:
            add_response(
                nps_survey,
                {"nps": rng.randrange(11)},
                when=when,
                channel=channel,
                language=language,
                customer=customer,
            )
        else:
            add_response(
                csat_survey,
                {"csat": rng.randrange(1, 6)},
                when=when,
                channel=channel,
                language=language,
                customer=customer,
            )
    kpi_rollup_refresh(days=None)
    return {
        "web": web,
        "sms": sms,
        "vip": vip,
        "start": dt.date(2024, 2, 28),
        "end": dt.date(2024, 4, 15),
    }
