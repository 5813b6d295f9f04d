"""Business time: deadlines and elapsed business minutes on working calendars, checked by hand
against the calendars of the Tehran and Budapest offices (Nowruz, Iranian Fridays, Hungarian
weekends, Budapest's DST days, Tehran's 2021 DST and its abolition in 2022), and against an
independent brute force: a walk over every UTC minute asking zoneinfo for the local time.
"""

import datetime as dt
import random
import time
from zoneinfo import ZoneInfo

import pytest

from cxm.core.business_time import (
    WEEKDAYS,
    Calendar,
    CalendarError,
    add_business_minutes,
    business_minutes_between,
    parse_day_text,
    sla_clock,
)

UTC = dt.UTC
TEHRAN = ZoneInfo("Asia/Tehran")
BUDAPEST = ZoneInfo("Europe/Budapest")
NOWRUZ_1405 = ["2026-03-20", "2026-03-21", "2026-03-22", "2026-03-23", "2026-03-24"]


def tehran_office(holidays: list[str] | None = None) -> Calendar:
    day = [["08:00", "16:00"]]
    return Calendar.from_dict(
        {
            "timezone": "Asia/Tehran",
            "week": {
                "sat": day,
                "sun": day,
                "mon": day,
                "tue": day,
                "wed": day,
                "thu": [["08:00", "13:00"]],
                "fri": [],
            },
            "holidays": holidays or [],
        }
    )


def budapest_office(holidays: list[str] | None = None) -> Calendar:
    day = [["09:00", "17:00"]]
    week = {key: day for key in ("mon", "tue", "wed", "thu", "fri")}
    return Calendar.from_dict(
        {"timezone": "Europe/Budapest", "week": week, "holidays": holidays or []}
    )


def local(zone: ZoneInfo, *args: int) -> dt.datetime:
    return dt.datetime(*args).replace(tzinfo=zone)  # type: ignore[arg-type]


# --- the calendar format -------------------------------------------------------------------


def test_round_trip_of_the_calendar_format():
    data = {
        "timezone": "Asia/Tehran",
        "week": {
            "sat": [["08:00", "12:00"], ["13:00", "16:00"]],
            "sun": [["08:00", "16:00"]],
            "mon": [["22:00", "24:00"]],
            "tue": [["00:00", "06:00"]],
            "wed": [],
            "thu": [["08:00", "13:00"]],
            "fri": [],
        },
        "holidays": ["2026-03-20", "2026-03-21"],
    }
    cal = Calendar.from_dict(data)
    assert cal.to_dict() == data
    assert Calendar.from_dict(cal.to_dict()) == cal
    assert list(cal.to_dict()["week"]) == list(WEEKDAYS)
    assert cal.weekly_minutes() == 7 * 60 + 8 * 60 + 2 * 60 + 6 * 60 + 5 * 60


