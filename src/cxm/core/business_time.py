"""Business time: working calendars, SLA deadlines and elapsed business minutes.

A `Calendar` is a time zone, a week of local wall-clock working intervals and a set of local
holiday dates. Time is counted in *real* elapsed minutes: on a daylight-saving day a local
01:00–04:00 interval lasts 120 minutes in spring and 240 in autumn, and historical zone rules
(Tehran kept DST until 2022) come from zoneinfo.

The maths works on integer microseconds since the Unix epoch and walks day by day over a
compiled week, never minute by minute, so a deadline weeks away costs a few dozen steps.
A local wall time that does not exist (the spring-forward gap) maps forward, an ambiguous one
(the autumn repeat) takes its first occurrence (fold=0), as PEP 495 arithmetic does.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any, NamedTuple
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

#: Weekday keys in the order the product shows them (the Iranian week starts on Saturday).
WEEKDAYS: tuple[str, ...] = ("sat", "sun", "mon", "tue", "wed", "thu", "fri")
#: Python's `date.weekday()` (Monday = 0) to weekday key.
_PY_WEEKDAY_KEYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
DAY_MINUTES = 24 * 60
#: How far ahead a deadline is searched before the calendar is declared unusable.
SEARCH_LIMIT_DAYS = 5 * 366

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)
_DAY = dt.timedelta(days=1)
_US_PER_MINUTE = 60_000_000
_TIME = re.compile(r"^(\d{1,2}):(\d{2})$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DAY_CACHE_LIMIT = 8192


class CalendarError(ValueError):
    """A calendar that cannot be used; the message names the day and interval at fault."""


class WorkInterval(NamedTuple):
    """A local wall-clock working interval in minutes after midnight; `end` may be 1440."""

    start: int
    end: int

    def as_text(self) -> tuple[str, str]:
        return format_minute(self.start), format_minute(self.end)


def format_minute(minute: int) -> str:
    """`480` → `"08:00"`, `1440` → `"24:00"`."""
    return f"{minute // 60:02d}:{minute % 60:02d}"


def parse_time(text: str, *, day: str = "", is_end: bool = False) -> int:
    """`"08:30"` → 510 minutes after midnight; `"24:00"` only as an interval end."""
    where = f" on {day}" if day else ""
    match = _TIME.match(text.strip()) if isinstance(text, str) else None
    if not match:
        raise CalendarError(f"{text!r}{where} is not a time; write hours and minutes as HH:MM")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes == 0:
        if not is_end:
            raise CalendarError(f"24:00{where} can only end an interval, not start one")
        return DAY_MINUTES
    if hours > 23 or minutes > 59:
        raise CalendarError(f"{text!r}{where} is not a time of day (00:00 to 24:00)")
    return hours * 60 + minutes


def parse_day_text(text: str, *, day: str = "") -> list[list[str]]:
    """The week editor's text for one day, `"08:00-12:00, 13:00-16:00"`, as JSON pairs.

    Empty text is a day off. Separators: comma, semicolon or newline between intervals; a
    hyphen, en dash or "to" inside one. Only the shape is checked here; `Calendar` validates.
    """
    pairs: list[list[str]] = []
    for chunk in re.split(r"[,;،\n]+", text):
        part = chunk.strip()
        if not part:
            continue
        bounds = re.split(r"\s*(?:-|–|—|\bto\b)\s*", part)
        if len(bounds) != 2 or not all(bounds):
            where = f" on {day}" if day else ""
            raise CalendarError(f"{part!r}{where} is not an interval; write it as 08:00-16:00")
        pairs.append([bounds[0].strip(), bounds[1].strip()])
    return pairs


def check_day(day: str, intervals: Iterable[Any]) -> tuple[WorkInterval, ...]:
    """Validate one weekday's `[["08:00", "12:00"], …]` pairs; sorted `WorkInterval`s."""
    parsed = []
    for interval in intervals:
        if not (isinstance(interval, list | tuple) and len(interval) == 2):
            raise CalendarError(
                f'{interval!r} on {day} is not an interval; write it as ["08:00", "16:00"]'
            )
        start, end = interval
        parsed.append(
            WorkInterval(parse_time(start, day=day), parse_time(end, day=day, is_end=True))
        )
    return _check_day(day, parsed)


def _load_zone(name: object) -> ZoneInfo:
    if not isinstance(name, str) or not name.strip():
        raise CalendarError("the calendar has no time zone; give one such as 'Asia/Tehran'")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise CalendarError(
            f"unknown time zone {name!r}; use a name such as 'Asia/Tehran'"
        ) from None


