"""Follow-up surveys triggered by an answer: rules, invitations from every write path,
idempotency, opt-out, the builder section and the API representation."""

import datetime as dt
from pathlib import Path

import pytest
import time_machine
from django.core.files import File
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cxm.accounts.roles import Role
from cxm.channels.models import Channel
from cxm.common.exceptions import ApplicationError
from cxm.customers.models import ChannelConsent, ConsentStatus
from cxm.customers.tests.factories import CustomerFactory
from cxm.imports import services as imports
from cxm.imports.models import ImportStatus
from cxm.imports.tests.helpers import write_csv
from cxm.surveys import services
from cxm.surveys.followups import condition_matches, followup_rule_create, followups_invite
from cxm.surveys.models import FollowUpRule, Invitation, Response, SurveyStatus
from cxm.surveys.selectors import response_context
from cxm.surveys.validation import clean_answers, clean_response_input

pytestmark = pytest.mark.django_db
BULK = "/api/v1/responses/bulk/"


@pytest.fixture
def followup_survey(db):
    survey = services.survey_create_from_template(
        template="problem_followup", name="Problem", languages=["fa", "en"]
    )
    return services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


@pytest.fixture
def rule(nps_survey, followup_survey):
    return followup_rule_create(
        survey=nps_survey,
        question_key="nps",
        condition={"lte": 6},
        followup_survey=followup_survey,
        delay_hours=2,
    )


def _upsert(survey, *rows):
    """rows: (external_id, customer external id or None, nps) through the API's validation."""
    raws = [
        {
            "survey": survey.pk,
            "external_id": external_id,
            **({"customer_external_id": customer} if customer else {}),
            "answers": {"nps": nps},
        }
        for external_id, customer, nps in rows
    ]
    context = response_context(raws)
    items = [clean_response_input(raw, context=context) for raw in raws]
    return services.responses_upsert(items=items)


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ({"lte": 6}, 6, True),
        ({"lte": 6}, 7, False),
        ({"gte": 5}, 5, True),
        ({"gte": 5}, 4, False),
        ({"lt": 3}, 3, False),
        ({"gt": 3}, 4, True),
        ({"eq": 0}, 0, True),
        ({"in": [1, 2]}, 2, True),
        ({"in": ["no"]}, ["yes", "no"], True),
        ({"lte": 6}, None, False),
        ({"lte": 6}, "text", False),
        ({}, 1, False),
    ],
)
def test_condition_matches(condition, value, expected):
    assert condition_matches(condition, value) is expected


def test_detractor_gets_one_invitation_promoter_none(rule, nps_survey, followup_survey):
    CustomerFactory.create(external_id="C-1", preferred_language="en")
    CustomerFactory.create(external_id="C-2")
    now = timezone.now()
    with time_machine.travel(now, tick=False):
        _upsert(nps_survey, ("r1", "C-1", 3), ("r2", "C-2", 9), ("r3", None, 0))
    invitation = Invitation.objects.get()
    response = Response.objects.get(external_id="r1")
    assert invitation.survey == followup_survey
    assert invitation.source_response == response
    assert invitation.customer == response.customer
    assert invitation.send_after == now + dt.timedelta(hours=2)
    assert invitation.expires_at == now + dt.timedelta(hours=2, days=14)
    assert invitation.language == "fa"  # the response's language (the survey's default)
    assert invitation.event == "survey.followup"
    # Idempotent: the same responses again (replaced by external id), or a second pass.
    _upsert(nps_survey, ("r1", "C-1", 2), ("r2", "C-2", 9))
    assert followups_invite(response_ids=list(Response.objects.values_list("pk", flat=True))) == 0
    assert Invitation.objects.count() == 1


def test_ces_gte_rule_on_the_public_page_path(followup_survey):
    survey = services.survey_create_from_template(
        template="ces_support", name="CES", languages=["en"]
    )
    survey = services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
    followup_rule_create(
        survey=survey, question_key="ces", condition={"gte": 5}, followup_survey=followup_survey
    )
    customer = CustomerFactory.create()
    questions = list(survey.questions.all())
    for score, expected in ((4, 0), (6, 1)):
        invitation = services.invitation_create(survey=survey, customer=customer)
        services.response_submit(
            survey=survey,
            answers=clean_answers(questions, {"ces": score}, strict=False),
            language="en",
            invitation=invitation,
        )
        assert Invitation.objects.filter(survey=followup_survey).count() == expected
    followup = Invitation.objects.get(survey=followup_survey)
    assert followup.language == "en"
    assert followup.customer == customer
    source = Response.objects.get(followup_invitation=followup)
    assert source.invitation is not None and source.invitation.customer == customer


