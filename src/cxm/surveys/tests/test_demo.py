import pytest

from cxm.customers.tests.factories import CustomerFactory
from cxm.surveys.demo import load_demo_surveys
from cxm.surveys.models import Response, Survey

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_realistic():
    CustomerFactory.create_batch(20)
    written = load_demo_surveys(responses=300)
    assert written == 300
    assert Survey.objects.count() == 4
    assert all(set(s.languages) == {"fa", "ar", "hu", "en"} for s in Survey.objects.all())
    assert load_demo_surveys(responses=300) == 0
    assert Response.objects.count() == 300
    scores: list = list(
        Response.objects.filter(survey__template="relationship_nps")
        .values_list("answers__number_value", flat=True)
        .exclude(answers__number_value=None)
    )
    mean = sum(scores) / len(scores)
    assert 6 <= mean <= 8
    assert any(s <= 6 for s in scores)
