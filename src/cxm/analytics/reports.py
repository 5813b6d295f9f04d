"""The weekly management report: which week, its figures, when a schedule is due, and the
sending that never sends a week twice.

The figures come from the dashboard's selectors over the DailyKpi rollups
(`selectors.rollup_sets`, `selectors.metric_result`, `selectors.goals_progress`); only the
number of new comments is counted from the answers (the rollups hold no text).
Weeks start on Saturday for Persian and Arabic readers, on Monday otherwise.
"""

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from django.core.mail import EmailMessage
from django.db.models import Q
from django.http import QueryDict
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from cxm.analytics import selectors
from cxm.analytics.models import ReportSchedule
from cxm.core import metrics

logger = logging.getLogger(__name__)

TREND_WEEKS = 8
SATURDAY_WEEK_LANGUAGES = {"fa", "ar"}
_DIFFERENCES = {
    "nps": metrics.nps_difference,
    "csat": metrics.csat_difference,
    "ces": metrics.ces_difference,
}


# ------------------------------------------------------------------------------ weeks


def week_start(day: dt.date, language: str) -> dt.date:
    """The first day of the week holding `day` (Saturday for fa/ar, Monday otherwise)."""
    first = 5 if language in SATURDAY_WEEK_LANGUAGES else 0
    return day - dt.timedelta(days=(day.weekday() - first) % 7)


def last_full_week(today: dt.date, language: str) -> dt.date:
    """The first day of the last week that has ended before `today`."""
    return week_start(today, language) - dt.timedelta(days=7)


def local_now(schedule: ReportSchedule, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()).astimezone(ZoneInfo(schedule.time_zone))


def due_at(schedule: ReportSchedule, now: dt.datetime | None = None) -> dt.datetime:
    """When this week's report is due: the schedule's weekday and hour in its time zone."""
    local = local_now(schedule, now)
    first = week_start(local.date(), schedule.language)
    day = first + dt.timedelta(days=(schedule.weekday - first.weekday()) % 7)
    return dt.datetime.combine(day, dt.time(schedule.hour), tzinfo=local.tzinfo)


def due_period(schedule: ReportSchedule, now: dt.datetime | None = None) -> dt.date | None:
    """The week (its first day) the schedule should send now, or None when not due:
    inactive, before this week's weekday and hour, or the last full week already sent."""
    if not schedule.active:
        return None
    local = local_now(schedule, now)
    if local < due_at(schedule, now):
        return None
    period = last_full_week(local.date(), schedule.language)
    if schedule.last_sent_period is not None and schedule.last_sent_period >= period:
        return None
    return period


# ---------------------------------------------------------------------------- figures


@dataclass
class KpiLine:
    metric: str
    current: metrics.MetricResult | None
    previous: metrics.MetricResult | None
    difference: metrics.Difference | None


@dataclass
class ChannelLine:
    label: str
    responses: int
    figures: dict[str, metrics.MetricResult]


@dataclass
class WeekPoint:
    start: dt.date
    nps: float | None
    n: int


@dataclass
class WeeklyReport:
    schedule_name: str
    language: str
    start: dt.date  # first day of the reported week
    end: dt.date  # its last day
    filters: selectors.DashboardFilters
    kpis: list[KpiLine]
    responses: int
    previous_responses: int
    channels: list[ChannelLine]
    goals: list[selectors.GoalProgress]
    trend: list[WeekPoint]
    new_comments: int
    filter_labels: list[tuple[str, str]]


def report_filters(
    schedule: ReportSchedule, start: dt.date, end: dt.date
) -> selectors.DashboardFilters:
    """The schedule's filters (its saved view, then its survey and channel) for a period."""
    base = selectors.DashboardFilters(start=start, end=end)
    if schedule.saved_view is not None:
        base = selectors.parse_filters(QueryDict(schedule.saved_view.query), today=end)
    filters = replace(base, start=start, end=end, bucket="week", errors=())
    if schedule.survey_id is not None:
        filters = replace(filters, survey=schedule.survey_id)
    if schedule.channel_id is not None:
        filters = replace(filters, channel=schedule.channel_id)
    return filters


def _by_scale(rows: Iterable[selectors.RollupRow]) -> tuple[dict[str, dict], int]:
    """Summed counts per metric and scale, and the responses, of rollup rows."""
    scales: dict[str, dict[int | None, tuple[int, ...]]] = defaultdict(dict)
    responses = 0
    for row in rows:
        if row.metric == "responses":
            responses += row.n
        elif row.metric in selectors.KPI_METRICS:
            old = scales[row.metric].get(row.scale_max, (0,) * 11)
            scales[row.metric][row.scale_max] = tuple(
                a + b for a, b in zip(old, row.counts, strict=True)
            )
    return scales, responses


def _figures(scales: dict[str, dict]) -> dict[str, metrics.MetricResult]:
    return {m: selectors.metric_result(m, scales[m]) for m in selectors.KPI_METRICS if m in scales}


def _day(value: object) -> dt.date:
    return dt.date.fromisoformat(value) if isinstance(value, str) else value  # type: ignore[return-value]


