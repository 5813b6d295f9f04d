"""Close-the-loop figures of a period: how detractors were followed up, and the surveys sent
after cases were resolved.

Definitions (a detractor is a response with an NPS answer 0–6 submitted in the period, under
the dashboard's filters — survey, channel, touchpoint, stage, team, language, segment — which
apply to that response):

- contacted: the detractor's case (`Case.source_response`) has a first response
  (`first_responded_on`) or any outbound message;
- time to first contact, from the case's creation: the median of the first-response time in
  business minutes (`Case.first_response_minutes`) over cases under an SLA policy, and the
  median of wall-clock hours over cases without one — two figures, never mixed;
- loop closed: the case is resolved or closed;
- recovered: the customer's next NPS answer after the case was resolved is 7 or more; the
  rate is over the detractors whose customer gave such a next answer.

The count of detractors comes from the KPI rollup (the same numbers as the dashboard's NPS
distribution), everything else from one query over the cases created since the period began
that link a response — a set much smaller than the responses — with a few index lookups per
case (the response under the filters and its NPS answer; the first outbound message only
without a first response; the next answer only once resolved). Its cost grows with those
cases: about 130 ms of server time for 17,000 detractor cases in 90 days over 1.2 million
responses (PostgreSQL 15, 2 busy CPUs). Post-resolution surveys take two more queries over the
case activities of the period.
"""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import Case as DbCase
from django.db.models import DateTimeField, DecimalField, OuterRef, Q, Subquery, When
from django.db.models.functions import Coalesce

from cxm.analytics.selectors import DashboardFilters, metric_result, response_scope, rollup_sets
from cxm.analytics.services import _bounds
from cxm.cases.models import (
    DONE_CATEGORIES,
    ActivityKind,
    Case,
    CaseActivity,
    CaseMessage,
    MessageKind,
)
from cxm.core import metrics
from cxm.surveys.models import Answer, QuestionType

DETRACTOR_MAX = 6
RECOVERED_MIN = 7


def _ratio(part: int, whole: int) -> float | None:
    return 100 * part / whole if whole else None


@dataclass(frozen=True)
class DetractorLoop:
    detractors: int
    with_case: int
    contacted: int
    closed: int
    recovered: int
    with_next_answer: int
    business_minutes: list[float]  # first contact, cases under an SLA policy
    wall_clock_hours: list[float]  # first contact, cases without a policy

    @property
    def contacted_rate(self) -> float | None:
        return _ratio(self.contacted, self.detractors)

    @property
    def closed_rate(self) -> float | None:
        return _ratio(self.closed, self.detractors)

    @property
    def recovery_rate(self) -> float | None:
        return _ratio(self.recovered, self.with_next_answer)

    @property
    def median_business_hours(self) -> float | None:
        """Median time to first contact in business hours (cases under an SLA policy)."""
        if not self.business_minutes:
            return None
        return statistics.median(self.business_minutes) / 60

    @property
    def median_wall_clock_hours(self) -> float | None:
        """Median time to first contact in hours around the clock (cases without policy)."""
        return statistics.median(self.wall_clock_hours) if self.wall_clock_hours else None


def detractor_count(filters: DashboardFilters) -> int:
    """NPS answers 0–6 in the period under the filters, from the rollup. One query."""
    rows = rollup_sets(filters, [("day",)], metrics_wanted=("nps",))[0]
    return sum(sum(row.counts[: DETRACTOR_MAX + 1]) for row in rows)


def _detractor_cases(filters: DashboardFilters) -> Any:
    # The lowest NPS answer of the linked response when that response is under the filters
    # (NULL otherwise), as a scalar subquery: index lookups per case. Joined instead, the
    # planner reads every response (or every detractor answer) of the period.
    lowest_nps = (
        Answer.objects.filter(
            response_scope(filters, "response__"),
            response_id=OuterRef("source_response_id"),
            question__type=QuestionType.NPS,
            number_value__isnull=False,
        )
        .order_by("number_value")
        .values("number_value")[:1]
    )
    first_outbound = (
        CaseMessage.objects.filter(case_id=OuterRef("pk"), kind=MessageKind.OUTBOUND)
        .order_by("created_at")
        .values("created_at")[:1]
    )
    resolved = Coalesce("resolved_at", "closed_at")
    next_nps = (
        Answer.objects.filter(
            response__customer_id=OuterRef("customer_id"),
            response__submitted_at__gt=OuterRef("done_at"),
            question__type=QuestionType.NPS,
            number_value__isnull=False,
        )
        .order_by("response__submitted_at", "response_id")
        .values("number_value")[:1]
    )
    low, _high = _bounds(filters.start, filters.end)
    return (
        # A case is opened after the response it links (source_response is set only at
        # creation), so cases older than the period are skipped through their index.
        Case.objects.filter(source_response__isnull=False, created_at__gte=low)
        .annotate(
            score=Subquery(lowest_nps),
            # Only looked up where needed (a reply always sets first_responded_on; only done
            # cases have a next answer): CASE keeps the database from running the subquery.
            first_outbound_at=DbCase(
                When(
                    first_responded_on__isnull=True,
                    then=Subquery(first_outbound, output_field=DateTimeField()),
                ),
                default=None,
                output_field=DateTimeField(),
            ),
            done_at=resolved,
        )
        .annotate(
            next_nps=DbCase(
                When(done_at__isnull=False, then=Subquery(next_nps)),
                default=None,
                output_field=DecimalField(max_digits=9, decimal_places=2),
            )
        )
        .order_by()
        .values_list(
            "score",
            "source_response_id",
            "created_at",
            "first_responded_on",
            "first_outbound_at",
            "first_response_minutes",
            "sla_policy_id",
            "status_category",
            "done_at",
            "next_nps",
        )
    )


