"""Writes to working calendars and their holidays.

Every write that changes a calendar's business time (week, time zone, a holiday) moves the
calendar's `updated_at`: the case SLA clock keys its compiled calendars on it.
"""

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import IO, Any

import holidays as holidays_lib
import icalendar
from django.db import transaction
from django.db.models import ProtectedError
from django.utils import timezone
from django.utils.translation import gettext as _

from cxm.common.exceptions import ApplicationError
from cxm.core.business_time import Calendar, CalendarError
from cxm.sla.error_codes import SlaErrorCode
from cxm.sla.models import Holiday, HolidaySource, WorkingCalendar

CALENDAR_FIELDS = ("name", "timezone", "week", "is_active")
#: Upload limits: a year of holidays is a few kB; refuse anything absurd before parsing.
MAX_ICS_BYTES = 2 * 1024 * 1024
MAX_JSON_BYTES = 1024 * 1024
MAX_EVENT_DAYS = 366
_NAME_LENGTH = Holiday._meta.get_field("name").max_length or 255


def _invalid(exc: CalendarError) -> ApplicationError:
    return ApplicationError(
        _("The calendar is not valid: %(error)s") % {"error": exc},
        code=SlaErrorCode.INVALID_CALENDAR,
    )


def _check(timezone_name: str, week: Any) -> dict[str, Any]:
    """The week normalised by the core; ApplicationError when invalid."""
    try:
        return Calendar.from_dict({"timezone": timezone_name, "week": week}).to_dict()["week"]
    except CalendarError as exc:
        raise _invalid(exc) from None


def _name_taken(name: str, exclude: int | None = None) -> bool:
    found = WorkingCalendar.objects.filter(name=name)
    if exclude is not None:
        found = found.exclude(pk=exclude)
    return found.exists()


def _touch(calendar: WorkingCalendar) -> None:
    calendar.updated_at = timezone.now()
    WorkingCalendar.objects.filter(pk=calendar.pk).update(updated_at=calendar.updated_at)


@transaction.atomic
def calendar_create(
    *, name: str, timezone: str, week: Mapping[str, Any], is_active: bool = True
) -> WorkingCalendar:
    if _name_taken(name):
        raise ApplicationError(
            _("A calendar named %(name)s already exists.") % {"name": name},
            code=SlaErrorCode.DUPLICATE_NAME,
        )
    calendar = WorkingCalendar(
        name=name, timezone=timezone, week=_check(timezone, week), is_active=is_active
    )
    calendar.full_clean()
    calendar.save()
    return calendar


@transaction.atomic
def calendar_update(*, calendar: WorkingCalendar, data: Mapping[str, Any]) -> WorkingCalendar:
    """Change the fields `data` names (of name, timezone, week, is_active)."""
    changed = []
    for field in CALENDAR_FIELDS:
        if field in data and getattr(calendar, field) != data[field]:
            setattr(calendar, field, data[field])
            changed.append(field)
    if "name" in changed and _name_taken(calendar.name, exclude=calendar.pk):
        raise ApplicationError(
            _("A calendar named %(name)s already exists.") % {"name": calendar.name},
            code=SlaErrorCode.DUPLICATE_NAME,
        )
    if changed:
        calendar.week = _check(calendar.timezone, calendar.week)
        calendar.full_clean()
        calendar.save(update_fields=[*set(changed) | {"week"}, "updated_at"])
    return calendar


@transaction.atomic
def calendar_delete(*, calendar: WorkingCalendar) -> None:
    """Delete a calendar and its holidays (refused while something protects it)."""
    try:
        calendar.delete()
    except ProtectedError:
        raise ApplicationError(
            _("The calendar is still in use (by an SLA policy) and cannot be deleted."),
            code=SlaErrorCode.IN_USE,
        ) from None


# --- holidays ------------------------------------------------------------------------------