def _check_day(day: str, intervals: Iterable[WorkInterval]) -> tuple[WorkInterval, ...]:
    ordered = sorted(intervals)
    for interval in ordered:
        start, end = interval
        text = "{}–{}".format(*interval.as_text())
        if not (0 <= start < DAY_MINUTES and 0 < end <= DAY_MINUTES):
            raise CalendarError(f"interval {text} on {day} is outside the day (00:00 to 24:00)")
        if end <= start:
            raise CalendarError(
                f"interval {text} on {day} ends before it starts; split an overnight shift "
                'into ["22:00", "24:00"] on one day and ["00:00", "06:00"] on the next'
            )
    for before, after in itertools.pairwise(ordered):
        if after.start < before.end:
            first = "{}–{}".format(*before.as_text())
            second = "{}–{}".format(*after.as_text())
            raise CalendarError(f"intervals {first} and {second} on {day} overlap")
    return tuple(ordered)


@dataclass(frozen=True)
class Calendar:
    """A working calendar: a zoneinfo name, a week of local intervals, local holiday dates.

    `week` maps every key of `WEEKDAYS` to sorted `WorkInterval`s (a missing key is a day
    off). Construction validates and raises `CalendarError`.
    """

    timezone: str
    week: Mapping[str, tuple[tuple[int, int], ...]] = field(hash=False)
    holidays: frozenset[dt.date] = frozenset()

    def __post_init__(self) -> None:
        zone = _load_zone(self.timezone)
        if not isinstance(self.week, Mapping):
            raise CalendarError("the week must map weekday keys (sat … fri) to intervals")
        unknown = [key for key in self.week if key not in WEEKDAYS]
        if unknown:
            raise CalendarError(f"unknown weekday {unknown[0]!r}; use {', '.join(WEEKDAYS)}")
        week: dict[str, tuple[WorkInterval, ...]] = {}
        for day in WEEKDAYS:
            raw = self.week.get(day, ())
            week[day] = _check_day(day, (WorkInterval(int(a), int(b)) for a, b in raw))
        if not any(week.values()):
            raise CalendarError("the week has no working time at all")
        holidays = frozenset(self.holidays)
        if not all(type(d) is dt.date for d in holidays):
            raise CalendarError("holidays must be dates")
        object.__setattr__(self, "week", MappingProxyType(week))
        object.__setattr__(self, "holidays", holidays)
        object.__setattr__(self, "_zone", zone)
        # Offsets of each interval end from local midnight, indexed by Python weekday.
        compiled = tuple(
            tuple(
                (dt.timedelta(minutes=a), dt.timedelta(minutes=b))
                for a, b in week[_PY_WEEKDAY_KEYS[weekday]]
            )
            for weekday in range(7)
        )
        object.__setattr__(self, "_compiled", compiled)
        object.__setattr__(self, "_spans", {})

    @property
    def zone(self) -> ZoneInfo:
        zone: ZoneInfo = self.__dict__["_zone"]
        return zone

    @classmethod
    def from_dict(cls, data: Any) -> Calendar:
        """Read the product's calendar format (see `to_dict`); `CalendarError` when invalid."""
        if not isinstance(data, Mapping):
            raise CalendarError("a calendar is a JSON object with timezone, week and holidays")
        week_data = data.get("week")
        if not isinstance(week_data, Mapping):
            raise CalendarError("the calendar has no 'week' object (sat … fri → intervals)")
        week: dict[str, list[WorkInterval]] = {}
        for day, intervals in week_data.items():
            if day not in WEEKDAYS:
                raise CalendarError(f"unknown weekday {day!r}; use {', '.join(WEEKDAYS)}")
            if not isinstance(intervals, list | tuple):
                raise CalendarError(f"{day} must be a list of [start, end] intervals")
            week[day] = list(check_day(day, intervals))
        holidays_data = data.get("holidays", [])
        if not isinstance(holidays_data, list | tuple):
            raise CalendarError("holidays must be a list of dates such as '2026-03-21'")
        holidays = set()
        for text in holidays_data:
            holidays.add(parse_holiday(text))
        return cls(
            timezone=data.get("timezone"),  # type: ignore[arg-type]  # validated on init
            week={day: tuple(v) for day, v in week.items()},
            holidays=frozenset(holidays),
        )

    def to_dict(self) -> dict[str, Any]:
        """`{"timezone": …, "week": {"sat": [["08:00","16:00"]], …}, "holidays": [ISO dates]}`."""
        return {
            "timezone": self.timezone,
            "week": {
                day: [[format_minute(a), format_minute(b)] for a, b in self.week[day]]
                for day in WEEKDAYS
            },
            "holidays": [day.isoformat() for day in sorted(self.holidays)],
        }

    def weekly_minutes(self) -> int:
        """Nominal wall-clock working minutes in a week (no DST, no holidays)."""
        return sum(b - a for day in WEEKDAYS for a, b in self.week[day])

    def _day_spans(self, ordinal: int) -> tuple[tuple[int, int], ...]:
        """Working spans of one local date as epoch microseconds (cached per calendar)."""
        spans: dict[int, tuple[tuple[int, int], ...]] = self.__dict__["_spans"]
        found = spans.get(ordinal)
        if found is not None:
            return found
        day = dt.date.fromordinal(ordinal)
        offsets = self.__dict__["_compiled"][day.weekday()]
        if not offsets or day in self.holidays:
            result: tuple[tuple[int, int], ...] = ()
        else:
            midnight = dt.datetime(day.year, day.month, day.day)
            zone = self.zone
            if zone.utcoffset(midnight) == zone.utcoffset(midnight + _DAY):
                # No transition today: aware - UTC epoch applies the day's one offset.
                aware = midnight.replace(tzinfo=zone)
                result = tuple(
                    ((aware + a - _EPOCH) // _US, (aware + b - _EPOCH) // _US) for a, b in offsets
                )
            else:
                result = tuple(
                    (_wall_to_us(midnight + a, zone), _wall_to_us(midnight + b, zone))
                    for a, b in offsets
                )
        if len(spans) >= _DAY_CACHE_LIMIT:
            spans.clear()
        spans[ordinal] = result
        return result


def _wall_to_us(wall: dt.datetime, zone: ZoneInfo) -> int:
    """The instant of naive local `wall`: an ambiguous time is its first occurrence
    (fold=0); a time in a spring-forward gap is the instant the clocks jump (the first
    existing time after it), so an interval starting at 02:30 starts when clocks show 03:00.
    """
    first = (wall.replace(tzinfo=zone) - _EPOCH) // _US
    if (_EPOCH + dt.timedelta(microseconds=first)).astimezone(zone).replace(tzinfo=None) == wall:
        return first
    # In a gap: fold=1 gives an instant before the jump, fold=0 one after; bisect on
    # seconds for the first instant whose local time is past `wall`.
    low = (wall.replace(tzinfo=zone, fold=1) - _EPOCH) // _US // 1_000_000
    high = first // 1_000_000
    while high - low > 1:
        middle = (low + high) // 2
        local = (_EPOCH + dt.timedelta(seconds=middle)).astimezone(zone).replace(tzinfo=None)
        if local > wall:
            high = middle
        else:
            low = middle
    return high * 1_000_000


def parse_holiday(text: object) -> dt.date:
    if not isinstance(text, str) or not _DATE.match(text.strip()):
        raise CalendarError(f"holiday {text!r} is not a date; write it as YYYY-MM-DD")
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise CalendarError(f"holiday {text!r} is not a real date") from None


# --- instants ---------------------------------------------------------------------------


def localize(value: dt.datetime, cal: Calendar) -> dt.datetime:
    """An aware datetime in the calendar's zone; a naive one is read as calendar local time."""
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=cal.zone)
    return value.astimezone(cal.zone)


