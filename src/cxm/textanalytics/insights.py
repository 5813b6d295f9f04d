"""Emerging issues and key drivers from stored texts: the reads that feed `cxm.core.insights`
and the service that records and sends emerging-issue alerts.

Days are UTC calendar days (the scheduler's daily slot starts at 00:00 UTC too), so a day's
count does not move with the reader's time zone.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cxm.core import insights as core
from cxm.textanalytics.models import EmergingIssueAlert, TextItem, TextItemTopic, Topic

KEY_DRIVER_METRICS = core.METRICS
SEGMENT_DIMENSIONS = ("channel", "language", "survey", "source_kind")
DEFAULT_DRIVER_DAYS = 90
PANEL_SHOWN = 5


@dataclass(frozen=True)
class TopicIssue:
    topic: Topic
    issue: core.EmergingIssue


@dataclass(frozen=True)
class DriverReport:
    result: core.KeyDrivers
    topics: dict[int, Topic]
    segments: list[tuple[str, str]]  # (value, label) of the chosen dimension in the period


def _utc_day_start(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.min, tzinfo=dt.UTC)


def today_utc() -> dt.date:
    return timezone.now().astimezone(dt.UTC).date()


def daily_topic_counts(
    *, last_day: dt.date, days: int
) -> tuple[list[dt.date], list[int], dict[int, list[int]]]:
    """The `days` UTC days ending with `last_day`: texts per day and mentions per active
    topic per day (two grouped queries)."""
    first_day = last_day - dt.timedelta(days=days - 1)
    dates = [first_day + dt.timedelta(days=i) for i in range(days)]
    index = {day: i for i, day in enumerate(dates)}
    start, end = _utc_day_start(first_day), _utc_day_start(last_day + dt.timedelta(days=1))
    totals = [0] * days
    for row in (
        TextItem.objects.filter(created_at__gte=start, created_at__lt=end)
        .annotate(day=TruncDate("created_at", tzinfo=dt.UTC))
        .values("day")
        .annotate(n=Count("id"))
        .order_by()
    ):
        totals[index[row["day"]]] = row["n"]
    counts: dict[int, list[int]] = {
        pk: [0] * days for pk in Topic.objects.filter(is_active=True).values_list("pk", flat=True)
    }
    for row in (
        TextItemTopic.objects.filter(
            text_item__created_at__gte=start,
            text_item__created_at__lt=end,
            topic__is_active=True,
        )
        .annotate(day=TruncDate("text_item__created_at", tzinfo=dt.UTC))
        .values("topic_id", "day")
        .annotate(n=Count("id"))
        .order_by()
    ):
        counts[row["topic_id"]][index[row["day"]]] = row["n"]
    return dates, totals, counts


def emerging_issues(
    *,
    last_day: dt.date | None = None,
    recent_days: int = core.RECENT_DAYS,
    baseline_days: int = core.BASELINE_DAYS,
    min_count: int = core.MIN_COUNT,
    min_ratio: float = core.MIN_RATIO,
) -> list[TopicIssue]:
    """Every active topic's recent window (ending with `last_day`, default yesterday: the
    last whole day) against its baseline; flagged ones first."""
    last_day = last_day or today_utc() - dt.timedelta(days=1)
    _dates, totals, counts = daily_topic_counts(last_day=last_day, days=recent_days + baseline_days)
    issues = core.detect_emerging_issues(
        counts,
        totals,
        recent_days=recent_days,
        baseline_days=baseline_days,
        min_count=min_count,
        min_ratio=min_ratio,
    )
    topics = Topic.objects.select_related("owner").in_bulk([issue.key for issue in issues])
    return [TopicIssue(topic=topics[int(str(issue.key))], issue=issue) for issue in issues]


def _alert_text(topic: Topic, issue: core.EmergingIssue, recent_days: int, language: str) -> str:
    ratio = (
        _("new this period")
        if issue.rate_ratio is None
        else _("%(ratio).1f× its usual share") % {"ratio": issue.rate_ratio}
    )
    return _(
        "Emerging issue: %(topic)s — %(count)s mentions in the last %(days)s day(s), %(ratio)s."
    ) % {
        "topic": topic.name_for(language),
        "count": issue.recent_count,
        "days": recent_days,
        "ratio": ratio,
    }


def emerging_issue_alerts_send(
    *, last_day: dt.date | None = None, recent_days: int = core.RECENT_DAYS
) -> list[EmergingIssueAlert]:
    """Record every emerging issue once per window and notify its topic's owner.

    Fire-once: an alert row is unique per (topic, window length, last day), so a re-run of
    the same day adds nothing; and a topic already alerted for an overlapping window (its
    last day less than `recent_days` ago) is the same issue still running, not a new one.
    """
    from cxm.cases.services import notify

    last_day = last_day or today_utc() - dt.timedelta(days=1)
    created = []
    for row in emerging_issues(last_day=last_day, recent_days=recent_days):
        if not row.issue.emerging:
            continue
        overlapping = EmergingIssueAlert.objects.filter(
            topic=row.topic,
            recent_days=recent_days,
            last_day__gt=last_day - dt.timedelta(days=recent_days),
            last_day__lte=last_day,
        )
        if overlapping.exists():
            continue
        issue = row.issue
        try:
            with transaction.atomic():
                alert = EmergingIssueAlert.objects.create(
                    topic=row.topic,
                    recent_days=recent_days,
                    last_day=last_day,
                    recent_count=issue.recent_count,
                    baseline_count=issue.baseline_count,
                    recent_total=issue.recent_total,
                    baseline_total=issue.baseline_total,
                    rate_ratio=issue.rate_ratio,
                    p_value=issue.p_value,
                    q_value=issue.q_value,
                )
                owner = row.topic.owner
                if owner is not None:
                    # In the owner's language (the job runs outside any request).
                    language = getattr(owner, "language", "") or settings.LANGUAGE_CODE
                    with translation.override(language):
                        text = _alert_text(row.topic, issue, recent_days, language[:2])
                    notify(users=[owner], text=text, kind="emerging_issue")
        except IntegrityError:  # another run recorded it first: that run notified
            continue
        created.append(alert)
    return created


def recent_alerts(
    *, limit: int = PANEL_SHOWN, days: int = core.RECENT_DAYS
) -> list[EmergingIssueAlert]:
    """The newest alerts of the last `days` days, largest rise first (one query)."""
    since = today_utc() - dt.timedelta(days=days)
    alerts = list(
        EmergingIssueAlert.objects.filter(last_day__gte=since)
        .select_related("topic")
        .order_by("-last_day", "-rate_ratio", "-recent_count")[:limit]
    )
    language = (translation.get_language() or "en")[:2]
    for alert in alerts:
        alert.topic_name = alert.topic.name_for(language)  # type: ignore[attr-defined]
    return alerts


# --------------------------------------------------------------------------- key drivers


def _segment_value(item: Mapping[str, Any], dimension: str | None) -> str | None:
    if dimension is None:
        return None
    value = item.get(f"{dimension}_id" if dimension in ("channel", "survey") else dimension)
    return None if value in (None, "") else str(value)


def driver_rows(
    *,
    metric: str,
    start: dt.date,
    end: dt.date,
    segment_by: str | None = None,
) -> list[core.DriverRow]:
    """One row per survey response in [start, end] (UTC days) that has a `metric` answer
    and an analysed comment: its score and the topics of its comments (three queries)."""
    from cxm.surveys.models import Answer

    if metric not in KEY_DRIVER_METRICS:
        raise ValueError(f"metric is one of {', '.join(KEY_DRIVER_METRICS)}")
    if segment_by is not None and segment_by not in SEGMENT_DIMENSIONS:
        raise ValueError(f"segment_by is one of {', '.join(SEGMENT_DIMENSIONS)}")
    items = list(
        TextItem.objects.filter(
            response__isnull=False,
            analysed_at__isnull=False,
            created_at__gte=_utc_day_start(start),
            created_at__lt=_utc_day_start(end + dt.timedelta(days=1)),
        ).values("id", "response_id", "channel_id", "language", "survey_id", "source_kind")
    )
    if not items:
        return []
    topics_of: dict[int, set[int]] = defaultdict(set)
    item_ids = [item["id"] for item in items]
    for text_item_id, topic_id in TextItemTopic.objects.filter(
        text_item_id__in=item_ids, topic__is_active=True
    ).values_list("text_item_id", "topic_id"):
        topics_of[text_item_id].add(topic_id)
    scored: dict[int, tuple[float, int | None]] = {}
    for response_id, value, scale_max in (
        Answer.objects.filter(
            response_id__in={item["response_id"] for item in items},
            question__type=metric,
            number_value__isnull=False,
        )
        .order_by("response_id", "question__page", "question__position", "question_id")
        .values_list("response_id", "number_value", "scale_max")
    ):
        if value is not None:
            scored.setdefault(response_id, (float(value), scale_max))  # the first such question
    # Scores on different scales (CSAT on 1–5 and 1–7) do not mix: the most common one counts.
    scales = Counter(scale for _value, scale in scored.values())
    main_scale = scales.most_common(1)[0][0] if scales else None
    scores = {pk: value for pk, (value, scale) in scored.items() if scale == main_scale}
    by_response: dict[int, tuple[set[int], str | None]] = {}
    for item in items:
        response_id = item["response_id"]
        if response_id not in scores:
            continue
        mentioned, segment = by_response.get(response_id, (set(), _segment_value(item, segment_by)))
        mentioned |= topics_of.get(item["id"], set())
        by_response[response_id] = (mentioned, segment)
    return [
        core.DriverRow(score=scores[response_id], topics=frozenset(mentioned), segment=segment)
        for response_id, (mentioned, segment) in sorted(by_response.items())
    ]


def segment_labels(dimension: str | None, values: Sequence[str]) -> dict[str, str]:
    """Display labels of segment values (one query for channels and surveys)."""
    if dimension == "channel":
        from cxm.channels.models import Channel

        return {str(c.pk): str(c) for c in Channel.objects.filter(pk__in=values)}
    if dimension == "survey":
        from cxm.surveys.models import Survey

        return {str(s.pk): str(s) for s in Survey.objects.filter(pk__in=values)}
    if dimension == "language":
        from cxm.textanalytics.models import TextLanguage

        return {v: str(TextLanguage(v).label) if v in TextLanguage.values else v for v in values}
    if dimension == "source_kind":
        from cxm.textanalytics.models import SourceKind

        return {v: str(SourceKind(v).label) if v in SourceKind.values else v for v in values}
    return {}


def key_driver_report(
    *,
    metric: str,
    start: dt.date,
    end: dt.date,
    segment_by: str | None = None,
    segment: str | None = None,
) -> DriverReport:
    """Key drivers of `metric` in the period, over all rows or within one segment value."""
    rows = driver_rows(metric=metric, start=start, end=end, segment_by=segment_by)
    values = sorted({row.segment for row in rows if row.segment is not None}, key=str)
    labels = segment_labels(segment_by, [str(v) for v in values])
    if segment_by and segment:
        rows = [row for row in rows if row.segment == segment]
    result = core.key_drivers(rows, metric=metric)
    topics = Topic.objects.in_bulk([int(str(d.key)) for d in result.drivers])
    return DriverReport(
        result=result,
        topics=topics,
        segments=[(str(v), labels.get(str(v), str(v))) for v in values],
    )