@transaction.atomic
def holiday_add(
    *,
    calendar: WorkingCalendar,
    date: dt.date,
    name: str = "",
    source: str = HolidaySource.MANUAL,
) -> Holiday:
    if calendar.holidays.filter(date=date).exists():
        raise ApplicationError(
            _("%(date)s is already a holiday in this calendar.") % {"date": date.isoformat()},
            code=SlaErrorCode.DUPLICATE_HOLIDAY,
        )
    holiday = Holiday(calendar=calendar, date=date, name=name[:_NAME_LENGTH], source=source)
    holiday.full_clean()
    holiday.save()
    _touch(calendar)
    return holiday


@transaction.atomic
def holiday_update(*, holiday: Holiday, data: Mapping[str, Any]) -> Holiday:
    """Rename or move a holiday (`name`, `date`)."""
    changed = [f for f in ("date", "name") if f in data and getattr(holiday, f) != data[f]]
    if "date" in changed and (
        Holiday.objects.filter(calendar_id=holiday.calendar_id, date=data["date"])
        .exclude(pk=holiday.pk)
        .exists()
    ):
        raise ApplicationError(
            _("%(date)s is already a holiday in this calendar.")
            % {"date": data["date"].isoformat()},
            code=SlaErrorCode.DUPLICATE_HOLIDAY,
        )
    for field in changed:
        setattr(holiday, field, data[field])
    if changed:
        holiday.full_clean()
        holiday.save(update_fields=[*changed, "updated_at"])
        _touch(holiday.calendar)
    return holiday


@transaction.atomic
def holiday_delete(*, holiday: Holiday) -> None:
    calendar = holiday.calendar
    holiday.delete()
    _touch(calendar)


def _add_missing(
    calendar: WorkingCalendar, named: Mapping[dt.date, str], source: str
) -> list[Holiday]:
    """Insert the dates the calendar does not have yet; existing rows are left as edited."""
    existing = set(calendar.holidays.values_list("date", flat=True))
    new = [
        Holiday(calendar=calendar, date=day, name=name[:_NAME_LENGTH], source=source)
        for day, name in sorted(named.items())
        if day not in existing
    ]
    if new:
        Holiday.objects.bulk_create(new)
        _touch(calendar)
    return new


def official_countries() -> dict[str, str]:
    """Country codes with official holidays offered in the product, and their names."""
    return {"IR": _("Iran"), "HU": _("Hungary")}


@transaction.atomic
def holidays_load(
    *,
    calendar: WorkingCalendar,
    country: str,
    years: Iterable[int],
    between: tuple[dt.date, dt.date] | None = None,
) -> list[Holiday]:
    """Add a country's official holidays of `years` (Gregorian) from the `holidays` library.

    Names are in the country's own language where the library has it (Persian for Iran,
    Hungarian for Hungary); Iran's include the Jalali and the lunar (Hijri) holidays.
    Dates already in the calendar are kept as they are. `between` (inclusive) narrows the
    dates, e.g. to one Jalali year. Returns the holidays added.
    """
    code = country.upper()
    try:
        cls = holidays_lib.country_holidays(code).__class__
    except NotImplementedError:
        raise ApplicationError(
            _("There are no official holidays for country %(code)s.") % {"code": country},
            code=SlaErrorCode.UNKNOWN_COUNTRY,
        ) from None
    language = getattr(cls, "default_language", None)
    table = holidays_lib.country_holidays(code, years=sorted(set(years)), language=language)
    named = {
        day: str(name)
        for day, name in table.items()
        if between is None or between[0] <= day <= between[1]
    }
    return _add_missing(calendar, named, HolidaySource.LIBRARY)


@dataclass(frozen=True)
class IcsImport:
    added: list[Holiday]
    days: int  # all-day dates found in the file
    skipped_timed: int  # events with a time of day: not holidays


