"""Small builders for the text analytics tests (texts written for the tests)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from cxm.surveys import services as survey_services
from cxm.surveys.models import Response, Survey, SurveyStatus
from cxm.surveys.validation import clean_answers
from cxm.textanalytics import services
from cxm.textanalytics.models import SourceKind, TextItem, Topic


def nps_survey() -> Survey:
    survey = survey_services.survey_create_from_template(
        template="relationship_nps", name="NPS", languages=["fa", "ar", "hu", "en"]
    )
    return survey_services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)


def respond(survey: Survey, *, nps: int, reason: str, language: str = "en") -> Response:
    answers = clean_answers(
        list(survey.questions.all()), {"nps": nps, "reason": reason}, strict=False
    )
    return survey_services.response_submit(survey=survey, answers=answers, language=language)


_next_source = [10_000]


def item(
    text: str,
    *,
    analyse: bool = True,
    created_at: dt.datetime | None = None,
    kind: str = SourceKind.IMPORTED_REVIEW,
    **fields: Any,
) -> TextItem:
    """A stored text (analysed by the fake pipeline unless `analyse=False`)."""
    _next_source[0] += 1
    row = TextItem.objects.create(
        source_kind=kind,
        source_id=_next_source[0],
        text=text,
        created_at=created_at or timezone.now(),
        **fields,
    )
    if analyse:
        services.text_items_analyse(item_ids=[row.pk])
        row.refresh_from_db()
    return row


def topic(code: str, **keywords: list[str]) -> Topic:
    return services.topic_save(
        code=code, names={"en": code.title()}, keywords=keywords, examples={}
    )
