"""Reads of the dashboard: filters, KPI figures from the rollups, trend, breakdowns,
response rate, newest comments, goals and the per-survey results.

Every KPI comes from one aggregate query over the rollup rows of the filtered period
(PostgreSQL: one scan with GROUPING SETS; SQLite: the same sets as UNION ALL), and the
summed score counts go through `cxm.core.metrics` — no formula is written here.
"""

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import jdatetime
from django.db import connection
from django.db.models import Count, F, Prefetch, Q, QuerySet, Sum
from django.db.models.fields.json import KT
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from cxm.accounts.models import Team
from cxm.analytics.models import DailyKpi, DailySegmentKpi, GoalKpi, KpiGoal, SavedView
from cxm.analytics.services import SCALE_QUESTION_TYPES, _bounds
from cxm.channels.models import Channel
from cxm.common.i18n import uses_jalali
from cxm.core import metrics
from cxm.core.jalali import parse_date
from cxm.core.text import localize_digits
from cxm.customers.models import Customer, Language, Segment
from cxm.journeys.models import Stage, Touchpoint
from cxm.surveys.models import (
    Answer,
    Invitation,
    Question,
    QuestionType,
    Response,
    Survey,
    SurveyPageReach,
)

DEFAULT_PERIOD_DAYS = 90
KPI_METRICS = ("nps", "csat", "ces")
DIMENSIONS: dict[str, str] = {
    "channel": "channel_id",
    "touchpoint": "touchpoint_id",
    "stage": "stage_id",
    "team": "team_id",
    "language": "language",
    "segment": "segment_id",
}
_ID_FILTERS = ("survey", "channel", "touchpoint", "stage", "team", "segment")
_FILTER_LABELS = {
    "survey": gettext_lazy("Survey"),
    "channel": gettext_lazy("Channel"),
    "touchpoint": gettext_lazy("Touchpoint"),
    "stage": gettext_lazy("Journey stage"),
    "team": gettext_lazy("Team"),
    "segment": gettext_lazy("Segment"),
}
COMMENTS_SHOWN = 10


# ----------------------------------------------------------------------------- filters


