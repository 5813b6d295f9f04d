"""The surveys' part of the customer-360 timeline: "Answered <survey>: NPS 9"."""

from collections.abc import Iterable
from typing import Any

from django.db.models import OuterRef, Subquery
from django.urls import reverse
from django.utils.translation import gettext as _

from cxm.common.i18n import format_number
from cxm.common.timeline import TimelineEvent, timeline_provider
from cxm.surveys.models import Answer, QuestionType, Response, ResponseSource

_SCORE_TYPES = [QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING]
_LABELS = {"nps": "NPS", "csat": "CSAT", "ces": "CES"}


def score_text(kind: str | None, value: Any, scale_max: int | None) -> str:
    """ "NPS 9", "CSAT 4/5", "CES 6/7", "Rating 8/10" in the user's digits."""
    if value is None or kind is None:
        return ""
    label = _LABELS.get(kind) or _("Rating")
    if kind == QuestionType.NPS:
        return f"{label} {format_number(int(value))}"
    return f"{label} {format_number(int(value))}/{format_number(scale_max or 0)}"


@timeline_provider("surveys")
def survey_response_events(customer: Any, *, limit: int) -> Iterable[TimelineEvent]:
    """The customer's survey responses with their first score and comment. One query."""
    scores = Answer.objects.filter(
        response=OuterRef("pk"), question__type__in=_SCORE_TYPES
    ).order_by("question__page", "question__position", "question_id")
    comments = (
        Answer.objects.filter(response=OuterRef("pk"), question__type=QuestionType.TEXT)
        .exclude(text_value="")
        .order_by("question__page", "question__position", "question_id")
    )
    rows = (
        Response.objects.filter(customer=customer)
        .select_related("survey")
        .annotate(
            score=Subquery(scores.values("number_value")[:1]),
            score_type=Subquery(scores.values("question__type")[:1]),
            score_max=Subquery(scores.values("scale_max")[:1]),
            comment=Subquery(comments.values("text_value")[:1]),
        )
        .order_by("-submitted_at", "-id")[:limit]
    )
    for row in rows:
        score = score_text(row.score_type, row.score, row.score_max)
        title = (
            _("Answered %(survey)s: %(score)s") % {"survey": row.survey.name, "score": score}
            if score
            else _("Answered %(survey)s") % {"survey": row.survey.name}
        )
        body = [str(row.comment or "")[:300]]
        if row.source != ResponseSource.WEB:
            body.append(_("Source: %(source)s") % {"source": row.get_source_display()})
        yield TimelineEvent(
            at=row.submitted_at,
            kind="surveys.response",
            title=title,
            body=" · ".join(p for p in body if p),
            url=reverse("surveys:detail", args=[row.survey_id]),
            data={"score": score},
        )
