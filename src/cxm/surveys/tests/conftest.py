import pytest
from django.core.cache import cache

from cxm.surveys import services
from cxm.surveys.models import SurveyStatus


@pytest.fixture(autouse=True)
def _clear_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def nps_survey(db):
    """An active relationship NPS survey in all four languages (default Persian)."""
    survey = services.survey_create_from_template(
        template="relationship_nps", name="NPS", languages=["fa", "ar", "hu", "en"]
    )
    return services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


@pytest.fixture
def csat_survey(db):
    survey = services.survey_create_from_template(
        template="touchpoint_csat", name="CSAT", languages=["en", "fa"]
    )
    return services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
