import datetime as dt

import pytest
import time_machine
from django.core import signing
from django.utils import timezone

from cxm.common.exceptions import ApplicationError
from cxm.customers.tests.factories import CustomerFactory
from cxm.journeys.tests.factories import TouchpointFactory
from cxm.surveys import services
from cxm.surveys.models import Answer, Question, Response, Survey, SurveyKind, SurveyStatus
from cxm.surveys.ready_templates import TEMPLATES
from cxm.surveys.selectors import invitation_for_token
from cxm.surveys.tokens import InvalidToken
from cxm.surveys.validation import InputError, clean_answers

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("template", sorted(TEMPLATES))
def test_every_template_creates_a_valid_survey_in_four_languages(template):
    survey = services.survey_create_from_template(
        template=template, name=template, languages=["fa", "ar", "hu", "en"]
    )
    questions = list(survey.questions.all())
    assert questions
    for q in questions:
        if q.type != "hidden":
            assert set(q.texts) == {"fa", "ar", "hu", "en"}, q.key
        for option in q.options:
            assert set(option["labels"]) == {"fa", "ar", "hu", "en"}


def test_template_keeps_only_the_chosen_languages_and_nps_reason_varies(nps_survey):
    survey = services.survey_create_from_template(
        template="relationship_nps", name="x", languages=["hu"]
    )
    reason = survey.questions.get(key="reason")
    assert set(reason.texts) == {"hu"}
    assert survey.default_language == "hu"
    reason = nps_survey.questions.get(key="reason")
    assert reason.text_for("en", {"nps": 10}) == "What do you like most about us?"
    assert reason.text_for("en", {"nps": 8}) == "What would make you give us a higher score?"
    assert reason.text_for("en", {"nps": 3}).startswith("We are sorry.")
    assert reason.text_for("en", {}) == "What is the main reason for your score?"


def test_persian_template_text_uses_zwnj_and_persian_letters(nps_survey):
    reason = nps_survey.questions.get(key="reason")
    text = reason.text_for("fa", {"nps": 8})
    assert "می\u200cشد" in text
    assert "ي" not in text and "ك" not in text


def test_unknown_template_is_refused():
    with pytest.raises(ApplicationError):
        services.survey_create_from_template(template="nope", name="x", languages=["fa"])


def test_csat_scale_must_be_3_5_or_7(csat_survey):
    question = Question(survey=csat_survey, key="c2", type="csat", scale_max=10, texts={"en": "?"})
    with pytest.raises(Exception, match="scale"):
        question.full_clean()
    question.scale_max = None
    question.full_clean()
    assert question.scale_max == 5


def test_activation_needs_a_question():
    survey = services.survey_create(name="Empty", languages=["fa"])
    with pytest.raises(ApplicationError):
        services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


def test_token_roundtrip_expiry_and_tamper(nps_survey):
    invitation = services.invitation_create(survey=nps_survey)
    assert invitation_for_token(invitation.token).pk == invitation.pk
    assert invitation.key not in ("", None) and len(invitation.key) >= 20
    tampered = invitation.token[:-2] + ("AA" if not invitation.token.endswith("AA") else "BB")
    with pytest.raises(InvalidToken):
        invitation_for_token(tampered)
    forged = signing.TimestampSigner(salt="other").sign(invitation.key)
    with pytest.raises(InvalidToken):
        invitation_for_token(forged)
    assert not invitation.is_expired
    with time_machine.travel(timezone.now() + dt.timedelta(days=15)):
        assert invitation.is_expired


def _answers(survey, **raw):
    return clean_answers(list(survey.questions.all()), raw, strict=False)


def test_one_response_per_token_editable_within_window(nps_survey):
    invitation = services.invitation_create(survey=nps_survey)
    first = services.response_submit(
        survey=nps_survey, answers=_answers(nps_survey, nps=3), language="fa", invitation=invitation
    )
    second = services.response_submit(
        survey=nps_survey, answers=_answers(nps_survey, nps=9), language="fa", invitation=invitation
    )
    assert first.pk == second.pk
    assert Response.objects.count() == 1
    assert Answer.objects.get().number_value == 9
    later = timezone.now() + dt.timedelta(hours=25)
    with time_machine.travel(later), pytest.raises(ApplicationError) as exc:
        services.response_submit(
            survey=nps_survey,
            answers=_answers(nps_survey, nps=1),
            language="fa",
            invitation=invitation,
        )
    assert exc.value.code == "already_answered"
    assert Answer.objects.get().number_value == 9


def test_expired_invitation_cannot_be_answered(nps_survey):
    invitation = services.invitation_create(survey=nps_survey)
    later = timezone.now() + dt.timedelta(days=30)
    with time_machine.travel(later), pytest.raises(ApplicationError):
        services.response_submit(
            survey=nps_survey,
            answers=_answers(nps_survey, nps=5),
            language="fa",
            invitation=invitation,
        )
    assert not Response.objects.exists()


@pytest.mark.parametrize(
    ("value", "code"),
    [(11, "out_of_range"), (-1, "out_of_range"), ("abc", "not_a_number"), (9.5, "not_a_number")],
)
def test_nps_validation(nps_survey, value, code):
    with pytest.raises(InputError) as exc:
        _answers(nps_survey, nps=value)
    assert exc.value.errors["nps"][0] == code


def test_persian_digits_are_accepted_as_numbers(nps_survey):
    assert _answers(nps_survey, nps="۹")["nps"].number == 9


def test_show_if_hides_and_unrequires_questions(nps_survey):
    Question.objects.create(
        survey=nps_survey,
        key="why_low",
        type="text",
        required=True,
        page=2,
        texts={"en": "Why?"},
        logic={"show_if": {"question": "nps", "in": list(range(7))}},
    )
    questions = list(nps_survey.questions.all())
    assert "why_low" not in clean_answers(questions, {"nps": 9, "why_low": "x"}, strict=False)
    with pytest.raises(InputError) as exc:
        clean_answers(questions, {"nps": 2}, strict=False)
    assert exc.value.errors["why_low"][0] == "required"


def test_question_move_and_page_change(nps_survey):
    _nps, reason = nps_survey.questions.order_by("page", "position")
    services.question_move(question=reason, direction=-1)
    order = list(nps_survey.questions.order_by("page", "position").values_list("key", "page"))
    assert order == [("reason", 1), ("nps", 2)]


def test_invitation_for_event_matches_event_and_touchpoint(csat_survey):
    touchpoint = TouchpointFactory.create()
    other = TouchpointFactory.create()
    csat_survey.trigger_event = "order.delivered"
    csat_survey.touchpoint = touchpoint
    csat_survey.save()
    assert csat_survey.kind == SurveyKind.TOUCHPOINT
    customer = CustomerFactory.create(preferred_language="en")
    created = services.invitation_create_for_event(
        event="order.delivered", customer=customer, touchpoint=touchpoint, hidden={"order_id": "A1"}
    )
    assert len(created) == 1
    assert created[0].hidden == {"order_id": "A1"}
    assert created[0].language == "en"
    assert not services.invitation_create_for_event(
        event="order.delivered", customer=customer, touchpoint=other, hidden={}
    )
    assert not services.invitation_create_for_event(
        event="case.closed", customer=customer, touchpoint=touchpoint, hidden={}
    )
    Survey.objects.filter(pk=csat_survey.pk).update(status=SurveyStatus.CLOSED)
    assert not services.invitation_create_for_event(
        event="order.delivered", customer=customer, touchpoint=touchpoint, hidden={}
    )
