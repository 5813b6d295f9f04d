"""The journey map's touchpoint KPI from touchpoint surveys: CSAT (top-two-box share) over
the last 90 days, else NPS where a touchpoint only has NPS answers."""

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Count, F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.common.i18n import format_number
from cxm.journeys.kpis import TouchpointKpi, register_touchpoint_kpi_provider
from cxm.surveys.models import Answer, QuestionType

if TYPE_CHECKING:
    from cxm.journeys.models import Touchpoint

WINDOW = dt.timedelta(days=90)


@register_touchpoint_kpi_provider
def touchpoint_survey_kpis(touchpoints: Sequence["Touchpoint"]) -> Mapping[int, TouchpointKpi]:
    """CSAT % (or NPS) of each touchpoint's responses of the last 90 days, with n. Touchpoints
    without responses are left out. One query."""
    ids = [tp.pk for tp in touchpoints]
    rows = (
        Answer.objects.filter(
            response__touchpoint_id__in=ids,
            response__submitted_at__gte=timezone.now() - WINDOW,
            question__type__in=[QuestionType.CSAT, QuestionType.NPS],
            number_value__isnull=False,
        )
        .values("response__touchpoint_id", "question__type")
        .annotate(
            n=Count("id"),
            top=Count("id", filter=Q(number_value__gte=F("scale_max") - 1)),
            promoters=Count("id", filter=Q(number_value__gte=9)),
            detractors=Count("id", filter=Q(number_value__lte=6)),
        )
        .order_by()
    )
    found: dict[int, dict[str, Any]] = {}
    for row in rows:
        found.setdefault(row["response__touchpoint_id"], {})[row["question__type"]] = row
    result: dict[int, TouchpointKpi] = {}
    for touchpoint_id in ids:
        by_type = found.get(touchpoint_id, {})
        if csat := by_type.get(QuestionType.CSAT):
            share = 100 * csat["top"] / csat["n"]
            result[touchpoint_id] = TouchpointKpi(
                label="CSAT",
                value=share,
                display=_("%(value)s%% (n = %(n)s)")
                % {"value": format_number(share, 0), "n": format_number(csat["n"])},
                level=share / 100,
            )
        elif nps := by_type.get(QuestionType.NPS):
            score = 100 * (nps["promoters"] - nps["detractors"]) / nps["n"]
            sign = "+" if score > 0 else ""
            result[touchpoint_id] = TouchpointKpi(
                label="NPS",
                value=score,
                display=_("%(value)s (n = %(n)s)")
                % {"value": sign + format_number(score, 0), "n": format_number(nps["n"])},
                level=(score + 100) / 200,
            )
    # Touchpoints without responses get no entry: the map then shows its own "—" placeholder
    # ("no KPI measured yet") instead of an empty chip.
    return result