def _to_us(value: dt.datetime, cal: Calendar) -> int:
    if value.tzinfo is None or value.utcoffset() is None:
        value = value.replace(tzinfo=cal.zone)
    return (value - _EPOCH) // _US


def _from_us(us: int, cal: Calendar) -> dt.datetime:
    return (_EPOCH + dt.timedelta(microseconds=us)).astimezone(cal.zone)


def _local_ordinal(us: int, cal: Calendar) -> int:
    return _from_us(us, cal).toordinal()


def _minutes_to_us(minutes: float) -> int:
    if isinstance(minutes, bool) or not isinstance(minutes, int | float):
        raise TypeError("minutes must be a number")
    if math.isnan(minutes) or math.isinf(minutes) or minutes < 0:
        raise ValueError(f"minutes must be a finite number of at least 0, not {minutes!r}")
    return round(minutes * _US_PER_MINUTE)


# --- the two operations -------------------------------------------------------------------


def _deadline_us(start: int, need: int, cal: Calendar) -> int:
    """The earliest instant with `need` business microseconds in [start, instant]."""
    if need <= 0:
        return start
    ordinal = _local_ordinal(start, cal) - 1  # a day's spans never cross its next midnight
    last = ordinal + SEARCH_LIMIT_DAYS
    while ordinal <= last:
        for a, b in cal._day_spans(ordinal):
            if b <= start:
                continue
            available = b - max(a, start)
            if available >= need:  # >=: a deadline on an interval end stays there
                return max(a, start) + need
            need -= available
        ordinal += 1
    raise CalendarError(
        f"no working time found within {SEARCH_LIMIT_DAYS // 366} years; check the calendar's "
        "week and holidays"
    )


