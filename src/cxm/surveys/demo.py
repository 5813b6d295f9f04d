"""Demo surveys: the four ready templates in fa/ar/hu/en, and ~3,000 responses over the last
six months from the demo customers, channels, touchpoints, teams and agents.

Deterministic (a fixed seed) and idempotent: surveys are matched by name and responses by
their external ids (`demo-…`), so a second run changes nothing.
"""

import datetime as dt
import random
from decimal import Decimal
from typing import Any

from django.utils import timezone

from cxm.accounts.models import Team, User
from cxm.accounts.roles import Role
from cxm.channels.models import Channel
from cxm.customers.models import Customer
from cxm.journeys.models import Touchpoint
from cxm.surveys import services
from cxm.surveys.models import Question, Survey, SurveyStatus
from cxm.surveys.validation import CleanAnswer, CleanResponse

SEED = 20261124
RESPONSES = 3000
LANGUAGES = ["fa", "ar", "hu", "en"]
SURVEYS = [
    ("relationship_nps", "نظرسنجی NPS رابطه با مشتری"),
    ("touchpoint_csat", "رضایت از تحویل سفارش (CSAT)"),
    ("ces_support", "سهولت رسیدگی پشتیبانی (CES)"),
    ("problem_followup", "پیگیری مشکل مشتری"),
]
# Share of responses per survey, and of languages among respondents.
SURVEY_WEIGHTS = [0.4, 0.35, 0.15, 0.1]
LANGUAGE_WEIGHTS = [0.8, 0.08, 0.04, 0.08]
# NPS 0..10 weights: mean about 7, about a quarter detractors.
NPS_WEIGHTS = [2, 1, 1, 2, 2, 4, 6, 10, 14, 16, 14]
CSAT_WEIGHTS = [5, 7, 12, 36, 40]
CES_WEIGHTS = [4, 5, 8, 12, 20, 28, 23]

GOOD = {
    "fa": [
        "پیک خیلی مؤدب بود",
        "غذا داغ و سر وقت رسید",
        "اپلیکیشن راحت و سریع است",
        "پشتیبانی سریع جواب داد",
    ],
    "ar": ["كان المندوب مهذبًا جدًا", "وصل الطعام ساخنًا وفي الوقت المحدد", "التطبيق سهل وسريع"],
    "hu": [
        "Nagyon udvarias futár",
        "Forrón és időben érkezett az étel",
        "Gyors és egyszerű az app",
    ],
    "en": ["Polite courier", "Food arrived hot and on time", "The app is quick and easy"],
}
BAD = {
    "fa": [
        "سفارش یک ساعت دیر رسید",
        "غذا سرد بود",
        "موقع پرداخت اپلیکیشن بسته شد",
        "پشتیبانی تلفن را جواب نداد",
        "یکی از اقلام سفارش کم بود",
    ],
    "ar": ["تأخر الطلب ساعة كاملة", "كان الطعام باردًا", "تعطّل التطبيق أثناء الدفع"],
    "hu": ["Egy órát késett a rendelés", "Hideg volt az étel", "Fizetéskor összeomlott az app"],
    "en": ["Delivery was an hour late", "The food was cold", "The app crashed on payment"],
}


def _surveys() -> list[Survey]:
    surveys = []
    for template, name in SURVEYS:
        survey = Survey.objects.filter(name=name).first()
        if survey is None:
            survey = services.survey_create_from_template(
                template=template, name=name, languages=LANGUAGES
            )
            services.survey_set_status(survey=survey, status=SurveyStatus.ACTIVE)
        surveys.append(survey)
    return surveys


def _comment(rng: random.Random, language: str, good: bool) -> str:
    if rng.random() < 0.45:
        return ""
    return rng.choice((GOOD if good else BAD)[language])