def test_missing_weekdays_are_days_off_and_holidays_are_optional():
    cal = Calendar.from_dict({"timezone": "UTC", "week": {"mon": [["09:00", "10:00"]]}})
    assert cal.to_dict()["week"]["fri"] == []
    assert cal.holidays == frozenset()


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"timezone": "Mars/Olympus"}, ["unknown time zone", "Mars/Olympus"]),
        ({"timezone": ""}, ["no time zone"]),
        ({"timezone": None}, ["no time zone"]),
        ({"week": {"sat": [["8am", "16:00"]]}}, ["'8am'", "sat", "HH:MM"]),
        ({"week": {"sun": [["08:00", "25:00"]]}}, ["'25:00'", "sun"]),
        ({"week": {"sun": [["08:60", "12:00"]]}}, ["'08:60'", "sun"]),
        ({"week": {"sun": [["24:00", "24:00"]]}}, ["24:00", "sun", "only end"]),
        (
            {"week": {"mon": [["22:00", "06:00"]]}},
            ["22:00–06:00", "mon", "ends before it starts", '["22:00", "24:00"]', "next"],
        ),
        ({"week": {"mon": [["09:00", "09:00"]]}}, ["09:00–09:00", "mon", "ends before"]),
        (
            {"week": {"tue": [["08:00", "12:00"], ["11:00", "16:00"]]}},
            ["08:00–12:00", "11:00–16:00", "tue", "overlap"],
        ),
        ({"week": {"sat": [["08:00", "16:00"]], "saturday": []}}, ["unknown weekday", "saturday"]),
        ({"week": {"sat": [["08:00"]]}}, ["sat", "not an interval"]),
        ({"week": {"sat": "08:00-16:00"}}, ["sat", "list"]),
        ({"week": None}, ["week"]),
        ({"week": {"sat": [], "fri": []}}, ["no working time"]),
        ({"holidays": ["2026-02-30"]}, ["2026-02-30", "not a real date"]),
        ({"holidays": ["21/03/2026"]}, ["21/03/2026", "YYYY-MM-DD"]),
        ({"holidays": ["20260321"]}, ["20260321"]),
        ({"holidays": "2026-03-21"}, ["holidays", "list"]),
    ],
)
def test_bad_calendars_are_refused_with_a_clear_message(change, words):
    data = {"timezone": "Asia/Tehran", "week": {"sat": [["08:00", "16:00"]]}, "holidays": []}
    data.update(change)
    with pytest.raises(CalendarError) as raised:
        Calendar.from_dict(data)
    for word in words:
        assert word in str(raised.value)
    assert isinstance(raised.value, ValueError)


def test_touching_intervals_are_allowed():
    cal = Calendar.from_dict(
        {"timezone": "UTC", "week": {"mon": [["12:00", "16:00"], ["08:00", "12:00"]]}}
    )
    assert cal.to_dict()["week"]["mon"] == [["08:00", "12:00"], ["12:00", "16:00"]]
    start = dt.datetime(2026, 1, 5, 8)  # a Monday
    assert add_business_minutes(start, 480, cal) == dt.datetime(2026, 1, 5, 16, tzinfo=UTC)


def test_direct_construction_is_validated_too():
    with pytest.raises(CalendarError, match="overlap"):
        Calendar("UTC", {"mon": ((60, 120), (90, 180))})
    with pytest.raises(CalendarError, match="unknown weekday"):
        Calendar("UTC", {"monday": ((60, 120),)})


def test_parse_day_text_of_the_week_editor():
    assert parse_day_text("08:00-12:00, 13:00 – 16:00") == [
        ["08:00", "12:00"],
        ["13:00", "16:00"],
    ]
    assert parse_day_text("  ") == []
    with pytest.raises(CalendarError, match="not an interval"):
        parse_day_text("08:00", day="sat")


# --- deadlines -----------------------------------------------------------------------------


def test_deadline_across_nowruz_and_a_friday():
    cal = tehran_office(NOWRUZ_1405)
    # Friday 2026-03-20 (day off and holiday), then Nowruz 1–4 Farvardin (21–24 March).
    deadline = add_business_minutes(dt.datetime(2026, 3, 20, 9), 150, cal)
    assert deadline == local(TEHRAN, 2026, 3, 25, 10, 30)
    assert deadline.isoformat() == "2026-03-25T10:30:00+03:30"
    assert deadline.tzinfo is not None and deadline.utcoffset() == dt.timedelta(hours=3.5)


def test_deadline_on_an_interval_end_stays_there():
    cal = tehran_office()
    start = dt.datetime(2026, 4, 4, 8)  # Saturday
    assert add_business_minutes(start, 480, cal) == local(TEHRAN, 2026, 4, 4, 16)
    assert add_business_minutes(start, 481, cal) == local(TEHRAN, 2026, 4, 5, 8, 1)
    # Thursday ends at 13:00, Friday is off: the next minute is Saturday morning.
    thursday = dt.datetime(2026, 4, 9, 12)
    assert add_business_minutes(thursday, 60, cal) == local(TEHRAN, 2026, 4, 9, 13)
    assert add_business_minutes(thursday, 61, cal) == local(TEHRAN, 2026, 4, 11, 8, 1)


