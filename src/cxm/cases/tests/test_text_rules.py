"""Cases from text analytics: a negative comment about a topic, and a social post with the
intent complaint, open cases through feedback rules (the real default pipeline)."""

import pytest
from django.utils import timezone

from cxm.cases.loop import text_cases_open
from cxm.cases.models import Case, CaseSource, CaseType, FeedbackRule
from cxm.textanalytics import engine, services
from cxm.textanalytics.models import TextItem
from cxm.textanalytics.tests.helpers import nps_survey, respond, topic

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _real_pipeline(settings):
    settings.CXM_TEXT_PIPELINE = ""
    settings.CXM_TEXT_REDACTOR = ""
    settings.CXM_TEXT_MODEL_LOADER = ""
    engine.forget_loaded_model()


def test_negative_comment_about_a_topic_opens_one_case(django_capture_on_commit_callbacks):
    topic("delivery", en=["delivery"], fa=["ارسال"])
    complaint = CaseType.objects.get(code="complaint")
    FeedbackRule.objects.create(
        name="Negative about delivery",
        metric="comment",
        comparison="lte",
        threshold=-0.2,
        topic="delivery",
        case_type=complaint,
        priority="high",
    )
    survey = nps_survey()
    with django_capture_on_commit_callbacks(execute=True):
        respond(survey, nps=9, reason="Good food but the delivery was terribly late")
        respond(survey, nps=9, reason="The food was cold and awful")  # not about delivery
        respond(survey, nps=10, reason="Fast delivery, wonderful!")  # about it, positive
    cases = list(Case.objects.all())
    assert len(cases) == 1
    case = cases[0]
    assert (case.type, case.priority, case.source) == (complaint, "high", CaseSource.FEEDBACK)
    assert "terribly late" in case.description and case.source_response is not None
    # Analysing the same texts again opens nothing more.
    ids = list(TextItem.objects.values_list("pk", flat=True))
    assert text_cases_open(item_ids=ids) == []


def test_social_post_with_complaint_intent_opens_a_case_once():
    complaint = CaseType.objects.get(code="complaint")
    FeedbackRule.objects.create(
        name="Complaints on social media",
        metric="social",
        comparison="lte",
        threshold=1,
        intent="complaint",
        case_type=complaint,
    )
    stored = services.social_posts_store(
        posts=[
            services.SocialPostData(
                platform="x",
                text="Worst service ever, I want to complain about my order!",
                posted_at=timezone.now(),
            ),
            services.SocialPostData(
                platform="x", text="Thank you, lovely staff", posted_at=timezone.now()
            ),
        ]
    )
    ids = list(TextItem.objects.values_list("pk", flat=True))
    services.text_items_analyse(item_ids=ids)
    opened = text_cases_open(item_ids=ids)
    assert stored is not None and len(opened) == 1
    assert opened[0].source == CaseSource.SOCIAL and "complain" in opened[0].description
    assert text_cases_open(item_ids=ids) == []  # idempotent by the post


def test_text_rule_settings_are_checked():
    from cxm.cases import config_services
    from cxm.common.exceptions import ApplicationError

    complaint = CaseType.objects.get(code="complaint")
    base = {"name": "r", "comparison": "lte", "case_type": complaint}
    with pytest.raises(ApplicationError):  # sentiment is −1…1
        config_services.feedback_rule_create(**base, metric="comment", threshold="-2")
    with pytest.raises(ApplicationError):
        config_services.feedback_rule_create(
            **base, metric="social", threshold="0", intent="nonsense"
        )
    with pytest.raises(ApplicationError):  # topics belong to text rules
        config_services.feedback_rule_create(**base, metric="nps", threshold="6", topic="x")
    rule = config_services.feedback_rule_create(
        **base, metric="comment", threshold="-0.3", topic=" delivery ", intent="complaint"
    )
    assert (rule.topic, rule.intent, float(rule.threshold)) == ("delivery", "complaint", -0.3)
    assert FeedbackRule.objects.count() == 1
