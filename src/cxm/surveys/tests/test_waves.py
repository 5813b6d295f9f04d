"""Relationship surveys sent in periodic waves to a random sample the contact policy allows."""

import datetime as dt
import random

import pytest
from django.core.exceptions import ValidationError

from cxm.customers.services import consent_set
from cxm.surveys import distribution, services
from cxm.surveys.models import Invitation, SurveyKind
from cxm.surveys.tests.distribution_helpers import (  # noqa: F401  (fixture)
    DAYTIME,
    channel,
    fake_senders,
    make_customer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_senders")]


def test_a_wave_invites_a_sample_of_allowed_customers_once_per_period(nps_survey):
    nps_survey.wave_every_days, nps_survey.wave_sample_size = 30, 3
    services.survey_update(survey=nps_survey)
    customers = [make_customer(email=f"c{i}@example.com") for i in range(8)]
    for blocked in customers[:4]:  # opted out of e-mail, and no other way to reach them
        consent_set(customer=blocked, channel=channel("email"), status="opt_out", source="test")
    rng = random.Random(7)
    assert distribution.wave_send(survey=nps_survey, now=DAYTIME, rng=rng) == 3
    invited = set(
        Invitation.objects.filter(survey=nps_survey).values_list("customer_id", flat=True)
    )
    assert len(invited) == 3 and invited <= {c.pk for c in customers[4:]}
    # The wave is claimed: the same period sends nothing more, however often it is asked.
    assert distribution.waves_send_due(now=DAYTIME + dt.timedelta(days=1)) == 0
    nps_survey.refresh_from_db()
    assert nps_survey.next_wave_at == DAYTIME + dt.timedelta(days=30)
    # While the first wave's invitations are open, only the one allowed customer left can be
    # drawn; in the next period (those expired, never sent) a full sample again.
    nps_survey.next_wave_at = None
    nps_survey.save(update_fields=["next_wave_at"])
    assert distribution.wave_send(survey=nps_survey, now=DAYTIME + dt.timedelta(days=2)) == 1
    assert distribution.waves_send_due(now=DAYTIME + dt.timedelta(days=32)) == 3
    drawn = Invitation.objects.filter(survey=nps_survey).values_list("customer_id", flat=True)
    assert set(drawn) <= {c.pk for c in customers[4:]}


def test_waves_only_for_relationship_surveys_with_a_sample(csat_survey, nps_survey):
    csat_survey.wave_every_days, csat_survey.wave_sample_size = 7, 10
    with pytest.raises(ValidationError) as err:
        csat_survey.full_clean()
    assert "wave_every_days" in err.value.message_dict
    nps_survey.wave_every_days, nps_survey.wave_sample_size = 7, 0
    with pytest.raises(ValidationError) as err:
        nps_survey.full_clean()
    assert "wave_sample_size" in err.value.message_dict
    assert nps_survey.kind == SurveyKind.RELATIONSHIP
