"""The one-tap NPS in Telegram: a press becomes the invitation's response, once."""

import json

import pytest
from django.test import Client
from django.utils import translation
from django.utils.translation import gettext

from cxm.integrations.telegram.keyboards import sign_callback_data
from cxm.surveys import services
from cxm.surveys.models import Answer, DeliveryState, Response, ResponseSource, SurveyStatus
from cxm.surveys.tests.distribution_helpers import (  # noqa: F401  (fixture)
    FakeSender,
    channel,
    fake_senders,
    make_customer,
)

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fake_senders")]
SECRET = "hook-secret"


@pytest.fixture
def webhook(settings):
    settings.TELEGRAM_WEBHOOK_SECRET = SECRET
    client = Client()

    def press(data: str, *, chat_id: int = 424242, language: str = "fa") -> dict:
        update = {
            "update_id": 1,
            "callback_query": {
                "id": "q1",
                "data": data,
                "from": {"id": chat_id, "language_code": language},
                "message": {"message_id": 7, "chat": {"id": chat_id}},
            },
        }
        response = client.post(
            f"/integrations/telegram/webhook/{SECRET}/",
            json.dumps(update),
            content_type="application/json",
            headers={"X-Telegram-Bot-Api-Secret-Token": SECRET},
        )
        assert response.status_code == 200
        return response.json()

    return press


@pytest.fixture
def invitation(nps_survey):
    customer = make_customer(telegram="424242", preferred_channel=channel("telegram"))
    return services.invitation_create(survey=nps_survey, customer=customer, language="en")


def test_press_records_the_answer_once(webhook, invitation, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reply = webhook(sign_callback_data("nps", invitation.key, "9"))
    assert reply["method"] == "answerCallbackQuery" and reply["text"] == "Thank you!"
    response = Response.objects.get(invitation=invitation)
    assert response.source == ResponseSource.TELEGRAM and response.language == "en"
    assert Answer.objects.get(response=response, question__key="nps").number_value == 9
    invitation.refresh_from_db()
    assert invitation.status == DeliveryState.RESPONDED
    # The thank-you message links to the rest of the survey (the reason) on the web.
    (thanks,) = FakeSender.sent
    assert thanks.recipient == "424242" and "reason" in thanks.text
    assert thanks.url.endswith(f"/s/{invitation.token}/")

    again = webhook(sign_callback_data("nps", invitation.key, "3"))
    assert again["text"] == "You have already answered this survey. Thank you!"
    assert Answer.objects.get(response=response, question__key="nps").number_value == 9
    assert Response.objects.count() == 1


def test_reply_in_the_survey_language(webhook, nps_survey):
    customer = make_customer(telegram="1", preferred_language="fa")
    invitation = services.invitation_create(survey=nps_survey, customer=customer)
    reply = webhook(sign_callback_data("nps", invitation.key, "10"), language="en")
    with translation.override("fa"):
        assert reply["text"] == gettext("Thank you!")
    assert Response.objects.get().language == "fa"


def test_out_of_range_and_unknown_invitation(webhook, invitation):
    reply = webhook(sign_callback_data("nps", invitation.key, "11"))
    assert "could not be saved" in reply["text"]
    reply = webhook(sign_callback_data("nps", "no-such-key", "5"), language="en")
    assert "not valid" in reply["text"]
    assert not Response.objects.exists()


def test_closed_survey(webhook, invitation, nps_survey):
    services.survey_set_status(survey=nps_survey, status=SurveyStatus.CLOSED)
    reply = webhook(sign_callback_data("nps", invitation.key, "5"))
    assert "not open" in reply["text"]
    assert not Response.objects.exists()


def test_unsigned_press_is_ignored(webhook, invitation):
    reply = webhook(f"nps:{invitation.key}:5:forged")
    assert "text" not in reply
    assert not Response.objects.exists()
