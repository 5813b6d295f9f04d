"""Working calendars and holidays: validation by the core, official holidays from the
`holidays` library, iCalendar and JSON imports (all or nothing), and the calendar version
(`updated_at`) that the case SLA clock keys its cache on."""

import datetime as dt
import io
import json

import holidays
import pytest
from django.core.exceptions import ValidationError

from cxm.common.exceptions import ApplicationError
from cxm.core.business_time import Calendar, add_business_minutes
from cxm.sla import services
from cxm.sla.demo import BUDAPEST_OFFICE, TEHRAN_OFFICE, load_demo_calendars
from cxm.sla.models import Holiday, HolidaySource, WorkingCalendar
from cxm.sla.tests.factories import OFFICE_WEEK, WorkingCalendarFactory

pytestmark = pytest.mark.django_db


def test_holidays_library_has_nowruz_and_lunar_holidays():
    iran = holidays.country_holidays("IR", years=2026)
    for day in range(21, 25):  # 1–4 Farvardin 1405
        assert dt.date(2026, 3, day) in iran
    assert dt.date(2026, 6, 25) in iran  # Ashura 1448, a lunar (Hijri) holiday


def test_create_normalises_the_week_and_to_core_includes_holidays():
    calendar = services.calendar_create(
        name="Tehran", timezone="Asia/Tehran", week={"thu": [["08:00", "13:00"]]}
    )
    assert list(calendar.week) == ["sat", "sun", "mon", "tue", "wed", "thu", "fri"]
    services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 26), name="test")
    core = calendar.to_core()
    assert isinstance(core, Calendar) and core.holidays == {dt.date(2026, 3, 26)}
    # Thursday 26 March is a holiday: the next Thursday it is.
    deadline = add_business_minutes(dt.datetime(2026, 3, 26, 8), 60, core)
    assert deadline.isoformat() == "2026-04-02T09:00:00+03:30"


@pytest.mark.parametrize(
    ("timezone", "week", "words"),
    [
        ("Asia/Tehran", {"sat": [["16:00", "08:00"]]}, "overnight"),
        ("Asia/Tehran", {"sat": [["8am", "16:00"]]}, "'8am'"),
        ("Asia/Tehran", {}, "no working time"),
        ("Nowhere/City", OFFICE_WEEK, "unknown time zone"),
    ],
)
def test_invalid_calendars_are_refused(timezone, week, words):
    with pytest.raises(ApplicationError, match=words):
        services.calendar_create(name="Bad", timezone=timezone, week=week)
    assert not WorkingCalendar.objects.exists()
    model = WorkingCalendar(name="Bad", timezone=timezone, week=week)
    with pytest.raises(ValidationError):
        model.full_clean()


def test_duplicate_names_and_holidays():
    calendar = WorkingCalendarFactory.create(name="Office")
    with pytest.raises(ApplicationError, match="already exists"):
        services.calendar_create(name="Office", timezone="UTC", week=OFFICE_WEEK)
    services.holiday_add(calendar=calendar, date=dt.date(2026, 1, 1))
    with pytest.raises(ApplicationError, match="already a holiday"):
        services.holiday_add(calendar=calendar, date=dt.date(2026, 1, 1))


def test_holiday_changes_move_the_calendar_version():
    calendar = WorkingCalendarFactory.create()
    before = WorkingCalendar.objects.get(pk=calendar.pk).updated_at
    holiday = services.holiday_add(calendar=calendar, date=dt.date(2026, 5, 1))
    after_add = WorkingCalendar.objects.get(pk=calendar.pk).updated_at
    assert after_add > before
    services.holiday_delete(holiday=holiday)
    assert WorkingCalendar.objects.get(pk=calendar.pk).updated_at > after_add


def test_load_official_iranian_holidays_in_persian_without_duplicates():
    calendar = WorkingCalendarFactory.create()
    mine = services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 21), name="My Nowruz")
    added = services.holidays_load(calendar=calendar, country="IR", years=[2026])
    dates = {h.date for h in added}
    assert {dt.date(2026, 3, d) for d in (22, 23, 24)} <= dates
    assert dt.date(2026, 3, 21) not in dates  # already there, kept as edited
    mine.refresh_from_db()
    assert mine.name == "My Nowruz" and mine.source == HolidaySource.MANUAL
    nowruz = Holiday.objects.get(calendar=calendar, date=dt.date(2026, 3, 23))
    assert "نوروز" in nowruz.name and nowruz.source == HolidaySource.LIBRARY
    assert services.holidays_load(calendar=calendar, country="IR", years=[2026]) == []


def test_load_hungarian_holidays_for_a_date_range():
    calendar = WorkingCalendarFactory.create(timezone="Europe/Budapest")
    between = (dt.date(2026, 1, 1), dt.date(2026, 3, 31))
    added = services.holidays_load(calendar=calendar, country="hu", years=[2026], between=between)
    assert {h.date for h in added} >= {dt.date(2026, 1, 1), dt.date(2026, 3, 15)}
    assert all(h.date <= between[1] for h in added)
    assert Holiday.objects.get(calendar=calendar, date=dt.date(2026, 1, 1)).name == "Újév"
    with pytest.raises(ApplicationError, match="XX"):
        services.holidays_load(calendar=calendar, country="XX", years=[2026])