def weekly_report(schedule: ReportSchedule, start: dt.date) -> WeeklyReport:
    """The figures of the week starting `start` against the week before, with the last
    eight weeks' NPS. Two rollup queries, the goals' four, one count of comments."""
    end = start + dt.timedelta(days=6)
    week = report_filters(schedule, start, end)
    span = replace(week, start=start - dt.timedelta(days=7 * (TREND_WEEKS - 1)))
    wanted = (*selectors.KPI_METRICS, "responses")
    by_day = selectors.rollup_sets(span, [("day",)], metrics_wanted=wanted)[0]
    by_channel = selectors.rollup_sets(week, [("channel_id",)], metrics_wanted=wanted)[0]

    weeks: dict[dt.date, list[selectors.RollupRow]] = defaultdict(list)
    for row in by_day:
        offset = (_day(row.key[0]) - span.start).days // 7
        first = span.start + dt.timedelta(days=7 * offset)
        weeks[first].append(row)
    trend = []
    for i in range(TREND_WEEKS):
        first = span.start + dt.timedelta(days=7 * i)
        scales, n = _by_scale(weeks.get(first, []))
        nps = selectors.metric_result("nps", scales["nps"]) if "nps" in scales else None
        trend.append(WeekPoint(first, nps.value if nps else None, nps.n if nps else 0))

    current_scales, responses = _by_scale(weeks.get(start, []))
    previous_scales, previous_responses = _by_scale(weeks.get(start - dt.timedelta(days=7), []))
    current, previous = _figures(current_scales), _figures(previous_scales)
    kpis = []
    for metric in selectors.KPI_METRICS:
        a, b = current.get(metric), previous.get(metric)
        difference = _DIFFERENCES[metric](a, b) if a is not None and b is not None else None  # type: ignore[operator]
        kpis.append(KpiLine(metric, a, b, difference))

    options = selectors.filter_options()
    channel_groups: dict[object, list[selectors.RollupRow]] = defaultdict(list)
    for row in by_channel:
        channel_groups[row.key[0]].append(row)
    channels = []
    for key, rows in channel_groups.items():
        scales, n = _by_scale(rows)
        channels.append(ChannelLine(options.label("channel", key), n, _figures(scales)))
    channels.sort(key=lambda c: (-c.responses, c.label))

    labels = []
    for name in ("survey", "channel", "touchpoint", "stage", "team", "segment"):
        if (value := getattr(week, name)) is not None:
            labels.append((name, options.label(name, value)))
    return WeeklyReport(
        schedule_name=schedule.name,
        language=schedule.language,
        start=start,
        end=end,
        filters=week,
        kpis=kpis,
        responses=responses,
        previous_responses=previous_responses,
        channels=channels,
        goals=selectors.goals_progress(week),
        trend=trend,
        new_comments=selectors.text_answers(week).count(),
        filter_labels=labels,
    )


# ---------------------------------------------------------------------------- sending


def report_filename(schedule: ReportSchedule, start: dt.date) -> str:
    return f"cx-report-{start.isoformat()}.pdf"


def report_pdf(schedule: ReportSchedule, start: dt.date) -> bytes:
    """The PDF of the week starting `start`, in the schedule's language."""
    from cxm.analytics.report_pdf import render_report

    with translation.override(schedule.language):
        return render_report(weekly_report(schedule, start))


def report_email(schedule: ReportSchedule, start: dt.date) -> EmailMessage:
    """The e-mail with the week's PDF attached (the project's e-mail settings send it)."""
    pdf = report_pdf(schedule, start)
    with translation.override(schedule.language):
        from cxm.analytics.report_pdf import format_day

        subject = _("%(name)s: customer experience, week of %(date)s") % {
            "name": schedule.name,
            "date": format_day(start, schedule.language),
        }
        body = _(
            "The weekly customer experience report is attached: NPS, CSAT and CES of the "
            "week against the week before, the goals, the channels and the last eight weeks."
        )
    message = EmailMessage(subject=subject, body=body, to=schedule.recipient_list())
    message.attach(report_filename(schedule, start), pdf, "application/pdf")
    return message


def report_send(*, schedule: ReportSchedule, start: dt.date) -> None:
    """Build and send the report of one week now (also for “send now”)."""
    report_email(schedule, start).send(fail_silently=False)
    logger.info("Report %s sent for the week of %s", schedule.pk, start)


def report_send_if_due(*, schedule: ReportSchedule, now: dt.datetime | None = None) -> bool:
    """Send the schedule's report when it is due; True when this call sent it.

    The week is claimed first with a conditional UPDATE (only one worker's UPDATE matches),
    and released again if building or sending fails, so the next run retries.
    """
    period = due_period(schedule, now)
    if period is None:
        return False
    claimed = (
        ReportSchedule.objects.filter(pk=schedule.pk, active=True)
        .filter(Q(last_sent_period__isnull=True) | Q(last_sent_period__lt=period))
        .update(last_sent_period=period)
    )
    if not claimed:
        return False
    try:
        report_send(schedule=schedule, start=period)
    except Exception:
        ReportSchedule.objects.filter(pk=schedule.pk, last_sent_period=period).update(
            last_sent_period=schedule.last_sent_period
        )
        raise
    schedule.last_sent_period = period
    return True


def reports_send_due(*, now: dt.datetime | None = None) -> list[int]:
    """Send every active schedule's due report; the ids sent. A failing schedule is logged
    and does not stop the others."""
    sent = []
    for schedule in ReportSchedule.objects.filter(active=True).select_related("saved_view"):
        try:
            if report_send_if_due(schedule=schedule, now=now):
                sent.append(schedule.pk)
        except Exception:
            logger.exception("Report %s could not be sent", schedule.pk)
    return sent


def preview_period(schedule: ReportSchedule, now: dt.datetime | None = None) -> dt.date:
    """The last full week in the schedule's time zone (what “download” and “send now” use)."""
    return last_full_week(local_now(schedule, now).date(), schedule.language)