def test_zero_minutes_returns_the_start_even_out_of_hours():
    cal = tehran_office()
    start = dt.datetime(2026, 4, 10, 22, 15)  # a Friday night
    assert add_business_minutes(start, 0, cal) == local(TEHRAN, 2026, 4, 10, 22, 15)
    assert business_minutes_between(start, start, cal) == 0


def test_start_outside_hours_or_on_a_holiday_counts_from_the_next_opening():
    cal = tehran_office(NOWRUZ_1405)
    assert add_business_minutes(dt.datetime(2026, 3, 22, 11), 30, cal) == local(
        TEHRAN, 2026, 3, 25, 8, 30
    )
    assert add_business_minutes(dt.datetime(2026, 4, 4, 6), 30, cal) == local(
        TEHRAN, 2026, 4, 4, 8, 30
    )
    assert add_business_minutes(dt.datetime(2026, 4, 4, 17), 30, cal) == local(
        TEHRAN, 2026, 4, 5, 8, 30
    )


def test_an_aware_utc_start_is_converted_to_the_calendar_zone():
    cal = tehran_office()
    start = dt.datetime(2026, 4, 4, 5, 0, tzinfo=UTC)  # 08:30 in Tehran, a Saturday
    deadline = add_business_minutes(start, 60, cal)
    assert deadline == local(TEHRAN, 2026, 4, 4, 9, 30)
    assert deadline.tzinfo == TEHRAN
    # 12:00 UTC is 15:30 in Tehran: 30 minutes left on Saturday, 30 more on Sunday.
    late = dt.datetime(2026, 4, 4, 12, 0, tzinfo=UTC)
    assert add_business_minutes(late, 60, cal) == local(TEHRAN, 2026, 4, 5, 8, 30)


def test_hungarian_weekend_and_holiday():
    cal = budapest_office(["2026-04-06"])  # Easter Monday
    friday = dt.datetime(2026, 4, 3, 16)
    assert add_business_minutes(friday, 120, cal) == local(BUDAPEST, 2026, 4, 7, 10)
    assert business_minutes_between(friday, dt.datetime(2026, 4, 7, 10), cal) == 120


def test_fractional_minutes_and_bad_minutes():
    cal = budapest_office()
    start = dt.datetime(2026, 1, 5, 9)
    assert add_business_minutes(start, 0.5, cal) == local(BUDAPEST, 2026, 1, 5, 9, 0, 30)
    for bad in (-1, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="minutes"):
            add_business_minutes(start, bad, cal)


# --- overnight, daylight saving, historical zone rules -------------------------------------


def test_overnight_shift_across_midnight_is_continuous():
    cal = Calendar.from_dict(
        {
            "timezone": "Asia/Tehran",
            "week": {"sat": [["22:00", "24:00"]], "sun": [["00:00", "06:00"]]},
        }
    )
    start = dt.datetime(2026, 4, 4, 23)  # Saturday 23:00
    assert add_business_minutes(start, 60, cal) == local(TEHRAN, 2026, 4, 5, 0, 0)
    assert add_business_minutes(start, 61, cal) == local(TEHRAN, 2026, 4, 5, 0, 1)
    assert add_business_minutes(start, 420, cal) == local(TEHRAN, 2026, 4, 5, 6, 0)
    assert add_business_minutes(start, 421, cal) == local(TEHRAN, 2026, 4, 11, 22, 1)
    assert business_minutes_between(start, dt.datetime(2026, 4, 5, 3), cal) == 240


@pytest.mark.parametrize(
    ("day", "real_minutes"),
    [((2026, 3, 29), 120), ((2026, 10, 25), 240), ((2026, 3, 22), 180)],
)
def test_budapest_dst_days_count_real_minutes(day, real_minutes):
    cal = Calendar.from_dict({"timezone": "Europe/Budapest", "week": {"sun": [["01:00", "04:00"]]}})
    begin = dt.datetime(*day)
    assert business_minutes_between(begin, begin + dt.timedelta(days=1), cal) == real_minutes
    deadline = add_business_minutes(begin, real_minutes, cal)
    assert deadline == local(BUDAPEST, *day, 4, 0)
    # In the repeated hour, == between zones is False by PEP 495: compare in UTC.
    assert add_business_minutes(begin, 90, cal).astimezone(UTC) == (
        local(BUDAPEST, *day, 1, 0).astimezone(UTC) + dt.timedelta(minutes=90)
    )