def _read_limited(stream: IO[bytes], limit: int, what: str) -> bytes:
    data = stream.read(limit + 1)
    if len(data) > limit:
        raise ApplicationError(
            _("The %(what)s file is larger than %(size)s kB.")
            % {"what": what, "size": limit // 1024},
            code=SlaErrorCode.BAD_ICS if what == "iCalendar" else SlaErrorCode.BAD_JSON,
        )
    return data


def _ics_error(reason: str) -> ApplicationError:
    return ApplicationError(
        _("The file is not a usable iCalendar (.ics) file: %(reason)s") % {"reason": reason},
        code=SlaErrorCode.BAD_ICS,
    )


def _ics_days(data: bytes) -> tuple[dict[dt.date, str], int]:
    """All-day dates of the VEVENTs in `data` with their summaries, and the timed ones."""
    try:
        parsed = icalendar.Calendar.from_ical(data)
    except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError …
        raise _ics_error(str(exc) or type(exc).__name__) from None
    events = parsed.walk("VEVENT") if isinstance(parsed, icalendar.Calendar) else []
    if parsed.name != "VCALENDAR":
        raise _ics_error(_("it does not start with BEGIN:VCALENDAR"))
    named: dict[dt.date, str] = {}
    timed = 0
    for event in events:
        start_prop = event.get("DTSTART")
        if start_prop is None:
            raise _ics_error(_("an event has no start date"))
        start = start_prop.dt
        if isinstance(start, dt.datetime):
            timed += 1
            continue
        end_prop = event.get("DTEND")
        if end_prop is not None:
            end = end_prop.dt
            end = end.date() if isinstance(end, dt.datetime) else end
        elif event.get("DURATION") is not None:
            end = start + event.get("DURATION").dt
        else:
            end = start + dt.timedelta(days=1)  # RFC 5545: an all-day event lasts one day
        days = max((end - start).days, 1)
        if days > MAX_EVENT_DAYS:
            raise _ics_error(
                _("the event on %(date)s lasts more than a year") % {"date": start.isoformat()}
            )
        summary = str(event.get("SUMMARY", "")).strip()
        for offset in range(days):
            day = start + dt.timedelta(days=offset)
            named[day] = f"{named[day]}; {summary}" if day in named and summary else summary
    return named, timed


@transaction.atomic
def holidays_import_ics(*, calendar: WorkingCalendar, stream: IO[bytes]) -> IcsImport:
    """Add the all-day events of an iCalendar file as holidays (multi-day events expand).

    Dates already in the calendar are kept. A file that cannot be read raises
    ApplicationError and nothing is written.
    """
    named, timed = _ics_days(_read_limited(stream, MAX_ICS_BYTES, "iCalendar"))
    added = _add_missing(calendar, named, HolidaySource.ICS)
    return IcsImport(added=added, days=len(named), skipped_timed=timed)


# --- the JSON calendar format --------------------------------------------------------------


def parse_calendar_json(stream: IO[bytes]) -> Calendar:
    """A calendar file in the product's JSON format; ApplicationError when unusable."""
    data = _read_limited(stream, MAX_JSON_BYTES, "JSON")
    try:
        content = json.loads(data.decode("utf-8-sig"))
    except UnicodeDecodeError:
        raise ApplicationError(
            _("The file is not UTF-8 text."), code=SlaErrorCode.BAD_JSON
        ) from None
    except json.JSONDecodeError as exc:
        raise ApplicationError(
            _("The file is not valid JSON: %(error)s (line %(line)s).")
            % {"error": exc.msg, "line": exc.lineno},
            code=SlaErrorCode.BAD_JSON,
        ) from None
    try:
        return Calendar.from_dict(content)
    except CalendarError as exc:
        raise _invalid(exc) from None


@transaction.atomic
def calendar_import(
    *, core: Calendar, name: str = "", calendar: WorkingCalendar | None = None
) -> WorkingCalendar:
    """Create calendar `name` from a core calendar, or make `calendar` equal to it.

    On an existing calendar, time zone and week are replaced and the holidays become the
    file's dates: names of dates kept stay, dates not in the file are removed. All or nothing.
    """
    week = core.to_dict()["week"]
    if calendar is None:
        calendar = calendar_create(name=name, timezone=core.timezone, week=week)
    else:
        calendar_update(calendar=calendar, data={"timezone": core.timezone, "week": week})
        calendar.holidays.exclude(date__in=core.holidays).delete()
    _add_missing(calendar, dict.fromkeys(core.holidays, ""), HolidaySource.MANUAL)
    _touch(calendar)
    return calendar