ICS = b"""BEGIN:VCALENDAR
VERSION:2.0
PRODID:-//test//EN
BEGIN:VEVENT
UID:1
DTSTART;VALUE=DATE:20260321
DTEND;VALUE=DATE:20260325
SUMMARY:Nowruz
END:VEVENT
BEGIN:VEVENT
UID:2
DTSTART;VALUE=DATE:20260401
SUMMARY:Islamic Republic Day
END:VEVENT
BEGIN:VEVENT
UID:3
DTSTART:20260402T090000Z
DTEND:20260402T100000Z
SUMMARY:A meeting
END:VEVENT
END:VCALENDAR
"""


def test_ics_import_expands_all_day_events_and_skips_timed_ones():
    calendar = WorkingCalendarFactory.create()
    services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 21), name="kept")
    result = services.holidays_import_ics(calendar=calendar, stream=io.BytesIO(ICS))
    assert result.days == 5 and result.skipped_timed == 1
    assert [h.date.isoformat() for h in result.added] == [
        "2026-03-22",
        "2026-03-23",
        "2026-03-24",
        "2026-04-01",
    ]
    assert all(h.source == HolidaySource.ICS for h in result.added)
    assert Holiday.objects.get(calendar=calendar, date=dt.date(2026, 3, 21)).name == "kept"


@pytest.mark.parametrize(
    "data",
    [
        b"not a calendar",
        b"",
        ICS.replace(b"DTSTART;VALUE=DATE:20260401\n", b""),  # an event without start
        b"\xff\xfe garbage",
        ICS.replace(b"20260325", b"20280325"),  # a "holiday" of two years
    ],
)
def test_bad_ics_files_write_nothing(data):
    calendar = WorkingCalendarFactory.create()
    with pytest.raises(ApplicationError) as raised:
        services.holidays_import_ics(calendar=calendar, stream=io.BytesIO(data))
    assert raised.value.code == "bad_ics"
    assert not Holiday.objects.exists()


def calendar_file(**changes) -> io.BytesIO:
    data = {"timezone": "Asia/Tehran", "week": OFFICE_WEEK, "holidays": ["2026-03-21"]}
    data.update(changes)
    return io.BytesIO(json.dumps(data).encode())


def test_json_import_creates_and_replaces_and_round_trips():
    core = services.parse_calendar_json(calendar_file())
    calendar = services.calendar_import(core=core, name="Imported")
    assert calendar.export_dict() == {
        "timezone": "Asia/Tehran",
        "week": OFFICE_WEEK,
        "holidays": ["2026-03-21"],
    }
    services.holiday_add(calendar=calendar, date=dt.date(2026, 3, 22), name="Nowruz 2")
    new = services.parse_calendar_json(
        calendar_file(timezone="Europe/Budapest", holidays=["2026-03-22", "2026-03-15"])
    )
    services.calendar_import(core=new, calendar=calendar)
    calendar.refresh_from_db()
    assert calendar.timezone == "Europe/Budapest"
    assert calendar.export_dict()["holidays"] == ["2026-03-15", "2026-03-22"]
    assert Holiday.objects.get(calendar=calendar, date=dt.date(2026, 3, 22)).name == "Nowruz 2"


@pytest.mark.parametrize(
    ("stream", "message"),
    [
        (io.BytesIO(b"{oops"), "not valid JSON"),
        (io.BytesIO(b"\xff\xfe"), "not UTF-8"),
        (calendar_file(holidays=["2026-02-30"]), "2026-02-30"),
        (calendar_file(week={"sat": [["09:00", "08:00"]]}), "overnight"),
        (calendar_file(timezone="Tehran"), "unknown time zone"),
    ],
)
def test_bad_json_imports_write_nothing(stream, message):
    with pytest.raises(ApplicationError, match=message):
        services.parse_calendar_json(stream)
    assert not WorkingCalendar.objects.exists()


def test_import_into_a_taken_name_changes_nothing():
    WorkingCalendarFactory.create(name="Taken")
    core = services.parse_calendar_json(calendar_file())
    with pytest.raises(ApplicationError, match="already exists"):
        services.calendar_import(core=core, name="Taken")
    assert WorkingCalendar.objects.count() == 1 and not Holiday.objects.exists()


def test_demo_calendars_are_loaded_once():
    created = load_demo_calendars(today=dt.date(2026, 5, 1))  # Jalali 1405
    assert [c.name for c in created] == [TEHRAN_OFFICE, BUDAPEST_OFFICE]
    tehran = WorkingCalendar.objects.get(name=TEHRAN_OFFICE)
    dates = set(tehran.holidays.values_list("date", flat=True))
    assert dt.date(2026, 3, 21) in dates and dt.date(2027, 3, 21) in dates  # 1405 and 1406
    assert min(dates) >= dt.date(2026, 3, 21) and max(dates) <= dt.date(2028, 3, 19)
    assert tehran.week["fri"] == [] and tehran.week["thu"] == [["08:00", "13:00"]]
    budapest = WorkingCalendar.objects.get(name=BUDAPEST_OFFICE)
    assert budapest.timezone == "Europe/Budapest" and budapest.week["sat"] == []
    assert budapest.holidays.filter(date=dt.date(2026, 3, 15)).exists()
    count = Holiday.objects.count()
    assert load_demo_calendars(today=dt.date(2026, 5, 1)) == []
    assert Holiday.objects.count() == count
