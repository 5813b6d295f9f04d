"""Writes of the dashboard: the KPI rollups (recomputed per day range), saved views, goals.

`kpi_rollup_refresh` deletes the rollup rows of the days (and surveys) it is given and
rebuilds them with one INSERT … SELECT … GROUP BY per contiguous day range and rollup
kind, compiled by the ORM, so it runs the same on SQLite and PostgreSQL. It is called in
the transaction of every response write (`cxm.surveys.services`), so the dashboard never
shows a response without its rollup, and by `cxm kpi_rollup --since` for backfills.
"""

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import TruncDate
from django.utils import timezone

from cxm.analytics.models import DailyKpi, DailySegmentKpi, KpiGoal, RollupMetric, SavedView
from cxm.surveys.models import Answer, QuestionType, Response

SCALE_QUESTION_TYPES = (QuestionType.NPS, QuestionType.CSAT, QuestionType.CES, QuestionType.RATING)
_DIMENSIONS = ("channel_id", "touchpoint_id", "stage_id", "team_id", "language")


def local_zone() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


REFRESH_MAX_GAP_DAYS = 31


def local_day(moment: dt.datetime) -> dt.date:
    """The rollup day of a submission time (the site's time zone)."""
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(local_zone()).date()


def day_ranges(days: Iterable[dt.date], *, max_gap: int = 1) -> list[tuple[dt.date, dt.date]]:
    """(first, last) ranges covering `days`; days at most `max_gap` apart share a range
    (1: contiguous days only)."""
    ordered = sorted(set(days))
    ranges: list[tuple[dt.date, dt.date]] = []
    for day in ordered:
        if ranges and day <= ranges[-1][1] + dt.timedelta(days=max_gap):
            ranges[-1] = (ranges[-1][0], day)
        else:
            ranges.append((day, day))
    return ranges


def _bounds(first: dt.date, last: dt.date) -> tuple[dt.datetime, dt.datetime]:
    zone = local_zone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _insert_select(table: str, columns: Sequence[str], queryset: QuerySet[Any]) -> int:
    """INSERT INTO table (columns) <the queryset's SELECT>; the row count."""
    sql, params = queryset.query.get_compiler(connection=connection).as_sql()
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {table} ({', '.join(columns)}) {sql}", params)
        return int(cursor.rowcount or 0)


def _dims(prefix: str) -> dict[str, Any]:
    return {f"d_{name}": F(f"{prefix}{name}") for name in _DIMENSIONS}


def _score_counts() -> dict[str, Any]:
    return {f"c{i}": Count("id", filter=Q(number_value=i)) for i in range(11)}


def _answer_rows(responses: Q, *, segment: bool) -> tuple[list[str], QuerySet[Any]]:
    zone = local_zone()
    qs: Any = Answer.objects.filter(
        responses, question__type__in=SCALE_QUESTION_TYPES, number_value__isnull=False
    )
    keys: dict[str, Any] = {
        "d_day": TruncDate("response__submitted_at", tzinfo=zone),
        "d_survey": F("response__survey_id"),
        "d_question": F("question_id"),
        "d_metric": F("question__type"),
        "d_scale": F("scale_max"),
        **_dims("response__"),
    }
    columns = ["day", "survey_id", "question_id", "metric", "scale_max", *_DIMENSIONS]
    if segment:
        qs = qs.filter(response__customer__segments__isnull=False)
        keys["d_segment"] = F("response__customer__segments")
        columns.append("segment_id")
    qs = qs.values(**keys).annotate(n=Count("id"), **_score_counts()).order_by()
    return [*columns, "n", *(f"c{i}" for i in range(11))], qs


def _response_rows(responses: Q, *, segment: bool) -> tuple[list[str], QuerySet[Any]]:
    zone = local_zone()
    qs: Any = Response.objects.filter(responses)
    keys: dict[str, Any] = {
        "d_day": TruncDate("submitted_at", tzinfo=zone),
        "d_survey": F("survey_id"),
        "d_metric": Value(RollupMetric.RESPONSES.value),
        **_dims(""),
    }
    columns = ["day", "survey_id", "metric", *_DIMENSIONS]
    if segment:
        qs = qs.filter(customer__segments__isnull=False)
        keys["d_segment"] = F("customer__segments")
        columns.append("segment_id")
    qs = (
        qs.values(**keys)
        .annotate(n=Count("id"), invited=Count("id", filter=Q(invitation_id__isnull=False)))
        .order_by()
    )
    return [*columns, "n", "invited"], qs