def test_a_nonexistent_wall_time_maps_to_the_jump():
    # 02:00–03:00 does not exist on 2026-03-29 in Budapest: work 02:30–05:00 starts at 03:00.
    cal = Calendar.from_dict({"timezone": "Europe/Budapest", "week": {"sun": [["02:30", "05:00"]]}})
    begin = dt.datetime(2026, 3, 29)
    assert business_minutes_between(begin, begin + dt.timedelta(days=1), cal) == 120
    assert add_business_minutes(begin, 1, cal) == local(BUDAPEST, 2026, 3, 29, 3, 1)
    # A naive start inside the gap is read forward as well.
    assert add_business_minutes(dt.datetime(2026, 3, 29, 2, 30), 0, cal).hour == 3


def test_tehran_had_dst_in_2021_and_none_in_2023():
    cal = tehran_office()
    # Saturday 8:00 in summer: +04:30 in 2021, +03:30 in 2023 (DST abolished in 2022).
    summer_2021 = add_business_minutes(dt.datetime(2021, 7, 3, 8), 60, cal)
    summer_2023 = add_business_minutes(dt.datetime(2023, 7, 1, 8), 60, cal)
    assert summer_2021.isoformat() == "2021-07-03T09:00:00+04:30"
    assert summer_2023.isoformat() == "2023-07-01T09:00:00+03:30"
    # An aware UTC start at 04:00 is 08:30 local in 2021 and 07:30 (before opening) in 2023.
    assert add_business_minutes(dt.datetime(2021, 7, 3, 4, tzinfo=UTC), 30, cal) == local(
        TEHRAN, 2021, 7, 3, 9, 0
    )
    assert add_business_minutes(dt.datetime(2023, 7, 1, 4, tzinfo=UTC), 30, cal) == local(
        TEHRAN, 2023, 7, 1, 8, 30
    )
    # Clocks went back at midnight ending 30 Shahrivar 1400 (2021-09-21): 23:00–24:00 twice.
    night = Calendar.from_dict({"timezone": "Asia/Tehran", "week": {"tue": [["22:00", "24:00"]]}})
    tuesday = dt.datetime(2021, 9, 21)
    assert business_minutes_between(tuesday, tuesday + dt.timedelta(days=1), night) == 180
    tuesday_2023 = dt.datetime(2023, 9, 19)
    assert business_minutes_between(tuesday_2023, tuesday_2023 + dt.timedelta(days=1), night) == 120


# --- elapsed time and pauses ---------------------------------------------------------------


def test_elapsed_over_a_working_week():
    cal = tehran_office(NOWRUZ_1405)
    start, end = dt.datetime(2026, 3, 18, 12), dt.datetime(2026, 3, 28, 12)
    # Wed 240 + Thu 300, Fri–Tue off (Nowruz), Wed 480 + Thu 300, Fri off, Sat 240.
    assert business_minutes_between(start, end, cal) == 240 + 300 + 480 + 300 + 240
    assert business_minutes_between(end, start, cal) == 0


def test_pauses_overlapping_open_ended_and_outside():
    cal = budapest_office()
    start, end = dt.datetime(2026, 1, 5, 9), dt.datetime(2026, 1, 5, 17)  # Monday, 480
    pauses = [
        (dt.datetime(2026, 1, 5, 10), dt.datetime(2026, 1, 5, 11)),
        (dt.datetime(2026, 1, 5, 10, 30), dt.datetime(2026, 1, 5, 11, 30)),  # overlaps
        (dt.datetime(2026, 1, 4, 10), dt.datetime(2026, 1, 4, 20)),  # Sunday: outside
        (dt.datetime(2026, 1, 5, 18), dt.datetime(2026, 1, 5, 20)),  # after the end
    ]
    assert business_minutes_between(start, end, cal, pauses) == 480 - 90
    open_ended = [*pauses, (dt.datetime(2026, 1, 5, 16), None)]
    assert business_minutes_between(start, end, cal, open_ended) == 480 - 90 - 60
    before = [(dt.datetime(2026, 1, 5, 7), dt.datetime(2026, 1, 5, 9, 30))]
    assert business_minutes_between(start, end, cal, before) == 450
    whole = [(dt.datetime(2026, 1, 1), None)]
    assert business_minutes_between(start, end, cal, whole) == 0