def _work_us(start: int, end: int, cal: Calendar) -> int:
    """Business microseconds in [start, end)."""
    if end <= start:
        return 0
    total = 0
    ordinal = _local_ordinal(start, cal) - 1
    last = _local_ordinal(end, cal) + 1
    while ordinal <= last:
        for a, b in cal._day_spans(ordinal):
            low, high = max(a, start), min(b, end)
            if high > low:
                total += high - low
        ordinal += 1
    return total


def add_business_minutes(start: dt.datetime, minutes: float, cal: Calendar) -> dt.datetime:
    """The deadline: the earliest instant t with `minutes` business minutes in [start, t].

    A naive `start` is calendar local time. Outside working hours the count begins at the
    next opening; a deadline that falls on an interval's end stays there. `minutes == 0`
    returns `start` (in the calendar's zone). The result is aware, in the calendar's zone.
    Raises `ValueError` for negative or non-finite minutes and `CalendarError` when no
    working time exists within `SEARCH_LIMIT_DAYS`.
    """
    need = _minutes_to_us(minutes)
    return _from_us(_deadline_us(_to_us(start, cal), need, cal), cal)


Pause = tuple[dt.datetime, dt.datetime | None]


def _merged_pauses(
    pauses: Iterable[Pause], cal: Calendar, low: int, high: int | None
) -> list[tuple[int, int | None]]:
    """Pauses as sorted, disjoint epoch-microsecond spans clipped to [low, high)."""
    spans: list[tuple[int, int | None]] = []
    for pause_start, pause_end in pauses:
        a = max(_to_us(pause_start, cal), low)
        b = None if pause_end is None else _to_us(pause_end, cal)
        if high is not None:
            b = high if b is None else min(b, high)
        if b is not None and b <= a:
            continue
        spans.append((a, b))
    spans.sort(key=lambda span: span[0])
    merged: list[tuple[int, int | None]] = []
    for a, b in spans:
        if merged:
            prev_a, prev_b = merged[-1]
            if prev_b is None:
                break  # an open pause swallows the rest
            if a <= prev_b:
                merged[-1] = (prev_a, None if b is None else max(prev_b, b))
                continue
        merged.append((a, b))
    return merged


def business_minutes_between(
    start: dt.datetime,
    end: dt.datetime,
    cal: Calendar,
    pauses: Iterable[Pause] = (),
) -> float:
    """Business minutes in [start, end), less those inside `pauses`.

    Pauses are (from, until) pairs; `until=None` means "still paused" (up to `end`). They may
    overlap each other or lie outside [start, end). Zero when `end <= start`.
    """
    low, high = _to_us(start, cal), _to_us(end, cal)
    if high <= low:
        return 0.0
    total = _work_us(low, high, cal)
    for a, b in _merged_pauses(pauses, cal, low, high):
        total -= _work_us(a, high if b is None else b, cal)
    return total / _US_PER_MINUTE


# --- the case clock ---------------------------------------------------------------------


@dataclass(frozen=True)
class SlaClock:
    """Where a case's service-level clock stands at `now`.

    `remaining_minutes` goes negative once the target is passed (by how much);
    `due_at` is None while the clock is paused at `now` (or would end in an open pause).
    """

    elapsed_minutes: float
    remaining_minutes: float
    due_at: dt.datetime | None
    fraction_used: float
    breached: bool
    paused: bool


def _deadline_with_pauses(
    start: int, need: int, cal: Calendar, pauses: list[tuple[int, int | None]]
) -> int | None:
    """The instant the clock reaches `need`, running only outside `pauses` (None: never)."""
    cursor = start
    for a, b in pauses:
        if a > cursor:
            available = _work_us(cursor, a, cal)
            if available >= need:
                return _deadline_us(cursor, need, cal)
            need -= available
        if b is None:
            return None
        cursor = max(cursor, b)
    return _deadline_us(cursor, need, cal)


def sla_clock(
    start: dt.datetime,
    target_minutes: float,
    cal: Calendar,
    pauses: Iterable[Pause],
    now: dt.datetime,
) -> SlaClock:
    """The clock of a target of `target_minutes` business minutes started at `start`.

    Breached when the deadline (counting pauses) lies strictly before `now`.
    """
    need = _minutes_to_us(target_minutes)
    low, at = _to_us(start, cal), _to_us(now, cal)
    merged = _merged_pauses(pauses, cal, low, None)
    elapsed = business_minutes_between(start, now, cal, pauses) if at > low else 0.0
    paused = any(a <= at and (b is None or at < b) for a, b in merged)
    due = _deadline_with_pauses(low, need, cal, merged)
    target = need / _US_PER_MINUTE
    return SlaClock(
        elapsed_minutes=elapsed,
        remaining_minutes=target - elapsed,
        due_at=None if paused or due is None else _from_us(due, cal),
        fraction_used=(elapsed / target) if target > 0 else (1.0 if at >= low else 0.0),
        breached=due is not None and due < at,
        paused=paused,
    )
