"""A survey with a numeric and a labelled matrix question, shared by the matrix tests."""

from typing import Any

from cxm.surveys import services
from cxm.surveys.models import Question, QuestionType, Survey, SurveyStatus

ROWS = [
    {"code": "speed", "labels": {"en": "Speed <b>now</b>", "fa": "سرعت"}},
    {"code": "price", "labels": {"en": "Price", "fa": "قیمت"}},
    {"code": "staff", "labels": {"en": "Staff", "fa": "کارکنان"}},
]
COLUMNS = [
    {"code": "disagree", "labels": {"en": "Disagree", "fa": "مخالفم"}},
    {"code": "neutral", "labels": {"en": "Neutral", "fa": "نظری ندارم"}},
    {"code": "agree", "labels": {"en": "Agree", "fa": "موافقم"}},
]


def matrix_question(survey: Survey, **fields: Any) -> Question:
    """A matrix question (numeric 1–5, rows speed/price/staff unless `fields` say other)."""
    values: dict[str, Any] = {
        "key": "service",
        "type": QuestionType.MATRIX,
        "required": True,
        "scale_max": 5,
        "texts": {"en": "How was our service?", "fa": "خدمات ما چطور بود؟"},
        "options": ROWS,
        "logic": {"ends": {"low": {"en": "Poor"}, "high": {"en": "Excellent"}}},
        **fields,
    }
    return services.question_save(question=Question(survey=survey, **values))


def matrix_survey() -> Survey:
    """Active, in English and Persian: `service` (required numeric matrix), `terms`
    (optional labelled matrix) and `reason` (free text)."""
    survey = services.survey_create(name="Service", languages=["en", "fa"])
    matrix_question(survey)
    matrix_question(
        survey,
        key="terms",
        required=False,
        scale_max=None,
        texts={"en": "Do you agree?", "fa": "موافقید؟"},
        options=ROWS[:2],
        logic={"columns": COLUMNS},
    )
    services.question_save(
        question=Question(survey=survey, key="reason", type=QuestionType.TEXT, texts={"en": "Why?"})
    )
    return services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