# --- the case clock ------------------------------------------------------------------------


def test_sla_clock_running_paused_and_breached():
    cal = budapest_office()
    start = dt.datetime(2026, 1, 5, 9)
    running = sla_clock(start, 120, cal, [], dt.datetime(2026, 1, 5, 10))
    assert running.elapsed_minutes == 60 and running.remaining_minutes == 60
    assert running.due_at == local(BUDAPEST, 2026, 1, 5, 11)
    assert running.fraction_used == 0.5 and not running.breached and not running.paused

    pauses = [(dt.datetime(2026, 1, 5, 9, 30), None)]
    paused = sla_clock(start, 120, cal, pauses, dt.datetime(2026, 1, 5, 12))
    assert paused.paused and paused.due_at is None and paused.elapsed_minutes == 30

    resumed = [(dt.datetime(2026, 1, 5, 9, 30), dt.datetime(2026, 1, 5, 16, 30))]
    clock = sla_clock(start, 120, cal, resumed, dt.datetime(2026, 1, 5, 16, 45))
    assert clock.elapsed_minutes == 45 and not clock.paused
    assert clock.due_at == local(BUDAPEST, 2026, 1, 6, 10, 0)  # 15 today, 60 tomorrow

    late = sla_clock(start, 120, cal, resumed, dt.datetime(2026, 1, 6, 11))
    assert late.breached and late.remaining_minutes == -60 and late.fraction_used == 1.5
    assert late.due_at == local(BUDAPEST, 2026, 1, 6, 10, 0)


def test_sla_clock_is_not_breached_at_its_deadline_or_out_of_hours_before_it():
    cal = budapest_office()
    start = dt.datetime(2026, 1, 5, 15)
    at_due = sla_clock(start, 120, cal, [], dt.datetime(2026, 1, 5, 17))
    assert at_due.remaining_minutes == 0 and not at_due.breached
    evening = sla_clock(start, 120, cal, [], dt.datetime(2026, 1, 5, 20))
    assert evening.remaining_minutes == 0 and evening.breached
    before = sla_clock(start, 180, cal, [], dt.datetime(2026, 1, 5, 20))
    assert not before.breached and before.due_at == local(BUDAPEST, 2026, 1, 6, 10)


# --- limits and speed ----------------------------------------------------------------------


def test_a_calendar_with_only_holidays_ahead_raises_instead_of_looping():
    first = dt.date(2026, 1, 1)
    holidays = [(first + dt.timedelta(days=i)).isoformat() for i in range(6 * 366)]
    cal = Calendar.from_dict(
        {"timezone": "UTC", "week": {"mon": [["09:00", "10:00"]]}, "holidays": holidays}
    )
    with pytest.raises(CalendarError, match="no working time"):
        add_business_minutes(dt.datetime(2026, 1, 1), 1, cal)


def test_a_deadline_10000_business_minutes_away_is_fast():
    cal = tehran_office(NOWRUZ_1405)
    starts = [dt.datetime(2026, 1, 1, 9) + dt.timedelta(hours=7 * i) for i in range(200)]
    begin = time.perf_counter()
    for start in starts:
        fresh = tehran_office(NOWRUZ_1405)  # no cached days: the cost of a cold calendar
        add_business_minutes(start, 10_000, fresh)
    cold = (time.perf_counter() - begin) / len(starts)
    assert cold < 0.002, f"{cold * 1000:.3f} ms per cold deadline"
    begin = time.perf_counter()
    for start in starts:
        add_business_minutes(start, 10_000, cal)
    assert (time.perf_counter() - begin) / len(starts) < 0.001


