import pytest
from django.urls import reverse

from cxm.accounts.roles import Role
from cxm.customers.tests.factories import CustomerFactory
from cxm.surveys.models import Invitation, Question, Survey, SurveyStatus

pytestmark = pytest.mark.django_db


def test_list_shows_surveys_with_response_counts_for_everybody(client_for, nps_survey):
    response = client_for(Role.VIEWER).get(reverse("surveys:list"))
    assert response.status_code == 200
    assert "NPS" in response.content.decode()
    assert reverse("surveys:create") not in response.content.decode()
    home = client_for(Role.VIEWER).get(reverse("surveys:detail", args=[nps_survey.pk]))
    assert home.status_code == 200
    assert "<svg" in home.content.decode()  # the QR code, inline
    assert "&lt;iframe" in home.content.decode()


@pytest.mark.parametrize(
    ("role", "allowed"),
    [(Role.VIEWER, False), (Role.AGENT, False), (Role.ANALYST, True), (Role.CX_MANAGER, True)],
)
def test_creating_surveys_needs_surveys_change(client_for, role, allowed):
    client = client_for(role)
    response = client.post(
        reverse("surveys:create"),
        {"name": "New NPS", "template": "relationship_nps", "languages": ["fa", "en"]},
    )
    assert (response.status_code == 302) is allowed
    assert Survey.objects.filter(name="New NPS").exists() is allowed
    if not allowed:
        assert response.status_code == 403


def test_builder_flow(client_for):
    client = client_for(Role.CX_MANAGER)
    client.post(
        reverse("surveys:create"), {"name": "Blank", "template": "", "languages": ["fa", "en"]}
    )
    survey = Survey.objects.get(name="Blank")
    url = reverse("surveys:question-create", args=[survey.pk])
    page = client.get(url).content.decode()
    assert 'name="text_fa"' in page and 'name="text_en"' in page
    response = client.post(
        url,
        {
            "key": "csat",
            "type": "csat",
            "page": 1,
            "required": "on",
            "scale_max": "7",
            "text_fa": "چقدر راضی بودید؟",
            "text_en": "How satisfied were you?",
        },
    )
    assert response.status_code == 302, response.content.decode()
    client.post(
        url,
        {
            "key": "why",
            "type": "single",
            "page": 1,
            "text_fa": "چرا؟",
            "options_fa": "late = دیر\nrude = بی‌ادب",
            "options_en": "late = Late\nrude = Rude",
        },
    )
    why = Question.objects.get(survey=survey, key="why")
    assert why.option_labels("en") == [("late", "Late"), ("rude", "Rude")]
    client.post(reverse("surveys:question-move", args=[why.pk]), {"direction": "up"})
    assert list(survey.questions.order_by("position").values_list("key", flat=True)) == [
        "why",
        "csat",
    ]
    client.post(reverse("surveys:status", args=[survey.pk]), {"status": "active"})
    survey.refresh_from_db()
    assert survey.status == SurveyStatus.ACTIVE
    edit = client.post(
        reverse("surveys:edit", args=[survey.pk]),
        {
            "name": "Renamed",
            "kind": "touchpoint",
            "languages": ["fa", "en"],
            "default_language": "en",
            "edit_window_hours": 2,
            "invitation_valid_days": 7,
            "trigger_event": "case.closed",
        },
    )
    assert edit.status_code == 302, edit.content.decode()
    survey.refresh_from_db()
    assert (survey.name, survey.default_language) == ("Renamed", "en")
    CustomerFactory.create(external_id="CU-1")
    client.post(reverse("surveys:invite", args=[survey.pk]), {"customer_external_id": "CU-1"})
    invitation = Invitation.objects.get()
    detail = client.get(reverse("surveys:detail", args=[survey.pk])).content.decode()
    assert invitation.token in detail
    client.post(reverse("surveys:question-edit", args=[why.pk]), {"delete": "1"})
    assert not Question.objects.filter(pk=why.pk).exists()


def test_nav_has_surveys_link(client_for):
    html = client_for(Role.VIEWER).get(reverse("surveys:list")).content.decode()
    assert f'href="{reverse("surveys:list")}"' in html
