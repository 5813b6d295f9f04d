"""Reads of working calendars."""

import datetime as dt

from django.db.models import Count, QuerySet

from cxm.sla.models import Holiday, WorkingCalendar


def calendar_list() -> QuerySet[WorkingCalendar]:
    """Calendars with `holiday_count` (one query)."""
    return WorkingCalendar.objects.annotate(holiday_count=Count("holidays")).order_by("name", "id")


def calendar_holidays(
    *, calendar: WorkingCalendar, year_from: dt.date | None = None
) -> QuerySet[Holiday]:
    """The calendar's holidays by date, from `year_from` on when given."""
    holidays = Holiday.objects.filter(calendar=calendar).order_by("date")
    if year_from is not None:
        holidays = holidays.filter(date__gte=year_from)
    return holidays
