"""Background tasks of the dashboard (django-tasks): the scheduled weekly PDF reports.

`send_due_reports` is a periodic job (registered in AnalyticsConfig.ready(), enqueued by
`cxm scheduler`); `send_report_now` serves the “send now” button.
"""

import datetime as dt

from django_tasks import task

from cxm.analytics import reports
from cxm.analytics.models import ReportSchedule

SEND_DUE_REPORTS_EVERY = dt.timedelta(minutes=15)


@task()
def send_due_reports() -> list[int]:
    """E-mail each active schedule's report whose weekday and hour have passed this week
    and whose last full week was not sent yet; returns the schedule ids sent."""
    return reports.reports_send_due()


@task()
def send_report_now(schedule_id: int, week_start: str) -> bool:
    """E-mail one schedule's report of the week starting `week_start` (ISO date)."""
    schedule = ReportSchedule.objects.select_related("saved_view").filter(pk=schedule_id).first()
    if schedule is None:
        return False
    reports.report_send(schedule=schedule, start=dt.date.fromisoformat(week_start))
    return True
