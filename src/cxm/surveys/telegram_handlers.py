"""The one-tap NPS in Telegram: a press on the invitation's 0–10 keyboard is an answer.

Registered for the callback prefix "nps" in `SurveysConfig.ready()`. The press is saved as
the invitation's response through `services.response_submit` (the page's own path: one
response per token); a second press is refused with a message. The toast thanks the
customer and a task sends a message with the link to the rest of the survey on the web.
"""

import logging

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import override

from cxm.common.exceptions import ApplicationError
from cxm.integrations.base import OutboundMessage, get_sender
from cxm.integrations.telegram.callbacks import CallbackQuery
from cxm.surveys import services
from cxm.surveys.distribution import survey_link
from cxm.surveys.models import (
    DeliveryState,
    Invitation,
    QuestionType,
    ResponseSource,
    SurveyStatus,
)
from cxm.surveys.validation import InputError, clean_answers

logger = logging.getLogger(__name__)
PREFIX = "nps"


def record_nps_answer(query: CallbackQuery) -> str:
    """Save the pressed score as the invitation's answer; returns the toast text."""
    if len(query.args) != 2:
        return _("This survey link is not valid. Please check that you copied all of it.")
    key, score = query.args
    with transaction.atomic():
        invitation = (
            Invitation.objects.select_for_update(of=("self",))
            .select_related("survey", "customer")
            .filter(key=key)
            .first()
        )
        if invitation is None:
            return _("This survey link is not valid. Please check that you copied all of it.")
        survey = invitation.survey
        customer = invitation.customer
        language = survey.pick_language(
            invitation.language, customer.preferred_language if customer else "", query.language
        )
        with override(language):
            if hasattr(invitation, "response"):
                return _("You have already answered this survey. Thank you!")
            if invitation.expires_at <= timezone.now():
                return _("This survey link has expired. Thank you for your interest.")
            if survey.status != SurveyStatus.ACTIVE:
                return _("This survey is not open for answers.")
            question = next((q for q in survey.questions.all() if q.type == QuestionType.NPS), None)
            if question is None:
                return _("This survey link is not valid. Please check that you copied all of it.")
            try:
                answers = clean_answers([question], {question.key: score}, strict=False)
                services.response_submit(
                    survey=survey,
                    answers=answers,
                    language=language,
                    invitation=invitation,
                    source=ResponseSource.TELEGRAM,
                )
            except InputError:
                return _("Sorry, your answer could not be saved. Please try again.")
            except ApplicationError as exc:
                return exc.message
            Invitation.objects.filter(pk=invitation.pk).update(status=DeliveryState.RESPONDED)
            if query.chat_id is not None:
                from cxm.surveys.tasks import send_nps_thanks

                invitation_id, chat_id = invitation.pk, query.chat_id
                transaction.on_commit(
                    lambda: send_nps_thanks.enqueue(invitation_id, chat_id, language)
                )
            return _("Thank you!")


def send_thanks(*, invitation_id: int, chat_id: int, language: str) -> str:
    """The thank-you message with the link to the rest of the survey; returns the status."""
    invitation = Invitation.objects.filter(pk=invitation_id).first()
    if invitation is None:
        return "missing"
    with override(language):
        text = _("Thank you for your answer! Tell us the main reason for your score:")
    message = OutboundMessage(
        channel="telegram",
        recipient=str(chat_id),
        language=language,
        text=text,
        url=survey_link(invitation),
        idempotency_key=f"invitation-{invitation.pk}-thanks",
    )
    result = get_sender("telegram").send(message)
    if not result.ok:
        logger.info("Telegram thank-you for invitation %s: %s", invitation.pk, result.error)
    return str(result.status)