def _answers(
    rng: random.Random, survey: Survey, questions: dict[str, Question], language: str
) -> list[CleanAnswer]:
    def number(key: str, value: int) -> CleanAnswer:
        q = questions[key]
        return CleanAnswer(q.pk, key, number=Decimal(value), scale_max=q.scale_max)

    def text(key: str, value: str) -> list[CleanAnswer]:
        return [CleanAnswer(questions[key].pk, key, text=value)] if value else []

    if survey.template == "relationship_nps":
        score = rng.choices(range(11), NPS_WEIGHTS)[0]
        return [number("nps", score), *text("reason", _comment(rng, language, score >= 7))]
    if survey.template == "touchpoint_csat":
        score = rng.choices(range(1, 6), CSAT_WEIGHTS)[0]
        return [number("csat", score), *text("comment", _comment(rng, language, score >= 4))]
    if survey.template == "ces_support":
        score = rng.choices(range(1, 8), CES_WEIGHTS)[0]
        return [number("ces", score), *text("comment", _comment(rng, language, score >= 5))]
    problem = rng.choice(["late", "wrong_item", "quality", "staff", "payment", "other"])
    solved = rng.choices(["yes", "partly", "no"], [5, 3, 2])[0]
    return [
        CleanAnswer(questions["problem"].pk, "problem", choices=(problem,)),
        CleanAnswer(questions["solved"].pk, "solved", choices=(solved,)),
        *text("comment", _comment(rng, language, False)),
    ]


def load_demo_surveys(*, responses: int = RESPONSES) -> int:
    """Create the demo surveys and responses that are missing; return responses written."""
    surveys = _surveys()
    customers = list(Customer.objects.order_by("id").values_list("id", "preferred_language")[:2000])
    if not customers:
        return 0
    existing = set(
        Survey.objects.filter(pk__in=[s.pk for s in surveys])
        .values_list("responses__external_id", flat=True)
        .exclude(responses__external_id=None)
    )
    if len(existing) >= responses:
        return 0
    rng = random.Random(SEED)
    channels = list(Channel.objects.order_by("position", "code").values_list("id", flat=True))
    touchpoints = list(Touchpoint.objects.order_by("id").values_list("id", "stage_id"))
    teams = list(Team.objects.order_by("id").values_list("id", flat=True))
    agents = list(User.objects.filter(role=Role.AGENT).order_by("id").values_list("id", "team_id"))
    questions = {s.pk: {q.key: q for q in s.questions.all()} for s in surveys}
    now = timezone.now()
    items: list[CleanResponse] = []
    for n in range(responses):
        survey = rng.choices(surveys, SURVEY_WEIGHTS)[0]
        customer_id, preferred = rng.choice(customers)
        language = preferred or rng.choices(LANGUAGES, LANGUAGE_WEIGHTS)[0]
        touchpoint: Any = (
            rng.choice(touchpoints) if touchpoints and survey.kind != "relationship" else None
        )
        agent: Any = rng.choice(agents) if agents and survey.template == "ces_support" else None
        submitted = now - dt.timedelta(minutes=rng.randint(0, 182 * 24 * 60))
        item = CleanResponse(
            survey_id=survey.pk,
            language=language,
            submitted_at=submitted,
            answers=_answers(rng, survey, questions[survey.pk], language),
            external_id=f"demo-{n:05d}",
            customer_id=customer_id,
            channel_id=rng.choice(channels) if channels else None,
            touchpoint_id=touchpoint[0] if touchpoint else None,
            stage_id=touchpoint[1] if touchpoint else None,
            team_id=(agent[1] if agent and agent[1] else (rng.choice(teams) if teams else None)),
            agent_id=agent[0] if agent else None,
            hidden={"order_id": f"ORD-{rng.randint(100000, 999999)}"}
            if survey.template == "touchpoint_csat"
            else {},
            source=rng.choices(["web", "sms", "telegram", "email"], [5, 2, 2, 1])[0],
        )
        if item.external_id not in existing:
            items.append(item)
    services.responses_upsert(items=items)
    return len(items)