@dataclass(frozen=True)
class DashboardFilters:
    """The dashboard's GET parameters, validated. Ids are ints; dates are local days."""

    start: dt.date
    end: dt.date
    survey: int | None = None
    channel: int | None = None
    touchpoint: int | None = None
    stage: int | None = None
    team: int | None = None
    language: str = ""
    segment: int | None = None
    bucket: str = "week"  # trend: "week" or "month"
    errors: tuple[str, ...] = ()

    def as_query(self) -> dict[str, str]:
        """The filters as GET parameters (ISO dates)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        for name in _ID_FILTERS:
            if (value := getattr(self, name)) is not None:
                params[name] = str(value)
        if self.language:
            params["language"] = self.language
        params["bucket"] = self.bucket
        return params


def parse_filters(
    params: Mapping[str, Any] | QueryDict, *, today: dt.date | None = None
) -> DashboardFilters:
    """Filters from GET parameters; a bad value is dropped with a translated message.

    Dates may be ISO (2024-03-19) or Jalali (1403/01/01, Persian digits too). The period
    defaults to the last 90 days; the trend is weekly up to 92 days, monthly beyond.
    """
    today = today or timezone.localdate()
    errors: list[str] = []
    dates: dict[str, dt.date] = {}
    for name in ("start", "end"):
        raw = str(params.get(name) or "").strip()
        if not raw:
            continue
        try:
            dates[name] = parse_date(raw, prefer_jalali=uses_jalali())
        except ValueError:
            errors.append(_("“%(value)s” is not a date.") % {"value": raw})
    end = dates.get("end", today)
    start = dates.get("start", end - dt.timedelta(days=DEFAULT_PERIOD_DAYS - 1))
    if start > end:
        errors.append(_("The period starts after it ends; the dates were swapped."))
        start, end = end, start
    ids: dict[str, int | None] = {}
    for name in _ID_FILTERS:
        raw = str(params.get(name) or "").strip()
        ids[name] = int(raw) if raw.isdigit() else None
        if raw and not raw.isdigit():
            errors.append(
                _("Unknown value for the filter “%(filter)s”.") % {"filter": _FILTER_LABELS[name]}
            )
    language = str(params.get("language") or "")
    if language and language not in Language.values:
        errors.append(_("Unknown language."))
        language = ""
    bucket = str(params.get("bucket") or "")
    if bucket not in ("week", "month"):
        bucket = "week" if (end - start).days < 92 else "month"
    return DashboardFilters(
        start=start,
        end=end,
        language=language,
        bucket=bucket,
        errors=tuple(errors),
        **ids,
    )


# ------------------------------------------------------------------------ rollup query


@dataclass(frozen=True)
class RollupRow:
    key: tuple[Any, ...]  # the values of the grouping set's columns
    metric: str
    scale_max: int | None
    n: int
    invited: int
    counts: tuple[int, ...]  # c0 … c10


def _where(filters: DashboardFilters, *, segment_table: bool) -> tuple[str, list[Any]]:
    clauses = ["day >= %s", "day <= %s"]
    params: list[Any] = [filters.start, filters.end]
    for name in ("survey", "channel", "touchpoint", "stage", "team"):
        if (value := getattr(filters, name)) is not None:
            clauses.append(f"{name}_id = %s")
            params.append(value)
    if filters.language:
        clauses.append("language = %s")
        params.append(filters.language)
    if segment_table and filters.segment is not None:
        clauses.append("segment_id = %s")
        params.append(filters.segment)
    return " AND ".join(clauses), params


def rollup_sets(
    filters: DashboardFilters,
    sets: Sequence[tuple[str, ...]],
    *,
    metrics_wanted: Sequence[str],
    segment_table: bool = False,
) -> list[list[RollupRow]]:
    """Summed rollup rows for each grouping set (always also grouped by metric and
    scale_max), as one list per set. One query."""
    model = DailySegmentKpi if segment_table or filters.segment is not None else DailyKpi
    table = model._meta.db_table
    where, params = _where(filters, segment_table=model is DailySegmentKpi)
    where += f" AND metric IN ({', '.join(['%s'] * len(metrics_wanted))})"
    params += list(metrics_wanted)
    columns = sorted({c for s in sets for c in s})
    sums = "SUM(n), SUM(invited), " + ", ".join(f"SUM(c{i})" for i in range(11))
    if connection.vendor == "postgresql" and len(sets) > 1:
        grouping = ", ".join(f"({', '.join(s)})" if s else "()" for s in sets)
        sql = (
            f"SELECT GROUPING({', '.join(columns)}) AS g, {', '.join(columns)}, "  # noqa: S608
            f"metric, scale_max, {sums} FROM {table} WHERE {where} "
            f"GROUP BY metric, scale_max, GROUPING SETS ({grouping})"
        )
        masks = {
            sum(1 << (len(columns) - 1 - i) for i, c in enumerate(columns) if c not in s): index
            for index, s in enumerate(sets)
        }
        all_params = params
    else:
        parts = []
        all_params = []
        for index, s in enumerate(sets):
            picked = ", ".join(c if c in s else "NULL" for c in columns)
            group = ", ".join([*s, "metric", "scale_max"])
            parts.append(
                f"SELECT {index} AS g, {picked}, metric, scale_max, {sums} "  # noqa: S608
                f"FROM {table} WHERE {where} GROUP BY {group}"
            )
            all_params += params
        sql = " UNION ALL ".join(parts)
        masks = {index: index for index in range(len(sets))}
    result: list[list[RollupRow]] = [[] for _ in sets]
    with connection.cursor() as cursor:
        cursor.execute(sql, all_params)
        for row in cursor.fetchall():
            index = masks[row[0]]
            values = dict(zip(columns, row[1 : 1 + len(columns)], strict=True))
            rest = row[1 + len(columns) :]
            result[index].append(
                RollupRow(
                    key=tuple(values[c] for c in sets[index]),
                    metric=rest[0],
                    scale_max=rest[1],
                    n=int(rest[2] or 0),
                    invited=int(rest[3] or 0),
                    counts=tuple(int(c or 0) for c in rest[4:15]),
                )
            )
    return result


# ---------------------------------------------------------------------------- metrics


def _sample(scale: metrics.Scale, counts: Sequence[int]) -> metrics.ScoreSample:
    """A ScoreSample of unweighted counts (responses carry no weights: Σw = Σw² = count)."""
    floats = tuple(float(c) for c in counts)
    return metrics.ScoreSample(
        scale=scale, counts=tuple(counts), weight_sums=floats, weight_squares=floats
    )


def metric_result(
    metric: str, by_scale: Mapping[int | None, Sequence[int]]
) -> metrics.MetricResult:
    """The metric over summed counts c0…c10 per scale maximum.

    CSAT answers given on different scales are pooled as satisfied / not satisfied (each on
    its own scale's top boxes) on a 1–5 sample, which gives the same share and Wilson
    interval; the distribution of such a pool is only the two ends.
    """
    usable = {k: v for k, v in by_scale.items() if k}
    if metric == "nps":
        counts = [sum(c[i] for c in usable.values()) for i in range(11)]
        return metrics.nps(_sample(metrics.NPS_SCALE, counts))
    if metric == "csat":
        if len(usable) <= 1:
            scale_max = next(iter(usable), metrics.CSAT_DEFAULT_MAX)
            counts = list(usable.get(scale_max, [0] * 11))
            return metrics.csat(
                _sample(metrics.csat_scale(scale_max), counts[1 : scale_max + 1]),
                scale_max=scale_max,
            )
        satisfied = total = 0
        for scale_max, pooled in usable.items():
            top = metrics.csat_top_boxes(metrics.csat_scale(scale_max))
            satisfied += sum(pooled[i] for i in top)
            total += sum(pooled[1 : scale_max + 1])
        return metrics.csat(_sample(metrics.csat_scale(5), [total - satisfied, 0, 0, 0, satisfied]))
    if metric == "ces":
        # Validation fixes the CES scale at 1–7; other scales would be pooled point by point.
        scale_max = max(usable, default=metrics.CES_DEFAULT_MAX)
        counts = [sum(c[i] for c in usable.values()) for i in range(11)]
        return metrics.ces(
            _sample(metrics.ces_scale(scale_max), counts[1 : scale_max + 1]), scale_max=scale_max
        )
    raise ValueError(metric)


def _results(rows: Iterable[RollupRow]) -> dict[tuple[Any, ...], dict[str, Any]]:
    """Per key: each metric's counts per scale, `responses` and `invited`."""
    grouped: dict[tuple[Any, ...], dict[str, Any]] = defaultdict(
        lambda: {"scales": defaultdict(dict), "responses": 0, "invited": 0}
    )
    for row in rows:
        entry = grouped[row.key]
        if row.metric == "responses":
            entry["responses"] += row.n
            entry["invited"] += row.invited
        elif row.metric in KPI_METRICS:
            scales = entry["scales"][row.metric]
            old = scales.get(row.scale_max, (0,) * 11)
            scales[row.scale_max] = tuple(a + b for a, b in zip(old, row.counts, strict=True))
    return grouped


def _figures(entry: Mapping[str, Any]) -> dict[str, metrics.MetricResult]:
    return {m: metric_result(m, entry["scales"][m]) for m in KPI_METRICS if m in entry["scales"]}


# ------------------------------------------------------------------------- dashboard


@dataclass
class Choice:
    id: Any
    label: str


@dataclass
class Options:
    """The filter choices (and breakdown labels)."""

    surveys: list[Choice]
    channels: list[Choice]
    touchpoints: list[Choice]
    stages: list[Choice]
    teams: list[Choice]
    segments: list[Choice]
    languages: list[Choice]

    def label(self, dimension: str, key: Any) -> str:
        if key is None or key == "":
            return _("(none)")
        choices = getattr(self, f"{dimension}s", [])
        for choice in choices:
            if choice.id == key:
                return choice.label
        return str(key)


def filter_options() -> Options:
    """Everything the filter form lists. Six queries."""
    return Options(
        surveys=[Choice(s.pk, s.name) for s in Survey.objects.order_by("name").only("name")],
        channels=[Choice(c.pk, str(c)) for c in Channel.objects.order_by("position", "code")],
        touchpoints=[
            Choice(t.pk, t.name) for t in Touchpoint.objects.order_by("name").only("name")
        ],
        stages=[Choice(s.pk, s.name) for s in Stage.objects.order_by("name").only("name")],
        teams=[Choice(t.pk, t.name) for t in Team.objects.order_by("name").only("name")],
        segments=[Choice(s.pk, s.name) for s in Segment.objects.order_by("name").only("name")],
        languages=[Choice(code, str(label)) for code, label in Language.choices],
    )


@dataclass
class BreakdownRow:
    key: Any
    label: str
    responses: int
    figures: dict[str, metrics.MetricResult]


@dataclass
class TrendPoint:
    start: dt.date
    label: str
    figures: dict[str, metrics.MetricResult]
    responses: int


@dataclass
class Dashboard:
    filters: DashboardFilters
    figures: dict[str, metrics.MetricResult]
    responses: int
    invited_responses: int
    invitations_sent: int
    response_rate: float | None
    distributions: dict[str, dict[int, int]]  # metric -> score -> count (main scale)
    trend: list[TrendPoint]
    breakdowns: dict[str, list[BreakdownRow]] = field(default_factory=dict)


def _bucket(day: dt.date, kind: str, jalali: bool) -> tuple[dt.date, str]:
    """(first day, label) of the week or month holding `day`; Jalali months for fa."""
    if kind == "month":
        if jalali:
            jd = jdatetime.date.fromgregorian(date=day)
            first = jdatetime.date(jd.year, jd.month, 1).togregorian()
            label = f"{jdatetime.date.j_months_fa[jd.month - 1]} {jd.year}"
            return first, localize_digits(label, "persian")
        first = day.replace(day=1)
        return first, first.strftime("%Y-%m")
    # Weeks start on Saturday in Iran, on Monday elsewhere (ISO).
    offset = (day.weekday() - (5 if jalali else 0)) % 7
    first = day - dt.timedelta(days=offset)
    if jalali:
        jd = jdatetime.date.fromgregorian(date=first)
        return first, localize_digits(jd.strftime("%Y/%m/%d"), "persian")
    return first, first.isoformat()


def trend_points(by_day: Sequence[RollupRow], *, bucket: str, jalali: bool) -> list[TrendPoint]:
    """Roll daily rows up into weeks or months (Jalali months when `jalali`)."""
    buckets: dict[dt.date, list[RollupRow]] = defaultdict(list)
    labels: dict[dt.date, str] = {}
    for row in by_day:
        day = row.key[0]
        if isinstance(day, str):
            day = dt.date.fromisoformat(day)
        first, label = _bucket(day, bucket, jalali)
        labels[first] = label
        buckets[first].append(replace(row, key=()))
    points = []
    for first in sorted(buckets):
        entry = _results(buckets[first]).get((), None)
        if entry is None:
            continue
        points.append(
            TrendPoint(
                start=first,
                label=labels[first],
                figures=_figures(entry),
                responses=entry["responses"],
            )
        )
    return points


def invitations_sent(filters: DashboardFilters) -> int:
    """Invitations sent in the period under the filters invitations have. One query."""
    start, end = _bounds(filters.start, filters.end)
    qs = Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
    for name in ("survey", "channel", "touchpoint"):
        if (value := getattr(filters, name)) is not None:
            qs = qs.filter(**{f"{name}_id": value})
    if filters.stage is not None:
        qs = qs.filter(touchpoint__stage_id=filters.stage)
    if filters.language:
        qs = qs.filter(language=filters.language)
    if filters.segment is not None:
        qs = qs.filter(customer__segments=filters.segment)
    return qs.count()


def dashboard(filters: DashboardFilters, options: Options) -> Dashboard:
    """The dashboard's numbers: two rollup queries and one count of invitations."""
    plain = ("channel", "touchpoint", "stage", "team", "language")
    sets: list[tuple[str, ...]] = [("day",), *((DIMENSIONS[d],) for d in plain)]
    wanted = (*KPI_METRICS, "responses")
    if filters.segment is not None:
        sets.append(("segment_id",))
        results = rollup_sets(filters, sets, metrics_wanted=wanted)
        by_segment = results.pop()
    else:
        results = rollup_sets(filters, sets, metrics_wanted=wanted)
        by_segment = rollup_sets(
            filters, [("segment_id",)], metrics_wanted=wanted, segment_table=True
        )[0]
    by_day = results[0]
    total = _results(replace(r, key=()) for r in by_day).get(
        (), {"scales": {}, "responses": 0, "invited": 0}
    )
    breakdowns: dict[str, list[BreakdownRow]] = {}
    for name, rows in [*zip(plain, results[1:], strict=True), ("segment", by_segment)]:
        grouped = _results(rows)
        breakdowns[name] = sorted(
            (
                BreakdownRow(
                    key=key[0],
                    label=options.label(name, key[0]),
                    responses=entry["responses"],
                    figures=_figures(entry),
                )
                for key, entry in grouped.items()
            ),
            key=lambda r: (-r.responses, r.label),
        )
    distributions: dict[str, dict[int, int]] = {}
    for metric, scales in total["scales"].items():
        if not scales:
            continue
        scale_max = max(scales, key=lambda k: sum(scales[k]))
        low = 0 if metric == "nps" else 1
        distributions[metric] = {
            score: scales[scale_max][score] for score in range(low, (scale_max or 10) + 1)
        }
    sent = invitations_sent(filters)
    return Dashboard(
        filters=filters,
        figures=_figures(total) if total["scales"] else {},
        responses=total["responses"],
        invited_responses=total["invited"],
        invitations_sent=sent,
        response_rate=100 * total["invited"] / sent if sent else None,
        distributions=distributions,
        trend=trend_points(by_day, bucket=filters.bucket, jalali=uses_jalali()),
        breakdowns=breakdowns,
    )


# --------------------------------------------------------------------------- comments


def response_scope(filters: DashboardFilters, prefix: str = "") -> Q:
    """The filters as a Q on Response (`prefix` e.g. "response__" from Answer)."""
    start, end = _bounds(filters.start, filters.end)
    q = Q(**{f"{prefix}submitted_at__gte": start, f"{prefix}submitted_at__lt": end})
    for name in ("survey", "channel", "touchpoint", "stage", "team"):
        if (value := getattr(filters, name)) is not None:
            q &= Q(**{f"{prefix}{name}_id": value})
    if filters.language:
        q &= Q(**{f"{prefix}language": filters.language})
    if filters.segment is not None:  # a semi-join on the link table, not through customers
        members = Customer.segments.through.objects.filter(segment_id=filters.segment)
        q &= Q(**{f"{prefix}customer_id__in": members.values("customer_id")})
    return q


@dataclass
class Comment:
    answer: Answer
    score: Any
    score_metric: str


def text_answers(filters: DashboardFilters) -> QuerySet[Answer]:
    """Non-empty open-text answers under the filters, newest first (for paging)."""
    return (
        Answer.objects.filter(
            response_scope(filters, "response__"), question__type=QuestionType.TEXT
        )
        .exclude(text_value="")
        .select_related("response__channel", "response__customer", "response__survey", "question")
        .order_by("-response__submitted_at", "-id")
    )


def with_scores(answers: Sequence[Answer]) -> list[Comment]:
    """Each text answer with the NPS/CSAT/CES score of the same response. One query."""
    scores: dict[int, tuple[Any, str]] = {}
    rows = (
        Answer.objects.filter(
            response_id__in=[a.response_id for a in answers],
            question__type__in=KPI_METRICS,
            number_value__isnull=False,
        )
        .values_list("response_id", "number_value", "question__type")
        .order_by("question__page", "question__position")
    )
    for response_id, value, kind in rows:
        scores.setdefault(response_id, (value, kind))
    return [Comment(a, *scores.get(a.response_id, (None, ""))) for a in answers]


COMMENT_SCAN_BATCH = 2_000
COMMENT_SCAN_BATCHES = 8  # at most 16,000 responses looked at


def newest_comments(filters: DashboardFilters, limit: int = COMMENTS_SHOWN) -> list[Comment]:
    """The newest open-text answers under the filters, with their score.

    Bounded work whatever the filters: the period's responses are walked newest first in
    batches (an index range scan), and the filters are applied to each batch, so a
    rare combination (a small segment in one language) costs at most COMMENT_SCAN_BATCHES
    batches instead of a scan of every answer. Two or three queries a
    batch: the batch, its responses that match the filters, their text answers."""
    start, end = _bounds(filters.start, filters.end)
    walk = Response.objects.filter(submitted_at__gte=start, submitted_at__lt=end)
    if filters.survey is not None:
        walk = walk.filter(survey_id=filters.survey)
    walk = walk.order_by("-submitted_at", "-id")
    found: list[Answer] = []
    last: tuple[int, dt.datetime] | None = None
    size = COMMENT_SCAN_BATCH
    for _batch in range(COMMENT_SCAN_BATCHES):
        page = walk
        if last is not None:
            page = page.filter(
                Q(submitted_at__lt=last[1]) | Q(submitted_at=last[1], id__lt=last[0])
            )
        rows = list(page.values_list("id", "submitted_at")[:size])
        if not rows:
            break
        matched = list(
            Response.objects.filter(response_scope(filters), id__any=[r[0] for r in rows])
            .order_by()
            .values_list("id", flat=True)
        )
        if matched:
            found += list(
                text_answers(filters).filter(response_id__any=matched)[: limit - len(found)]
            )
        if len(found) >= limit or len(rows) < size:
            break
        last = rows[-1]
    return with_scores(found)


# ------------------------------------------------------------------------------ goals


@dataclass
class GoalProgress:
    goal: KpiGoal
    value: float | None
    result: metrics.MetricResult | None
    gap: float | None
    met: bool | None


def goals_progress(filters: DashboardFilters) -> list[GoalProgress]:
    """Each goal's value over the dashboard's period, its gap (value − target) and whether
    it is met. A goal's own scope (survey, team, the teams of a unit) replaces the
    dashboard's other filters. The response rate of a team goal counts the invitations of
    its survey scope (invitations are not per team). Four queries."""
    goals = list(KpiGoal.objects.select_related("unit", "team", "survey", "owner"))
    if not goals:
        return []
    period = DashboardFilters(start=filters.start, end=filters.end)
    rows = rollup_sets(
        period, [("survey_id", "team_id")], metrics_wanted=(*KPI_METRICS, "responses")
    )[0]
    unit_teams: dict[int, set[int]] = defaultdict(set)
    for team_id, unit_id in Team.objects.values_list("id", "unit_id"):
        unit_teams[unit_id].add(team_id)
    start, end = _bounds(filters.start, filters.end)
    sent_by_survey = dict(
        Invitation.objects.filter(sent_at__gte=start, sent_at__lt=end)
        .values_list("survey_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    progress = []
    for goal in goals:
        teams: set[int] | None = None
        if goal.team_id:
            teams = {goal.team_id}
        elif goal.unit_id:
            teams = unit_teams.get(goal.unit_id, set())
        picked = [
            replace(r, key=())
            for r in rows
            if (goal.survey_id is None or r.key[0] == goal.survey_id)
            and (teams is None or r.key[1] in teams)
        ]
        entry = _results(picked).get((), {"scales": {}, "responses": 0, "invited": 0})
        value: float | None = None
        result: metrics.MetricResult | None = None
        if goal.kpi == GoalKpi.RESPONSE_RATE:
            sent = (
                sent_by_survey.get(goal.survey_id, 0)
                if goal.survey_id
                else sum(sent_by_survey.values())
            )
            value = 100 * entry["invited"] / sent if sent else None
        elif goal.kpi in entry["scales"]:
            result = metric_result(goal.kpi, entry["scales"][goal.kpi])
            value = result.value
        target = float(goal.target)
        gap = value - target if value is not None else None
        progress.append(
            GoalProgress(
                goal=goal,
                value=value,
                result=result,
                gap=gap,
                met=None if gap is None else gap >= 0,
            )
        )
    return progress


def saved_views_for(user: Any) -> QuerySet[SavedView]:
    """The user's saved views and those shared by others."""
    return SavedView.objects.filter(Q(owner=user) | Q(shared=True)).select_related("owner")


# ------------------------------------------------------------------------ survey results


@dataclass
class MatrixRowResult:
    """One row of a matrix: how often each column was given, and (numeric scale) the
    mean with its t interval."""

    code: str
    label: str
    n: int
    distribution: list[tuple[str, str, int]]  # (column value, label, count)
    mean: metrics.MetricResult | None = None


@dataclass
class QuestionResult:
    question: Question
    n: int
    distribution: list[tuple[str, str, int]]  # (code, label, count)
    result: metrics.MetricResult | None = None
    rows: list[MatrixRowResult] = field(default_factory=list)  # a matrix's rows


@dataclass
class SurveyResults:
    survey: Survey
    questions: list[QuestionResult]
    responses: int
    invited_responses: int
    invitations_sent: int
    invitations_opened: int
    pages: list[tuple[int, int]]  # (page, responses with an answer on it)
    page_reach: list["PageReach"] = field(default_factory=list)

    @property
    def response_rate(self) -> float | None:
        if not self.invitations_sent:
            return None
        return 100 * self.invited_responses / self.invitations_sent


@dataclass(frozen=True)
class PageReach:
    """Arrivals on a page and how many of them did not go on (to the next page, or to
    submitting on the last page)."""

    page: int
    reached: int
    went_on: int

    @property
    def dropped(self) -> int:
        return max(self.reached - self.went_on, 0)

    @property
    def drop_rate(self) -> float | None:
        return 100 * self.dropped / self.reached if self.reached else None


def page_reach(survey: Survey, first: dt.date, last: dt.date, responses: int) -> list[PageReach]:
    """Drop-off per page in the period from the page-arrival counters (all links, personal
    and anonymous); the last page goes on to the `responses` submitted. One query."""
    counts = dict(
        SurveyPageReach.objects.filter(survey=survey, day__gte=first, day__lte=last)
        .values_list("page")
        .annotate(n=Sum("reached"))
        .values_list("page", "n")
    )
    pages = sorted(counts)
    result = []
    for i, page in enumerate(pages):
        went_on = counts[pages[i + 1]] if i + 1 < len(pages) else responses
        result.append(PageReach(page=page, reached=int(counts[page]), went_on=int(went_on)))
    return result


def survey_questions(survey: Survey) -> list[Question]:
    return list(survey.questions.order_by("page", "position", "id"))


def _choice_counts(question: Question, scope: Q) -> dict[str, int]:
    """How often each option was chosen (multiple choice: each chosen option counts)."""
    counts: dict[str, int] = defaultdict(int)
    values = Answer.objects.filter(scope, question=question).values_list("choices", flat=True)
    for choices in values.iterator(chunk_size=5000):
        for code in choices or []:
            counts[str(code)] += 1
    return counts


def _matrix_counts(question: Question, scope: Q) -> tuple[int, dict[str, dict[str, int]]]:
    """How many responses answered the matrix, and per row how often each value was given."""
    counts: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    answered = 0
    values = Answer.objects.filter(scope, question=question).values_list("choices", flat=True)
    for answer in values.iterator(chunk_size=5000):
        if isinstance(answer, dict) and answer:
            answered += 1
            for row, value in answer.items():
                counts[str(row)][str(value)] += 1
    return answered, counts


def _row_mean(question: Question, distribution: Sequence[tuple[str, str, int]]) -> Any:
    """The mean of a numeric matrix row with its t interval (the CES mean of
    `cxm.core.metrics` on the row's 1…K scale); None for labelled columns."""
    if question.matrix_columns:
        return None
    high = question.scale_max or len(distribution)
    sample = _sample(metrics.ces_scale(high), [n for _v, _l, n in distribution])
    return metrics.ces(sample, scale_max=high)


def matrix_result(question: Question, scope: Q, language: str) -> QuestionResult:
    """Each row's distribution over the matrix's columns and its mean. One query."""
    answered, counts = _matrix_counts(question, scope)
    columns = question.column_labels(language)
    rows = []
    for code, label in question.option_labels(language):
        given = counts.get(code, {})
        distribution = [(value, text, given.get(value, 0)) for value, text in columns]
        n = sum(count for _v, _t, count in distribution)
        rows.append(
            MatrixRowResult(code, label, n, distribution, _row_mean(question, distribution))
        )
    return QuestionResult(question, answered, [], rows=rows)


def survey_results(survey: Survey, filters: DashboardFilters, language: str) -> SurveyResults:
    """Distributions and KPIs of every question, response rate and answers per page.

    Scale questions and pages come from the rollup (one query); choice and matrix
    questions are counted from their answers (one query each); invitations take one query.
    """
    filters = replace(filters, survey=survey.pk)
    questions = survey_questions(survey)
    rows = rollup_sets(
        filters,
        [("question_id",)],
        metrics_wanted=(*SCALE_QUESTION_TYPES, "responses", "page"),
    )[0]
    by_question: dict[int, dict[int | None, tuple[int, ...]]] = defaultdict(dict)
    responses = invited = 0
    pages: dict[int, int] = defaultdict(int)
    for row in rows:
        if row.metric == "responses":
            responses += row.n
            invited += row.invited
        elif row.metric == "page":
            pages[row.scale_max or 0] += row.n
        elif row.key[0] is not None:
            old = by_question[row.key[0]].get(row.scale_max, (0,) * 11)
            by_question[row.key[0]][row.scale_max] = tuple(
                a + b for a, b in zip(old, row.counts, strict=True)
            )
    scope = response_scope(filters, "response__")
    results = []
    for question in questions:
        if question.type in SCALE_QUESTION_TYPES:
            scales = by_question.get(question.pk, {})
            low = question.scale_min
            high = question.scale_max or 10
            merged = [sum(c[i] for c in scales.values()) for i in range(11)]
            distribution = [(str(s), str(s), merged[s]) for s in range(low, high + 1)]
            result = metric_result(question.type, scales) if question.type in KPI_METRICS else None
            results.append(
                QuestionResult(question, sum(d[2] for d in distribution), distribution, result)
            )
        elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            counts = _choice_counts(question, scope)
            distribution = [
                (code, label, counts.get(code, 0))
                for code, label in question.option_labels(language)
            ]
            results.append(QuestionResult(question, sum(counts.values()), distribution))
        elif question.is_matrix:
            results.append(matrix_result(question, scope, language))
    start, end = _bounds(filters.start, filters.end)
    invitations = Invitation.objects.filter(survey=survey).aggregate(
        sent=Count("id", filter=Q(sent_at__gte=start, sent_at__lt=end)),
        opened=Count("id", filter=Q(opened_at__gte=start, opened_at__lt=end)),
    )
    return SurveyResults(
        survey=survey,
        questions=results,
        responses=responses,
        invited_responses=invited,
        invitations_sent=invitations["sent"] or 0,
        invitations_opened=invitations["opened"] or 0,
        pages=sorted(pages.items()),
        page_reach=page_reach(survey, filters.start, filters.end, responses),
    )


CROSSTAB_FIXED = ("channel", "language", "segment")


def crosstab_dimensions(survey: Survey) -> list[tuple[str, str]]:
    """(value, label) of what a question can be cross-tabulated by."""
    fixed = [("channel", _("Channel")), ("language", _("Language")), ("segment", _("Segment"))]
    hidden = [
        (f"hidden:{q.key}", _("Hidden field: %(key)s") % {"key": q.key})
        for q in survey.questions.filter(type=QuestionType.HIDDEN).order_by("position")
    ]
    return fixed + hidden


@dataclass
class CrossTab:
    question: Question
    dimension: str
    columns: list[tuple[str, str]]  # (code, label) of the question's answers
    rows: list[tuple[str, list[int], int]]  # (group label, counts per column, total)
    matrix_row: str = ""  # the matrix row tabulated


def crosstab_questions(questions: Sequence[Question], language: str) -> list[tuple[str, str]]:
    """(value, label) of what can be cross-tabulated: each question by its id, each row of
    a matrix as `<id>.<row code>`."""
    result: list[tuple[str, str]] = []
    for q in questions:
        if q.is_matrix:
            result.extend(
                (f"{q.pk}.{code}", f"{q.key} · {label}")
                for code, label in q.option_labels(language)
            )
        else:
            result.append((str(q.pk), q.key))
    return result


def crosstab(
    survey: Survey,
    question: Question,
    dimension: str,
    filters: DashboardFilters,
    options: Options,
    language: str,
    *,
    matrix_row: str = "",
) -> CrossTab | None:
    """Counts of each answer of `question` (a matrix: of its row `matrix_row`) per group of
    `dimension`. One query."""
    scope = response_scope(replace(filters, survey=survey.pk), "response__")
    if dimension == "channel":
        group: Any = F("response__channel_id")
    elif dimension == "language":
        group = F("response__language")
    elif dimension == "segment":
        group = F("response__customer__segments")
    elif dimension.startswith("hidden:") and dimension[7:]:
        group = KT(f"response__hidden__{dimension[7:]}")
    else:
        return None
    answers = Answer.objects.filter(scope, question=question)
    table: dict[Any, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    if question.type in SCALE_QUESTION_TYPES:
        columns = [
            (str(s), str(s)) for s in range(question.scale_min, (question.scale_max or 10) + 1)
        ]
        rows = (
            answers.filter(number_value__isnull=False)
            .values_list(group, "number_value")
            .annotate(n=Count("id"))
            .order_by()
        )
        for key, value, n in rows:
            table[key][str(int(value))] += n
    elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
        columns = question.option_labels(language)
        for key, choices in answers.values_list(group, "choices").iterator(chunk_size=5000):
            for code in choices or []:
                table[key][str(code)] += 1
    elif question.is_matrix and matrix_row in question.option_codes:
        columns = question.column_labels(language)
        for key, given in answers.values_list(group, "choices").iterator(chunk_size=5000):
            if isinstance(given, dict) and given.get(matrix_row) is not None:
                table[key][str(given[matrix_row])] += 1
    else:
        return None
    label_dimension = dimension if dimension in CROSSTAB_FIXED else ""
    result_rows = []
    for key, counts in table.items():
        label = options.label(label_dimension, key) if label_dimension else str(key or _("(none)"))
        values = [counts.get(code, 0) for code, _label in columns]
        result_rows.append((label, values, sum(values)))
    result_rows.sort(key=lambda r: (-r[2], r[0]))
    return CrossTab(
        question=question,
        dimension=dimension,
        columns=columns,
        rows=result_rows,
        matrix_row=matrix_row,
    )


def survey_responses(survey: Survey, filters: DashboardFilters) -> QuerySet[Response]:
    """The survey's responses under the filters, newest first, answers prefetched."""
    return (
        Response.objects.filter(response_scope(replace(filters, survey=survey.pk)))
        .select_related("channel", "customer", "touchpoint", "team")
        .prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.select_related("question").order_by(
                    "question__page", "question__position"
                ),
            )
        )
        .order_by("-submitted_at", "-id")
    )