def _page_rows(responses: Q, *, segment: bool) -> tuple[list[str], QuerySet[Any]]:
    zone = local_zone()
    qs: Any = Answer.objects.filter(responses)
    keys: dict[str, Any] = {
        "d_day": TruncDate("response__submitted_at", tzinfo=zone),
        "d_survey": F("response__survey_id"),
        "d_metric": Value(RollupMetric.PAGE.value),
        "d_scale": F("question__page"),
        **_dims("response__"),
    }
    columns = ["day", "survey_id", "metric", "scale_max", *_DIMENSIONS]
    if segment:
        qs = qs.filter(response__customer__segments__isnull=False)
        keys["d_segment"] = F("response__customer__segments")
        columns.append("segment_id")
    qs = qs.values(**keys).annotate(n=Count("response_id", distinct=True)).order_by()
    return [*columns, "n"], qs


@transaction.atomic
def kpi_rollup_refresh(
    *, days: Iterable[dt.date] | None = None, surveys: Iterable[int] | None = None
) -> int:
    """Recompute the rollups of `days` (every day with responses when None), for `surveys`
    only when given. Returns the number of rollup rows written.

    One DELETE and six INSERT … SELECT … GROUP BY per contiguous range of days.
    """
    survey_ids = sorted(set(surveys)) if surveys is not None else None
    if days is None:
        found = Response.objects.all()
        if survey_ids is not None:
            found = found.filter(survey_id__in=survey_ids)
        stamps = found.order_by().values_list("submitted_at", flat=True)
        oldest = stamps.order_by("submitted_at").first()
        newest = stamps.order_by("-submitted_at").first()
        ranges: list[tuple[dt.date, dt.date]] = []
        if oldest is not None and newest is not None:
            ranges = [(local_day(oldest), local_day(newest))]
        wipe: tuple[Any, ...] = (DailyKpi.objects.all(), DailySegmentKpi.objects.all())
        if survey_ids is not None:
            wipe = tuple(w.filter(survey_id__in=survey_ids) for w in wipe)
        for stale_rows in wipe:
            stale_rows.delete()
    else:
        # Recomputing an untouched day in between is harmless, and one statement over a
        # longer range costs far less than a statement per scattered day (an import of a
        # year of answers touches most days).
        ranges = day_ranges(days, max_gap=REFRESH_MAX_GAP_DAYS)
    written = 0
    for first, last in ranges:
        start, end = _bounds(first, last)
        scope = Q(submitted_at__gte=start, submitted_at__lt=end)
        answer_scope = Q(response__submitted_at__gte=start, response__submitted_at__lt=end)
        if survey_ids is not None:
            scope &= Q(survey_id__in=survey_ids)
            answer_scope &= Q(response__survey_id__in=survey_ids)
        for model in (DailyKpi, DailySegmentKpi):
            stale: Any = model.objects.filter(day__gte=first, day__lte=last)
            if survey_ids is not None:
                stale = stale.filter(survey_id__in=survey_ids)
            stale.delete()
        for segment, model in ((False, DailyKpi), (True, DailySegmentKpi)):
            db_table = model._meta.db_table
            for build, where in (
                (_answer_rows, answer_scope),
                (_response_rows, scope),
                (_page_rows, answer_scope),
            ):
                columns, qs = build(where, segment=segment)
                written += _insert_select(db_table, columns, qs)
    return written


def responses_days(*, external_ids: Sequence[str]) -> set[tuple[int, dt.date]]:
    """(survey id, rollup day) of the stored responses with these external ids: what an
    upsert replacing them must refresh besides the new values. One query."""
    if not external_ids:
        return set()
    rows = Response.objects.filter(external_id__any=list(external_ids)).values_list(
        "survey_id", "submitted_at"
    )
    return {(survey_id, local_day(at)) for survey_id, at in rows}


def kpi_rollup_refresh_touched(touched: Iterable[tuple[int, dt.datetime | dt.date]]) -> int:
    """Refresh the rollups after a response write: `touched` holds (survey id, submission
    time or day) pairs. One refresh over the touched surveys and days."""
    survey_ids: set[int] = set()
    days: set[dt.date] = set()
    for survey_id, when in touched:
        survey_ids.add(survey_id)
        days.add(local_day(when) if isinstance(when, dt.datetime) else when)
    if not days:
        return 0
    return kpi_rollup_refresh(days=days, surveys=survey_ids)


# ------------------------------------------------------------------------ saved views


@transaction.atomic
def saved_view_create(*, owner: Any, name: str, query: str, shared: bool) -> SavedView:
    view = SavedView(owner=owner, name=name.strip(), query=query.lstrip("?")[:1000], shared=shared)
    view.full_clean()
    view.save()
    return view


@transaction.atomic
def saved_view_delete(*, view: SavedView) -> None:
    view.delete()


# ----------------------------------------------------------------------------- goals


@transaction.atomic
def goal_save(*, goal: KpiGoal) -> KpiGoal:
    """Create or update a goal."""
    goal.full_clean()
    goal.save()
    return goal


@transaction.atomic
def goal_delete(*, goal: KpiGoal) -> None:
    goal.delete()