def _rows(queryset: Any) -> list[Any]:
    """The rows, with PostgreSQL's JIT off for the query: its cost estimate (a few index
    lookups per case, times many cases) triggers a compilation that takes longer than the
    query itself (measured: 600 ms of JIT for a 135 ms query over 17,000 cases)."""
    if connection.vendor != "postgresql":
        return list(queryset)
    # No savepoint: inside a request's transaction SET LOCAL lasts until its end, harmless.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        return list(queryset)


def detractor_loop(filters: DashboardFilters, *, detractors: int | None = None) -> DetractorLoop:
    """The detractor loop of the period. Two queries (one when `detractors` — the count of
    NPS answers 0–6 under the same filters, e.g. from the dashboard's distribution — is
    given)."""
    if detractors is None:
        detractors = detractor_count(filters)
    # One detractor may have several cases (one by a rule, one by hand): the best of them
    # counts — contacted if any was, closed if any was.
    best: dict[int, dict[str, Any]] = defaultdict(
        lambda: {"contact": None, "closed": False, "next": None}
    )
    for (
        score,
        response_id,
        created_at,
        responded_on,
        outbound_at,
        business_minutes,
        policy_id,
        category,
        done_at,
        next_nps,
    ) in _rows(_detractor_cases(filters)):
        if score is None or score > DETRACTOR_MAX:
            continue  # out of the filters, or a passive's, promoter's or CSAT response
        entry = best[response_id]
        contact_at = responded_on or outbound_at
        if contact_at is not None:
            if policy_id is not None and responded_on is not None and business_minutes is not None:
                wait: tuple[str, float] = ("business", float(business_minutes))
            else:
                hours = max((contact_at - created_at).total_seconds(), 0) / 3600
                wait = ("wall", hours)
            previous = entry["contact"]
            if previous is None or (previous[0] == wait[0] and wait[1] < previous[1]):
                entry["contact"] = wait
        if category in DONE_CATEGORIES and done_at is not None:
            entry["closed"] = True
            if next_nps is not None and entry["next"] is None:
                entry["next"] = float(next_nps)
    contacted = [e["contact"] for e in best.values() if e["contact"] is not None]
    nexts = [e["next"] for e in best.values() if e["next"] is not None]
    return DetractorLoop(
        detractors=detractors,
        with_case=len(best),
        contacted=len(contacted),
        closed=sum(1 for e in best.values() if e["closed"]),
        recovered=sum(1 for v in nexts if v >= RECOVERED_MIN),
        with_next_answer=len(nexts),
        business_minutes=sorted(v for kind, v in contacted if kind == "business"),
        wall_clock_hours=sorted(v for kind, v in contacted if kind == "wall"),
    )


@dataclass(frozen=True)
class FollowupSurveys:
    sent: int
    answered: int
    csat: metrics.MetricResult | None

    @property
    def answer_rate(self) -> float | None:
        return _ratio(self.answered, self.sent)


def _activity_scope(filters: DashboardFilters) -> Q:
    low, high = _bounds(filters.start, filters.end)
    q = Q(at__gte=low, at__lt=high)
    if filters.team is not None:
        q &= Q(case__team_id=filters.team)
    if filters.channel is not None:
        q &= Q(case__channel_id=filters.channel)
    return q


def followup_surveys(filters: DashboardFilters) -> FollowupSurveys:
    """Surveys sent after resolution and answered in the period (the case's team and
    channel filters apply; the survey filter picks that survey), and the CSAT of the
    answers. Two queries."""
    scope = _activity_scope(filters)
    rows = list(
        CaseActivity.objects.filter(
            scope, kind__in=[ActivityKind.SURVEY_SENT, ActivityKind.SURVEY_ANSWERED]
        ).values_list("kind", "data")
    )
    sent = 0
    response_ids: list[int] = []
    for kind, data in rows:
        data = data or {}
        if kind == ActivityKind.SURVEY_SENT:
            if filters.survey is None or data.get("survey") == filters.survey:
                sent += 1
        elif isinstance(data.get("response"), int):
            response_ids.append(data["response"])
    if not response_ids:
        return FollowupSurveys(sent=sent, answered=0, csat=None)
    answers = Answer.objects.filter(response_id__in=response_ids, question__type=QuestionType.CSAT)
    if filters.survey is not None:
        answers = answers.filter(response__survey_id=filters.survey)
    answered_ids: set[int] = set()
    by_scale: dict[int | None, list[int]] = defaultdict(lambda: [0] * 11)
    for response_id, value, scale_max in answers.values_list(
        "response_id", "number_value", "scale_max"
    ):
        answered_ids.add(response_id)
        if value is not None and 0 <= int(value) <= 10:
            by_scale[scale_max][int(value)] += 1
    answered = len(answered_ids) if filters.survey is not None else len(set(response_ids))
    csat = metric_result("csat", by_scale) if by_scale else None
    return FollowupSurveys(sent=sent, answered=answered, csat=csat)
