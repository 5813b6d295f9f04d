"""Demo working calendars: the Tehran office (Iranian week and official holidays of the
current and the next Jalali year) and the Budapest office (Hungarian holidays).

`load_demo_calendars` is idempotent: a calendar whose name already exists is left alone.
"""

import datetime as dt

import jdatetime
from django.db import transaction
from django.utils import timezone

from cxm.sla import services
from cxm.sla.models import WorkingCalendar

TEHRAN_OFFICE = "Tehran office"
BUDAPEST_OFFICE = "Budapest office"


def _jalali_years(today: dt.date) -> tuple[list[int], tuple[dt.date, dt.date]]:
    """Gregorian years and the dates covering this Jalali year and the next."""
    year = jdatetime.date.fromgregorian(date=today).year
    first = jdatetime.date(year, 1, 1).togregorian()
    last = jdatetime.date(year + 2, 1, 1).togregorian() - dt.timedelta(days=1)
    return list(range(first.year, last.year + 1)), (first, last)


@transaction.atomic
def load_demo_calendars(today: dt.date | None = None) -> list[WorkingCalendar]:
    """Create the two demo calendars that are missing; returns those created."""
    today = today or timezone.localdate()
    created = []
    if not WorkingCalendar.objects.filter(name=TEHRAN_OFFICE).exists():
        day = [["08:00", "16:00"]]
        tehran = services.calendar_create(
            name=TEHRAN_OFFICE,
            timezone="Asia/Tehran",
            week={
                "sat": day,
                "sun": day,
                "mon": day,
                "tue": day,
                "wed": day,
                "thu": [["08:00", "13:00"]],
                "fri": [],
            },
        )
        years, between = _jalali_years(today)
        services.holidays_load(calendar=tehran, country="IR", years=years, between=between)
        created.append(tehran)
    if not WorkingCalendar.objects.filter(name=BUDAPEST_OFFICE).exists():
        day = [["09:00", "17:00"]]
        budapest = services.calendar_create(
            name=BUDAPEST_OFFICE,
            timezone="Europe/Budapest",
            week={key: day for key in ("mon", "tue", "wed", "thu", "fri")},
        )
        services.holidays_load(calendar=budapest, country="HU", years=[today.year, today.year + 1])
        created.append(budapest)
    return created