# --- independent check: brute force over every UTC minute ----------------------------------


def brute_force_is_working(instant: dt.datetime, cal: Calendar) -> bool:
    """Is the minute starting at `instant` working time? Asks zoneinfo for its local time."""
    wall = instant.astimezone(cal.zone)
    if wall.date() in cal.holidays:
        return False
    minute = wall.hour * 60 + wall.minute
    key = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")[wall.weekday()]
    return any(a <= minute < b for a, b in cal.week[key])


def brute_force_elapsed(start: dt.datetime, end: dt.datetime, cal: Calendar) -> int:
    count, instant = 0, start
    while instant < end:
        count += brute_force_is_working(instant, cal)
        instant += dt.timedelta(minutes=1)
    return count


def brute_force_deadline(start: dt.datetime, minutes: int, cal: Calendar) -> dt.datetime:
    instant, counted = start, 0
    while counted < minutes:
        counted += brute_force_is_working(instant, cal)
        instant += dt.timedelta(minutes=1)
    return instant


def random_calendar(rng: random.Random, zone: str, start: dt.date) -> Calendar:
    # Half-hour grid; 02:30 and 23:30 left out as interval ends because they are ambiguous
    # on Budapest's and Tehran's fall-back days, where fold=0 and "any local time in the
    # interval" differ by design.
    grid = [m for m in range(0, 24 * 60 + 1, 30) if m not in (150, 1410)]
    week = {}
    for day in WEEKDAYS:
        if rng.random() < 0.25:
            continue
        cuts = sorted(rng.sample(grid, rng.choice([2, 2, 4])))
        week[day] = [
            [f"{a // 60:02d}:{a % 60:02d}", f"{b // 60:02d}:{b % 60:02d}"]
            for a, b in zip(cuts[::2], cuts[1::2], strict=True)
        ]
    if not week:
        week["mon"] = [["00:00", "24:00"]]
    holidays = [
        (start + dt.timedelta(days=rng.randrange(10))).isoformat() for _ in range(rng.randrange(3))
    ]
    return Calendar.from_dict({"timezone": zone, "week": week, "holidays": holidays})


# Days around DST changes and zone history, plus ordinary ones.
SAMPLE_DAYS = [
    ("Europe/Budapest", dt.date(2026, 3, 26)),
    ("Europe/Budapest", dt.date(2026, 10, 22)),
    ("Asia/Tehran", dt.date(2021, 3, 19)),
    ("Asia/Tehran", dt.date(2021, 9, 18)),
    ("Asia/Tehran", dt.date(2026, 3, 18)),
    ("America/New_York", dt.date(2026, 3, 6)),
    ("UTC", dt.date(2026, 6, 1)),
]


def test_add_and_elapsed_agree_with_a_brute_force_minute_walk_in_utc():
    rng = random.Random(20260321)
    for case in range(70):
        zone, day = SAMPLE_DAYS[case % len(SAMPLE_DAYS)]
        cal = random_calendar(rng, zone, day)
        midnight = dt.datetime.combine(day, dt.time(), tzinfo=cal.zone).astimezone(UTC)
        start = midnight + dt.timedelta(minutes=rng.randrange(4 * 24 * 60))
        end = start + dt.timedelta(minutes=rng.randrange(5 * 24 * 60))
        expected = brute_force_elapsed(start, end, cal)
        assert business_minutes_between(start, end, cal) == expected, (case, cal.to_dict())

        minutes = rng.randrange(1, 1500)
        deadline = add_business_minutes(start, minutes, cal)
        assert deadline == brute_force_deadline(start, minutes, cal), (case, cal.to_dict())
        # Consistency: exactly `minutes` in [start, deadline), one minute short before it.
        assert business_minutes_between(start, deadline, cal) == minutes
        assert business_minutes_between(start, deadline - dt.timedelta(minutes=1), cal) < minutes