def test_no_invitation_when_opted_out_everywhere(rule, nps_survey, followup_survey):
    email = Channel.objects.create(code="email-x", kind="email", can_send=True, position=0)
    sending = list(Channel.objects.filter(can_send=True))
    out = CustomerFactory.create(external_id="OUT")
    half = CustomerFactory.create(external_id="HALF")
    for customer, channels in ((out, sending), (half, [c for c in sending if c != email])):
        for channel in channels:
            ChannelConsent.objects.create(
                customer=customer,
                channel=channel,
                status=ConsentStatus.OPT_OUT,
                changed_at=timezone.now(),
            )
    _upsert(nps_survey, ("o1", "OUT", 1), ("h1", "HALF", 1))
    invitation = Invitation.objects.get()
    assert invitation.customer == half
    assert invitation.channel == email  # the channel still allowed
    # A follow-up survey sent on one channel only: opted out there is enough to skip.
    followup_survey.channel = next(c for c in sending if c != email)
    followup_survey.save()
    _upsert(nps_survey, ("h2", "HALF", 1))
    assert Invitation.objects.count() == 1


def test_bulk_api_triggers_followups_in_a_fixed_number_of_queries(
    api_for, rule, nps_survey, followup_survey
):
    customers = [CustomerFactory.create(external_id=f"B-{i}") for i in range(40)]
    items = [
        {
            "survey": nps_survey.pk,
            "external_id": f"b{i}",
            "customer_external_id": c.external_id,
            "answers": {"nps": i % 11},
        }
        for i, c in enumerate(customers)
    ]
    api = api_for(Role.CX_MANAGER)
    response = api.post(BULK, {"items": items}, format="json")
    assert response.status_code == 200, response.json()
    detractors = sum(1 for i in range(40) if i % 11 <= 6)
    assert Invitation.objects.filter(survey=followup_survey).count() == detractors
    ids = list(Response.objects.values_list("pk", flat=True))
    Invitation.objects.all().delete()
    with CaptureQueriesContext(connection) as queries:
        assert followups_invite(response_ids=ids) == detractors
    assert len(queries) <= 5


def test_import_triggers_followups(rule, nps_survey, followup_survey, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    CustomerFactory.create(external_id="IMP-1")
    CustomerFactory.create(external_id="IMP-2")
    path: Path = write_csv(
        tmp_path / "f.csv",
        [
            ["external_id", "customer_external_id", "nps"],
            ["f1", "IMP-1", "6"],
            ["f2", "IMP-2", "9"],
        ],
    )
    with path.open("rb") as handle:
        job = imports.import_job_create(
            kind="responses",
            upload=File(handle, name="f.csv"),
            created_by=None,
            options={"survey": nps_survey.pk},
        )
    job = imports.import_job_start_dry_run(job=job)
    job = imports.import_job_start_commit(job=job)
    assert job.status == ImportStatus.DONE, job.message
    assert list(Invitation.objects.values_list("customer__external_id", flat=True)) == ["IMP-1"]


def test_rule_validation(nps_survey, followup_survey):
    with pytest.raises(ApplicationError):
        followup_rule_create(
            survey=nps_survey,
            question_key="nope",
            condition={"lte": 6},
            followup_survey=followup_survey,
        )
    from django.core.exceptions import ValidationError

    for condition in ({}, {"between": 3}, {"lte": True}, {"lte": 1, "gte": 2}):
        with pytest.raises(ValidationError):
            followup_rule_create(
                survey=nps_survey,
                question_key="nps",
                condition=condition,
                followup_survey=followup_survey,
            )
    with pytest.raises(ValidationError):
        followup_rule_create(
            survey=nps_survey, question_key="nps", condition={"lte": 6}, followup_survey=nps_survey
        )


def test_builder_section_adds_and_removes_rules(client_for, nps_survey, followup_survey):
    client = client_for(Role.CX_MANAGER)
    page = client.get(reverse("surveys:detail", args=[nps_survey.pk])).content.decode()
    assert 'id="followups"' in page and "Add follow-up rule" in page
    response = client.post(
        reverse("surveys:followup-create", args=[nps_survey.pk]),
        {
            "question_key": "nps",
            "operator": "lte",
            "value": "6",
            "followup_survey": followup_survey.pk,
            "delay_hours": "24",
        },
    )
    assert response.status_code == 302
    rule = FollowUpRule.objects.get()
    assert (rule.condition, rule.delay_hours, rule.followup_survey) == (
        {"lte": 6},
        24,
        followup_survey,
    )
    page = client.get(reverse("surveys:detail", args=[nps_survey.pk])).content.decode()
    assert "Problem" in page and "≤ 6" in page
    viewer = client_for(Role.VIEWER)
    assert viewer.post(reverse("surveys:followup-delete", args=[rule.pk])).status_code == 403
    client.post(reverse("surveys:followup-delete", args=[rule.pk]))
    assert not FollowUpRule.objects.exists()


def test_api_shows_rules(api_for, rule, nps_survey, followup_survey):
    data = api_for(Role.VIEWER).get(f"/api/v1/surveys/{nps_survey.pk}/").json()
    assert data["followup_rules"] == [
        {
            "id": rule.pk,
            "question_key": "nps",
            "condition": {"lte": 6},
            "followup_survey": followup_survey.pk,
            "delay_hours": 2,
            "active": True,
        }
    ]
